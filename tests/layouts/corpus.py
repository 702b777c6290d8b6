"""The layout corpus: the content of the three reference reports made again with the tools offices use.

Each reference report's cells are in `truth/<district>.csv` (known by construction: the reports below
are written from these tables). `build(folder)` writes every layout of the corpus into `folder`:
python-docx documents (a letterhead table, a merged title row, a two-level header, the district total
merged across the STT and name columns, real footnotes, endnotes and text boxes written as OOXML),
PDFs rendered by WeasyPrint from HTML (a table over two pages with its header repeated, header words
wrapped inside a word), their text from poppler's `pdftotext -layout` and `-raw`, an Excel vi-VN CSV,
and prose letters in the phrasings clerks use. `measure(folder)` reads each file with the project's
ingest and counts the cells read exactly.

    python tests/layouts/corpus.py [FOLDER]     # builds the corpus and prints the table

Run it with PYTHONPATH pointing at another checkout's `src` to measure that checkout's parsers.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRUTH = HERE / "truth"
VALUE_COLUMNS = ["stt", "score", "band", "prev_score", "delta", "transparency_pct", "progress_pct", "online_pct",
                 "payment_pct", "digitization_pct", "e_cert", "e_cert_cum"]
INT_COLUMNS = {"stt", "e_cert", "e_cert_cum"}
TABLE_CM = VALUE_COLUMNS
TABLE_PT = ["stt", "score", "band", "prev_score", "delta"]


# -- the truth tables -----------------------------------------------------------------------------

@dataclass
class Row:
    unit: str            # full official name: "xã Kiến An", "thị trấn Chợ Mới", "huyện Chợ Mới" (the total)
    values: dict         # column -> float | int | str (band) | None

    @property
    def is_total(self) -> bool:
        return self.unit.startswith("huyện ")

    @property
    def type(self) -> str:
        return "thị trấn" if self.unit.startswith("thị trấn ") else self.unit.split(" ", 1)[0]

    @property
    def name(self) -> str:
        return self.unit.removeprefix(self.type + " ")


def truth(district: str) -> list[Row]:
    rows = []
    with (TRUTH / f"{district}.csv").open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            values = {}
            for col in VALUE_COLUMNS:
                text = rec[col]
                if not text:
                    values[col] = None
                elif col == "band":
                    values[col] = text
                else:
                    values[col] = int(text) if col in INT_COLUMNS else float(text)
            rows.append(Row(rec["unit"], values))
    return rows


def total(rows: list[Row]) -> Row:
    return next(r for r in rows if r.is_total)


def units(rows: list[Row]) -> list[Row]:
    return [r for r in rows if not r.is_total]


# -- printing numbers as offices do ----------------------------------------------------------------

def num(x, comma: bool = False, thousands: bool = False) -> str:
    if x is None:
        return ""
    if isinstance(x, int):
        return f"{x:,}".replace(",", ".") if thousands else str(x)
    text = f"{x:g}"
    return text.replace(".", ",") if comma else text


def upper_name(row: Row) -> str:
    return row.name.upper()


def short_name(row: Row) -> str:
    """'TT. Chợ Mới' for a town, the name alone for a commune (as most appendix tables print them)."""
    return f"TT. {row.name}" if row.type == "thị trấn" else row.name


# -- the layouts ----------------------------------------------------------------------------------

@dataclass
class Layout:
    name: str            # "cho-moi/docx-table"
    district: str        # slug and truth table
    file: str            # file name inside the corpus folder
    unit_columns: list   # the columns this layout prints for the units
    total_columns: list  # and for the district total
    example: str         # what the layout looks like, in one line (README)


# Letter texts shared by the layouts (the reports' own wording, shortened).
CM_HEAD = ["UBND HUYỆN CHỢ MỚI", "VĂN PHÒNG HĐND VÀ UBND"]
CM_TITLE = "BÁO CÁO Kết quả xếp loại các đơn vị theo Bộ Chỉ số phục vụ người dân, doanh nghiệp Tháng 12 – Tuần 1"
CM_CUT = "(Thời gian chốt số liệu: Ngày 04/12/2023 - Tuần 1)"
PT_HEAD = ["UBND HUYỆN PHÚ TÂN", "VĂN PHÒNG"]
PT_TITLE = "BÁO CÁO Kết quả xếp loại các đơn vị theo Bộ Chỉ số phục vụ người dân, doanh nghiệp Tháng 10 – Tuần 2"
PT_CUT = "(Ngày 09/10/2023 - Tuần 2)"
TM_HEAD = ["ỦY BAN NHÂN DÂN HUYỆN THÁP MƯỜI", "Số: /UBND-NV"]
TM_DATE = "Tháp Mười, ngày       tháng 9 năm 2023"
NATION = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


def district_sentence(rows: list[Row], district: str, comma: bool) -> str:
    t = total(rows)
    band = t.values["band"]
    if district == "thap-muoi":
        return (f"Hiện nay, trên Cổng dịch vụ công Quốc gia huyện đạt {num(t.values['score'], comma)} điểm, xếp loại "
                f"{band}, điểm số của các xã, thị trấn còn thấp")
    return (f"1. Tổng số điểm huyện đạt: {num(t.values['score'], comma)}/100 điểm, xếp loại “{band.upper()}” so với "
            "thang điểm được quy định tại Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ.")


CM_HEADER = [  # (group label or None, column label); the group spans the consecutive columns naming it
    (None, "STT"), (None, "ĐƠN VỊ"), (None, "ĐIỂM TỔNG HỢP (TUẦN 01/12)"), (None, "XẾP LOẠI"),
    (None, "ĐIỂM TỔNG HỢP (TUẦN 04/11)"), (None, "TĂNG/ GIẢM SO VỚI TUẦN TRƯỚC"),
    (None, "CÔNG KHAI, MINH BẠCH (%)"), (None, "TIẾN ĐỘ GIẢI QUYẾT (%)"),
    ("DỊCH VỤ TRỰC TUYẾN", "DVCTT (Chỉ tiêu trên 50%)"), ("DỊCH VỤ TRỰC TUYẾN", "THANH TOÁN TRỰC TUYẾN (Chỉ tiêu trên 30%)"),
    (None, "SỐ HÓA (Từ 80% trở lên)"), ("CHỨNG THỰC ĐIỆN TỬ", "Trong tuần"), ("CHỨNG THỰC ĐIỆN TỬ", "Lũy kế"),
]
PT_HEADER = [(None, "STT"), (None, "ĐƠN VỊ"), (None, "ĐIỂM TỔNG HỢP (TUẦN 2/T10)"), (None, "XẾP LOẠI"),
             (None, "ĐIỂM TỔNG HỢP (TUẦN 1/T10)"), (None, "TĂNG/GIẢM SO VỚI TUẦN TRƯỚC")]


def table_cells(row: Row, columns: list, comma: bool, name: Callable[[Row], str]) -> list[str]:
    """The printed cells of a row: STT, name, then the value columns in printed order."""
    v = row.values
    cells = [num(v["stt"]) if not row.is_total else "", "TOÀN HUYỆN" if row.is_total else name(row)]
    for col in columns[1:]:
        if col == "band":
            cells.append(v["band"].upper())
        else:
            cells.append(num(v[col], comma, thousands=col in INT_COLUMNS))
    return cells


# -- Word (python-docx, with footnotes, endnotes and text boxes written as OOXML) -------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _para_xml(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{_esc(text)}</w:t></w:r></w:p>'


def _notes_part(doc, kind: str, notes: dict[int, list[str]]) -> None:
    """Add word/footnotes.xml or word/endnotes.xml (kind 'footnote' / 'endnote') with Word's separators."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    items = [f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>',
             (f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
              f'</w:p></w:{kind}>')]
    for nid, paras in notes.items():
        first = (f'<w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:{kind}Ref/></w:r>'
                 f'<w:r><w:t xml:space="preserve"> {_esc(paras[0])}</w:t></w:r></w:p>')
        items.append(f'<w:{kind} w:id="{nid}">' + first + "".join(_para_xml(p) for p in paras[1:]) + f"</w:{kind}>")
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{kind}s xmlns:w="{W_NS}">' \
          + "".join(items) + f"</w:{kind}s>"
    ct, rt = (CT.WML_FOOTNOTES, RT.FOOTNOTES) if kind == "footnote" else (CT.WML_ENDNOTES, RT.ENDNOTES)
    part = Part(PackURI(f"/word/{kind}s.xml"), ct, xml.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, rt)


