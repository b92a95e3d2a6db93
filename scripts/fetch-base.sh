#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn Debian's linux-source-6.12 tarball into a git repository with one
# commit tagged "base", cached under $CACHE so every clone of this project
# (and CI) reuses it.  Prints the path of the base repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=$(base_version)
repo=$CACHE/base-$ver
[ -f "$BASE_TARBALL" ] || die "$BASE_TARBALL missing; reinstall $BASE_PKG"

if git -C "$repo" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	echo "$repo"
	exit 0
fi

# Clones of this project share the cache: the first one extracts, the
# others wait for it instead of extracting into the same directory.
need git tar xz flock
mkdir -p "$CACHE"
exec 9> "$CACHE/.base-$ver.lock"
if ! flock -n 9; then
	log "waiting for another run extracting $repo"
	flock 9
fi
if git -C "$repo" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	echo "$repo"
	exit 0
fi
log "extracting $BASE_PKG $ver into $repo (once per base version)"
rm -rf "$repo.tmp"
mkdir -p "$repo.tmp"
tar -xJf "$BASE_TARBALL" -C "$repo.tmp" --strip-components=1
cd "$repo.tmp"
# Debian's top-level .gitignore ignores everything ("/*" then "!/debian/")
# because its packaging repo holds only debian/.  Drop that stanza so git
# tracks the tree; no patch of ours touches .gitignore, so the series still
# applies to the pristine tarball.
sed -i '/^# Debian packaging: ignore everything/,$d' .gitignore
sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' -e '$!b' -e '/^#$/d' .gitignore
git init -q -b debian
git config user.name "nouveau-svm developers"
git config user.email "dev@nouveau-svm.invalid"
git config gc.auto 0
git add -A
git commit -q -m "base: Debian $BASE_PKG $ver"
git tag base
cd - >/dev/null
mv "$repo.tmp" "$repo"
log "base repository ready"
echo "$repo"
