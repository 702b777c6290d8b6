"""Choosing and running a text parser: markdown table, text table (PDF text: a stream of words, or laid out in
columns as `pdftotext -layout` prints it) or prose."""

from __future__ import annotations

from helpers.errors import InputError, UsageError
from helpers.parsers import layout_table, markdown_table, prose, text_table
from helpers.parsers.base import TEXT_FORMATS, TableResult, tokenize

_PARSERS = {"markdown": markdown_table, "text-table": text_table, "prose": prose}


def detect(lines: list[str]) -> str | None:
    """The text format the content shows: a markdown table, a text table, or prose items; else None."""
    for fmt in ("markdown", "text-table", "prose"):
        if _PARSERS[fmt].detect(lines) or (fmt == "text-table" and layout_table.detect(lines)):
            return fmt
    return None


def parse_lines(lines: list[str], source: str, fmt: str | None = None) -> tuple[str, TableResult]:
    """(format, result) for text lines; `fmt` forces one of the text formats."""
    if fmt is not None and fmt not in TEXT_FORMATS:
        raise UsageError(f"định dạng '{fmt}' không dùng được cho văn bản (có: {', '.join(TEXT_FORMATS)})")
    used, result = _parse(lines, source, fmt)
    return used, prose.with_stated_total(result, lines)


def _parse(lines: list[str], source: str, fmt: str | None) -> tuple[str, TableResult]:
    if fmt == "text-table" and text_table.find_header(lines) is None and (parts := layout_table.find(lines)):
        return fmt, layout_table.parse(lines, source, parts)
    if fmt is not None:
        return fmt, _PARSERS[fmt].parse(lines, source)
    table = markdown_table.first_table(lines)
    if table is not None:  # found once, parsed from what was found
        return "markdown", markdown_table.parse(lines, source, table)
    tokens = tokenize(lines)
    header = text_table.find_header(lines, tokens)
    if header is not None:  # found once, parsed with the same tokens
        return "text-table", text_table.parse(lines, source, header, tokens)
    parts = layout_table.find(lines)
    if parts:  # a text table laid out in columns
        return "text-table", layout_table.parse(lines, source, parts)
    if prose.detect(lines):
        return "prose", prose.parse(lines, source)
    raise InputError(source, None, "không tìm thấy bảng điểm hay danh sách điểm của các đơn vị (cần bảng có "
                                   "cột “ĐƠN VỊ”, “ĐIỂM TỔNG HỢP”, hoặc các mục dạng “xã Tên 70,19 điểm”)")
