"""The tables notebooks 01 and 03 show the analyst: Vietnamese labels, every text in full, numbers with two
decimals, where each number was read."""

from __future__ import annotations

import re

from helpers import district_week, ingest, params, tables, views
from helpers.periods import parse_week_arg
from tests.conftest import SEEDS


def _rows(html: str) -> list[list[str]]:
    """The body cells of a Styler's HTML, row by row."""
    body = html.split("<tbody>")[1]
    return [re.findall(r"<td [^>]*>(.*?)</td>", row) for row in body.split("</tr>") if "<td" in row]


def _headers(html: str) -> list[str]:
    return re.findall(r'<th [^>]*class="col_heading[^"]*" >(.*?)</th>', html)


def test_01_tables_speak_vietnamese_and_cut_nothing(scratch):
    result = ingest.ingest_paths([SEEDS["phu-tan"], SEEDS["cho-moi"]])
    phu_tan = params.district("phu-tan")

    summary = views.ingest_summary(result).to_html()
    assert [r[:3] for r in _rows(summary)] == [[SEEDS["phu-tan"].name, "bảng markdown", "Phú Tân"],
                                               [SEEDS["cho-moi"].name, "bảng chữ (chép từ PDF)", "Chợ Mới"]]

    findings = views.findings_table(phu_tan).to_html()
    alias = next(r for r in _rows(findings) if "PHÚ HÙNG" in r[3])
    assert alias[:4] == [SEEDS["phu-tan"].name, "61", "tên viết khác",  # where, then the kind, in words
                         ("tên “PHÚ HÙNG” trong văn bản được hiểu là xã Phú Hưng (tên viết khác, khai báo trong danh "
                         "mục bí danh)")]  # in full: pandas' own display cut it at 50 characters
    assert _headers(findings)[:4] == ["tệp", "dòng", "loại", "nội dung"]
    assert ">warning<" not in findings and ">alias<" not in findings
    assert "cảnh báo về số liệu của huyện Phú Tân" in findings

    history = views.history_table(params.district("cho-moi")).to_html()
    assert _headers(history) == ["đơn vị", "tuần 4 tháng 11/2023 (suy ra)", "tuần 1 tháng 12/2023"]
    kien_an = next(r for r in _rows(history) if r[0] == "xã Kiến An")
    assert kien_an[1:] == ["49.03", "49.18"]  # line 510: 49.18 this week, 49.03 the week before

    parsed = views.parsed_table(result).to_html()
    assert _headers(parsed) == ["Đơn vị", "Nguồn (tệp:dòng)", "Kỳ số liệu", "Điểm", "Xếp loại (in)", "Điểm kỳ trước",
                                "Tăng/giảm (in)", "Công khai, minh bạch (%)", "Tiến độ giải quyết (%)",
                                "Dịch vụ công trực tuyến (%)", "Thanh toán trực tuyến (%)", "Số hóa hồ sơ (%)",
                                "Chứng thực điện tử", "Chứng thực điện tử (lũy kế)", "Hạng (in)", "Mã đơn vị"]
    kien_an = next(r for r in _rows(parsed) if r[0] == "xã Kiến An")
    assert kien_an[:7] == ["xã Kiến An", f"{SEEDS['cho-moi'].name}:510", "tuần 1 tháng 12/2023", "49.18", "Yếu",
                           "49.03", "+0.15"]
    assert "row_heading" not in parsed  # no index


def test_03_summary_rounds_and_signs(scratch):
    ingest.ingest_paths([SEEDS["cho-moi"]])
    html = views.summary_table(district_week.load("cho-moi", parse_week_arg("2023-W49"))).to_html()
    values = dict(_rows(html))
    assert values["điểm toàn huyện"] == "57.45" and values["tăng/giảm toàn huyện"] == "+0.29"
    assert re.fullmatch(r"\d+\.\d\d", values["điểm trung bình các đơn vị"])
    assert values["xếp hạng trong tỉnh"] == "7" and values["trên tổng số"] == "11"


