from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """Web tests run on SQLite only; the store's behaviour on PostgreSQL is covered in tests/service."""
    return sqlite_url


# --- a real headless Chromium, and small local HTTP receivers -------------------


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (scripts/install-system-deps installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class BrowserPage:
    """A fresh browser context and page (a phone's viewport) that logs every request it makes."""

    def __init__(self, browser: Any, width: int = 390, height: int = 844) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="fa-IR")
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def foreign_requests(self) -> list[str]:
        local = ("http://127.0.0.1:", "data:", "about:")
        return [url for url in self.requests if not url.startswith(local)]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[BrowserPage]:
    page = BrowserPage(chromium)
    yield page
    page.close()


class Receiver:
    """A local HTTP server that records what it is sent; ``answers`` gives the statuses to reply, in turn."""

    def __init__(self, answers: list[int] | None = None) -> None:
        self.hits: list[dict[str, Any]] = []
        self.answers = list(answers or [])
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.hits.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": self.headers,  # case-insensitive
                        "body": body,
                    }
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
                page = b"<!doctype html><html><body><h1 id='shop'>shop</h1></body></html>"
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()
