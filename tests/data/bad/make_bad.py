"""Generate the corpus of bad inputs in this folder from the seed documents in data/raw/.

    python tests/data/bad/make_bad.py [OUT_DIR]

Each file is a copy of a real seed format with exactly one defect (or a small binary document built
for one defect); `expected.yaml` beside this script says what `chiso ingest` must answer for each.
The output is deterministic: running the script again rewrites the same bytes. The seeds in
data/raw/ are only read. Cases too large to commit (a file over max_file_mb) are made by the tests.
"""

from __future__ import annotations

import io
import random
import sys
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
RAW = ROOT / "data" / "raw"
TEMPLATE_XLSX = ROOT / "data" / "templates" / "bao_cao_766_mau.xlsx"
TEMPLATE_CSV = ROOT / "data" / "templates" / "bao_cao_766_mau.csv"
CHO_MOI = RAW / "cho-moi" / "000_0e14d90c141fb8cb.txt"
PHU_TAN = RAW / "phu-tan" / "001_9befcb279ea0e6bb.txt"
THAP_MUOI = RAW / "thap-muoi" / "002_09ca01f0b851a3c6.txt"

FIXED_TIME = (2023, 12, 4, 0, 0, 0)
EVIL = "<script>alert(1)</script>"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _replace(text: str, old: str, new: str, count: int = 1) -> str:
    """str.replace that insists the defect really lands (the seed must hold `old`)."""
    if text.count(old) < count:
        raise SystemExit(f"seed text changed: {old!r} not found {count} time(s)")
    return text.replace(old, new, count)


def _lines(text: str) -> list[str]:
    return text.split("\n")


# -- text cases (one defect in a copy of a seed) ---------------------------------------------------

