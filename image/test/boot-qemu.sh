#!/bin/bash
# Tier 3: boot the test image once in QEMU (TCG: no KVM needed) until it powers
# itself off; the serial console goes to CONSOLE_LOG. x86-64 (a PC), or with
# CARTTOCART_IMAGE_ARCH=arm64 the Pi's architecture: qemu-system-aarch64 -M virt
# with a Cortex-A72 (a Pi 4's core) and Debian's arm64 kernel and initrd.
# Usage: boot-qemu.sh IMAGE CONSOLE_LOG [MODEM_PTY] [TIMEOUT_SECONDS]
# MODEM_PTY: a pseudo-terminal (the modem simulator's) behind QEMU's emulated
# USB serial adapter; without it the adapter is there but silent.
# READONLY_ROOT=1 boots with overlayroot (the card's root stays read-only).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
img=${1:?usage: boot-qemu.sh IMAGE CONSOLE_LOG [MODEM_PTY] [TIMEOUT]}
console=${2:?usage: boot-qemu.sh IMAGE CONSOLE_LOG [MODEM_PTY] [TIMEOUT]}
modem=${3:-}
limit=${4:-300}
# Emulation is slow: give the emulated hardware watchdog (i6300esb) 60 s
# instead of the image's 10 s, or a busy moment of PID 1 resets the VM.
if [ "$ARCH" = arm64 ]; then
	serial=ttyAMA0 # the virt machine's PL011, like a Pi's
else
	serial=ttyS0
fi
append="root=LABEL=rootfs ro console=$serial,115200 systemd.show_status=${SHOW_STATUS:-0} quiet systemd.watchdog_sec=60 panic=-1 ${EXTRA_APPEND:-}"
if [ "${READONLY_ROOT:-0}" = 1 ]; then
	# Like a Pi's cmdline.txt: no "ro", or overlayroot leaves the overlay read-only
	# for systemd-remount-fs, which cannot remount an overlay (and is skipped).
	append="overlayroot=tmpfs:recurse=0 ${append/ ro / }"
fi
if [ -n "$modem" ]; then
	chardev="serial,id=modem,path=$(readlink -f "$modem")"
else
	chardev="null,id=modem"
fi
# arm64 gets one vCPU: with two, multi-threaded TCG once hung the guest kernel
# for good (a soft lockup of CPU#1 in modprobe while udev loaded modules, then
# systemd's emergency mode) with the host idle; one vCPU has no other CPU to
# wait for. x86-64 keeps two (no such hang seen in its boots).
if [ "$ARCH" = arm64 ]; then
	machine=(qemu-system-aarch64 -M virt -cpu cortex-a72 -smp "${SMP:-1}")
else
	machine=(qemu-system-x86_64 -smp "${SMP:-2}")
fi
# The i6300esb is a PCI watchdog: x86-64 and the arm64 virt machine both take it.
exec timeout --kill-after=10 "$limit" "${machine[@]}" -accel tcg -m 1024 \
	-kernel "$img.vmlinuz" -initrd "$img.initrd" -append "$append" \
	-drive "file=$img,format=raw,if=virtio" \
	-device qemu-xhci -chardev "$chardev" -device usb-serial,chardev=modem,always-plugged=on \
	-device i6300esb \
	-nic none -nographic -nodefaults -serial "file:$console" -no-reboot
