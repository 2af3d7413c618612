#!/bin/bash
# Tier 2: boot the appliance's root filesystem as a container, with a settings
# file on its "boot partition", and print the smoke check's CI- lines.
# Usage: boot-nspawn.sh ROOTFS BOOT_CONFIG [TIMEOUT_SECONDS]
set -euo pipefail
rootfs=${1:?usage: boot-nspawn.sh ROOTFS BOOT_CONFIG [TIMEOUT]}
config=${2:?usage: boot-nspawn.sh ROOTFS BOOT_CONFIG [TIMEOUT]}
limit=${3:-180}
install -m 644 "$config" "$rootfs/boot/firmware/carttocart.toml"
# nspawn refuses to clean up its propagation folder on a disk-backed /run (a CI
# machine whose PID 1 is not systemd): give it a tmpfs for the boot.
if [ "$(findmnt -n -o FSTYPE --target /run/systemd)" != tmpfs ]; then
	mkdir -p /run/systemd/nspawn
	mount -t tmpfs -o mode=0755 carttocart-ci /run/systemd/nspawn
	trap 'umount -l /run/systemd/nspawn' EXIT
fi
# PID 1 of a CI machine may not be systemd: no registration, no scope of our own.
timeout --kill-after=10 "$limit" systemd-nspawn -q -D "$rootfs" -b --private-network \
	--register=no --keep-unit --console=pipe </dev/null 2>&1 | tr -d '\r'
