"""Tables made of cells: markdown tables, spreadsheets, PDF and DOCX tables.

A grid is a list of rows, each with the 1-based line (or spreadsheet row) where it starts and its
cells. The header row is the first one whose cells name a unit column and a score column (columns.py);
header rows below it (a two-row header with merged group cells) are merged column by column.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.errors import InputError
from helpers.parsers import columns as cols
from helpers.parsers.base import RawRow, TableResult, collapse, split_unit_type, strip_markup
from helpers.parsers.numbers import NumberError, from_cell, has_digit, is_blank_mark, is_number


@dataclass
class GridRow:
    line: int
    cells: list                       # str | int | float | datetime | None
    refs: list[str] | None = None     # cell references ("D9") for messages, spreadsheets only
    outside: str = ""                 # digits a PDF prints across the row but in none of its cells (a lost value)


def cell_text(value) -> str:
    if type(value) is str:  # most cells
        return strip_markup(value)
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return strip_markup(str(value))


def _is_numeric_cell(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and is_number(strip_markup(value))


def header_columns(row: GridRow) -> list[str | None] | None:
    """The columns a row names when it is a header row (a unit column and a score column), else None."""
    if any(_is_numeric_cell(c) for c in row.cells):
        return None
    found = cols.cell_columns([cell_text(c) for c in row.cells])
    if cols.NAME in found and "score" in found:
        return found
    return None


def find_header(rows: list[GridRow], limit: int = 60) -> int | None:
    """Index of the header row among the first `limit` rows (a table's header is at its top)."""
    for i, row in enumerate(rows[:limit]):
        if header_columns(row) is not None:
            return i
    return None


def _width(rows: list[GridRow]) -> int:
    return max((len(r.cells) for r in rows), default=0)


def first_table(tables: list[list[GridRow]], limit: int = 60) -> tuple[int, list[GridRow], int] | None:
    """The first of `tables` with a header row (find_header), with the tables after it that are as wide
    appended: the same table continued after a page break, with or without its header printed again.
    (its index among `tables`, the rows, the index of the header row); None when no table has a header."""
    for idx, rows in enumerate(tables):
        h = find_header(rows, limit)
        if h is None:
            continue
        out = list(rows)
        for more in tables[idx + 1:]:
            if _width(more) != _width(rows):
                break
            if more and _ends_a_row(more[0]):  # a row Word or LibreOffice let run over the page break
                last = out[-1]
                out[-1] = GridRow(last.line, [_joined(a, b) for a, b in zip(last.cells, more[0].cells)],
                                  last.refs, last.outside + more[0].outside)
                more = more[1:]
            out += more
        return idx, out, h
    return None


def _ends_a_row(row: GridRow) -> bool:
    """The first row of a table's part on a new page holds only the end of the last row of the page before:
    words without a digit ("BÌNH" of a band "TRUNG" / "BÌNH"), no STT, no header keyword."""
    texts = [cell_text(c) for c in row.cells]
    return (not texts[0] and any(texts) and not any(has_digit(t) for t in texts)
            and not continues_header(row) and not any(cols.is_total_label(t) for t in texts))


def _joined(a, b):
    """A cell's text on the page before and its end on the next page, one cell."""
    a_text, b_text = cell_text(a), cell_text(b)
    return collapse(f"{a_text} {b_text}") if b_text else a


def _merge_header(rows: list[GridRow]) -> list[str]:
    """Each column's header text, its rows joined top down. A group label that a spreadsheet or CSV keeps
    in the first cell of a merged range ("CHỨNG THỰC ĐIỆN TỬ" over "Trong tuần" and "Lũy kế") stands over
    the blank cells to its right that have a label in the row below."""
    width = max(len(r.cells) for r in rows)
    texts = [[cell_text(r.cells[c]) if c < len(r.cells) else "" for c in range(width)] for r in rows]
    for k in range(len(texts) - 1):
        for c in range(1, width):
            if not texts[k][c] and texts[k][c - 1] and texts[k + 1][c] and texts[k + 1][c - 1]:
                texts[k][c] = texts[k][c - 1]
    merged = []
    for c in range(width):
        parts: list[str] = []
        for row in texts:
            t = row[c]
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        merged.append(" ".join(parts))
    return merged


def continues_header(row: GridRow) -> bool:
    """A second header row: no number in it and at least one header keyword."""
    if any(_is_numeric_cell(c) for c in row.cells):
        return False
    texts = [cell_text(c) for c in row.cells]
    return any(cols.classify_cell(t) not in (None, cols.NAME) for t in texts if t)


def header_height(rows: list[GridRow], h: int) -> int:
    """How many rows the header starting at rows[h] takes: itself and the rows that continue it."""
    n = 1
    while h + n < len(rows) and continues_header(rows[h + n]):
        n += 1
    return n


def _row_texts(row: GridRow) -> list[str]:
    """The row's cell texts, trailing empty cells left out (to compare two rows)."""
    texts = [collapse(cell_text(c)) for c in row.cells]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def parse_grid(rows: list[GridRow], source: str, header_rows: int | None = None,
               strict_width: bool = False, start: int | None = None) -> TableResult:
    """Rows of the first table with a recognisable header.

    `header_rows` fixes how many rows the header has (markdown: the rows above the '---' line);
    `strict_width` makes a row with fewer cells than the header an error (a truncated markdown row).
    """
    h = find_header(rows) if start is None else start
    if h is None:
        raise InputError(source, None, "không tìm thấy dòng tiêu đề của bảng (cần cột “Đơn vị” và cột "
                                       "“Điểm tổng hợp”)")
    n = header_height(rows, h) if header_rows is None else max(1, header_rows)
    head = _merge_header(rows[h:h + n])
    kinds = cols.cell_columns(head)
    width = len(head)
    seen: dict[str, int] = {}
    for idx, k in enumerate(kinds):
        if k is None:
            continue
        if k in seen:
            raise InputError(source, rows[h].line,
                             f"tiêu đề bảng có hai cột cùng là “{cols.LABELS.get(k, k)}” "
                             f"(“{head[seen[k]]}” và “{head[idx]}”)")
        seen[k] = idx
    if cols.NAME not in seen or "score" not in seen:
        raise InputError(source, rows[h].line, "tiêu đề bảng thiếu cột “Đơn vị” hoặc cột “Điểm tổng hợp”")
    value_cols = [k for k in kinds if k and k not in (cols.NAME, cols.BAND)]
    # columns in the contract's order
    value_cols = [c for c in cols.VALUE_COLUMNS if c in value_cols]
    out: list[RawRow] = []
    keys = cols.band_keys()
    # The header printed again (a new page, or retyped mid-table): its first row names the columns
    # (header_columns); the rows after it that continue it are recognised like the first header's
    # continuation rows (continues_header), or repeat them cell for cell (a markdown / DOCX header
    # whose height was told by its '---' line), at most as many as the first header has.
    continuation = [_row_texts(r) for r in rows[h + 1:h + n]]
    repeated = None  # continuation rows of a repeated header seen so far, None outside one
    data_rows: list[tuple[GridRow, list]] = []
    for row in rows[h + n:]:
        cells = list(row.cells)
        if all(cell_text(c) == "" for c in cells):
            continue
        if header_columns(row) is not None:  # the header repeated on a new page
            repeated = 0
            continue
        if repeated is not None and repeated < len(continuation) and (
                continues_header(row) or _row_texts(row) == continuation[repeated]):
            repeated += 1
            continue
        repeated = None
        if strict_width and len(cells) < width:
            raise InputError(source, row.line, f"dòng bảng bị cắt: có {len(cells)} ô, tiêu đề có {width} cột")
        if strict_width and len(cells) > width:
            raise InputError(source, row.line, f"dòng bảng có {len(cells)} ô, nhiều hơn {width} cột của tiêu đề "
                                               "(thừa dấu '|'?)")
        cells += [None] * (width - len(cells))
        parsed = _parse_row(row, cells, kinds, value_cols, source, keys)
        if parsed is not None:
            out.append(parsed)
            data_rows.append((row, cells))
    _check_unread_columns(data_rows, head, kinds, rows[h].line, source, out)
    return TableResult(value_cols, out)


def _check_unread_columns(data_rows: list[tuple[GridRow, list]], head: list[str], kinds: list[str | None],
                          header_line: int, source: str, out: list[RawRow]) -> None:
    """A column holding numbers whose header names no known column would be dropped: refused, naming the
    header as printed, the column's first number and its line (no printed value is lost silently). A column
    the workbench does not store but a report may add ("Xếp hạng", "Ghi chú") is left out with a warning."""
    for idx, kind in enumerate(kinds):
        if kind is not None:
            continue
        for row, cells in data_rows:
            value = cells[idx] if idx < len(cells) else None
            if _is_numeric_cell(value) and cols.is_optional_header(head[idx]) and out:
                message = f"cột “{head[idx]}” của bảng có số liệu nhưng không được lưu (cột này không thuộc bảng mẫu)"
                out[0].suspect.append((header_line, message))
                break
            if _is_numeric_cell(value):
                label = f"“{head[idx]}”" if head[idx] else "không có tiêu đề"
                place = f"ô {row.refs[idx]}" if row.refs and idx < len(row.refs) else f"dòng {row.line}"
                raise InputError(source, header_line,
                                 f"cột thứ {idx + 1} của bảng ({label}) có số liệu ({cell_text(value)} ở {place}) "
                                 "nhưng tiêu đề không được nhận ra; số liệu không được bỏ qua: hãy ghi tiêu đề cột "
                                 "như bảng mẫu (data/templates) hoặc bỏ cột này")


def _where(row: GridRow, idx: int, column: str, name: str = "") -> str:
    """'dòng của “LONG KIẾN”, ô H11 (DVCTT (%))' or '…, cột “DVCTT (%)”': the row's unit, so the place is
    found where the line alone does not tell (the line of a Word or PDF file is that of its extracted text)."""
    label = cols.LABELS.get(column, column)
    where = f"ô {row.refs[idx]} ({label})" if row.refs and idx < len(row.refs) else f"cột “{label}”"
    return f"dòng của “{name}”, {where}" if name else where


def _parse_row(row: GridRow, cells: list, kinds: list[str | None], value_cols: list[str],
               source: str, keys: cols.BandKeys) -> RawRow | None:
    name_at = kinds.index(cols.NAME)
    name = collapse(cell_text(cells[name_at]))
    if "reported_rank" in kinds:
        # a label merged across the STT and name columns ("TOÀN HUYỆN"): a Word or spreadsheet merge
        # keeps it in the first column of the range, the STT column; text laid out by position puts its
        # words in both ("TOÀN" under STT, "HUYỆN" under the name), read left to right
        rank_at = kinds.index("reported_rank")
        label = collapse(cell_text(cells[rank_at]))
        if (any(ch.isalpha() for ch in label) and not has_digit(label) and rank_at + 1 == name_at
                or not name and any(ch.isalpha() for ch in label) and abs(rank_at - name_at) == 1):
            name = collapse(f"{label} {name}")
            cells = list(cells)
            cells[rank_at] = None
    values: dict = {c: None for c in value_cols}
    band = None
    for idx, k in enumerate(kinds):
        if k is None or k == cols.NAME:
            continue
        raw = cells[idx]
        if k == cols.BAND:
            text = cell_text(raw)
            if text and not is_blank_mark(text):
                try:
                    band = cols.normalise_band(text, keys)
                except ValueError:
                    raise InputError(source, row.line,
                                     f"{_where(row, idx, k, name)}: xếp loại “{text}” không thuộc các loại trong "
                                     "params/bands.yaml") from None
            continue
        if isinstance(raw, str):
            raw = cell_text(raw)
            if k == "reported_rank" and raw.endswith(".") and raw[:-1].isdigit():
                raw = raw[:-1]
        try:
            values[k] = from_cell(raw, cols.kind_of(k))
        except NumberError as exc:
            raise InputError(source, row.line, f"{_where(row, idx, k, name)}: {exc.message}") from None
    rank = values.get("reported_rank")
    data = [v for c, v in values.items() if c != "reported_rank" and v is not None]
    if not name:
        if not data and band is None:
            return None  # a row with only its STT (an unused template row)
        raise InputError(source, row.line, "dòng có số liệu nhưng không có tên đơn vị")
    is_total = cols.is_total_label(name)
    if not data and band is None:
        if is_total:
            return None  # a total row left blank
        if rank is None:  # a section label, or a unit that lost its values: the registry tells (ingest)
            name, unit_type = split_unit_type(name)
            return RawRow(line=row.line, name=name, unit_type=unit_type, values=values, no_data=True)
        raise InputError(source, row.line, f"dòng của “{name}” không có số liệu (thiếu điểm tổng hợp)")
    if values.get("score") is None:
        raise InputError(source, row.line, f"dòng của “{name}” thiếu điểm tổng hợp")
    unit_type = None
    if not is_total:
        name, unit_type = split_unit_type(name)
    if has_digit(name) and not any(ch.isalpha() for ch in name):
        raise InputError(source, row.line, f"tên đơn vị “{name}” không hợp lệ")
    refs = {k: row.refs[idx] for idx, k in enumerate(kinds) if k in values and row.refs and idx < len(row.refs)}
    return RawRow(line=row.line, name=name, is_total=is_total, unit_type=unit_type, band=band, values=values,
                  cells=refs)