def test_04_keeps_the_findings_behind_the_report_as_a_table(scratch):
    ingest.ingest_paths([SEEDS["cho-moi"], SEEDS["phu-tan"], SEEDS["thap-muoi"]])
    week = district_week.load("cho-moi", parse_week_arg("2023-W49"))
    rows = _rows(tables.style_findings(week.findings).to_html())
    assert rows and all(len(r) == 3 for r in rows)
    lowest = [r for r in rows if r[0] == f"loại {week.findings.lowest_band}"]
    assert [r[1] for r in lowest] == [u.unit.label for u in week.findings.lowest_band_units]
    # W49: Chợ Mới's week, Phú Tân's October week and Tháp Mười's September letter are three periods,
    # so the findings rank no district against another (the one rule: district_week.comparable).
    assert week.findings.comparison is None
    assert not any(r[0].startswith("so sánh giữa các huyện") for r in rows)


def test_findings_compare_districts_reported_for_the_same_period(scratch):
    ingest.ingest_paths([SEEDS["cho-moi"], SEEDS["phu-tan"]])
    week = district_week.load("cho-moi", parse_week_arg("2023-W49"))
    same = {slug: frame.assign(as_of="2023-12-04", week="2023-W49") for slug, frame in week.compared.items()}
    assert district_week.comparable(district_week.standings(same))
    assert not district_week.comparable(district_week.standings(week.compared))


def test_03_comparison_ranks_only_districts_of_one_period(scratch):
    """W49: Chợ Mới (tuần 1 tháng 12), Phú Tân (tuần 2 tháng 10) and Tháp Mười (tháng 9) are shown district
    by district with their periods, without a rank across them (the rule of the signed document)."""
    ingest.ingest_paths(list(SEEDS.values()))
    week = district_week.load("cho-moi", parse_week_arg("2023-W49"))
    assert not district_week.comparable(district_week.standings(week.compared))
    html = views.comparison_table(week).to_html()
    assert "Hạng chung" not in _headers(html) and "Bách phân vị" not in _headers(html)
    assert "không xếp hạng chung" in html
    rows = _rows(html)
    districts = [r[0] for r in rows]
    assert districts == sorted(districts, key=["Chợ Mới", "Phú Tân", "Tháp Mười"].index)  # side by side
    assert {r[5] for r in rows if r[0] == "Tháp Mười"} == {"tháng 9/2023"}
    assert {r[5] for r in rows if r[0] == "Chợ Mới"} == {"tuần 1 tháng 12/2023"}
    cho_moi = [float(r[3]) for r in rows if r[0] == "Chợ Mới"]
    assert cho_moi == sorted(cho_moi, reverse=True)


def test_03_comparison_of_one_period_ranks_all_units(scratch):
    """Two districts with their own score for the same week: ranked together."""
    ingest.ingest_paths([SEEDS["cho-moi"]])
    week = district_week.load("cho-moi", parse_week_arg("2023-W49"))
    same = {"cho-moi": week.scored, "phu-tan": week.scored.assign(district_code=params.district("phu-tan").code)}
    assert district_week.comparable(district_week.standings(same))
    html = tables.style_compared(district_week.rank.compare_districts(same), ranked=True).to_html()
    assert _headers(html)[0] == "Hạng chung"


def test_tables_write_numbers_in_the_districts_own_style(scratch):
    """Tháp Mười writes a decimal comma (params/districts.yaml): its tables too."""
    ingest.ingest_paths([SEEDS["thap-muoi"]])
    week = district_week.load("thap-muoi", parse_week_arg("2023-W49"))
    for html in (tables.style_scored(week.scored).to_html(), tables.style_ranked(week.ranked).to_html(),
                 views.summary_table(week).to_html(), views.history_table(week.district).to_html(),
                 tables.style_findings(week.findings, week.district.decimal).to_html()):
        numbers = re.findall(r">[+−]?\d+[.,]\d\d<", html)
        assert numbers and all("," in n for n in numbers), numbers[:5]
    assert "68,97" in tables.style_scored(week.scored).to_html()
