#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The hand-encoded sm_60 (Pascal) kernels of the IGT series, checked with
# envytools' envydis and envyas (built from ../shared/envytools/, see its
# README.md).  A kernel is a C array
#     static const uint64_t NAME[] = {
#     	0x0123456789abcdefull, /* listing of this word, envytools syntax */
#     	...
#     };
# in a .c file the IGT patches add (igt-tests/series), one word and its
# listing per line.  For every kernel:
#  - envydis disassembles the words without unknown opcodes or bits, and
#    its listing is the one in the comments (whitespace aside);
#  - envyas assembles the listing in the comments into the words, bit for
#    bit;
#  - the word count is a multiple of 4, and a control word ("sched") leads
#    every bundle of three instructions, and only there.
# What neither tool checks (stall counts, barriers, register counts, the
# QMD) is argued in the source's comments.
#
# usage: check-sm60-kernels.sh [--tap FILE] [SOURCE...]
#   SOURCE: patches (their added lines) or C files; default: the patches of
#   igt-tests/series.  One TAP line (plus "# " details) goes to FILE
#   (appended) or stdout.  Exits non-zero if a check failed.
# env: ENVYTOOLS_DIR (default: ../shared/envytools beside this clone).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# TAP on file descriptor 3: the file of --tap, or stdout.
if [ "${1:-}" = --tap ]; then
	exec 3>> "$2"
	shift 2
else
	exec 3>&1
fi
sources=("$@")
if [ ${#sources[@]} = 0 ]; then
	while read -r p; do
		sources+=("$TOP/igt-tests/$p")
	done < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$TOP/igt-tests/series")
fi
what="sm60 kernels of the IGT series (envydis, envyas, control words)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { # fail REASON [DETAIL-FILE]
	{
		echo "not ok - $what # $1"
		[ -z "${2:-}" ] || sed 's/^/# /' "$2" | head -n 40
	} >&3
	echo "check-sm60-kernels: $1" >&2
	exit 1
}

# 1. envydis and envyas, built once per envytools snapshot and fix.
envy=${ENVYTOOLS_DIR:-$TOP/../shared/envytools}
tarball=$(ls "$envy"/envytools-*.tar.xz 2>/dev/null | head -n 1 || true)
if [ ! -f "$envy/build-envydis.sh" ] || [ -z "$tarball" ]; then
	fail "no envytools: $envy/build-envydis.sh and envytools-*.tar.xz are missing (CI keeps /work/shared beside the clone as ../shared; or set ENVYTOOLS_DIR)"
fi
need gcc flex bison patch xz
id=$(cat "$tarball" "$envy/build-envydis.sh" "$envy"/*.patch 2>/dev/null | sha256sum | cut -c1-16)
bin=$CACHE/envydis-$id
mkdir -p "$CACHE"
if [ ! -x "$bin/envydis" ] || [ ! -x "$bin/envyas" ]; then
	rm -rf "$bin.tmp"
	if ! sh "$envy/build-envydis.sh" "$tarball" "$bin.tmp" > "$tmp/build.log" 2>&1; then
		fail "building envydis/envyas from $tarball failed" "$tmp/build.log"
	fi
	rm -rf "$bin"
	mv "$bin.tmp" "$bin"
fi

# 2. The kernels: NAME, then "WORD LISTING" lines, from the added lines of
# each patch (or the lines of each C file).
for s in "${sources[@]}"; do
	[ -f "$s" ] || fail "$s: no such file"
	case $s in
	*.patch) sed -n 's/^+//p' "$s" ;;
	*) cat "$s" ;;
	esac
done | awk -v dir="$tmp" '
	/^static const uint64_t [A-Za-z0-9_]+\[\] = \{$/ {
		name = $4; sub(/\[\]$/, "", name)
		if (name in seen) { print "duplicate kernel " name > "/dev/stderr"; exit 1 }
		seen[name] = 1; order[++n] = name; inside = 1; next
	}
	inside && /^};$/ { inside = 0; next }
	inside {
		# (no {16}: mawk has no interval expressions)
		if ($0 !~ /^\t0x[0-9a-f]+ull, \/\* .* \*\/$/ || index($0, "ull,") != 20) {
			print "kernel " name ": line not of the form \"<tab>0x<16 hex digits>ull, /* listing */\": " $0 > "/dev/stderr"
			exit 1
		}
		w = substr($0, 2, 18)
		l = $0; sub(/^[^\/]*\/\* /, "", l); sub(/ \*\/$/, "", l)
		print w > (dir "/" name ".words")
		print l > (dir "/" name ".s")
		next
	}
	END {
		if (inside) { print "kernel " name ": no closing \"};\"" > "/dev/stderr"; exit 1 }
		for (i = 1; i <= n; i++) print order[i] > (dir "/kernels")
	}' 2> "$tmp/extract.err" || fail "cannot read the kernels" "$tmp/extract.err"
