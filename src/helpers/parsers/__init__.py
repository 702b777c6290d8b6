"""Document parsers: a district's report file -> ParsedReport (rows as printed + document metadata).

    from helpers.parsers import parse_document
    report = parse_document("data/raw/cho-moi/000_0e14d90c141fb8cb.txt")

The format is chosen from the content: the extension (or magic bytes) for xlsx / csv / pdf / docx;
for text, a markdown table, a text table with a header (ĐƠN VỊ, ĐIỂM TỔNG HỢP, ...) and rows of
numbers, or prose items "xã Tên 70,19 điểm". `fmt=` overrides the choice.

Parsers do not match names to the registry nor check ranges, bands or deltas (helpers.ingest does).
Unreadable content raises InputError (file and 1-based line); a file that cannot be opened, UsageError.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers.errors import InputError, UsageError
from helpers.parsers import dispatch, documents, metadata, portal, spreadsheet
from helpers.parsers.archive import kind_of_zip
from helpers.parsers.base import (
    FORMATS,
    TEXT_FORMATS,
    ParsedReport,
    RawRow,
    ReportMeta,
    decode_text,
    read_bytes,
    split_lines,
)

__all__ = ["FORMATS", "ParsedReport", "RawRow", "ReportMeta", "parse_document"]

_EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".pdf": "pdf", ".docx": "docx"}
_UNSUPPORTED = {".xls": "xlsx", ".doc": "docx", ".ods": "xlsx", ".odt": "docx", ".rtf": "docx"}


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 (.doc) and Excel 97-2003 (.xls) files


def _container(path: Path, data: bytes, source: str) -> str | None:
    """'xlsx' / 'csv' / 'pdf' / 'docx' from the extension or the magic bytes; None for plain text."""
    ext = path.suffix.lower()
    if data.startswith(_OLE2_MAGIC):  # whatever its name says (a .doc renamed .docx)
        if ext in (".xlsx", ".xlsm", ".xls", ".csv"):
            raise InputError(source, None, "đây là tệp .xls cũ (Excel 97-2003): hãy lưu lại dạng .xlsx")
        raise InputError(source, None, "đây là tệp .doc cũ: hãy lưu lại dạng .docx")
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    if ext in _UNSUPPORTED:
        raise InputError(source, None, f"định dạng {ext} không được hỗ trợ; hãy lưu lại thành .{_UNSUPPORTED[ext]}")
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        kind = kind_of_zip(data)
        if kind is None:
            raise InputError(source, None, "tệp nén (zip) không phải bảng tính XLSX hay văn bản DOCX")
        return kind
    return None


def parse_document(path: str | Path, fmt: str | None = None) -> ParsedReport:
    """Parse one report file. `fmt` (one of FORMATS) overrides the format chosen from the content."""
    path = Path(path)
    source = path.name
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"định dạng '{fmt}' không hợp lệ (có: {', '.join(FORMATS)})")
    data = read_bytes(path, source)
    if fmt is None and portal.detect(data) is not None:  # the portal's figures are not a district's report
        raise InputError(source, None, "đây là tệp số liệu của Cổng Dịch vụ công quốc gia, không phải báo cáo "
                                       "của huyện: hãy chép vào data/raw/portal/ (chiso ingest đọc được trực tiếp)")
    sha = hashlib.sha256(data).hexdigest()
    kind = fmt if fmt in ("xlsx", "csv", "pdf", "docx") else None
    if kind is None and fmt is None:
        kind = _container(path, data, source)
    readers = {"xlsx": spreadsheet.parse_xlsx, "csv": spreadsheet.parse_csv,
               "pdf": documents.parse_pdf, "docx": documents.parse_docx}
    if kind in readers:
        result, meta = readers[kind](data, source)
        used = kind
    else:
        lines = split_lines(decode_text(data, source))
        used, result = dispatch.parse_lines(lines, source, fmt if fmt in TEXT_FORMATS else None)
        meta = metadata.extract(list(enumerate(lines, start=1)), source)
    return ParsedReport(source=source, path=path, sha256=sha, format=used, columns=list(result.columns),
                        rows=result.rows, meta=meta)
