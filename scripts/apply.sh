#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make $SRC (build/linux) a git tree: the base commit plus one commit per
# entry of patches/series, applied with "git am".  Does nothing when the
# tree already holds exactly this series on the installed base package;
# after an upgrade of linux-source-6.12 the new base is fetched into the
# tree and the series applied on it (a patch that no longer applies is
# named, and the run fails).  Refuses to drop uncommitted changes or
# commits that are not exported; after a failed apply the tree stays at
# the patches that applied.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need git sha256sum
base_repo=$("$TOP/scripts/fetch-base.sh")
mapfile -t list < <(series_list)
for p in "${list[@]}"; do
	[ -f "$PATCHES/$p" ] || die "patches/series names '$p' but $PATCHES/$p does not exist"
done
ver=$(base_version)

id=$(series_id)

if [ ! -d "$SRC/.git" ]; then
	log "cloning base into $SRC"
	mkdir -p "$BUILD"
	git clone -q --local --no-checkout "$base_repo" "$SRC"
	git -C "$SRC" config user.name "nouveau-svm developers"
	git -C "$SRC" config user.email "dev@nouveau-svm.invalid"
	git -C "$SRC" config gc.auto 0
	# generated in the source tree by the mm selftests Makefile
	echo 'tools/testing/selftests/mm/local_config.*' >> "$SRC/.git/info/exclude"
	git -C "$SRC" fetch -q --tags "$base_repo"
	git -C "$SRC" checkout -q -b series refs/tags/base
	echo "$ver" > "$SRC/.git/nsvm-base"
fi

cd "$SRC"
stamp=.git/nsvm-series
if [ -f "$stamp" ] && [ "$(sed -n 1p $stamp)" = "$id" ] &&
   [ "$(sed -n 2p $stamp)" = "$(git rev-parse HEAD)" ] && git diff --quiet HEAD; then
	log "tree is up to date with patches/series (${#list[@]} patches, id $id)"
	exit 0
fi

if ! git diff --quiet HEAD || ! git diff --cached --quiet; then
	die "$SRC has uncommitted changes; commit them and run 'make export', or 'git -C $SRC stash', then retry"
fi
if [ -f "$stamp" ] && [ "$(sed -n 2p $stamp)" != "$(git rev-parse HEAD)" ] &&
   [ -z "${FORCE:-}" ]; then
	die "$SRC has commits that are not in patches/ (HEAD moved since the last apply); run 'make export' to keep them, or FORCE=1 to drop them"
fi

git am --abort >/dev/null 2>&1 || true
# The base of the installed package, which may be newer than the one this
# tree was cloned from (the tag is moved; the old objects stay harmlessly).
if [ "$(cat .git/nsvm-base 2>/dev/null)" != "$ver" ]; then
	log "base: fetching $BASE_PKG $ver into the tree"
	git fetch -q --no-tags -f "$base_repo" refs/tags/base:refs/tags/base
	echo "$ver" > .git/nsvm-base
fi
git checkout -q -B series refs/tags/base
n=0
for p in "${list[@]}"; do
	n=$((n + 1))
	if ! git am -q --keep-cr "$PATCHES/$p" >/dev/null 2>"$BUILD/am.err"; then
		echo "ERROR: patch $n/${#list[@]} '$p' does not apply to $(git log -1 --format=%s HEAD)" >&2
		# names the file, the line and the context git looked for
		git apply --check --verbose "$PATCHES/$p" 2>&1 | head -n 40 | sed 's/^/  /' >&2 || true
		sed 's/^/  git am: /' "$BUILD/am.err" >&2
		git am --abort >/dev/null 2>&1 || true
		# The tree stays at the patches that applied; the stamp keeps
		# that commit, so commits made on top (a fix) are not dropped
		# by the next run without FORCE=1.
		printf 'failed\n%s\n' "$(git rev-parse HEAD)" > "$stamp"
		echo "  build/linux is left at patch $((n - 1))/${#list[@]}" >&2
		exit 1
	fi
done
printf '%s\n%s\n' "$id" "$(git rev-parse HEAD)" > "$stamp"
log "applied ${#list[@]} patches on $ver (series id $id)"
