#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static reachability check of nouveau's mmu-notifier callbacks: TAP in
# $BUILD/callgraph.tap (check.sh copies it into checks.tap), exit status
# non-zero if a line is "not ok".
#  1. self-test: tests/callgraph/fixture.c, compiled alone, must
#     fail the roots that reach an allocator or a sleeping call (directly,
#     through an ops table, a global table, a parameter) or an indirect
#     call nothing resolves, and pass the others, among them one whose
#     indirect call a cut removes (tests/callgraph/roots, cuts, expect);
#  2. drivers/gpu/drm/nouveau (nouveau + nvkm) is compiled with gcc
#     -fcallgraph-info=su -fdump-tree-optimized-lineno in its own output
#     directory, $BUILD/out-callgraph, with the test kernel's .config
#     less KASAN and UBSAN (their instrumentation calls are no calls of the
#     code, and they double the compile time) and less nouveau's KUnit
#     tests (their fake ops tables would be targets of the real indirect
#     calls);
#  3. scripts/callgraph.py: from each root of configs/callgraph-roots, no
#     call of configs/callgraph-forbidden may be reachable (each violation
#     is printed as its call chain, all of them in $BUILD/callgraph.txt).
# "callgraph.sh base" runs 2-3 on the unpatched base tree (Linux 6.12)
# instead, in $BUILD/out-callgraph-base (TAP in callgraph-base.tap; roots
# that tree does not have are skipped): the measurement of 6.12.
# Needs a configured test flavor (scripts/config.sh test).  Not ccache:
# ccache 4.7 does not know -fcallgraph-info (a cache hit would bring the
# object without its .ci) and refuses -fdump-*; scripts/cc-callgraph
# caches the three outputs instead, in $NSVM_CACHE/callgraph (shared by
# all clones, like the base trees; ~30 KB per object, entries unused
# for 30 days are deleted).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

which=${1:-series}
case $which in
series)	tree=$SRC; out=$BUILD/out-callgraph; tapf=$BUILD/callgraph.tap
	report=$BUILD/callgraph.txt; label= ;;
base)	tree=$("$TOP/scripts/fetch-base.sh"); out=$BUILD/out-callgraph-base
	tapf=$BUILD/callgraph-base.tap; report=$BUILD/callgraph-base.txt; label="6.12 base: " ;;
*)	die "usage: callgraph.sh [series|base]" ;;
esac
: > "$tapf"
need gcc make python3
ver=$(gcc -dumpversion)
[ "${ver%%.*}" -ge 10 ] || die "gcc $ver has no -fcallgraph-info (gcc 10 or later needed)"
[ -f "$BUILD/out-test/.config" ] || die "run scripts/config.sh test first ($BUILD/out-test/.config missing)"
[ -d "$tree/drivers/gpu/drm/nouveau" ] || die "no kernel tree at $tree (run scripts/apply.sh)"
flags=(-fcallgraph-info=su -fdump-tree-optimized-lineno)
cases=$TOP/tests/callgraph
roots=$TOP/configs/callgraph-roots
forbidden=$TOP/configs/callgraph-forbidden
t0=$(date +%s)
export NSVM_CG_CACHE=$CACHE/callgraph NSVM_CG_TREE=$tree
mkdir -p "$NSVM_CG_CACHE"
find "$NSVM_CG_CACHE" -mindepth 2 -maxdepth 2 -type d -mtime +30 -exec rm -rf {} + 2>/dev/null || true
cc=$TOP/scripts/cc-callgraph

# 1. the checker on its fixture
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! gcc -O2 "${flags[@]}" -c "$cases/fixture.c" -o "$tmp/fixture.o" 2> "$tmp/cc.log"; then
	echo "not ok - callgraph self-test: fixture compiles" >> "$tapf"
	sed 's/^/# /' "$tmp/cc.log" | head -n 20 >> "$tapf"
else
	rc=0
	python3 "$TOP/scripts/callgraph.py" --objdir "$tmp" --srcdir "$cases" \
		--roots "$cases/roots" --forbidden "$forbidden" --cuts "$cases/cuts" \
		> "$tmp/fixture.out" 2>&1 || rc=$?
	missing=$(grep -v '^#' "$cases/expect" | grep -vxFf "$tmp/fixture.out" || true)
	missing+=$(grep '^#' "$cases/expect" | while IFS= read -r l; do
		grep -qF -- "$l" "$tmp/fixture.out" || echo "$l"; done)
	extra=$(grep -E '^(not )?ok ' "$tmp/fixture.out" | grep -vxFf "$cases/expect" || true)
	if [ $rc = 1 ] && [ -z "$missing" ] && [ -z "$extra" ]; then
		echo "ok - callgraph self-test: the checker fails the fixture's roots that reach an allocator, a sleeping call or an unresolved indirect call, and passes the clean ones" >> "$tapf"
	else
		echo "not ok - callgraph self-test: the checker's verdicts on tests/callgraph/fixture.c (exit status $rc, want 1)" >> "$tapf"
		{ [ -z "$missing" ] || printf 'missing:\n%s\n' "$missing"
		  [ -z "$extra" ] || printf 'unexpected:\n%s\n' "$extra"
		  head -n 40 "$tmp/fixture.out"; } | sed 's/^/# /' >> "$tapf"
	fi
