#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest programs of the reliability campaign (tests/stress/*.c)
# against the patched tree's lib/test_hmm_uapi.h, static, warnings as
# errors:  $BUILD/stress-progs/<name>.  initramfs.sh puts them in
# /nsvm/stress/ of the test and stress guests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need gcc
[ -f "$SRC/lib/test_hmm_uapi.h" ] || die "$SRC/lib/test_hmm_uapi.h missing; run scripts/apply.sh"
dst=$BUILD/stress-progs
rm -rf "$dst"
mkdir -p "$dst"
for c in "$TOP"/tests/stress/*.c; do
	name=$(basename "$c" .c)
	gcc -O2 -g -Wall -Wextra -Werror -static -I"$SRC/lib" -o "$dst/$name" "$c" ||
		die "building $c failed"
	log "stress programs: $dst/$name"
done
