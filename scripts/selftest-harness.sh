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
#    no longer applies, and export.sh then refuses to run (it would delete
#    that patch) (on a small fake base, see base_upgrade below);
#  - run-qemu.sh with a fake QEMU: waits for a guest that prints no result
#    for longer than a progress tick, and takes QEMU down when killed;
#  - count_taps (the last line of make all and make stress) sums its TAP
#    files and counts a missing count line or a silent failure;
#  - checkpatch.sh must reject tests/harness/bad.patch, also while that file
#    is tracked by git (the trap of checkpatch inside a git work tree);
#  - check-sm60-kernels.sh must pass the IGT series' sm_60 kernels and fail
#    on each of ten mutations of them (flipped bits, a deleted word, a later
#    patch, array forms it must read or refuse, an empty array, a register
#    count), and pass two harmless changes of form (see sm60_mutations).
# Exits non-zero if any line is "not ok".
# NSVM_SELFTEST_ONLY=GLOB (for work on the harness only): just the saved
# runs whose name matches, the mutation check limited to them.
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
	# KUnit results of the same console are parsed once
	if [ "$name" != clean-pass ] && [ -f "$tmp/clean-pass/kunit.list" ] &&
	   cmp -s "$tmp/$name/console.log" "$tmp/clean-pass/console.log"; then
		cp "$tmp/clean-pass/"kunit.*.json "$tmp/$name/" 2>/dev/null || true
		sed "s|$tmp/clean-pass/|$tmp/$name/|" "$tmp/clean-pass/kunit.list" > "$tmp/$name/kunit.list"
	else
		kunit_parse "$kunit" "$tmp/$name/console.log" "$tmp/$name" > "$tmp/$name/kunit.list"
	fi
}

# run_case DIR: parse the saved run into $tmp/NAME/out; true if the verdict
# and messages are those of DIR/expect (line 1 pass|fail, then one
# message per line that must appear, or with a leading '!' must not).
run_case() {
	local d=$1 name=${1##*/} got=pass want msg rc
	local args=(--console "$tmp/$name/console.log" --results "$tmp/$name/results.log"
		    --chktaint "$chktaint"
		    --expect-kunit list-kunit-test --expect-tests 10-hmm-tests)
	local j
	while read -r j; do
		args+=(--kunit-json "$j")
	done < "$tmp/$name/kunit.list"
	[ -f "$d/expect-kunit" ] && args+=(--expect-kunit "$(cat "$d/expect-kunit")")
	[ -f "$d/expect-tests" ] && args+=(--expect-tests "$(cat "$d/expect-tests")")
	[ -f "$d/checks.tap" ] && args+=(--checks "$d/checks.tap")
	[ -f "$d/kcsan-ours" ] && args+=(--kcsan-ours "$d/kcsan-ours")
	[ -f "$d/kcsan-known" ] && args+=(--kcsan-known "$d/kcsan-known")
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
for d in "$cases"/clean-pass/ "$cases"/*/; do
	[[ $d != "$cases"/clean-pass/ ]] || [ ${#all[@]} = 0 ] || continue
	d=${d%/}
	[ -f "$d/expect" ] || continue
	# shellcheck disable=SC2053
	[[ ${d##*/} == ${NSVM_SELFTEST_ONLY:-*} ]] || continue
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
# the saved runs where pattern i is the first to match a console line can
# change (the patterns are console patterns, tried in order); they are
# found in one pass and tried first to last.
python3 - "$TOP/scripts/parse-results.py" "$tmp" "${all[@]}" > "$tmp/first-matches" <<'PY'
import importlib.util, re, sys
spec = importlib.util.spec_from_file_location('pr', sys.argv[1])
pr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pr)
for d in sys.argv[3:]:
    name = d.rstrip('/').split('/')[-1]
    hit = set()
    for raw in open(f'{sys.argv[2]}/{name}/console.log', errors='replace'):
        line = pr.PREFIX.sub('', raw.rstrip('\r\n'))
        for i, (pat, _) in enumerate(pr.REPORTS):
            if re.search(pat, line):
                hit.add(i)
                break
    print(d, *sorted(hit))
