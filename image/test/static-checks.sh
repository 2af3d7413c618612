#!/bin/bash
# Tier 1: static checks of the stage. Usage: static-checks.sh ROOTFS
# ROOTFS is a Debian trixie root (amd64, or arm64 under qemu-user) with the stage applied (build-rootfs.sh): its
# systemd (257) verifies the units and the udev rules as the box will see them.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
rootfs=$(cd "${1:?usage: static-checks.sh ROOTFS}" && pwd)
max_exposure=${MAX_EXPOSURE:-2.0}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

echo "== shellcheck"
mapfile -t scripts < <(find "$IMAGE_DIR/stage-carttocart" "$IMAGE_DIR/test" "$IMAGE_DIR" -maxdepth 3 \
	\( -name '*.sh' -o -name carttocart-data-setup \) -type f -not -path "$IMAGE_DIR/build-area/*" | sort -u)
timeout 120 shellcheck -x -P SCRIPTDIR "${scripts[@]}" || fail "shellcheck"

echo "== pi-gen skips NN-run.sh files that are not executable"
while read -r script; do
	[ -x "$script" ] || fail "$script is not executable"
done < <(find "$IMAGE_DIR/stage-carttocart" -name '[0-9][0-9]-run.sh')

mount -t proc proc "$rootfs/proc"
trap 'umount -l "$rootfs/proc"' EXIT
in_root() { timeout 60 chroot "$rootfs" "$@"; }

echo "== systemd-analyze verify"
mapfile -t units < <(cd "$rootfs" && ls etc/systemd/system/carttocart*.service)
[ "${#units[@]}" -ge 7 ] || fail "expected the 7 units of the stage, found ${#units[@]}"
out=$(in_root systemd-analyze verify "${units[@]/#//}" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify is not clean: $out"

echo "== systemd-analyze security --offline (exposure at most $max_exposure)"
for unit in "${units[@]}"; do
	line=$(in_root systemd-analyze security --offline=yes "/$unit" 2>&1 | grep 'Overall exposure level')
	level=$(sed -n 's/.*: \([0-9.]*\) .*/\1/p' <<<"$line")
	echo "$(basename "$unit"): ${level:-?}"
	if [ -z "$level" ] || ! awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l <= m) }'; then
		fail "$(basename "$unit") exposure ${level:-unknown} > $max_exposure"
	fi
done

echo "== udevadm verify"
out=$(in_root udevadm verify /etc/udev/rules.d/78-carttocart-modems.rules 2>&1) || fail "udevadm verify: $out"
echo "$out" | tail -2

echo "== ModemManager and serial consoles masked"
for unit in ModemManager.service serial-getty@ttyAMA0.service serial-getty@ttyS0.service; do
	[ "$(readlink "$rootfs/etc/systemd/system/$unit")" = /dev/null ] || fail "$unit is not masked"
done

echo "== the application runs in the target's own venv"
out=$(in_root /opt/carttocart/venv/bin/carttocart --version 2>&1) || fail "carttocart --version: $out"
echo "$out"
echo "== the PostgreSQL driver (a C extension) loads on the target's architecture"
out=$(in_root /opt/carttocart/venv/bin/python -c 'import platform, psycopg2; print(platform.machine(), psycopg2.__version__)' 2>&1) \
	|| fail "psycopg2 in the venv: $out"
echo "$out"

if [ "$failures" -gt 0 ]; then
	echo "static checks: $failures failure(s)"
	exit 1
fi
echo "static checks: all passed"
