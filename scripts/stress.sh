#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make stress: the reliability campaign on the test kernel (debug options,
# KASAN, lockdep, kmemleak, fault injection): build it and the campaign's
# programs as make test does, boot it once with guest/stress/ as the guest
# programs, judge the run like make test (any kernel report, new taint,
# leak, hang or unexpected result fails it); then the KCSAN flavor
# (scripts/kcsan.sh).  Ends with one line counting both runs.
#   $BUILD/stress.tap  the test-kernel run as TAP
#   $BUILD/kcsan.tap   the KCSAN run as TAP
# The test kernel's out directory is shared: $BUILD/out-stress holds links
# to it and the stress guest's own initramfs and run logs.  A repeat of one
# run: NSVM_APPEND=NSVM_SEED=<seed printed by the run> make stress.
# Up to about an hour of guest time (NSVM_TIMEOUT, default 5400 s here).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

S=$TOP/scripts
lock_build
rm -f "$BUILD/stress.tap" "$BUILD/kcsan.tap"

phase deps "$S/deps.sh" || exit 1
kernel_phases test || exit 1
phase "build stress programs" "$S/stress-progs.sh" || exit 1
NSVM_TIMEOUT=${NSVM_TIMEOUT:-5400} boot_phases stress test "$BUILD/stress.tap" \
	"make stress: base Debian $BASE_PKG $(base_version), series: $(series_list | wc -l) patches, test kernel"
rc=$?
cat "$BUILD/stress.tap"
"$S/kcsan.sh" || rc=1

echo
count_taps $rc "$BUILD/stress.tap" "$BUILD/kcsan.tap"
