"""Spreadsheets: the analyst's template as XLSX (openpyxl) or CSV (UTF-8 or Excel's Windows-1258, comma or
semicolon).

Layout (data/templates/bao_cao_766_mau.*): metadata rows ("Huyện: …", "Tỉnh: …", "Thời gian chốt số
liệu: Ngày dd/mm/yyyy" or "Tuần N tháng M năm Y", "Xếp hạng trong tỉnh: 7/11"), then the header row
(the appendix table's Vietnamese headers), then one row per unit; the total row has Đơn vị
"TOÀN HUYỆN". A row's line is its spreadsheet row number (1-based); for a CSV, the line where the
record starts.

XLSX: one sheet only may hold a table (a header row); other sheets (the template's "Hướng dẫn", notes)
are not read. In that sheet formulas and merged cells over the data are refused, and a number shown as
a percentage ("61,2%", stored 0.612) is read as shown (61.2).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import defusedxml.ElementTree as SafeET

from helpers.errors import InputError
from helpers.parsers import metadata
from helpers.parsers.archive import check_zip
from helpers.parsers.base import ReportMeta, TableResult, decode_text
from helpers.parsers.grid import GridRow, cell_text, find_header, header_height, parse_grid
from helpers.parsers.numbers import is_number

MAX_ROWS = 5000
MAX_COLS = 60


def _meta_text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return cell_text(value)


def _meta_lines(rows: list[GridRow]) -> list[tuple[int, str]]:
    return [(r.line, " ".join(t for t in (_meta_text(c) for c in r.cells) if t)) for r in rows]


def _parse_rows(rows: list[GridRow], source: str) -> tuple[TableResult, ReportMeta] | None:
    h = find_header(rows)
    if h is None:
        return None
    result = parse_grid(rows, source, start=h)
    if not result.rows:
        raise InputError(source, rows[h].line, "bảng không có dòng số liệu nào")
    return result, metadata.extract(_meta_lines(rows[:h]), source)


# -- XLSX -----------------------------------------------------------------------------------------

def _format_section(number_format: str, value) -> str:
    """The section of an Excel number format ("pos;neg;zero;text") that shows `value`, with its quoted
    literals ("…"), escaped characters (\\x) and bracketed codes ([Red], [>=100]) removed: a '%' left in
    it is a percent sign that scales the value (a '%' in quotes or after a backslash is literal text)."""
    sections, buf, i = [], [], 0
    while i < len(number_format):
        ch = number_format[i]
        if ch == '"':
            end = number_format.find('"', i + 1)
            i = len(number_format) if end < 0 else end + 1
            continue
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            end = number_format.find("]", i + 1)
            i = len(number_format) if end < 0 else end + 1
            continue
        if ch == ";":
            sections.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    sections.append("".join(buf))
    if value < 0 and len(sections) > 1:
        return sections[1]
    if value == 0 and len(sections) > 2:
        return sections[2]
    return sections[0]


def _shown_percent(value, number_format) -> int | float | None:
    """A number cell formatted as a percentage, as the number the officer typed and sees ("61,2%" is
    stored as 0.612 with format "0.0%": 61.2); None when the cell is not a number with a '%' format.

    Scaled whatever the column: a text cell "61,2%" already reads as 61.2 in any column (numbers.py), so
    a percent-formatted number reads the same as the text it displays. A score or count cell formatted
    as a percentage is thereby read as displayed, never silently 100 times too small; a value that makes
    no sense once scaled (a score shown as "7404%") is refused by the range checks on the values."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not number_format:
        return None
    if "%" not in number_format or "%" not in _format_section(number_format, value):
        return None
    if isinstance(value, int):
        return value * 100
    if not math.isfinite(value):
        return None  # left to from_cell, which refuses it
    # through the shortest decimal form, so 0.612 gives 61.2 and not 61.199999999999996
    return float(Decimal(repr(value)) * 100)


