"""The document an office signs and sends, laid out as Decree 30/2020/NĐ-CP (Phụ lục I) asks.

`OfficialDocument` holds plain content (text, a table, figures as PNG bytes); nothing here reads the
store or decides what the report says. Three renderings of the same content:

- `write_docx(doc, path)`: an editable Word file (python-docx). A4 portrait, margins 20/20/30/15 mm,
  Times New Roman 13 pt, black; the heading as a borderless two-column table (issuing body with its
  short rule, "Số: …" under it; quốc hiệu, tiêu ngữ with a rule as long as the text, place and date on
  the line of the number); document type and summary; body justified with a 1.27 cm first-line indent
  and 6 pt after each paragraph; "Nơi nhận" (12 pt bold italic, list 11 pt) beside the signature block;
  page numbers centred in the top margin from page 2 (titlePg + a PAGE field); the appendix in a
  landscape section headed "Phụ lục" with the document it belongs to.
- `to_html(doc)`: the same layout as an HTML fragment for report.html and the PDF (report.css).
- `to_text(doc)`: the same content as plain text (`chiso narrative`).
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates" / "report"
HTML_TEMPLATE = "document.html.j2"

FONT = "Times New Roman"
BODY_PT = 13
HEAD_PT = 12  # quốc hiệu, cơ quan (12–13): 12 keeps the quốc hiệu on one line
MOTTO_PT = 13  # tiêu ngữ (13–14)
TITLE_PT = 14  # "BÁO CÁO" and its summary (13–14)
RECIPIENTS_LABEL_PT = 12
RECIPIENTS_PT = 11
TABLE_PT = 10
FIGURE_CM = 12
PAGE_NUMBER_PT = 13
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
A4_MM = (210, 297)
FIRST_LINE_INDENT_CM = 1.27
SPACE_AFTER_PT = 6
NBSP = "\u00a0"
BLANK = NBSP * 10  # room left for the officer to write the number or the day


@dataclass(frozen=True)
class Block:
    """One paragraph of the body. kind: "para" (indented, justified), "heading" (a numbered part, bold),
    "item" (a line of a list, written with its own "- " or "+ ")."""

    text: str
    kind: str = "para"


@dataclass(frozen=True)
class Signer:
    authority: str  # "TM. ỦY BAN NHÂN DÂN", "KT. CHÁNH VĂN PHÒNG" or "" (quyền hạn)
    title: str  # chức vụ: "CHÁNH VĂN PHÒNG"
    name: str  # họ tên; "" leaves the line for the officer


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    bold_rows: frozenset[int] = frozenset()  # indexes into rows (the district total)
    numeric: frozenset[int] = frozenset()  # columns holding numbers (right-aligned)


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str


@dataclass(frozen=True)
class Appendix:
    label: str  # "Phụ lục"
    reference: str  # "(Kèm theo Báo cáo số …/BC-VP ngày … của …)"
    title: str
    subtitle: str
    table: Table | None
    note: str = ""
    figures: list[Figure] = field(default_factory=list)


@dataclass(frozen=True)
class OfficialDocument:
    kind: str  # "bao-cao" or "cong-van"
    parent_body: str  # tên cơ quan chủ quản ("UBND HUYỆN CHỢ MỚI"; "" when none)
    issuing_body: str  # tên cơ quan ban hành
    country: str  # quốc hiệu
    motto: str  # tiêu ngữ
    number: str  # "Số: …/BC-VP" with the number left blank
    place_date: str  # "Chợ Mới, ngày … tháng 12 năm 2023"
    doc_type: str  # "BÁO CÁO" ("" for a công văn)
    title: str  # trích yếu of a báo cáo
    subject: str  # "V/v …" of a công văn ("" for a báo cáo)
    period_note: str  # which period the data is for, when the heading alone does not say it
    addressees: list[str]  # "Kính gửi" lines
    body: list[Block]
    recipients: list[str]  # "Nơi nhận" lines, the archive last
    signer: Signer
    appendix: Appendix | None = None


# -- Word -------------------------------------------------------------------------------------------

def _set_font(run, size: float, bold: bool = False, italic: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.color.rgb = RGBColor(0, 0, 0)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _paragraph(container, text: str = "", size: float = BODY_PT, bold: bool = False, italic: bool = False,
               align: str = "center", space_after: float = 0, first_indent_cm: float | None = None,
               indent_cm: tuple[float, float] | None = None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    p = container.add_paragraph()
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = 1.0
    if first_indent_cm is not None:
        fmt.first_line_indent = Cm(first_indent_cm)
    if indent_cm is not None:
        fmt.left_indent, fmt.right_indent = Cm(indent_cm[0]), Cm(indent_cm[1])
    if text:
        _set_font(p.add_run(text), size, bold, italic)
    return p


def _rule(container, width_cm: float, box_cm: float, size: float = 2):
    """An empty paragraph whose bottom border is a centred line `width_cm` long in a box `box_cm` wide."""
    from docx.oxml.ns import qn

    side = max(0.0, (box_cm - width_cm) / 2)
    p = _paragraph(container, size=size, indent_cm=(side, side))
    _set_font(p.add_run(""), size)
    ppr = p._p.get_or_add_pPr()
    borders = ppr.makeelement(qn("w:pBdr"), {})
    bottom = borders.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "1",
                                                   qn("w:color"): "000000"})
    borders.append(bottom)
    ppr.append(borders)
    p.paragraph_format.line_spacing = _pt(size + 1)
    p.paragraph_format.space_before = _pt(2)
    return p


def text_width_cm(text: str, size_pt: float, bold: bool = False) -> float:
    """About how wide a line of Times-metric text is (average glyph width: half an em, more in bold
    capitals); used for the length of the rules under the tiêu ngữ and the title."""
    caps = sum(1 for c in text if c.isupper())
    em = 0.5 + (0.08 if bold else 0)
    width_pt = size_pt * (em * (len(text) - caps) + (em + 0.2) * caps)
    return width_pt / 72 * 2.54


def _cell_width(table, widths_cm: list[float]) -> None:
    from docx.shared import Cm

    table.autofit = False
    for column, w in zip(table.columns, widths_cm):
        column.width = Cm(w)  # the grid, which LibreOffice reads
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)  # each cell, which Word reads


def _clear_cell(cell):
    """A new cell holds one empty paragraph: remove it so the cell holds only what is added."""
    for p in list(cell.paragraphs):
        p._element.getparent().remove(p._element)
    return cell


def _page_number_header(section) -> None:
    """The page number centred in the top margin, absent on the first page (titlePg)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _set_font(run, PAGE_NUMBER_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text.strip() == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)
    first = section.first_page_header
    first.is_linked_to_previous = False
    if not first.paragraphs:
        first.add_paragraph()


