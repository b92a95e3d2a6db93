#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bisectability: build every prefix of the series (patch 1, 1..2, ...) with
# the test configuration, incrementally, in a separate git worktree
# ($BUILD/bisect-src) and output directory ($BUILD/out-bisect), so the test
# build is not disturbed.  TAP on stdout, one line per patch.
#   bisect.sh         full: bzImage + modules at every prefix (a change to a
#                     widely included header such as mmu_notifier.h rebuilds
#                     nearly everything, ~10 min per prefix on 2 cores)
#   bisect.sh quick   per prefix, only the objects of the directories that
#                     the whole series touches (what check.sh compiles)
# BISECT_FROM=N starts at prefix N (1..N-1 are reported as skipped), to
# finish a run that was cut short; the first prefix built then compiles
# every target from scratch, as prefix 1 does.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-full}
case $mode in full|quick) ;; *) die "usage: bisect.sh [full|quick]" ;; esac
from=${BISECT_FROM:-1}
case $from in ''|*[!0-9]*|0) die "BISECT_FROM must be a prefix number (1, 2, ...), not '$from'" ;; esac
"$TOP/scripts/apply.sh" >&2
"$TOP/scripts/config.sh" test >&2
wt=$BUILD/bisect-src
out=$BUILD/out-bisect
export CCACHE_BASEDIR=$BUILD
mapfile -t commits < <(git -C "$SRC" rev-list --reverse refs/tags/base..HEAD)
n=${#commits[@]}
echo "TAP version 13"
echo "1..$n"
[ "$n" -gt 0 ] || { echo "0 passed, 0 failed, 0 skipped"; exit 0; }
if [ ! -d "$wt" ]; then
	git -C "$SRC" worktree prune
	git -C "$SRC" worktree add -q --detach "$wt" refs/tags/base
fi
mkdir -p "$out"
cp "$BUILD/out-test/.config" "$out/.config"
targets=(bzImage modules)
if [ "$mode" = quick ]; then
	[ -f "$BUILD/out-test/vmlinux" ] || die "quick mode needs a built test kernel (make test)"
	mapfile -t targets < <(touched_objects)
	[ ${#targets[@]} -gt 0 ] || targets=(vmlinux)
	log "bisect quick: ${#targets[@]} objects per prefix"
fi
[ "$from" -le "$n" ] || die "BISECT_FROM=$from, but the series has $n patches"
pass=0 fail=0 skip=0 i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	subj=$(git -C "$SRC" log -1 --format=%s "$c")
	if [ "$i" -lt "$from" ]; then
		echo "ok $i - builds ($mode): $subj # SKIP BISECT_FROM=$from"
		skip=$((skip + 1))
		continue
	fi
	git -C "$wt" checkout -q --detach "$c"
	make -s -C "$wt" O="$out" CC="ccache gcc" olddefconfig >/dev/null 2>&1
	s=$(date +%s)
	log "bisect $i/$n: $subj"
	# quick mode: objects whose source exists at this prefix
	now=()
	for t in "${targets[@]}"; do
		case $t in *.o) [ -f "$wt/${t%.o}.c" ] || continue ;; esac
		now+=("$t")
	done
	if make -C "$wt" O="$out" CC="ccache gcc" HOSTCC="ccache gcc" -j"$(nproc)" "${now[@]}" \
			> "$out/build-$i.log" 2>&1; then
		echo "ok $i - builds ($mode): $subj ($(( $(date +%s) - s ))s)"
		pass=$((pass + 1))
	else
		echo "not ok $i - builds ($mode): $subj"
		grep -E 'error|warning' "$out/build-$i.log" | head -n 10 | sed 's/^/# /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
