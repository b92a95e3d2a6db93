#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest part of make test on a kernel that is built already: pack the
# initramfs (with any extra test directories), boot it in QEMU and judge
# the run like make test does, TAP on stdout.
#   boot.sh FLAVOR [EXTRA_TEST_DIR...]
# For work on the harness, e.g. the hang check:
#   NSVM_GUEST_TESTS='99-*' NSVM_TIMEOUT=900 scripts/boot.sh test tests/harness/guest-hang
# Exit status 0 only if nothing failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:?usage: boot.sh test|bench [extra test dir...]}
shift
"$TOP/scripts/initramfs.sh" "$flavor" "$@" || die "initramfs.sh failed"
# run-qemu.sh fails on a hang or an unfinished guest: judge what it left
"$TOP/scripts/run-qemu.sh" "$flavor" || log "run-qemu.sh failed: judging what the guest left"
guest_verdict "$flavor" --header "boot.sh $flavor${*:+ with $*}${NSVM_GUEST_TESTS:+, guest programs $NSVM_GUEST_TESTS}"
