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
# Two checkpatch questions are answered here instead:
#  - UNKNOWN_COMMIT_ID: the base is Debian's tarball, without upstream
#    history, so no commit id of a Fixes: tag can be looked up (the form of
#    the tag is still checked, GIT_COMMIT_ID);
#  - FILE_PATH_CHANGES ("does MAINTAINERS need updating?"): every file a
#    patch adds must be covered by a MAINTAINERS section other than THE
#    REST in the patched tree (get_maintainer.pl --sections); a line for a
#    file that a pattern already covers is noise reviewers ask to drop.
unmaintained() {
	local f sections
	awk '/^--- \/dev\/null/ { getline; if (sub(/^\+\+\+ b\//, "")) print }' "$1" |
		while read -r f; do
			[ -e "$SRC/$f" ] || continue
			sections=$(cd "$SRC" && perl scripts/get_maintainer.pl --no-git \
				--no-git-fallback --sections -f "$f" 2>/dev/null |
				grep -vE '^[A-Z]:|^$|^THE REST' || true)
			[ -n "$sections" ] ||
				echo "NEW_FILE_UNMAINTAINED: $f has no MAINTAINERS section"
		done
}

rc=0
for p in "$@"; do
	p=$(realpath "$p")
	res=$(cd "$SRC" && GIT_DIR=/nonexistent perl scripts/checkpatch.pl --strict \
		--quiet --show-types --ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES \
		"$p" 2>&1) || rc=1
	res+=$(unmaintained "$p")
	[ -z "$res" ] || { echo "$res"; rc=1; }
done
exit $rc
