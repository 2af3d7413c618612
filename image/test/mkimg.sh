#!/bin/bash
# Tier 3: assemble a disk image like the appliance's card, without loop devices:
# p1 FAT "bootfs" (/boot/firmware), p2 ext4 "rootfs", p3 ext4 "data" (/data).
# Usage: mkimg.sh ROOTFS OUT.img [BOOT_CONFIG]
# ROOTFS is copied, not changed; BOOT_CONFIG becomes bootfs/carttocart.toml.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
rootfs=${1:?usage: mkimg.sh ROOTFS OUT.img [BOOT_CONFIG]}
img=${2:?usage: mkimg.sh ROOTFS OUT.img [BOOT_CONFIG]}
config=${3:-}
boot_mb=128
data_mb=256
start_mb=4

work=$(mktemp -d "$(dirname "$img")/mkimg.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "copying the root filesystem"
cp -a "$rootfs" "$work/root"
cat >> "$work/root/etc/fstab" <<'FSTAB'
LABEL=rootfs    /               ext4  defaults,noatime  0  1
LABEL=bootfs    /boot/firmware  vfat  defaults          0  2
FSTAB
mkdir -p "$work/bootfs"
mv "$work/root/boot/firmware/"* "$work/bootfs/" 2>/dev/null || true
[ -z "$config" ] || install -m 644 "$config" "$work/bootfs/carttocart.toml"
# Test images only: what the in-box smoke check should do (image/test/smoke.py).
if [ -n "${CI_SCENARIO:-}" ]; then
	install -d "$work/root/etc/carttocart-ci"
	printf '%s\n' "$CI_SCENARIO" > "$work/root/etc/carttocart-ci/scenario"
fi

root_mb=$(( $(du -sm "$work/root" | cut -f1) * 12 / 10 + 300 ))
log "making the file systems (boot ${boot_mb} MB, root ${root_mb} MB, data ${data_mb} MB)"
mkfs.vfat -C -n bootfs "$work/boot.fat" $((boot_mb * 1024)) >/dev/null
mcopy -s -i "$work/boot.fat" "$work/bootfs/"* ::/
mkfs.ext4 -q -L rootfs -d "$work/root" "$work/root.ext4" "${root_mb}M"
mkfs.ext4 -q -L data "$work/data.ext4" "${data_mb}M"

log "writing $img"
rm -f "$img"
truncate -s $(( (start_mb + boot_mb + root_mb + data_mb + 1) * 1024 * 1024 )) "$img"
sfdisk --quiet "$img" <<SFDISK
label: dos
start=${start_mb}MiB, size=${boot_mb}MiB, type=c
start=$((start_mb + boot_mb))MiB, size=${root_mb}MiB, type=83
start=$((start_mb + boot_mb + root_mb))MiB, size=${data_mb}MiB, type=83
SFDISK
dd if="$work/boot.fat" of="$img" bs=1M seek="$start_mb" conv=notrunc,sparse status=none
dd if="$work/root.ext4" of="$img" bs=1M seek=$((start_mb + boot_mb)) conv=notrunc,sparse status=none
dd if="$work/data.ext4" of="$img" bs=1M seek=$((start_mb + boot_mb + root_mb)) conv=notrunc,sparse status=none
# The kernel and initramfs the VM boots directly (a Pi's firmware would load its own).
cp -L "$work/root/vmlinuz" "$img.vmlinuz"
cp -L "$work/root/initrd.img" "$img.initrd"
log "image ready: $img"
