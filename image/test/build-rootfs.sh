#!/bin/bash
# Make the appliance's root filesystem for the tests: the cached Debian base,
# then image/stage-carttocart applied with pi-gen's semantics, then the test-only
# smoke service. Usage: build-rootfs.sh OUT_DIR
# CARTTOCART_IMAGE_ARCH=arm64 builds the Pi's architecture under qemu-user
# (binfmt_misc must hand aarch64 programs to qemu-aarch64-static).
# The amd64 and arm64 roots may be built at the same time: each applies its own
# copy of the stage, with its own wheelhouse.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
out=${1:?usage: build-rootfs.sh OUT_DIR}

if [ "$ARCH" = arm64 ] && ! arch-test arm64 >/dev/null 2>&1; then
	echo "build-rootfs: this machine cannot run arm64 programs (binfmt_misc + qemu-user-static)" >&2
	exit 3
fi
tar=$(base_tarball)
rm -rf "$out"
mkdir -p "$out"
log "extracting the base root filesystem"
tar -C "$out" -xpf "$tar"
mkdir -p "$out/boot/firmware"

# The stage's copy, where its relative paths (../../../config, ../../README.md) still resolve.
tree=$WORK_DIR/stage-$ARCH
rm -rf "$tree"
mkdir -p "$tree/image"
cp -a "$IMAGE_DIR/stage-carttocart" "$tree/image/"
rm -rf "$tree/image/stage-carttocart/01-app/files/wheelhouse"
ln -s "$IMAGE_DIR/README.md" "$tree/image/README.md"
ln -s "$IMAGE_DIR/../config" "$tree/config"
trap 'rm -rf "$tree"' EXIT
log "building the wheelhouse"
TARGET_ARCH=$ARCH timeout 300 "$IMAGE_DIR/build-wheelhouse.sh" "$tree/image/stage-carttocart/01-app/files/wheelhouse" >/dev/null
log "applying image/stage-carttocart"
timeout 1500 "$IMAGE_DIR/test/apply-stage.sh" "$tree/image/stage-carttocart" "$out"

# Test-only: the smoke check that reports from inside the booted box, and a
# rule naming QEMU's emulated USB serial adapter (FTDI) like a supported modem.
install -D -m 755 "$IMAGE_DIR/test/smoke.py" "$out/usr/local/lib/carttocart-ci/smoke.py"
install -D -m 644 "$IMAGE_DIR/test/ci-smoke.service" "$out/etc/systemd/system/ci-smoke.service"
install -D -m 644 "$IMAGE_DIR/test/79-ci-qemu-modem.rules" "$out/etc/udev/rules.d/79-ci-qemu-modem.rules"
chroot "$out" systemctl enable ci-smoke.service >/dev/null 2>&1
# No root password prompt on the console, no getty needed.
chroot "$out" systemctl mask getty@tty1.service serial-getty@ttyS0.service serial-getty@ttyAMA0.service \
	>/dev/null 2>&1 || true
log "root filesystem ready in $out"
