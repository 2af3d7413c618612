#!/bin/sh
# Build the wheelhouse the image installs the application from, offline:
# the application's own wheel plus its pinned, hash-checked dependencies
# (image/requirements.txt), all pure Python so they suit any Pi.
# Usage: image/build-wheelhouse.sh [OUT_DIR]   (default: the stage's files/wheelhouse)
# Needs internet access to PyPI; ignores any local pip configuration.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out=${1:-$here/stage-carttocart/01-app/files/wheelhouse}
python=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1
pip_target_python=${TARGET_PYTHON_VERSION:-3.13}

rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
# Build from a copy of the tracked sources only (no venvs, caches or test images).
git -C "$repo" ls-files -z --cached --others --exclude-standard -- setup.py README.md appliance modem web config \
	| (cd "$repo" && xargs -0 cp --parents -t "$work")
timeout 300 "$python" -m pip wheel --isolated --quiet --disable-pip-version-check --no-deps --index-url https://pypi.org/simple \
	--wheel-dir "$out" "$work"
timeout 300 "$python" -m pip download --isolated --quiet --disable-pip-version-check --index-url https://pypi.org/simple \
	--only-binary=:all: --platform any --implementation py --abi none \
	--python-version "$pip_target_python" --require-hashes -r "$here/requirements.txt" --dest "$out"
cp "$here/requirements.txt" "$out/requirements.txt"
ls "$out"