def text_cases() -> dict[str, bytes | str]:
    cm, pt, tm = _text(CHO_MOI), _text(PHU_TAN), _text(THAP_MUOI)
    out: dict[str, bytes | str] = {}
    out["empty.txt"] = b""
    out["blank.txt"] = "  \n\n\t \n"
    rng = random.Random(766)
    out["binary_garbage.txt"] = bytes(rng.randrange(256) for _ in range(4096))
    out["phu_tan_utf16.md"] = pt.encode("utf-16")  # with a BOM, as Windows "Unicode" saves it
    out["cho_moi_windows1258.txt"] = to_cp1258(cm)
    # a table cut off inside a row (the download stopped)
    out["cho_moi_truncated.txt"] = cm[: cm.index("15 MỸ AN 54.01") + len("15 MỸ AN 54.01")]
    out["phu_tan_truncated.md"] = pt[: pt.index("| 14  | HÒA LẠC") + len("| 14  | HÒA LẠC           | 57.96")]
    cell = "| 63.15                     |"
    out["phu_tan_missing_score.md"] = _replace(pt, cell, "|" + " " * (len(cell) - 2) + "|")
    lines = _lines(cm)
    assert lines[434] == "59.94 TRUNG "
    lines[434] = "TRUNG "
    out["cho_moi_missing_score.txt"] = "\n".join(lines)
    out["phu_tan_score_105.md"] = _replace(pt, "| 61.14    ", "| 105      ")
    out["cho_moi_pct_140.txt"] = _replace(cm, "64.25 0.30 79.6 99.35", "64.25 0.30 140 99.35")
    out["cho_moi_negative_count.txt"] = _replace(cm, "21.6 1 7 ", "21.6 -1 7 ")
    out["cho_moi_huge_count.txt"] = _replace(cm, "21.6 1 7 ", "21.6 99999999999 7 ")  # 11 digits
    out["cho_moi_overlong_number.txt"] = _replace(cm, "59.72 0.22 61.7 ", "59.72 0.22 " + "6" * 5000 + " ")
    out["phu_tan_huge_stt.md"] = _replace(pt, "| 2   | PHÚ AN", "| 99999999999999999999 | PHÚ AN")
    out["cho_moi_superscript_stt.txt"] = _replace(cm, " 9 HÒA AN 58.28", " ⁹ HÒA AN 58.28")  # isdigit(), not int()
    out["cho_moi_garbage_number.txt"] = _replace(cm, "59.72 0.22 61.7 ", "59.72 0.22 6l.7 ")
    lines = _lines(pt)
    assert lines[57].startswith("| 2   | PHÚ AN")
    lines.insert(58, lines[57].replace("| 2   |", "| 3   |"))  # the same unit twice, numbered on
    out["phu_tan_duplicate_unit.md"] = "\n".join(lines)
    out["phu_tan_unknown_unit.md"] = _replace(pt, "| PHÚ LÂM   ", "| PHÚ LÂN   ")
    out["cho_moi_total_mismatch.txt"] = _replace(cm, "1.746 2.834", "1.747 2.834")
    cut_cm, cut_pt = "Ngày 04/12/2023 -Tuần 1", "(Ngày 09/10/2023 - Tuần 2)"
    out["cho_moi_week_contradicts_cut.txt"] = _replace(cm, cut_cm, cut_cm.replace("Tuần 1", "Tuần 2"))
    out["phu_tan_week_contradicts_cut.md"] = _replace(pt, "Tháng 10 – Tuần 2", "Tháng 10 – Tuần 3")
    out["phu_tan_cut_not_monday.md"] = _replace(pt, cut_pt, cut_pt.replace("09/10", "10/10"))
    out["phu_tan_impossible_date.md"] = _replace(pt, cut_pt, cut_pt.replace("09/10", "31/02"))
    out["phu_tan_html_unit.md"] = _replace(pt, "| PHÚ LÂM          ", f"| {EVIL} ")
    escaped = EVIL.replace("<", "&lt;").replace(">", "&gt;")
    out["phu_tan_html_entities_unit.md"] = _replace(pt, "| PHÚ LÂM          ", f"| {escaped} ")
    out["cho_moi_unknown_band.txt"] = _replace(cm, "49.18 YẾU 49.03", "49.18 KÉM 49.03")
    out["cho_moi_unknown_district.txt"] = cm.replace("huyện Chợ Mới", "huyện Châu Phú")
    no_period = cm.replace("(Thời gian chốt số liệu: Ngày 04/12/2023 -Tuần 1)", "")
    no_period = no_period.replace("Tháng 12 – Tuần 1", "").replace("Tuần 1 của tháng 12 năm 2023", "")
    out["cho_moi_no_period.txt"] = no_period
    out["thap_muoi_score_170.txt"] = _replace(tm, "Thạnh Lợi 70,19 điểm", "Thạnh Lợi 170,19 điểm")
    out["thap_muoi_no_scores.txt"] = tm[: tm.index("1\n Xã Thạnh Lợi")]
    csv_text = _text(TEMPLATE_CSV)
    csv_text = _replace(csv_text, "Huyện:,,(tên huyện như in trong báo cáo)", "Huyện:,Chợ Mới,")
    csv_text = _replace(csv_text, "Tỉnh:,,(tên tỉnh)", "Tỉnh:,An Giang,")
    hint = ("(ghi: Ngày dd/mm/yyyy — ngày thứ Hai chốt số liệu; "
            "hoặc: Tuần N tháng M năm YYYY)")
    label = "Thời gian chốt số liệu:"
    csv_text = _replace(csv_text, f"{label},,{hint}", f"{label},Ngày 04/12/2023,")
    csv_text = _replace(csv_text, "\n1,,,,,,,,,,,,",
                        "\n1,CHỢ MỚI,65.79,Trung bình,65.41,0.38,72.6,99.67,20.1,28.19,33.3,319,323")
    csv_text = _replace(csv_text, "\n2,,,,,,,,,,,,",  # the score written in words
                        "\n2,NHƠN MỸ,sáu mươi,Trung bình,64.25,0.30,79.6,99.35,12.8,26.05,26.6,120,398")
    out["template_score_in_words.csv"] = csv_text
    # warnings only: stored, each inconsistency listed with its file and line
    row = "| PHÚ LÂM           | 63.15                     | TRUNG BÌNH |"
    out["phu_tan_band_mismatch.md"] = _replace(pt, row, row.replace("TRUNG BÌNH", "KHÁ       "))
    cells = "| 63.08                     | 0.07 "
    out["phu_tan_delta_mismatch.md"] = _replace(pt, cells, cells.replace("0.07", "0.70"))
    out["phu_tan_rank_sequence.md"] = _replace(pt, "| 4   | PHÚ THẠNH", "| 5   | PHÚ THẠNH")
    lines = _lines(pt)
    assert lines[73].startswith("| 18  | PHÚ XUÂN")
    del lines[73]
    out["phu_tan_missing_unit.md"] = "\n".join(lines)
    row = "| 2   | PHÚ AN            | 61.14                     | TRUNG BÌNH | 61.03 "
    conflict = _replace(pt, row, row.replace("61.14", "61.24"))  # another score for the same unit and week
    out["phu_tan_conflict.md"] = _replace(conflict, "| 61.03                     | 0.11 ",
                                          "| 61.03                     | 0.21 ")
    return out


