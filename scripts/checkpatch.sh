#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --strict of the build tree on the given patch files (all
# of patches/series without arguments).
# Prints the findings and exits non-zero if there are any.
# Inside a git work tree checkpatch.pl may take a git-tracked .patch file for
# a source file and pass it, so git is hidden from it (GIT_DIR).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -f "$SRC/scripts/checkpatch.pl" ] || die "no tree at $SRC; run scripts/apply.sh"
if [ $# = 0 ]; then
	mapfile -t list < <(series_list)
	set -- "${list[@]/#/$PATCHES/}"
fi
rc=0
for p in "$@"; do
	p=$(realpath "$p")
	res=$(cd "$SRC" && GIT_DIR=/nonexistent perl scripts/checkpatch.pl --strict \
		--quiet --show-types "$p" 2>&1) || rc=1
	[ -z "$res" ] || { echo "$res"; rc=1; }
done
exit $rc
