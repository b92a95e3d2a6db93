#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot $BUILD/out-FLAVOR/{bzImage,initramfs.cpio.gz} in QEMU and collect
#   $BUILD/out-FLAVOR/run/console.log  kernel log (ttyS0: KUnit, dmesg)
#   $BUILD/out-FLAVOR/run/results.log  test output (ttyS1, framed by guest/init)
# KVM is probed and used only if a guest really boots with it; otherwise TCG.
# On a hang (NSVM_TIMEOUT seconds, default 2400) or a panic, the console
# tail is printed and the exit status is non-zero.  NSVM_SMP: vCPUs (2).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:?usage: run-qemu.sh test|bench|stress|kcsan}
out=$BUILD/out-$flavor
run=$out/run
kernel=$out/arch/x86/boot/bzImage
initrd=$out/initramfs.cpio.gz
timeout=${NSVM_TIMEOUT:-2400}
smp=${NSVM_SMP:-2}
need qemu-system-x86_64 timeout
[ -f "$kernel" ] || die "$kernel missing; run scripts/build.sh $flavor"
[ -f "$initrd" ] || die "$initrd missing; run scripts/initramfs.sh $flavor"

bios=()
[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)

# KVM on some hosts passes every static check and then hangs or asserts in
# QEMU, so the probe boots the real kernel to its first panic (no init).
probe_kvm() {
	[ -w /dev/kvm ] || return 1
	timeout 30 qemu-system-x86_64 -accel kvm -cpu host -m 512M -smp 1 "${bios[@]}" \
		-kernel "$kernel" -append "console=ttyS0 panic=-1 rdinit=/nonexistent" \
		-nographic -no-reboot -nodefaults -serial stdio 2>&1 |
		grep -q 'Kernel panic'
}

# The probe's answer is kept per kernel release, host kernel and QEMU
# (a failed KVM boot costs 30 s): $CACHE/kvm-probe/.
accel=${NSVM_ACCEL:-}
if [ -z "$accel" ] && [ ! -w /dev/kvm ]; then
	accel=tcg
elif [ -z "$accel" ]; then
	key="$(cat "$out/include/config/kernel.release" 2>/dev/null)_$(uname -r)_$(qemu-system-x86_64 --version | head -n 1 | tr -cd '0-9.')"
	memo=$CACHE/kvm-probe/$key
	if [ -f "$memo" ]; then
		accel=$(cat "$memo")
		log "qemu: KVM probe result of an earlier run: $accel ($memo)"
	else
		log "qemu: probing KVM (one boot, up to 30 s)"
		if probe_kvm; then accel=kvm; else accel=tcg; fi
		mkdir -p "${memo%/*}" && echo "$accel" > "$memo"
	fi
fi
case $accel in
kvm)	accel_args=(-accel kvm -cpu host) ;;
tcg)	accel_args=(-accel tcg -cpu max) ;;
*)	die "NSVM_ACCEL must be kvm or tcg, not '$accel'" ;;
esac
log "qemu: accelerator $accel, $smp vCPUs"

# memmap: 512 MiB of RAM at 1 GiB turned into "Soft Reserved" (E820 type
# 0xefffffff), the special-purpose memory test_hmm uses as device-coherent.
# no5lvl: "-cpu max" offers LA57, and with 5-level paging a KASAN kernel
# can report a wild access at boot: identify_cpu() clears the capability
# bits (LA57 included) before it detects them again, and KASAN, which asks
# pgtable_l5_enabled() where the shadow is, misjudges any access made by an
# interrupt that lands in that window (under TCG it sometimes does).  That
# is a base kernel race of the boot CPU, before any test; 4-level paging,
# what most x86 machines run, does not have it.
append="console=ttyS0 panic=-1 no5lvl transparent_hugepage=madvise hugepages=16"
append="$append memmap=512M%0x40000000-1+0xefffffff ${NSVM_APPEND:-}"
rm -rf "$run"
mkdir -p "$run"
echo "$accel" > "$run/accel"
# QEMU in the background; meanwhile, every guest program that ends and, every
# 60 s (NSVM_PROGRESS_TICK), the last test result are printed, so a long boot
# shows its progress.
timeout --foreground "$timeout" qemu-system-x86_64 "${accel_args[@]}" -smp "$smp" -m 2G \
	"${bios[@]}" -kernel "$kernel" -initrd "$initrd" -append "$append" \
	-nographic -no-reboot -nodefaults -monitor none \
	-serial file:"$run/console.log" -serial file:"$run/results.log" \
	> "$run/qemu.log" 2>&1 < /dev/null &
qpid=$!
trap 'kill -TERM $qpid 2>/dev/null; exit 130' INT TERM
# Whatever ends this script, QEMU goes with it: a guest left running
# would write into a log the next run has already removed.
trap 'kill -TERM $qpid 2>/dev/null || true' EXIT
seen=0 last=$(date +%s)
tick=${NSVM_PROGRESS_TICK:-60}
progress() {
	local n line
	n=$(wc -l < "$run/results.log" 2>/dev/null || echo 0)
	if [ "$n" -gt "$seen" ]; then
		sed -n "$((seen + 1)),${n}p" "$run/results.log" | while IFS= read -r line; do
			case $line in
			NSVM-BEGIN*|NSVM-END*|NSVM-DONE*) log "guest: ${line#NSVM-}" ;;
			esac
		done
		seen=$n
	fi
	if [ $(( $(date +%s) - last )) -ge "$tick" ]; then
		last=$(date +%s)
		# no result yet is not an error (set -e, pipefail): a boot or a
		# first benchmark step can take longer than 60 s
		# a TAP result, numbered or not ("ok - ..." from the campaign)
		local result='^(# )*(not )?ok( [0-9]| - )'
		line=$(grep -E "$result" "$run/results.log" 2>/dev/null |
			tail -n 1 | sed 's/^\(# \)*//' || true)
		log "guest: running, $(grep -cE "$result" "$run/results.log" 2>/dev/null || true) results so far${line:+, last: $line}"
	fi
}
while kill -0 $qpid 2>/dev/null; do
	sleep 2
	progress
done
set +e
wait $qpid
rc=$?
set -e
trap - INT TERM
progress
if [ $rc = 124 ]; then
	echo "ERROR: guest did not finish within ${timeout}s; last console lines:" >&2
	tail -n 40 "$run/console.log" >&2
	exit 1
fi
if [ $rc != 0 ]; then
	echo "ERROR: qemu exited with $rc:" >&2
	tail -n 20 "$run/qemu.log" "$run/console.log" >&2
	exit 1
fi
if ! grep -q '^NSVM-DONE' "$run/results.log"; then
	echo "ERROR: guest stopped before finishing its tests; last console lines:" >&2
	tail -n 40 "$run/console.log" >&2
	exit 1
fi
log "qemu: guest finished ($run)"
