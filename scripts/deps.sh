#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the harness needs from Debian (bookworm) packages, once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(linux-source-6.12 qemu-system-x86 busybox-static flex bison libelf-dev
      libssl-dev bc cpio ccache sparse rsync kmod
      file python3 git make gcc perl xz-utils gzip
      meson ninja-build pkg-config libdrm-dev libpciaccess-dev libkmod-dev
      libproc2-dev libdw-dev libcairo2-dev libudev-dev libglib2.0-dev
      libpixman-1-dev libunwind-dev)  # the last three lines: IGT (scripts/igt.sh)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	log "deps: all ${#pkgs[@]} packages present ($BASE_PKG $(base_version))"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}"
log "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || die "apt-get update failed"
apt-get install -y -qq "${missing[@]}" > "$TOP/build-deps.log" 2>&1 ||
	{ tail -n 20 "$TOP/build-deps.log" >&2; die "apt-get install failed (log: build-deps.log)"; }
rm -f "$TOP/build-deps.log"
log "deps: installed; base is $BASE_PKG $(base_version)"
