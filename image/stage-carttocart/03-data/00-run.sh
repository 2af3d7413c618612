#!/bin/bash -e
# pi-gen, on the build host: the persistent /data partition and the bind mounts
# that keep settings, database, journal and clock state on it, so that the box
# works the same with a read-only root (overlayroot) or without one.
# image/add-data-partition.sh adds the partition (LABEL=data) to the exported image.
# shellcheck disable=SC2154 # ROOTFS_DIR is exported by pi-gen
install -d "${ROOTFS_DIR}/data" "${ROOTFS_DIR}/var/log/journal" "${ROOTFS_DIR}/var/lib/systemd/timesync"
if ! grep -q 'LABEL=data' "${ROOTFS_DIR}/etc/fstab"; then
	cat files/fstab >> "${ROOTFS_DIR}/etc/fstab"
fi