def _page(section, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Twips

    w, h = A4_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(h), Mm(w)) if landscape else (Mm(w), Mm(h))
    def margin(side):  # whole twips, rounded up: never under the Decree's lower bound
        return Twips(math.ceil(MARGINS_MM[side] * 1440 / 25.4))

    section.top_margin, section.bottom_margin = margin("top"), margin("bottom")
    section.left_margin, section.right_margin = margin("left"), margin("right")
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def _text_width_cm(landscape: bool = False) -> float:
    w, h = A4_MM
    return ((h if landscape else w) - MARGINS_MM["left"] - MARGINS_MM["right"]) / 10


def _heading_table(doc, d: OfficialDocument) -> None:
    width = _text_width_cm()
    left_w = 6.0
    right_w = width - left_w
    table = doc.add_table(rows=2, cols=2)
    _cell_width(table, [left_w, right_w])
    left, right = (_clear_cell(c) for c in table.rows[0].cells)
    if d.parent_body:
        _paragraph(left, d.parent_body.upper(), HEAD_PT)
    _paragraph(left, d.issuing_body.upper(), HEAD_PT, bold=True)
    longest = max((text_width_cm(line, HEAD_PT, True) for line in d.issuing_body.upper().split("\n")), default=3)
    _rule(left, min(longest, left_w) * 0.4, left_w)
    _paragraph(right, d.country.upper(), HEAD_PT, bold=True)
    _paragraph(right, d.motto, MOTTO_PT, bold=True)
    _rule(right, min(text_width_cm(d.motto, MOTTO_PT, True), right_w), right_w)
    number, place = (_clear_cell(c) for c in table.rows[1].cells)
    _paragraph(number, d.number, BODY_PT, space_after=0).paragraph_format.space_before = _pt(6)
    if d.subject:
        _paragraph(number, d.subject, 12, space_after=0).paragraph_format.space_before = _pt(3)
    _paragraph(place, d.place_date, BODY_PT, italic=True).paragraph_format.space_before = _pt(6)


