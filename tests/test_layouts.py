"""The layout corpus (tests/layouts/corpus.py): every layout read with every cell exact, and no format
losing a printed value silently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import validate
from helpers.errors import InputError
from helpers.parsers import documents, parse_document
from helpers.parsers.grid import GridRow
from tests.layouts import corpus
from tests.test_parsers_formats import SEED_CHO_MOI, SEED_PHU_TAN, _template_xlsx, write

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="pdftotext missing: install Debian's poppler-utils (.ci/run does)")


@pytest.fixture(scope="session")
def layouts(tmp_path_factory) -> list[tuple[corpus.Layout, Path]]:
    """The corpus, built once into a scratch folder."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext missing: install Debian's poppler-utils (.ci/run does)")
    pytest.importorskip("weasyprint")
    return corpus.build(tmp_path_factory.mktemp("layouts"))


def test_every_layout_is_read_cell_for_cell(layouts):
    results = [corpus.measure_one(layout, path) for layout, path in layouts]
    shown = corpus.table(results)
    print("\n" + shown)
    problems = [f"{r.layout.name}: {p}" for r in results for p in r.problems[:5]]
    assert all(r.exact == r.cells for r in results), shown + "\n" + "\n".join(problems)
    # the corpus covers what it says: the three reports, every kind of file
    assert {r.layout.district for r in results} == {"cho-moi", "phu-tan", "thap-muoi"}
    assert {p.suffix for _, p in layouts} == {".docx", ".pdf", ".txt", ".csv", ".xlsx"}
    assert sum(r.cells for r in results) > 4000


def test_corpus_is_reproducible(layouts, tmp_path):
    """Built twice, the text files are the same byte for byte (the truth is known by construction)."""
    again = {layout.name: path for layout, path in corpus.build(tmp_path)}
    for layout, path in layouts:
        if path.suffix in (".txt", ".csv"):
            assert again[layout.name].read_bytes() == path.read_bytes(), layout.name


def test_truth_tables_agree_with_the_seeds():
    """The truth tables hold what the reference reports print (checked against the facts of the seeds)."""
    cm = {r.unit: r.values for r in corpus.truth("cho-moi")}
    assert cm["huyện Chợ Mới"]["score"] == 57.45 and cm["huyện Chợ Mới"]["e_cert"] == 1746
    assert cm["xã Mỹ Hội Đông"]["prev_score"] == 56.88 and cm["xã Mỹ Hội Đông"]["delta"] == -5.78
    assert sum(v["e_cert_cum"] for u, v in cm.items() if not u.startswith("huyện")) == 2834
    pt = {r.unit: r.values for r in corpus.truth("phu-tan")}
    assert pt["huyện Phú Tân"]["score"] == 59.28 and len(pt) == 19
    tm = {r.unit: r.values for r in corpus.truth("thap-muoi")}
    assert tm["xã Mỹ An"]["score"] == 73.53 and tm["thị trấn Mỹ An"]["score"] == 70.41 and len(tm) == 14


# -- a district's own score stated in a letter -----------------------------------------------------

def test_district_score_in_the_body_is_the_total_row(tmp_path):
    path = tmp_path / "tm.txt"
    corpus.tm_text(path, "dat")
    parsed = validate.parse_file(path, district="thap-muoi")
    total = parsed.records[parsed.records["unit_type"] == "huyện"]
    assert (total["score"].tolist(), total["band"].tolist()) == ([71.02], ["Khá"])
    assert int(total["source_line"].iloc[0]) == path.read_text(encoding="utf-8").split("\n").index(
        next(x for x in path.read_text(encoding="utf-8").split("\n") if "huyện đạt 71,02" in x)) + 1


def test_a_target_is_no_district_score(tmp_path):
    text = ("ỦY BAN NHÂN DÂN HUYỆN THÁP MƯỜI\nTháp Mười, ngày   tháng 9 năm 2023\n"
            "Các xã của huyện phải đạt 80 điểm trở lên; huyện Tháp Mười phấn đấu đạt 80 điểm.\n"
            "Xã Thạnh Lợi 70,19 điểm; xã Hưng Thạnh 69,45 điểm.\n")
    rep = parse_document(write(tmp_path, "tm.txt", text))
    assert not any(r.is_total for r in rep.rows) and len(rep.rows) == 2


