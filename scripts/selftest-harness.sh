#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the harness itself, as TAP in $BUILD/harness.tap:
#  - parse-results.py on the saved runs in tests/harness/*/ must give the
#    verdict and the messages of */expect (see tests/harness/README);
#  - pattern mutation: with each console pattern of parse-results.py
#    dropped in turn, at least one saved run must get another verdict or
#    other messages (so every pattern is needed and tested);
#  - a crash of this script leaves a "not ok" line (checked on itself);
#  - apply.sh follows an upgrade of the base package and names a patch that
#    no longer applies (on a small fake base, see base_upgrade below);
#  - checkpatch.sh must reject tests/harness/bad.patch, also while that file
#    is tracked by git (the trap of checkpatch inside a git work tree).
# Exits non-zero if any line is "not ok".
set -Eeuo pipefail
. "$(dirname "$0")/lib.sh"

tapf=$BUILD/harness.tap
mkdir -p "$BUILD"
: > "$tapf"
tmp=$(mktemp -d)
finished=
# A crash (set -e) must not leave a TAP file that looks clean.
trap 'rc=$?; [ -n "$finished" ] || echo "not ok - harness: self-test ran to the end # crashed with exit status $rc near line ${err_line:-?}" >> "$tapf"; rm -rf "$tmp"' EXIT
trap 'err_line=$LINENO' ERR
[ -z "${NSVM_SELFTEST_CRASH:-}" ] || false   # for the crash check below

cases=$TOP/tests/harness
kunit=$SRC/tools/testing/kunit/kunit.py
chktaint=$SRC/tools/debugging/kernel-chktaint
if [ ! -f "$kunit" ] || [ ! -f "$chktaint" ]; then
	base_repo=$("$TOP/scripts/fetch-base.sh")
	kunit=$base_repo/tools/testing/kunit/kunit.py
	chktaint=$base_repo/tools/debugging/kernel-chktaint
fi

# Inputs of one saved run; files a case does not have come from clean-pass
# (console.extra is appended to clean-pass's console.log).
prepare() {
	local d=$1 name=${1##*/}
	mkdir -p "$tmp/$name"
	if [ -f "$d/console.log" ]; then
		cp "$d/console.log" "$tmp/$name/console.log"
	else
		cat "$cases/clean-pass/console.log" > "$tmp/$name/console.log"
		[ ! -f "$d/console.extra" ] || cat "$d/console.extra" >> "$tmp/$name/console.log"
	fi
	if [ -f "$d/results.log" ]; then
		cp "$d/results.log" "$tmp/$name/results.log"
	else
		cp "$cases/clean-pass/results.log" "$tmp/$name/results.log"
	fi
	python3 "$kunit" parse --json="$tmp/$name/k.json" "$tmp/$name/console.log" >/dev/null 2>&1 || true
}

# run_case DIR: parse the saved run into $tmp/NAME/out; true if the verdict
# and messages are those of DIR/expect (line 1 pass|fail, then one
# message per line that must appear, or with a leading '!' must not).
run_case() {
	local d=$1 name=${1##*/} got=pass want msg rc
	local args=(--console "$tmp/$name/console.log" --results "$tmp/$name/results.log"
		    --kunit-json "$tmp/$name/k.json" --chktaint "$chktaint"
		    --expect-kunit list-kunit-test --expect-tests 10-hmm-tests)
	[ -f "$d/expect-kunit" ] && args+=(--expect-kunit "$(cat "$d/expect-kunit")")
	[ -f "$d/expect-tests" ] && args+=(--expect-tests "$(cat "$d/expect-tests")")
	[ -f "$d/checks.tap" ] && args+=(--checks "$d/checks.tap")
	rc=0
	python3 "$TOP/scripts/parse-results.py" "${args[@]}" > "$tmp/$name/out" 2>&1 || rc=$?
	[ $rc = 0 ] || got=fail
	want=$(sed -n 1p "$d/expect")
	[ "$got" = "$want" ] || return 1
	while IFS= read -r msg; do
		case $msg in
		'!'*)	! grep -qF -- "${msg#!}" "$tmp/$name/out" || return 1 ;;
		?*)	grep -qF -- "$msg" "$tmp/$name/out" || return 1 ;;
		esac
	done < <(sed 1d "$d/expect")
	return 0
}

