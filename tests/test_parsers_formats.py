"""Every format with a hand-made "new week" report (other units, order, values and quirks), and the
errors bad content must raise (InputError naming the file and, where one exists, the line)."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import params, validate
from helpers.errors import InputError, UsageError
from helpers.parsers import FORMATS, dispatch, documents, metadata, parse_document
from helpers.paths import project_root

DATA = Path(__file__).parent / "data" / "parsers"
RAW = project_root() / "data" / "raw"
TEMPLATES = project_root() / "data" / "templates"
SEED_CHO_MOI = RAW / "cho-moi" / "000_0e14d90c141fb8cb.txt"
SEED_PHU_TAN = RAW / "phu-tan" / "001_9befcb279ea0e6bb.txt"
SEED_THAP_MUOI = RAW / "thap-muoi" / "002_09ca01f0b851a3c6.txt"
TB = "Trung bình"


def by_name(report):
    return {r.name: r for r in report.rows}


def raises_input(path, fmt=None) -> InputError:
    with pytest.raises(InputError) as info:
        parse_document(path, fmt)
    err = info.value
    assert err.source == Path(path).name
    assert str(err).startswith(Path(path).name)
    assert unicodedata.is_normalized("NFC", err.message)
    return err


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def line_of(path: Path, needle: str) -> int:
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    return next(i for i, line in enumerate(text.split("\n"), start=1) if needle in line)


# -- text table (PDF text), new week -------------------------------------------------------------

def test_text_table_new_week_nfd_lowercase_page_break():
    path = DATA / "cho_moi_tuan2_2023-12-11.txt"
    raw = path.read_text(encoding="utf-8")
    assert not unicodedata.is_normalized("NFC", raw)  # the fixture is stored decomposed (NFD)
    rep = parse_document(path)
    assert rep.format == "text-table"
    # no "CÔNG KHAI" and no "(Lũy kế)" column in this week's header
    assert rep.columns == ["reported_rank", "score", "prev_score", "delta", "progress_pct", "online_pct",
                           "payment_pct", "digitization_pct", "e_cert"]
    got = [(r.line, r.values["reported_rank"], r.name, r.band, r.is_total) for r in rep.rows]
    assert got == [
        (102, 1, "LONG ĐIỀN A", "Khá", False),       # name split "LONG ĐIỀN \n\nA", band "KH\n\nÁ"
        (110, 2, "long kiến", TB, False),            # lowercase name, band "TRUNG BÌ\n\nNH"
        (113, 3, "Chợ Mới", TB, False),              # STT alone on its line, band "Trung bình"
        (119, 4, "KIẾN AN", TB, False),
        (123, 5, "MỸ HỘI ĐÔNG", "Yếu", False),
        (134, 6, "AN THẠNH TRUNG", TB, False),       # after a page break and the header printed again
        (138, None, "TOÀN HUYỆN", TB, True),         # total row last
    ]
    assert all(unicodedata.is_normalized("NFC", r.name) for r in rep.rows)
    rows = by_name(rep)
    assert rows["LONG ĐIỀN A"].values == {
        "reported_rank": 1, "score": 70.12, "prev_score": 63.28, "delta": 6.84, "progress_pct": 99.6,
        "online_pct": 21.5, "payment_pct": 30.02, "digitization_pct": 24.1, "e_cert": 1204}
    assert rows["KIẾN AN"].values["payment_pct"] is None  # "-" is a blank cell
    assert rows["KIẾN AN"].values["score"] == 50.0
    assert rows["MỸ HỘI ĐÔNG"].values["delta"] == pytest.approx(-2.2)
    assert rows["Chợ Mới"].values["online_pct"] == 20.0
    assert rows["TOÀN HUYỆN"].values["e_cert"] == 1608
    assert isinstance(rows["TOÀN HUYỆN"].values["e_cert"], int)
    assert rep.meta.district_name == "Chợ Mới"
    assert rep.meta.period.start == date(2023, 12, 11) and rep.meta.period.kind == "week"
    assert rep.meta.period_line == line_of(path, "chốt số liệu")
    assert (rep.meta.province_rank, rep.meta.province_rank_of) == (5, 11)


def test_text_table_single_line_rows_and_other_column_order(tmp_path):
    text = (
        "UBND HUYỆN CHỢ MỚI\n"
        "Thời gian chốt số liệu: Ngày 01/01/2024\n"
        "STT ĐƠN VỊ XẾP LOẠI ĐIỂM TỔNG HỢP TĂNG/GIẢM ĐIỂM TUẦN TRƯỚC SỐ HÓA (%)\n"
        "1 MỸ AN KHÁ 71,25 +1,25 70 30\n"
        "2 HÒA BÌNH TRUNG BÌNH 55 0 55 21,0\n"
        "3 Phường 1 Tốt 81.5 1.5 80 -\n"
    )
    rep = parse_document(write(tmp_path, "tuan1.txt", text))
    assert rep.format == "text-table"
    assert rep.columns == ["reported_rank", "score", "prev_score", "delta", "digitization_pct"]
    assert [(r.line, r.name, r.band) for r in rep.rows] == [
        (4, "MỸ AN", "Khá"), (5, "HÒA BÌNH", TB), (6, "1", "Tốt")]
    assert rep.rows[2].unit_type == "phường"
    assert rep.rows[0].values == {"reported_rank": 1, "score": 71.25, "prev_score": 70.0, "delta": 1.25,
                                  "digitization_pct": 30.0}
    assert rep.rows[2].values["digitization_pct"] is None
    assert rep.meta.period.start == date(2024, 1, 1)


# -- markdown, new week --------------------------------------------------------------------------

def test_markdown_new_week():
    path = DATA / "phu_tan_tuan3_2023-10-16.md"
    rep = parse_document(path)
    assert rep.format == "markdown"
    assert rep.columns == ["reported_rank", "score", "prev_score", "delta", "digitization_pct", "e_cert"]
    got = [(r.line, r.values["reported_rank"], r.name, r.unit_type, r.band, r.is_total) for r in rep.rows]
    assert got == [
        (18, 1, "Phú Bình", "xã", "Khá", False),            # "1." STT, type printed in the name cell
        (19, 2, "phú hùng", None, TB, False),               # <b> tags, lowercase typo kept as printed
        (20, 3, "Chợ Vàm", "thị trấn", TB, False),
        (21, 4, "HÒA LẠC", None, "Yếu", False),             # **bold** name
        (22, None, "Tổng cộng", None, TB, True),            # total row last, labelled "Tổng cộng"
    ]
    rows = by_name(rep)
    assert rows["Phú Bình"].values == {"reported_rank": 1, "score": 71.02, "prev_score": 57.09, "delta": 13.93,
                                       "digitization_pct": 30.5, "e_cert": 1015}
    assert rows["phú hùng"].values["digitization_pct"] is None     # empty cell
    assert rows["HÒA LẠC"].values["e_cert"] is None                # "-" cell
    assert rows["HÒA LẠC"].values["delta"] == pytest.approx(-8.46)
    assert rows["Chợ Vàm"].values["digitization_pct"] == pytest.approx(18.25)
    assert rows["Tổng cộng"].values["e_cert"] == 1027
    meta = rep.meta
    assert (meta.district_name, meta.province_name) == ("PHÚ TÂN", "An Giang")
    assert meta.period.start == date(2023, 10, 16) and meta.period_line == 14
    assert (meta.province_rank, meta.province_rank_of) == (1, 11)


# -- prose, new month ----------------------------------------------------------------------------

def test_prose_new_month():
    path = DATA / "thap_muoi_thang10_2023.txt"
    rep = parse_document(path)
    assert rep.format == "prose"
    assert rep.columns == ["score"]
    got = [(r.line, r.unit_type, r.name, r.values["score"]) for r in rep.rows]
    assert got == [
        (18, "thị trấn", "Mỹ An", 71.5),
        (18, "xã", "Mỹ Quý", 74.2),           # type word at the end of the line, decimal point
        (20, "xã", "Phú Điền", 75.01),
        (20, "xã", "Trường Xuân", 69.9),      # name split over lines
        (22, "xã", "mỹ an", 73.6),            # lowercase, number on the next line
        (24, "phường", "3", 70.0),            # a ward named by a number
    ]
    # "tăng 1,2 điểm", "giảm (-0,5 điểm)", "80 điểm" produce no rows
    assert not any(r.values["score"] in (1.2, -0.5, 0.5, 80.0) for r in rep.rows)
    assert rep.meta.district_name == "THÁP MƯỜI"
    assert rep.meta.period.kind == "month" and rep.meta.period.as_of == "2023-10"


def test_prose_forced_and_detection_order(tmp_path):
    path = write(tmp_path, "cv.txt", "Điểm: xã Tân Công Sính 61,2 điểm, xã Hưng Thạnh 59 điểm.\n")
    rep = parse_document(path)
    assert rep.format == "prose"
    assert [(r.name, r.values["score"]) for r in rep.rows] == [("Tân Công Sính", 61.2), ("Hưng Thạnh", 59.0)]
    assert parse_document(path, "prose").rows == rep.rows
    with pytest.raises(InputError):
        parse_document(path, "markdown")


# -- spreadsheets from the template --------------------------------------------------------------

XLSX_ROWS = [  # STT, Đơn vị, score, band, prev, delta, CKMB, TĐGQ, DVCTT, TTTT, số hóa, CTĐT, CTĐT lũy kế
    [None, "TOÀN HUYỆN", 58.9, "Trung bình", 58.33, 0.57, 61.0, 99.1, 8.4, 13.5, 26.2, 1630, 5300],
    [1, "HỘI AN", "60,02", "TRUNG BÌNH", 56.84, 3.18, 40.5, 98.1, 15.9, 22.6, 30.4, 230, 560],
    [2, "Xã Kiến An", 50, "trung bình", 50.0, 0, None, 99.8, 5.5, 7.6, 22.6, 0, 2],
    [3, "long điền b", 71.3, "khá", 62.24, 9.06, 74.0, 99.7, None, 7.9, 28.9, 1400.0, 1496],
    [4, "MỸ HỘI ĐÔNG", 49.5, "YẾU", 48.9, "0,6", 83.0, 99.8, 7.0, 17.8, 21.9, "", 63],
]


def _template_xlsx(tmp_path: Path, rows=XLSX_ROWS, cut="Ngày 18/12/2023", name="bc_cho_moi.xlsx", edit=None):
    wb = openpyxl.load_workbook(TEMPLATES / "bao_cao_766_mau.xlsx")
    ws = wb.worksheets[0]
    ws["B2"], ws["B3"], ws["B4"], ws["B5"] = "Chợ Mới", "An Giang", cut, "6/11"
    header = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "STT")
    for i, values in enumerate(rows):
        for c, v in enumerate(values, start=1):
            ws.cell(row=header + 1 + i, column=c, value=v)
    if edit:
        edit(ws, header)
    path = tmp_path / name
    wb.save(path)
    return path, header


def test_xlsx_from_template(tmp_path):
    path, header = _template_xlsx(tmp_path)
    rep = parse_document(path)
    assert rep.format == "xlsx"
    assert rep.columns == ["reported_rank", "score", "prev_score", "delta", "transparency_pct", "progress_pct",
                           "online_pct", "payment_pct", "digitization_pct", "e_cert", "e_cert_cum"]
    assert [(r.line, r.name, r.is_total, r.unit_type, r.band) for r in rep.rows] == [
        (header + 1, "TOÀN HUYỆN", True, None, TB),
        (header + 2, "HỘI AN", False, None, TB),
        (header + 3, "Kiến An", False, "xã", TB),
        (header + 4, "long điền b", False, None, "Khá"),
        (header + 5, "MỸ HỘI ĐÔNG", False, None, "Yếu"),
    ]  # template rows holding only their STT are skipped
    rows = by_name(rep)
    assert rows["HỘI AN"].values["score"] == pytest.approx(60.02)   # text cell with a decimal comma
    assert rows["Kiến An"].values["transparency_pct"] is None       # blank cell
    assert rows["Kiến An"].values["delta"] == 0.0
    assert rows["long điền b"].values["e_cert"] == 1400 and isinstance(rows["long điền b"].values["e_cert"], int)
    assert rows["long điền b"].values["online_pct"] is None
    assert rows["MỸ HỘI ĐÔNG"].values["e_cert"] is None
    assert rows["MỸ HỘI ĐÔNG"].values["delta"] == pytest.approx(0.6)
    assert rows["TOÀN HUYỆN"].values == {
        "reported_rank": None, "score": 58.9, "prev_score": 58.33, "delta": 0.57, "transparency_pct": 61.0,
        "progress_pct": 99.1, "online_pct": 8.4, "payment_pct": 13.5, "digitization_pct": 26.2,
        "e_cert": 1630, "e_cert_cum": 5300}
    assert rows["HỘI AN"].values["reported_rank"] == 1
    meta = rep.meta
    assert (meta.district_name, meta.province_name) == ("Chợ Mới", "An Giang")
    assert meta.period.start == date(2023, 12, 18) and meta.period_line == 4
    assert (meta.province_rank, meta.province_rank_of) == (6, 11)


def test_xlsx_week_of_month_and_date_cell(tmp_path):
    path, _ = _template_xlsx(tmp_path, cut="Tuần 3 tháng 12 năm 2023", name="a.xlsx")
    assert parse_document(path).meta.period.start == date(2023, 12, 18)
    path, _ = _template_xlsx(tmp_path, cut=datetime(2023, 12, 18), name="b.xlsx")
    assert parse_document(path).meta.period.start == date(2023, 12, 18)


def test_xlsx_formula_cell_is_refused(tmp_path):
    def formula(ws, header):
        ws.cell(row=header + 3, column=3, value="=C9+1")

    path, header = _template_xlsx(tmp_path, edit=formula)
    err = raises_input(path)
    assert err.line == header + 3
    assert "C10" in err.message and "công thức" in err.message


def test_xlsx_row_missing_score_and_garbage_number(tmp_path):
    rows = [list(r) for r in XLSX_ROWS]
    rows[2][2] = None
    path, header = _template_xlsx(tmp_path, rows=rows, name="missing.xlsx")
    err = raises_input(path)
    assert err.line == header + 3 and "thiếu điểm tổng hợp" in err.message
    rows = [list(r) for r in XLSX_ROWS]
    rows[3][7] = "99,7,1"
    path, header = _template_xlsx(tmp_path, rows=rows, name="garbage.xlsx")
    err = raises_input(path)
    assert err.line == header + 4 and "H11" in err.message and "không phải là số" in err.message


def test_xlsx_unknown_band(tmp_path):
    rows = [list(r) for r in XLSX_ROWS]
    rows[1][3] = "Kém"
    path, header = _template_xlsx(tmp_path, rows=rows)
    err = raises_input(path)
    assert err.line == header + 2 and "xếp loại" in err.message


def _template_csv_rows() -> list[list[str]]:
    text = (TEMPLATES / "bao_cao_766_mau.csv").read_text(encoding="utf-8-sig")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def test_csv_from_template_semicolon_decimal_comma(tmp_path):
    rows = _template_csv_rows()
    header = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    rows[1][1], rows[3][1] = "Phú Tân", "Ngày 23/10/2023"
    data = [
        ["", "TOÀN HUYỆN", "60,1", "Trung bình", "59,9", "0,2", "", "", "", "", "", "2.310", "4.001"],
        ["1", "PHÚ\nLÂM", "64,5", "Trung bình", "63,15", "1,35", "", "", "", "", "", "1.200", "2.000"],
        ["2", "Thị trấn Phú Mỹ", "58,3", "TRUNG BÌNH", "58,79", "-0,49", "", "", "", "", "", "1.110", "2.001"],
    ]
    rows[header + 1:header + 4] = data
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    path = write(tmp_path, "phu_tan_tuan4.csv", buf.getvalue())
    rep = parse_document(path)
    assert rep.format == "csv"
    first = header + 2  # 1-based line of the TOÀN HUYỆN record
    # the quoted name spans two lines: the next record starts one line later
    assert [(r.line, r.name, r.unit_type) for r in rep.rows] == [
        (first, "TOÀN HUYỆN", None), (first + 1, "PHÚ LÂM", None), (first + 3, "Phú Mỹ", "thị trấn")]
    assert rep.rows[0].values["e_cert"] == 2310 and rep.rows[0].values["e_cert_cum"] == 4001
    assert rep.rows[1].values["score"] == pytest.approx(64.5)
    assert rep.rows[2].values["delta"] == pytest.approx(-0.49)
    assert rep.rows[1].values["transparency_pct"] is None
    assert rep.meta.district_name == "Phú Tân" and rep.meta.period.start == date(2023, 10, 23)


def test_csv_comma_separated_with_bom(tmp_path):
    text = ("\ufeffHuyện:,Chợ Mới\nThời gian chốt số liệu:,Tuần 1 tháng 1 năm 2024\n"
            "STT,Đơn vị,Điểm tổng hợp,Số hóa (%)\n1,MỸ AN,55.5,21\n2,NHƠN MỸ,abc,22\n")
    path = write(tmp_path, "x.csv", text)
    err = raises_input(path)
    assert err.line == 5 and "abc" in err.message
    path = write(tmp_path, "y.csv", text.replace("abc", "60"))
    rep = parse_document(path)
    assert [(r.line, r.name, r.values["score"], r.values["digitization_pct"]) for r in rep.rows] == [
        (4, "MỸ AN", 55.5, 21.0), (5, "NHƠN MỸ", 60.0, 22.0)]
    assert rep.meta.period.start == date(2024, 1, 1)


def test_template_files_are_current_and_empty(tmp_path):
    import subprocess
    import sys

    script = project_root() / "scripts" / "make_templates.py"
    out = subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    for name in ("bao_cao_766_mau.xlsx", "bao_cao_766_mau.csv"):
        assert (tmp_path / name).read_bytes() == (TEMPLATES / name).read_bytes(), name
    rows = _template_csv_rows()
    assert ["STT", "Đơn vị", "Điểm tổng hợp", "Xếp loại", "Điểm tuần trước", "Tăng/giảm so với tuần trước",
            "Công khai, minh bạch (%)", "Tiến độ giải quyết (%)", "DVCTT (%)", "Thanh toán trực tuyến (%)",
            "Số hóa (%)", "Chứng thực điện tử", "Chứng thực điện tử (lũy kế)"] in rows
    for name in ("bao_cao_766_mau.xlsx", "bao_cao_766_mau.csv"):
        err = raises_input(TEMPLATES / name)  # an empty template has no data rows
        assert "không có dòng số liệu" in err.message


# -- PDF (WeasyPrint) ----------------------------------------------------------------------------

def _pdf(tmp_path: Path, name: str, body: str) -> Path:
    weasyprint = pytest.importorskip("weasyprint")
    html = ("<html><head><meta charset='utf-8'><style>@page{size:A4 landscape;margin:1cm}"
            "body{font-family:'DejaVu Sans';font-size:8pt} table.r{border-collapse:collapse}"
            "table.r td,table.r th{border:1px solid #000;padding:2pt} table.n td,table.n th{white-space:nowrap;"
            "padding:0 6pt}</style></head><body>" + body + "</body></html>")
    path = tmp_path / name
    weasyprint.HTML(string=html).write_pdf(path)
    return path


def test_pdf_ruled_table_with_two_row_header(tmp_path):
    body = """
    <p>UBND HUYỆN CHỢ MỚI</p><p>Văn phòng HĐND và UBND huyện Chợ Mới báo cáo, xếp hạng 6/11 huyện của tỉnh An Giang.</p>
    <p>(Thời gian chốt số liệu: Ngày 18/12/2023 - Tuần 3)</p>
    <table class='r'>
    <tr><th rowspan=2>STT</th><th rowspan=2 style='width:50pt'>ĐƠN VỊ</th><th rowspan=2>ĐIỂM TỔNG HỢP (TUẦN 03/12)</th>
        <th rowspan=2>XẾP LOẠI</th><th rowspan=2>ĐIỂM TỔNG HỢP (TUẦN 02/12)</th><th rowspan=2>TĂNG/GIẢM</th>
        <th colspan=2>DỊCH VỤ TRỰC TUYẾN</th><th rowspan=2>SỐ HÓA</th></tr>
    <tr><th>DVCTT</th><th>THANH TOÁN TRỰC TUYẾN</th></tr>
    <tr><td></td><td>TOÀN HUYỆN</td><td>59.2</td><td>TRUNG BÌNH</td><td>58.9</td><td>0.3</td><td>8.8</td><td>14</td><td>26.5</td></tr>
    <tr><td>1</td><td>BÌNH PHƯỚC XUÂN</td><td>66,1</td><td>TRUNG BÌNH</td><td>63.9</td><td>2.2</td><td>11.9</td><td>21.4</td><td>25.8</td></tr>
    <tr><td>2</td><td>Kiến Thành</td><td>71</td><td>KHÁ</td><td>58.4</td><td>12.6</td><td>9.9</td><td></td><td>24</td></tr>
    </table><p>Nơi nhận: như trên.</p>"""
    path = _pdf(tmp_path, "cho_moi_tuan3.pdf", body)
    rep = parse_document(path)
    assert rep.format == "pdf"
    assert rep.columns == ["reported_rank", "score", "prev_score", "delta", "online_pct", "payment_pct",
                           "digitization_pct"]
    assert [(r.name, r.is_total, r.band) for r in rep.rows] == [
        ("TOÀN HUYỆN", True, TB), ("BÌNH PHƯỚC XUÂN", False, TB), ("Kiến Thành", False, "Khá")]
    rows = by_name(rep)
    assert rows["BÌNH PHƯỚC XUÂN"].values == {"reported_rank": 1, "score": 66.1, "prev_score": 63.9, "delta": 2.2,
                                              "online_pct": 11.9, "payment_pct": 21.4, "digitization_pct": 25.8}
    assert rows["Kiến Thành"].values["payment_pct"] is None
    # line = the line of the extracted text (pdfplumber extract_text) at the row's height
    lines, _ = documents.pdf_content(path.read_bytes(), path.name)
    for row in rep.rows:
        assert row.name.split()[0] in lines[row.line - 1], (row.name, lines[row.line - 1])
    assert rep.meta.period.start == date(2023, 12, 18)
    assert (rep.meta.district_name, rep.meta.province_name) == ("CHỢ MỚI", "An Giang")
    assert (rep.meta.province_rank, rep.meta.province_rank_of) == (6, 11)


def test_pdf_ruled_table_continued_on_the_next_page(tmp_path):
    # a table that goes on after a page break is found as two tables: as wide as the first, the second
    # is its continuation; a narrower table after them (a signature block) is not
    head = ("<tr><th>STT</th><th>ĐƠN VỊ</th><th>ĐIỂM TỔNG HỢP</th><th>XẾP LOẠI</th></tr>"
            "<tr><td></td><td>TOÀN HUYỆN</td><td>59.2</td><td>TRUNG BÌNH</td></tr>"
            "<tr><td>1</td><td>BÌNH PHƯỚC XUÂN</td><td>66.1</td><td>TRUNG BÌNH</td></tr>")
    body = ("<p>UBND HUYỆN CHỢ MỚI</p><p>(Thời gian chốt số liệu: Ngày 18/12/2023 - Tuần 3)</p>"
            f"<table class='r'>{head}</table><div style='page-break-before:always'></div>"
            "<table class='r'><tr><td>2</td><td>KIẾN THÀNH</td><td>71</td><td>KHÁ</td></tr></table>"
            "<p>Nơi nhận: như trên.</p><table class='r'><tr><td>Người lập</td><td>Nguyễn Văn A</td></tr></table>")
    rep = parse_document(_pdf(tmp_path, "two_pages.pdf", body))
    assert rep.format == "pdf"
    assert [(r.name, r.values["reported_rank"], r.band) for r in rep.rows] == [
        ("TOÀN HUYỆN", None, TB), ("BÌNH PHƯỚC XUÂN", 1, TB), ("KIẾN THÀNH", 2, "Khá")]
    _, tables = documents.pdf_content((tmp_path / "two_pages.pdf").read_bytes(), "two_pages.pdf")
    assert len(tables) == 3


def test_pdf_text_table_without_rules(tmp_path):
    body = """<p>UBND HUYỆN PHÚ TÂN</p><p>Phú Tân, ngày 23 tháng 10 năm 2023</p>
    <p>Kết quả Tháng 10 – Tuần 4</p>
    <table class='n'><tr><th>STT</th><th>ĐƠN VỊ</th><th>ĐIỂM TỔNG HỢP</th><th>XẾP LOẠI</th><th>ĐIỂM TUẦN TRƯỚC</th></tr>
    <tr><td></td><td>TOÀN HUYỆN</td><td>60.5</td><td>TRUNG BÌNH</td><td>59.9</td></tr>
    <tr><td>1</td><td>HIỆP XƯƠNG</td><td>63.2</td><td>TRUNG BÌNH</td><td>61.03</td></tr>
    <tr><td>2</td><td>PHÚ THỌ</td><td>57,1</td><td>TRUNG BÌNH</td><td>57.88</td></tr></table>"""
    path = _pdf(tmp_path, "phu_tan_tuan4.pdf", body)
    rep = parse_document(path)
    assert rep.format == "pdf"
    assert rep.columns == ["reported_rank", "score", "prev_score"]
    assert [(r.name, r.values["reported_rank"], r.values["score"], r.values["prev_score"]) for r in rep.rows] == [
        ("TOÀN HUYỆN", None, 60.5, 59.9), ("HIỆP XƯƠNG", 1, 63.2, 61.03), ("PHÚ THỌ", 2, 57.1, 57.88)]
    lines, tables = documents.pdf_content(path.read_bytes(), path.name)
    assert not tables  # no ruled table: the extracted text went to the text-table parser
    for row in rep.rows:
        assert lines[row.line - 1].startswith(("TOÀN", str(row.values["reported_rank"])))
    assert rep.meta.period.start == date(2023, 10, 23)  # week 4 of October, year from the document date


def test_pdf_prose_letter(tmp_path):
    body = """<p>ỦY BAN NHÂN DÂN HUYỆN THÁP MƯỜI</p><p>Tháp Mười, ngày &nbsp; &nbsp; tháng 11 năm 2023</p>
    <p>Kết quả: xã Láng Biển 72,5 điểm; thị trấn Mỹ An 71 điểm; xã Thanh Mỹ 68,04 điểm.</p>"""
    path = _pdf(tmp_path, "thap_muoi.pdf", body)
    rep = parse_document(path)
    assert rep.format == "pdf"
    assert [(r.unit_type, r.name, r.values["score"]) for r in rep.rows] == [
        ("xã", "Láng Biển", 72.5), ("thị trấn", "Mỹ An", 71.0), ("xã", "Thanh Mỹ", 68.04)]
    assert rep.meta.period.as_of == "2023-11"


# -- DOCX (python-docx) --------------------------------------------------------------------------

def _docx(tmp_path: Path, name: str, build) -> Path:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    build(doc)
    path = tmp_path / name
    doc.save(path)
    return path


def test_docx_table_with_merged_header(tmp_path):
    def build(doc):
        doc.add_paragraph("UBND HUYỆN CHỢ MỚI")
        doc.add_paragraph("Thời gian chốt số liệu: Ngày 25/12/2023 - Tuần 4")
        t = doc.add_table(rows=5, cols=7)
        top = ["STT", "ĐƠN VỊ", "ĐIỂM TỔNG HỢP (TUẦN 04/12)", "XẾP LOẠI", "SỐ HÓA", "CHỨNG THỰC ĐIỆN TỬ", ""]
        sub = ["", "", "", "", "", "Trong tuần", "Lũy kế"]
        for c, text in enumerate(top):
            t.cell(0, c).text = text
        for c, text in enumerate(sub):
            if text:
                t.cell(1, c).text = text
        for c in range(5):
            t.cell(0, c).merge(t.cell(1, c))
        t.cell(0, 5).merge(t.cell(0, 6))
        data = [["", "TOÀN HUYỆN", "59.6", "TRUNG BÌNH", "26.8", "1.700", "7.300"],
                ["1", "Mỹ Hiệp", "61,4", "Trung bình", "23.5", "12", "51"],
                ["2", "LONG GIANG", "57.02", "TRUNG BÌNH", "", "130", "272"]]
        for r, values in enumerate(data, start=2):
            for c, text in enumerate(values):
                t.cell(r, c).text = text
        doc.add_paragraph("Nơi nhận: như trên.")

    path = _docx(tmp_path, "cho_moi_tuan4.docx", build)
    rep = parse_document(path)
    assert rep.format == "docx"
    assert rep.columns == ["reported_rank", "score", "digitization_pct", "e_cert", "e_cert_cum"]
    lines = documents.docx_lines(path.read_bytes(), path.name)
    assert [(r.name, r.line) for r in rep.rows] == [
        ("TOÀN HUYỆN", 7), ("Mỹ Hiệp", 8), ("LONG GIANG", 9)]
    for row in rep.rows:
        assert row.name in lines[row.line - 1]
    rows = by_name(rep)
    assert rows["TOÀN HUYỆN"].values == {"reported_rank": None, "score": 59.6, "digitization_pct": 26.8,
                                         "e_cert": 1700, "e_cert_cum": 7300}
    assert rows["Mỹ Hiệp"].values["score"] == pytest.approx(61.4)
    assert rows["LONG GIANG"].values["digitization_pct"] is None
    assert rep.meta.period.start == date(2023, 12, 25)
    assert rep.meta.district_name == "CHỢ MỚI"


def test_docx_prose(tmp_path):
    def build(doc):
        doc.add_paragraph("ỦY BAN NHÂN DÂN HUYỆN THÁP MƯỜI")
        doc.add_paragraph("Tháp Mười, ngày      tháng 12 năm 2023")
        doc.add_paragraph("Điểm số: xã Mỹ Hòa 74,1 điểm; xã Đốc Binh Kiều 70 điểm.")

    path = _docx(tmp_path, "cv.docx", build)
    rep = parse_document(path)
    assert rep.format == "docx"
    assert [(r.line, r.name, r.values["score"]) for r in rep.rows] == [(3, "Mỹ Hòa", 74.1), (3, "Đốc Binh Kiều", 70.0)]
    assert rep.meta.period.as_of == "2023-12"


# -- errors --------------------------------------------------------------------------------------

def _seed_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize("keep", [450, 452, 503])
def test_truncated_text_table(tmp_path, keep):
    lines = _seed_lines(SEED_CHO_MOI)[:keep]
    path = write(tmp_path, "cut.txt", "\n".join(lines))
    err = raises_input(path)
    assert err.line == (446 if keep < 500 else 500)
    assert "cắt ngang" in err.message


def test_truncated_markdown_row(tmp_path):
    text = SEED_PHU_TAN.read_text(encoding="utf-8").rstrip("\n")
    text = text[: text.rindex("|", 0, text.rindex("56.61"))]  # cut inside the last row
    path = write(tmp_path, "cut.md", text)
    err = raises_input(path)
    assert err.line == 74 and "bị cắt" in err.message


def test_text_table_row_missing_score(tmp_path):
    lines = _seed_lines(SEED_CHO_MOI)
    assert lines[434] == "59.94 TRUNG "
    lines[434] = "TRUNG "
    path = write(tmp_path, "noscore.txt", "\n".join(lines))
    err = raises_input(path)
    assert err.line == 431 and "thiếu giá trị" in err.message


def test_markdown_row_missing_score(tmp_path):
    text = SEED_PHU_TAN.read_text(encoding="utf-8").replace("| 63.15                     |", "|    |")
    err = raises_input(write(tmp_path, "noscore.md", text))
    assert err.line == 57 and "thiếu điểm tổng hợp" in err.message


@pytest.mark.parametrize("stt", ["²3.", "A5", "x-3"])
def test_markdown_stt_that_only_looks_like_a_number(tmp_path, stt):
    # '²' is a digit to str.isdigit() but not a number; a letter before the digits is no sign either
    from helpers.parsers.numbers import is_number

    assert not is_number(stt.rstrip("."))
    text = SEED_PHU_TAN.read_text(encoding="utf-8")
    row = next(line for line in text.split("\n") if line.startswith("| 3 "))
    path = write(tmp_path, "stt.md", text.replace(row, row.replace("| 3 ", f"| {stt} ", 1)))
    err = raises_input(path)
    assert err.line == line_of(path, f"| {stt} ") and "STT" in err.message and "không phải là số" in err.message


@pytest.mark.parametrize("bad", ["6l.7", "61.7.1", "61,7,1a"])
def test_text_table_garbage_number(tmp_path, bad):
    lines = _seed_lines(SEED_CHO_MOI)
    assert lines[438].startswith("59.72 0.22 61.7 ")
    lines[438] = lines[438].replace("61.7", bad, 1)
    err = raises_input(write(tmp_path, "garbage.txt", "\n".join(lines)))
    assert err.line == 439 and bad in err.message and "không phải là số" in err.message


def test_markdown_garbage_number(tmp_path):
    text = SEED_PHU_TAN.read_text(encoding="utf-8").replace("| 58.8   ", "| 58.8x  ")
    err = raises_input(write(tmp_path, "garbage.md", text))
    assert err.line == 62 and "58.8x" in err.message


def test_unknown_band_in_text_table(tmp_path):
    text = SEED_CHO_MOI.read_text(encoding="utf-8").replace("49.18 YẾU 49.03", "49.18 KÉM 49.03")
    err = raises_input(write(tmp_path, "band.txt", text))
    assert err.line == 510 and "KÉM" in err.message


@pytest.mark.parametrize("ext", ["xlsx", "docx"])
def test_malformed_zip(tmp_path, ext):
    path = write(tmp_path, f"hong.{ext}", b"PK\x03\x04" + b"\x00garbage" * 50)
    err = raises_input(path)
    assert "zip" in err.message


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return path


CT_XLSX = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
           b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
           b'spreadsheetml.sheet.main+xml"/></Types>')
CT_DOCX = CT_XLSX.replace(b"/xl/workbook.xml", b"/word/document.xml").replace(
    b"spreadsheetml.sheet.main", b"wordprocessingml.document.main")


@pytest.mark.parametrize("ext,ct", [("xlsx", CT_XLSX), ("docx", CT_DOCX)])
def test_zip_bomb_is_refused(tmp_path, ext, ct):
    path = _zip(tmp_path / f"bom.{ext}", {"[Content_Types].xml": ct, "data.bin": b"\x00" * (60 * 1024 * 1024)})
    assert path.stat().st_size < 1024 * 1024
    err = raises_input(path)
    assert "giải nén" in err.message or "tỉ lệ nén" in err.message


def test_xml_entity_bomb_is_refused(tmp_path):
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           b'<w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')
    path = _zip(tmp_path / "lol.docx", {"[Content_Types].xml": CT_DOCX, "word/document.xml": lol})
    err = raises_input(path)
    assert "DOCTYPE" in err.message


def test_zip_of_other_kind(tmp_path):
    path = _zip(tmp_path / "x.xlsx", {"[Content_Types].xml": CT_DOCX})
    assert "không phải" in raises_input(path).message
    path = _zip(tmp_path / "noext", {"hello.txt": b"hi"})
    assert "zip" in raises_input(path).message


def test_empty_and_blank_files(tmp_path):
    assert "rỗng" in raises_input(write(tmp_path, "empty.txt", b"")).message
    assert "rỗng" in raises_input(write(tmp_path, "blank.txt", "  \n\n \t\n")).message


def test_binary_file(tmp_path):
    err = raises_input(write(tmp_path, "anh.txt", bytes(range(256)) * 4))
    assert "UTF-8" in err.message and err.line == 1


def test_utf16_file(tmp_path):
    text = SEED_PHU_TAN.read_text(encoding="utf-8")
    err = raises_input(write(tmp_path, "utf16.md", text.encode("utf-16")))
    assert "UTF-8" in err.message


def test_invalid_utf8_names_line(tmp_path):
    data = SEED_PHU_TAN.read_text(encoding="utf-8").encode("utf-8").replace("PHÚ AN".encode(), b"PH\xda AN")
    err = raises_input(write(tmp_path, "latin.md", data))
    assert err.line == 58 and "UTF-8" in err.message


def test_oversize_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(params, "limits", lambda: {"max_file_mb": 0.001})
    err = raises_input(write(tmp_path, "big.txt", "x" * 2000))
    assert "0.001 MB" in err.message and "max_file_mb" in err.message


def test_bom_is_accepted(tmp_path):
    data = b"\xef\xbb\xbf" + SEED_PHU_TAN.read_bytes()
    rep = parse_document(write(tmp_path, "bom.md", data))
    assert len(rep.rows) == 19 and rep.rows[0].line == 56


def test_crlf_line_ends(tmp_path):
    data = SEED_CHO_MOI.read_bytes().replace(b"\n", b"\r\n")
    rep = parse_document(write(tmp_path, "crlf.txt", data))
    assert [r.line for r in rep.rows][:3] == [365, 371, 377]


def test_week_contradicting_cut_date(tmp_path):
    text = SEED_CHO_MOI.read_text(encoding="utf-8").replace("Tuần 1 của tháng 12 năm 2023", "Tuần 2 của tháng 12 năm 2023")
    err = raises_input(write(tmp_path, "contra.txt", text))
    assert err.line == 33 and "mâu thuẫn" in err.message and "04/12/2023" in err.message


def test_cut_date_not_monday(tmp_path):
    text = SEED_PHU_TAN.read_text(encoding="utf-8").replace("(Ngày 09/10/2023 - Tuần 2)", "(Ngày 10/10/2023 - Tuần 2)")
    err = raises_input(write(tmp_path, "tue.md", text))
    assert err.line == 50 and "thứ Hai" in err.message


def test_no_table_no_list(tmp_path):
    err = raises_input(write(tmp_path, "note.txt", "Kính gửi các xã.\nĐề nghị thực hiện tốt.\n"))
    assert err.line is None and "không tìm thấy" in err.message


def test_unsupported_and_broken_containers(tmp_path):
    assert ".xls" in raises_input(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)).message
    assert "PDF" in raises_input(write(tmp_path, "hong.pdf", b"%PDF-1.4\ngarbage")).message
    assert "PDF" in raises_input(write(tmp_path, "khong.pdf", b"not a pdf at all")).message


def test_unopenable_file_is_usage_error(tmp_path):
    with pytest.raises(UsageError):
        parse_document(tmp_path / "khong_co.txt")
    with pytest.raises(UsageError):
        parse_document(tmp_path)
    with pytest.raises(UsageError):
        parse_document(SEED_PHU_TAN, "html")


def test_formats_constant():
    assert FORMATS == ("text-table", "markdown", "prose", "xlsx", "csv", "pdf", "docx")


# -- robustness: mangled seeds raise InputError or parse, never another exception ---------------

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in (SEED_CHO_MOI, SEED_PHU_TAN, SEED_THAP_MUOI)]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_mangled_seeds_never_crash(data):
    text = data.draw(st.sampled_from(SEED_TEXTS))
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "cut", "garble", "insert"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines = lines[:i]
        elif op == "garble":
            pos = data.draw(st.integers(0, max(0, len(lines[i]))))
            junk = data.draw(st.text(alphabet="0123456789.,-|xX TRUNGBÌNHĐƠN VỊ()%/", max_size=6))
            lines[i] = lines[i][:pos] + junk + lines[i][pos:]
        else:
            lines.insert(i, data.draw(st.text(max_size=30)))
        if not lines:
            lines = [""]
    try:
        dispatch.parse_lines(lines, "fuzz.txt")
        metadata.extract(list(enumerate(lines, start=1)), "fuzz.txt")
    except InputError as exc:
        assert exc.source == "fuzz.txt"


# -- more layouts ----------------------------------------------------------------------------------

def test_markdown_table_continued_after_a_page_break(tmp_path):
    text = ("UBND HUYỆN PHÚ TÂN\n(Ngày 30/10/2023 - Tuần 5)\n\n"
            "| STT | ĐƠN VỊ | ĐIỂM TỔNG HỢP | XẾP LOẠI |\n|---|---|---|---|\n"
            "| 1 | PHÚ LÂM | 64 | TRUNG BÌNH |\n\nTrang 2\n\n"
            "| STT | ĐƠN VỊ | ĐIỂM TỔNG HỢP | XẾP LOẠI |\n|---|---|---|---|\n"
            "| 2 | PHÚ AN | 62,5 | TRUNG BÌNH |\n\n"
            "| Nơi nhận | Chánh văn phòng |\n")
    rep = parse_document(write(tmp_path, "p.md", text))
    assert [(r.line, r.name, r.values) for r in rep.rows] == [
        (6, "PHÚ LÂM", {"reported_rank": 1, "score": 64.0}), (12, "PHÚ AN", {"reported_rank": 2, "score": 62.5})]
    assert rep.meta.period.start == date(2023, 10, 30)


def test_prose_item_after_a_false_start(tmp_path):
    rep = parse_document(write(tmp_path, "p.txt", "Các xã còn lại như xã Mỹ An 70 điểm.\n"))
    assert [(r.name, r.values["score"]) for r in rep.rows] == [("Mỹ An", 70.0)]


def test_fmt_override_on_seeds():
    assert parse_document(SEED_CHO_MOI, "text-table").format == "text-table"
    assert len(parse_document(SEED_PHU_TAN, "markdown").rows) == 19
    with pytest.raises(InputError):
        parse_document(SEED_THAP_MUOI, "text-table")


# -- the two score columns, told apart by the week labels of their headers ------------------------

def _swap_markdown_score_cells(text: str, first: str, second: str) -> str:
    """The Phú Tân seed with its two score columns printed the other way round, headers relabelled."""
    out = []
    for line in text.split("\n"):
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 6 and "ĐIỂM TỔNG HỢP" in cells[3]:
            cells[3], cells[5] = f" ĐIỂM TỔNG HỢP {first} ", f" ĐIỂM TỔNG HỢP {second} "
        elif line.startswith("|") and len(cells) > 6 and not set(cells[3].strip()) <= set("-"):
            cells[3], cells[5] = cells[5], cells[3]
        out.append("|".join(cells))
    return "\n".join(out)


def test_markdown_previous_week_printed_first_is_read_by_its_label(tmp_path):
    text = _swap_markdown_score_cells(SEED_PHU_TAN.read_text(encoding="utf-8"), "(TUẦN 1/T10)", "(TUẦN 2/T10)")
    assert "| 63.08 " in text.split("\n")[56]  # the previous week's score is now printed first
    rows = by_name(parse_document(write(tmp_path, "swap.md", text)))
    assert (rows["PHÚ LÂM"].values["score"], rows["PHÚ LÂM"].values["prev_score"]) == (63.15, 63.08)
    assert (rows["TOÀN HUYỆN"].values["score"], rows["TOÀN HUYỆN"].values["prev_score"]) == (59.28, 59.11)


def test_markdown_score_columns_without_readable_labels_keep_the_printed_order(tmp_path):
    # "T0" is no month (as in the Phú Tân seed): the labels tell nothing, the first column is the score
    text = _swap_markdown_score_cells(SEED_PHU_TAN.read_text(encoding="utf-8"), "(TUẦN 1/T0)", "(TUẦN 2/T0)")
    rows = by_name(parse_document(write(tmp_path, "swap.md", text)))
    assert (rows["PHÚ LÂM"].values["score"], rows["PHÚ LÂM"].values["prev_score"]) == (63.08, 63.15)


@pytest.mark.parametrize("first, second, swapped", [
    ("04/11)", "01/12)", True),    # the seed's labels, previous week printed first
    ("04/12)", "01/01)", True),    # across the new year: week 1 of January follows week 4 of December
    ("01/01)", "04/12)", False),
    ("01/12)", "04/11)", False),   # the seed as printed
])
def test_text_table_score_columns_by_week_label(tmp_path, first, second, swapped):
    lines = _seed_lines(SEED_CHO_MOI)
    assert (lines[246], lines[266]) == ("01/12) ", "04/11) ")
    lines[246], lines[266] = first + " ", second + " "
    rows = by_name(parse_document(write(tmp_path, "labels.txt", "\n".join(lines))))
    got = (rows["NHƠN MỸ"].values["score"], rows["NHƠN MỸ"].values["prev_score"])
    assert got == ((64.25, 64.55) if swapped else (64.55, 64.25))


def test_cell_columns_week_labels():
    from helpers.parsers import columns

    head = ["STT", "Đơn vị", "Điểm tổng hợp (Tuần 4/12)", "Xếp loại", "Điểm tổng hợp (Tuần 1/01)"]
    assert columns.cell_columns(head)[2:] == ["prev_score", "band", "score"]
    head[2], head[4] = "Điểm tổng hợp (Tuần 3 tháng 10)", "Điểm tổng hợp (Tuần 2 tháng 10)"
    assert columns.cell_columns(head)[2:] == ["score", "band", "prev_score"]
    head[2] = "Điểm tổng hợp"  # one label alone tells nothing
    assert columns.cell_columns(head)[2:] == ["score", "band", "prev_score"]


# -- prose: an item of a list that cannot be read is refused, never dropped ------------------------

@pytest.mark.parametrize("old, new, line", [
    ("xã Hưng Thạnh 69,45 điểm", "xã Hưng Thạnh điểm", 87),
    ("xã Hưng Thạnh 69,45 điểm", "xã Hưng Thạnh 69,451 điểm", 87),
    ("xã Hưng Thạnh 69,45 điểm", "xã Hưng Thạnh 69, 45 điểm", 87),
    ("xã Hưng Thạnh 69,45 điểm", "xã Hưng Thạnh khoảng 69,45 điểm", 87),  # refused too: no word is guessed
    ("xã Mỹ An 73,53 điểm", "Mỹ An 73,53 điểm", 91),                   # no type word
    ("Xã Thạnh Lợi 70,19 điểm", "Xã Thạnh Lợi điểm", 87),              # the first item
    ("66,98 điểm.", "66,98.", 91),                                     # the last item
])
def test_prose_unreadable_list_item_is_refused(tmp_path, old, new, line):
    text = SEED_THAP_MUOI.read_text(encoding="utf-8")
    assert text.count(old) == 1
    err = raises_input(write(tmp_path, "tm.txt", text.replace(old, new)))
    shown = "xã Thanh Mỹ 66,98" if new == "66,98." else new
    assert err.line == line
    assert f"không đọc được mục “{shown}”" in err.message and "cần dạng “xã Tên 70,19 điểm”" in err.message


def test_prose_sentences_outside_the_list_are_not_items(tmp_path):
    text = ("Tổng số điểm của huyện là 70,2 điểm; đề nghị các xã phấn đấu tăng điểm.\n"
            "Cụ thể: xã Mỹ An 70 điểm; xã Mỹ Hòa 71,5 điểm, xã Mỹ Quí 72 điểm và\nthị trấn Mỹ An 69 điểm; "
            "xã Tân Kiều 68 điểm (giảm 1 điểm so với tuần trước).\nCác xã còn lại chưa có điểm; sẽ báo cáo sau.\n")
    rep = parse_document(write(tmp_path, "p.txt", text))
    assert [(r.line, r.unit_type, r.name, r.values["score"]) for r in rep.rows] == [
        (2, "xã", "Mỹ An", 70.0), (2, "xã", "Mỹ Hòa", 71.5), (2, "xã", "Mỹ Quí", 72.0),
        (3, "thị trấn", "Mỹ An", 69.0), (3, "xã", "Tân Kiều", 68.0)]


# -- a letter's date: no day -> the month; a full date is the issue date, not a data cut ---------------

@pytest.mark.parametrize("dated, period, issued", [
    ("Tháp Mười, tháng 10 năm 2023", "2023-10", None),
    ("Tháp Mười, ngày 16 tháng 10 năm 2023", None, date(2023, 10, 16)),
])
def test_prose_letter_date_forms(tmp_path, dated, period, issued):
    text = SEED_THAP_MUOI.read_text(encoding="utf-8")
    assert text.count("Tháp Mười, ngày       tháng 9 năm 2023") == 1
    rep = parse_document(write(tmp_path, "tm.txt", text.replace("Tháp Mười, ngày       tháng 9 năm 2023", dated)))
    assert len(rep.rows) == 13
    assert (rep.meta.period.as_of if rep.meta.period else None) == period
    assert rep.meta.period_line == (7 if period else None)
    assert (rep.meta.issue_date, rep.meta.issue_line) == (issued, 7 if issued else None)


# -- text table: a row with a value missing names no column it cannot know --------------------------

def _cho_moi_with(tmp_path: Path, old: str, new: str, tail: str | None = None) -> Path:
    text = SEED_CHO_MOI.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, new)
    if tail is not None:
        text = text.rstrip() + tail
    return write(tmp_path, "cm.txt", text)


def test_text_table_missing_value_mid_row_names_no_column(tmp_path):
    err = raises_input(_cho_moi_with(tmp_path, "61.12 1.23 72 99.9", "61.12 1.23 99.9"))
    assert err.line == 405
    assert err.message == "dòng của “TẤN MỸ” thiếu giá trị: chỉ đọc được 9 trong 10 giá trị của tiêu đề"


def test_text_table_band_right_after_the_name_tells_the_missing_score(tmp_path):
    err = raises_input(_cho_moi_with(tmp_path, "5 TẤN MỸ 62.35 TRUNG \n\nBÌNH \n\n61.12", "5 TẤN MỸ TRUNG \n\nBÌNH \n\n61.12"))
    assert err.line == 405
    assert err.message == ("dòng của “TẤN MỸ” thiếu giá trị: chỉ đọc được 9 trong 10 giá trị của tiêu đề; "
                           "xếp loại “Trung bình” in ngay sau tên đơn vị nên thiếu cột “Điểm tổng hợp”")


@pytest.mark.parametrize("tail, end", [(None, " (dòng cuối của bảng)"), ("\n\nNơi nhận:\n- Như trên;\n", "")])
def test_text_table_last_row_missing_a_value_is_no_cut_table(tmp_path, tail, end):
    # the seed's table is the end of the text, and its last line is ended: the text is complete
    err = raises_input(_cho_moi_with(tmp_path, "22.5 0 2 \n", "22.5 2 \n", tail))
    assert err.line == 510 and "cắt ngang" not in err.message
    assert err.message == f"dòng của “KIẾN AN” thiếu giá trị: chỉ đọc được 9 trong 10 giá trị của tiêu đề{end}"


def test_text_table_cut_in_its_last_row_is_a_cut_table(tmp_path):
    text = SEED_CHO_MOI.read_text(encoding="utf-8")
    path = write(tmp_path, "cm.txt", text[:text.index(" 0 2 \n")])  # the file stops inside the last line
    err = raises_input(path)
    assert err.line == 510
    assert err.message == "bảng bị cắt ngang: dòng của “KIẾN AN” chỉ có 8 trong 10 giá trị của tiêu đề"


def test_text_table_last_value_alone_before_the_next_row_is_flagged_as_a_possible_page_number(tmp_path):
    """A row short of its last value, then a page number alone on its line, then the next row: the page
    number is read as the value (whitespace cannot tell), and the row says so for a second look."""
    old = "56.88 -5.78 82.9 99.82 6.9 17.75 21.8 18 63 \n"
    text = SEED_CHO_MOI.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = write(tmp_path, "cm.txt", text.replace(old, "56.88 -5.78 82.9 99.82 6.9 17.75 21.8 18 \n\n63\n"))
    rows = {r.name: r for r in parse_document(path).rows}
    line = text.split("\n").index(old.rstrip("\n")) + 3  # the "63" two lines below the shortened one
    assert rows["MỸ HỘI ĐÔNG"].values["e_cert_cum"] == 63
    assert rows["MỸ HỘI ĐÔNG"].suspect == [(line, ("dòng của “MỸ HỘI ĐÔNG”: giá trị cuối “63” (cột “Chứng thực điện "
                                                  "tử (lũy kế)”) nằm riêng một dòng ngay trước dòng sau của bảng, có "
                                                  "thể là số trang; kiểm tra lại"))]
    assert not any(r.suspect for name, r in rows.items() if name != "MỸ HỘI ĐÔNG")
    # the seed itself: nothing to doubt
    assert not any(r.suspect for r in parse_document(SEED_CHO_MOI).rows)
    # stored with the data as a warning, with its line
    parsed = validate.parse_file(path, district="cho-moi")
    found = parsed.findings[parsed.findings["rule"] == "suspect_value"]
    assert list(found["source_line"]) == [line] and list(found["unit_code"]) == ["30637"]  # xã Mỹ Hội Đông


def test_a_cell_that_is_no_number_names_its_unit(tmp_path):
    """In a table (markdown, Word, PDF, spreadsheet) the message names the row's unit as well as the column:
    the line of a Word or PDF file is that of its extracted text, which the officer does not see."""
    text = SEED_PHU_TAN.read_text(encoding="utf-8")
    old = "| 1   | PHÚ LÂM           | 63.15 "
    assert text.count(old) == 1
    err = raises_input(write(tmp_path, "pt.md", text.replace(old, "| 1   | PHÚ LÂM           | 63,1S ")))
    assert err.line == 57
    assert err.message == "dòng của “PHÚ LÂM”, cột “Điểm tổng hợp”: '63,1S' không phải là số"
