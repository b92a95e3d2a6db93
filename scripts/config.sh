#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure $BUILD/out-FLAVOR from tinyconfig plus the fragments of that
# flavor, with the base tree's merge_config.sh, then check that every option
# a fragment asks for really ended up in .config (Kconfig silently drops an
# option whose dependencies are missing).
#   test:  qemu + mm-test + debug + nouveau + series
#   bench: qemu + mm-test + bench
#   kcsan: qemu + mm-test + kcsan + nouveau + series
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:?usage: config.sh test|bench|kcsan}
case $flavor in
test)	frags="qemu-x86_64 mm-test debug nouveau series" ;;
bench)	frags="qemu-x86_64 mm-test bench" ;;
kcsan)	frags="qemu-x86_64 mm-test kcsan nouveau series" ;;
*)	die "unknown flavor '$flavor' (test, bench or kcsan)" ;;
esac
out=$BUILD/out-$flavor
mkdir -p "$out"
tmp=$out.tiny
paths=()
for f in $frags; do paths+=("$TOP/configs/$f.config"); done

make -s -C "$SRC" O="$out.cfg" tinyconfig >/dev/null
cp "$out.cfg/.config" "$tmp"
# -m: merge only; olddefconfig below resolves the dependencies.
(cd "$SRC" && scripts/kconfig/merge_config.sh -m -O "$out.cfg" "$tmp" "${paths[@]}" >/dev/null)
make -s -C "$SRC" O="$out.cfg" olddefconfig >/dev/null
rm -f "$tmp"

# Every request must hold.  Options that this tree's Kconfig does not define
# are an error, except in series.config (options added by our patches).
defined() { grep -rqsE "^(menu)?config $1\$" --include='Kconfig*' "$SRC"; }
bad=0
for p in "${paths[@]}"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)		sym=${line%%=*}; want=$line ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; want=$line ;;
		*)			continue ;;
		esac
		got=$(grep -E "^$sym=|^# $sym is not set" "$out.cfg/.config" || true)
		[ -n "$got" ] || got="# $sym is not set"
		[ "$got" = "$want" ] && continue
		if [ "${p##*/}" = series.config ] && ! defined "${sym#CONFIG_}"; then
			log "config: ${sym} not defined by this tree (its patch is not applied); skipped"
			continue
		fi
		echo "ERROR: config ${p##*/}: asked '$want', got '$got' (missing dependency?)" >&2
		bad=1
	done < "$p"
done
[ $bad = 0 ] || die "configuration of '$flavor' does not match configs/ (see above)"

# Keep the old .config (and its timestamps) when nothing changed.
if ! cmp -s "$out.cfg/.config" "$out/.config"; then
	cp "$out.cfg/.config" "$out/.config"
	log "config $flavor: written $out/.config"
else
	log "config $flavor: unchanged"
fi
rm -rf "$out.cfg"
