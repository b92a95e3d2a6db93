#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test kernel once per group of nvkm VMM mutations and report
# which nvkm_vmm KUnit cases fail, against what tests/mutations/nvkm_vmm.py
# expects.
#
#   tests/mutations/run-nvkm.sh [-o FILE] GROUP...
#   tests/mutations/run-nvkm.sh -p CONSOLE GROUP   (judge a saved console log)
#
# GROUP is "control" (the tree as it is: every case must pass) or
# NAME[,NAME...], mutations of nvkm_vmm.py booted together (it refuses
# groups that must not share a boot).  For each group: the mutations are
# applied to $NSVM_BUILD/linux (build/linux, see "make tree"), the test
# kernel is rebuilt (scripts/build.sh test, incremental: run
# scripts/config.sh test and a first build before), a guest with only
# guest/tests/20-nouveau-load is packed, booted with
# kunit.filter_glob=nvkm_vmm, and the mutated files are restored with git.
# The failing cases, the suite summary and the kernel's reports (lockdep,
# KASAN, WARN) are printed and, with -o, appended to FILE; each boot's
# console log is kept as $NSVM_BUILD/mutations/GROUP.console.log.
#
# Exit status: 0 when every group is caught (each case it names fails; the
# control passes every case of the tree's vmm_test.c), 1 when one is not or
# a boot fails, 2 on bad usage.
# NSVM_TIMEOUT (default 900 s) bounds each boot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
. "$TOP/scripts/lib.sh"
mut=$here/nvkm_vmm.py

usage() {
	sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

outfile='' parse=''
while getopts o:p:h opt; do
	case $opt in
	o)	outfile=$OPTARG ;;
	p)	parse=$OPTARG ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
if [ -n "$outfile" ]; then
	case $outfile in /*) ;; *) outfile=$PWD/$outfile ;; esac
	[ -d "$(dirname "$outfile")" ] || { echo "ERROR: no directory for $outfile" >&2; exit 2; }
fi

say() {
	printf '%s\n' "$*"
	[ -z "$outfile" ] || printf '%s\n' "$*" >> "$outfile"
}

# A console log without its carriage returns and printk prefixes.
printk() {
	sed -E -e 's/\r$//' -e 's/^\[ *[0-9]+\.[0-9]+\](\[ *[A-Z][0-9]+\])? //' "$1"
}

# The nvkm_vmm stream of a console log.
ktap() {
	printk "$1" |
		awk '/# Subtest: nvkm_vmm$/ { on = 1 } on { print } on && /^(not )?ok [0-9]+ nvkm_vmm$/ { on = 0 }'
}

# report GROUP CONSOLE RC BUILD_S BOOT_S: print (and keep) what the boot
# showed and the verdict; returns 1 unless the group was caught.
report() {
	local g=$1 console=$2 rc=$3 stream failed total expected missed extra verdict
	expected=
	# shellcheck disable=SC2086
	[ "$g" = control ] || expected=$("$mut" --cases ${g//,/ } | sort -u)
	stream=$(ktap "$console")
	failed=$(printf '%s\n' "$stream" | sed -nE 's/^ *not ok [0-9]+ (nvkm_vmm_test_[a-z0-9_]+).*/\1/p' | sort -u)
	total=$(printf '%s\n' "$stream" | grep -cE '^ *(not )?ok [0-9]+ nvkm_vmm_test_' || true)

	if [ "$4" = - ]; then
		say "## ${g//,/ } (console log $console)"
	else
		say "## ${g//,/ } (build ${4}s, boot ${5}s, ended $(date -u +%FT%TZ))"
	fi
	say "$(printf '%s\n' "$stream" | grep -E '^ *not ok |^ *# (nvkm_vmm|Totals):|^(not )?ok [0-9]+ nvkm_vmm$' || echo '(no nvkm_vmm result in the console)')"
	# Where each failing case first failed.
	printf '%s\n' "$stream" | grep -E '(EXPECTATION|ASSERTION) FAILED at|^ *# [a-z0-9_]+: .*(SPT refs|2 MiB range|lockdep|KASAN)' |
		sed -E 's/^ +//' | awk '!seen[$0]++' | head -n 30 |
		while IFS= read -r l; do say "  $l"; done || true
	# The kernel's own reports during the boot, counted.
	printk "$console" | grep -E '^(WARNING: |BUG: |INFO: |Oops|Kernel panic|kernel BUG)' |
		sed -E 's/ PID: [0-9]+ / PID: - /' | sort | uniq -c |
		while read -r n l; do say "  report x$n: $l"; done || true

	if [ "$rc" != 0 ]; then
		verdict="BOOT FAILED (run-qemu.sh exit $rc)"
	elif [ "$total" -eq 0 ]; then
		verdict="NO RESULT: the suite did not run"
	elif [ "$g" = control ]; then
		verdict="CONTROL FAILED ($total cases)"
		# every case of the tree's suite ran and passed
		cases=$(grep -cE '^\s*KUNIT_CASE(_SLOW)?\(' "$SRC/drivers/gpu/drm/nouveau/nvkm/subdev/mmu/vmm_test.c")
		[ -n "$failed" ] || [ "$total" != "$cases" ] || verdict=ok
	else
		missed=$(comm -23 <(printf '%s\n' "$expected") <(printf '%s\n' "$failed") | tr '\n' ' ')
		extra=$(comm -13 <(printf '%s\n' "$expected") <(printf '%s\n' "$failed") | tr '\n' ' ')
		verdict=caught
		[ -z "${missed// /}" ] || verdict="MISSED: ${missed% }"
		[ -z "${extra// /}" ] || verdict="$verdict; also failed: ${extra% }"
	fi
	say "verdict: $verdict"
	say ""
	case $verdict in ok|caught*) return 0 ;; *) return 1 ;; esac
}

