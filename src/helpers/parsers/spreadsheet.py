"""Spreadsheets: the analyst's template as XLSX (openpyxl) or CSV (UTF-8, comma or semicolon).

Layout (data/templates/bao_cao_766_mau.*): metadata rows ("Huyện: …", "Tỉnh: …", "Thời gian chốt số
liệu: Ngày dd/mm/yyyy" or "Tuần N tháng M năm Y", "Xếp hạng trong tỉnh: 7/11"), then the header row
(the appendix table's Vietnamese headers), then one row per unit; the total row has Đơn vị
"TOÀN HUYỆN". A row's line is its spreadsheet row number (1-based); for a CSV, the line where the
record starts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from helpers.errors import InputError
from helpers.parsers import metadata
from helpers.parsers.archive import check_zip
from helpers.parsers.base import ReportMeta, TableResult, decode_text
from helpers.parsers.grid import GridRow, cell_text, find_header, parse_grid

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

def _sheet_rows(ws, source: str) -> list[GridRow]:
    from openpyxl.utils import get_column_letter

    out: list[GridRow] = []
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
                raise InputError(source, r, f"ô {ref} chứa công thức, cần giá trị (hãy dán giá trị thay cho công thức)")
            cells.append(value)
            refs.append(ref)
        while cells and cells[-1] in (None, ""):
            cells.pop()
            refs.pop()
        out.append(GridRow(r, cells, refs))
    return out


def parse_xlsx(data: bytes, source: str) -> tuple[TableResult, ReportMeta]:
    check_zip(data, source, "xlsx")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any library failure is bad content
        raise InputError(source, None, f"không mở được bảng tính XLSX ({type(exc).__name__})") from None
    try:
        for ws in wb.worksheets:
            try:
                rows = _sheet_rows(ws, source)
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise InputError(source, None, f"không đọc được trang tính “{ws.title}” ({type(exc).__name__})") \
                    from None
            found = _parse_rows(rows, source)
            if found is not None:
                return found
    finally:
        wb.close()
    raise InputError(source, None, "không tìm thấy dòng tiêu đề của bảng trong trang tính nào (cần cột “Đơn vị” "
                                   "và cột “Điểm tổng hợp”)")


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


def parse_csv(data: bytes, source: str) -> tuple[TableResult, ReportMeta]:
    text = decode_text(data, source)
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
