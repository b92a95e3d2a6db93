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
p=0 f=0 s=0
for t in "$BUILD/results.tap" "$BUILD/bench.tap"; do
	line=$(tail -n 1 "$t" 2>/dev/null)
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		echo "# ${t##*/}: $line"
		p=$((p + BASH_REMATCH[1]))
		f=$((f + BASH_REMATCH[2]))
		s=$((s + BASH_REMATCH[3]))
	else
		echo "# ${t##*/}: no result"
		f=$((f + 1))
		rc=1
	fi
done
# The count must agree with the exit status: a failure that left no TAP
# line still counts as one.
if [ $rc != 0 ] && [ $f = 0 ]; then
	echo "# a phase failed without a TAP line (see the messages above)"
	f=1
fi
[ $f = 0 ] || rc=1
echo "$p passed, $f failed, $s skipped"
exit $rc
