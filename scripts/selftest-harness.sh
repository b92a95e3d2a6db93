#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the harness itself, as TAP in $BUILD/harness.tap:
#  - parse-results.py on the saved runs in tests/harness/*/ (a lockdep
#    splat, a KASAN report, a panic, a truncated TAP stream, a kmemleak
#    report, a failed and a missing KUnit suite, a missing test program and
#    one clean run) must give the verdict and the message in */expect;
#  - checkpatch.sh must reject tests/harness/bad.patch, also while that file
#    is tracked by git (the trap of checkpatch inside a git work tree).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tapf=$BUILD/harness.tap
mkdir -p "$BUILD"
: > "$tapf"
kunit=$SRC/tools/testing/kunit/kunit.py
[ -f "$kunit" ] || kunit=$("$TOP/scripts/fetch-base.sh")/tools/testing/kunit/kunit.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for d in "$TOP"/tests/harness/*/; do
	name=$(basename "$d")
	want=$(sed -n 1p "$d/expect")
	msg=$(sed -n 2p "$d/expect")
	python3 "$kunit" parse --json="$tmp/k.json" "$d/console.log" >/dev/null 2>&1 || true
	args=(--console "$d/console.log" --results "$d/results.log" --kunit-json "$tmp/k.json"
	      --expect-kunit list-kunit-test --expect-tests 10-hmm-tests)
	[ -f "$d/expect-kunit" ] && args+=(--expect-kunit "$(cat "$d/expect-kunit")")
	[ -f "$d/expect-tests" ] && args+=(--expect-tests "$(cat "$d/expect-tests")")
	set +e
	python3 "$TOP/scripts/parse-results.py" "${args[@]}" > "$tmp/out" 2>&1
	rc=$?
	set -e
	got=pass
	[ $rc = 0 ] || got=fail
	if [ "$got" = "$want" ] && grep -qF -- "$msg" "$tmp/out"; then
		echo "ok - harness: parser verdict on saved run '$name' is $want" >> "$tapf"
	else
		echo "not ok - harness: parser verdict on saved run '$name' is $want (got $got)" >> "$tapf"
		echo "# expected message: $msg" >> "$tapf"
		sed 's/^/# /' "$tmp/out" | tail -n 15 >> "$tapf"
	fi
done

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
log "harness self-test: $(grep -c '^ok' "$tapf") ok, $(grep -c '^not ok' "$tapf") not ok"
! grep -q '^not ok' "$tapf"
