#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn the commits of build/linux since the base back into patches/:
# one git format-patch file per commit, and patches/series in order.
# The old patch files listed in the series are replaced.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$SRC/.git" ] || die "no tree at $SRC; run 'make tree' first"
git -C "$SRC" diff --quiet HEAD || die "$SRC has uncommitted changes; commit them first"
n=$(git -C "$SRC" rev-list --count refs/tags/base..HEAD)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$SRC" format-patch -q --zero-commit --no-signature -o "$tmp" refs/tags/base..HEAD
sed -e 's/#.*//' -e '/^\s*$/d' "$TOP/patches/series" 2>/dev/null |
	while read -r p; do rm -f "$TOP/patches/$p"; done
: > "$TOP/patches/series"
for f in "$tmp"/*.patch; do
	[ -e "$f" ] || continue
	cp "$f" "$TOP/patches/"
	basename "$f" >> "$TOP/patches/series"
done
# The tree now matches the series: record it so apply.sh leaves it alone.
printf '%s\n%s\n' "$(series_id)" "$(git -C "$SRC" rev-parse HEAD)" > "$SRC/.git/nsvm-series"
log "exported $n patches to patches/ (see patches/series)"