def test_district_score_differing_from_the_total_row_is_a_warning(tmp_path):
    text = SEED_PHU_TAN.read_text(encoding="utf-8").replace("huyện đạt: 59.28/100 điểm", "huyện đạt: 59.82/100 điểm")
    rep = parse_document(write(tmp_path, "pt.md", text))
    total = next(r for r in rep.rows if r.is_total)
    assert total.values["score"] == 59.28
    assert len(total.suspect) == 1 and "59.82" in total.suspect[0][1] and "59.28" in total.suspect[0][1]


# -- no printed value is dropped silently, in any format ---------------------------------------------

def _pdf_variant(folder: Path, monkeypatch) -> Path:
    """The Phú Tân PDF with the change column headed "TỶ LỆ KHÁC" (a header the workbench does not know)."""
    header = [*corpus.PT_HEADER[:5], (None, "TỶ LỆ KHÁC")]
    monkeypatch.setattr(corpus, "PT_HEADER", header)
    path = folder / "pt.pdf"
    corpus.pdf_table(path, "phu-tan")
    return path


def _unknown_column(fmt: str, folder: Path, monkeypatch) -> Path:
    if fmt == "pdf":
        return _pdf_variant(folder, monkeypatch)
    if fmt in ("pdftotext-layout", "pdftotext-raw"):
        out = folder / f"pt-{fmt}.txt"
        corpus.pdftotext(_pdf_variant(folder, monkeypatch), out, fmt.split("-")[1])
        return out
    if fmt == "docx":
        monkeypatch.setattr(corpus, "CM_HEADER", [*corpus.CM_HEADER[:12], (None, "TỶ LỆ KHÁC")])
        path = folder / "cm.docx"
        corpus.docx_table(path, "cho-moi")
        return path
    if fmt == "csv":
        monkeypatch.setattr(corpus, "CM_HEADER", [*corpus.CM_HEADER[:12], (None, "TỶ LỆ KHÁC")])
        path = folder / "cm.csv"
        corpus.csv_vi(path, "cho-moi")
        return path
    if fmt == "xlsx":
        def edit(ws, header):
            ws.cell(row=header, column=13, value="TỶ LỆ KHÁC")
        return _template_xlsx(folder, edit=edit)[0]
    if fmt == "markdown":
        lines = SEED_PHU_TAN.read_text(encoding="utf-8").split("\n")
        lines = [x.replace("TĂNG/GIẢM SO VỚI TUẦN TRƯỚC", "TỶ LỆ KHÁC") for x in lines]
        return write(folder, "pt.md", "\n".join(lines))
    if fmt == "text-table":
        text = SEED_CHO_MOI.read_text(encoding="utf-8").replace("CHỨNG \n\nTHỰC \n\nĐIỆN TỬ  \n\n(Lũy kế)", "TỶ LỆ \n\nKHÁC")
        return write(folder, "cm.txt", text)
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", [
    "text-table", "markdown", "csv", "xlsx", "docx", "pdf",
    pytest.param("pdftotext-layout", marks=needs_poppler), pytest.param("pdftotext-raw", marks=needs_poppler)])
def test_a_column_of_numbers_with_an_unknown_header_is_refused(fmt, tmp_path, monkeypatch):
    if fmt.startswith("pdf"):
        pytest.importorskip("weasyprint")
    path = _unknown_column(fmt, tmp_path, monkeypatch)
    with pytest.raises(InputError) as info:
        parse_document(path)
    err = info.value
    assert err.line is not None, str(err)
    assert "TỶ LỆ KHÁC" in err.message and "không được nhận ra" in err.message, str(err)


def test_a_rank_column_is_left_out_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "PT_HEADER", [*corpus.PT_HEADER[:5], (None, "XẾP HẠNG")])
    path = tmp_path / "pt.docx"
    corpus.docx_table(path, "phu-tan")
    parsed = validate.parse_file(path, district="phu-tan")
    assert parsed.report.columns == ["reported_rank", "score", "prev_score"]
    warned = parsed.findings[parsed.findings["rule"] == "suspect_value"]
    expected = "cột “XẾP HẠNG” của bảng có số liệu nhưng không được lưu (cột này không thuộc bảng mẫu)"
    assert warned["message"].tolist() == [expected]


def test_rows_after_a_header_that_cannot_be_read_are_refused(layouts, tmp_path):
    """pdftotext -raw: the header printed again on the next page with a word the workbench cannot read;
    the rows after it are refused, not left out."""
    raw = {layout.name: path for layout, path in layouts}["cho-moi/pdftotext-raw"]
    lines = raw.read_text(encoding="utf-8").split("\n")
    again = [n for n, x in enumerate(lines) if x == "ĐƠN"][1]  # the second header
    lines[again:again + 2] = ["TÊN", "GỌI"]
    with pytest.raises(InputError) as info:
        parse_document(write(tmp_path, "raw.txt", "\n".join(lines)))
    assert info.value.line is not None and info.value.line > again
    assert "nằm sau chỗ bảng bị ngắt" in info.value.message


