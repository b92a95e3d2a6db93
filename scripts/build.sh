#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel of one flavor (test|bench|kcsan) out of tree in $BUILD/out-FLAVOR
# with ccache, then install its modules into $BUILD/out-FLAVOR/modroot.
# Prints a progress line every 30 s; the full log is $BUILD/out-FLAVOR/build.log.
# Extra make arguments may follow the flavor.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:?usage: build.sh test|bench|kcsan [make args]}
shift
out=$BUILD/out-$flavor
[ -f "$out/.config" ] || die "$out/.config missing; run scripts/config.sh $flavor"
need make gcc ccache depmod
jobs=${JOBS:-$(nproc)}
export CCACHE_BASEDIR=$BUILD
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
# The user's ccache settings and statistics are left alone (no -M, no -z):
# this build's hits and misses are the difference of two readings.
ccache_counts() {
	ccache --print-stats 2>/dev/null |
		awk '$1 ~ /^(direct|preprocessed)_cache_hit$/ { h += $2 } $1 == "cache_miss" { m += $2 }
		     END { print h + 0, m + 0 }'
}
read -r hits0 miss0 < <(ccache_counts)
logf=$out/build.log
log "build $flavor: make -j$jobs bzImage modules (log: $logf)"
make -C "$SRC" O="$out" CC="ccache gcc" HOSTCC="ccache gcc" -j"$jobs" bzImage modules "$@" > "$logf" 2>&1 &
pid=$!
# An interrupted run (Ctrl-C, SIGTERM from CI) takes its make along.
trap 'kill -TERM -- -$pid 2>/dev/null || kill -TERM $pid 2>/dev/null; exit 130' INT TERM
while kill -0 $pid 2>/dev/null; do
	for _ in $(seq 30); do sleep 1; kill -0 $pid 2>/dev/null || break; done
	kill -0 $pid 2>/dev/null || break
	log "build $flavor: $(grep -cE '^  (CC|AS|LD|AR)' "$logf" || true) steps, at: $(grep -E '^  (CC|LD)' "$logf" | tail -n 1 | sed 's/^ *//')"
done
if ! wait $pid; then
	trap - INT TERM
	grep -E 'error|Error' "$logf" | head -n 20 >&2
	tail -n 20 "$logf" >&2
	die "kernel build ($flavor) failed; full log: $logf"
fi
trap - INT TERM
read -r hits1 miss1 < <(ccache_counts)
log "build $flavor: ccache $((hits1 - hits0)) hits, $((miss1 - miss0)) misses ($CCACHE_DIR)"

rm -rf "$out/modroot"
make -s -C "$SRC" O="$out" INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 modules_install >> "$logf" 2>&1 ||
	die "modules_install failed; see $logf"
log "build $flavor: bzImage $out/arch/x86/boot/bzImage, modules $out/modroot/lib/modules"
