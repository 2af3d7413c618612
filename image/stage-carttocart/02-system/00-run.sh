#!/bin/bash -e
# pi-gen, on the build host: system settings for an unattended appliance.
# shellcheck disable=SC2154 # ROOTFS_DIR is exported by pi-gen
install -D -m 644 files/journald.conf "${ROOTFS_DIR}/etc/systemd/journald.conf.d/50-carttocart.conf"
install -D -m 644 files/watchdog.conf "${ROOTFS_DIR}/etc/systemd/system.conf.d/50-carttocart-watchdog.conf"
install -D -m 644 files/modules-load.conf "${ROOTFS_DIR}/etc/modules-load.d/carttocart.conf"

# The GPIO UART belongs to a SIM800-style HAT, not to a serial console.
boot="${ROOTFS_DIR}/boot/firmware"
if [ -f "${boot}/cmdline.txt" ]; then
	sed -i -e 's/console=serial0,[0-9]* *//' -e 's/console=ttyAMA0,[0-9]* *//' "${boot}/cmdline.txt"
	if [ "${CARTTOCART_READONLY_ROOT:-0}" = 1 ] && ! grep -q overlayroot= "${boot}/cmdline.txt"; then
		sed -i '1s/^/overlayroot=tmpfs:recurse=0 /' "${boot}/cmdline.txt"
	fi
fi
if [ -f "${boot}/config.txt" ] && ! grep -q '^# CartToCart' "${boot}/config.txt"; then
	cat files/config.txt >> "${boot}/config.txt"
fi
