#!/bin/sh
# Installs the Debian packages the image tests need (tiers 1-3, amd64 and
# arm64) on a fresh Debian 12 machine, and lets binfmt_misc hand arm64
# programs to qemu-user (CI machines whose PID 1 is not systemd never run
# systemd-binfmt.service). Idempotent: does nothing when everything is present.
# On Debian 12 qemu-user comes from bookworm-backports (QEMU 10): Debian 12's
# own 7.2 starts no unit of trixie's systemd 257 in an arm64 container.
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
# The version of the qemu-user that binfmt_misc runs for arm64 programs (with
# the F flag the kernel keeps the binary it opened at registration, even after
# an upgrade replaced the file): "10.0", or nothing.
qemu_user_version() {
    QEMU_VERSION=1 /usr/lib/arch-test/arm64 2>/dev/null | sed -n 's/^qemu-aarch64 version \([0-9]*\.[0-9]*\).*/\1/p'
}
old_qemu_user() {
    version=$(qemu_user_version)
    [ -z "$version" ] || [ "${version%%.*}" -lt 8 ]
}
binfmt() {
    [ "$(id -u)" -eq 0 ] || return 0
    if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || return 0
    fi
    old_qemu_user || return 0
    conf=/usr/lib/binfmt.d/qemu-aarch64.conf   # qemu-user-binfmt (QEMU 9.1 and newer)
    if [ -f "$conf" ]; then
        [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo -1 >/proc/sys/fs/binfmt_misc/qemu-aarch64
        grep -v '^#' "$conf" >/proc/sys/fs/binfmt_misc/register || true
    else
        update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    fi
}
# Debian 12: QEMU 10's qemu-user from bookworm-backports (static binaries, no
# library of the host), so that an arm64 container's systemd runs.
backports=/etc/apt/sources.list.d/carttocart-bookworm-backports.sources
newer_qemu_user() {
    grep -qx 'VERSION_CODENAME=bookworm' /etc/os-release || return 0
    dpkg-query -W -f '${Version}' qemu-user 2>/dev/null | grep -q '^1:\(9\.[1-9]\|[1-9][0-9]\)' && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: qemu-user is older than 8 (run as root to get bookworm-backports' QEMU 10)" >&2
        return 0
    fi
    echo "install-deps: installing qemu-user from bookworm-backports" >&2
    printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
        'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >"$backports"
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get update -qq
    timeout 600 apt-get install -y -qq --no-install-recommends qemu-user/bookworm-backports \
        qemu-user-binfmt/bookworm-backports qemu-user-static/bookworm-backports >/dev/null
}
if [ -z "$need" ]; then
    newer_qemu_user
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
newer_qemu_user
binfmt