PY
i=0
while IFS=$'\t' read -r label regex; do
	killer=
	while read -r d idx; do
		[[ " $idx " == *" $i "* ]] || continue
		if ! NSVM_PARSER_DROP=$i run_case "$d"; then
			killer=${d##*/}
			break
		fi
	done < "$tmp/first-matches"
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

# run-qemu.sh with a fake QEMU: a guest that prints no result for longer
# than a progress tick must still be waited for (the tick's grep finding
# nothing once ended the script under set -e and pipefail, leaving QEMU
# running), and QEMU must die with the script when it is killed.
qemu_fake() {
	local w=$tmp/qemu out
	out=$w/build/out-test
	mkdir -p "$w/bin" "$out/arch/x86/boot"
	: > "$out/arch/x86/boot/bzImage"
	: > "$out/initramfs.cpio.gz"
	cat > "$w/bin/qemu-system-x86_64" <<'QEMU'
#!/bin/bash
# Fake QEMU: the two -serial files get a guest that is silent for
# $FAKE_SILENT seconds and then finishes; its pid goes to $FAKE_PID.
echo $$ > "$FAKE_PID"
files=()
while [ $# -gt 0 ]; do
	[ "$1" = -serial ] && files+=("${2#file:}")
	shift
done
: > "${files[0]}"
: > "${files[1]}"
sleep "$FAKE_SILENT"
printf 'NSVM-BEGIN t\nok 1 t\nNSVM-END t rc=0\nNSVM-DONE\n' >> "${files[1]}"
QEMU
	chmod +x "$w/bin/qemu-system-x86_64"
	# 1. silent for 5 s, ticks every second
	if ! PATH=$w/bin:$PATH NSVM_BUILD=$w/build NSVM_ACCEL=tcg NSVM_PROGRESS_TICK=1 		FAKE_SILENT=5 FAKE_PID=$w/pid1 "$TOP/scripts/run-qemu.sh" test > "$w/run1.log" 2>&1; then
		echo "run-qemu.sh failed on a guest silent for longer than a tick:"
		cat "$w/run1.log"
		return 1
	fi
	grep -q 'guest: running, 0 results so far' "$w/run1.log" ||
		{ echo "no progress tick was printed:"; cat "$w/run1.log"; return 1; }
	# 2. killed while the guest runs
	PATH=$w/bin:$PATH NSVM_BUILD=$w/build NSVM_ACCEL=tcg FAKE_SILENT=60 		FAKE_PID=$w/pid2 "$TOP/scripts/run-qemu.sh" test > "$w/run2.log" 2>&1 &
	local rq=$! i
	for i in $(seq 50); do [ -s "$w/pid2" ] && break; sleep 0.1; done
	kill -TERM "$rq"
	wait "$rq" || true
	sleep 1
	if kill -0 "$(cat "$w/pid2")" 2>/dev/null; then
		echo "QEMU (pid $(cat "$w/pid2")) still runs after run-qemu.sh was killed"
		kill "$(cat "$w/pid2")"
		return 1
	fi
}
if qemu_fake > "$tmp/qemu.log" 2>&1; then
	echo "ok - harness: run-qemu.sh waits for a guest silent past a progress tick, and QEMU dies with it" >> "$tapf"
else
	echo "not ok - harness: run-qemu.sh waits for a guest silent past a progress tick, and QEMU dies with it" >> "$tapf"
	sed 's/^/# /' "$tmp/qemu.log" | tail -n 20 >> "$tapf"
fi

# An upgrade of the base package: apply.sh must put the series on the new
# base (not re-apply it on the tree's old one), and name a patch that no
# longer applies.  A fake base: a tarball with one 20-line file, a patch
# changing line 15; version 2 changes line 1, version 3 line 15.
base_upgrade() {
	local w=$tmp/upgrade v
	mkdir -p "$w/patches" "$w/git"
	for v in 1 2 3; do
		mkdir -p "$w/src$v/linux-fake"
		printf '*.o\n' > "$w/src$v/linux-fake/.gitignore"
		seq 1 20 > "$w/src$v/linux-fake/a.txt"
	done
	sed -i '1s/.*/one/' "$w/src2/linux-fake/a.txt"
	sed -i '15s/.*/15 of version 3/' "$w/src3/linux-fake/a.txt"
	for v in 1 2 3; do tar -cJf "$w/v$v.tar.xz" -C "$w/src$v" linux-fake; done
	cp "$w/src1/linux-fake/a.txt" "$w/git/"
	git -C "$w/git" init -q
	git -C "$w/git" add a.txt
	git -C "$w/git" -c user.name=t -c user.email=t@t commit -q -m base
	sed -i '15s/.*/fifteen/' "$w/git/a.txt"
	git -C "$w/git" -c user.name=t -c user.email=t@t commit -q -am "a: spell out line 15"
	git -C "$w/git" format-patch -q -1 -o "$w/patches"
	(cd "$w/patches" && ls -- *.patch) > "$w/patches/series"
	fake_apply() {
		NSVM_CACHE=$w/cache NSVM_BUILD=$w/build NSVM_PATCHES=$w/patches \
		NSVM_BASE_TARBALL=$w/v$1.tar.xz NSVM_BASE_VERSION=$1 \
			"$TOP/scripts/apply.sh" > "$w/apply$1.log" 2>&1
	}
	fake_apply 1 || { echo "apply on version 1 failed"; cat "$w/apply1.log"; return 1; }
	[ "$(sed -n '1p;15p' "$w/build/linux/a.txt" | tr '\n' ' ')" = "1 fifteen " ] ||
		{ echo "version 1: a.txt is not base 1 + the patch"; return 1; }
	fake_apply 2 || { echo "apply on version 2 failed"; cat "$w/apply2.log"; return 1; }
	[ "$(sed -n '1p;15p' "$w/build/linux/a.txt" | tr '\n' ' ')" = "one fifteen " ] ||
		{ echo "after the upgrade to version 2: a.txt is not base 2 + the patch:"; sed -n '1p;15p' "$w/build/linux/a.txt"; return 1; }
	if fake_apply 3; then
		echo "version 3: apply.sh succeeded although the patch cannot apply"
		return 1
	fi
	grep -q "patch 1/1 '0001-a-spell-out-line-15.patch' does not apply" "$w/apply3.log" ||
		{ echo "version 3: the failing patch is not named:"; cat "$w/apply3.log"; return 1; }
	# make export now would delete the patch that did not apply
	if NSVM_CACHE=$w/cache NSVM_BUILD=$w/build NSVM_PATCHES=$w/patches NSVM_BASE_VERSION=3 \
		"$TOP/scripts/export.sh" > "$w/export.log" 2>&1; then
		echo "export.sh ran after a failed apply"
		return 1
	fi
	[ -f "$w/patches/0001-a-spell-out-line-15.patch" ] && grep -q 'stopped after 0 of the 1 patches' "$w/export.log" ||
		{ echo "export.sh after a failed apply:"; cat "$w/export.log"; ls "$w/patches"; return 1; }
}
if base_upgrade > "$tmp/upgrade.log" 2>&1; then
	echo "ok - harness: apply.sh follows an upgrade of the base package and names a patch that no longer applies; export.sh then refuses" >> "$tapf"
else
	echo "not ok - harness: apply.sh follows an upgrade of the base package and names a patch that no longer applies; export.sh then refuses" >> "$tapf"
	sed 's/^/# /' "$tmp/upgrade.log" | tail -n 20 >> "$tapf"
fi

# check-sm60-kernels.sh must pass the kernels of the IGT series (sm60.c as
# the series leaves it) and fail on each mutation of them:
#  - insn-bit, ctrl-bit, word-deleted: one bit flipped in an instruction
#    word or in a control word, one word deleted (bundles shifted);
#  - later-patch: a third patch flips a bit of a word of sm60.c (the
#    listing unchanged): the result of the whole series is what counts;
#  - sized-array, brace-next-line, other-type: a kernel with a flipped bit,
#    declared as NAME[16], with its "{" on the next line, or as unsigned
#    long long (a form the check does not read: its words are outside the
#    arrays read, the table names an array not read);
#  - unlisted-array: one more array the table does not name;
#  - empty-array: a kernel without words (a "not ok" line, not a crash);
#  - gprs: the table gives the read kernel 8 registers, it uses $r9;
# and pass on sized-array-ok and brace-next-line-ok (the same forms, with
# the words unchanged).
sm60_mutations() {
	local w=$tmp/sm60 chk=$TOP/scripts/check-sm60-kernels.sh m want rc p
	mkdir -p "$w"
	# the unchanged kernels, and sm60.c as the series leaves it
	if ! NSVM_BUILD=$w/build "$chk" > "$w/ok.tap" 2>&1; then
		echo "the unchanged kernels do not pass:"
		cat "$w/ok.tap"
		return 1
	fi
	cp "$w/build/igt-sm60/src/lib/nouveau/sm60.c" "$w/ok.c"
	python3 - "$w" <<'PY' || return 1
import re, sys
d = sys.argv[1]
src = open(d + "/ok.c").read().split("\n")
words = [i for i, l in enumerate(src) if re.match(r"^\t0x[0-9a-f]{16}ull, /\* ", l)]
def first(pattern):
    return next(i for i, l in enumerate(src) if re.match(pattern, l))
def flip(lines, line, bit):
    out = list(lines)
    w = int(out[line][3:19], 16) ^ (1 << bit)
    out[line] = "\t0x%016x" % w + out[line][19:]
    return out
write, atomic = first(r"static const uint64_t sm60_write\[\] = \{$"), \
    first(r"static const uint64_t sm60_atomic_add\[\] = \{$")
def sized(lines):
    return [l.replace("sm60_write[] = {", "sm60_write[16] = {") for l in lines]
def brace(lines):
    out = list(lines)
    out[atomic] = "static const uint64_t sm60_atomic_add[] =\n{"
    return out
# word 3: the first instruction of the first kernel that is not a special
# register read (iscadd: bit 0 is a bit of its destination register);
# word 0: a control word (bit 3: the top bit of the first stall count);
# the second word of a kernel: its first instruction (mov: bit 0 of $r0)
muts = {"insn-bit": flip(src, words[3], 0), "ctrl-bit": flip(src, words[0], 3)}
muts["word-deleted"] = [l for i, l in enumerate(src) if i != words[5]]
muts["sized-array"] = sized(flip(src, write + 2, 0))
muts["sized-array-ok"] = sized(src)
muts["brace-next-line"] = brace(flip(src, atomic + 2, 0))
muts["brace-next-line-ok"] = brace(src)
other = flip(src, write + 2, 0)
other[write] = "static const unsigned long long sm60_write[] = {"
muts["other-type"] = other
end = src.index("};", write)
muts["unlisted-array"] = src[:end + 1] + ["", src[write].replace("sm60_write", "sm60_spare")] + \
    src[write + 1:end + 1] + src[end + 1:]
muts["empty-array"] = src[:write + 1] + src[end:]
muts["gprs"] = [re.sub(r"sizeof\(sm60_read\), 16$", "sizeof(sm60_read), 8", l) for l in src]
assert muts["gprs"] != src
for name, lines in muts.items():
    open("%s/%s.c" % (d, name), "w").write("\n".join(lines))
# later-patch: sm60.c after the series, with one bit of sm60_write flipped
open(d + "/later.c", "w").write("\n".join(flip(src, write + 2, 0)))
PY
	# later-patch: the flip as a third patch of a copy of igt-tests/
	mkdir -p "$w/series"
	cp "$TOP/igt-tests/base" "$TOP/igt-tests/series" "$TOP"/igt-tests/*.patch "$w/series/"
	git clone -q "$w/build/igt-sm60/src" "$w/later" &&
	cp "$w/later.c" "$w/later/lib/nouveau/sm60.c" &&
	git -C "$w/later" -c user.name=t -c user.email=t@t commit -q -am "sm60: one bit of sm60_write" &&
	git -C "$w/later" format-patch -q -1 --zero-commit -o "$w/series" --start-number 3 ||
		{ echo "cannot make the later patch"; return 1; }
	(cd "$w/series" && ls -- 0003-*.patch) >> "$w/series/series"
	for m in insn-bit ctrl-bit word-deleted later-patch sized-array brace-next-line other-type \
		 unlisted-array empty-array gprs sized-array-ok brace-next-line-ok; do
		want=fail
		[[ $m != *-ok ]] || want=pass
		rc=0
		if [ $m = later-patch ]; then
			NSVM_BUILD=$w/build-later NSVM_IGT_TESTS=$w/series "$chk" > "$w/$m.tap" 2>&1 || rc=$?
		else
			"$chk" "$w/$m.c" > "$w/$m.tap" 2>&1 || rc=$?
		fi
		p=$(grep -c '^ok - \|^not ok - ' "$w/$m.tap" || true)
		if [ "$p" != 1 ] || { [ $want = fail ] && { [ $rc = 0 ] || ! grep -q '^not ok' "$w/$m.tap"; }; } ||
		   { [ $want = pass ] && { [ $rc != 0 ] || ! grep -q '^ok' "$w/$m.tap"; }; }; then
			echo "mutation $m: expected to $want (exit status $rc, $p TAP lines):"
			cat "$w/$m.tap"
			return 1
		fi
		echo "$m: $(grep '^ok\|^not ok' "$w/$m.tap" | sed 's/.* # //; s/^ok - [^:]*: /passes: /' | cut -c1-150)"
	done
}
if sm60_mutations > "$tmp/sm60.log" 2>&1; then
	echo "ok - harness: check-sm60-kernels.sh passes the IGT kernels and fails on 10 mutations (bits, a deleted word, a later patch, array forms, an empty array, register count)" >> "$tapf"
	sed 's/^/# /' "$tmp/sm60.log" >> "$tapf"
else
	echo "not ok - harness: check-sm60-kernels.sh passes the IGT kernels and fails on 10 mutations (bits, a deleted word, a later patch, array forms, an empty array, register count)" >> "$tapf"
	sed 's/^/# /' "$tmp/sm60.log" | tail -n 30 >> "$tapf"
fi

# count_taps (make all, make stress): the last line counts every run, a
# run without a count line and a silent failure (status, no TAP) included.
printf 'ok 1 a\n2 passed, 0 failed, 1 skipped\n' > "$tmp/t1.tap"
printf 'ok 1 b\n' > "$tmp/t2.tap"
if [ "$(count_taps 0 "$tmp/t1.tap" "$tmp/t1.tap" | tail -n 1)" = "4 passed, 0 failed, 2 skipped" ] &&
   count_taps 0 "$tmp/t1.tap" > /dev/null &&
   [ "$(count_taps 0 "$tmp/t1.tap" "$tmp/t2.tap" | tail -n 1)" = "2 passed, 1 failed, 1 skipped" ] &&
   ! count_taps 0 "$tmp/t1.tap" "$tmp/t2.tap" > /dev/null &&
   [ "$(count_taps 3 "$tmp/t1.tap" | tail -n 1)" = "2 passed, 1 failed, 1 skipped" ] &&
   ! count_taps 3 "$tmp/t1.tap" > /dev/null; then
	echo "ok - harness: count_taps sums the runs and counts a run without a count line or a silent failure" >> "$tapf"
else
	echo "not ok - harness: count_taps sums the runs and counts a run without a count line or a silent failure" >> "$tapf"
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