def _pt(v: float):
    from docx.shared import Pt

    return Pt(v)


def _body(doc, d: OfficialDocument) -> None:
    if d.doc_type:
        _paragraph(doc, d.doc_type, TITLE_PT, bold=True).paragraph_format.space_before = _pt(18)
    if d.title:
        _paragraph(doc, d.title, TITLE_PT, bold=True)
        _rule(doc, min(4.0, _text_width_cm()), _text_width_cm())
    if d.period_note:
        _paragraph(doc, d.period_note, BODY_PT, italic=True, space_after=SPACE_AFTER_PT).paragraph_format.space_before = _pt(6)
    if d.addressees:
        first = _paragraph(doc, "", BODY_PT, align="left", indent_cm=(2.5, 0))
        first.paragraph_format.space_before = _pt(12)
        if len(d.addressees) == 1:
            _set_font(first.add_run(f"Kính gửi: {d.addressees[0]}"), BODY_PT)
        else:
            _set_font(first.add_run("Kính gửi:"), BODY_PT)
            for line in d.addressees:
                _paragraph(doc, f"- {line}", BODY_PT, align="left", indent_cm=(4.5, 0))
        _paragraph(doc, "", 6)
    else:
        _paragraph(doc, "", 6)
    for block in d.body:
        p = _paragraph(doc, "", BODY_PT, align="justify", space_after=SPACE_AFTER_PT,
                       first_indent_cm=FIRST_LINE_INDENT_CM)
        _set_font(p.add_run(block.text), BODY_PT, bold=block.kind == "heading")


def _signature(doc, d: OfficialDocument) -> None:
    width = _text_width_cm()
    left_w = 7.0
    table = doc.add_table(rows=1, cols=2)
    _cell_width(table, [left_w, width - left_w])
    left, right = (_clear_cell(c) for c in table.rows[0].cells)
    _paragraph(left, "Nơi nhận:", RECIPIENTS_LABEL_PT, bold=True, italic=True, align="left").paragraph_format.space_before = _pt(12)
    for line in d.recipients:
        _paragraph(left, f"- {line}", RECIPIENTS_PT, align="left")
    top = _paragraph(right, d.signer.authority.upper() if d.signer.authority else d.signer.title.upper(),
                     BODY_PT, bold=True)
    top.paragraph_format.space_before = _pt(12)
    if d.signer.authority:
        _paragraph(right, d.signer.title.upper(), BODY_PT, bold=True)
    for _ in range(4):
        _paragraph(right, "", BODY_PT)
    _paragraph(right, d.signer.name, BODY_PT, bold=True)


