#!/bin/bash
# Append the persistent data partition (ext4, LABEL=data) to an exported image,
# without loop devices. The box grows it to fill the card on its first boot
# (carttocart-grow-data.service). Usage: add-data-partition.sh IMAGE.img [SIZE_MB]
set -euo pipefail
img=${1:?usage: add-data-partition.sh IMAGE.img [SIZE_MB]}
size_mb=${2:-512}
if sfdisk --dump "$img" | grep -q '^[^ ]*3 :'; then
	echo "add-data-partition: $img already has a third partition" >&2
	exit 1
fi
# Start on the next MiB boundary after the image's current end.
end_bytes=$(stat -c %s "$img")
start_mb=$(( (end_bytes + 1024 * 1024 - 1) / (1024 * 1024) ))
truncate -s $(( (start_mb + size_mb) * 1024 * 1024 )) "$img"
echo "start=${start_mb}MiB, size=${size_mb}MiB, type=83" | sfdisk --quiet --append "$img"
data=$(mktemp "$(dirname "$img")/data.XXXXXX.ext4")
trap 'rm -f "$data"' EXIT
mkfs.ext4 -q -L data -O ^huge_file "$data" "${size_mb}M"
dd if="$data" of="$img" bs=1M seek="$start_mb" conv=notrunc,sparse status=none
sfdisk --list "$img" >&2
