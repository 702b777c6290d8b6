"""End to end: a province's report from the portal export in data/raw/portal/, through the same four
notebooks; the successor communes with their predecessors' history; on the process pool and on Dask."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pdfplumber
import pytest

from helpers import batch, notebook
from helpers.errors import UsageError

pytestmark = pytest.mark.e2e


def _pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return unicodedata.normalize("NFC", "\n".join(p.extract_text() or "" for p in pdf.pages))


@pytest.fixture(scope="module")
def an_giang(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("portal")
    mp = pytest.MonkeyPatch()
    mp.setenv("CHISO_STORE", str(tmp / "store"))
    mp.setenv("CHISO_OUTPUTS", str(tmp / "outputs"))
    first = batch.run_report(provinces=["an-giang"], jobs=1, quiet=True)
    second = batch.run_report(provinces=["an-giang"], jobs=1, quiet=True)
    yield tmp, first, second
    mp.undo()


def test_province_report_made_from_the_portal_export(an_giang):
    tmp, first, second = an_giang
    assert first.failures == [] and first.done == ["an-giang"]
    out = tmp / "outputs" / "2025-W42" / "an-giang"  # the week of the capture, 16/10/2025
    for name in ["01_ingest.ipynb", "02_score.ipynb", "03_rank.ipynb", "04_narrative.ipynb", "report.html",
                 "report.pdf"]:
        assert (out / name).stat().st_size > 0, name
    assert second.done == [] and second.cached == ["an-giang"]  # nothing changed: reused
    flat = " ".join(_pdf_text(out / "report.pdf").split())
    assert "Tỉnh An Giang có 102 xã, phường, đặc khu được chấm điểm: 88 Xuất sắc, 12 Tốt, 2 Khá" in flat
    assert "năm 2025, lũy kế đến 16/10/2025; API cũ" in flat
    assert "xã Chợ Mới 92,99 điểm, Xuất sắc, hạng 6/102 (từ thị trấn Chợ Mới, xã Kiến An, xã Kiến Thành)" in flat
    assert "xã Chợ Vàm 93,03 điểm, Xuất sắc, hạng 4/102" in flat
    assert "Dịch vụ công trực tuyến: 8,03/12 điểm, mất 3,97 điểm" in flat


def test_predecessors_history_shown_apart(an_giang):
    tmp, _, _ = an_giang
    html = (tmp / "outputs" / "2025-W42" / "an-giang" / "report.html").read_text(encoding="utf-8")
    # thị trấn Chợ Mới's own 2023 score, from the Chợ Mới report, with its file and line
    assert "thị trấn Chợ Mới</td>" in html and "65,79" in html and "000_0e14d90c141fb8cb.txt:371" in html
    assert "không cộng vào xã mới" in html


def test_notebooks_take_the_province_parameter(an_giang):
    tmp, _, _ = an_giang
    nb = json.loads((tmp / "outputs" / "2025-W42" / "an-giang" / "02_score.ipynb").read_text(encoding="utf-8"))
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert "province = \"an-giang\"" in "".join(injected[0]["source"])
    with pytest.raises(UsageError, match="không có tỉnh"):
        notebook.check_parameters({"district": "", "week": "", "interactive": False, "province": "atlantis"})


def test_province_batch_on_a_dask_local_cluster(tmp_path, monkeypatch):
    """The same fan-out on Dask: a LocalCluster of one worker process on the loopback interface."""
    monkeypatch.setenv("CHISO_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("CHISO_OUTPUTS", str(tmp_path / "outputs"))
    result = batch.run_report(provinces=["an-giang"], jobs=1, quiet=True, executor="dask", force=True)
    assert result.failures == [] and result.done == ["an-giang"]
    assert (tmp_path / "outputs" / "2025-W42" / "an-giang" / "report.pdf").stat().st_size > 0
