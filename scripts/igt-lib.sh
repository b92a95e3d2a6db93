# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# The IGT tree of igt-tests/: the pinned upstream snapshot (igt-tests/base)
# as a cached git repository, and the series (igt-tests/series) applied to
# a clone of it.  Sourced, after lib.sh, by scripts/igt.sh (which builds
# it) and scripts/check-sm60-kernels.sh (which checks the kernels of the
# applied tree): one place that unpacks and applies.
#
# The caller defines igt_report OK|FAIL TEXT [DETAIL], which receives
# every check made here (the snapshot's sha256, the series applying).
# The functions return non-zero after a FAIL and check every command
# themselves: called as "igt_apply DIR || ...", set -e does not apply in
# them.
# NSVM_IGT_TESTS: another directory with base, series and patches (only
# for the harness self-test: a series with an extra patch).

IGT_TESTS=${NSVM_IGT_TESTS:-$TOP/igt-tests}
_igt_val() { sed -n "s/^$1=//p" "$IGT_TESTS/base"; }
igt_commit=$(_igt_val commit)
igt_sha=$(_igt_val sha256)
igt_tarname=$(_igt_val tarball)
igt_upstream=$(_igt_val upstream)
igt_short=${igt_commit:0:8}
igt_base=$CACHE/igt-$igt_short

# The patch files of the series, in order (comments, blank lines dropped).
igt_patches() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$IGT_TESTS/series" |
		while read -r p; do echo "$IGT_TESTS/$p"; done
}

_igt_unpack() { # _igt_unpack TARBALL DIR
	local t=$1 d=$2 got
	got=$(sha256sum "$t" | cut -d' ' -f1)
	if [ "$got" != "$igt_sha" ]; then
		igt_report FAIL "snapshot $t has sha256 $igt_sha" "it has $got"
		return 1
	fi
	igt_report OK "snapshot $(basename "$t") has the pinned sha256"
	tar -xJf "$t" -C "$d" --strip-components=1 ||
		{ igt_report FAIL "snapshot $t unpacks" "tar failed"; return 1; }
}

# igt_base_repo: $igt_base, a git repository of the snapshot with tag
# "base", made once from $IGT_SRC (a tarball or a source directory),
# ../shared/igt/ beside this clone, or upstream when the network allows.
igt_base_repo() {
	local shared=$TOP/../shared/igt/$igt_tarname lock rc=0
	mkdir -p "$CACHE" || return 1
	# one unpacking at a time (igt.sh and check-sm60-kernels.sh share it)
	exec {lock}> "$igt_base.lock" || return 1
	flock "$lock" || return 1
	if git -C "$igt_base" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
		igt_report OK "snapshot cached in $igt_base (sha256 checked when it was unpacked)"
		exec {lock}>&-
		return 0
	fi
	rm -rf "$igt_base.tmp"
	mkdir -p "$igt_base.tmp" || rc=1
	if [ $rc != 0 ]; then
		:
	elif [ -n "${IGT_SRC:-}" ] && [ -f "$IGT_SRC" ]; then
		log "igt: unpacking $IGT_SRC"
		_igt_unpack "$IGT_SRC" "$igt_base.tmp" || rc=1
	elif [ -n "${IGT_SRC:-}" ] && [ -d "$IGT_SRC" ]; then
		log "igt: copying $IGT_SRC (a directory: no sha256 to check, assumed at $igt_commit)"
		(cd "$IGT_SRC" && git archive "$igt_commit" 2>/dev/null || tar -c --exclude=.git .) |
			tar -x -C "$igt_base.tmp" ||
			{ igt_report FAIL "copy of $IGT_SRC" "tar failed"; rc=1; }
	elif [ -f "$shared" ]; then
		log "igt: unpacking $shared"
		_igt_unpack "$shared" "$igt_base.tmp" || rc=1
	elif timeout 30 git ls-remote "$igt_upstream" >/dev/null 2>&1; then
		log "igt: cloning $igt_upstream at $igt_commit"
		{ git clone -q "$igt_upstream" "$igt_base.tmp/.clone" &&
		  git -C "$igt_base.tmp/.clone" archive "$igt_commit" | tar -x -C "$igt_base.tmp"; } ||
			{ igt_report FAIL "IGT $igt_commit from $igt_upstream" "clone or archive failed"; rc=1; }
		rm -rf "$igt_base.tmp/.clone"
	else
		igt_report FAIL "IGT source found" "none of ../shared/igt, IGT_SRC, upstream"
		echo "ERROR: no IGT source: $shared is missing (CI keeps /work/shared beside the clone as ../shared), IGT_SRC is not set (a tarball of igt-gpu-tools $igt_commit or a source directory) and $igt_upstream cannot be reached" >&2
		rc=1
	fi
	if [ $rc != 0 ]; then
		rm -rf "$igt_base.tmp"
		exec {lock}>&-
		return 1
	fi
	if ! (
		cd "$igt_base.tmp" &&
		git init -q -b main &&
		git config user.name "nouveau-svm developers" &&
		git config user.email "dev@nouveau-svm.invalid" &&
		git config gc.auto 0 &&
		git add -A &&
		git commit -q -m "base: igt-gpu-tools $igt_short" &&
		git tag base
	) || ! rm -rf "$igt_base" || ! mv "$igt_base.tmp" "$igt_base"; then
		igt_report FAIL "git repository of the snapshot in $igt_base" "git failed"
		exec {lock}>&-
		return 1
	fi
	exec {lock}>&-
	log "igt: base repository ready in $igt_base"
}

# igt_apply WORK: WORK/src is a clone of the base with the series applied
# by git am (branch nsvm); done again only when the base commit or a patch
# changed (WORK/series-id).  Sets igt_reapplied=1 if it made the tree anew.
# Reports whether the series applies (git am's output in WORK/am.log).
igt_apply() {
	local work=$1 id
	local -a patches
	mapfile -t patches < <(igt_patches)
	igt_reapplied=0
	if [ ${#patches[@]} = 0 ]; then
		igt_report FAIL "igt-tests/series lists patches" "$IGT_TESTS/series lists none"
		return 1
	fi
	id=$( { echo "$igt_commit"; cat "${patches[@]}"; } | sha256sum | cut -c1-16)
	mkdir -p "$work" || return 1
	if [ "$(cat "$work/series-id" 2>/dev/null)" != "$id" ] || [ ! -d "$work/src/.git" ]; then
		igt_reapplied=1
		rm -rf "$work/src" "$work/series-id"
		if ! { git clone -q --no-checkout "$igt_base" "$work/src" &&
		       git -C "$work/src" checkout -q -b nsvm base &&
		       git -C "$work/src" config user.name "nouveau-svm developers" &&
		       git -C "$work/src" config user.email "dev@nouveau-svm.invalid"; }; then
			igt_report FAIL "clone of $igt_base in $work/src" "git failed"
			return 1
		fi
		if ! git -C "$work/src" am -q "${patches[@]}" > "$work/am.log" 2>&1; then
			cat "$work/am.log" >&2
			git -C "$work/src" am --abort >/dev/null 2>&1 || true
			igt_report FAIL "igt-tests/series applies to igt-gpu-tools $igt_short" "see $work/am.log"
			return 1
		fi
		echo "$id" > "$work/series-id" || return 1
	fi
	igt_report OK "igt-tests/series (${#patches[@]} patches) applies to igt-gpu-tools $igt_short"
}
