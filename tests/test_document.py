"""The signed document: the Decree 30/2020 layout of the Word file (opened again with python-docx), the
same content as HTML, and what the W49 documents of the three districts say."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.shared import Cm, Mm, Pt

from helpers import compose, district_week, document, ingest, params, periods, vi_format
from helpers.document import Appendix, Block, Figure, OfficialDocument, Signer, Table
from tests.conftest import SEEDS

W49 = periods.parse_week_arg("2023-W49")


def _tiny_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, format="PNG")
    return buf.getvalue()


def _doc(**over) -> OfficialDocument:
    values = {
        "kind": "bao-cao", "parent_body": "UBND huyện Chợ Mới", "issuing_body": "Văn phòng HĐND và UBND huyện Chợ Mới",
        "country": "Cộng hòa xã hội chủ nghĩa Việt Nam", "motto": "Độc lập - Tự do - Hạnh phúc",
        "number": "Số:" + document.BLANK + "/BC-VP", "place_date": "Chợ Mới, ngày" + document.BLANK + "tháng 12 năm 2023",
        "doc_type": "BÁO CÁO", "title": "Kết quả xếp loại các đơn vị Tháng 12 – Tuần 1", "subject": "", "period_note": "",
        "addressees": [], "body": [Block("Thực hiện Công văn số 124/UBND-TH."), Block("2. Kết quả:", "heading"),
                             Block("- Xã Kiến An xếp loại “Yếu”.", "item")],
        "recipients": ["TT. UBND huyện;", "Lưu: VT."], "signer": Signer("", "Chánh Văn phòng", "Lê Thanh Hải"),
        "appendix": Appendix("Phụ lục", "(Kèm theo Báo cáo số      /BC-VP ngày      tháng 12 năm 2023)",
                          "KẾT QUẢ XẾP LOẠI", "(Thời gian chốt số liệu: Ngày 04/12/2023)",
                          Table(["STT", "Đơn vị", "Điểm"], [["", "Toàn huyện", "57.45"], ["1", "xã A", "65.79"]],
                                frozenset({0}), frozenset({2})),
                          figures=[Figure(_tiny_png(), "Hình 1")]),
    }
    values.update(over)
    return OfficialDocument(**values)


def _open(d: OfficialDocument):
    return Document(io.BytesIO(document.to_docx_bytes(d)))


def _runs_with(doc, text: str):
    """(paragraph, first run) of every paragraph, in tables too, whose text is `text`."""
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs += cell.paragraphs
    return [(p, p.runs[0]) for p in paragraphs if p.text == text and p.runs]


def _one(doc, text: str):
    found = _runs_with(doc, text)
    assert found, f"no paragraph {text!r}"
    return found[0]


def test_page_margins_and_page_numbers_from_page_two():
    doc = _open(_doc())
    first = doc.sections[0]
    assert abs(first.page_width - Mm(210)) < Mm(0.5) and abs(first.page_height - Mm(297)) < Mm(0.5)
    assert Mm(20) <= first.top_margin <= Mm(25) and Mm(20) <= first.bottom_margin <= Mm(25)
    assert Mm(30) <= first.left_margin <= Mm(35) and Mm(15) <= first.right_margin <= Mm(20)
    assert first.different_first_page_header_footer  # titlePg: no number on page 1
    header_xml = first.header._element.xml
    assert "PAGE" in header_xml and 'w:fldCharType="begin"' in header_xml
    assert first.header.paragraphs[0].alignment == 1  # centred in the top margin
    assert "PAGE" not in first.first_page_header._element.xml
    size = first.header.paragraphs[0].runs[0].font.size
    assert Pt(13) <= size <= Pt(14)


def test_heading_block_in_its_sizes():
    doc = _open(_doc())
    _, country = _one(doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert country.bold and Pt(12) <= country.font.size <= Pt(13)
    _, motto = _one(doc, "Độc lập - Tự do - Hạnh phúc")
    assert motto.bold and Pt(13) <= motto.font.size <= Pt(14) and not motto.underline
    _, parent = _one(doc, "UBND HUYỆN CHỢ MỚI")
    assert not parent.bold and Pt(12) <= parent.font.size <= Pt(13)
    _, issuer = _one(doc, "VĂN PHÒNG HĐND VÀ UBND HUYỆN CHỢ MỚI")
    assert issuer.bold and Pt(12) <= issuer.font.size <= Pt(13)
    number, run = _one(doc, "Số:" + document.BLANK + "/BC-VP")
    assert run.font.size == Pt(13) and number.alignment == 1
    _, place = _one(doc, "Chợ Mới, ngày" + document.BLANK + "tháng 12 năm 2023")
    assert place.italic and Pt(13) <= place.font.size <= Pt(14)
    # the number and the place-and-date share a row of the heading table
    head = doc.tables[0]
    assert head.rows[1].cells[0].text.startswith("Số:") and head.rows[1].cells[1].text.startswith("Chợ Mới, ngày")
    # rules: the issuing body's short line and the line under the motto (paragraph borders)
    assert head.rows[0].cells[0]._element.xml.count("<w:bottom ") == 1
    assert head.rows[0].cells[1]._element.xml.count("<w:bottom ") == 1
    _, kind = _one(doc, "BÁO CÁO")
    assert kind.bold and Pt(13) <= kind.font.size <= Pt(14)


def test_body_signature_and_recipients():
    doc = _open(_doc())
    para, run = _one(doc, "Thực hiện Công văn số 124/UBND-TH.")
    assert para.alignment == 3  # justified
    assert abs(para.paragraph_format.first_line_indent - Cm(1.27)) < Cm(0.01)
    assert para.paragraph_format.space_after == Pt(6)
    assert run.font.name == "Times New Roman" and Pt(13) <= run.font.size <= Pt(14)
    assert run.font.color.rgb == (0, 0, 0)
    _, heading = _one(doc, "2. Kết quả:")
    assert heading.bold
    _, label = _one(doc, "Nơi nhận:")
    assert label.bold and label.italic and label.font.size == Pt(12)
    _, line = _one(doc, "- TT. UBND huyện;")
    assert line.font.size == Pt(11)
    _, last = _one(doc, "- Lưu: VT.")
    assert last.font.size == Pt(11)
    _, title = _one(doc, "CHÁNH VĂN PHÒNG")
    assert title.bold
    _, name = _one(doc, "Lê Thanh Hải")
    assert name.bold and Pt(13) <= name.font.size <= Pt(14)


def test_appendix_is_a_landscape_section_referring_to_the_document():
    doc = _open(_doc())
    assert len(doc.sections) == 2
    annex = doc.sections[1]
    assert annex.page_width > annex.page_height and annex.orientation == 1
    assert annex.header.is_linked_to_previous  # the page numbers go on
    _, label = _one(doc, "Phụ lục")
    assert label.bold
    assert _runs_with(doc, "(Kèm theo Báo cáo số      /BC-VP ngày      tháng 12 năm 2023)")
    table = doc.tables[2]
    assert [c.text for c in table.rows[0].cells] == ["STT", "Đơn vị", "Điểm"]
    assert table.rows[1].cells[2].paragraphs[0].runs[0].bold  # the district total
    assert table.rows[2].cells[2].paragraphs[0].alignment == 2  # numbers right-aligned
    assert len(doc.inline_shapes) == 1


def test_cong_van_has_its_summary_under_the_number_and_addressees():
    doc = _open(_doc(kind="cong-van", doc_type="", title="", subject="V/v nâng cao điểm số",
                     addressees=["Các cơ quan chuyên môn thuộc UBND huyện;", "Ủy ban nhân dân các xã, thị trấn."],
                     signer=Signer("TM. Ủy ban nhân dân", "Chủ tịch", "Đoàn Thanh Bình")))
    head = doc.tables[0]
    assert "V/v nâng cao điểm số" in head.rows[1].cells[0].text
    assert _runs_with(doc, "Kính gửi:") and _runs_with(doc, "- Ủy ban nhân dân các xã, thị trấn.")
    assert not _runs_with(doc, "BÁO CÁO")
    _, authority = _one(doc, "TM. ỦY BAN NHÂN DÂN")
    assert authority.bold
    assert _runs_with(doc, "CHỦ TỊCH")


def test_html_has_the_same_parts_escaped():
    html = document.to_html(_doc(body=[Block("<b>không phải thẻ</b>")]))
    assert "&lt;b&gt;không phải thẻ&lt;/b&gt;" in html
    for part in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "/BC-VP", "BÁO CÁO",
                 "Nơi nhận:", "Lê Thanh Hải", "Phụ lục", "data:image/png;base64,"]:
        assert part in html
    assert 'class="appendix"' in html and 'class="total-row"' in html


# -- the W49 documents ---------------------------------------------------------------------------------

@pytest.fixture
def stored(scratch):
    ingest.ingest_paths(list(SEEDS.values()))


def _compose(slug, with_figures=False):
    return compose.compose(district_week.load(slug, W49), with_figures=with_figures)


def test_cho_moi_w49_can_be_signed(stored):
    d = _compose("cho-moi")
    text = document.to_text(d)
    flat = " ".join(text.split())
    assert d.number == "Số:" + document.BLANK + "/BC-VP" and d.place_date.endswith("tháng 12 năm 2023")
    assert "Thực hiện Công văn số 124/UBND-TH ngày 13/02/2023" in flat
    assert "Tổng số điểm huyện đạt: 57.45/100 điểm, xếp hạng 7/11" in flat
    # the đề nghị section: who does what, from the findings
    assert "Văn phòng HĐND và UBND huyện Chợ Mới đề nghị:" in flat
    assert "+ Xã Kiến An xếp loại “Yếu” 2 tuần liên tiếp, đề nghị" in flat
    assert "phối hợp với Phòng Văn hóa – Thông tin" in flat
    assert "+ Xã Mỹ Hội Đông giảm 5.78 điểm so với tuần trước, đề nghị" in flat
    assert "* Thanh toán trực tuyến: Các xã Hòa Bình, Long Giang, Mỹ Hiệp, Kiến An và Long Điền B" in flat
    assert "+ Văn phòng Đăng ký đất đai – Chi nhánh Chợ Mới" in flat
    assert "- Phòng Tư pháp theo dõi" in flat
    # new findings
    assert "Xã Kiến An xếp loại “Yếu” 2 tuần liên tiếp (từ tuần 4 tháng 11/2023)" in flat
    assert "Xã Kiến An (49.18 điểm) chỉ còn thiếu 0.82 điểm để lên xếp loại “Trung bình”" in flat
    assert "Xã Mỹ Hội Đông giảm 5 bậc trong huyện, từ hạng 12 xuống hạng 17" in flat
    assert "Tiến độ giải quyết: tỷ lệ của toàn huyện (94.26%) thấp hơn tất cả các xã, thị trấn" in flat
    assert "Chưa có đơn vị nào đạt 80 điểm" in flat and "thị trấn Chợ Mới với 65.79 điểm" in flat
    # comparisons: no rank across periods, no second score
    assert "đứng thứ" not in flat and "58.52" not in flat and "3/3" not in flat
    assert "huyện Phú Tân 59.28 điểm (tuần 2 tháng 10/2023)" in flat
    # nothing of the workbench
    assert not re.search(r"[0-9a-f]{16}|notebook|\.txt|cảnh báo", flat)
    assert d.recipients[-1] == "Lưu: VT." and d.signer.name == "Lê Thanh Hải"
    table = d.appendix.table
    total = table.rows[0]
    assert total[1] == "Toàn huyện" and total[2] == "57.45" and total[-2:] == ["1746", "2834"]
    assert "notebook" not in d.appendix.note and ".txt" not in d.appendix.note


def test_thap_muoi_is_a_cong_van_that_says_its_period(stored):
    d = _compose("thap-muoi")
    assert d.kind == "cong-van" and d.subject.startswith("V/v khẩn trương") and not d.doc_type
    assert d.addressees == ["Các cơ quan chuyên môn thuộc UBND huyện;", "Ủy ban nhân dân các xã, thị trấn."]
    assert d.signer == Signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Đoàn Thanh Bình")
    assert "chưa nhận số liệu tuần 1 tháng 12/2023" in d.period_note and "tháng 9/2023" in d.period_note
    flat = " ".join(document.to_text(d).split())
    assert "Ủy ban nhân dân huyện chỉ đạo:" in flat
    # 4 weeks from 04/12/2023 to 31/12/2023: 11.03 / 4 and 6.63 / 4 points a week
    assert "Xã Trường Xuân (68,97 điểm) cần tăng bình quân 2,76 điểm mỗi tuần trong 4 tuần" in flat
    assert "Riêng Ủy ban nhân dân xã Phú Điền khẩn trương" in flat and "1,66 điểm mỗi tuần" in flat
    assert "huyện Chợ Mới 57,45 điểm (tuần 1 tháng 12/2023)" in flat  # in Tháp Mười's own number style


def test_docx_of_the_w49_report_opens_with_its_parts(stored, tmp_path):
    d = _compose("cho-moi", with_figures=True)
    path = document.write_docx(d, tmp_path / "report.docx")
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts and any(t.startswith("6. Văn phòng HĐND và UBND huyện Chợ Mới đề nghị") for t in texts)
    assert doc.sections[-1].orientation == 1
    assert len(doc.inline_shapes) == len(d.appendix.figures) >= 4
    appendix = doc.tables[2]
    assert len(appendix.rows) == 1 + 19  # header, district total, 18 communes


def test_same_period_districts_are_ranked_different_periods_are_not():
    p = periods.parse_as_of("2023-12-04")
    q = periods.parse_as_of("2023-10-09")
    same = [district_week.Standing("a", "A", p, 57.45, 18, 49.18, 65.79), district_week.Standing("b", "B", p, 59.28, 18, 56.6, 63.2)]
    assert district_week.comparable(same)
    assert not district_week.comparable([same[0], district_week.Standing("b", "B", q, 59.28, 18, 56.6, 63.2)])
    assert not district_week.comparable([same[0], district_week.Standing("c", "C", p, None, 13, 66.98, 73.53)])
    assert not district_week.comparable(same[:1])


def test_counts_never_take_a_mark_that_reads_as_a_decimal():
    assert vi_format.count(1746, params.district("cho-moi").thousands) == "1746"
    assert vi_format.count(1746, params.district("thap-muoi").thousands) == "1.746"


def _params_copy(tmp_path, monkeypatch, edit) -> None:
    import shutil

    copy = tmp_path / "params"
    shutil.copytree(params.params_dir(), copy)
    edit(copy)
    monkeypatch.setenv("CHISO_PARAMS", str(copy))


def test_a_district_without_its_own_document_gets_the_default(tmp_path, monkeypatch):
    import yaml

    def drop_cho_moi(copy):
        path = copy / "documents.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        del data["documents"]["cho-moi"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    _params_copy(tmp_path, monkeypatch, drop_cho_moi)
    settings = params.document_settings("cho-moi")
    assert settings["kind"] == "bao-cao" and settings["place"] == "Chợ Mới"  # the district's name
    assert settings["recipients"][-1] == "Lưu: VT." and settings["signer"]["name"] == ""


def test_a_thousands_mark_that_reads_as_a_decimal_is_refused(tmp_path, monkeypatch):
    def dot_thousands(copy):
        path = copy / "districts.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('{decimal: ".", thousands: ""}', '{decimal: ".", thousands: "."}', 1),
                        encoding="utf-8")

    _params_copy(tmp_path, monkeypatch, dot_thousands)
    with pytest.raises(params.ParamsError, match="đọc như dấu thập phân"):
        params.districts()


def _docx_parts(blob: bytes) -> dict[str, bytes]:
    """A .docx file's parts by name."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_the_word_file_is_the_document_04_shows_built_once(stored, tmp_path, monkeypatch):
    """04_narrative composes the document once; the Word file, the data-quality page and the index line
    come from that one object through the executed notebook's outputs (helpers.annex)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from helpers import annex, report

    built_count = []
    real = compose.compose
    monkeypatch.setattr(compose, "compose", lambda *a, **k: built_count.append(1) or real(*a, **k))
    week = district_week.load("cho-moi", W49)
    built = report.build_report(week)
    nb = new_notebook()
    nb.cells = [new_code_cell("annex.show(built, week)", execution_count=1,
                              outputs=[new_output("display_data", data=b) for b in annex.outputs(built, week)])]
    nbformat.write(nb, tmp_path / "04_narrative.ipynb")
    written = annex.write_files(tmp_path / "04_narrative.ipynb", tmp_path)
    assert len(built_count) == 1
    assert sorted(p.name for p in written) == sorted(annex.FILES)
    # the same parts as the built document (the zip's entry times are those of each save)
    assert _docx_parts((tmp_path / "report.docx").read_bytes()) == _docx_parts(document.to_docx_bytes(built.document))
    doc = Document(str(tmp_path / "report.docx"))
    assert "BÁO CÁO" in [p.text for p in doc.paragraphs]
    line = annex.read_index_line(tmp_path)
    assert line["score"] == 57.45 and line["score_kind"] == "total" and line["docx"] == "cho-moi/report.docx"