[ -s "$tmp/kernels" ] || fail "no kernel found in ${sources[*]##*/}"

# 3. The checks, per kernel.
norm() { sed -E 's/[[:space:]]+/ /g; s/^ //; s/ $//' "$@"; }
summary=()
bad=0
: > "$tmp/details"
while read -r k; do
	n=$(wc -l < "$tmp/$k.words")
	errs=()
	# disassembly: no unknown opcode or bit, same text as the listing
	"$bin/envydis" -m gm107 -V sm60 -W -n < "$tmp/$k.words" > "$tmp/$k.dis" 2>&1 ||
		errs+=("envydis failed")
	if grep -qE '\?\?\?|unknown' "$tmp/$k.dis"; then
		errs+=("envydis: unknown opcode or bits")
		grep -E '\?\?\?|unknown' "$tmp/$k.dis" | sed "s/^/$k: /" >> "$tmp/details"
	fi
	# address, the two halves of the word, an optional one-letter mark
	sed -E '/^[[:space:]]*$/d; s/^[0-9a-f]+: [0-9a-f]{8} [0-9a-f]{8}[[:space:]]+([A-Z][[:space:]]+)?//' \
		"$tmp/$k.dis" | norm > "$tmp/$k.dis.s"
	if ! diff -u --label "listing" --label "envydis" <(norm "$tmp/$k.s") "$tmp/$k.dis.s" \
		> "$tmp/$k.dis.diff"; then
		errs+=("envydis of the words differs from the listing")
		sed "s/^/$k: /" "$tmp/$k.dis.diff" >> "$tmp/details"
	fi
	# assembly: the listing gives the words bit for bit
	if "$bin/envyas" -m gm107 -V sm60 -W < "$tmp/$k.s" > "$tmp/$k.as" 2> "$tmp/$k.as.err"; then
		tr -d ', \t' < "$tmp/$k.as" | sed '/^$/d' > "$tmp/$k.as.words"
		if ! diff -u --label "words" --label "envyas" "$tmp/$k.words" "$tmp/$k.as.words" \
			> "$tmp/$k.as.diff"; then
			errs+=("envyas of the listing differs from the words")
			sed "s/^/$k: /" "$tmp/$k.as.diff" >> "$tmp/details"
		fi
	else
		errs+=("envyas rejects the listing")
		sed "s/^/$k: /" "$tmp/$k.as.err" >> "$tmp/details"
	fi
	# bundles: a control word first in every group of four, and only there
	[ $((n % 4)) = 0 ] || errs+=("$n words: not whole bundles of four")
	if ! awk '((NR - 1) % 4 == 0) != /^sched /' "$tmp/$k.s" | cmp -s - /dev/null; then
		errs+=("a control word is missing at a bundle start or misplaced")
		awk '((NR - 1) % 4 == 0) != /^sched / { printf "'"$k"': word %d: %s\n", NR - 1, $0 }' \
			"$tmp/$k.s" >> "$tmp/details"
	fi
	if [ ${#errs[@]} = 0 ]; then
		summary+=("$k ($n words)")
	else
		bad=1
		summary+=("$k: $(printf '%s; ' "${errs[@]}" | sed 's/; $//')")
	fi
done < "$tmp/kernels"

list=$(printf '%s, ' "${summary[@]}" | sed 's/, $//')
if [ $bad = 0 ]; then
	echo "ok - $what: $list" >&3
else
	fail "$list" "$tmp/details"
fi
