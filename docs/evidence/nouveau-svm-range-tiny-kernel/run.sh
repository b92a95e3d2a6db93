#!/bin/bash
# run.sh TAG: build nsr.ko from the tree's nouveau_svm_range*.c, boot the tiny kernel, keep the log
set -e
tag=$1; shift
T=/work/n11/tiny; L=/work/n11/build/linux/drivers/gpu/drm/nouveau
cp $L/nouveau_svm_range.c $L/nouveau_svm_range.h $L/nouveau_svm_range_test.c $T/mod/
[ -n "$MUT" ] && patch -s -d $T/mod -p1 < $MUT
make -C /work/n11/build/out-tiny M=$T/mod CC="ccache gcc" modules > $T/mod.log 2>&1 || { tail -30 $T/mod.log; exit 1; }
cp $T/mod/nsr.ko $T/root/nsr.ko
(cd $T/root && find . | cpio -o -H newc 2>/dev/null | gzip > $T/initrd.gz)
timeout 900 qemu-system-x86_64 -accel tcg -cpu max -m 1G -smp 1 -kernel /work/n11/build/out-tiny/arch/x86/boot/bzImage \
  -initrd $T/initrd.gz -append "console=ttyS0 panic=-1 no5lvl kunit.filter_glob=nouveau_svm_range* $*" \
  -nographic -no-reboot -nodefaults -monitor none -serial file:$T/log-$tag.txt > $T/qemu-$tag.txt 2>&1 || true
grep -E "^\s*(# |)(not ok|ok) |# Totals|NSR-|WARNING|BUG|lockdep|possible|INFO:" $T/log-$tag.txt | sed 's/^\[[ 0-9.]*\] //' | tail -60
