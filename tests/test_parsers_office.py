"""Office documents: a PDF / DOCX table whose two-row header is printed again, Word's tracked changes
and content controls (w:sdt)."""

from __future__ import annotations

from datetime import date

import pytest

from helpers import validate
from helpers.parsers import documents, parse_document
from tests.test_parsers_formats import TB, _docx, _pdf, by_name, raises_input

# -- a two-row header printed again (PDF: on each page; DOCX: retyped mid-table) ------------------------


def _units(n: int) -> list[tuple[str, float, float, float]]:
    """n made-up units: (name, score, online %, payment %)."""
    letters = "ABCDEGHKLMNPQRSTUVXY"
    return [(f"THỬ {letters[i // len(letters)]}{letters[i % len(letters)]}", round(50 + i * 0.37, 2),
             round(5 + i * 0.5, 1), round(10 + i * 0.25, 2)) for i in range(n)]


def _vn(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def test_pdf_two_row_header_repeated_on_each_page(tmp_path):
    units = _units(60)
    rows = "".join(f"<tr><td>{i}</td><td>{name}</td><td>{_vn(score)}</td><td>TRUNG BÌNH</td><td>{_vn(online)}</td>"
                   f"<td>{_vn(pay)}</td></tr>" for i, (name, score, online, pay) in enumerate(units, start=1))
    body = f"""<p>UBND HUYỆN CHỢ MỚI</p><p>(Thời gian chốt số liệu: Ngày 18/12/2023 - Tuần 3)</p>
    <style>thead{{display:table-header-group}} table.r td{{padding:6pt 3pt}}</style>
    <table class='r'><thead>
    <tr><th rowspan=2>STT</th><th rowspan=2>ĐƠN VỊ</th><th rowspan=2>ĐIỂM TỔNG HỢP</th><th rowspan=2>XẾP LOẠI</th>
        <th colspan=2>DỊCH VỤ TRỰC TUYẾN</th></tr>
    <tr><th>DVCTT (Chỉ tiêu trên 50%)</th><th>THANH TOÁN TRỰC TUYẾN (Chỉ tiêu trên 30%)</th></tr></thead>
    <tbody>{rows}</tbody></table><p>Nơi nhận: như trên.</p>"""
    path = _pdf(tmp_path, "repeat.pdf", body)
    lines, tables = documents.pdf_content(path.read_bytes(), path.name)
    # the PDF is what the report is about: one table per page, each starting with both header rows
    assert len(tables) >= 3
    assert all(t[0].cells[1] == "ĐƠN VỊ" and t[1].cells[4].startswith("DVCTT") for t in tables)
    rep = parse_document(path)
    assert rep.columns == ["reported_rank", "score", "online_pct", "payment_pct"]
    assert [(r.name, r.values, r.band) for r in rep.rows] == [
        (name, {"reported_rank": i, "score": score, "online_pct": online, "payment_pct": pay}, TB)
        for i, (name, score, online, pay) in enumerate(units, start=1)]
    for row in rep.rows:
        assert row.name in lines[row.line - 1]
    assert rep.meta.period.start == date(2023, 12, 18)


def _header_rows(table, top: int, first: list[str], second: list[str], merge_down: bool, merge_group: bool):
    for c, text in enumerate(first):
        table.cell(top, c).text = text
    for c, text in enumerate(second):
        table.cell(top + 1, c).text = text
    if merge_down:  # the columns without a group: one cell over both rows
        for c, text in enumerate(second):
            if not text:
                table.cell(top, c).merge(table.cell(top + 1, c))
    if merge_group:  # the group label over its columns
        table.cell(top, 4).merge(table.cell(top, 5))


ONLINE = (["STT", "ĐƠN VỊ", "ĐIỂM TỔNG HỢP", "XẾP LOẠI", "DỊCH VỤ TRỰC TUYẾN", ""],
          ["", "", "", "", "DVCTT", "THANH TOÁN TRỰC TUYẾN"])
E_CERT = (["STT", "ĐƠN VỊ", "ĐIỂM TỔNG HỢP", "XẾP LOẠI", "CHỨNG THỰC ĐIỆN TỬ", ""],
          ["", "", "", "", "Trong tuần", "Lũy kế"])


@pytest.mark.parametrize("header, merge_down, columns", [
    # the retyped second row names its columns (DVCTT, THANH TOÁN): read as the header's continuation
    (ONLINE, False, ["reported_rank", "score", "online_pct", "payment_pct"]),
    # its labels name no column alone ("Trong tuần", "Lũy kế"): a cell-for-cell copy of the header
    (E_CERT, False, ["reported_rank", "score", "e_cert", "e_cert_cum"]),
    (ONLINE, True, ["reported_rank", "score", "online_pct", "payment_pct"]),
])
def test_docx_two_row_header_retyped_mid_table(tmp_path, header, merge_down, columns):
    data = [["", "TOÀN HUYỆN", "59,6", "TRUNG BÌNH", "26", "17"],
            ["1", "MỸ HIỆP", "61,4", "TRUNG BÌNH", "23", "12"],
            ["2", "LONG GIANG", "57,02", "TRUNG BÌNH", "", "130"],
            ["3", "BÌNH THẠNH", "66", "KHÁ", "30", "4"]]

    def build(doc):
        doc.add_paragraph("UBND HUYỆN CHỢ MỚI")
        doc.add_paragraph("Thời gian chốt số liệu: Ngày 25/12/2023 - Tuần 4")
        t = doc.add_table(rows=8, cols=6)
        _header_rows(t, 0, *header, merge_down=merge_down, merge_group=True)
        # on the next page the user typed (or pasted) the header again: the first layout of each
        # case keeps the merges of the header it copies, the last one is typed without them
        _header_rows(t, 5, *header, merge_down=False, merge_group=not merge_down)
        for r, values in zip((2, 3, 4, 7), data):
            for c, text in enumerate(values):
                t.cell(r, c).text = text

    path = _docx(tmp_path, "retyped.docx", build)
    rep = parse_document(path)
    assert rep.columns == columns
    a, b = columns[2:]
    assert [(r.name, r.values) for r in rep.rows] == [
        ("TOÀN HUYỆN", {"reported_rank": None, "score": 59.6, a: 26, b: 17}),
        ("MỸ HIỆP", {"reported_rank": 1, "score": 61.4, a: 23, b: 12}),
        ("LONG GIANG", {"reported_rank": 2, "score": 57.02, a: None, b: 130}),
        ("BÌNH THẠNH", {"reported_rank": 3, "score": 66.0, a: 30, b: 4})]
    lines = documents.docx_lines(path.read_bytes(), path.name)
    for row in rep.rows:
        assert row.name in lines[row.line - 1]


def test_repeated_header_continuation_is_skipped_once_only(tmp_path):
    """Only as many rows as the header has are taken for its repeat: a later row without numbers is read
    (and refused), not dropped."""
    text = ("UBND HUYỆN PHÚ TÂN\n(Ngày 30/10/2023 - Tuần 5)\n\n"
            "| STT | ĐƠN VỊ | ĐIỂM TỔNG HỢP | DỊCH VỤ TRỰC TUYẾN | |\n| | | | DVCTT | THANH TOÁN |\n|---|---|---|---|---|\n"
            "| 1 | PHÚ LÂM | 64 | 20 | 10 |\n"
            "| STT | ĐƠN VỊ | ĐIỂM TỔNG HỢP | DỊCH VỤ TRỰC TUYẾN | |\n| | | | DVCTT | THANH TOÁN |\n"
            "| 2 | PHÚ AN | 62,5 | 21 | 11 |\n"
            "| STT | ĐƠN VỊ | ĐIỂM TỔNG HỢP | DỊCH VỤ TRỰC TUYẾN | |\n| | | | DVCTT | THANH TOÁN |\n"
            "| | | | DVCTT | THANH TOÁN |\n")
    path = tmp_path / "p.md"
    path.write_text(text, encoding="utf-8")
    err = raises_input(path)
    assert err.line == 13 and "'DVCTT' không phải là số" in err.message
    path.write_text(text.rsplit("| | | | DVCTT", 1)[0], encoding="utf-8")
    rep = parse_document(path)
    assert [(r.line, r.name, r.values) for r in rep.rows] == [
        (7, "PHÚ LÂM", {"reported_rank": 1, "score": 64.0, "online_pct": 20.0, "payment_pct": 10.0}),
        (10, "PHÚ AN", {"reported_rank": 2, "score": 62.5, "online_pct": 21.0, "payment_pct": 11.0})]


# -- Word's tracked changes (Track Changes not accepted) ------------------------------------------------

def _w(tag: str, text: str | None = None, **attrs):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(f"w:{tag}")
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    if text is not None:
        el.text = text
    return el


def _run(text: str, deleted: bool = False):
    r = _w("r")
    r.append(_w("delText" if deleted else "t", text))
    return r


def _revision(tag: str, text: str, rid: str):
    el = _w(tag, id=rid, author="VP", date="2023-12-26T08:00:00Z")
    el.append(_run(text, deleted=tag in ("del", "moveFrom")))
    return el


def _report(doc, edit=None):
    """A small report; `edit(doc, table)` changes it before it is saved."""
    doc.add_paragraph("UBND HUYỆN CHỢ MỚI")
    doc.add_paragraph("Thời gian chốt số liệu: Ngày 25/12/2023 - Tuần 4")
    t = doc.add_table(rows=4, cols=4)
    for r, values in enumerate([["STT", "ĐƠN VỊ", "ĐIỂM TỔNG HỢP", "XẾP LOẠI"],
                                ["", "TOÀN HUYỆN", "59,6", "TRUNG BÌNH"],
                                ["1", "MỸ HIỆP", "63,49", "TRUNG BÌNH"],
                                ["2", "LONG GIANG", "57,02", "TRUNG BÌNH"]]):
        for c, text in enumerate(values):
            t.cell(r, c).text = text
    doc.add_paragraph("Nơi nhận: như trên.")
    if edit:
        edit(doc, t)


def _retype_score(kept: str, deleted: str, inserted: str):
    """MỸ HIỆP's score typed as kept+deleted, then corrected with Track Changes on to kept+inserted."""
    def edit(doc, table):
        p = table.cell(2, 2).paragraphs[0]
        for r in list(p.runs):
            p._p.remove(r._r)
        p._p.append(_run(kept))
        p._p.append(_revision("del", deleted, "1"))
        p._p.append(_revision("ins", inserted, "2"))
    return edit


def _assert_tracked(path, line: int, where: str):
    err = raises_input(path)
    assert err.line == line
    assert err.message.startswith(f"tệp Word còn thay đổi chưa được chấp nhận (Track Changes){where}: ")
    assert "Accept All Changes (Chấp nhận tất cả)" in err.message


@pytest.mark.parametrize("kept, deleted, inserted", [
    ("63,4", "1", "9"),   # read "63,4" without a word: the inserted digit is left out
    ("63,", "94", "49"),  # "63,": refused as no number, naming neither version
])
def test_docx_value_corrected_with_track_changes_is_refused(tmp_path, kept, deleted, inserted):
    path = _docx(tmp_path, "tracked.docx", lambda doc: _report(doc, _retype_score(kept, deleted, inserted)))
    plain = _docx(tmp_path, "plain.docx", _report)
    row = next(r for r in parse_document(plain).rows if r.name == "MỸ HIỆP")
    assert row.values["score"] == 63.49
    _assert_tracked(path, row.line, " ở dòng “MỸ HIỆP” của bảng")


@pytest.mark.parametrize("tag", ["ins", "del", "moveFrom", "moveTo"])
def test_docx_tracked_change_in_a_paragraph_is_refused(tmp_path, tag):
    def edit(doc, table):
        doc.paragraphs[-1]._p.append(_revision(tag, " (bản sửa)", "7"))

    path = _docx(tmp_path, "tracked.docx", lambda doc: _report(doc, edit))
    lines = documents.docx_lines(_docx(tmp_path, "plain.docx", _report).read_bytes(), "plain.docx")
    shown = "Nơi nhận: như trên." + (" (bản sửa)" if tag in ("ins", "moveTo") else "")  # as Word shows it
    _assert_tracked(path, lines.index("Nơi nhận: như trên.") + 1, f" ở đoạn “{shown}”")


def test_docx_row_inserted_with_track_changes_is_refused(tmp_path):
    def edit(doc, table):  # a row marked as inserted (its properties hold <w:ins>): its text is plain
        tr = table.rows[3]._tr
        tr_pr = tr.get_or_add_trPr()
        tr_pr.append(_w("ins", id="3", author="VP", date="2023-12-26T08:00:00Z"))

    path = _docx(tmp_path, "tracked.docx", lambda doc: _report(doc, edit))
    plain = _docx(tmp_path, "plain.docx", _report)
    row = next(r for r in parse_document(plain).rows if r.name == "LONG GIANG")
    _assert_tracked(path, row.line, " ở dòng “LONG GIANG” của bảng")


# -- content controls (w:sdt) ---------------------------------------------------------------------------

def _wrap(element, depth: int = 1):
    """Put a body element inside `depth` nested block-level content controls."""
    for _ in range(depth):
        sdt, content = _w("sdt"), _w("sdtContent")
        pr = _w("sdtPr")
        pr.append(_w("alias", val="Phụ lục"))
        sdt.append(pr)
        sdt.append(content)
        element.addprevious(sdt)
        content.append(element)
        element = sdt


def test_docx_table_and_paragraphs_inside_content_controls(tmp_path):
    def edit(doc, table):
        _wrap(table._tbl, depth=2)
        _wrap(doc.paragraphs[1]._p)  # the cut date

    plain = _docx(tmp_path, "plain.docx", _report)
    path = _docx(tmp_path, "sdt.docx", lambda doc: _report(doc, edit))
    # read in body order, as if there were no content control
    assert documents.docx_lines(path.read_bytes(), path.name) == documents.docx_lines(plain.read_bytes(), "p")
    rep = parse_document(path)
    assert [(r.line, r.name, r.values["score"]) for r in rep.rows] == [
        (r.line, r.name, r.values["score"]) for r in parse_document(plain).rows]
    assert by_name(rep)["MỸ HIỆP"].values == {"reported_rank": 1, "score": 63.49}
    assert rep.meta.period.start == date(2023, 12, 25)


def test_docx_content_control_around_several_blocks(tmp_path):
    def edit(doc, table):
        # one control around the paragraph before the table, the table and the paragraph after it
        body = table._tbl.getparent()
        before, after = doc.paragraphs[1]._p, doc.paragraphs[2]._p
        sdt, content = _w("sdt"), _w("sdtContent")
        sdt.append(content)
        before.addprevious(sdt)
        for el in (before, table._tbl, after):
            content.append(el)
        assert sdt.getparent() is body

    plain = _docx(tmp_path, "plain.docx", _report)
    path = _docx(tmp_path, "sdt.docx", lambda doc: _report(doc, edit))
    assert documents.docx_lines(path.read_bytes(), path.name) == documents.docx_lines(plain.read_bytes(), "p")
    assert [r.name for r in parse_document(path).rows] == ["TOÀN HUYỆN", "MỸ HIỆP", "LONG GIANG"]


def test_docx_tracked_change_inside_a_content_control_is_refused(tmp_path):
    def edit(doc, table):
        _retype_score("63,4", "1", "9")(doc, table)
        _wrap(table._tbl)

    path = _docx(tmp_path, "both.docx", lambda doc: _report(doc, edit))
    row = next(r for r in parse_document(_docx(tmp_path, "plain.docx", _report)).rows if r.name == "MỸ HIỆP")
    _assert_tracked(path, row.line, " ở dòng “MỸ HIỆP” của bảng")


def test_docx_text_inside_inline_content_controls_and_fields_is_read(tmp_path):
    """A score typed into a content control of a table cell, and the cut date inside a simple field, are
    what Word shows: they are read (python-docx's own cell and paragraph text leave them out)."""
    def edit(doc, table):
        p = table.cell(2, 2).paragraphs[0]  # MỸ HIỆP's score inside an inline content control
        for r in list(p.runs):
            p._p.remove(r._r)
        sdt, content = _w("sdt"), _w("sdtContent")
        content.append(_run("63,49"))
        sdt.append(content)
        p._p.append(sdt)
        date_p = doc.paragraphs[1]._p  # "… Ngày 25/12/2023 - Tuần 4": the date inside a field
        for r in list(date_p.iterchildren()):
            if r.tag.endswith("}r"):
                date_p.remove(r)
        date_p.append(_run("Thời gian chốt số liệu: "))
        field = _w("fldSimple", instr=" DATE ")
        field.append(_run("Ngày 25/12/2023"))
        date_p.append(field)
        date_p.append(_run(" - Tuần 4"))

    plain = _docx(tmp_path, "plain.docx", _report)
    path = _docx(tmp_path, "inline.docx", lambda doc: _report(doc, edit))
    assert documents.docx_lines(path.read_bytes(), path.name) == documents.docx_lines(plain.read_bytes(), "p")
    rep = parse_document(path)
    assert by_name(rep)["MỸ HIỆP"].values == {"reported_rank": 1, "score": 63.49}
    assert rep.meta.period.start == date(2023, 12, 25)


# -- a row split over a page break -------------------------------------------------------------------

def test_pdf_row_split_over_a_page_break_is_refused_not_dropped(tmp_path):
    """A ruled row cut by a page break: pdfplumber keeps only its name's second line on the next page,
    with no STT and no value. That is a unit of the district, not a section label: the file is refused."""
    import yaml

    from helpers import params
    from helpers.errors import InputError

    units = yaml.safe_load(params.params_dir().joinpath("units.yaml").read_text(encoding="utf-8"))
    units = units["districts"]["893"]["units"]
    rows = "".join(f"<tr><td>{i}</td><td>{u['type']} {u['name'].upper()}</td><td>{60 + i / 10:.2f}</td>"
                   f"<td>TRUNG BÌNH</td></tr>" for i, u in enumerate(units, start=1))
    body = ("<style>@page{size:A4 portrait;margin:20mm} table.s{border-collapse:collapse;width:100%}"
            "table.s td,table.s th{border:1px solid #000;padding:2pt 4pt;font-size:11pt} tr{break-inside:auto}"
            "table.s td:nth-child(2){width:14mm}</style>"
            "<p>UBND HUYỆN CHỢ MỚI</p><p>(Thời gian chốt số liệu: Ngày 18/12/2023 - Tuần 3)</p>"
            "<table class='s'><thead><tr><th>STT</th><th>ĐƠN VỊ</th><th>ĐIỂM TỔNG HỢP</th><th>XẾP LOẠI</th></tr>"
            f"</thead><tbody>{rows}</tbody></table><p>Nơi nhận: như trên.</p>")
    path = _pdf(tmp_path, "split.pdf", body)
    _, tables = documents.pdf_content(path.read_bytes(), path.name)
    cut = [r for t in tables for r in t if not r.cells[0] and r.cells[1] and not any(r.cells[2:])]
    assert len(cut) == 1, "the layout no longer cuts a row: adjust the padding"  # (the case this test is about)
    with pytest.raises(InputError) as exc:
        validate.parse_file(path, district="cho-moi")
    assert exc.value.line == cut[0].line
    unit, rest = exc.value.message.removeprefix("dòng của ").split(" không có số liệu nào; ", 1)
    assert unit.casefold() == cut[0].cells[1].casefold()  # the unit of the cut row, by its registry name
    assert rest.startswith("nếu bảng bị ngắt sang trang giữa dòng này")


def test_a_section_label_row_in_a_table_is_still_no_unit(tmp_path):
    from tests.test_parsers_formats import SEED_PHU_TAN, write

    text = SEED_PHU_TAN.read_text(encoding="utf-8")
    first = next(line for line in text.split("\n") if line.startswith("| 1 "))
    cells = len(first.strip().strip("|").split("|"))
    label = "| " + " | ".join(["", "Khối xã"] + [""] * (cells - 2)) + " |"
    lost = "| " + " | ".join(["", "xã Phú Lâm"] + [""] * (cells - 2)) + " |"
    parsed = validate.parse_file(write(tmp_path, "label.md", text.replace(first, label + "\n" + first)))
    assert parsed.n_reported == 19  # 18 units and the total, as without the label
    from helpers.errors import InputError

    with pytest.raises(InputError, match="dòng của xã Phú Lâm không có số liệu nào"):
        validate.parse_file(write(tmp_path, "lost.md", text.replace(first, lost + "\n" + first.replace("PHÚ LÂM", "PHÚ X"))))
