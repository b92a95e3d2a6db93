#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn the commits of build/linux since the base back into patches/:
# one git format-patch file per commit, and patches/series in order.
# The old patch files listed in the series are replaced.  Refuses while a
# "git am" is in progress or after an apply that failed part-way (the tree
# then lacks the patches that did not apply, and exporting it would delete
# them from patches/; FORCE=1 exports anyway).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$SRC/.git" ] || die "no tree at $SRC; run 'make tree' first"
git -C "$SRC" diff --quiet HEAD || die "$SRC has uncommitted changes; commit them first"
[ ! -d "$SRC/.git/rebase-apply" ] ||
	die "a 'git am' is in progress in $SRC: finish it (git am --continue) or abort it (git am --abort) first"
if [ "$(sed -n 1p "$SRC/.git/nsvm-series" 2>/dev/null)" = failed ] && [ -z "${FORCE:-}" ]; then
	have=$(git -C "$SRC" rev-list --count "refs/tags/base..$(sed -n 2p "$SRC/.git/nsvm-series")")
	die "the last apply stopped after $have of the $(series_list | wc -l) patches of patches/series: exporting now would delete the others from patches/. Apply them in $SRC (git am) first, or FORCE=1 make export"
fi
n=$(git -C "$SRC" rev-list --count refs/tags/base..HEAD)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$SRC" format-patch -q --zero-commit --no-signature -o "$tmp" refs/tags/base..HEAD
series_list | while read -r p; do rm -f "$PATCHES/$p"; done
: > "$PATCHES/series"
for f in "$tmp"/*.patch; do
	[ -e "$f" ] || continue
	cp "$f" "$PATCHES/"
	basename "$f" >> "$PATCHES/series"
done
# The cover letter for mailing: git's template (shortlog, diffstat) with the
# subject and text of patches/cover-letter.txt (first line: subject).  It is
# not in patches/series, so apply.sh never feeds it to git am.
cl=$PATCHES/cover-letter.txt
if [ -f "$cl" ]; then
	mkdir -p "$tmp/cl"
	git -C "$SRC" format-patch -q --zero-commit --no-signature --cover-letter \
		-o "$tmp/cl" refs/tags/base..HEAD
	python3 - "$tmp/cl/0000-cover-letter.patch" "$cl" \
		> "$PATCHES/0000-cover-letter.patch" <<'PY'
import sys
tpl = open(sys.argv[1]).read()
subject, _, body = open(sys.argv[2]).read().partition('\n')
for mark, text in (('*** SUBJECT HERE ***', subject.strip()),
                   ('*** BLURB HERE ***', body.strip())):
    if mark not in tpl:
        sys.exit('git format-patch --cover-letter has no ' + mark)
    tpl = tpl.replace(mark, text)
sys.stdout.write(tpl)
PY
	log "cover letter: patches/0000-cover-letter.patch (from patches/cover-letter.txt)"
else
	log "no patches/cover-letter.txt: no cover letter written"
fi
# The tree now matches the series: record it so apply.sh leaves it alone.
printf '%s\n%s\n' "$(series_id)" "$(git -C "$SRC" rev-parse HEAD)" > "$SRC/.git/nsvm-series"
log "exported $n patches to patches/ (see patches/series)"
