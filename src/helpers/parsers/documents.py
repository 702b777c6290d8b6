"""PDF (pdfplumber) and DOCX (python-docx) documents.

The text is extracted and then read by the text parsers, so a row's `line` is its line in the
EXTRACTED text, not in the binary file:
- PDF: `page.extract_text()` of every page joined with '\\n'. Ruled tables found by pdfplumber are read
  cell by cell (the extracted text runs adjacent cells together); each table row gets the line of
  the extracted text at the row's height on its page. Without a ruled table the extracted text goes
  to the text parsers (text table, markdown, prose).
- DOCX: paragraphs in body order, one line each (a line break inside a paragraph starts a new line);
  each table becomes markdown lines ("| a | b |", a '---' line after its header rows), its merged cells
  as Word shows them (_table_lines). Paragraphs and tables inside block-level content controls (w:sdt)
  are read in their place, those of a text box after the paragraph holding it; the footnotes and
  endnotes follow the body. A document that still
  holds tracked changes (Track Changes not accepted) is refused: python-docx reads neither version.
"""

from __future__ import annotations

import io

from helpers.errors import InputError
from helpers.parsers import columns as cols
from helpers.parsers import dispatch, layout_table, metadata, prose
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


def _pdf_cell(text):
    """A ruled table's cell: its lines joined, a word that a narrow column broke over two lines ("CHỨN" /
    "G THỰC ĐIỆN TỬ") made whole again when that completes a header keyword."""
    if not isinstance(text, str):
        return text
    return collapse(cols.rejoin_broken_words(nfc(text)) if "\n" in text else text)


def _spaced(line: dict) -> str:
    """A line of a page's text with two spaces where its words stand more than a letter's height apart: the
    columns of a letterhead ("HUYỆN THÁP" and "CỘNG HÒA …" side by side) stay apart, as in `pdftotext
    -layout`, so a name is not run into the text of the next column."""
    words, chars, k, out = line["text"].split(" "), line["chars"], 0, ""
    last = None
    for word in words:
        if not word:
            continue
        first, taken = None, 0
        while taken < len(word) and k < len(chars):
            if not chars[k]["text"].isspace():
                first = first or chars[k]
                taken += len(chars[k]["text"])
            k += 1
        if taken != len(word) or first is None:
            return line["text"]  # the characters do not match the words: the line as extracted
        gap = "  " if last is not None and first["x0"] - last["x1"] > first["size"] else " "
        out += (gap if out else "") + word
        last = chars[k - 1]
    return out


def _stray_digits(chars: list[dict], cells: list) -> list[tuple[float, str]]:
    """(height, digit) of the digits a page prints in none of a table's cells."""
    out = []
    for ch in chars:
        if not ch["text"].isdigit():
            continue
        x, y = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if not any(a <= x <= b and t <= y <= u for a, t, b, u in cells):
            out.append((y, ch["text"]))
    return out


def _outside(stray: list[tuple[float, str]], row) -> str:
    """The digits printed on a table row's band (its height, the page's width) but in no cell of the table:
    a value the table reader does not see (a column without rules, a cell border missing, text run over a
    rule)."""
    _, top, _, bottom = row.bbox
    return "".join(text for y, text in stray if top <= y < bottom)


def _check_rows_complete(rows: list[GridRow], source: str) -> None:
    """A value printed inside a row of a ruled table but in no cell of it would be lost without a trace:
    refused, with the row's line."""
    for row in rows:
        if row.outside:
            label = next((c for c in row.cells if isinstance(c, str) and any(ch.isalpha() for ch in c)), "")
            where = f"dòng “{label}” của bảng" if label else "một dòng của bảng"
            raise InputError(source, row.line, f"{where}: trang PDF in chữ số “{row.outside}” nằm ngoài các ô của "
                                               "bảng, không đọc được vào cột nào nhưng không được bỏ qua: cần bản PDF có "
                                               "bảng kẻ ô đầy đủ hoặc tệp gốc")


def pdf_content(data: bytes, source: str) -> tuple[list[str], list[list[GridRow]]]:
    """(lines of the extracted text, the ruled tables: rows with their line in that text)."""
    lines, _, tables = _pdf_pages(data, source)
    return lines, tables


