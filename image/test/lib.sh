# Shared by the image test scripts (sourced). Paths and the cached base root filesystem.
# shellcheck shell=bash
IMAGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK_DIR=${CARTTOCART_IMAGE_WORK:-$IMAGE_DIR/build-area}
CACHE_DIR=$WORK_DIR/cache
SUITE=trixie
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The stand-in for Raspberry Pi OS Lite: Debian with systemd, plus a kernel for the QEMU tier.
BASE_PACKAGES=systemd,systemd-sysv,udev,dbus,python3,python3-venv,ca-certificates,iproute2,kmod,linux-image-amd64,initramfs-tools,zstd

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# The base root filesystem as a tarball, made once and cached (keyed on suite and packages).
base_tarball() {
	local key tar
	key=$(printf '%s %s' "$SUITE" "$BASE_PACKAGES" | sha256sum | cut -c1-12)
	tar=$CACHE_DIR/$SUITE-amd64-$key.tar
	if [ ! -s "$tar" ]; then
		mkdir -p "$CACHE_DIR"
		log "mmdebstrap $SUITE amd64 (cached afterwards in $tar)"
		timeout 900 mmdebstrap --quiet --variant=minbase --format=tar --include="$BASE_PACKAGES" \
			"$SUITE" "$tar.partial" "$MIRROR" >&2
		mv "$tar.partial" "$tar"
	fi
	printf '%s\n' "$tar"
}
