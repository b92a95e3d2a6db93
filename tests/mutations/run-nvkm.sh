#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test kernel once per group of nvkm VMM mutations and report
# which nvkm_vmm KUnit cases fail, against what tests/mutations/nvkm_vmm.py
# expects.
#
#   tests/mutations/run-nvkm.sh [-o FILE] GROUP...
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
# KASAN, WARN) are printed and, with -o, appended to FILE.
#
# Exit status: 0 when every group is caught (each case it names fails; the
# control passes 21/21), 1 when one is not or a boot fails, 2 on bad usage.
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

outfile=
while getopts o:h opt; do
	case $opt in
	o)	outfile=$OPTARG ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
if [ -n "$outfile" ]; then
	case $outfile in /*) ;; *) outfile=$PWD/$outfile ;; esac
	[ -d "$(dirname "$outfile")" ] || { echo "ERROR: no directory for $outfile" >&2; exit 2; }
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

exec 9> "$BUILD/.run-nvkm.lock"
flock -n 9 || die "another run-nvkm.sh uses $BUILD"

restore() { git -C "$SRC" checkout -q -- "${files[@]}"; }
trap restore EXIT

# A guest with only the nouveau load: a copy of the harness whose guest/
# holds guest/init and guest/tests/20-nouveau-load.
guest=$(mktemp -d)
trap 'restore; rm -rf "$guest"' EXIT
mkdir -p "$guest/guest/tests"
ln -s "$TOP/scripts" "$guest/scripts"
cp "$TOP/guest/init" "$guest/guest/init"
cp "$TOP/guest/tests/20-nouveau-load" "$guest/guest/tests/"

say() {
	printf '%s\n' "$*"
	[ -z "$outfile" ] || printf '%s\n' "$*" >> "$outfile"
}

# The nvkm_vmm stream of a console log, printk prefixes dropped.
ktap() {
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$1" |
		awk '/# Subtest: nvkm_vmm$/ { on = 1 } on { print } on && /^(not )?ok [0-9]+ nvkm_vmm$/ { on = 0 }'
}

bad=0
for g in "$@"; do
	names=${g//,/ }
	log "== group $g"
	restore
	if [ "$g" = control ]; then
		expected=
	else
		# shellcheck disable=SC2086
		"$mut" "$SRC" $names >&2
		# shellcheck disable=SC2086
		expected=$("$mut" --cases $names | sort -u)
	fi
	t0=$(date +%s)
	"$TOP/scripts/build.sh" test
	t1=$(date +%s)
	"$guest/scripts/initramfs.sh" test
	rc=0
	NSVM_TIMEOUT=${NSVM_TIMEOUT:-900} NSVM_APPEND="kunit.filter_glob=nvkm_vmm ${NSVM_APPEND:-}" \
		"$TOP/scripts/run-qemu.sh" test || rc=$?
	t2=$(date +%s)
	restore

	console=$BUILD/out-test/run/console.log
	stream=$(ktap "$console")
	failed=$(printf '%s\n' "$stream" | sed -nE 's/^ *not ok [0-9]+ (nvkm_vmm_test_[a-z0-9_]+).*/\1/p' | sort -u)
	total=$(printf '%s\n' "$stream" | grep -cE '^ *(not )?ok [0-9]+ nvkm_vmm_test_' || true)

	say "## ${g//,/ } (build ${t1}-${t0}=$((t1 - t0)) s, boot $((t2 - t1)) s, $(date -u +%FT%TZ))"
	say "$(printf '%s\n' "$stream" | grep -E '^ *not ok |^ *# (nvkm_vmm|Totals):|^(not )?ok [0-9]+ nvkm_vmm$' || echo '(no nvkm_vmm result in the console)')"
	# Where each failing case first failed.
	printf '%s\n' "$stream" | grep -E '(EXPECTATION|ASSERTION) FAILED at|^ *# [a-z0-9_]+: .*(SPT refs|2 MiB range|lockdep)' |
		sed -E 's/^ +//' | awk '!seen[$0]++' | head -n 30 | while IFS= read -r l; do say "  $l"; done
	# The kernel's own reports during the boot (one line each).
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$console" |
		grep -E '^(WARNING: |BUG: |INFO: |Oops|Kernel panic|kernel BUG)' |
		sed -E 's/ PID: [0-9]+ / PID: - /' | sort | uniq -c | sed 's/^ */  report x/' |
		while IFS= read -r l; do say "$l"; done

	verdict=
	if [ $rc != 0 ]; then
		verdict="BOOT FAILED (run-qemu.sh exit $rc)"
	elif [ "$total" -eq 0 ]; then
		verdict="NO RESULT: the suite did not run"
	elif [ "$g" = control ]; then
		if [ -z "$failed" ] && [ "$total" = 21 ]; then verdict=ok; else verdict="CONTROL FAILED ($total cases)"; fi
	else
		missed=$(comm -23 <(printf '%s\n' "$expected") <(printf '%s\n' "$failed") | tr '\n' ' ')
		extra=$(comm -13 <(printf '%s\n' "$expected") <(printf '%s\n' "$failed") | grep . | tr '\n' ' ' || true)
		if [ -n "${missed// /}" ]; then verdict="MISSED: ${missed% }"; else verdict="caught"; fi
		[ -z "$extra" ] || verdict="$verdict; also failed: ${extra% }"
	fi
	say "verdict: $verdict"
	say ""
	case $verdict in ok|caught*) ;; *) bad=1 ;; esac
done
log "out-test now holds the kernel of the last group; $SRC is restored"
exit $bad
