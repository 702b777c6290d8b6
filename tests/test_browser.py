"""Each report.html opens in headless Chromium with the network off and renders."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image, ImageStat

from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, needs_chromium
from tests.test_e2e import SLUGS, batch  # noqa: F401  (the module-scoped batch run)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, needs_chromium]
OFFLINE = ["--headless", *CHROMIUM_FLAGS, "--host-resolver-rules=MAP * ~NOTFOUND"]


@pytest.mark.parametrize("slug", SLUGS)
def test_report_renders_offline(batch, slug, tmp_path):  # noqa: F811
    root = batch[0]
    page = (root / "outputs/2023-W49" / slug / "report.html").as_uri()
    profile = tmp_path / "profile"
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *OFFLINE, f"--user-data-dir={profile}", f"--screenshot={shot}",
                    "--window-size=1000,1400", page], capture_output=True, timeout=120, check=True)
    stat = ImageStat.Stat(Image.open(shot).convert("L"))
    assert stat.stddev[0] > 10, "blank screenshot"
    dom = subprocess.run([CHROMIUM, *OFFLINE, f"--user-data-dir={profile}", "--dump-dom", page],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "BÁO CÁO" in dom and "Quyết định số 766/QĐ-TTg" in dom
