"""Display helpers (helpers.tables): Vietnamese headers, band colours, two decimals, "—", escaping."""

import re
from datetime import date

import pandas as pd

from helpers import records
from helpers.periods import parse_week_arg, week
from helpers.rank import compare_districts, rank_units
from helpers.score import score_district, score_records
from helpers.tables import band_css, style_compared, style_ranked, style_scored
from helpers.vi_format import band_palette, text_color

W49 = parse_week_arg("2023-W49")


def rec(code, district, unit, unit_type, unit_code, as_of, score, **kw):
    kind = "month" if len(as_of) == 7 else "week"
    row = {"district": district, "unit": unit, "unit_type": unit_type, "unit_code": unit_code, "as_of": as_of,
           "week": week(date.fromisoformat(as_of)).iso_week if kind == "week" else "", "score": score,
           "district_code": code, "period_kind": kind, "derived": False}
    row.update(kw)
    return row


def cho_moi_frame():
    return records.coerce(pd.DataFrame([
        rec("893", "Chợ Mới", "Chợ Mới", "huyện", "893", "2023-12-04", 57.45, prev_score=57.16, delta=0.29),
        rec("893", "Chợ Mới", "Chợ Mới", "thị trấn", "30628", "2023-12-04", 65.79, prev_score=65.41,
            delta=0.38, transparency_pct=72.6, payment_pct=28.19),
        rec("893", "Chợ Mới", "Mỹ Hội Đông", "xã", "30637", "2023-12-04", 51.1, prev_score=56.88, delta=-5.78,
            transparency_pct=82.9, payment_pct=17.75),
        rec("893", "Chợ Mới", "Kiến An", "xã", "30634", "2023-12-04", 49.18, prev_score=49.03, delta=0.15,
            transparency_pct=19.3, payment_pct=None),
    ]))


def cells(html: str, row: int) -> list[str]:
    return re.findall(rf'<td id="T_\w+_row{row}_col\d+" class="data row{row} col\d+" >(.*?)</td>', html)


def test_band_palette_from_params():
    assert band_palette() == {"Xuất sắc": "#1a7f4b", "Tốt": "#66bd63", "Khá": "#fdd835",
                              "Trung bình": "#fb8c00", "Yếu": "#d73027"}
    assert list(band_palette()) == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]


def test_text_colour_is_readable():
    assert text_color("#d73027") == "#ffffff"
    assert text_color("#1a7f4b") == "#ffffff"
    assert text_color("#fdd835") == "#000000"
    assert text_color("#fb8c00") == "#000000"
    assert band_css("Yếu") == "background-color: #d73027; color: #ffffff;"
    assert band_css(pd.NA) == "" and band_css("không rõ") == ""


def test_style_scored():
    scored = score_district(cho_moi_frame(), "cho-moi", W49)
    html = style_scored(scored, caption="Điểm <tuần 1>").to_html()
    headers = re.findall(r'class="col_heading level0 col\d+" >(.*?)</th>', html)
    assert headers == ["Đơn vị", "Điểm", "Xếp loại", "Điểm kỳ trước", "Tăng/giảm", "Cách hạng trên (điểm)",
                       "Cách mốc 80 điểm (tiêu chí 15.3)", "Công khai, minh bạch (%)",
                       "Thanh toán trực tuyến (%)", "Ghi chú"]
    assert "<caption>Điểm &lt;tuần 1&gt;</caption>" in html
    assert cells(html, 0)[:3] == ["huyện Chợ Mới", "57.45", "Trung bình"]
    assert cells(html, 2) == ["xã Mỹ Hội Đông", "51.10", "Trung bình", "56.88", "−5.78", "18.90", "28.90",
                              "82.90", "17.75", "giảm mạnh so với kỳ trước"]
    assert cells(html, 3) == ["xã Kiến An", "49.18", "Yếu", "49.03", "+0.15", "0.82", "30.82", "19.30", "—",
                              "—"]
    # the band cell of Kiến An (row 3, column 2) is red with white text
    rule = re.search(r"#T_\w+_row3_col2 \{\s*background-color: (#\w+);\s*color: (#\w+);", html)
    assert rule and rule.groups() == ("#d73027", "#ffffff")


def test_style_scored_month_letter_drops_empty_columns_and_notes_15_3():
    rows = [rec("872", "Tháp Mười", "Phú Điền", "xã", "30067", "2023-09", 73.37),
            rec("872", "Tháp Mười", "Mỹ Đông", "xã", "30058", "2023-09", 72.03)]
    html = style_scored(score_records(records.coerce(pd.DataFrame(rows)))).to_html()
    assert "Điểm kỳ trước" not in html and "Tăng/giảm" not in html
    assert cells(html, 0) == ["xã Phú Điền", "73,37", "Khá", "6,63", "6,63", "phải đạt tiêu chí 15.3 trước 31/12/2023"]
    assert cells(html, 1)[-1] == "—"


