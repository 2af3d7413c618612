#!/bin/sh
# Installs the Debian packages the image tests need (tiers 1-3, amd64 and
# arm64) on a fresh Debian 12 machine, and lets binfmt_misc hand arm64
# programs to qemu-user (CI machines whose PID 1 is not systemd never run
# binfmt-support.service). Idempotent: does nothing when everything is present.
# Needs root; without it, prints what is missing and exits 0 so the tests
# can skip with that reason.
set -eu
need=""
have() { command -v "$1" >/dev/null 2>&1; }
have mmdebstrap || need="$need mmdebstrap"
have systemd-nspawn || need="$need systemd-container"
have qemu-system-x86_64 || need="$need qemu-system-x86"
have qemu-system-aarch64 || need="$need qemu-system-arm"
have qemu-aarch64-static || need="$need qemu-user-static"
have update-binfmts || need="$need binfmt-support"
have arch-test || need="$need arch-test"
have shellcheck || need="$need shellcheck"
have mkfs.vfat || need="$need dosfstools"
have mcopy || need="$need mtools"
have sfdisk || need="$need fdisk"
have mkfs.ext4 || need="$need e2fsprogs"
have udevadm || need="$need udev"
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || need="$need debian-archive-keyring"
binfmt() {
    [ "$(id -u)" -eq 0 ] || return 0
    if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || return 0
    fi
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 && return 0
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
}
if [ -z "$need" ]; then
    binfmt
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing:$need (run as root, or install them with apt)" >&2
    exit 0
fi
echo "install-deps: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 300 apt-get update -qq
# shellcheck disable=SC2086
timeout 600 apt-get install -y -qq --no-install-recommends $need >/dev/null
binfmt
