#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pack the guest: busybox init (guest/init), the modules of the flavor, the
# installed kselftests, the guest programs of the flavor (guest/tests/* for
# "test", guest/bench/* for "bench", guest/stress/* for "stress", whose
# $BUILD/out-stress links to the test kernel: scripts/stress.sh, and
# guest/kcsan/* for "kcsan"), the
# shell library guest/lib/ (/nsvm/lib), the campaign's programs
# (scripts/stress-progs.sh, /nsvm/stress) and any extra test directories
# given, plus the shared libraries of every dynamic program.
#   initramfs.sh FLAVOR [EXTRA_TEST_DIR...]  ->  $BUILD/out-FLAVOR/initramfs.cpio.gz
# Extra directories: every executable at their top level runs in the guest
# as 50-<dir>-<name>, i.e. after the tests numbered below 50 and before
# 99-kmemleak (which then covers it), and may print TAP; sub-directories are
# copied along under /nsvm/extra/<dir name>/ for the programs to use.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:?usage: initramfs.sh test|bench|stress|kcsan [extra test dir...]}
shift
case $flavor in
test)	guest_dir=$TOP/guest/tests ;;
bench)	guest_dir=$TOP/guest/bench ;;
stress)	guest_dir=$TOP/guest/stress ;;
kcsan)	guest_dir=$TOP/guest/kcsan ;;
*)	die "unknown flavor '$flavor' (test, bench, stress or kcsan)" ;;
esac
out=$BUILD/out-$flavor
root=$out/initramfs
img=$out/initramfs.cpio.gz
need cpio gzip ldd
[ -x /bin/busybox ] || die "/bin/busybox missing; install busybox-static (make deps)"
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' ||
	log "warning: /bin/busybox is not static; its libraries are copied"

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,etc,nsvm/tests,nsvm/extra,nsvm/lib}
cp /bin/busybox "$root/bin/busybox"
install -m 755 "$TOP/guest/init" "$root/init"
: > "$root/etc/fstab"

# Modules (already stripped by modules_install).
[ -d "$out/modroot/lib/modules" ] || die "no modules in $out/modroot; run scripts/build.sh $flavor"
cp -a "$out/modroot/lib/modules" "$root/lib/"

# Kselftests.
if [ -d "$out/kselftest_install" ]; then
	cp -a "$out/kselftest_install" "$root/nsvm/kselftest"
fi

# IGT nouveau_svm, staged by scripts/igt.sh (guest/tests/30-igt-nouveau-svm).
if [ "$flavor" = test ] && [ -d "$BUILD/igt/stage" ]; then
	cp -a "$BUILD/igt/stage" "$root/nsvm/igt"
fi

# The guest programs' shell library, and the campaign's programs.
install -m 644 "$TOP"/guest/lib/* "$root/nsvm/lib/"
if [ "$flavor" != bench ]; then
	[ -d "$BUILD/stress-progs" ] || die "no $BUILD/stress-progs; run scripts/stress-progs.sh"
	cp -a "$BUILD/stress-progs" "$root/nsvm/stress"
fi

# Programs from the host that the guest needs for real (the kselftest runner
# calls /usr/bin/timeout --foreground, which busybox lacks).
cp /usr/bin/timeout "$root/usr/bin/timeout"

# Tests (NSVM_GUEST_TESTS=GLOB: only the guest programs whose name matches,
# for work on the harness; a run without the others is not a test run).
for t in "$guest_dir"/*; do
	# shellcheck disable=SC2254
	case ${t##*/} in ${NSVM_GUEST_TESTS:-*}) ;; *) continue ;; esac
	install -m 755 "$t" "$root/nsvm/tests/"
done
for d in "$@"; do
	[ -d "$d" ] || die "extra test directory '$d' does not exist"
	name=$(basename "$(realpath "$d")")
	cp -a "$d" "$root/nsvm/extra/$name"
	for t in "$d"/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		ln -s "/nsvm/extra/$name/${t##*/}" "$root/nsvm/tests/50-$name-${t##*/}"
	done
done

# Shared libraries of every dynamically linked ELF in the image.
find "$root" -type f -perm -u+x | while read -r f; do
	file -L "$f" | grep -q 'dynamically linked' || continue
	ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' || true
done | sort -u | while read -r lib; do
	[ -e "$lib" ] || continue
	case $lib in "$root"/*) continue ;; esac # found through a RUNPATH in the image
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$img"
log "initramfs $flavor: $img ($(du -h "$img" | cut -f1))"
