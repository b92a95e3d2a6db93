#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test command: apply patches/series to the base, run the static checks,
# build the test kernel (debug + nouveau), boot it in QEMU, run KUnit and the
# HMM kselftests (plus any extra test directories given as arguments), and
# print one TAP stream ending in "N passed, N failed, N skipped".
# Exit status 0 only if nothing failed.  Progress goes to stderr.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

extra=("$@")
lock_build
rm -f "$BUILD/phases" "$BUILD/steps.tap" "$BUILD/checks.tap" "$BUILD/harness.tap" \
	"$BUILD/results.tap"
steps=$BUILD/steps.tap
: > "$steps"
failed=
out=$BUILD/out-test
run=$out/run
S=$TOP/scripts

step() { # step NAME cmd...: run a phase unless an earlier one failed
	local name=$1
	shift
	if [ -n "$failed" ]; then
		echo "not ok - $name # SKIP not run: '$failed' failed" >> "$steps"
		return 1
	fi
	if phase "$name" "$@"; then
		echo "ok - $name" >> "$steps"
	else
		echo "not ok - $name" >> "$steps"
		failed=$name
		return 1
	fi
}

step deps "$S/deps.sh"
step "apply patches/series" "$S/apply.sh"
# After apply: its checkpatch case needs the tree's checkpatch.pl.  Its
# failures are lines of harness.tap; one that left no line (a crash before
# the TAP file was written) is recorded here.
if ! phase "harness self-test" "$S/selftest-harness.sh" &&
   ! grep -q '^not ok' "$BUILD/harness.tap" 2>/dev/null; then
	echo "not ok - harness self-test # failed without a TAP line (see its output above)" >> "$steps"
fi
step "configure test kernel" "$S/config.sh" test
step "build test kernel" "$S/build.sh" test
# After the build: the W=1/sparse check compiles the objects this
# configuration builds in the touched directories.
if [ -z "$failed" ] && ! phase checks "$S/check.sh" &&
   ! grep -q '^not ok' "$BUILD/checks.tap" 2>/dev/null; then
	echo "not ok - static checks # failed without a TAP line (see its output above)" >> "$steps"
fi
step "build kselftests" "$S/selftests.sh" test
step "build stress programs" "$S/stress-progs.sh"
# IGT nouveau_svm (igt-tests/): its checks go to igt.tap; the guest runs it
# if staged (guest/tests/30-igt-nouveau-svm reports it missing otherwise).
if ! phase "IGT nouveau_svm" "$S/igt.sh" &&
   ! grep -q '^not ok' "$BUILD/igt.tap" 2>/dev/null; then
	echo "not ok - IGT nouveau_svm # failed without a TAP line (see its output above)" >> "$steps"
fi
step "initramfs" "$S/initramfs.sh" test "${extra[@]}"
rm -rf "$run"
step "boot and run tests in QEMU" "$S/run-qemu.sh" test

args=(--checks "$steps")
[ -f "$BUILD/harness.tap" ] && args+=(--checks "$BUILD/harness.tap")
[ -f "$BUILD/checks.tap" ] && args+=(--checks "$BUILD/checks.tap")
[ -f "$BUILD/igt.tap" ] && args+=(--checks "$BUILD/igt.tap")
args+=(--header "base: Debian $BASE_PKG $(base_version), series: $(series_list | wc -l) patches")
if [ -f "$BUILD/phases" ]; then
	args+=(--header "phases: $(awk '{ s = $NF; $NF = ""; sub(/ $/, ""); printf "%s%s %ss", (NR > 1 ? ", " : ""), $0, s }' "$BUILD/phases"), total $(( $(date +%s) - NSVM_T0 ))s")
fi
guest_verdict test "${args[@]}" > "$BUILD/results.tap.new"
rc=$?
mv "$BUILD/results.tap.new" "$BUILD/results.tap"
cat "$BUILD/results.tap"
exit $rc
