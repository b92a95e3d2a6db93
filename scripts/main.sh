#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job on a fresh Debian machine: install what is needed, then the
# test command (build, boot, KUnit + kselftests, checks), then the
# benchmark on the non-debug kernel (scripts/bench.sh), which runs even if
# a test failed.  Ends with one line counting the results of both:
# "N passed, N failed, N skipped".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lock_build
rm -f "$BUILD/results.tap" "$BUILD/bench.tap"
"$TOP/scripts/deps.sh" || exit 1
"$TOP/scripts/test.sh" "$@"
rc=$?
"$TOP/scripts/bench.sh" || rc=1

echo
count_taps $rc "$BUILD/results.tap" "$BUILD/bench.tap"