fi

# 2. nouveau with call graphs, in its own output directory
mkdir -p "$out"
cfg=$tmp/config
cp "$BUILD/out-test/.config" "$cfg"
"$tree/scripts/config" --file "$cfg" -d KASAN -d UBSAN -d KCOV -d GCOV_KERNEL -d DRM_NOUVEAU_KUNIT_TEST
if ! cmp -s "$cfg" "$out/.config.want"; then
	log "callgraph ($which): configuring $out"
	cp "$cfg" "$out/.config"
	cp "$cfg" "$out/.config.want"
	make -s -C "$tree" O="$out" CC="$cc" HOSTCC=gcc olddefconfig > "$out/prepare.log" 2>&1 &&
		make -s -C "$tree" O="$out" CC="$cc" HOSTCC=gcc -j"${JOBS:-$(nproc)}" prepare >> "$out/prepare.log" 2>&1 ||
		{ rm -f "$out/.config.want"; tail -n 20 "$out/prepare.log" >&2; die "callgraph: make prepare failed ($out/prepare.log)"; }
fi
grep -q '^CONFIG_DRM_NOUVEAU=[ym]' "$out/.config" || die "callgraph: CONFIG_DRM_NOUVEAU is off in $out/.config"
logf=$out/build.log
log "callgraph ($which): building drivers/gpu/drm/nouveau/ with ${flags[*]} (log: $logf)"
if ! make -C "$tree" O="$out" CC="$cc" HOSTCC=gcc KCFLAGS="${flags[*]}" -j"${JOBS:-$(nproc)}" \
	drivers/gpu/drm/nouveau/ > "$logf" 2>&1; then
	echo "not ok - ${label}callgraph: nouveau compiles with ${flags[*]}" >> "$tapf"
	grep -E 'error' "$logf" | head -n 20 | sed 's/^/# /' >> "$tapf"
	exit 1
fi
obj=$out/drivers/gpu/drm/nouveau
[ -f "$obj/nouveau.mod" ] || die "callgraph: $obj/nouveau.mod missing (kbuild did not finish?)"
nobj=$(wc -w < "$obj/nouveau.mod")
nci=$(for o in $(cat "$obj/nouveau.mod"); do [ -f "$out/${o%.o}.ci" ] && echo; done | wc -l)
log "callgraph ($which): $nobj objects, $nci call graphs, built in $(( $(date +%s) - t0 ))s"
if [ "$nci" -lt "$nobj" ]; then
	echo "not ok - ${label}callgraph: every nouveau object has its call graph ($nci .ci files for $nobj objects)" >> "$tapf"
	exit 1
fi

# 3. reachability from the roots
args=(--objdir "$obj" --objlist "$obj/nouveau.mod" --srcdir "$tree/drivers/gpu/drm/nouveau" --roots "$roots"
      --forbidden "$forbidden" --cuts "$TOP/configs/callgraph-cuts"
      --report "$report" --label "$label")
[ "$which" = series ] || args+=(--missing-ok)
python3 "$TOP/scripts/callgraph.py" "${args[@]}" >> "$tapf" 2> "$tmp/py.err" ||
	grep -q '^not ok' "$tapf" ||
	{ echo "not ok - ${label}callgraph: callgraph.py ran" >> "$tapf"; sed 's/^/# /' "$tmp/py.err" >> "$tapf"; }
if [ -s "$tmp/py.err" ] && ! grep -q "^not ok - ${label}callgraph: callgraph.py ran" "$tapf"; then
	echo "not ok - ${label}callgraph: callgraph.py ran without errors" >> "$tapf"
	sed 's/^/# /' "$tmp/py.err" | head -n 30 >> "$tapf"
fi
log "callgraph ($which): $(grep -c '^ok' "$tapf") ok, $(grep -c '^not ok' "$tapf") not ok in $(( $(date +%s) - t0 ))s ($tapf)"
! grep -q '^not ok' "$tapf"
