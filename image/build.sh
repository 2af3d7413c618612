#!/bin/bash
# Build the CartToCart Raspberry Pi image (64-bit Raspberry Pi OS Lite + our
# stage) with pi-gen, on a Debian/Ubuntu machine with internet access, as root.
# See image/README.md for the step-by-step guide. The result:
#   image/build-area/deploy/carttocart-<date>.img.xz  (+ .sha256, BUILDINFO)
#
# Settings (environment):
#   CARTTOCART_ADMIN_PASSWORD   required: the admin user's password (never usable
#                               over SSH: keys only); keep it in your secrets store
#   CARTTOCART_ADMIN_SSH_KEY    required: the operator's SSH public key
#   CARTTOCART_READONLY_ROOT=1  ship with the read-only root (overlayroot) on
#   PI_GEN_REPO, PI_GEN_BRANCH, PI_GEN_COMMIT   the pinned pi-gen (image/pi-gen.lock)
#   DATA_MB                     initial /data partition size (grows on first boot)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${CARTTOCART_IMAGE_WORK:-$here/build-area}
# shellcheck source=pi-gen.lock
. "$here/pi-gen.lock"
: "${CARTTOCART_ADMIN_PASSWORD:?set CARTTOCART_ADMIN_PASSWORD (see image/README.md)}"
: "${CARTTOCART_ADMIN_SSH_KEY:?set CARTTOCART_ADMIN_SSH_KEY to the SSH public key of the operator}"
[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (pi-gen needs chroot, loop devices, binfmt)" >&2; exit 1; }

step() { printf '\n== %s\n' "$*" >&2; }

step "host packages pi-gen needs"
apt-get install -y --no-install-recommends coreutils quilt parted qemu-user-static debootstrap zerofree zip \
	dosfstools e2fsprogs libarchive-tools libcap2-bin grep rsync xz-utils file git curl bc gpg pigz xxd \
	arch-test bmap-tools kmod fdisk mtools cloud-guest-utils python3 python3-pip >/dev/null
if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
update-binfmts --enable qemu-aarch64 2>/dev/null || true
# pi-gen checks for qemu-arm (Trixie's qemu-user-binfmt); Bookworm hosts have the -static names.
command -v qemu-arm >/dev/null || ln -sf "$(command -v qemu-arm-static)" /usr/local/bin/qemu-arm

step "pi-gen $PI_GEN_BRANCH ${PI_GEN_COMMIT:-(branch head: pin it in image/pi-gen.lock)}"
mkdir -p "$work"
if [ ! -d "$work/pi-gen/.git" ]; then
	git clone --branch "$PI_GEN_BRANCH" "$PI_GEN_REPO" "$work/pi-gen"
fi
git -C "$work/pi-gen" fetch --quiet origin "$PI_GEN_BRANCH"
git -C "$work/pi-gen" checkout --quiet --force "${PI_GEN_COMMIT:-origin/$PI_GEN_BRANCH}"
git -C "$work/pi-gen" clean -fdx --quiet -e work -e deploy
pi_gen_commit=$(git -C "$work/pi-gen" rev-parse HEAD)

step "wheelhouse (the application and its pinned dependencies)"
"$here/build-wheelhouse.sh"

step "pi-gen configuration"
# Only our stage exports an image (stage2 alone would be plain Raspberry Pi OS Lite).
touch "$work/pi-gen/stage2/SKIP_IMAGES"
config=$work/pi-gen/carttocart.config
{
	cat "$here/pi-gen.config"
	printf 'STAGE_LIST="stage0 stage1 stage2 %s"\n' "$here/stage-carttocart"
	printf 'FIRST_USER_PASS=%q\n' "$CARTTOCART_ADMIN_PASSWORD"
	printf 'PUBKEY_SSH_FIRST_USER=%q\n' "$CARTTOCART_ADMIN_SSH_KEY"
	printf 'DEPLOY_DIR=%q\n' "$work/deploy"
	printf 'export CARTTOCART_READONLY_ROOT=%q\n' "${CARTTOCART_READONLY_ROOT:-0}"
} > "$config"

step "pi-gen build (30-60 minutes on x86 with emulation)"
(cd "$work/pi-gen" && ./build.sh -c "$config")

step "the /data partition"
img=$(find "$work/deploy" -maxdepth 1 -name '*-carttocart.img' -newer "$config" | sort | tail -n 1)
[ -n "$img" ] || { echo "build.sh: pi-gen exported no *-carttocart.img" >&2; exit 1; }
"$here/add-data-partition.sh" "$img" "${DATA_MB:-512}"

step "compressing"
xz -T0 -6 -f "$img"
(cd "$(dirname "$img")" && sha256sum "$(basename "$img").xz" > "$(basename "$img").xz.sha256")
{
	echo "image: $(basename "$img").xz"
	echo "carttocart: $(git -C "$here/.." describe --always --dirty)"
	echo "pi-gen: $PI_GEN_REPO $PI_GEN_BRANCH $pi_gen_commit"
	echo "readonly root: ${CARTTOCART_READONLY_ROOT:-0}"
	echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$work/deploy/BUILDINFO"
cat "$work/deploy/BUILDINFO"
