#!/bin/bash
# Apply a pi-gen stage to a root filesystem directory with pi-gen's semantics,
# so that CI can test image/stage-carttocart without Raspberry Pi OS:
# per sub-stage NN-xxx/ in order, for i in 00..99: i-debconf, i-packages-nr,
# i-packages, i-run.sh (on the host, cwd = sub-stage, if executable),
# i-run-chroot.sh (fed to a shell inside the root).
# Usage: apply-stage.sh STAGE_DIR ROOTFS_DIR        (root; amd64 or a binfmt arch)
set -euo pipefail
stage=$(cd "${1:?usage: apply-stage.sh STAGE_DIR ROOTFS_DIR}" && pwd)
ROOTFS_DIR=$(cd "${2:?usage: apply-stage.sh STAGE_DIR ROOTFS_DIR}" && pwd)
export ROOTFS_DIR

mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null || true
	done
	if [ -e "${ROOTFS_DIR}/etc/resolv.conf.carttocart-ci" ]; then
		mv -f "${ROOTFS_DIR}/etc/resolv.conf.carttocart-ci" "${ROOTFS_DIR}/etc/resolv.conf"
	fi
	rm -f "${ROOTFS_DIR}/usr/sbin/policy-rc.d"
}
trap cleanup EXIT

mount -t proc proc "${ROOTFS_DIR}/proc" && mounted+=("${ROOTFS_DIR}/proc")
mount --bind /dev "${ROOTFS_DIR}/dev" && mounted+=("${ROOTFS_DIR}/dev")
mount --bind /dev/pts "${ROOTFS_DIR}/dev/pts" && mounted+=("${ROOTFS_DIR}/dev/pts")
mount -t sysfs sysfs "${ROOTFS_DIR}/sys" && mounted+=("${ROOTFS_DIR}/sys")
mount -t tmpfs tmpfs "${ROOTFS_DIR}/run" && mounted+=("${ROOTFS_DIR}/run")
mount -t tmpfs tmpfs "${ROOTFS_DIR}/tmp" && mounted+=("${ROOTFS_DIR}/tmp")

# Name resolution for apt, and no service starts inside the chroot.
if [ -e "${ROOTFS_DIR}/etc/resolv.conf" ] || [ -L "${ROOTFS_DIR}/etc/resolv.conf" ]; then
	mv "${ROOTFS_DIR}/etc/resolv.conf" "${ROOTFS_DIR}/etc/resolv.conf.carttocart-ci"
fi
cp -L /etc/resolv.conf "${ROOTFS_DIR}/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' > "${ROOTFS_DIR}/usr/sbin/policy-rc.d"
chmod 755 "${ROOTFS_DIR}/usr/sbin/policy-rc.d"

on_chroot() {
	chroot "${ROOTFS_DIR}" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"
}
packages() {
	sed -e 's/#.*//' "$1" | tr -s ' \n' ' '
}
# Whether every named package (options skipped) is installed: the test roots'
# cached base carries the stage's packages (lib.sh), so apt has nothing to do.
installed() {
	local pkg names=() status
	for pkg in "$@"; do
		[ "${pkg#-}" = "$pkg" ] && names+=("$pkg")
	done
	# shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
	status=$(on_chroot dpkg-query -W -f '${db:Status-Abbrev}\n' "${names[@]}" 2>/dev/null) || return 1
	[ "$(grep -c '^ii ' <<<"$status")" -eq "${#names[@]}" ]
}
apt_updated=0
apt_install() {
	if installed "$@"; then
		echo "apply-stage: already installed: $*" >&2
		return 0
	fi
	if [ "$apt_updated" = 0 ]; then
		on_chroot apt-get update -qq   # mmdebstrap leaves the package lists empty
		apt_updated=1
	fi
	on_chroot apt-get install -y -qq -o APT::Acquire::Retries=3 "$@" >/dev/null
}

for sub in "${stage}"/[0-9][0-9]-*/; do
	[ -d "$sub" ] || continue
	echo "$(date -u +%H:%M:%S) apply-stage: ${sub#"${stage}"/}" >&2
	for i in $(seq -w 0 99); do
		if [ -f "${sub}${i}-debconf" ]; then
			on_chroot debconf-set-selections < "${sub}${i}-debconf"
		fi
		if [ -f "${sub}${i}-packages-nr" ]; then
			# shellcheck disable=SC2046
			apt_install --no-install-recommends $(packages "${sub}${i}-packages-nr")
		fi
		if [ -f "${sub}${i}-packages" ]; then
			# shellcheck disable=SC2046
			apt_install $(packages "${sub}${i}-packages")
		fi
		if [ -x "${sub}${i}-run.sh" ]; then
			(cd "$sub" && "./${i}-run.sh")
		elif [ -f "${sub}${i}-run.sh" ]; then
			echo "apply-stage: ${sub}${i}-run.sh is not executable: pi-gen would skip it" >&2
			exit 1
		fi
		if [ -f "${sub}${i}-run-chroot.sh" ]; then
			on_chroot /bin/bash -e < "${sub}${i}-run-chroot.sh"
		fi
	done
done
on_chroot apt-get clean
echo "$(date -u +%H:%M:%S) apply-stage: done" >&2