def test_text_is_escaped():
    rows = [rec("893", "Chợ Mới", "<b>Kiến An</b>", "xã", "30634", "2023-12-04", 49.18, band="<i>")]
    scored = score_records(records.coerce(pd.DataFrame(rows)))
    html = style_scored(scored).to_html()
    assert "<b>" not in html and "&lt;b&gt;Kiến An&lt;/b&gt;" in html
    assert "&lt;i&gt;" in html  # the printed band in the note
    ranked_html = style_ranked(rank_units(scored)).to_html()
    assert "<b>" not in ranked_html and "&lt;b&gt;" in ranked_html


def test_style_ranked():
    ranked = rank_units(score_district(cho_moi_frame(), "cho-moi", W49))
    html = style_ranked(ranked).to_html()
    headers = re.findall(r'class="col_heading level0 col\d+" >(.*?)</th>', html)
    assert headers == ["Hạng", "Đơn vị", "Điểm", "Xếp loại", "Hạng kỳ trước", "Thay đổi hạng", "Tăng/giảm điểm"]
    assert cells(html, 0) == ["1", "thị trấn Chợ Mới", "65.79", "Trung bình", "1", "0", "+0.38"]
    assert cells(html, 1) == ["2", "xã Mỹ Hội Đông", "51.10", "Trung bình", "2", "0", "−5.78"]
    assert cells(html, 2) == ["3", "xã Kiến An", "49.18", "Yếu", "3", "0", "+0.15"]
    assert "background-color: #fb8c00" in html and "background-color: #d73027" in html


def test_style_ranked_missing_values():
    rows = [rec("893", "Chợ Mới", "Kiến An", "xã", "30634", "2023-12-04", None, prev_score=49.03),
            rec("893", "Chợ Mới", "Mỹ An", "xã", "30655", "2023-12-04", 54.01)]
    html = style_ranked(rank_units(score_records(records.coerce(pd.DataFrame(rows))))).to_html()
    # movement and change are missing on every row: those columns are left out
    assert "Thay đổi hạng" not in html and "Tăng/giảm điểm" not in html
    assert cells(html, 0) == ["1", "xã Mỹ An", "54.01", "Trung bình", "—"]
    assert cells(html, 1) == ["—", "xã Kiến An", "—", "—", "1"]


def test_style_compared_shows_periods():
    tm = score_records(records.coerce(pd.DataFrame([
        rec("872", "Tháp Mười", "Mỹ An", "xã", "30064", "2023-09", 73.53)])))
    cm = score_district(cho_moi_frame(), "cho-moi", W49)
    html = style_compared(compare_districts({"cho-moi": cm, "thap-muoi": tm})).to_html()
    assert cells(html, 0) == ["1", "Tháp Mười", "xã Mỹ An", "73.53", "Khá", "tháng 9/2023", "100.00"]
    assert cells(html, 1)[-2:] == ["tuần 1 tháng 12/2023", "75.00"]


def test_every_table_says_where_each_row_was_read():
    tm = score_records(records.coerce(pd.DataFrame([
        rec("872", "Tháp Mười", "Mỹ An", "xã", "30064", "2023-09", 73.53, source="tm.txt", source_line=87)])))
    cm = score_district(records.coerce(pd.DataFrame([
        rec("893", "Chợ Mới", "Chợ Mới", "huyện", "893", "2023-12-04", 57.45, source="cm.txt", source_line=365),
        rec("893", "Chợ Mới", "Chợ Mới", "thị trấn", "30628", "2023-12-04", 65.79, source="cm.txt",
            source_line=371)])), "cho-moi", W49)
    scored_html = style_scored(cm).to_html()
    assert "Nguồn (tệp:dòng)" in scored_html and "cm.txt:371" in scored_html and "cm.txt:365" in scored_html
    # the source stands beside the unit, at the left: never off-screen on a wide table
    assert re.findall(r'class="col_heading level0 col\d+" >(.*?)</th>', scored_html)[:2] == \
        ["Đơn vị", "Nguồn (tệp:dòng)"]
    assert cells(style_ranked(rank_units(cm)).to_html(), 0)[:3] == ["1", "thị trấn Chợ Mới", "cm.txt:371"]
    compared = style_compared(compare_districts({"cho-moi": cm, "thap-muoi": tm})).to_html()
    assert cells(compared, 0)[2:4] == ["xã Mỹ An", "tm.txt:87"] and cells(compared, 1)[3] == "cm.txt:371"
    # a frame that does not say where its rows come from gets no such column
    assert "Nguồn" not in style_scored(score_district(cho_moi_frame(), "cho-moi", W49)).to_html()