def test_stream_header_with_two_groups():
    from helpers.parsers.columns import stream_columns

    header = ("STT ĐƠN VỊ ĐIỂM TỔNG HỢP XẾP LOẠI DỊCH VỤ TRỰC TUYẾN SỐ HÓA CHỨNG THỰC ĐIỆN TỬ\n"
              "DVCTT THANH TOÁN TRỰC TUYẾN Trong tuần Lũy kế")
    assert stream_columns(header)[0] == ["score", "band", "online_pct", "payment_pct", "digitization_pct", "e_cert",
                                         "e_cert_cum"]


def test_xlsx_unknown_column_names_its_cell(tmp_path):
    def edit(ws, header):
        ws.cell(row=header, column=13, value="Tỷ lệ khác")
    path, header = _template_xlsx(tmp_path, edit=edit)
    with pytest.raises(InputError) as info:
        parse_document(path)
    assert f"ở ô M{header + 1}" in info.value.message and "“Tỷ lệ khác”" in info.value.message


def test_pdf_value_printed_outside_the_cells_is_refused():
    rows = [GridRow(7, ["1", "PHÚ LÂM", "63.15", "TRUNG BÌNH"], outside="6308")]
    with pytest.raises(InputError) as info:
        documents._check_rows_complete(rows, "x.pdf")
    assert info.value.line == 7 and "PHÚ LÂM" in info.value.message and "“6308”" in info.value.message


def test_pdf_digits_outside_the_cells_are_found(tmp_path):
    """A value written over the right border of its table (a column the table reader cannot see)."""
    pytest.importorskip("weasyprint")
    body = ("<p>UBND HUYỆN PHÚ TÂN</p><p>(Ngày 09/10/2023 - Tuần 2)</p>"
            "<table class='r' style='table-layout:fixed;width:240pt'>"
            "<tr><th>STT</th><th>ĐƠN VỊ</th><th>ĐIỂM TỔNG HỢP</th></tr>"
            "<tr><td>1</td><td>PHÚ LÂM</td><td>63.15<span style='position:relative;left:90pt'>63.08</span></td></tr>"
            "</table>")
    import weasyprint
    path = tmp_path / "out.pdf"
    weasyprint.HTML(string="<html><head><meta charset='utf-8'><style>body{font-family:'DejaVu Sans'}"
                           "table.r td,table.r th{border:1px solid #000;padding:3pt}table.r{border-collapse:collapse}"
                           "</style></head><body>" + body + "</body></html>").write_pdf(path)
    _, tables = documents.pdf_content(path.read_bytes(), path.name)
    assert [r.outside for r in tables[0]] == ["", "6308"]
    with pytest.raises(InputError) as info:
        parse_document(path)
    assert "“6308”" in info.value.message and "PHÚ LÂM" in info.value.message


def test_prose_list_item_that_cannot_be_read_is_refused(tmp_path):
    path = tmp_path / "tm.txt"
    corpus.tm_text(path, "colon")
    text = path.read_text(encoding="utf-8").replace("xã Hưng Thạnh: 69,45 điểm", "xã Hưng Thạnh: khoảng 69,45 điểm")
    with pytest.raises(InputError) as info:
        parse_document(write(tmp_path, "tm2.txt", text))
    assert "Hưng Thạnh" in info.value.message and info.value.line is not None


# -- the spreadsheet total row names its cell; an old Word file is named ----------------------------

def test_total_row_refusal_names_its_cell(tmp_path):
    # the district's cumulative e-certifications (5300) are not the sum of its units' (2121)
    path, header = _template_xlsx(tmp_path)
    with pytest.raises(InputError) as info:
        validate.parse_file(path, district="cho-moi")
    assert info.value.line == header + 1
    assert info.value.message == (f"dòng toàn huyện, ô M{header + 1}, cột “Chứng thực điện tử (lũy kế)” ghi 5300 nhưng "
                                  "tổng các đơn vị là 2121")


