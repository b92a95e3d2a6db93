#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The hand-encoded sm_60 (Pascal) kernels of the IGT series, checked with
# envytools' envydis and envyas (built from ../shared/envytools/, see its
# README.md), in lib/nouveau/sm60.c as the whole series leaves it
# (igt-tests/series applied to the pinned IGT by scripts/igt-lib.sh, as
# for scripts/igt.sh, in $BUILD/igt-sm60/src): a later patch's change is
# checked, not an older copy.  A kernel is a C array
#     static const uint64_t NAME[] = {
#     	0x0123456789abcdefull, /* listing of this word, envytools syntax */
#     	...
#     };
# one word and its listing per line (a size in the brackets must be the
# word count, the brace may be on the next line); the table
# igt_sm60_kernels[] gives each its register count:
# { "name", NAME, sizeof(NAME), GPRS }.  scripts/sm60-kernels.py reads them
# and fails unless the arrays read are exactly those the table names, none
# is empty, and no hex literal wider than 32 bits stands outside them (a
# kernel word in a form it did not read).  For every kernel:
#  - envydis disassembles the words without unknown opcodes or bits, and
#    its listing is the one in the comments (whitespace aside);
#  - envyas assembles the listing in the comments into the words, bit for
#    bit;
#  - the word count is a multiple of 4, and a control word ("sched") leads
#    every bundle of three instructions, and only there;
#  - every register the listing uses is below GPRS (the highest $rN but
#    $r255, the zero register; see sm60-kernels.py for register pairs).
# What neither tool checks (stall counts, barriers, liveness, the QMD) is
# argued in the source's comments.
#
# usage: check-sm60-kernels.sh [--tap FILE] [C-FILE]
#   C-FILE: check this file instead (the harness self-test's mutations).
#   One TAP line (plus "# " details) goes to FILE (appended) or stdout,
#   also when the script stops early.  Exits non-zero if a check failed.
# env: ENVYTOOLS_DIR (default: ../shared/envytools beside this clone);
#   NSVM_IGT_TESTS: another series (scripts/igt-lib.sh).
set -Eeuo pipefail
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/igt-lib.sh"

# TAP on file descriptor 3: the file of --tap, or stdout.
if [ "${1:-}" = --tap ]; then
	exec 3>> "$2"
	shift 2
else
	exec 3>&1
fi
what="sm60 kernels of the IGT series (envydis, envyas, control words, registers)"
tmp=$(mktemp -d)
verdict=
# However the script ends, it leaves a TAP line.
trap 'rc=$?; [ -n "$verdict" ] || echo "not ok - $what # stopped with exit status $rc near line ${err_line:-?} before a verdict" >&3; rm -rf "$tmp"' EXIT
trap 'err_line=$LINENO' ERR

fail() { # fail REASON [DETAIL-FILE]
	{
		echo "not ok - $what # $1"
		[ -z "${2:-}" ] || sed 's/^/# /' "$2" | head -n 40
	} >&3
	verdict=fail
	echo "check-sm60-kernels: $1" >&2
	exit 1
}
[ $# -le 1 ] || fail "usage: check-sm60-kernels.sh [--tap FILE] [C-FILE]"

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

# 2. The source: the file given, or sm60.c of the applied series.
if [ $# = 1 ]; then
	source=$1
	case $source in
	*.patch) fail "$source: a patch; give a C file (or none: the series is applied)" ;;
	esac
else
	igt_report() { [ "$1" = OK ] || echo "$2${3:+: $3}" >> "$tmp/apply.err"; }
	if ! igt_base_repo || ! igt_apply "$BUILD/igt-sm60"; then
		fail "no IGT tree with the series applied: $(head -n 1 "$tmp/apply.err" 2>/dev/null)" \
			"$tmp/apply.err"
	fi
	source=$BUILD/igt-sm60/src/lib/nouveau/sm60.c
fi
[ -f "$source" ] || fail "$source: no such file"

# 3. The kernels: "NAME GPRS MAXREG" lines in $tmp/kernels, in the
# table's order; the words and the listing in $tmp/NAME.words, NAME.s.
need python3
python3 "$TOP/scripts/sm60-kernels.py" "$source" "$tmp" > "$tmp/extract.err" 2>&1 ||
	fail "${source##*/}: $(head -n 1 "$tmp/extract.err")" "$tmp/extract.err"

# 4. The checks, per kernel.
norm() { sed -E 's/[[:space:]]+/ /g; s/^ //; s/ $//' "$@"; }
summary=()
bad=0
: > "$tmp/details"
while read -r k gprs top; do
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
	# registers: the listing's highest below the table's count
	[ $((top + 1)) -le "$gprs" ] ||
		errs+=("uses \$r$top, but igt_sm60_kernels[] allocates $gprs registers")
	if [ ${#errs[@]} = 0 ]; then
		summary+=("$k ($n words, \$r0-\$r$top of $gprs registers)")
	else
		bad=1
		summary+=("$k: $(printf '%s; ' "${errs[@]}" | sed 's/; $//')")
	fi
done < "$tmp/kernels"

list=$(printf '%s, ' "${summary[@]}" | sed 's/, $//')
if [ $bad = 0 ]; then
	echo "ok - $what: $list" >&3
	verdict=ok
else
	fail "$list" "$tmp/details"
fi
