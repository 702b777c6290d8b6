"""Markdown tables (the Phú Tân seed, PDF-to-markdown converters, DOCX tables rendered by documents.py).

A table is a block of consecutive lines holding '|' cell separators; the rows above the '---' line are
the header. Cells lose HTML tags (<b>…</b>) and markdown emphasis; an empty STT cell is fine (the
district total row). A row's line is its line in the file.
"""

from __future__ import annotations

import re

from helpers.errors import InputError
from helpers.parsers import grid
from helpers.parsers.base import TableResult
from helpers.parsers.grid import GridRow, parse_grid

_SEP_CELL_RE = re.compile(r"^\s*:?-{2,}:?\s*$")
_CELL_SEP_RE = re.compile(r"(?<!\\)\|")  # a '|' not escaped as '\|'


def _is_table_line(line: str) -> bool:
    """At least two '|' and one of them first or last (spaces aside)."""
    if line.count("|") < 2:  # most lines of most documents: no '|' at all
        return False
    s = line.strip()
    return s.startswith("|") or s.endswith("|")


def split_cells(line: str) -> list[str]:
    s = line.strip()
    s = s.removeprefix("|")
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    if "\\" not in s:  # no escaped '|': every '|' separates two cells
        return [c.strip() for c in s.split("|")]
    cells = _CELL_SEP_RE.split(s)
    return [c.replace("\\|", "|").strip() for c in cells]


def _is_separator(cells: list[str]) -> bool:
    return bool(cells) and all(_SEP_CELL_RE.match(c) for c in cells if c.strip()) and any(c.strip() for c in cells)


def blocks(lines: list[str]) -> list[tuple[list[GridRow], int | None]]:
    """Each table block: its rows (separator lines left out) and how many rows its header has."""
    out = []
    if "|" not in "".join(lines):  # no table at all (a text table, prose)
        return out
    i = 0
    while i < len(lines):
        if not _is_table_line(lines[i]):
            i += 1
            continue
        rows: list[GridRow] = []
        header_rows = None
        while i < len(lines) and _is_table_line(lines[i]):
            cells = split_cells(lines[i])
            if _is_separator(cells):
                if header_rows is None:
                    header_rows = len(rows)
            else:
                rows.append(GridRow(i + 1, cells))
            i += 1
        out.append((rows, header_rows))
    return out


def first_table(lines: list[str]):
    """The first block with a header (rows, index of the header row, header rows above its '---' line);
    later blocks as wide as it are the same table continued (a page break in the converted document)."""
    found = blocks(lines)
    hit = grid.first_table([rows for rows, _ in found], limit=5)
    if hit is None:
        return None
    idx, rows, h = hit
    return rows, h, found[idx][1]


def detect(lines: list[str]) -> bool:
    return first_table(lines) is not None


def parse(lines: list[str], source: str, found=None) -> TableResult:
    """The first table of the lines (`found`: first_table(lines) when the caller has it already)."""
    found = first_table(lines) if found is None else found
    if found is None:
        raise InputError(source, None, "không tìm thấy bảng markdown có cột “Đơn vị” và “Điểm tổng hợp”")
    rows, h, header_rows = found
    count = None
    if header_rows is not None and header_rows > h:
        count = header_rows - h
    result = parse_grid(rows, source, header_rows=count, strict_width=True, start=h)
    if not result.rows:
        raise InputError(source, rows[h].line, "bảng không có dòng số liệu nào")
    return result
