#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the IGT nouveau SVM test: the pinned upstream IGT snapshot
# (igt-tests/base) plus our patch series (igt-tests/series), configured with
# only what the nouveau tests need, then tests/nouveau_svm with IGT's own
# warning flags.  Checks, written as TAP to $BUILD/igt.tap:
#   - the snapshot's sha256 (igt-tests/base)
#   - checkpatch --strict (with IGT's .checkpatch.conf) on every patch
#   - the series applies with git am
#   - the C files of the series (test, lib/nouveau helper) compile without a
#     warning
#   - the compute helper pushes what it should (tests/igt/fake-gpu.c)
#   - --list-subtests prints exactly igt-tests/subtests
# and stages the binary and libigt for the guest in $BUILD/igt/stage
# (guest/tests/30-igt-nouveau-svm runs it).  Exits non-zero if a check fails.
#   igt.sh          build and check (what make test runs)
#   igt.sh --run    then run it on this machine (root, Pascal GPU: docs/igt.md)
#
# The snapshot comes from, in this order: $IGT_SRC (a tarball of the pinned
# commit or an IGT source directory), ../shared/igt/ beside this clone, or a
# clone of upstream IGT at the pinned commit when the network allows.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

. "$TOP/scripts/igt-lib.sh"
work=$BUILD/igt
src=$work/src
bld=$work/build
stage=$work/stage
tap=$BUILD/igt.tap
logf=$work/build.log
mkdir -p "$work"
rm -rf "$stage"
: > "$tap"
nfail=0
need git meson ninja sha256sum tar xz python3 cc pkg-config
result() { # result OK|FAIL TEXT [DETAIL]
	if [ "$1" = OK ]; then
		echo "ok - igt: $2" >> "$tap"
	else
		echo "not ok - igt: $2${3:+ # $3}" >> "$tap"
		nfail=$((nfail + 1))
	fi
}
finish() {
	log "igt: $(grep -c '^ok' "$tap") ok, $nfail not ok (TAP in $tap)"
	exit $((nfail > 0))
}
igt_report() { result "$@"; }

# 1. The base: a git repository of the snapshot, tag "base", cached
# (scripts/igt-lib.sh).
igt_base_repo || finish
base=$igt_base

