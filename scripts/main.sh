#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job on a fresh Debian machine: install what is needed, then the
# test command (build, boot, KUnit + kselftests, checks), then the
# benchmark on the non-debug kernel (scripts/bench.sh), which runs even if
# a test failed.  Ends with one line counting the results of both:
# "N passed, N failed, N skipped".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

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
echo "$p passed, $f failed, $s skipped"
exit $rc