def _note_reference(paragraph, kind: str, nid: int) -> None:
    from docx.oxml import parse_xml

    paragraph._p.append(parse_xml(f'<w:r xmlns:w="{W_NS}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                                  f'<w:{kind}Reference w:id="{nid}"/></w:r>'))


def _text_box(paragraph, lines: list[str]) -> None:
    """A text box as Word writes it: a DrawingML shape with a VML fallback, both holding the text."""
    from docx.oxml import parse_xml

    content = "<w:txbxContent>" + "".join(_para_xml(x) for x in lines) + "</w:txbxContent>"
    ns = paragraph._p.nsmap
    decl = " ".join(f'xmlns:{k}="{v}"' for k, v in ns.items() if k)
    xml = (f'<w:r {decl}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
           '<wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0" relativeHeight="251659264" '
           'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
           '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
           '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
           '<wp:extent cx="5486400" cy="1828800"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapTopAndBottom/>'
           '<wp:docPr id="1" name="Text Box 1"/><wp:cNvGraphicFramePr/>'
           '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
           '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
           '<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="5486400" cy="1828800"/></a:xfrm>'
           '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
           f'<wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor>'
           '</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape id="Text Box 1" type="#_x0000_t202" '
           f'style="width:432pt;height:144pt"><v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback>'
           '</mc:AlternateContent></w:r>')
    paragraph._p.append(parse_xml(xml))


def _letterhead(doc, left: list[str], right: list[str]) -> None:
    """The two-column letterhead offices type as a borderless table."""
    t = doc.add_table(rows=max(len(left), len(right)), cols=2)
    for i, text in enumerate(left):
        t.cell(i, 0).text = text
    for i, text in enumerate(right):
        t.cell(i, 1).text = text


def _grid_table(doc, title: str, header: list, data: list[list[str]]) -> None:
    """Merged title row, two-level header (group labels merged over their columns, the others merged down),
    then the data rows; a row whose first cell is empty and second is TOÀN HUYỆN has them merged."""
    width = len(header)
    t = doc.add_table(rows=3 + len(data), cols=width)
    t.style = "Table Grid"
    t.cell(0, 0).merge(t.cell(0, width - 1)).text = title
    c = 0
    while c < width:
        group, label = header[c]
        if group is None:
            t.cell(1, c).merge(t.cell(2, c)).text = label
            c += 1
            continue
        end = c
        while end + 1 < width and header[end + 1][0] == group:
            end += 1
        t.cell(1, c).merge(t.cell(1, end)).text = group
        for k in range(c, end + 1):
            t.cell(2, k).text = header[k][1]
        c = end + 1
    for r, cells in enumerate(data, start=3):
        if not cells[0] and cells[1] == "TOÀN HUYỆN":
            t.cell(r, 0).merge(t.cell(r, 1)).text = "TOÀN HUYỆN"
            cells = cells[2:]
            start = 2
        else:
            start = 0
        for k, text in enumerate(cells, start=start):
            t.cell(r, k).text = text


def docx_table(path: Path, district: str) -> None:
    import docx

    rows = truth(district)
    doc = docx.Document()
    if district == "cho-moi":
        head, title, cut, header, columns, comma = CM_HEAD, CM_TITLE, CM_CUT, CM_HEADER, TABLE_CM, True
    else:
        head, title, cut, header, columns, comma = PT_HEAD, PT_TITLE, PT_CUT, PT_HEADER, TABLE_PT, True
    _letterhead(doc, head, NATION)
    doc.add_paragraph(title)
    p = doc.add_paragraph("Văn phòng HĐND và UBND huyện báo cáo kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp "
                          "như sau (số liệu từ Cổng Dịch vụ công quốc gia")
    _note_reference(p, "footnote", 1)
    p.add_run("):")
    doc.add_paragraph(district_sentence(rows, district, comma))
    box = doc.add_paragraph()
    _text_box(box, ["PHỤ LỤC 1"])
    data = [table_cells(r, columns, comma, short_name) for r in units(rows)]
    if district == "cho-moi":  # the total row at the bottom
        data.append(table_cells(total(rows), columns, comma, short_name))
    else:
        data.insert(0, table_cells(total(rows), columns, comma, short_name))
    _grid_table(doc, f"BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP TRONG THỰC HIỆN TTHC {cut}", header, data)
    doc.add_paragraph("Nơi nhận: - Như trên; - Lưu: VT.")
    end = doc.add_paragraph("CHÁNH VĂN PHÒNG")
    _note_reference(end, "endnote", 1)
    _notes_part(doc, "footnote", {1: ["Số liệu cập nhật trên Cổng Dịch vụ công quốc gia lúc 17 giờ."]})
    _notes_part(doc, "endnote", {1: ["Báo cáo gửi kèm bản điện tử."]})
    doc.save(path)


def docx_landscape(path: Path, district: str) -> None:
    """The Word table on a landscape A4 page in Times New Roman 9 pt, the name column wider than the others:
    its rows are free to break across pages (Word's default), as LibreOffice prints them."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    docx_table(path, district)
    doc = docx.Document(path)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.5)
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(9)
    table = doc.tables[-1]
    n = len(table.columns)
    widths = [Cm(1.0), Cm(3.6)] + [Cm((26.5 - 4.6) / (n - 2))] * (n - 2)
    for c, column in enumerate(table.columns):
        column.width = widths[c]
        for cell in column.cells:
            cell.width = widths[c]
    doc.save(path)


# -- Tháp Mười letters: the list of scores in a footnote, an endnote, a text box or the body ----------

def tm_items(rows: list[Row], style: str) -> list[str]:
    """The list items of the Tháp Mười letter in one clerk's phrasing."""
    out = []
    for r in units(rows):
        v = num(r.values["score"], comma=True)
        kind = r.type
        if style == "reference":   # as the reference letter: "xã Thạnh Lợi 70,19 điểm"
            out.append(f"{kind} {r.name} {v} điểm")
        elif style == "dat":
            out.append(f"{kind.capitalize() if r.type == 'thị trấn' else kind} {r.name} đạt {v} điểm")
        elif style == "duoc":
            out.append(f"{kind} {r.name} được {v} điểm")
        elif style == "colon":
            out.append(f"{kind} {r.name}: {v} điểm")
        elif style == "bullets":
            out.append(f"- {kind.capitalize()} {r.name}: {v} điểm, xếp loại {r.values['band']};")
    return out


def tm_list(rows: list[Row], style: str) -> list[str]:
    items = tm_items(rows, style)
    if style == "bullets":
        return ["Kết quả của các xã, thị trấn như sau:", *items]
    text = "; ".join(items) + "."
    return [text[0].upper() + text[1:]]


TM_BODY = [
    "Kính gửi: - Các cơ quan chuyên môn thuộc UBND huyện; - Ủy ban nhân dân các xã, thị trấn.",
    ("Thực hiện Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ phê duyệt Bộ chỉ số chỉ đạo, "
     "điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp."),
]
TM_TAIL = [("Riêng đối với Ủy ban nhân dân xã Phú Điền và Ủy ban nhân dân xã Trường Xuân khẩn trương chỉ đạo "
            "thực hiện ngay các nội dung trên nhằm cải thiện điểm số đến cuối năm 2023 phải đạt tối thiểu 80 điểm "
            "để đạt tiêu chí 15.3 của xã nông thôn mới nâng cao."), "Nơi nhận: - Như trên; - Lưu: VT.",
           "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


def tm_docx(path: Path, where: str) -> None:
    import docx

    rows = truth("thap-muoi")
    doc = docx.Document()
    _letterhead(doc, TM_HEAD, [*NATION, TM_DATE])
    doc.add_paragraph("V/v khẩn trương nâng cao điểm số trong Bộ Chỉ số đánh giá chất lượng phục vụ người dân")
    for text in TM_BODY:
        doc.add_paragraph(text)
    p = doc.add_paragraph(district_sentence(rows, "thap-muoi", comma=True))
    items = tm_list(rows, "reference")
    if where in ("footnote", "endnote"):
        _note_reference(p, where, 1)
        p.add_run(", theo Công văn số 114/VPUBND-KSTTHC ngày 23/8/2022 của Văn phòng Ủy ban nhân dân tỉnh.")
        _notes_part(doc, where, {1: items})
    elif where == "bullets":  # Word's own bullets: the "-" is numbering, not text
        p.add_run(", cụ thể:")
        for item in tm_items(rows, "bullets"):
            doc.add_paragraph(item.removeprefix("- "), style="List Bullet")
    else:
        p.add_run(", cụ thể như sau:")
        _text_box(doc.add_paragraph(), items)
    for text in TM_TAIL:
        doc.add_paragraph(text)
    doc.save(path)


def tm_text(path: Path, style: str) -> None:
    rows = truth("thap-muoi")
    lines = [*TM_HEAD, *NATION, TM_DATE, "", *TM_BODY, district_sentence(rows, "thap-muoi", comma=True) + ":",
             *tm_list(rows, style), "", *TM_TAIL]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bullets_text(path: Path, district: str) -> None:
    """A monthly report listing each unit as a bullet: "- TT. Chợ Mới: 65,79 điểm, xếp loại Trung bình;"."""
    rows = truth(district)
    head, cut = (CM_HEAD, CM_CUT) if district == "cho-moi" else (PT_HEAD, PT_CUT)
    lines = [*head, *NATION, "BÁO CÁO", f"Kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp {cut}", "",
             district_sentence(rows, district, comma=True), "Kết quả của các xã, thị trấn:"]
    for r in units(rows):
        name = f"TT. {r.name}" if r.type == "thị trấn" else f"Xã {r.name}"
        lines.append(f"- {name}: {num(r.values['score'], comma=True)} điểm, xếp loại {r.values['band']};")
    lines += ["", "Nơi nhận: - Như trên; - Lưu: VT."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- PDF (WeasyPrint) and its text through poppler's pdftotext --------------------------------------

PDF_CSS = ("@page{size:A4;margin:1.6cm} body{font-family:'DejaVu Sans';font-size:9pt}"
           "table.r{border-collapse:collapse;width:100%} table.r td,table.r th{border:0.8pt solid #000;"
           "padding:9pt 2pt;text-align:center} thead{display:table-header-group} tr{page-break-inside:avoid}"
           "th.n{width:30pt;max-width:30pt;overflow-wrap:anywhere;word-break:break-all}"
           "table.h td{border:none;text-align:center;padding:0 20pt} .note{font-size:7pt;border-top:0.5pt solid #000}")


def _html_table(header: list, data: list[list[str]], narrow: set[int]) -> str:
    """A ruled table whose two-level header (<thead>) repeats on every page."""
    width = len(header)
    top, sub, c = [], [], 0
    while c < width:
        group, label = header[c]
        cls = " class='n'" if c in narrow else ""
        if group is None:
            top.append(f"<th rowspan=2{cls}>{label}</th>")
            c += 1
            continue
        end = c
        while end + 1 < width and header[end + 1][0] == group:
            end += 1
        top.append(f"<th colspan={end - c + 1}{cls}>{group}</th>")
        sub += [f"<th{' class=n' if k in narrow else ''}>{header[k][1]}</th>" for k in range(c, end + 1)]
        c = end + 1
    body = "".join("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>" for cells in data)
    return (f"<table class='r'><thead><tr>{''.join(top)}</tr><tr>{''.join(sub)}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _letter_html(head: list[str], paragraphs: list[str]) -> str:
    top = (f"<table class='h'><tr><td>{'<br>'.join(head)}</td><td>{'<br>'.join(NATION)}</td></tr></table>")
    return top + "".join(f"<p>{p}</p>" for p in paragraphs)


TIGHT_CSS = "@page{size:A4 landscape;margin:1.2cm} table.r td,table.r th{padding:1pt 2pt}"
UNRULED_CSS = "table.r td,table.r th{border:none}"


def pdf_table(path: Path, district: str, css: str = "") -> None:
    """The report as a PDF: the letter on the first page, the table from the second, over two pages. `css`
    is added to the style (TIGHT_CSS: landscape, rows without padding)."""
    import weasyprint

    rows = truth(district)
    if district == "cho-moi":
        head, title, cut, header, columns = CM_HEAD, CM_TITLE, CM_CUT, CM_HEADER, TABLE_CM
        # the e-certification columns are narrow: their header words wrap inside a word ("CHỨN / G")
        header = [*header[:11], (None, "CHỨNG THỰC ĐIỆN TỬ"), (None, "CHỨNG THỰC ĐIỆN TỬ (Lũy kế)")]
        narrow = {11, 12}
    else:
        head, title, cut, header, columns, narrow = PT_HEAD, PT_TITLE, PT_CUT, PT_HEADER, TABLE_PT, set()
    data = [table_cells(total(rows), columns, False, upper_name)] + \
        [table_cells(r, columns, False, upper_name) for r in units(rows)]
    html = ("<html><head><meta charset='utf-8'><style>" + PDF_CSS + css + "</style></head><body>"
            + _letter_html(head, [title, district_sentence(rows, district, comma=False),
                                  "Trên đây là kết quả thực hiện Bộ chỉ số phục vụ người dân, doanh nghiệp./.",
                                  "Nơi nhận: - Như trên; - Lưu: VT."])
            + "<div style='page-break-before:always'>"
            + f"<p><b>BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP TRONG THỰC HIỆN TTHC</b><br>{cut}</p>"
            + _html_table(header, data, narrow) + "</div></body></html>")
    weasyprint.HTML(string=html).write_pdf(path)


def pdf_table_merged(path: Path) -> None:
    """The Chợ Mới table as a PDF with its title row inside the repeated header, "CHỨNG THỰC ĐIỆN TỬ" over
    "Trong tuần" and "Lũy kế", and "TOÀN HUYỆN" merged across the STT and name columns at the bottom."""
    import weasyprint

    rows = truth("cho-moi")
    data = [table_cells(r, TABLE_CM, True, short_name) for r in units(rows)]
    last = table_cells(total(rows), TABLE_CM, True, short_name)
    body = "".join("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>" for cells in data)
    body += "<tr><td colspan=2>TOÀN HUYỆN</td>" + "".join(f"<td>{x}</td>" for x in last[2:]) + "</tr>"
    single = "".join(f"<th rowspan=2>{label}</th>" for group, label in CM_HEADER[:8])
    head = (f"<thead><tr><th colspan={len(CM_HEADER)}>BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP {CM_CUT}</th></tr>"
            f"<tr>{single}<th colspan=2>DỊCH VỤ TRỰC TUYẾN</th><th rowspan=2>SỐ HÓA (Từ 80% trở lên)</th>"
            "<th colspan=2>CHỨNG THỰC ĐIỆN TỬ</th></tr><tr><th>DVCTT</th><th>THANH TOÁN TRỰC TUYẾN</th>"
            "<th>Trong tuần</th><th>Lũy kế</th></tr></thead>")
    html = ("<html><head><meta charset='utf-8'><style>" + PDF_CSS + "</style></head><body>"
            + _letter_html(CM_HEAD, [CM_TITLE]) + f"<table class='r'>{head}<tbody>{body}</tbody></table></body></html>")
    weasyprint.HTML(string=html).write_pdf(path)


def pdf_letter(path: Path) -> None:
    """The Tháp Mười letter as a PDF: the list in a footnote printed at the bottom of the page."""
    import weasyprint

    rows = truth("thap-muoi")
    paras = ["V/v khẩn trương nâng cao điểm số trong Bộ Chỉ số", TM_DATE, *TM_BODY,
             district_sentence(rows, "thap-muoi", comma=True) + "<sup>1</sup>, để thực hiện tốt nội dung trên:",
             *TM_TAIL]
    html = ("<html><head><meta charset='utf-8'><style>" + PDF_CSS + "</style></head><body>"
            + _letter_html(TM_HEAD, paras)
            + f"<p class='note'><sup>1</sup> {tm_list(rows, 'reference')[0]}</p></body></html>")
    weasyprint.HTML(string=html).write_pdf(path)


def pdftotext(pdf: Path, out: Path, mode: str) -> None:
    """poppler-utils' pdftotext (Debian package poppler-utils), `-layout` or `-raw`."""
    exe = shutil.which("pdftotext")
    if exe is None:
        raise RuntimeError("pdftotext not found: install Debian's poppler-utils")
    subprocess.run([exe, f"-{mode}", "-enc", "UTF-8", str(pdf), str(out)], check=True)


# -- Excel vi-VN CSV: semicolons, decimal commas, thousands dots, UTF-8 with BOM, CRLF ----------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Text as Excel writes a plain "CSV" on Vietnamese Windows: code page 1258, the letters with their
    base marks (ơ, ư, â, ê, ô, ă, đ) precomposed and the tone marks as combining characters."""
    import unicodedata

    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
        out.append((base + "".join(c for c in d if c in _TONES)).encode("cp1258"))
    return b"".join(out)


def csv_vi(path: Path, district: str, encoding: str = "utf-8-sig") -> None:
    """Excel's CSV on Vietnamese settings; `encoding` "utf-8-sig" ("CSV UTF-8") or "cp1258" (plain "CSV")."""
    rows = truth(district)
    if district == "cho-moi":
        head, cut, header, columns = CM_HEAD, CM_CUT, CM_HEADER, TABLE_CM
    else:
        head, cut, header, columns = PT_HEAD, PT_CUT, PT_HEADER, TABLE_PT
    width = len(header)
    lines = [[head[0]] + [""] * (width - 1), [f"Thời gian chốt số liệu: {cut.strip('()')}"] + [""] * (width - 1)]
    # Excel writes a merged cell's text in its first cell only
    top, sub, previous = [], [], None
    for group, label in header:
        if group is None:
            top.append(label)
            sub.append("")
        else:
            top.append(group if group != previous else "")
            sub.append(label)
        previous = group
    lines += [top, sub]
    lines += [table_cells(r, columns, True, short_name) for r in units(rows)]
    lines.append(table_cells(total(rows), columns, True, short_name))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(lines)
    text = buffer.getvalue()
    path.write_bytes(cp1258(text) if encoding == "cp1258" else text.encode(encoding))


# -- the corpus -------------------------------------------------------------------------------------

SCORE_BAND = ["score", "band"]
LAYOUTS: list[tuple[Layout, Callable[[Path, Path], None]]] = []


def _layout(name, district, file, unit_columns, total_columns, example):
    def register(fn):
        LAYOUTS.append((Layout(name, district, file, unit_columns, total_columns, example), fn))
        return fn
    return register


def _pdf_of(folder: Path, district: str) -> Path:
    pdf = folder / f"{district}-table.pdf"
    if not pdf.exists():
        pdf_table(pdf, district)
    return pdf


for _d, _cols in (("cho-moi", TABLE_CM), ("phu-tan", TABLE_PT)):
    _layout(f"{_d}/docx-table", _d, f"{_d}-table.docx", _cols, _cols[1:],
            "Word table: letterhead table, merged title row, two-level header, “TOÀN HUYỆN” merged over "
            "STT and name, “TT. Chợ Mới”, footnote and endnote, text box")(
        lambda folder, path, d=_d: docx_table(path, d))
    _layout(f"{_d}/pdf-table", _d, f"{_d}-table.pdf", _cols, _cols[1:],
            "PDF ruled table over two pages, header repeated, header words wrapped inside a word "
            "(“CHỨN / G THỰC ĐIỆN TỬ”)")(
        lambda folder, path, d=_d: _pdf_of(folder, d))
    _layout(f"{_d}/pdftotext-layout", _d, f"{_d}-layout.txt", _cols, _cols[1:],
            "`pdftotext -layout` of that PDF: columns spaced out, header words on several lines")(
        lambda folder, path, d=_d: pdftotext(_pdf_of(folder, d), path, "layout"))
    _layout(f"{_d}/pdftotext-raw", _d, f"{_d}-raw.txt", _cols, _cols[1:],
            "`pdftotext -raw` of that PDF: cells in reading order, header words broken")(
        lambda folder, path, d=_d: pdftotext(_pdf_of(folder, d), path, "raw"))
    _layout(f"{_d}/csv-vi", _d, f"{_d}-excel-vi.csv", _cols, _cols[1:],
            "Excel CSV, Vietnamese settings: “;” separator, “57,45”, “1.746”, group header in its first cell")(
        lambda folder, path, d=_d: csv_vi(path, d))
    _layout(f"{_d}/csv-vi-ansi", _d, f"{_d}-excel-vi-ansi.csv", _cols, _cols[1:],
            "Excel plain CSV on Vietnamese Windows: the same in code page 1258 (tone marks combining)")(
        lambda folder, path, d=_d: csv_vi(path, d, "cp1258"))
    _layout(f"{_d}/prose-bullets", _d, f"{_d}-bullets.txt", SCORE_BAND, SCORE_BAND,
            "bullets “- Xã Trường Xuân: 81,65 điểm, xếp loại Tốt;”, the district's score in the body")(
        lambda folder, path, d=_d: bullets_text(path, d))

_layout("cho-moi/pdf-table-tight", "cho-moi", "cho-moi-tight.pdf", TABLE_CM, TABLE_CM[1:],
        "PDF ruled table, landscape, rows without padding")(
    lambda folder, path: pdf_table(path, "cho-moi", TIGHT_CSS))
_layout("cho-moi/pdftotext-layout-tight", "cho-moi", "cho-moi-tight-layout.txt", TABLE_CM, TABLE_CM[1:],
        "`pdftotext -layout` of that PDF: the header touching the first row, rows without blank lines between")(
    lambda folder, path: pdftotext(folder / "cho-moi-tight.pdf", path, "layout"))

_layout("phu-tan/pdf-unruled", "phu-tan", "phu-tan-unruled.pdf", TABLE_PT, TABLE_PT[1:],
        "PDF table printed without rules (a sheet printed without gridlines): its cells read by where they stand")(
    lambda folder, path: pdf_table(path, "phu-tan", UNRULED_CSS))

_layout("cho-moi/pdf-table-merged", "cho-moi", "cho-moi-merged.pdf", TABLE_CM, TABLE_CM[1:],
        "PDF ruled table: title row repeated with the header, “CHỨNG THỰC ĐIỆN TỬ” over “Trong tuần” and “Lũy kế”, "
        "“TOÀN HUYỆN” merged over STT and name at the bottom")(lambda folder, path: pdf_table_merged(path))
_layout("cho-moi/pdftotext-layout-merged", "cho-moi", "cho-moi-merged-layout.txt", TABLE_CM, TABLE_CM[1:],
        "`pdftotext -layout` of that PDF: “CHỨNG THỰC ĐIỆN TỬ” over “Trong tuần” and “Lũy kế”, “TOÀN” under STT "
        "and “HUYỆN” under the names on the last page")(
    lambda folder, path: pdftotext(folder / "cho-moi-merged.pdf", path, "layout"))
_layout("cho-moi/pdftotext-raw-merged", "cho-moi", "cho-moi-merged-raw.txt", TABLE_CM, TABLE_CM[1:],
        "`pdftotext -raw` of that PDF: the title printed again over the header on the next page")(
    lambda folder, path: pdftotext(folder / "cho-moi-merged.pdf", path, "raw"))

for _where in ("footnote", "endnote", "textbox"):
    _layout(f"thap-muoi/docx-{_where}", "thap-muoi", f"thap-muoi-{_where}.docx", ["score"], SCORE_BAND,
            f"Word letter with the list in a real {_where}; “huyện đạt 71,02 điểm, xếp loại Khá” in the body")(
        lambda folder, path, w=_where: tm_docx(path, w))
_layout("thap-muoi/docx-bullets", "thap-muoi", "thap-muoi-bullets.docx", SCORE_BAND, SCORE_BAND,
        "Word letter, a bulleted list (Word's bullets) “Xã Trường Xuân: 68,97 điểm, xếp loại Trung bình;”")(
    lambda folder, path: tm_docx(path, "bullets"))
_layout("thap-muoi/pdf-letter", "thap-muoi", "thap-muoi-letter.pdf", ["score"], SCORE_BAND,
        "PDF letter, the list in a footnote at the foot of the page")(lambda folder, path: pdf_letter(path))
for _style, _example in (("dat", "“Thị trấn Mỹ An đạt 70,41 điểm; xã Mỹ An đạt 73,53 điểm; …”"),
                         ("duoc", "“xã Thạnh Lợi được 70,19 điểm; …”"),
                         ("colon", "“xã Thạnh Lợi: 70,19 điểm; …”")):
    _layout(f"thap-muoi/prose-{_style}", "thap-muoi", f"thap-muoi-{_style}.txt", ["score"], SCORE_BAND,
            f"letter text, items {_example}")(lambda folder, path, s=_style: tm_text(path, s))
_layout("thap-muoi/prose-bullets", "thap-muoi", "thap-muoi-bullets.txt", SCORE_BAND, SCORE_BAND,
        "letter text, bullets “- Xã Trường Xuân: 68,97 điểm, xếp loại Trung bình;”")(
    lambda folder, path: tm_text(path, "bullets"))


# -- files made by LibreOffice (not in CI): committed in tests/data/layouts/, see its README ------------

FIXTURES = HERE.parent / "data" / "layouts"


def _fixture(name: str) -> Callable[[Path, Path], None]:
    return lambda folder, path: shutil.copyfile(FIXTURES / name, path)


_layout("cho-moi/docx-libreoffice", "cho-moi", "cho-moi-table-libreoffice.docx", TABLE_CM, TABLE_CM[1:],
        "the Word table saved again by LibreOffice Writer (its own OOXML: merges, styles, notes rewritten)")(
    _fixture("cho-moi-table-libreoffice.docx"))
_layout("cho-moi/xlsx-calc", "cho-moi", "cho-moi-calc.xlsx", TABLE_CM, TABLE_CM[1:],
        "the Excel vi-VN CSV opened in LibreOffice Calc (Vietnamese locale) and saved as .xlsx")(
    _fixture("cho-moi-calc.xlsx"))
_layout("cho-moi/docx-landscape", "cho-moi", "cho-moi-landscape.docx", TABLE_CM, TABLE_CM[1:],
        "Word table on a landscape page, Times New Roman 9 pt, a wider name column")(
    lambda folder, path: docx_landscape(path, "cho-moi"))
_layout("cho-moi/pdf-landscape-libreoffice", "cho-moi", "cho-moi-landscape-libreoffice.pdf", TABLE_CM, TABLE_CM[1:],
        "that Word file as LibreOffice prints it to PDF: a row broken over the page break (“TRUNG” at the foot of "
        "page 1, “BÌNH” at the top of page 2), the footnote between them")(
    _fixture("cho-moi-landscape-libreoffice.pdf"))
_layout("phu-tan/pdf-libreoffice", "phu-tan", "phu-tan-table-libreoffice.pdf", TABLE_PT, TABLE_PT[1:],
        "the Word table as LibreOffice prints it to PDF: cells read from their top, a footnote at the foot of "
        "page 1 between the rows, no header on page 2")(_fixture("phu-tan-table-libreoffice.pdf"))
_layout("phu-tan/pdftotext-layout-libreoffice", "phu-tan", "phu-tan-libreoffice-layout.txt", TABLE_PT, TABLE_PT[1:],
        "`pdftotext -layout` of that PDF: “TOÀN” under STT and “HUYỆN” under the names, “TRUNG” on the row's "
        "line and “BÌNH” under it, the footnote between two pages of rows")(
    lambda folder, path: pdftotext(FIXTURES / "phu-tan-table-libreoffice.pdf", path, "layout"))
_layout("thap-muoi/pdf-libreoffice", "thap-muoi", "thap-muoi-footnote-libreoffice.pdf", ["score"], SCORE_BAND,
        "the Word letter as LibreOffice prints it: “HUYỆN THÁP” / “MƯỜI” wrapped in the letterhead, the "
        "list in the footnote")(_fixture("thap-muoi-footnote-libreoffice.pdf"))
for _mode in ("layout", "raw"):
    _layout(f"thap-muoi/pdftotext-{_mode}-libreoffice", "thap-muoi", f"thap-muoi-libreoffice-{_mode}.txt", ["score"],
            SCORE_BAND, f"`pdftotext -{_mode}` of that PDF")(
        lambda folder, path, m=_mode: pdftotext(FIXTURES / "thap-muoi-footnote-libreoffice.pdf", path, m))


def build(folder: Path) -> list[tuple[Layout, Path]]:
    """Write every layout into `folder` (reproducible: the same files each time)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for layout, make in LAYOUTS:
        path = folder / layout.file
        make(folder, path)
        out.append((layout, path))
    return out


# -- measuring ---------------------------------------------------------------------------------------

@dataclass
class Result:
    layout: Layout
    exact: int
    cells: int
    problems: list[str]


_RECORD = {"stt": "reported_rank"}


def _same(expected, got) -> bool:
    try:
        import pandas as pd
        if got is None or pd.isna(got):
            return False
    except (TypeError, ValueError):
        pass
    if isinstance(expected, str):
        return str(got) == expected
    return abs(float(got) - float(expected)) < 1e-9


def _parse_file():
    """helpers.validate.parse_file (helpers.ingest.parse_file before the ingest module was split: the
    measure runs on older checkouts too, to compare)."""
    try:
        from helpers.validate import parse_file
    except ImportError:
        from helpers.ingest import parse_file
    return parse_file


def measure_one(layout: Layout, path: Path) -> Result:

    rows = truth(layout.district)
    expected = [(r, layout.total_columns if r.is_total else layout.unit_columns) for r in rows]
    cells = sum(1 for r, cols in expected for c in cols if r.values[c] is not None)
    try:
        parsed = _parse_file()(path, district=layout.district)
    except Exception as exc:  # noqa: BLE001 - a refusal reads no cell
        return Result(layout, 0, cells, [f"refused: {exc}"])
    records = parsed.records[~parsed.records["derived"].astype(bool)]
    by_unit = {f"{rec['unit_type']} {rec['unit']}": rec for _, rec in records.iterrows()}
    exact, problems = 0, []
    for row, cols in expected:
        rec = by_unit.pop(row.unit, None)
        for c in cols:
            want = row.values[c]
            if want is None:
                continue
            got = None if rec is None else rec[_RECORD.get(c, c)]
            if _same(want, got):
                exact += 1
            else:
                problems.append(f"{row.unit} {c}: expected {want}, read {got}")
    for unit in by_unit:
        problems.append(f"{unit}: a row the report does not have")
        cells += 1
    return Result(layout, exact, cells, problems)


def measure(folder: Path) -> list[Result]:
    return [measure_one(layout, path) for layout, path in build(folder)]


def table(results: list[Result]) -> str:
    width = max(len(r.layout.name) for r in results)
    lines = [f"{'layout':<{width}}  cells exact", "-" * (width + 22)]
    for r in results:
        lines.append(f"{r.layout.name:<{width}}  {r.exact:>4}/{r.cells:<4} {100 * r.exact / r.cells:5.1f}%")
    exact, cells = sum(r.exact for r in results), sum(r.cells for r in results)
    files = sum(r.exact == r.cells for r in results)
    lines.append("-" * (width + 22))
    lines.append(f"{'all (' + str(files) + '/' + str(len(results)) + ' files exact)':<{width}}  "
                 f"{exact:>4}/{cells:<4} {100 * exact / cells:5.1f}%")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp(prefix="layouts-"))
    results = measure(folder)
    print(table(results))
    if "-v" in argv:
        for r in results:
            for p in r.problems[:6]:
                print(f"  {r.layout.name}: {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