def _table_borders(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def column_widths_cm(t: Table, width_cm: float) -> list[float]:
    """Widths in proportion to the longest value of each column (or the longest word of its header), so
    that names and bands stay on one line and the table fills the text width."""
    weights = []
    for j, header in enumerate(t.headers):
        values = [len(r[j]) for r in t.rows if j < len(r)]
        weights.append(max([4, *values, *(len(w) for w in header.split())]) + 1)
    total = sum(weights)
    return [width_cm * w / total for w in weights]


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _appendix(doc, a: Appendix) -> None:
    from docx.enum.section import WD_SECTION
    from docx.shared import Cm

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True)
    section.different_first_page_header_footer = False
    section.header.is_linked_to_previous = True
    _paragraph(doc, a.label, TITLE_PT, bold=True)
    _paragraph(doc, a.reference, BODY_PT, italic=True)
    _paragraph(doc, a.title, BODY_PT, bold=True).paragraph_format.space_before = _pt(6)
    if a.subtitle:
        _paragraph(doc, a.subtitle, BODY_PT, italic=True, space_after=SPACE_AFTER_PT)
    if a.table is not None:
        t = a.table
        table = doc.add_table(rows=1 + len(t.rows), cols=len(t.headers))
        _table_borders(table)
        _cell_width(table, column_widths_cm(t, _text_width_cm(landscape=True)))
        for j, h in enumerate(t.headers):
            cell = _clear_cell(table.rows[0].cells[j])
            _paragraph(cell, h, TABLE_PT, bold=True)
        _repeat_header(table.rows[0])
        for i, row in enumerate(t.rows):
            for j, value in enumerate(row):
                cell = _clear_cell(table.rows[i + 1].cells[j])
                _paragraph(cell, value, TABLE_PT, bold=i in t.bold_rows,
                           align="right" if j in t.numeric else ("center" if j == 0 else "left"))
    if a.note:
        _paragraph(doc, a.note, RECIPIENTS_PT, italic=True, align="left").paragraph_format.space_before = _pt(6)
    if a.figures:  # two by two, side by side, in a borderless table
        half = _text_width_cm(landscape=True) / 2
        grid = doc.add_table(rows=(len(a.figures) + 1) // 2, cols=2)
        _cell_width(grid, [half, half])
        for k, fig in enumerate(a.figures):
            cell = _clear_cell(grid.rows[k // 2].cells[k % 2])
            p = _paragraph(cell, "")
            p.paragraph_format.space_before = _pt(12)
            p.add_run().add_picture(io.BytesIO(fig.png), width=Cm(min(FIGURE_CM, half - 0.5)))
            _paragraph(cell, fig.caption, RECIPIENTS_PT, italic=True)


def to_docx_bytes(d: OfficialDocument) -> bytes:
    """The document as a .docx file (bytes)."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    doc.core_properties.title = d.title or d.subject
    doc.core_properties.author = d.issuing_body
    doc.core_properties.comments = ""
    section = doc.sections[0]
    _page(section, landscape=False)
    _page_number_header(section)
    _heading_table(doc, d)
    _body(doc, d)
    _signature(doc, d)
    if d.appendix is not None:
        _appendix(doc, d.appendix)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_docx(d: OfficialDocument, path: Path) -> Path:
    """Write the Word file atomically."""
    from helpers.render import write_bytes_atomic

    write_bytes_atomic(Path(path), to_docx_bytes(d))
    return Path(path)


# -- HTML and text ------------------------------------------------------------------------------------

def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def to_html(d: OfficialDocument) -> str:
    """The document as an HTML fragment (laid out by report.css; every value escaped)."""
    return _env().get_template(HTML_TEMPLATE).render(d=d).strip() + "\n"


def to_text(d: OfficialDocument, with_appendix: bool = False) -> str:
    """The document as plain text: heading, body, recipients and signer (the appendix table on request)."""
    lines = [x for x in (d.parent_body.upper(), d.issuing_body.upper()) if x]
    lines += [d.country, d.motto, d.number]
    lines += [d.subject] if d.subject else []
    lines += [d.place_date, ""]
    lines += [x for x in (d.doc_type, d.title) if x]
    if d.period_note:
        lines += [d.period_note]
    if d.addressees:
        lines += ["", "Kính gửi:"] + [f"- {a}" for a in d.addressees]
    lines.append("")
    for block in d.body:
        lines.append(block.text)
    lines += ["", "Nơi nhận:"] + [f"- {r}" for r in d.recipients]
    lines += [""] + [x for x in (d.signer.authority, d.signer.title, d.signer.name) if x]
    if with_appendix and d.appendix is not None and d.appendix.table is not None:
        lines += ["", d.appendix.label, d.appendix.title, " | ".join(d.appendix.table.headers)]
        lines += [" | ".join(r) for r in d.appendix.table.rows]
    return "\n".join(line.replace(NBSP, " ") for line in lines).rstrip() + "\n"


__all__ = ["Appendix", "Block", "Figure", "OfficialDocument", "Signer", "Table", "text_width_cm", "to_docx_bytes",
           "to_html", "to_text", "write_docx"]
