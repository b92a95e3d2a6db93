# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest programs (installed as /nsvm/lib/test-hmm.sh).

# load_test_hmm: modprobe test_hmm.  If the kernel has "Soft Reserved"
# memory (run-qemu.sh asks for 512 MiB with memmap=), its first two
# 256 MiB chunks become test_hmm's device-coherent memory
# (spm_addr_dev0/1), so /dev/hmm_dmirror2 and 3 exist too.
load_test_hmm() {
	local spm s e chunk params=
	spm=$(grep -m1 ': Soft Reserved' /proc/iomem | sed 's/^ *//; s/ .*//')
	if [ -n "$spm" ]; then
		s=$((0x${spm%-*}))
		e=$((0x${spm#*-}))
		chunk=$((256 << 20))
		if [ $((e - s + 1)) -ge $((2 * chunk)) ]; then
			params=$(printf 'spm_addr_dev0=0x%x spm_addr_dev1=0x%x' $s $((s + chunk)))
		fi
	fi
	echo "# modprobe test_hmm $params"
	# shellcheck disable=SC2086 # two words on purpose
	modprobe test_hmm $params
}

# unload_test_hmm: modprobe -r test_hmm, and its devices must be gone
unload_test_hmm() {
	modprobe -r test_hmm || return 1
	[ ! -e /dev/hmm_dmirror0 ]
}