def to_cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes Vietnamese: precomposed base letters, tone marks as combining bytes."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
        shape = [m for m in marks if m not in tones]
        letter = unicodedata.normalize("NFC", base + "".join(shape))
        out += letter.encode("cp1258") + "".join(tones).encode("cp1258")
    return bytes(out)


# -- binary cases ---------------------------------------------------------------------------------

def _zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    """A zip with fixed timestamps, so the script writes the same bytes every time."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, body, compresslevel=9)
    return buf.getvalue()


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _stable(data: bytes) -> bytes:
    """An Office file re-zipped with fixed timestamps (the library stamps the time of saving)."""
    import re

    members = []
    for name, body in _members(data):
        if name == "docProps/core.xml":
            body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2023-12-04T00:00:00Z", body)
        members.append((name, body))
    return _zip_bytes(members)


CHO_MOI_ROWS = [  # STT, Đơn vị, score, band, prev, delta, CKMB, TĐGQ, DVCTT, TTTT, số hóa, CTĐT, lũy kế
    [None, "TOÀN HUYỆN", 57.45, "Trung bình", 57.16, 0.29, 59.8, 94.26, 7.7, 12.17, 25.4, 845, 1224],
    [1, "CHỢ MỚI", 65.79, "Trung bình", 65.41, 0.38, 72.6, 99.67, 20.1, 28.19, 33.3, 319, 323],
    [2, "NHƠN MỸ", 64.55, "Trung bình", 64.25, 0.30, 79.6, 99.35, 12.8, 26.05, 26.6, 120, 398],
    [3, "BÌNH PHƯỚC XUÂN", 63.82, "Trung bình", 63.47, 0.35, 78.7, 99.89, 11.1, 21.15, 25, 406, 503],
]


def xlsx_bytes(formula: bool) -> bytes:
    """The analyst's template filled with three Chợ Mới rows (the total row counts only them);
    `formula` puts formulas in the score cells."""
    import openpyxl

    wb = openpyxl.load_workbook(TEMPLATE_XLSX)
    ws = wb.worksheets[0]
    ws["B2"], ws["B3"], ws["B4"], ws["B5"] = "Chợ Mới", "An Giang", "Ngày 04/12/2023", "7/11"
    header = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "STT")
    for i, values in enumerate(CHO_MOI_ROWS):
        for c, v in enumerate(values, start=1):
            ws.cell(row=header + 1 + i, column=c, value=v)
    if formula:
        for i in range(1, len(CHO_MOI_ROWS)):  # score = last week's score + the change, as a formula
            r = header + 1 + i
            ws.cell(row=r, column=3, value=f"=E{r}+F{r}")
    wb.properties.created = wb.properties.modified = datetime(2023, 12, 4)
    buf = io.BytesIO()
    wb.save(buf)
    return _stable(buf.getvalue())


def docx_bytes() -> bytes:
    """A Word report: the Phú Tân letter's heading lines and its table."""
    import docx

    pt = _text(PHU_TAN).split("\n")
    doc = docx.Document()
    for line in (pt[2], pt[10], pt[14], pt[49]):
        doc.add_paragraph(line.replace("**", "").strip())
    rows = [ln for ln in pt[53:74] if ln.startswith("|") and "---" not in ln]
    cells = [[c.strip().replace("<b>", "").replace("</b>", "") for c in r.strip().strip("|").split("|")]
             for r in rows]
    table = doc.add_table(rows=len(cells), cols=len(cells[0]))
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.core_properties.created = doc.core_properties.modified = datetime(2023, 12, 4)
    buf = io.BytesIO()
    doc.save(buf)
    return _stable(buf.getvalue())