if [ -n "$parse" ]; then
	[ $# = 1 ] || { echo "ERROR: -p takes one group" >&2; exit 2; }
	[ -f "$parse" ] || { echo "ERROR: no console log $parse" >&2; exit 2; }
	# shellcheck disable=SC2086
	[ "$1" = control ] || "$mut" --cases ${1//,/ } > /dev/null || exit 2
	report "$1" "$parse" 0 - -
	exit
fi

need python3 git
[ -d "$SRC/.git" ] || die "$SRC is not a git tree; run 'make tree' (or scripts/apply.sh) first"
[ -f "$BUILD/out-test/.config" ] || die "$BUILD/out-test/.config missing; run scripts/config.sh test and scripts/build.sh test first"

# Every group is checked before anything is built.
for g in "$@"; do
	[ "$g" = control ] && continue
	# shellcheck disable=SC2086
	"$mut" --check "$SRC" ${g//,/ } > /dev/null || exit 2
done
mapfile -t files < <("$mut" --files)
git -C "$SRC" diff --quiet -- "${files[@]}" ||
	die "$SRC has changes in ${files[*]}; commit or stash them first (this script restores those files with git checkout)"

restore() { git -C "$SRC" checkout -q -- "${files[@]}"; }
trap restore EXIT

# A guest with only the nouveau load: a copy of the harness whose guest/
# holds guest/init, guest/lib and guest/tests/20-nouveau-load; initramfs.sh
# is told the real build directory (it would take the copy's).
guest=$(mktemp -d)
trap 'restore; rm -rf "$guest"' EXIT
mkdir -p "$guest/guest/tests"
ln -s "$TOP/scripts" "$guest/scripts"
cp "$TOP/guest/init" "$guest/guest/init"
cp -a "$TOP/guest/lib" "$guest/guest/lib"
cp "$TOP/guest/tests/20-nouveau-load" "$guest/guest/tests/"

exec 9> "$BUILD/.run-nvkm.lock"
flock -n 9 || die "another run-nvkm.sh uses $BUILD"

bad=0
for g in "$@"; do
	log "== group $g"
	restore
	# shellcheck disable=SC2086
	[ "$g" = control ] || "$mut" "$SRC" ${g//,/ } >&2
	t0=$(date +%s)
	"$TOP/scripts/build.sh" test
	t1=$(date +%s)
	NSVM_BUILD=$BUILD "$guest/scripts/initramfs.sh" test
	rc=0
	NSVM_TIMEOUT=${NSVM_TIMEOUT:-900} NSVM_APPEND="kunit.filter_glob=nvkm_vmm ${NSVM_APPEND:-}" \
		"$TOP/scripts/run-qemu.sh" test || rc=$?
	t2=$(date +%s)
	restore
	# Each boot's console is kept: the next boot starts a new one.
	mkdir -p "$BUILD/mutations"
	cp "$BUILD/out-test/run/console.log" "$BUILD/mutations/$g.console.log"
	report "$g" "$BUILD/mutations/$g.console.log" $rc $((t1 - t0)) $((t2 - t1)) || bad=1
done
log "out-test now holds the kernel of the last group; $SRC is restored"
exit $bad
