#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job on a fresh Debian machine: install what is needed, then the
# test command (build, boot, KUnit + kselftests, checks), then the benchmark
# on the non-debug kernel when the series provides one (scripts/bench.sh).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh" || exit 1
"$TOP/scripts/test.sh" "$@"
rc=$?
if [ -x "$TOP/scripts/bench.sh" ]; then
	"$TOP/scripts/bench.sh" || rc=1
else
	log "no benchmark in this tree yet (scripts/bench.sh)"
fi
exit $rc
