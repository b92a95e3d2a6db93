#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and install the mm kselftests we run (from the patched tree) with the
# base tree's own selftests Makefile:  $BUILD/out-FLAVOR/kselftest_install.
# Only the programs in $KSFT_MM_PROGS are built (the mm collection has ~70).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:?usage: selftests.sh test|bench}
out=$BUILD/out-$flavor
progs=${KSFT_MM_PROGS:-hmm-tests}
inst=$out/kselftest_install
logf=$out/selftests.log
need make gcc rsync

make -s -C "$SRC" O="$out" headers > "$logf" 2>&1 || die "make headers failed; see $logf"
rm -rf "$inst"
# Command-line variables override the Makefile's lists (and lib.mk's
# $(OUTPUT)/ prefixing of them, hence the full paths), so only $progs are
# built and installed; run_kselftest.sh and kselftest-list.txt come along.
gen=
for p in $progs; do gen="$gen $out/kselftest/mm/$p"; done
if ! make -C "$SRC/tools/testing/selftests" O="$out" TARGETS=mm \
	TEST_GEN_PROGS="${gen# }" TEST_GEN_FILES= TEST_PROGS= TEST_FILES= \
	TEST_GEN_PROGS_EXTENDED= KSFT_INSTALL_PATH="$inst" install >> "$logf" 2>&1; then
	grep -E 'error|warning' "$logf" | head -n 20 >&2
	die "building kselftests ($progs) failed; see $logf"
fi
for p in $progs; do
	[ -x "$inst/mm/$p" ] || die "kselftest mm/$p was not installed; see $logf"
done
log "selftests: installed mm:{$progs} into $inst"
