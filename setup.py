"""CartToCart: a plug-in box that confirms Iranian card-to-card payments by itself."""
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
# One version, in the package: appliance/__init__.py.
VERSION = next(
    line.split('"')[1] for line in (HERE / "appliance" / "__init__.py").read_text().splitlines()
    if line.startswith("__version__")
)

setup(
    name="carttocart",
    version=VERSION,
    description="Confirms Iranian card-to-card payments from the bank's SMS, read off a GSM modem",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["appliance", "appliance.*", "modem", "modem.*", "web", "web.*"]),
    include_package_data=True,
    package_data={
        "web": ["static/*", "views/*"],
        "appliance": ["sms/templates/*.toml"],
    },
    # The shipped configuration travels with the wheel (the image installs from one).
    data_files=[("share/carttocart/config", [str(p) for p in sorted(Path("config").glob("*.toml"))])],
    install_requires=[
        "bottle>=0.13,<0.14",
        "peewee>=4.0,<5",
        "APScheduler>=3.10,<4",
        "pyserial>=3.5,<3.6",
        "python-gsmmodem-new==0.13.0",
        "waitress>=3.0,<4",
        "jdatetime>=5.0,<7",
    ],
    extras_require={
        "postgres": ["psycopg2-binary>=2.9,<3"],
        "test": [
            "pytest>=8,<10",
            "pytest-timeout>=2.3,<3",
            "hypothesis>=6.100,<7",
            "playwright>=1.40,<2",
        ],
        # Exact versions: a newer ruff formats differently, a newer mypy finds new things.
        "lint": ["ruff==0.17.6", "mypy==2.4.1"],
    },
    entry_points={"console_scripts": ["carttocart=appliance.cli:main"]},
)
