# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the harness scripts: paths, logging, phase timing.
# Sourced, never executed.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${NSVM_CACHE:-$HOME/.cache/nouveau-svm}
BUILD=${NSVM_BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
SRC=$BUILD/linux
# The series; NSVM_PATCHES only for the harness self-test (a fake series).
PATCHES=${NSVM_PATCHES:-$TOP/patches}
BASE_PKG=linux-source-6.12
# NSVM_BASE_TARBALL / NSVM_BASE_VERSION: only for the harness self-test,
# which plays a package upgrade on a small fake base.
BASE_TARBALL=${NSVM_BASE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# depmod & co. live in /sbin, which a non-root PATH may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
case ":$PATH:" in *:/sbin:*) ;; *) PATH=$PATH:/sbin ;; esac

_t0=${NSVM_T0:-$(date +%s)}
export NSVM_T0=$_t0

log() {
	printf '[%4ds] %s\n' "$(( $(date +%s) - _t0 ))" "$*" >&2
}

die() {
	printf 'ERROR: %s\n' "$*" >&2
	exit 1
}

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found; run 'make deps' (or scripts/deps.sh) first"
	done
}

# Version string of the installed base package, e.g. 6.12.117-1~deb12u1.
base_version() {
	[ -z "${NSVM_BASE_VERSION:-}" ] || { echo "$NSVM_BASE_VERSION"; return; }
	dpkg-query -W -f='${Version}' "$BASE_PKG" 2>/dev/null ||
		die "$BASE_PKG is not installed; run 'make deps'"
}

# Time a phase: phase NAME cmd args...  Appends "NAME seconds" to $BUILD/phases.
phase() {
	local name=$1 s rc
	shift
	s=$(date +%s)
	log "== $name: start"
	"$@"
	rc=$?
	mkdir -p "$BUILD"
	echo "$name $(( $(date +%s) - s ))" >> "$BUILD/phases"
	log "== $name: done in $(( $(date +%s) - s ))s (rc=$rc)"
	return $rc
}

# kernel_phases FLAVOR: apply the series, configure and build the kernel of
# FLAVOR (configs/), each a phase; false at the first that fails.
kernel_phases() {
	phase "apply patches/series" "$TOP/scripts/apply.sh" &&
		phase "configure $1 kernel" "$TOP/scripts/config.sh" "$1" &&
		phase "build $1 kernel" "$TOP/scripts/build.sh" "$1"
}

# boot_phases GUEST KERNEL TAP HEADER [PARSE-RESULTS ARGS...]: the guest
# half of bench.sh, stress.sh and kcsan.sh: the initramfs of GUEST (its
# programs are guest/GUEST) on the kernel of flavor KERNEL ($BUILD/out-GUEST
# links to its .config, bzImage and modules when the two differ), one boot,
# and the verdict (guest_verdict, with HEADER) written to TAP.  Its status:
# that of the boot, else of the verdict.
boot_phases() {
	local guest=$1 kernel=$2 tap=$3 header=$4 rc prc
	local out=$BUILD/out-$guest kout=$BUILD/out-$kernel
	shift 4
	if [ "$guest" != "$kernel" ]; then
		mkdir -p "$out/arch/x86/boot"
		ln -sfn "$kout/.config" "$out/.config"
		ln -sfn "$kout/arch/x86/boot/bzImage" "$out/arch/x86/boot/bzImage"
		ln -sfn "$kout/modroot" "$out/modroot"
	fi
	phase "$guest initramfs" "$TOP/scripts/initramfs.sh" "$guest" || return 1
	phase "boot the $guest guest in QEMU" "$TOP/scripts/run-qemu.sh" "$guest"
	rc=$?
	guest_verdict "$guest" "$@" --header "$header" > "$tap"
	prc=$?
	[ $rc = 0 ] && rc=$prc
	return $rc
}

# count_taps RC TAP...: one line per TAP file (its count line, or "no
# result"), then the sum "N passed, N failed, N skipped".  A missing count
# line is a failure, and so is a non-zero RC that left none (the count must
# agree with the exit status).  Status: 0 only if nothing failed.
count_taps() {
	local rc=$1 t line p=0 f=0 s=0
	shift
	for t in "$@"; do
		line=$(tail -n 1 "$t" 2>/dev/null)
		if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
			echo "# ${t##*/}: $line"
			p=$((p + BASH_REMATCH[1]))
			f=$((f + BASH_REMATCH[2]))
			s=$((s + BASH_REMATCH[3]))
		else
			echo "# ${t##*/}: no result"
			f=$((f + 1))
		fi
	done
	if [ "$rc" != 0 ] && [ $f = 0 ]; then
		echo "# a phase failed without a TAP line (see the messages above)"
		f=1
	fi
	echo "$p passed, $f failed, $s skipped"
	[ $f = 0 ]
}

