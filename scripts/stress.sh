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
test_out=$BUILD/out-test
out=$BUILD/out-stress
lock_build
rm -f "$BUILD/stress.tap" "$BUILD/kcsan.tap"

phase deps "$S/deps.sh" || exit 1
phase "apply patches/series" "$S/apply.sh" || exit 1
phase "configure test kernel" "$S/config.sh" test || exit 1
phase "build test kernel" "$S/build.sh" test || exit 1
phase "build stress programs" "$S/stress-progs.sh" || exit 1
mkdir -p "$out/arch/x86/boot"
ln -sfn "$test_out/.config" "$out/.config"
ln -sfn "$test_out/arch/x86/boot/bzImage" "$out/arch/x86/boot/bzImage"
ln -sfn "$test_out/modroot" "$out/modroot"
phase "stress initramfs" "$S/initramfs.sh" stress || exit 1
NSVM_TIMEOUT=${NSVM_TIMEOUT:-5400} phase "boot and run the campaign in QEMU" "$S/run-qemu.sh" stress
rc=$?
guest_verdict stress --header "make stress: base Debian $BASE_PKG $(base_version), series: $(series_list | wc -l) patches, test kernel" \
	> "$BUILD/stress.tap"
prc=$?
[ $rc = 0 ] && rc=$prc
cat "$BUILD/stress.tap"
"$S/kcsan.sh" || rc=1

echo
p=0 f=0 sk=0
for t in "$BUILD/stress.tap" "$BUILD/kcsan.tap"; do
	line=$(tail -n 1 "$t" 2>/dev/null)
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		echo "# ${t##*/}: $line"
		p=$((p + BASH_REMATCH[1]))
		f=$((f + BASH_REMATCH[2]))
		sk=$((sk + BASH_REMATCH[3]))
	else
		echo "# ${t##*/}: no result"
		f=$((f + 1))
	fi
done
# a failure that left no TAP line still counts as one
[ $rc = 0 ] || [ $f != 0 ] || f=1
echo "$p passed, $f failed, $sk skipped"
[ $f = 0 ]
