"""The ``carttocart`` command line; :func:`main` is its entry point."""

from appliance.cli.main import main

__all__ = ["main"]
