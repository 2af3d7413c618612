"""Shared plumbing of the HTML pages: templates, static files, security headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import bottle

VIEWS = Path(__file__).parent / "views"
STATIC = Path(__file__).parent / "static"


def render(name: str, status: int = 200, **values: Any) -> str:
    """A page from web/views/NAME.tpl, with headers that keep it private and self-contained.

    The CSP allows nothing but the box itself: no CDN, no font host, no
    inline script (the payment page must make no external request).
    """
    response = bottle.response
    response.status = status
    response.content_type = "text/html; charset=utf-8"
    response.set_header("Cache-Control", "no-store")
    response.set_header(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    )
    response.set_header("X-Content-Type-Options", "nosniff")
    response.set_header("Referrer-Policy", "no-referrer")
    return bottle.template(name, template_lookup=[str(VIEWS)], **values)


def static_file(path: str) -> Any:
    response = bottle.static_file(path, root=str(STATIC))
    response.set_header("Cache-Control", "public, max-age=86400")
    response.set_header("X-Content-Type-Options", "nosniff")
    return response


def readable_form() -> None:
    """A ``before_request`` hook: a page's POST whose form Bottle cannot parse is a 400, not a 500.

    Bottle parses ``request.forms`` on first use and raises what it meets (a ``Content-Type`` of
    ``;;`` gives a ValueError); parsed here once, the handlers read the kept result. The API reads
    its bodies itself (``web.api.merchant.read_fields``, code 17).
    """
    request = bottle.request
    if request.method != "POST" or request.path.startswith("/api/"):
        return
    try:
        _ = request.forms  # parsed and kept by Bottle (its own HTTPError 400 and 413 go through as they are)
    except (ValueError, LookupError) as exc:
        raise bottle.HTTPError(400, f"the form cannot be read: {exc}") from None


def redirect(url: str) -> NoReturn:
    """A 303 See Other (a form post lands on a GET); raises Bottle's HTTPResponse."""
    bottle.redirect(url, 303)
    raise AssertionError("bottle.redirect returned")  # it raises; this tells mypy so