# 2. checkpatch --strict on every patch, with IGT's own options, except
# FILE_PATH_CHANGES: IGT's MAINTAINERS has no entries per test file, so
# every new test would ask whether it needs updating.
mapfile -t patches < <(igt_patches)
[ ${#patches[@]} -gt 0 ] || die "igt-tests/series lists no patch"
if [ -f "$SRC/scripts/checkpatch.pl" ]; then
	mapfile -t opts < <(grep -v -e '^--emacs' -e '^\s*$' "$base/.checkpatch.conf")
	opts+=(--ignore FILE_PATH_CHANGES)
	for p in "${patches[@]}"; do
		if out=$(cd "$base" && GIT_DIR=/nonexistent perl "$SRC/scripts/checkpatch.pl" \
				"${opts[@]}" --no-tree --terse "$p" 2>/dev/null) &&
		   ! grep -qE ': (ERROR|WARNING|CHECK):' <<< "$out"; then
			result OK "checkpatch --strict ${p##*/}"
		else
			grep -E ': (ERROR|WARNING|CHECK):' <<< "$out" | head -n 5 >&2 || true
			result FAIL "checkpatch --strict ${p##*/}" "$(grep -cE ': (ERROR|WARNING|CHECK):' <<< "$out") reports"
		fi
	done
else
	echo "ok - igt: checkpatch of igt-tests/ # SKIP no kernel tree yet (checkpatch.pl comes from it)" >> "$tap"
fi

# 3. Apply the series (again only when it changed, scripts/igt-lib.sh);
# a new tree gets a new build directory.
igt_apply "$work" || finish
[ "$igt_reapplied" = 0 ] || rm -rf "$bld"
# The snapshot lacks three i915 OA metric files (see
# ../shared/igt/README.md) that meson lists; the i915-perf library they
# feed is not built here, so any valid XML of the same family lets meson
# configure.  Untracked, never part of a patch.
for f in oa-acmgt1.xml oa-acmgt2.xml oa-acmgt3.xml; do
	[ -f "$src/lib/i915/perf-configs/$f" ] ||
		cp "$src/lib/i915/perf-configs/oa-mtlgt2.xml" "$src/lib/i915/perf-configs/$f"
done

# 4. Configure (nouveau only) and build the test; the series' C files are
# compiled again on their own below, so their warnings are seen on every run.
if [ ! -f "$bld/build.ninja" ]; then
	log "igt: meson setup"
	if ! meson setup "$bld" "$src" -Dtests=enabled -Drunner=disabled -Ddocs=disabled \
		-Dman=disabled -Doverlay=disabled -Dchamelium=disabled -Dvalgrind=disabled \
		-Dlibdrm_drivers=nouveau -Dtestplan=disabled -Dsphinx=disabled \
		-Dxe_driver=disabled -Dvmtb=disabled -Dxe_eudebug=disabled > "$logf" 2>&1; then
		tail -n 20 "$logf" >&2
		rm -rf "$bld"
		result FAIL "meson setup" "see $logf"
		finish
	fi
fi
log "igt: building tests/nouveau_svm (libigt the first time: ~2 min on 2 cores)"
if ! ninja -C "$bld" tests/nouveau_svm > "$logf" 2>&1; then
	grep -E 'error|warning' "$logf" | head -n 20 >&2
	result FAIL "tests/nouveau_svm builds" "see $logf"
	finish
fi
# The C files the series adds or changes (the test, the lib/nouveau compute
# helper and kernels) are compiled once more, alone (-j1, their objects as
# the only targets), so that every warning in that log is theirs, also one
# the compiler reports in an IGT header they include.  (ninja's status
# lines, when not on a terminal, do not name every object, so a full
# build's log cannot tell whose warning it is.)  Then relink.
mapfile -t ours < <(git -C "$src" diff --name-only base HEAD -- '*.c')
mapfile -t objs < <(python3 - "$bld/compile_commands.json" "${ours[@]}" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])):
    if any(e["file"].endswith("/" + f) for f in sys.argv[2:]):
        print(e["output"])