@pytest.mark.parametrize("name, message", [
    ("bao_cao.docx", "đây là tệp .doc cũ: hãy lưu lại dạng .docx"),
    ("bao_cao.doc", "đây là tệp .doc cũ: hãy lưu lại dạng .docx"),
    ("bao_cao.xlsx", "đây là tệp .xls cũ (Excel 97-2003): hãy lưu lại dạng .xlsx"),
])
def test_office_97_file_is_named(tmp_path, name, message):
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Microsoft Word-Dokument")
    with pytest.raises(InputError) as info:
        parse_document(path)
    assert info.value.message == message



# -- files made by LibreOffice: read, or refused with their line --------------------------------------

@needs_poppler
@pytest.mark.parametrize("pdf, mode, district, expected", [
    # a row broken over the page break: "TRUNG" at the foot of page 1, "BÌNH" at the top of page 2
    ("cho-moi-landscape-libreoffice.pdf", "layout", "cho-moi", "không biết cột nào là cột nào"),
    ("cho-moi-landscape-libreoffice.pdf", "raw", "cho-moi", "xếp loại “TRUNG” không thuộc"),
    # the footnote of page 1 printed between two rows, its note number where an STT would be
    ("phu-tan-table-libreoffice.pdf", "raw", "phu-tan", "sau STT 1 không thấy số liệu"),
])
def test_text_of_a_row_broken_over_a_page_is_refused_with_its_line(pdf, mode, district, expected, tmp_path):
    out = tmp_path / f"{district}-{mode}.txt"
    corpus.pdftotext(corpus.FIXTURES / pdf, out, mode)
    with pytest.raises(InputError) as info:
        validate.parse_file(out, district=district)
    assert info.value.source == out.name and info.value.line is not None, str(info.value)
    assert expected in info.value.message, str(info.value)


@needs_poppler
def test_layout_rows_after_the_end_of_the_table_are_refused(tmp_path):
    """pdftotext -layout of LibreOffice's PDF with a paragraph too long for a page's foot between the two pages
    of rows: the table ends there, and the rows after it are refused, not left out."""
    out = tmp_path / "pt.txt"
    corpus.pdftotext(corpus.FIXTURES / "phu-tan-table-libreoffice.pdf", out, "layout")
    lines = out.read_text(encoding="utf-8").split("\n")
    foot = next(n for n, x in enumerate(lines) if x.startswith("1 Số liệu cập nhật"))
    lines[foot:foot + 1] = [f"Ghi chú dòng {k}: số liệu lấy từ Cổng dịch vụ công." for k in range(1, 9)]
    with pytest.raises(InputError) as info:
        parse_document(write(tmp_path, "pt2.txt", "\n".join(lines)))
    assert "nằm sau chỗ bảng kết thúc" in info.value.message
    assert lines[info.value.line - 1].lstrip("\f").split()[:2] == ["5", "Phú"]


@pytest.mark.parametrize("printed", ["TT. Chợ Mới", "TT Chợ Mới", "T.T Chợ Mới", "T.T. Chợ Mới", "TT.Chợ Mới",
                                     "tt Chợ Mới", "Thị trấn Chợ Mới", "THỊ TRẤN CHỢ MỚI"])
def test_a_town_written_every_way_a_clerk_writes_it(printed, tmp_path):
    path = tmp_path / "cm.csv"
    corpus.csv_vi(path, "cho-moi")
    text = path.read_text(encoding="utf-8-sig").replace("TT. Chợ Mới", printed)
    parsed = validate.parse_file(write(tmp_path, "cm2.csv", text), district="cho-moi")
    records = parsed.records[~parsed.records["derived"].astype(bool)]
    town = records[(records["unit"] == "Chợ Mới") & (records["unit_type"] != "huyện")]
    assert (town["unit_type"].tolist(), town["score"].tolist()) == (["thị trấn"], [65.79])


@needs_poppler
def test_a_two_level_table_printed_without_rules_is_refused_with_its_line(tmp_path):
    """Chợ Mới's table (a group label over sub-labels that name nothing alone) printed without rules: refused
    with its line, from the PDF and from its pdftotext -layout text, nothing read in part."""
    pytest.importorskip("weasyprint")
    pdf = tmp_path / "cm.pdf"
    corpus.pdf_table(pdf, "cho-moi", corpus.UNRULED_CSS)
    text = tmp_path / "cm.txt"
    corpus.pdftotext(pdf, text, "layout")
    for path in (pdf, text):
        with pytest.raises(InputError) as info:
            validate.parse_file(path, district="cho-moi")
        assert info.value.source == path.name and info.value.line is not None, str(info.value)
