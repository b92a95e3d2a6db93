#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The A/B benchmark of the test_hmm mirror modes: build the bench kernel
# (configs/bench.config: no lock or memory debugging) from the patched
# tree, boot it once in QEMU, run selftests mm/hmm-bench there
# (guest/bench/) and print the table it ends with.
#   $BUILD/bench.tap  the run as TAP (a kernel report or a measurement
#                     that could not be made fails it; slowness never does)
#   $BUILD/bench.txt  the table and the goals
# More repetitions: NSVM_APPEND=NSVM_BENCH_ARGS=-s2 scripts/bench.sh
# Two vCPUs (NSVM_SMP): one P2 shape has a CPU thread beside the device.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

S=$TOP/scripts
out=$BUILD/out-bench
run=$out/run
table=$BUILD/bench.txt
lock_build
rm -f "$BUILD/bench.tap" "$table"

kernel_phases bench || exit 1
[ -f "$SRC/tools/testing/selftests/mm/hmm-bench.c" ] ||
	die "this series has no tools/testing/selftests/mm/hmm-bench.c: nothing to benchmark"
KSFT_MM_PROGS=hmm-bench phase "build hmm-bench" "$S/selftests.sh" bench || exit 1
boot_phases bench bench "$BUILD/bench.tap" \
	"benchmark: base Debian $BASE_PKG $(base_version), series: $(series_list | wc -l) patches, bench kernel (ratios compare modes of one boot; absolute times are emulated)"
rc=$?

# The table: the comment lines hmm-bench prints after its measurements.
if [ -f "$run/results.log" ]; then
	sed -n '/hmm-bench summary/,/^# [0-9]* tests, /p' "$run/results.log" |
		sed -e 's/^# \{0,1\}//' -e '$d' > "$table"
fi
grep -E '^(not )?ok |^# (base|benchmark|guest)|passed, .* failed' "$BUILD/bench.tap" >&2
if [ -s "$table" ]; then
	echo
	cat "$table"
else
	echo "ERROR: the benchmark printed no table; see $run/results.log" >&2
	rc=1
fi
exit $rc
