"""Rendering: report.html without code or scripts and self-contained; report.pdf with the Vietnamese
text and page numbers; the week's index linking every district."""

from __future__ import annotations

import base64
import re
import unicodedata
from pathlib import Path

import nbformat
import pdfplumber
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers import params, render

HEADING = "Báo cáo kết quả Bộ chỉ số 766 – huyện Chợ Mới"
EVIL = "<script>alert(1)</script>"
# A 1x1 PNG.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2e1d6a80000000049454e44ae426082"
)).decode("ascii")


def narrative_html() -> str:
    rows = "".join(
        f'<tr><td class="num">{i}</td><td>{name}</td><td class="num">{score}</td>'
        f'<td><span class="band {render.band_class(band)}">{band}</span></td></tr>'
        for i, (name, score, band) in enumerate([
            (EVIL.replace("<", "&lt;").replace(">", "&gt;"), "49.18", "Yếu"),
            ("Mỹ Hội Đông", "51.1", "Trung bình"),
            ("Mỹ Luông", "75.2", "Khá"),
        ], 1)
    )
    return (
        f"<h1>{HEADING}</h1>"
        '<p class="report-period">Số liệu: Tháng 12 – Tuần 1 (chốt số liệu 04/12/2023)</p>'
        "<p>Xã Mỹ Hội Đông giảm 5,78 điểm.</p>"
        f'<figure class="chart"><img src="data:image/png;base64,{PNG}" alt="Biểu đồ">'
        "<figcaption>Điểm các xã, thị trấn – tuần 1 tháng 12/2023.</figcaption></figure>"
        "<table><thead><tr><th>STT</th><th>Đơn vị</th><th>Điểm</th><th>Xếp loại</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def executed_notebook(path: Path) -> Path:
    nb = new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        new_markdown_cell("# Ghi chú cho người chạy notebook", metadata={"tags": ["remove"]}),
        new_code_cell("district = 'cho-moi'", metadata={"tags": ["parameters", "remove"]}),
        new_code_cell(
            "import secret_code\nsecret_code.run()",
            outputs=[
                new_output("display_data", data={"text/html": narrative_html(),
                                                 "text/plain": "<IPython.core.display.HTML object>"}),
                new_output("stream", name="stderr", text="UserWarning: stderr_should_not_show\n"),
                new_output("display_data", data={"application/javascript": "alert('js_output')"}),
                new_output("execute_result", execution_count=3, data={"text/plain": "Ghi chú: văn bản thuần"}),
            ],
            execution_count=3,
        ),
        new_code_cell("print(hidden)", metadata={"tags": ["remove"]},
                      outputs=[new_output("stream", name="stdout", text="hidden_cell_output\n")]),
    ]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("cho-moi")
    html_path, pdf_path = render.render_report(executed_notebook(out / "04_narrative.ipynb"), out, title=HEADING)
    return out, html_path, pdf_path


def test_report_html_is_outputs_only_and_self_contained(rendered):
    out, html_path, _ = rendered
    assert html_path == out / "report.html"
    page = html_path.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page and "url(" not in page
    for hidden in ("secret_code", "district = ", "stderr_should_not_show", "js_output",
                   "hidden_cell_output", "Ghi chú cho người chạy", "In&nbsp;[", "In ["):
        assert hidden not in page, hidden
    assert f"<h1>{HEADING}</h1>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Ghi chú: văn bản thuần" in page  # text/plain output shown
    assert f"data:image/png;base64,{PNG}" in page
    assert '<html lang="vi">' in page
    assert f"<title>{HEADING}</title>" in page
    assert page == unicodedata.normalize("NFC", page)
    assert '<div class="table-wrap"><table>' in page
    assert '"DejaVu Sans", sans-serif' in page
    for band in params.policy().bands:  # band colours come from params
        assert band.color in page and f".{render.band_class(band.name)}" in page


def test_report_pdf_has_vietnamese_text_and_page_numbers(rendered):
    out, _, pdf_path = rendered
    assert pdf_path == out / "report.pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF")
    with pdfplumber.open(pdf_path) as pdf:
        first = unicodedata.normalize("NFC", pdf.pages[0].extract_text() or "")
        pages = len(pdf.pages)
        width_mm = pdf.pages[0].width / 72 * 25.4
    assert HEADING in " ".join(first.split())
    assert "Mỹ Hội Đông" in first and "<script>alert(1)</script>" in first
    assert f"Trang 1/{pages}" in first
    assert width_mm == pytest.approx(210, abs=1)  # A4
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_render_report_replaces_existing_files(tmp_path):
    nb_path = executed_notebook(tmp_path / "04_narrative.ipynb")
    (tmp_path / "report.html").write_text("cũ", encoding="utf-8")
    html_path, _ = render.render_report(nb_path, tmp_path, title=HEADING)
    assert HEADING in html_path.read_text(encoding="utf-8")


