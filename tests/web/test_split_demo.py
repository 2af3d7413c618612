"""The demo box with split payments: a newcomer pays a big invoice transfer by transfer in the browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import BrowserPage
from tests.web.demo_box import DemoBox, api


@pytest.mark.slow
def test_the_demo_bank_pays_a_split_payment_part_by_part(tmp_path: Path, chromium):
    folder = tmp_path / "demo"
    first = DemoBox(folder)  # writes the demo's settings
    assert first.close() is not None
    config = folder / "carttocart.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("max_transfer_rial = 0", "max_transfer_rial = 100000000"), encoding="utf-8")
    box = DemoBox(folder)
    browser_page = BrowserPage(chromium, width=412, height=915)
    try:
        created = api(box.base, "/api/create", box.token, {"price": 250_000_000, "fid": 77, "callback": box.base})
        assert len(created["parts"]) == 3, created
        page = browser_page.page
        page.goto(created["link"])
        browser_page.screenshot("pay-split-pending")
        for n in (1, 2):
            page.click("#demo-pay")  # the simulated bank sends the next part's deposit SMS to the fake modem
            page.wait_for_selector(f"#part-{n}.paid", timeout=30_000)
            page.wait_for_selector(f"#part-{n + 1}:not(.paid)")
        page.click("#demo-pay")
        page.wait_for_selector("section.state.ok", timeout=30_000)
        checked = api(box.base, f"/api/check?pay_id={created['pay_id']}", box.token)
        assert checked["code"] == 201 and all(p["paid"] for p in checked["parts"])
    finally:
        browser_page.close()
        box.close()
