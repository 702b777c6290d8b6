"""PDF (pdfplumber) and DOCX (python-docx) documents.

The text is extracted and then read by the text parsers, so a row's `line` is its line in the
EXTRACTED text, not in the binary file:
- PDF: `page.extract_text()` of every page joined with '\\n'. Ruled tables found by pdfplumber are read
  cell by cell (the extracted text runs adjacent cells together); each table row gets the line of
  the extracted text at the row's height on its page. Without a ruled table the extracted text goes
  to the text parsers (text table, markdown, prose).
- DOCX: paragraphs in body order, one line each (a line break inside a paragraph starts a new line);
  each table becomes markdown lines ("| a | b |", a '---' line after its header rows).
"""

from __future__ import annotations

import io

from helpers.errors import InputError
from helpers.parsers import dispatch, metadata
from helpers.parsers.archive import check_zip
from helpers.parsers.base import ReportMeta, TableResult, collapse, nfc, split_lines
from helpers.parsers.grid import GridRow, first_table, parse_grid
from helpers.parsers.numbers import is_number

MAX_PAGES = 300


def _numbered(lines: list[str]) -> list[tuple[int, str]]:
    return list(enumerate(lines, start=1))


# -- PDF ------------------------------------------------------------------------------------------

def _line_for(tops: list[float], top: float, bottom: float) -> int:
    """Index of the text line at the height of a table row (first line inside it, else the nearest)."""
    if not tops:
        return 0
    for k, y in enumerate(tops):
        if top - 1 <= y < bottom:
            return k
    return min(range(len(tops)), key=lambda k: abs(tops[k] - top))


def pdf_content(data: bytes, source: str) -> tuple[list[str], list[list[GridRow]]]:
    """(lines of the extracted text, the ruled tables: rows with their line in that text)."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any failure of the PDF library is bad content
        raise InputError(source, None, f"tệp PDF hỏng hoặc không đọc được ({type(exc).__name__})") from None
    texts: list[str] = []
    tables: list[list[GridRow]] = []
    try:
        with pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise InputError(source, None, f"tệp PDF có {len(pdf.pages)} trang, quá giới hạn {MAX_PAGES} trang")
            offset = 0
            for page in pdf.pages:
                text = nfc(page.extract_text() or "")
                n_lines = len(split_lines(text))
                found = page.find_tables()
                if found:
                    tops = [ln["top"] for ln in page.extract_text_lines()]
                    for table in found:
                        rows = []
                        for row, cells in zip(table.rows, table.extract()):
                            k = min(_line_for(tops, row.bbox[1], row.bbox[3]), n_lines - 1)
                            rows.append(GridRow(offset + k + 1,
                                                [collapse(c) if isinstance(c, str) else c for c in cells]))
                        tables.append(rows)
                texts.append(text)
                offset += n_lines
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError(source, None, f"không đọc được nội dung tệp PDF ({type(exc).__name__})") from None
    lines = split_lines("\n".join(texts))
    if not any(line.strip() for line in lines):
        raise InputError(source, None, "tệp PDF không có lớp chữ (có thể là ảnh quét); cần bản PDF có chữ hoặc "
                                       "tệp gốc")
    return lines, tables


def parse_pdf(data: bytes, source: str) -> tuple[TableResult, ReportMeta]:
    lines, tables = pdf_content(data, source)
    meta = metadata.extract(_numbered(lines), source)
    table = first_table(tables)  # the ruled table, continued on the next pages
    if table is not None:
        result = parse_grid(table[1], source)
        if not result.rows:
            raise InputError(source, None, "bảng trong tệp PDF không có dòng số liệu nào")
        return result, meta
    _, result = dispatch.parse_lines(lines, source)
    return result, meta


# -- DOCX -----------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return collapse(text.replace("|", "/"))


def _table_lines(table) -> list[str]:
    rows = [[_cell(c.text) for c in row.cells] for row in table.rows]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    n_head = 0
    while n_head < len(rows) and not any(is_number(c) for c in rows[n_head]):
        n_head += 1
    out = []
    for i, r in enumerate(rows):
        if i == n_head and 0 < n_head < len(rows):
            out.append("|" + "|".join(["---"] * width) + "|")
        out.append("| " + " | ".join(r) + " |")
    return out


def docx_lines(data: bytes, source: str) -> list[str]:
    check_zip(data, source, "docx")
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.extend(nfc(Paragraph(child, document).text).replace("\v", "\n").split("\n"))
            elif tag == "tbl":
                lines.append("")
                lines.extend(nfc(x) for x in _table_lines(Table(child, document)))
                lines.append("")
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the DOCX library is bad content
        raise InputError(source, None, f"tệp DOCX hỏng hoặc không đọc được ({type(exc).__name__})") from None
    if not any(line.strip() for line in lines):
        raise InputError(source, None, "tệp DOCX không có nội dung chữ")
    return lines


def parse_docx(data: bytes, source: str) -> tuple[TableResult, ReportMeta]:
    lines = docx_lines(data, source)
    meta = metadata.extract(_numbered(lines), source)
    _, result = dispatch.parse_lines(lines, source)
    return result, meta