@dataclass
class _Sheet:
    title: str
    rows: list[GridRow]
    formula: tuple[int, str] | None   # (row, cell reference) of the first formula cell, if any
    header: int | None                # index in `rows` of the table's header row (find_header)


def _sheet_rows(ws, source: str) -> _Sheet:
    from openpyxl.utils import get_column_letter

    out: list[GridRow] = []
    formula = None
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLS), start=1):
        if r > MAX_ROWS:
            if any(getattr(cell, "value", None) not in (None, "") for cell in row):
                raise InputError(source, r, f"trang tính “{ws.title}” có hơn {MAX_ROWS} dòng")
            break
        cells, refs = [], []
        for c, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            ref = f"{get_column_letter(c)}{r}"
            if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                # refused only in the sheet holding the table (parse_xlsx): a formula elsewhere is not read
                formula = formula or (r, ref)
            elif (shown := _shown_percent(value, getattr(cell, "number_format", None))) is not None:
                value = shown
            cells.append(value)
            refs.append(ref)
        while cells and cells[-1] in (None, ""):
            cells.pop()
            refs.pop()
        out.append(GridRow(r, cells, refs))
    return _Sheet(ws.title, out, formula, find_header(out))


def _merged_ranges(data: bytes, ws, source: str) -> list[str]:
    """The merged ranges ("C13:C14") of a sheet, read from its XML part (<mergeCells>): a read-only
    workbook does not have them. The zip was checked by check_zip (sizes, DOCTYPE/ENTITY)."""
    # openpyxl's read-only worksheet keeps the zip member it streams from; without it the check
    # could not be made, so a missing attribute is an error, not a sheet without merges.
    part = ws._worksheet_path
    out: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(part) as fh:
            for _event, el in SafeET.iterparse(fh, events=("end",)):
                tag = el.tag.rsplit("}", 1)[-1]
                if tag == "mergeCell":
                    out.append(el.get("ref", ""))
                elif tag in ("row", "sheetData", "mergeCells"):
                    el.clear()  # keep memory flat on a large sheet
    except Exception as exc:  # noqa: BLE001 - any failure is bad content
        raise InputError(source, None, f"không đọc được các ô gộp của trang tính “{ws.title}” "
                                       f"({type(exc).__name__})") from None
    return out