def test_clean_html_drops_active_and_external_content():
    dirty = (
        "<html><head><title>x</title><link rel='stylesheet' href='https://cdn.example/x.css'></head><body>"
        "<h1 onclick='alert(1)'>Tiêu đề</h1><img src='https://example.org/a.png'>"
        "<iframe src='https://example.org'></iframe><a href='javascript:alert(1)'>x</a>"
        "<p style=\"background:url('https://example.org/b.png')\">nền</p>"
        "<svg><script>alert(2)</script></svg><table><tr><td>1</td></tr></table></body></html>"
    )
    page = render.clean_html(dirty, title="Tiêu đề")
    low = page.lower()
    for bad in ("<script", "onclick", "https://", "javascript:", "<iframe", "<link", "url("):
        assert bad not in low, bad
    assert "<title>Tiêu đề</title>" in page
    assert '<div class="table-wrap"><table>' in page


def test_band_class_is_ascii():
    assert render.band_class("Xuất sắc") == "band-xuat-sac"
    assert render.band_class("Trung bình") == "band-trung-binh"
    assert render.band_class("Yếu") == "band-yeu"


def test_index_links_each_district(tmp_path):
    week_dir = tmp_path / "2023-W49"
    entries = [
        {"slug": "cho-moi", "score": 57.45, "period_label": "Tháng 12 – Tuần 1 (chốt số liệu 04/12/2023)"},
        {"slug": "phu-tan", "score": 59.28, "band": "Trung bình", "as_of": "2023-10-09",
         "html": "phu-tan/report.html", "pdf": "phu-tan/report.pdf", "note": EVIL},
        {"slug": "thap-muoi", "district": "Tháp Mười", "score": 70.19, "as_of": "2023-09", "stale": True,
         "html": week_dir / "thap-muoi" / "report.html", "pdf": week_dir / "thap-muoi" / "report.pdf"},
    ]
    out = render.render_index("Tuần 2023-W49", entries, week_dir / "index.html")
    page = out.read_text(encoding="utf-8")
    for slug in ("cho-moi", "phu-tan", "thap-muoi"):
        assert f'href="{slug}/report.html"' in page and f'href="{slug}/report.pdf"' in page
    for name in ("Chợ Mới", "Phú Tân", "Tháp Mười"):
        assert name in page
    assert "Tháng 9 năm 2023" in page and "Tháng 10 – Tuần 2 (chốt số liệu 09/10/2023)" in page
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
    assert 'class="band band-trung-binh"' in page and 'class="band band-kha"' in page  # 70.19 is Khá
    assert "57.45" in page and "Tuần 2023-W49" in page
    assert str(tmp_path) not in page
    assert page == unicodedata.normalize("NFC", page)


def test_index_gives_no_band_to_a_mean_of_units(tmp_path):
    """A district whose document has no district score: its units' mean is shown as such, without a band."""
    out = render.render_index("Tuần 1 tháng 12/2023", [
        {"slug": "cho-moi", "score": 57.45, "score_kind": "total"},
        {"slug": "thap-muoi", "score": 71.14, "score_kind": "mean", "as_of": "2023-09"},
    ], tmp_path / "index.html")
    rows = out.read_text(encoding="utf-8").split("<tr>")[2:]
    assert 'data-band="Trung bình"' in rows[0]
    assert "71.14" in rows[1] and "bình quân các đơn vị cấp xã; văn bản không có điểm của huyện" in rows[1]
    assert "data-band" not in rows[1] and "Không có" in rows[1]


def test_index_refuses_urls_as_links(tmp_path):
    out = render.render_index("Tuần 2023-W49", [
        {"slug": "cho-moi", "score": 57.45, "html": "javascript:alert(1)", "pdf": "https://example.org/x.pdf"},
        {"slug": "phu-tan", "error": "Chưa tạo được báo cáo"},
    ], tmp_path / "index.html")
    page = out.read_text(encoding="utf-8")
    assert "javascript:" not in page and "https://" not in page
    assert "Chưa tạo được báo cáo" in page and "phu-tan/report.html" not in page


def test_the_report_title_joins_the_heading_kind_and_title_and_names_the_district():
    from helpers import narrative
    from helpers.periods import parse_as_of, parse_week_arg

    prefix = "Báo cáo kết quả xếp loại các đơn vị theo Bộ Chỉ số phục vụ người dân, doanh nghiệp (Quyết định số 766/QĐ-TTg) "
    assert (narrative.report_title(params.district("cho-moi"), parse_week_arg("2023-W49"))
            == prefix + "Tháng 12 – Tuần 1 – huyện Chợ Mới")
    assert (narrative.report_title(params.district("thap-muoi"), parse_as_of("2023-09"))
            == prefix + "tháng 9 năm 2023 – huyện Tháp Mười")


def test_the_title_given_and_the_running_header():
    page = render.clean_html(
        "<html><head><title></title></head><body><main>"
        '<header class="report-heading"><h1 class="doc-kind">BÁO CÁO</h1></header>'
        "</main></body></html>",
        title='Báo cáo kết quả xếp loại các đơn vị – Tháng 12 – Tuần 1 "HĐND & UBND" – huyện Chợ Mới',
    )
    title = 'Báo cáo kết quả xếp loại các đơn vị – Tháng 12 – Tuần 1 "HĐND &amp; UBND" – huyện Chợ Mới'
    assert f"<title>{title}</title>" in page
    running = re.search(r"@top-right \{ content: (\"[^\"]*\")", page)
    assert running and "Báo cáo kết quả" in running.group(1) and "\\22 " in running.group(1)
