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

# The packages image/stage-carttocart installs (its NN-packages and NN-packages-nr
# files), comma-separated. The cached base carries them already: apply-stage.sh
# then finds them installed and needs no package lists (under emulation apt-get
# update alone takes minutes) and no second initramfs (overlayroot's hook).
stage_packages() {
	sed -e 's/#.*//' "$IMAGE_DIR"/stage-carttocart/*/[0-9][0-9]-packages* | tr -s ' ' '\n' | sed '/^$/d' | paste -sd,
}

# The hooks of the base's mmdebstrap run (NUL-separated). update-initramfs is
# diverted to a no-op while packages install (the kernel's postinst and every
# hook's trigger would each run mkinitramfs), then runs once at the end.
# Under emulation, the test root's initramfs carries only the modules QEMU's
# virt machine needs (image/test/initramfs-ci), put in place before the kernel.
base_hooks() {
	local stub='/usr/sbin/update-initramfs'
	printf '%s\0' --dpkgopt=force-unsafe-io \
		--essential-hook="chroot \"\$1\" dpkg-divert --quiet --local --rename --divert $stub.carttocart-ci --add $stub" \
		--essential-hook="printf '#!/bin/sh\nexit 0\n' >\"\$1$stub\" && chmod 755 \"\$1$stub\"" \
		--customize-hook="rm -f \"\$1$stub\" && chroot \"\$1\" dpkg-divert --quiet --local --rename --remove $stub" \
		--customize-hook="for k in \"\$1\"/usr/lib/modules/*; do chroot \"\$1\" update-initramfs -c -k \"\${k##*/}\"; done"
	[ "$ARCH" = amd64 ] && return 0
	printf '%s\0' --essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" \"\$1/etc/initramfs-tools/hooks\"" \
		--essential-hook="cp $IMAGE_DIR/test/initramfs-ci/carttocart-ci.conf \"\$1/etc/initramfs-tools/conf.d/\"" \
		--essential-hook="cp $IMAGE_DIR/test/initramfs-ci/carttocart-ci-modules \"\$1/etc/initramfs-tools/hooks/\""
}

# What the cached base is made from (its cache key), without this checkout's path.
base_recipe() {
	printf '%s %s\n' "$SUITE" "$ARCH" && printf '%s\n' "$@" | sed "s|$IMAGE_DIR|image|g"
	if [ "$ARCH" != amd64 ]; then cat "$IMAGE_DIR"/test/initramfs-ci/*; fi
}

# The base root filesystem as a tarball, made once and cached (keyed on suite,
# architecture, packages, how it is made and, under emulation, the initramfs settings).
base_tarball() {
	local key tar packages hooks=()
	mapfile -d '' -t hooks < <(base_hooks)
	packages="$BASE_PACKAGES,$(stage_packages)"
	key=$(base_recipe "$packages" "${hooks[@]}" | sha256sum | cut -c1-12)
	tar=$CACHE_DIR/$SUITE-$ARCH-$key.tar
	if [ ! -s "$tar" ]; then
		mkdir -p "$CACHE_DIR"
		log "mmdebstrap $SUITE $ARCH (cached afterwards in $tar)"
		timeout 1800 mmdebstrap --quiet --variant=minbase --format=tar --arch="$ARCH" "${hooks[@]}" \
			--include="$packages" "$SUITE" "$tar.partial" "$MIRROR" >&2
		mv "$tar.partial" "$tar"
		log "base root filesystem cached"
	fi
	printf '%s\n' "$tar"
}