def _pdf_pages(data: bytes, source: str) -> tuple[list[str], list[str], list[list[GridRow]]]:
    """(lines of the extracted text, the same lines with their columns apart (_spaced), the ruled tables)."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any failure of the PDF library is bad content
        raise InputError(source, None, f"tệp PDF hỏng hoặc không đọc được ({type(exc).__name__})") from None
    texts: list[str] = []
    spaced: list[str] = []
    tables: list[list[GridRow]] = []
    try:
        with pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise InputError(source, None, f"tệp PDF có {len(pdf.pages)} trang, quá giới hạn {MAX_PAGES} trang")
            offset = 0
            for page in pdf.pages:
                text = nfc(page.extract_text() or "")
                n_lines = len(split_lines(text))
                text_lines = page.extract_text_lines()
                apart = [nfc(_spaced(ln)) for ln in text_lines]
                spaced += apart if len(apart) == n_lines else split_lines(text)
                found = page.find_tables()
                if found:
                    tops = [ln["top"] for ln in text_lines]
                    for table in found:
                        rows = []
                        stray = _stray_digits(page.chars, table.cells)
                        for row, cells in zip(table.rows, table.extract()):
                            k = min(_line_for(tops, row.bbox[1], row.bbox[3]), n_lines - 1)
                            rows.append(GridRow(offset + k + 1, [_pdf_cell(c) for c in cells],
                                                outside=_outside(stray, row)))
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
    return lines, spaced, tables


def parse_pdf(data: bytes, source: str) -> tuple[TableResult, ReportMeta]:
    lines, spaced, tables = _pdf_pages(data, source)
    meta = metadata.extract(_numbered(spaced), source)
    table = first_table(tables)  # the ruled table, continued on the next pages
    if table is not None:
        _check_rows_complete(table[1], source)
        result = parse_grid(table[1], source)
        if not result.rows:
            raise InputError(source, None, "bảng trong tệp PDF không có dòng số liệu nào")
        return prose.with_stated_total(result, lines), meta
    if dispatch.detect(lines) in (None, "prose"):
        # a table without rules runs its cells together in the extracted text: laid out as printed, its
        # columns apart, it is read by position (layout_table), its lines being those of that layout
        laid = _pdf_laid_out(data)
        parts = layout_table.find(laid)
        if parts:
            return prose.with_stated_total(layout_table.parse(laid, source, parts), laid), meta
    _, result = dispatch.parse_lines(lines, source)
    return result, meta


def _pdf_laid_out(data: bytes) -> list[str]:
    """The PDF's text laid out as printed (pdfplumber's layout mode), a form feed between pages."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return split_lines(nfc("\f".join(page.extract_text(layout=True) or "" for page in pdf.pages)))


# -- DOCX -----------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return collapse(text.replace("|", "/"))


def _text(element) -> str:
    """What Word shows of a paragraph, or of a table cell (its paragraphs joined by line ends): the text of
    its runs at any depth, so text inside an inline content control, a simple field or a hyperlink is
    read too (python-docx's Paragraph.text and _Cell.text leave those out); tabs and breaks of a run.
    Deleted text (w:delText) and field codes (w:instrText) are not shown, so not read; a text box anchored
    in the paragraph is read on lines of its own (_text_boxes), not here."""
    if element.tag == _W + "tc":
        return "\n".join(_text(p) for p in element.iterchildren(_W + "p"))
    out: list[str] = []
    _runs_text(element, out)
    return "".join(out)


def _runs_text(element, out: list[str]) -> None:
    for el in element.iterchildren():
        tag = el.tag
        if tag == _W + "t":
            out.append(el.text or "")
        elif tag in (_W + "tab", _W + "br", _W + "cr"):
            if element.tag == _W + "r":  # (a w:tab of the paragraph's properties is a tab stop)
                out.append("\t" if tag == _W + "tab" else "\n")
        elif tag not in _NOT_SHOWN_INLINE and isinstance(tag, str):
            _runs_text(el, out)


def _text_boxes(element) -> list:
    """The text boxes anchored in a paragraph (w:txbxContent), each once: Word writes a text box twice, as a
    DrawingML shape and as its VML fallback (mc:Fallback), which is not read."""
    found = []
    for box in element.iter(_W + "txbxContent"):
        if any(a.tag in (_MC + "Fallback", _W + "txbxContent") for a in box.iterancestors()):
            continue
        found.append(box)
    return found


def _span_cells(table) -> tuple[list[list[str]], list[list[bool]]]:
    """The table's rows cell by cell of its grid, as Word shows them: a cell merged across columns (gridSpan)
    gives its text for each column it covers, with the columns after its first marked; a cell merged down
    (vMerge) gives the text of the cell it continues; columns a row skips (gridBefore/gridAfter) are blank."""
    texts, spanned = [], []
    for row in table.rows:
        cells: list[str] = [""] * row.grid_cols_before
        more: list[bool] = [False] * row.grid_cols_before
        last = None
        for cell in row.cells:
            same = cell._tc is last
            cells.append(_cell(_text(cell._tc)))
            more.append(same)
            last = cell._tc
        cells += [""] * row.grid_cols_after
        more += [False] * row.grid_cols_after
        texts.append(cells)
        spanned.append(more)
    return texts, spanned


