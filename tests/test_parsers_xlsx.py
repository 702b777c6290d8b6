"""XLSX quirks of a filled template: percent-formatted cells, several sheets holding a table, merged
cells over the data (the workbook is read without its merge information, so merges are read from the
sheet's XML)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from helpers import validate
from helpers.errors import InputError
from helpers.parsers import parse_document
from tests.test_parsers_formats import XLSX_ROWS, _template_xlsx, by_name, raises_input

PCT_COLS = range(7, 12)  # G..K: the five component percentages
SHEET = "Báo cáo"


def _add_merge_xml(path: Path, ref: str) -> None:
    """Add <mergeCell ref=…/> to the first sheet's XML without touching the cells: what LibreOffice
    writes for "Merge Cells, keep the contents of the hidden cells" (openpyxl would empty them)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                assert "<mergeCells" not in xml
                xml = xml.replace("</sheetData>",
                                  f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>', 1)
                data = xml.encode()
            zout.writestr(item, data)
    tmp.replace(path)


# -- 1. percent-formatted cells -------------------------------------------------------------------

def test_xlsx_percent_formatted_cells_read_as_shown(tmp_path):
    """Excel stores "61,2%" typed by an officer as 0.612 with the format "0.0%"."""
    def percent(ws, header):
        for i, values in enumerate(XLSX_ROWS):
            for c in PCT_COLS:
                if isinstance(values[c - 1], float):
                    cell = ws.cell(row=header + 1 + i, column=c)
                    cell.value, cell.number_format = round(values[c - 1] / 100, 6), "0.0%"
        # a score typed as "60,02%": read as shown (like the text "60,02%")
        cell = ws.cell(row=header + 2, column=3)
        cell.value, cell.number_format = 0.6002, "0.00%"
        # a '%' in quotes or after a backslash is literal text: no scaling
        cell = ws.cell(row=header + 3, column=8)
        cell.value, cell.number_format = 99.8, '0.0"%"'
        cell = ws.cell(row=header + 3, column=9)
        cell.value, cell.number_format = 5.5, "0.0\\%"
        # a count typed 1630 in a cell formatted as "0%": Excel stores 16.3 and shows "1630%"
        cell = ws.cell(row=header + 1, column=12)
        cell.value, cell.number_format = 16.3, "0%"

    path, _ = _template_xlsx(tmp_path, edit=percent)
    rows = by_name(parse_document(path))
    for values in XLSX_ROWS:
        name = values[1].removeprefix("Xã ")
        got = [rows[name].values[k] for k in ("transparency_pct", "progress_pct", "online_pct", "payment_pct",
                                                "digitization_pct")]
        assert got == [v if isinstance(v, float) else None for v in values[6:11]], name  # exact, no 0.6119999
    assert rows["HỘI AN"].values["score"] == 60.02
    assert rows["TOÀN HUYỆN"].values["e_cert"] == 1630 and isinstance(rows["TOÀN HUYỆN"].values["e_cert"], int)


def test_xlsx_score_with_percent_format_is_read_as_shown_then_range_checked(tmp_path):
    """A score typed 74.04 in a cell later formatted as "0%" shows "7404%": read as shown, then refused
    by the score's range check, never silently stored."""
    def percent_score(ws, header):
        cell = ws.cell(row=header + 2, column=3)
        cell.value, cell.number_format = 74.04, "0%"

    path, header = _template_xlsx(tmp_path, edit=percent_score)
    assert by_name(parse_document(path))["HỘI AN"].values["score"] == 7404
    with pytest.raises(InputError) as info:
        validate.parse_file(path, district="cho-moi")
    assert info.value.line == header + 2 and "7404" in info.value.message


@pytest.mark.parametrize("value,fmt,expected", [
    (0.612, "0.0%", 61.2),
    (0.612, "#,##0.00%;[Red]-#,##0.00%", 61.2),
    (-0.05, "0.0;-0.0%", -5.0),        # the negative section has the '%'
    (0.05, "0.0;-0.0%", None),         # the positive one does not
    (0.0, "0%;-0%;\"-\"", None),       # zero shown as a dash
    (1, "0%", 100),
    (0.5, "General", None),
    ("61,2%", "0.0%", None),           # text: numbers.py reads its '%'
    (True, "0%", None),
])
def test_shown_percent(value, fmt, expected):
    from helpers.parsers.spreadsheet import _shown_percent

    got = _shown_percent(value, fmt)
    assert got == expected and type(got) is type(expected)


# -- 2. several sheets with a score table ---------------------------------------------------------

def test_xlsx_two_sheets_with_a_table_are_refused(tmp_path):
    def copy_last_week(ws, header):
        ws.title = "Tuần 3"
        old = ws.parent.copy_worksheet(ws)
        old.title = "Tuần 2"
        old.cell(row=header + 2, column=3, value=55.5)
        ws.parent.move_sheet(old, offset=-ws.parent.index(old))  # last week's sheet first

    path, _ = _template_xlsx(tmp_path, edit=copy_last_week)
    err = raises_input(path)
    assert err.line is None
    assert "2 trang tính chứa bảng điểm (“Tuần 2”, “Tuần 3”)" in err.message
    assert "mỗi tệp chỉ một trang tính số liệu" in err.message

    def hidden_copy(ws, header):
        old = ws.parent.copy_worksheet(ws)
        old.title = "Cũ"
        old.sheet_state = "hidden"

    path, _ = _template_xlsx(tmp_path, edit=hidden_copy, name="hidden.xlsx")
    assert "(“Báo cáo”, “Cũ” (đang ẩn))" in raises_input(path).message


def test_xlsx_instructions_empty_and_formula_sheets_do_not_count(tmp_path):
    """The template's "Hướng dẫn" sheet, an empty sheet and a sheet of notes with formulas (placed
    first: its formulas are not read, so not refused) leave one table: it is read."""
    def extra_sheets(ws, header):
        wb = ws.parent
        wb.create_sheet("Trống")
        notes = wb.create_sheet("Ghi chú", 0)
        notes["A1"], notes["B1"] = "Tổng", "=SUM(Báo cáo!C9:C12)"
        assert [s.title for s in wb.worksheets] == ["Ghi chú", SHEET, "Hướng dẫn", "Trống"]

    path, header = _template_xlsx(tmp_path, edit=extra_sheets)
    rep = parse_document(path)
    assert [r.name for r in rep.rows] == ["TOÀN HUYỆN", "HỘI AN", "Kiến An", "long điền b", "MỸ HỘI ĐÔNG"]

    def formula_in_table(ws, header):
        extra_sheets(ws, header)
        ws.cell(row=header + 2, column=3, value="=E10+F10")

    path, header = _template_xlsx(tmp_path, edit=formula_in_table, name="f.xlsx")
    err = raises_input(path)
    assert err.line == header + 2
    assert err.message.startswith(f"trang tính “{SHEET}”, ô C{header + 2} chứa công thức")


# -- 3. merged cells ------------------------------------------------------------------------------

@pytest.mark.parametrize("ref,line", [
    ("E{a}:E{b}", "a"),     # last week's score merged over two units: the second reads blank
    ("H{a}:I{a}", "a"),     # one value over two columns
    ("A{h}:A{a}", "h+1"),   # from the header down into the data: the first data row is named
    ("B{b}:M{b}", "b"),     # a label row across the table
])
def test_xlsx_merged_cells_in_the_data_are_refused(tmp_path, ref, line):
    def merge(ws, header):
        ws.merge_cells(ref.format(h=header, a=header + 2, b=header + 3))

    path, header = _template_xlsx(tmp_path, edit=merge)
    err = raises_input(path)
    rng = ref.format(h=header, a=header + 2, b=header + 3)
    assert err.line == {"h+1": header + 1, "a": header + 2, "b": header + 3}[line]
    assert err.message == f"trang tính “{SHEET}”, ô gộp {rng} trong bảng số liệu: hãy bỏ gộp và ghi giá trị " \
                          "vào từng ô"


def test_xlsx_merge_hiding_a_value_is_refused(tmp_path):
    """C10:C11 merged with C11's own value kept (LibreOffice "keep the contents of the hidden cells"):
    Excel shows C10's value over both rows while C11 still stores another."""
    path, header = _template_xlsx(tmp_path)
    _add_merge_xml(path, f"C{header + 3}:C{header + 4}")
    ws = openpyxl.load_workbook(path, read_only=True)[SHEET]
    assert next(ws.iter_rows(min_row=header + 4, min_col=3, max_col=3, values_only=True))[0] == 71.3
    err = raises_input(path)
    assert err.line == header + 3 and f"ô gộp C{header + 3}:C{header + 4} trong bảng số liệu" in err.message


def _two_row_header(ws, header):
    """A second header row under the template's: the five percentages grouped under "Chỉ số thành
    phần" (merged over G..K), the other header cells merged down over both rows; a merged title and
    metadata cell; a merged signature block below the table."""
    ws.insert_rows(header + 1)
    sub = header + 1
    for c in PCT_COLS:
        ws.cell(row=sub, column=c, value=ws.cell(row=header, column=c).value)
    ws.cell(row=header, column=7, value="Chỉ số thành phần")
    for c in range(8, 12):
        ws.cell(row=header, column=c, value=None)
    ws.merge_cells(start_row=header, start_column=7, end_row=header, end_column=11)
    for c in (1, 2, 3, 4, 5, 6, 12):
        ws.merge_cells(start_row=header, start_column=c, end_row=sub, end_column=c)
    ws.merge_cells("A1:M1")
    ws.merge_cells("C2:F2")
    last = ws.max_row
    ws.cell(row=last + 2, column=2, value="Người lập biểu")
    ws.merge_cells(start_row=last + 2, start_column=2, end_row=last + 2, end_column=5)


def test_xlsx_merges_in_title_header_and_signature_allowed_not_below_the_header(tmp_path):
    path, header = _template_xlsx(tmp_path, edit=_two_row_header)
    rep = parse_document(path)
    assert rep.columns == ["reported_rank", "score", "prev_score", "delta", "transparency_pct", "progress_pct",
                           "online_pct", "payment_pct", "digitization_pct", "e_cert", "e_cert_cum"]
    rows = by_name(rep)
    assert rows["HỘI AN"].line == header + 3
    assert rows["HỘI AN"].values["transparency_pct"] == 40.5 and rows["HỘI AN"].values["score"] == 60.02
    assert rep.meta.district_name == "Chợ Mới"

    def reaching_the_data(ws, header):  # the same, with column M merged from the 2nd header row down
        _two_row_header(ws, header)
        ws.merge_cells(start_row=header + 1, start_column=13, end_row=header + 2, end_column=13)

    path, header = _template_xlsx(tmp_path, edit=reaching_the_data, name="m.xlsx")
    err = raises_input(path)
    assert err.line == header + 2 and f"ô gộp M{header + 1}:M{header + 2} trong bảng số liệu" in err.message
