"""End to end: `chiso report` on the shipped data, the files it produces, caching and failures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pdfplumber
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
CHISO = [sys.executable, "-m", "helpers"]
SLUGS = ["cho-moi", "phu-tan", "thap-muoi"]


def _env(tmp: Path, **extra) -> dict:
    env = dict(os.environ, CHISO_STORE=str(tmp / "store"), CHISO_OUTPUTS=str(tmp / "outputs"))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _run(args, env, check=True):
    proc = subprocess.run(CHISO + args, env=env, capture_output=True, text=True, cwd=ROOT, timeout=900,
                          check=False)  # the exit status is checked below, with the output in the message
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    env = _env(tmp)
    first = _run(["report", "--week", "2023-W49", "--jobs", "2"], env)
    second = _run(["report", "--week", "2023-W49"], env)
    return tmp, env, first, second


def _pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return unicodedata.normalize("NFC", "\n".join(p.extract_text() or "" for p in pdf.pages))


def test_every_district_gets_its_files(batch):
    tmp, _, first, _ = batch
    week = tmp / "outputs" / "2023-W49"
    assert (week / "index.html").exists()
    for slug in SLUGS:
        d = week / slug
        for name in ["01_ingest.ipynb", "02_score.ipynb", "03_rank.ipynb", "04_narrative.ipynb",
                     "report.html", "report.pdf"]:
            assert (d / name).stat().st_size > 0, f"{slug}/{name}"
    assert "index.html" in first.stdout
    assert not [p for p in week.iterdir() if p.name.startswith(".")], "staging folders left behind"


def test_html_is_self_contained_and_has_no_code(batch):
    tmp, *_ = batch
    for slug in SLUGS:
        html = (tmp / "outputs/2023-W49" / slug / "report.html").read_text(encoding="utf-8")
        assert "<script" not in html.lower()
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "external resource"
        assert "check_parameters" not in html and "import " not in html
        assert "data:image/png;base64," in html
        assert html == unicodedata.normalize("NFC", html)


def test_cho_moi_report_reaches_the_officers_findings(batch):
    tmp, *_ = batch
    html = (tmp / "outputs/2023-W49/cho-moi/report.html").read_text(encoding="utf-8")
    pdf = _pdf_text(tmp / "outputs/2023-W49/cho-moi/report.pdf")
    for text in (html, pdf):
        flat = " ".join(text.split())
        assert "57.45" in flat and "7/11" in flat
        assert "Kiến An" in flat and "Yếu" in flat
        assert "Mỹ Hội Đông" in flat and "5.78" in flat
        for name in ["Mỹ Hiệp", "Hội An", "Long Giang", "Hòa Bình", "Long Điền B"]:
            assert name in flat
    assert "Trang 1" in pdf
    assert ">1.746<" in html and ">2.834<" in html  # counts written as the district writes them
    assert "Số liệu đọc từ tệp 000_0e14d90c141fb8cb.txt (dòng của từng đơn vị: notebook 01_ingest)." in html


def test_other_districts_state_their_own_period(batch):
    tmp, *_ = batch
    phu_tan = " ".join((tmp / "outputs/2023-W49/phu-tan/report.html").read_text(encoding="utf-8").split())
    assert "09/10/2023" in phu_tan and "59.28" in phu_tan
    thap_muoi = " ".join(_pdf_text(tmp / "outputs/2023-W49/thap-muoi/report.pdf").split())
    assert "tháng 9 năm 2023" in thap_muoi
    assert "Phú Điền" in thap_muoi and "6,63" in thap_muoi and "Trường Xuân" in thap_muoi and "11,03" in thap_muoi


def test_index_links_every_report(batch):
    tmp, *_ = batch
    index = (tmp / "outputs/2023-W49/index.html").read_text(encoding="utf-8")
    for slug in SLUGS:
        assert f'href="{slug}/report.html"' in index and f'href="{slug}/report.pdf"' in index
    assert "<script" not in index.lower()


def test_second_run_reuses_everything(batch):
    _, _, _, second = batch
    assert "0 huyện cần chạy, 3 huyện dùng lại" in second.stdout


def _executed_at(week_dir: Path) -> dict[tuple[str, str], str]:
    """(district, notebook) -> papermill's start time of that execution."""
    import json

    return {(p.parent.name, p.stem): json.loads(p.read_text(encoding="utf-8"))["metadata"]["papermill"]["start_time"]
            for p in sorted(week_dir.glob("*/0*.ipynb"))}


