"""The 01 table of what was read, measured in Chromium at the width a notebook has beside JupyterLab's
file browser: the unit and the line it was read from first, and the whole table in view."""

from __future__ import annotations

import pytest

from helpers import ingest, views
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, SEEDS, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]
NOTEBOOK_WIDTH = 900  # px: a notebook's output beside the file browser on a 1280 px screen


def test_the_parsed_table_fits_beside_the_file_browser(scratch):
    from playwright.sync_api import sync_playwright

    result = ingest.ingest_paths([SEEDS["cho-moi"]], dry_run=True)
    html = views.parsed_table(result).to_html()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": NOTEBOOK_WIDTH, "height": 800})
        page.set_content(f"<body style='margin: 0; font: 13px sans-serif'>{html}</body>")  # JupyterLab's size
        width = page.evaluate("document.querySelector('table').getBoundingClientRect().width")
        heads = page.evaluate("[...document.querySelectorAll('thead th')].map(e => e.innerText.replace(/\\n/g, ' '))")
        caption = page.locator("caption").inner_text()
        browser.close()
    assert width <= NOTEBOOK_WIDTH, f"{width:.0f} px"
    assert heads[:3] == ["Đơn vị", "Dòng", "Điểm"]
    assert caption.startswith(f"Đọc từ tệp {SEEDS['cho-moi'].name} (tuần 1 tháng 12/2023)")
