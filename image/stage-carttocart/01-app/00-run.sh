#!/bin/bash -e
# pi-gen, on the build host: copy the wheelhouse, units, rules and defaults into the target.
# shellcheck disable=SC2154 # ROOTFS_DIR is exported by pi-gen
install -d "${ROOTFS_DIR}/opt/carttocart/wheelhouse" "${ROOTFS_DIR}/usr/share/carttocart"
install -m 644 files/wheelhouse/*.whl files/wheelhouse/requirements.txt "${ROOTFS_DIR}/opt/carttocart/wheelhouse/"
install -m 644 files/image-defaults.toml "${ROOTFS_DIR}/usr/share/carttocart/image-defaults.toml"
install -m 644 ../../../config/*.toml "${ROOTFS_DIR}/usr/share/carttocart/"
install -m 644 ../../README.md "${ROOTFS_DIR}/usr/share/carttocart/README.md"
for unit in carttocart.service carttocart-provision.service carttocart-clock.service \
	carttocart-data.service carttocart-grow-data.service carttocart-wireguard.service \
	carttocart-ssh-tunnel.service; do
	install -m 644 "files/${unit}" "${ROOTFS_DIR}/etc/systemd/system/${unit}"
done
install -m 644 files/carttocart-clock.timer "${ROOTFS_DIR}/etc/systemd/system/carttocart-clock.timer"
install -m 755 files/carttocart-data-setup "${ROOTFS_DIR}/usr/local/sbin/carttocart-data-setup"
install -m 644 files/78-carttocart-modems.rules "${ROOTFS_DIR}/etc/udev/rules.d/78-carttocart-modems.rules"
# The example goes on the boot partition too, where the merchant edits it.
if [ -d "${ROOTFS_DIR}/boot/firmware" ]; then
	install -m 644 ../../../config/carttocart.boot.example.toml "${ROOTFS_DIR}/boot/firmware/carttocart.toml.example"
fi