all=()
for d in "$cases"/*/; do
	d=${d%/}
	[ -f "$d/expect" ] || continue
	all+=("$d")
	prepare "$d"
	name=${d##*/}
	if run_case "$d"; then
		echo "ok - harness: parser verdict on saved run '$name' is $(sed -n 1p "$d/expect")" >> "$tapf"
	else
		echo "not ok - harness: parser verdict on saved run '$name' is $(sed -n 1p "$d/expect")" >> "$tapf"
		sed 1d "$d/expect" | sed 's/^/# expected message: /' >> "$tapf"
		sed 's/^/# /' "$tmp/$name/out" | tail -n 25 >> "$tapf"
	fi
done
log "harness self-test: ${#all[@]} saved runs checked"

# Pattern mutation: without pattern i, some saved run must change.  Only
# the saved runs with a console of their own can (the patterns are console
# patterns).
reports=()
for d in "${all[@]}"; do
	cmp -s "$tmp/${d##*/}/console.log" "$cases/clean-pass/console.log" || reports+=("$d")
done
i=0
while IFS=$'\t' read -r label regex; do
	killer=
	for d in "${reports[@]}"; do
		if ! NSVM_PARSER_DROP=$i run_case "$d"; then
			killer=${d##*/}
			break
		fi
	done
	if [ -n "$killer" ]; then
		echo "ok - harness: console pattern $i ($label: $regex) is needed: without it '$killer' changes" >> "$tapf"
	else
		echo "not ok - harness: console pattern $i ($label: $regex) is needed # no saved run changes without it: add one" >> "$tapf"
	fi
	i=$((i + 1))
done < <(python3 "$TOP/scripts/parse-results.py" --list-patterns)
[ $i -gt 0 ] || echo "not ok - harness: parse-results.py lists its console patterns" >> "$tapf"
log "harness self-test: $i console patterns mutated"

# A crash of this script is a failure in its own TAP (checked on itself).
if [ -z "${NSVM_SELFTEST_INNER:-}" ]; then
	if NSVM_SELFTEST_INNER=1 NSVM_SELFTEST_CRASH=1 NSVM_BUILD="$tmp/inner" \
		"$TOP/scripts/selftest-harness.sh" > "$tmp/inner.log" 2>&1; then
		echo "not ok - harness: a crash of the self-test fails it # exit status 0" >> "$tapf"
	elif grep -q '^not ok - harness: self-test ran to the end # crashed' "$tmp/inner/harness.tap" 2>/dev/null; then
		echo "ok - harness: a crash of the self-test leaves a 'not ok' line" >> "$tapf"
	else
		echo "not ok - harness: a crash of the self-test leaves a 'not ok' line" >> "$tapf"
		sed 's/^/# /' "$tmp/inner/harness.tap" 2>/dev/null | head -n 5 >> "$tapf" || true
	fi
fi

if [ -f "$SRC/scripts/checkpatch.pl" ]; then
	bad=$TOP/tests/harness/bad.patch
	if ! "$TOP/scripts/checkpatch.sh" "$bad" > "$tmp/cp" 2>&1 &&
	   grep -q 'TRAILING_WHITESPACE' "$tmp/cp" && grep -q 'MISSING_SIGN_OFF' "$tmp/cp"; then
		tracked=$(git -C "$TOP" ls-files --error-unmatch "$bad" >/dev/null 2>&1 && echo " (git-tracked)" || echo "")
		echo "ok - harness: checkpatch.sh rejects tests/harness/bad.patch$tracked" >> "$tapf"
	else
		echo "not ok - harness: checkpatch.sh rejects tests/harness/bad.patch" >> "$tapf"
		sed 's/^/# /' "$tmp/cp" >> "$tapf"
	fi
else
	echo "ok - harness: checkpatch.sh rejects tests/harness/bad.patch # SKIP no kernel tree yet (scripts/apply.sh)" >> "$tapf"
fi
finished=1
log "harness self-test: $(grep -c '^ok' "$tapf") ok, $(grep -c '^not ok' "$tapf") not ok ($tapf)"
! grep -q '^not ok' "$tapf"
