"""The image's wheelhouse has a wheel for every dependency on the Pi (arm64) and on the test PC (amd64).

Resolves image/requirements.txt (pinned, with hashes) with image/build-wheelhouse.sh for
each architecture, without building a root: a pin whose only wheels are for another
architecture, or a dependency of setup.py that is not pinned, fails here in seconds
instead of in the image build. Needs PyPI (as the image build does).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.tags import Tag
from packaging.utils import canonicalize_name, parse_wheel_filename

from tests.image.conftest import REPO

IMAGE = REPO / "image"
# The Pi's Raspberry Pi OS Trixie and the test root (Debian trixie): CPython 3.13, glibc 2.41.
TARGETS = {"arm64": "aarch64", "amd64": "x86_64"}
PYTHON_ABI = "cp313"
GLIBC = (2, 41)

pytestmark = pytest.mark.slow


def setup_requirements() -> list[Requirement]:
    """install_requires and the postgres extra (a fleet's boxes talk to PostgreSQL) of setup.py."""
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    call = next(
        node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setup"
    )
    keywords = {
        keyword.arg: ast.literal_eval(keyword.value)
        for keyword in call.keywords
        if keyword.arg in {"install_requires", "extras_require"}
    }
    return [Requirement(line) for line in keywords["install_requires"] + keywords["extras_require"]["postgres"]]


def pinned() -> dict[str, str]:
    """name -> pinned version, from image/requirements.txt (continuation lines joined)."""
    text = (IMAGE / "requirements.txt").read_text(encoding="utf-8").replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            match = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", line)
            assert match, f"not pinned with ==: {line}"
            assert "--hash=sha256:" in line, f"pinned without a hash: {line}"
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def runs_on(tag: Tag, machine: str) -> bool:
    if tag.interpreter not in {"py3", PYTHON_ABI} or tag.abi not in {"none", "abi3", PYTHON_ABI}:
        return False
    if tag.platform == "any":
        return True
    legacy = {f"manylinux2014_{machine}": (2, 17), f"manylinux2010_{machine}": (2, 12), f"manylinux1_{machine}": (2, 5)}
    if tag.platform in legacy:
        return legacy[tag.platform] <= GLIBC
    match = re.fullmatch(rf"manylinux_(\d+)_(\d+)_{machine}", tag.platform)
    return bool(match) and (int(match.group(1)), int(match.group(2))) <= GLIBC


def test_every_dependency_of_the_application_is_pinned_for_the_image():
    pins = pinned()
    for requirement in setup_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} (setup.py) is not pinned in image/requirements.txt"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} does not satisfy {requirement}"


@pytest.mark.timeout(600)
@pytest.mark.parametrize("arch", sorted(TARGETS))
def test_the_wheelhouse_has_a_wheel_for_every_pin_on_the_architecture(arch, tmp_path: Path):
    out = tmp_path / "wheelhouse"
    result = subprocess.run(
        [str(IMAGE / "build-wheelhouse.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=540,
        env={**os.environ, "TARGET_ARCH": arch},
    )
    assert result.returncode == 0, f"no {arch} wheelhouse from the pins:\n{result.stdout}\n{result.stderr}"
    wheels = {}
    for wheel in out.glob("*.whl"):
        name, _version, _build, tags = parse_wheel_filename(wheel.name)
        assert any(runs_on(tag, TARGETS[arch]) for tag in tags), f"{wheel.name} does not run on {arch}"
        wheels[name] = wheel.name
    for name in pinned():
        assert name in wheels, f"the {arch} wheelhouse has no wheel for {name}"
    assert "carttocart" in wheels