PY
)
wlogf=$work/warnings.log
files="${ours[*]}"
what="the series' C files compile without warnings (IGT flags): ${files// /, }"
(cd "$bld" && rm -f "${objs[@]}")
if [ ${#objs[@]} != ${#ours[@]} ] || ! ninja -C "$bld" -j1 "${objs[@]}" > "$wlogf" 2>&1 ||
   ! ninja -C "$bld" tests/nouveau_svm >> "$logf" 2>&1; then
	result FAIL "$what" "${#objs[@]} objects for ${#ours[@]} files, or their build failed: see $wlogf"
	finish
fi
warn=$(grep 'warning:' "$wlogf" || true)
if [ -n "$warn" ]; then
	head -n 10 <<< "$warn" >&2
	result FAIL "$what" "$(wc -l <<< "$warn") warnings, see $wlogf"
else
	result OK "$what"
fi

# 4b. The compute helper of the series (lib/nouveau/cpc0c0.c) on a fake GPU
# (tests/igt/fake-gpu.c): its libdrm calls replaced, its pushbuffer decoded
# (methods, the QMD read through mesa's hand-made Pascal layout, constant
# buffer, code) and its semaphore releases played, or dropped as a killed
# channel would.  What it pushes, not what a GPU does with it.
fake=$work/fake-gpu
if cc -std=gnu11 -O1 -Wall -D_GNU_SOURCE -pthread -include config.h \
	-I"$bld" -I"$bld/lib" -I"$src" -I"$src/lib" -I"$src/include" \
	-I"$src/include/drm-uapi" -I"$src/include/linux-uapi" \
	$(pkg-config --cflags libdrm libdrm_nouveau cairo glib-2.0 pixman-1) \
	-o "$fake" "$TOP/tests/igt/fake-gpu.c" "$src/lib/nouveau/cpc0c0.c" \
	"$src/lib/nouveau/sm60.c" -L"$bld/lib" -ligt -Wl,-rpath,"$bld/lib" \
	> "$work/fake-gpu.log" 2>&1 && "$fake" >> "$work/fake-gpu.log" 2>&1; then
	result OK "compute helper on a fake GPU (tests/igt/fake-gpu.c): $(tail -n 1 "$work/fake-gpu.log")"
else
	tail -n 20 "$work/fake-gpu.log" >&2
	result FAIL "compute helper on a fake GPU (tests/igt/fake-gpu.c)" "see $work/fake-gpu.log"
fi

# 5. The subtest list.
bin=$bld/tests/nouveau_svm
if diff -u "$IGT_TESTS/subtests" <("$bin" --list-subtests) > "$work/subtests.diff"; then
	result OK "nouveau_svm --list-subtests matches igt-tests/subtests ($(grep -c . "$IGT_TESTS/subtests") subtests)"
else
	cat "$work/subtests.diff" >&2
	result FAIL "nouveau_svm --list-subtests matches igt-tests/subtests" "see $work/subtests.diff"
fi

# 6. Stage for the guest: bin/ and lib/ (the binary's RUNPATH is
# $ORIGIN/../lib); initramfs.sh copies the system libraries it needs.
mkdir -p "$stage/bin" "$stage/lib"
cp "$bin" "$stage/bin/"
cp -L "$bld/lib/libigt.so.0" "$stage/lib/"
cp "$IGT_TESTS/subtests" "$stage/subtests"
log "igt: staged $(du -sh "$stage" | cut -f1) in $stage"

# 7. --run: on this machine (a Pascal GPU, as root), through the guest's
# wrapper; loads nouveau if needed and leaves it loaded if it was.
if [ "${1:-}" = --run ]; then
	[ "$nfail" = 0 ] || finish
	log "igt: running nouveau_svm here ($(uname -r))"
	kmsg() { dmesg 2>/dev/null || echo "igt.sh: dmesg not readable: kernel log not checked"; }
	k0=$(kmsg | wc -l)
	NSVM_IGT=$stage sh "$TOP/guest/tests/30-igt-nouveau-svm" > "$work/run.tap"
	# Kernel reports during the run fail it, whatever the subtests said
	# (the guest's equivalent is parse-results.py's console scan).
	kmsg | tail -n +"$((k0 + 1))" > "$work/run.dmesg"
	n=$(grep -c '^ok\|^not ok' "$work/run.tap" || true)
	if grep -q '^1\.\.0' "$work/run.tap"; then
		: # nothing ran (no nouveau here)
	elif grep -qE 'dmesg not readable|BUG:|WARNING:|KASAN|UBSAN|Oops|general protection|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU|unreferenced object|INFO: task .* blocked|Call Trace:' "$work/run.dmesg"; then
		echo "not ok $((n + 1)) kernel log clean during the run # see $work/run.dmesg" >> "$work/run.tap"
	else
		echo "ok $((n + 1)) kernel log clean during the run" >> "$work/run.tap"
	fi
	sed -i "s/^1\.\.$n\$/1..$((n + 1))/" "$work/run.tap"
	cat "$work/run.tap"
	log "igt: $(grep -c '^ok [0-9]* [^#]*$' "$work/run.tap") passed, $(grep -c '^not ok' "$work/run.tap") failed, $(grep -c '# SKIP' "$work/run.tap") skipped (TAP in $work/run.tap, kernel log in $work/run.dmesg)"
	grep -q '^not ok' "$work/run.tap" && nfail=1
fi
finish
