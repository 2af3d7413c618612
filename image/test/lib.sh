# Shared by the image test scripts (sourced). Paths and the cached base root filesystem.
# shellcheck shell=bash
IMAGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK_DIR=${CARTTOCART_IMAGE_WORK:-$IMAGE_DIR/build-area}
CACHE_DIR=$WORK_DIR/cache
SUITE=trixie
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# amd64 (native) or arm64 (the Pi's architecture, under qemu-user through binfmt).
ARCH=${CARTTOCART_IMAGE_ARCH:-amd64}
case "$ARCH" in
amd64 | arm64) ;;
*)
	echo "CARTTOCART_IMAGE_ARCH must be amd64 or arm64, not $ARCH" >&2
	exit 2
	;;
esac
# The stand-in for Raspberry Pi OS Lite: Debian with systemd, plus Debian's kernel for the QEMU tier.
BASE_PACKAGES=systemd,systemd-sysv,udev,dbus,python3,python3-venv,ca-certificates,iproute2,kmod,linux-image-$ARCH,initramfs-tools,zstd

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Under emulation, the test root's initramfs carries only the modules QEMU's
# virt machine needs (image/test/initramfs-ci): put in place before the kernel
# is installed, so that mkinitramfs runs in minutes, not a quarter of an hour.
base_hooks() {
	[ "$ARCH" = amd64 ] && return 0
	printf '%s\0' --essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" \"\$1/etc/initramfs-tools/hooks\"" \
		--essential-hook="cp $IMAGE_DIR/test/initramfs-ci/carttocart-ci.conf \"\$1/etc/initramfs-tools/conf.d/\"" \
		--essential-hook="cp $IMAGE_DIR/test/initramfs-ci/carttocart-ci-modules \"\$1/etc/initramfs-tools/hooks/\""
}

# The base root filesystem as a tarball, made once and cached (keyed on suite,
# architecture, packages and, under emulation, the initramfs settings).
base_tarball() {
	local key tar hooks=()
	mapfile -d '' -t hooks < <(base_hooks)
	if [ "$ARCH" = amd64 ]; then
		key=$(printf '%s %s' "$SUITE" "$BASE_PACKAGES" | sha256sum | cut -c1-12)
	else
		key=$( (printf '%s %s %s' "$SUITE" "$ARCH" "$BASE_PACKAGES" && cat "$IMAGE_DIR"/test/initramfs-ci/*) | sha256sum | cut -c1-12)
	fi
	tar=$CACHE_DIR/$SUITE-$ARCH-$key.tar
	if [ ! -s "$tar" ]; then
		mkdir -p "$CACHE_DIR"
		log "mmdebstrap $SUITE $ARCH (cached afterwards in $tar)"
		timeout 1800 mmdebstrap --quiet --variant=minbase --format=tar --arch="$ARCH" "${hooks[@]}" \
			--include="$BASE_PACKAGES" "$SUITE" "$tar.partial" "$MIRROR" >&2
		mv "$tar.partial" "$tar"
	fi
	printf '%s\n' "$tar"
}
