# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the harness scripts: paths, logging, phase timing.
# Sourced, never executed.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${NSVM_CACHE:-$HOME/.cache/nouveau-svm}
BUILD=${NSVM_BUILD:-$TOP/build}
SRC=$BUILD/linux
BASE_PKG=linux-source-6.12
BASE_TARBALL=/usr/src/linux-source-6.12.tar.xz
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}

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

# The patch files of patches/series in order (comments, blank lines dropped).
series_list() {
	[ -f "$TOP/patches/series" ] || die "missing patches/series (an empty file is a valid, empty series)"
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$TOP/patches/series"
}

# Identity of base + series content; recorded in $SRC/.git/nsvm-series with
# the commit it produced, so an unchanged series is not re-applied.
series_id() {
	local p
	{ base_version; series_list | while read -r p; do sha256sum < "$TOP/patches/$p"; done; } |
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