def _table_lines(table) -> tuple[list[str], list[int]]:
    """(the markdown lines of the table, the index among them of each table row).

    Header rows (those above the first row holding a number) keep a cell merged across columns in each
    of them: a group label ("DỊCH VỤ TRỰC TUYẾN") stands over each of its columns. In the rows below, a
    merged cell is shown once, in its first column ("TOÀN HUYỆN" merged across the STT and name columns
    is in the STT column, the name column blank: helpers.parsers.grid reads it as the row's name). A row
    that is one cell across the whole table (a title) is shown once."""
    rows, spanned = _span_cells(table)
    if not rows:
        return [], []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    spanned = [m + [False] * (width - len(m)) for m in spanned]
    n_head = 0
    while n_head < len(rows) and not any(is_number(c) for c in rows[n_head]):
        n_head += 1
    for i, (r, m) in enumerate(zip(rows, spanned)):
        if i >= n_head or all(m[1:]):
            rows[i] = [c if not merged else "" for c, merged in zip(r, m)]
    out = []
    at = []
    for i, r in enumerate(rows):
        if i == n_head and 0 < n_head < len(rows):
            out.append("|" + "|".join(["---"] * width) + "|")
        at.append(len(out))
        out.append("| " + " | ".join(r) + " |")
    return out, at


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Inline content whose text Word does not show in the paragraph's line: deleted text, field codes, text
# boxes (read on lines of their own) and the fallback copy of a drawing.
_NOT_SHOWN_INLINE = {_W + "delText", _W + "instrText", _W + "txbxContent", _MC + "Fallback"}
_NOTES_RELS = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes": "footnote",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes": "endnote",
}
# Tracked changes whose text python-docx reads wrongly: inserted text (w:ins, w:moveTo) is left out of
# Paragraph.text, deleted text is left out too, so a corrected value reads as neither version. A
# w:ins / w:del in a run's or a row's properties marks an inserted or deleted paragraph mark or row.
_REVISION_TAGS = ("ins", "del", "moveFrom", "moveTo", "cellIns", "cellDel")
_REVISION_QNAMES = tuple(_W + t for t in _REVISION_TAGS)


def _has_revision(element) -> bool:
    return next(element.iter(*_REVISION_QNAMES), None) is not None


def _revision_error(source: str, line: int | None, where: str) -> InputError:
    return InputError(source, line, f"tệp Word còn thay đổi chưa được chấp nhận (Track Changes){where}: hãy chọn "
                                    "Accept All Changes (Chấp nhận tất cả) trong thẻ Review (Xem lại) rồi lưu lại; "
                                    "số liệu không được đọc khi chưa rõ bản nào là bản đúng")


def _paragraph_place(text: str) -> str:
    shown = collapse(text)
    if len(shown) > 40:
        shown = shown[:39].rstrip() + "…"
    return f" ở đoạn “{shown}”" if shown else ""


def _row_place(cells: list[str]) -> str:
    """The row's first cell with a letter in it (its unit name), not its numbers: they may be wrong."""
    label = next((c for c in cells if any(ch.isalpha() for ch in c)), "")
    return f" ở dòng “{label}” của bảng" if label else " trong bảng"


def _blocks(parent):
    """The paragraphs and tables of `parent` in body order, those inside block-level content controls
    (w:sdt > w:sdtContent, nested to any depth) included."""
    for child in parent.iterchildren():
        if child.tag == _W + "sdt":
            for content in child.iterchildren(_W + "sdtContent"):
                yield from _blocks(content)
        elif child.tag in (_W + "p", _W + "tbl"):
            yield child


class _DocxReader:
    """The lines of a Word document: the body's paragraphs and tables in order, each text box on lines of
    its own after the paragraph it is anchored in, then the footnotes and the endnotes (Word prints them
    at the foot of the page or the end of the document), each note's paragraphs in order."""

    def __init__(self, document, source: str, revised: bool):
        self.document, self.source, self.revised = document, source, revised
        self.lines: list[str] = []

    def blocks(self, parent) -> None:
        from docx.table import Table

        lines = self.lines
        for child in _blocks(parent):
            if child.tag == _W + "p":
                text = nfc(_text(child))
                if self.revised and _has_revision(child):
                    raise _revision_error(self.source, len(lines) + 1, _paragraph_place(text))
                lines.extend(text.replace("\v", "\n").split("\n"))
                for box in _text_boxes(child):
                    self.blocks(box)
            else:
                table = Table(child, self.document)
                out, at = _table_lines(table)
                if self.revised:
                    for row, k in zip(table.rows, at):
                        if _has_revision(row._tr):
                            cells = [nfc(c.strip()) for c in out[k].strip().strip("|").split("|")]
                            raise _revision_error(self.source, len(lines) + 2 + k, _row_place(cells))
                    if _has_revision(child):  # outside any row (the table's own properties)
                        raise _revision_error(self.source, len(lines) + 2, " trong bảng")
                lines.append("")
                lines.extend(nfc(x) for x in out)
                lines.append("")

    def notes(self) -> None:
        from docx.oxml import parse_xml

        parts = {kind: rel.target_part for rel in self.document.part.rels.values()
                 if not rel.is_external and (kind := _NOTES_RELS.get(rel.reltype))}
        for kind in ("footnote", "endnote"):
            if kind not in parts:
                continue
            root = parse_xml(parts[kind].blob)
            if _has_revision(root):
                raise _revision_error(self.source, None, " trong chú thích")
            for note in root.iterchildren(_W + kind):
                if note.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                self.lines.append("")
                self.blocks(note)


def docx_lines(data: bytes, source: str) -> list[str]:
    check_zip(data, source, "docx")
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        revised = _has_revision(body)  # then the first block holding one is looked for, to name its line
        reader = _DocxReader(document, source, revised)
        reader.blocks(body)
        if revised:  # outside the paragraphs and tables read
            raise _revision_error(source, None, "")
        reader.notes()
        lines = reader.lines
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
