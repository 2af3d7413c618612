#!/bin/sh
# Build the wheelhouse the image installs the application from, offline:
# the application's own wheel plus its pinned, hash-checked dependencies
# (image/requirements.txt): pure-Python wheels, and for the one C extension
# (psycopg2-binary, the PostgreSQL driver of a fleet) the target's own wheel.
# Usage: image/build-wheelhouse.sh [OUT_DIR]   (default: the stage's files/wheelhouse)
# TARGET_ARCH=arm64 (the Pi, default) or amd64 (the test root on a PC);
# TARGET_PYTHON_VERSION (3.13: Trixie) and TARGET_GLIBC (2.41: Trixie) say
# which binary wheels suit the target. Fails when a pin has no such wheel.
# Needs internet access to PyPI; ignores any local pip configuration.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out=${1:-$here/stage-carttocart/01-app/files/wheelhouse}
python=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1
pip_target_python=${TARGET_PYTHON_VERSION:-3.13}
glibc_minor=$(printf '%s' "${TARGET_GLIBC:-2.41}" | cut -d. -f2)
case "${TARGET_ARCH:-arm64}" in
arm64) machine=aarch64 ;;
amd64) machine=x86_64 ;;
*)
	echo "build-wheelhouse: TARGET_ARCH must be arm64 or amd64" >&2
	exit 2
	;;
esac
abi=cp$(printf '%s' "$pip_target_python" | tr -d .)
# Every manylinux tag the target's glibc can run, plus pure-Python wheels.
platforms="--platform any --platform manylinux2014_$machine"
minor=17
while [ "$minor" -le "$glibc_minor" ]; do
	platforms="$platforms --platform manylinux_2_${minor}_$machine"
	minor=$((minor + 1))
done

rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
# Build from a copy of the tracked sources only (no venvs, caches or test images).
git -C "$repo" ls-files -z --cached --others --exclude-standard -- setup.py README.md appliance modem web config \
	| (cd "$repo" && xargs -0 cp --parents -t "$work")
timeout 300 "$python" -m pip wheel --isolated --quiet --disable-pip-version-check --no-deps --index-url https://pypi.org/simple \
	--wheel-dir "$out" "$work"
# shellcheck disable=SC2086 # one word per option
timeout 300 "$python" -m pip download --isolated --quiet --disable-pip-version-check --index-url https://pypi.org/simple \
	--only-binary=:all: $platforms --implementation cp --abi "$abi" --abi abi3 --abi none \
	--python-version "$pip_target_python" --require-hashes -r "$here/requirements.txt" --dest "$out"
cp "$here/requirements.txt" "$out/requirements.txt"
ls "$out"