def _is_number_cell(value) -> bool:
    """A number, or text reading as one: what a data row holds and a signature block below does not
    (a date there is not counted; in a value column a date is refused by from_cell anyway)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and is_number(cell_text(value))


def _check_merges(sheet: _Sheet, merges: list[str], source: str, where: str) -> None:
    """Refuse a merged range over the table's data cells: its value shows over several cells but is
    stored in the first one only (the others read as blank), and a covered cell may keep a value nobody
    sees (LibreOffice's "keep the contents of the hidden cells"). Merges in the title and header rows,
    outside the table's columns and below its last row holding a number (a signature block) are allowed."""
    from openpyxl.utils import range_boundaries

    h = sheet.header
    assert h is not None
    rows = sheet.rows
    n = header_height(rows, h)
    header_end = rows[h + n - 1].line
    named = [c for r in rows[h:h + n] for c, v in enumerate(r.cells, start=1) if cell_text(v)]
    first_col, last_col = min(named), max(named)
    data_end = max((r.line for r in rows[h + n:]
                    if any(_is_number_cell(v) for v in r.cells[first_col - 1:last_col])), default=header_end)
    for ref in merges:
        try:
            bounds = range_boundaries(ref)
        except (ValueError, TypeError):
            raise InputError(source, None, f"{where}vùng ô gộp “{ref[:40]}” không hợp lệ") from None
        if None in bounds:
            raise InputError(source, None, f"{where}vùng ô gộp “{ref[:40]}” không hợp lệ (cần dạng C13:C14)")
        (min_col, max_col), (min_row, max_row) = sorted(bounds[::2]), sorted(bounds[1::2])
        if (min_col, min_row) == (max_col, max_row):
            continue  # a single cell: nothing is covered
        if max_row <= header_end or min_row > data_end or max_col < first_col or min_col > last_col:
            continue
        line = max(min_row, header_end + 1)
        raise InputError(source, line, f"{where}ô gộp {ref} trong bảng số liệu: hãy bỏ gộp và ghi giá trị vào "
                                       "từng ô")


def parse_xlsx(data: bytes, source: str) -> tuple[TableResult, ReportMeta]:
    check_zip(data, source, "xlsx")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any library failure is bad content
        raise InputError(source, None, f"không mở được bảng tính XLSX ({type(exc).__name__})") from None
    try:
        tables: list[tuple[object, _Sheet]] = []
        for ws in wb.worksheets:
            try:
                sheet = _sheet_rows(ws, source)
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise InputError(source, None, f"không đọc được trang tính “{ws.title}” ({type(exc).__name__})") \
                    from None
            if sheet.header is not None:
                tables.append((ws, sheet))
        if not tables:
            raise InputError(source, None, "không tìm thấy dòng tiêu đề của bảng trong trang tính nào (cần cột "
                                           "“Đơn vị” và cột “Điểm tổng hợp”)")
        if len(tables) > 1:
            # e.g. last week's sheet kept (or copied) next to this week's: which one is the report is
            # not something to guess
            names = ", ".join(f"“{ws.title}”" + (" (đang ẩn)" if ws.sheet_state != "visible" else "")
                              for ws, _ in tables)
            raise InputError(source, None, f"tệp có {len(tables)} trang tính chứa bảng điểm ({names}): mỗi tệp chỉ "
                                           "một trang tính số liệu; hãy xoá hoặc tách các trang khác")
        ws, sheet = tables[0]
        # with several sheets, messages name the one read
        where = f"trang tính “{sheet.title}”, " if len(wb.worksheets) > 1 else ""
        if sheet.formula is not None:
            r, ref = sheet.formula
            raise InputError(source, r, f"{where}ô {ref} chứa công thức, cần giá trị (hãy dán giá trị thay cho "
                                        "công thức)")
        _check_merges(sheet, _merged_ranges(data, ws, source), source, where)
        try:
            found = _parse_rows(sheet.rows, source)
        except InputError as exc:
            if not where:
                raise
            raise InputError(exc.source, exc.line, where + exc.message) from None
        assert found is not None
        return found
    finally:
        wb.close()


# -- CSV ------------------------------------------------------------------------------------------

def _csv_rows(text: str, delimiter: str, source: str) -> list[GridRow]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[GridRow] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(source, start, f"dòng CSV không đọc được ({exc})") from None
        if len(out) >= MAX_ROWS:
            raise InputError(source, start, f"tệp CSV có hơn {MAX_ROWS} dòng")
        out.append(GridRow(start, [c if c.strip() else None for c in record]))
    return out


def _csv_text(data: bytes, source: str) -> str:
    """The CSV's text: UTF-8 ("CSV UTF-8"), else Windows-1258, the code page Excel writes a plain "CSV" in
    on Vietnamese Windows (tone marks as combining characters: NFC composes them)."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if b"\x00" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return decode_text(data.decode("cp1258").encode("utf-8"), source)
            except UnicodeDecodeError:
                pass
    return decode_text(data, source)


def parse_csv(data: bytes, source: str) -> tuple[TableResult, ReportMeta]:
    text = _csv_text(data, source)
    best = None
    for delimiter in (";", ",", "\t"):
        rows = _csv_rows(text, delimiter, source)
        h = find_header(rows)
        if h is None:
            continue
        width = sum(1 for c in rows[h].cells if c)
        if best is None or width > best[0]:
            best = (width, rows)
    if best is None:
        raise InputError(source, None, "không tìm thấy dòng tiêu đề của bảng (cần cột “Đơn vị” và cột “Điểm tổng "
                                       "hợp”, các ô cách nhau bằng dấu phẩy hoặc chấm phẩy)")
    found = _parse_rows(best[1], source)
    assert found is not None
    return found