def test_changed_input_reruns_that_district_and_the_comparisons_that_show_it(batch, tmp_path):
    tmp, env, *_ = batch
    raw = tmp / "raw"
    if not raw.exists():
        shutil.copytree(ROOT / "data/raw", raw)
    before = _executed_at(tmp / "outputs/2023-W49")
    target = raw / "phu-tan" / "001_9befcb279ea0e6bb.txt"
    target.chmod(0o644)
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    out = _run(["report", "--week", "2023-W49"], dict(env, CHISO_RAW=str(raw)))
    assert "3 huyện cần chạy" in out.stdout
    after = _executed_at(tmp / "outputs/2023-W49")
    again = {key for key in after if after[key] != before[key]}
    # phu-tan from its ingest on; the other districts from 03_rank, whose comparison shows phu-tan
    assert again == {("phu-tan", "01_ingest"), ("phu-tan", "02_score"), ("phu-tan", "03_rank"),
                     ("phu-tan", "04_narrative"), ("cho-moi", "03_rank"), ("cho-moi", "04_narrative"),
                     ("thap-muoi", "03_rank"), ("thap-muoi", "04_narrative")}


def test_failing_district_does_not_stop_the_others(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data/raw", raw)
    env = _env(tmp_path, CHISO_RAW=raw)
    _run(["report", "--week", "2023-W49", "--district", "phu-tan", "--district", "thap-muoi"], env)
    before = (tmp_path / "outputs/2023-W49/thap-muoi/report.html").read_bytes()
    bad = raw / "thap-muoi" / "broken.txt"
    bad.write_text("| STT | ĐƠN VỊ | ĐIỂM TỔNG HỢP |\n|---|---|---|\n| 1 | XÃ KHÔNG CÓ | 50 |\n", encoding="utf-8")
    proc = _run(["report", "--week", "2023-W49", "--district", "phu-tan", "--district", "thap-muoi"], env,
                check=False)
    assert proc.returncode == 1
    line = next(ln for ln in proc.stderr.splitlines() if "thap-muoi" in ln)
    assert "2023-W49" in line and "01_ingest" in line and "broken.txt" in line
    failed_nb = Path(line.split("xem ")[-1].strip())
    assert failed_nb.exists() and "Traceback" not in line
    # the previous outputs of the failed district are intact; the other district still ran
    assert (tmp_path / "outputs/2023-W49/thap-muoi/report.html").read_bytes() == before
    assert (tmp_path / "outputs/2023-W49/phu-tan/report.pdf").exists()
    # the index still links its previous report and says this run failed
    index = (tmp_path / "outputs/2023-W49/index.html").read_text(encoding="utf-8")
    row = next(r for r in index.split("<tr>") if "Tháp Mười" in r)
    assert 'href="thap-muoi/report.html"' in row and "Lần chạy này bị lỗi" in row
    assert "Lần chạy này bị lỗi" not in next(r for r in index.split("<tr>") if "Phú Tân" in r)


def test_executed_notebooks_hold_only_their_own_outputs(batch):
    """The batch runs every notebook of a worker in one kernel: no stray text (history or kernel
    messages) and no error may appear in any executed notebook, and cell numbers start at 1."""
    import json

    tmp, *_ = batch
    for path in sorted((tmp / "outputs/2023-W49").glob("*/0*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), path
        for cell in code:
            for out in cell.get("outputs", []):
                assert out["output_type"] != "error", path
                assert out.get("name") != "stderr", (path, out.get("text"))
                assert "ERROR" not in "".join(out.get("text", "")), (path, out.get("text"))


def test_the_terminal_says_for_which_period_each_report_is(batch):
    _, _, first, _ = batch
    assert "Kỳ số liệu của các báo cáo tuần 2023-W49:" in first.stdout
    assert "  Tháng 12 – Tuần 1 (chốt số liệu 04/12/2023): cho-moi" in first.stdout
    assert "  tháng 9 năm 2023 (cũ hơn tuần được hỏi): thap-muoi" in first.stdout
    assert "Không huyện nào" not in first.stdout


def test_a_run_on_some_districts_keeps_the_others_in_the_index(batch):
    tmp, env, *_ = batch
    index = tmp / "outputs/2023-W49/index.html"
    _run(["report", "--week", "2023-W49", "--district", "cho-moi"], env)
    page = index.read_text(encoding="utf-8")
    for slug in SLUGS:
        assert f'href="{slug}/report.html"' in page
    rows = [r for r in page.split("<tr>") if "report.html" in r]
    assert [next(n for n in ("Chợ Mới", "Phú Tân", "Tháp Mười") if n in r) for r in rows] == \
        ["Chợ Mới", "Phú Tân", "Tháp Mười"]