# The patch files of patches/series in order (comments, blank lines
# dropped): the one parser of the series file.
series_list() {
	[ -f "$PATCHES/series" ] || die "missing $PATCHES/series (an empty file is a valid, empty series)"
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$PATCHES/series"
}

# Identity of base + series content; recorded in $SRC/.git/nsvm-series with
# the commit it produced, so an unchanged series is not re-applied.
series_id() {
	local p
	{ base_version; series_list | while read -r p; do sha256sum < "$PATCHES/$p"; done; } |
		sha256sum | cut -c1-16
}

# Objects that the test configuration builds ($BUILD/out-test) in every
# directory where the series touches a C file: what the W=1/sparse check
# compiles and what "bisect.sh quick" builds per prefix.
touched_objects() {
	local d c o
	git -C "$SRC" diff --name-only refs/tags/base HEAD -- '*.c' |
		xargs -r -n1 dirname | sort -u | while read -r d; do
			for c in "$SRC/$d"/*.c; do
				o=${c#"$SRC"/}
				o=${o%.c}.o
				[ -f "$BUILD/out-test/$o" ] && echo "$o"
			done
		done
	return 0
}

# One run at a time per build directory: two runs in one checkout would
# overwrite each other's tree, kernel and logs.  Scripts started by a
# script that holds the lock (main.sh -> test.sh) inherit it.
lock_build() {
	[ "${NSVM_LOCKED:-}" != "$BUILD" ] || return 0
	mkdir -p "$BUILD"
	exec 8> "$BUILD/.lock"
	if ! flock -n 8; then
		die "another run is using $BUILD ($(cat "$BUILD/.lock.pid" 2>/dev/null || echo '?')); wait for it or set NSVM_BUILD to another directory"
	fi
	echo "pid $$, $(date -u '+%F %T') UTC" > "$BUILD/.lock.pid"
	export NSVM_LOCKED=$BUILD
}

# kunit_parse KUNIT_PY CONSOLE DIR: "kunit.py parse --json" of every KTAP
# stream of CONSOLE (split by parse-results.py --split-ktap, which strips
# the printk prefix with the same pattern as its report scan), one
# DIR/kunit.N.json each, whose paths it prints.
kunit_parse() {
	local kunit=$1 console=$2 dir=$3 f
	rm -f "$dir"/kunit.*.log "$dir"/kunit.*.json "$dir"/kunit.*.txt
	python3 "$TOP/scripts/parse-results.py" --split-ktap "$console" "$dir"
	for f in "$dir"/kunit.*.log; do
		[ -e "$f" ] || continue
		python3 "$kunit" parse --json="${f%.log}.json" "$f" > "${f%.log}.txt" 2>&1 || true
		echo "${f%.log}.json"
	done
}

# The verdict of one flavor's boot: parse-results.py on its console and
# results, plus any further arguments (--checks, --header...), as TAP on
# stdout; the exit status is the parser's.  The one pipeline behind
# test.sh and bench.sh.
guest_verdict() {
	local flavor=$1 out=$BUILD/out-$1 run=$BUILD/out-$1/run sym suite t
	shift
	local args=("$@" --chktaint "$SRC/tools/debugging/kernel-chktaint")
	if [ -f "$run/console.log" ]; then
		if grep -q '^CONFIG_KUNIT=y' "$out/.config"; then
			# KUnit: the base tree's own parser, once per KTAP stream
			while read -r t; do
				args+=(--kunit-json "$t")
			done < <(kunit_parse "$SRC/tools/testing/kunit/kunit.py" \
				 "$run/console.log" "$run")
			while read -r sym suite; do
				case $sym in CONFIG_*) ;; *) continue ;; esac
				grep -q "^$sym=y" "$out/.config" && args+=(--expect-kunit "$suite")
			done < "$TOP/configs/kunit-suites"
		fi
		for t in "$out/initramfs/nsvm/tests/"*; do
			args+=(--expect-tests "${t##*/}")
		done
		args+=(--console "$run/console.log" --results "$run/results.log")
	fi
	[ -f "$run/accel" ] && args+=(--header "guest: QEMU $(cat "$run/accel"), kernel $out/arch/x86/boot/bzImage")
	python3 "$TOP/scripts/parse-results.py" "${args[@]}"
}
