#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The KCSAN flavor of the reliability campaign (part of make stress; alone:
# make kcsan): a kernel with the data-race detector in place of KASAN
# (configs/kcsan.config), booted once with guest/kcsan/ (nouveau's KUnit
# suites at its load, then 100 s of the device/munmap race per mode; the
# notifier suite runs at boot).  Judged like make test, except that a KCSAN
# report none of whose functions is in a C file the series changes is
# listed as the base kernel's instead of failing the run
# (parse-results.py --kcsan-ours; the list is build/out-kcsan/kcsan-ours).
#   $BUILD/kcsan.tap  the run as TAP, ending "N passed, N failed, N skipped"
set -uo pipefail
. "$(dirname "$0")/lib.sh"

S=$TOP/scripts
out=$BUILD/out-kcsan
lock_build
rm -f "$BUILD/kcsan.tap"

phase deps "$S/deps.sh" || exit 1
kernel_phases kcsan || exit 1
phase "build stress programs" "$S/stress-progs.sh" || exit 1

# The functions of every C file the series changes, as the objects of this
# build define them (static ones too; KCSAN names them the same way).
git -C "$SRC" diff --name-only refs/tags/base HEAD -- '*.c' | while read -r c; do
	o=$out/${c%.c}.o
	[ -f "$o" ] && nm --defined-only "$o" | awk '$2 ~ /^[tT]$/ { print $3 }'
done | sort -u > "$out/kcsan-ours"
log "kcsan: $(wc -l < "$out/kcsan-ours") functions of the series' files ($out/kcsan-ours)"
[ -s "$out/kcsan-ours" ] || die "no function of the series' files found in $out"

NSVM_TIMEOUT=${NSVM_TIMEOUT:-3600} boot_phases kcsan kcsan "$BUILD/kcsan.tap" \
	"KCSAN flavor: base Debian $BASE_PKG $(base_version), series: $(series_list | wc -l) patches" \
	--kcsan-ours "$out/kcsan-ours" --kcsan-known "$TOP/configs/kcsan-known"
rc=$?
cat "$BUILD/kcsan.tap"
exit $rc
