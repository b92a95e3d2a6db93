#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks of the applied series, written as TAP to $BUILD/checks.tap:
#  - checkpatch.pl --strict on every patch (run outside git: see below);
#  - scripts/kernel-doc -none on every C file and header the series touches;
#  - W=1 and sparse (C=2) on every object of the touched directories, in the
#    base tree and in the patched tree: a warning that only the patched tree
#    prints fails (messages are compared without line numbers);
#  - scripts/callgraph.sh: no allocator (or, for non-blocking roots, no
#    sleeping call) reachable from the mmu-notifier callbacks listed in
#    configs/callgraph-roots (its own TAP file, copied in here).
#  - the hand-encoded sm_60 kernels of the IGT series (igt-tests/): its
#    lib/nouveau/sm60.c after the whole series, with envydis and envyas
#    (scripts/check-sm60-kernels.sh).
# Needs a built test flavor ($BUILD/out-test): its objects tell which files
# of the touched directories this configuration compiles.
# Exits non-zero if any check failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tapf=$BUILD/checks.tap
: > "$tapf"
need perl sparse make
[ -f "$BUILD/out-test/.config" ] || die "run scripts/config.sh test first"
export CCACHE_DIR CCACHE_BASEDIR=$BUILD

ok() { echo "ok - $*" >> "$tapf"; }
notok() { echo "not ok - $*" >> "$tapf"; }
diag() { sed 's/^/# /' >> "$tapf"; }

mapfile -t list < <(series_list)

for p in "${list[@]}"; do
	if res=$("$TOP/scripts/checkpatch.sh" "$PATCHES/$p" 2>&1); then
		ok "checkpatch --strict: $p"
	else
		notok "checkpatch --strict: $p"
		echo "$res" | head -n 30 | diag
	fi
done

# The cover letter must be the one make export wrote for this series: it
# names every patch of patches/series (by subject), and no other.
cover=$PATCHES/0000-cover-letter.patch
if [ -f "$PATCHES/cover-letter.txt" ]; then
	want=$(for p in "${list[@]}"; do
		awk '/^Subject:/ { s = $0; while ((getline l) > 0 && l ~ /^ /) s = s l
			sub(/^Subject: \[PATCH[^]]*\] /, "", s); print s; exit }' "$PATCHES/$p"
	done | sort)
	have=$(sed -n '/^[^ ].* ([0-9]*):$/,/^$/p' "$cover" 2>/dev/null |
		sed -n 's/^  \([^ ]\)/\1/p' | sort)
	if [ -f "$cover" ] && [ "$(echo "$want" | wc -l)" = "$(echo "$have" | wc -l)" ] &&
	   [ "$(echo "$want" | cut -c1-40)" = "$(echo "$have" | cut -c1-40)" ]; then
		ok "cover letter names the ${#list[@]} patches of the series"
	else
		notok "cover letter is missing or stale: run make export"
		diff <(echo "$want" | cut -c1-40) <(echo "$have" | cut -c1-40) | head -n 20 | diag || true
	fi
fi

# The sm_60 kernels of the IGT series: its own TAP line, naming them.
"$TOP/scripts/check-sm60-kernels.sh" --tap "$tapf" || true

mapfile -t touched < <(git -C "$SRC" diff --name-only refs/tags/base HEAD -- '*.c' '*.h')

# kernel-doc
for f in "${touched[@]}"; do
	[ -f "$SRC/$f" ] || continue
	res=$(cd "$SRC" && perl scripts/kernel-doc -none "$f" 2>&1 || true)
	if [ -n "$res" ]; then
		notok "kernel-doc -none: $f"
		echo "$res" | head -n 20 | diag
	else
		ok "kernel-doc -none: $f"
	fi
done
[ ${#touched[@]} -gt 0 ] || ok "kernel-doc -none: no C file touched by the series"

# W=1 + sparse, base vs patched, same config.
mapfile -t objs < <(touched_objects)
if [ ${#objs[@]} -eq 0 ]; then
	ok "W=1 C=2 (sparse): no object touched by the series"
else
	base_repo=$("$TOP/scripts/fetch-base.sh")
	warn() { # tree out -> normalised warnings on stdout
		local tree=$1 o=$2
		mkdir -p "$o"
		cp "$BUILD/out-test/.config" "$o/.config"
		make -s -C "$tree" O="$o" CC="ccache gcc" olddefconfig >/dev/null 2>&1
		# make would skip up-to-date objects and print nothing for them;
		# ccache replays a cached compiler's warnings, so this stays cheap.
		(cd "$o" && rm -f "${objs[@]}")
		if make -C "$tree" O="$o" CC="ccache gcc" HOSTCC="ccache gcc" -j"$(nproc)" W=1 C=2 -k \
			"${objs[@]}" > "$o/check.log" 2>&1; then
			echo 0 > "$o/check.rc"
		else
			echo 1 > "$o/check.rc"
		fi
		# key: function + file + message, without tree path, line,
		# column, gcc's clone suffix (.constprop.0 ...) or the byte count
		# of a frame that was already too big
		# (a gcc "In function" line names the function of the compiler
		# warnings, those with a [-W...] flag, right after it; any other
		# line ends that; sparse names its symbols in the message)
		awk '/In function/ { fn = $0; sub(/.*In function /, "", fn); next }
		     /warning:|error:/ { print (/\[-W/ ? fn : "") " " $0; next }
		     /^ *[0-9]* *\|/ { next }
		     { fn = "" }' "$o/check.log" |
			sed -E 's#[^ ]*/(linux|base-[^/]*)/##g; s#:[0-9]+:[0-9]+:#:#; s#:[0-9]+:#:#;
				s#frame size of [0-9]+ bytes#frame size of N bytes#;
				s#\.(constprop|isra|part|cold)(\.[0-9]+)?##g' | sort
	}
	log "checks: W=1 C=2 on ${#objs[@]} objects, base and patched"
	warn "$base_repo" "$BUILD/out-check-base" > "$BUILD/warn-base.txt"
	warn "$SRC" "$BUILD/out-check" > "$BUILD/warn-series.txt"
	new=$(comm -13 "$BUILD/warn-base.txt" "$BUILD/warn-series.txt" || true)
	if [ "$(cat "$BUILD/out-check/check.rc")" != 0 ]; then
		notok "W=1 C=2 (sparse): patched objects compile"
		grep -E 'error' "$BUILD/out-check/check.log" | head -n 20 | diag
	elif [ -n "$new" ]; then
		notok "W=1 C=2 (sparse): no new warnings in ${#objs[@]} objects"
		echo "$new" | head -n 30 | diag
	else
		ok "W=1 C=2 (sparse): no new warnings in ${#objs[@]} objects ($(wc -l < "$BUILD/warn-base.txt") in base)"
	fi
fi
# Static reachability of the notifier callbacks (nouveau + nvkm call graphs).
rm -f "$BUILD/callgraph.tap"
if ! "$TOP/scripts/callgraph.sh" && ! grep -q '^not ok' "$BUILD/callgraph.tap" 2>/dev/null; then
	notok "callgraph: scripts/callgraph.sh failed without a TAP line (see its output above)"
fi
[ ! -f "$BUILD/callgraph.tap" ] || cat "$BUILD/callgraph.tap" >> "$tapf"
log "checks: $(grep -c '^ok' "$tapf") ok, $(grep -c '^not ok' "$tapf") not ok ($tapf)"
# The exit status tells too (make check, CI).
! grep -q '^not ok' "$tapf"