def billion_laughs(root: bytes, encoding: str = "utf-8") -> bytes:
    """An XML part whose ten nested entities expand to 10^9 'lol's when a parser resolves them."""
    ents = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE lolz [\n ' + "\n ".join(ents) + "\n]>\n"
    return text.encode(encoding) + root.decode("utf-8").replace("LOL", "&lol9;").encode(encoding)


def binary_cases() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    good_xlsx = xlsx_bytes(formula=False)
    good_docx = docx_bytes()
    out["cho_moi_formulas.xlsx"] = xlsx_bytes(formula=True)
    # malformed DOCX: the download stopped half way (no central directory), or a broken XML part
    out["phu_tan_truncated_zip.docx"] = good_docx[: len(good_docx) // 2]
    members = _members(good_docx)
    members = [(n, b[: len(b) // 2] if n == "word/document.xml" else b) for n, b in members]
    out["phu_tan_broken_xml.docx"] = _zip_bytes(members)
    out["not_a_zip.docx"] = b"Microsoft Word document\r\n" * 20
    # entity-expansion (billion laughs) bombs in an XML part
    lol_doc = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
               b"<w:p><w:r><w:t>LOL</w:t></w:r></w:p></w:body></w:document>")
    members = [(n, billion_laughs(lol_doc) if n == "word/document.xml" else b)
               for n, b in _members(good_docx)]
    out["billion_laughs.docx"] = _zip_bytes(members)
    lol_sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                 b'<row r="1"><c r="A1" t="inlineStr"><is><t>LOL</t></is></c></row></sheetData></worksheet>')
    sheet = "xl/worksheets/sheet2.xml"  # the template's instructions sheet
    members = [(n, billion_laughs(lol_sheet) if n == sheet else b) for n, b in _members(good_xlsx)]
    out["billion_laughs.xlsx"] = _zip_bytes(members)
    members = [(n, billion_laughs(lol_sheet, "utf-16") if n == sheet else b) for n, b in _members(good_xlsx)]
    out["billion_laughs_utf16.xlsx"] = _zip_bytes(members)
    # zip bombs: a member that inflates a thousandfold (a worksheet padded with spaces), and a document
    # whose members add up to more than max_unzipped_mb
    members = _members(good_xlsx)
    members = [(n, b.replace(b"<sheetData>", b"<sheetData>" + b" " * (8 << 20), 1)
                if n == "xl/worksheets/sheet1.xml" else b) for n, b in members]
    out["zip_bomb_ratio.xlsx"] = _zip_bytes(members)
    members = _members(good_docx) + [(f"word/media/pad{i}.xml", b"\x00" * (13 << 20)) for i in range(4)]
    out["zip_bomb_total.docx"] = _zip_bytes(members)
    # containers that are not what they claim or what the workbench reads
    out["old_format.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    out["broken.pdf"] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF-not-really"
    out["archive_of_photos.bin"] = _zip_bytes([("anh1.jpg", b"\xff\xd8\xff" + bytes(100))])
    return out


def build(out_dir: Path = HERE) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in {**text_cases(), **binary_cases()}.items():
        path = out_dir / name
        path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in build(target):
        print(f"{p.stat().st_size:>9}  {p.name}")
