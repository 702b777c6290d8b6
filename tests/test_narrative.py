"""The narrative stage: findings from data, sentences from params/wording/.

Frames are built by hand with the columns helpers.score / helpers.rank produce, from the seed
documents' tables (Chợ Mới week 1 of December 2023, Phú Tân week 2 of October 2023, Tháp Mười
September 2023), plus small built cases.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import unicodedata
from datetime import date

import pandas as pd

from helpers import narrative, params, registry
from helpers.findings import build_findings, unit_label
from helpers.narrative import heading, render_html, render_text
from helpers.periods import month, week
from helpers.vi_format import join as join_vi
from helpers.vi_format import number as fmt_number
from helpers.vi_format import percent as fmt_pct
from helpers.vi_format import signed as fmt_signed

COMPONENTS = ["transparency_pct", "progress_pct", "online_pct", "payment_pct", "digitization_pct"]

CHO_MOI_PERIOD = week(date(2023, 12, 4))
PHU_TAN_PERIOD = week(date(2023, 10, 9))
THAP_MUOI_PERIOD = month(2023, 9)

# Seed 000, appendix table: unit, score, previous score, printed change, then the five components
# (transparency, progress, online, payment, digitisation), in the report's order.
CHO_MOI_ROWS = [
    ("Chợ Mới", 65.79, 65.41, 0.38, 72.6, 99.67, 20.1, 28.19, 33.3),
    ("Nhơn Mỹ", 64.55, 64.25, 0.30, 79.6, 99.35, 12.8, 26.05, 26.6),
    ("Bình Phước Xuân", 63.82, 63.47, 0.35, 78.7, 99.89, 11.1, 21.15, 25),
    ("Long Điền A", 63.28, 62.99, 0.29, 87.2, 99.56, 7, 10.08, 22.5),
    ("Tấn Mỹ", 62.35, 61.12, 1.23, 72, 99.9, 12.9, 14.95, 28),
    ("Long Điền B", 62.24, 61.9, 0.34, 73.2, 99.71, 13.2, 7.76, 28.8),
    ("Long Kiến", 61.86, 61.63, 0.23, 75.2, 99.98, 9.3, 11.01, 26.3),
    ("Mỹ Luông", 59.94, 59.72, 0.22, 61.7, 99.74, 10.6, 15.94, 25.6),
    ("Hòa An", 58.28, 57.80, 0.48, 65.6, 99.55, 4.6, 10.55, 21.6),
    ("Kiến Thành", 58.25, 58.02, 0.23, 54.4, 99.96, 9.4, 16.31, 23.6),
    ("An Thạnh Trung", 57.81, 57.02, 0.79, 58.6, 99.76, 5.5, 10.92, 23.5),
    ("Hòa Bình", 56.9, 56.66, 0.24, 60.1, 99.63, 3.6, 5.27, 21.6),
    ("Hội An", 56.84, 56.73, 0.11, 37.7, 98.06, 15.5, 22.59, 30.1),
    ("Long Giang", 55.8, 55.41, 0.39, 45.6, 99.51, 13.3, 6.45, 26.9),
    ("Mỹ An", 54.01, 53.98, 0.03, 38.4, 99.89, 5.40, 12.89, 21.5),
    ("Mỹ Hiệp", 51.39, 51.18, 0.21, 26.4, 99.88, 5.40, 7.42, 21.9),
    ("Mỹ Hội Đông", 51.1, 56.88, -5.78, 82.9, 99.82, 6.9, 17.75, 21.8),
    ("Kiến An", 49.18, 49.03, 0.15, 19.3, 99.84, 5.4, 7.56, 22.5),
]
CHO_MOI_TOTAL = ("Chợ Mới", 57.45, 57.16, 0.29, 59.8, 94.26, 7.7, 12.17, 25.4)

# Seed 001: scores only (no components).
PHU_TAN_ROWS = [
    ("Phú Lâm", 63.15, 63.08, 0.07), ("Phú An", 61.14, 61.03, 0.11), ("Hiệp Xương", 61.03, 60.91, 0.12),
    ("Phú Thạnh", 60.64, 60.56, 0.08), ("Phú Hưng", 59.25, 59.18, 0.07), ("Phú Thành", 59, 58.8, 0.2),
    ("Phú Mỹ", 58.79, 58.7, 0.09), ("Tân Hòa", 58.72, 58.51, 0.21), ("Chợ Vàm", 58.6, 58.5, 0.1),
    ("Tân Trung", 58.59, 58.55, 0.04), ("Phú Hiệp", 58.28, 57.83, 0.45), ("Long Hòa", 58.1, 58.01, 0.09),
    ("Phú Long", 58.09, 57.85, 0.24), ("Hòa Lạc", 57.96, 57.81, 0.15), ("Phú Thọ", 57.88, 57.82, 0.06),
    ("Phú Bình", 57.09, 56.84, 0.25), ("Bình Thạnh Đông", 56.75, 56.5, 0.25), ("Phú Xuân", 56.62, 56.61, 0.01),
]

# Seed 002 footnote: (type, name, score); a month-only period, no previous scores, no total.
THAP_MUOI_ROWS = [
    ("xã", "Thạnh Lợi", 70.19), ("xã", "Hưng Thạnh", 69.45), ("xã", "Trường Xuân", 68.97),
    ("xã", "Mỹ Hòa", 73.33), ("xã", "Mỹ Quý", 73.11), ("xã", "Mỹ Đông", 72.03), ("xã", "Láng Biển", 72.03),
    ("xã", "Tân Kiều", 71.44), ("xã", "Đốc Binh Kiều", 69.98), ("xã", "Mỹ An", 73.53),
    ("thị trấn", "Mỹ An", 70.41), ("xã", "Phú Điền", 73.37), ("xã", "Thanh Mỹ", 66.98),
]


# -- frame builders (the columns of helpers.score + helpers.rank) ----------------------------------

def _band(score):
    if score is None or pd.isna(score):
        return None
    return next(b.name for b in params.policy().bands if score >= b.min)


def ranked_frame(rows: list[dict], slug: str, period) -> pd.DataFrame:
    """A ranked frame from dicts with at least unit and score (unit_type, prev_score, delta and
    components optional). Unit types and codes come from the registry when the name is known."""
    dist = params.district(slug)
    out = []
    for r in rows:
        r = dict(r)
        try:
            unit = registry.match_unit(dist.code, r["unit"], unit_type=r.get("unit_type"), slug=slug).unit
            r.setdefault("unit_type", unit.type)
            r.setdefault("unit_code", unit.code)
        except registry.UnknownName:
            r.setdefault("unit_type", "xã")
            r.setdefault("unit_code", None)
        score, prev = r.get("score"), r.get("prev_score")
        r.setdefault("prev_score", None)
        r.setdefault("delta", None)
        r.update(
            district=dist.name, district_code=dist.code, province=dist.province, as_of=period.as_of,
            week=period.iso_week, period_kind=period.kind, band_computed=_band(score),
            delta_computed=None if score is None or prev is None else round(score - prev, 2),
        )
        for c in COMPONENTS:
            r.setdefault(c, None)
        out.append(r)
    df = pd.DataFrame(out)
    for c in ["score", "prev_score", "delta", "delta_computed"] + COMPONENTS:
        df[c] = df[c].astype("Float64")
    df["rank"] = df["score"].rank(method="min", ascending=False).astype("Int64")
    df["prev_rank"] = df["prev_score"].rank(method="min", ascending=False).astype("Int64")
    df["rank_change"] = df["prev_rank"] - df["rank"]
    return df.sort_values("rank", kind="stable").reset_index(drop=True)


def cho_moi_ranked() -> pd.DataFrame:
    rows = [dict(zip(["unit", "score", "prev_score", "delta"] + COMPONENTS, r)) for r in CHO_MOI_ROWS]
    return ranked_frame(rows, "cho-moi", CHO_MOI_PERIOD)


def cho_moi_total() -> pd.Series:
    t = dict(zip(["unit", "score", "prev_score", "delta"] + COMPONENTS, CHO_MOI_TOTAL))
    t.update(unit_type="huyện", unit_code="893", band_computed="Trung bình", delta_computed=0.29,
             province_rank=7, province_rank_of=11)
    return pd.Series(t)


def cho_moi_findings(**kw):
    return build_findings(cho_moi_ranked(), cho_moi_total(), params.district("cho-moi"), params.policy(), **kw)


def phu_tan_ranked() -> pd.DataFrame:
    rows = [{"unit": u, "score": s, "prev_score": p, "delta": d} for u, s, p, d in PHU_TAN_ROWS]
    return ranked_frame(rows, "phu-tan", PHU_TAN_PERIOD)


def phu_tan_total() -> dict:
    return {"unit": "Phú Tân", "unit_type": "huyện", "score": 59.28, "prev_score": 59.11, "delta": 0.17,
                "band_computed": "Trung bình", "province_rank": 2, "province_rank_of": 11}


def thap_muoi_ranked() -> pd.DataFrame:
    rows = [{"unit": n, "unit_type": t, "score": s} for t, n, s in THAP_MUOI_ROWS]
    return ranked_frame(rows, "thap-muoi", THAP_MUOI_PERIOD)


def built(units: list[tuple], slug="cho-moi", period=CHO_MOI_PERIOD, components=None) -> pd.DataFrame:
    """Small frames: (name, score, prev_score) tuples, optional per-unit component dicts."""
    rows = []
    for i, (name, score, prev) in enumerate(units):
        r = {"unit": name, "score": score, "prev_score": prev, "unit_type": "xã", "unit_code": f"9{i:04d}"}
        if components:
            r.update(components[i])
        rows.append(r)
    return ranked_frame(rows, slug, period)


def names(items) -> list[str]:
    return [x.unit.name for x in items]


def values(items) -> list[float]:
    return [round(x.value, 2) for x in items]


# -- numbers and names ---------------------------------------------------------------------------

def test_fmt_number_as_the_reports_write():
    assert fmt_number(57.45) == "57.45"
    assert fmt_number(51.1) == "51.10"
    assert fmt_number(70.19, decimal=",") == "70,19"
    assert fmt_number(0.285) == "0.29"  # half up, not binary float rounding
    assert fmt_number(-0.001) == "0.00"  # never "-0.00"
    assert fmt_number(pd.NA) == "" and fmt_number(None) == ""
    assert fmt_number(1746, digits=0) == "1746"


def test_signed_and_percent_conventions():
    assert fmt_signed(0.29) == "+0.29"
    assert fmt_signed(-5.78) == "-5.78"
    assert fmt_signed(0) == "0.00"
    assert fmt_signed(-5.78, decimal=",") == "-5,78"
    assert fmt_pct(19.3) == "19.3"
    assert fmt_pct(5.40) == "5.4"
    assert fmt_pct(80.0) == "80"
    assert fmt_pct(7.42, decimal=",") == "7,42"


def test_join_vi():
    assert join_vi([]) == ""
    assert join_vi(["A"]) == "A"
    assert join_vi(["A", "B"]) == "A và B"
    assert join_vi(["A", "B", "C"]) == "A, B và C"


def test_unit_label_single_and_grouped():
    cm = registry.units_of("893")
    by_name = {u.name: u for u in cm}
    assert unit_label(by_name["Kiến An"]) == "xã Kiến An"
    assert unit_label(by_name["Chợ Mới"]) == "thị trấn Chợ Mới"
    assert unit_label({"unit": "Hội An", "unit_type": "thị trấn"}) == "thị trấn Hội An"
    assert unit_label(pd.Series({"unit": "Mỹ Hiệp", "unit_type": "xã"})) == "xã Mỹ Hiệp"
    assert unit_label([by_name["Kiến An"]]) == "xã Kiến An"
    assert unit_label([by_name[n] for n in ["Kiến An", "Mỹ Hiệp", "Long Giang"]]) == \
        "các xã Kiến An, Mỹ Hiệp và Long Giang"
    assert unit_label([by_name[n] for n in ["Kiến An", "Hội An"]]) == "các đơn vị xã Kiến An và thị trấn Hội An"


# -- Chợ Mới, week 1 of December 2023: the officer's findings from data alone ----------------------

def test_cho_moi_district_line():
    f = cho_moi_findings()
    d = f.district
    assert (d.score, d.band, d.prev_score, d.delta, d.rank, d.rank_of) == (57.45, "Trung bình", 57.16, 0.29, 7, 11)
    assert f.units_count == 18


def test_cho_moi_kien_an_is_the_only_yeu():
    f = cho_moi_findings()
    assert f.lowest_band == "Yếu"
    assert names(f.lowest_band_units) == ["Kiến An"]
    assert f.lowest_band_units[0].score == 49.18


def test_cho_moi_my_hoi_dong_is_the_only_notable_drop():
    f = cho_moi_findings()
    assert len(f.drops) == 1
    drop = f.drops[0]
    assert (drop.unit.name, drop.unit.type) == ("Mỹ Hội Đông", "xã")
    assert (drop.delta, drop.prev_score, drop.score) == (-5.78, 56.88, 51.1)


def test_cho_moi_weakest_on_transparency():
    comp = {c.key: c for c in cho_moi_findings().components}["transparency_pct"]
    assert set(names(comp.weakest)) == {"Kiến An", "Mỹ Hiệp", "Hội An", "Mỹ An", "Long Giang"}
    assert names(comp.weakest) == ["Kiến An", "Mỹ Hiệp", "Hội An", "Mỹ An", "Long Giang"]
    assert values(comp.weakest) == [19.3, 26.4, 37.7, 38.4, 45.6]
    assert not comp.tied_at_cut and not comp.far_below_everywhere
    assert len(comp.below) == 18 and comp.all_below


def test_cho_moi_weakest_on_online_payment():
    comp = {c.key: c for c in cho_moi_findings().components}["payment_pct"]
    assert names(comp.weakest) == ["Hòa Bình", "Long Giang", "Mỹ Hiệp", "Kiến An", "Long Điền B"]
    assert values(comp.weakest) == [5.27, 6.45, 7.42, 7.56, 7.76]
    assert not comp.far_below_everywhere


def test_cho_moi_digitisation_far_below_everywhere():
    comps = {c.key: c for c in cho_moi_findings().components}
    assert comps["digitization_pct"].far_below_everywhere
    assert comps["digitization_pct"].target == 80
    # progress has no target: nothing is said about it
    assert list(comps) == ["transparency_pct", "online_pct", "payment_pct", "digitization_pct"]


def test_cho_moi_other_findings():
    f = cho_moi_findings()
    assert [(c.unit.name, c.delta) for c in f.improved_most] == [("Tấn Mỹ", 1.23)]
    assert f.band_moves == ()
    assert f.criterion_15_3 == ()
    assert [(b.band, b.count) for b in f.band_counts] == [("Trung bình", 17), ("Yếu", 1)]
    assert names(f.top) == ["Chợ Mới"] and names(f.bottom) == ["Kiến An"]


def test_cho_moi_text_sentences():
    text = render_text(cho_moi_findings(), "cho-moi", CHO_MOI_PERIOD)
    expected = [
        "BÁO CÁO",
        ("Kết quả xếp loại các đơn vị theo Bộ Chỉ số phục vụ người dân, doanh nghiệp "
        "(Quyết định số 766/QĐ-TTg) Tháng 12 – Tuần 1"),
        "(Thời gian chốt số liệu: Ngày 04/12/2023 – Tuần 1)",
        ("Văn phòng HĐND và UBND huyện Chợ Mới báo cáo kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp "
        "trong tuần 1 của tháng 12 năm 2023, như sau:"),  # the seed's own opening (reporting_body in params)
        ("1. Tổng số điểm huyện đạt: 57.45/100 điểm, xếp hạng 7/11 huyện, thị xã, thành phố, "
        "xếp loại “Trung bình”, tăng 0.29 điểm so với tuần trước."),
        "- Xã Kiến An xếp loại “Yếu”.",
        "- Xã Mỹ Hội Đông giảm 5.78 điểm so với tuần trước (từ 56.88 xuống 51.10 điểm).",
        "- Đơn vị tăng nhiều nhất là xã Tấn Mỹ: tăng 1.23 điểm so với tuần trước (từ 61.12 lên 62.35 điểm).",
        ("- Công khai, minh bạch: 5 đơn vị thấp nhất là xã Kiến An (19.3%), xã Mỹ Hiệp (26.4%), "
        "thị trấn Hội An (37.7%), xã Mỹ An (38.4%) và xã Long Giang (45.6%); "
        "tất cả 18 đơn vị đều chưa đạt chỉ tiêu 100%."),
        "- Dịch vụ công trực tuyến: tất cả các đơn vị đều còn rất thấp so với chỉ tiêu 50%.",
        ("- Thanh toán trực tuyến: 5 đơn vị thấp nhất là xã Hòa Bình (5.27%), xã Long Giang (6.45%), "
        "xã Mỹ Hiệp (7.42%), xã Kiến An (7.56%) và xã Long Điền B (7.76%); "
        "tất cả 18 đơn vị đều chưa đạt chỉ tiêu 30%."),
        "- Số hóa hồ sơ: tất cả các đơn vị đều còn rất thấp so với chỉ tiêu 80%.",
    ]
    lines = text.splitlines()
    for sentence in expected:
        assert sentence in lines, sentence
    yeu = [line for line in lines if re.match(r"^- (Xã|Thị trấn|Phường|Các) .* xếp loại “Yếu”\.$", line)]
    assert yeu == ["- Xã Kiến An xếp loại “Yếu”."]
    assert "Tiến độ giải quyết" not in text  # no target, nothing to say
    assert "15.3" not in text
    assert unicodedata.is_normalized("NFC", text)


def test_cho_moi_html_matches_text():
    html = render_html(cho_moi_findings(), "cho-moi", CHO_MOI_PERIOD, with_heading=True)
    assert render_html(cho_moi_findings(), "cho-moi", CHO_MOI_PERIOD).count("<header") == 0
    assert html.count("<header") == 1
    assert "<li>Xã Kiến An xếp loại “Yếu”.</li>" in html
    assert "<li>Xã Mỹ Hội Đông giảm 5.78 điểm so với tuần trước (từ 56.88 xuống 51.10 điểm).</li>" in html
    assert '<p class="data-cut">(Thời gian chốt số liệu: Ngày 04/12/2023 – Tuần 1)</p>' in html
    assert html.count("<li") == html.count("</li>")
    assert unicodedata.is_normalized("NFC", html)


def test_notable_drop_threshold_comes_from_policy():
    policy = dataclasses.replace(params.policy(), notable_drop_points=6.0)
    f = build_findings(cho_moi_ranked(), cho_moi_total(), "cho-moi", policy)
    assert f.drops == ()
    assert "giảm" not in render_text(f, "cho-moi", CHO_MOI_PERIOD)


def test_weakest_n_comes_from_policy():
    policy = dataclasses.replace(params.policy(), weakest_n=3)
    comp = {c.key: c for c in build_findings(cho_moi_ranked(), cho_moi_total(), "cho-moi", policy).components}
    assert names(comp["transparency_pct"].weakest) == ["Kiến An", "Mỹ Hiệp", "Hội An"]


def test_total_row_inside_ranked_is_ignored():
    total = cho_moi_total()
    ranked = pd.concat([pd.DataFrame([total]), cho_moi_ranked()], ignore_index=True)
    f = build_findings(ranked, total, "cho-moi")
    assert f.units_count == 18


# -- Phú Tân, week 2 of October 2023: scores only --------------------------------------------------

def test_phu_tan_says_nothing_about_components():
    f = build_findings(phu_tan_ranked(), phu_tan_total(), "phu-tan", params.policy())
    assert f.components == ()
    text = render_text(f, "phu-tan", PHU_TAN_PERIOD)
    html = render_html(f, "phu-tan", PHU_TAN_PERIOD)
    for out in (text, html):
        for comp in params.policy().components:
            assert comp.label not in out
        assert "chỉ tiêu" not in out and "%" not in out and "Yếu" not in out and "giảm" not in out
    assert ("1. Tổng số điểm huyện đạt: 59.28/100 điểm, xếp hạng 2/11 huyện, thị xã, thành phố, "
            "xếp loại “Trung bình”, tăng 0.17 điểm so với tuần trước.") in text.splitlines()
    assert "- Cả 18 đơn vị đều xếp loại “Trung bình”." in text.splitlines()
    assert "- Đơn vị tăng nhiều nhất là xã Phú Hiệp: tăng 0.45 điểm so với tuần trước (từ 57.83 lên 58.28 điểm)." \
        in text.splitlines()
    assert "Tháng 10 – Tuần 2" in text and "Ngày 09/10/2023 – Tuần 2" in text


# -- Tháp Mười, September 2023: a month, decimal comma, criterion 15.3 ---------------------------

def test_thap_muoi_criterion_15_3():
    f = build_findings(thap_muoi_ranked(), None, "thap-muoi", params.policy())
    c = {x.unit.name: x for x in f.criterion_15_3}
    assert set(c) == {"Phú Điền", "Trường Xuân"}
    assert (c["Phú Điền"].score, c["Phú Điền"].points_needed) == (73.37, 6.63)
    assert (c["Trường Xuân"].score, c["Trường Xuân"].points_needed) == (68.97, 11.03)
    assert c["Phú Điền"].deadline == date(2023, 12, 31)
    assert c["Phú Điền"].days_to_deadline == 92 and not c["Phú Điền"].overdue


def test_thap_muoi_text_month_and_decimal_comma():
    f = build_findings(thap_muoi_ranked(), None, "thap-muoi", params.policy())
    text = render_text(f, "thap-muoi", THAP_MUOI_PERIOD)
    lines = text.splitlines()
    assert "tháng 9 năm 2023" in text
    assert "tuần" not in text.lower()
    assert "- Xã Phú Điền đạt 73,37 điểm, còn thiếu 6,63 điểm để đạt tối thiểu 80 điểm " \
        "đến ngày 31/12/2023." in lines
    assert "- Xã Trường Xuân đạt 68,97 điểm, còn thiếu 11,03 điểm để đạt tối thiểu 80 điểm " \
        "đến ngày 31/12/2023." in lines
    assert "- Đơn vị có điểm cao nhất là xã Mỹ An (73,53 điểm), thấp nhất là xã Thanh Mỹ (66,98 điểm)." in lines
    assert "- Trong 13 đơn vị, có 9 đơn vị xếp loại “Khá” và 4 đơn vị xếp loại “Trung bình”." in lines
    assert "1. Chưa có điểm tổng hợp của huyện trong kỳ này." in lines
    assert not re.search(r"\d+\.\d\d\b", text)  # no decimal point anywhere (15.3 is a criterion's name)
    assert "Kết quả xếp loại các đơn vị theo Bộ Chỉ số phục vụ người dân, doanh nghiệp " \
        "(Quyết định số 766/QĐ-TTg) tháng 9 năm 2023" in lines
    assert "(Số liệu tháng 9 năm 2023; văn bản không ghi ngày chốt số liệu)" in lines
    html = render_html(f, "thap-muoi", THAP_MUOI_PERIOD, with_heading=True)
    assert "tuần" not in html.lower() and "6,63" in html and "11,03" in html


def test_criterion_15_3_reached_and_overdue():
    rows = [{"unit": n, "unit_type": t, "score": s} for t, n, s in THAP_MUOI_ROWS]
    for r in rows:
        if r["unit"] == "Phú Điền":
            r["score"] = 81.2
    late = week(date(2024, 1, 8))
    f = build_findings(ranked_frame(rows, "thap-muoi", late), None, "thap-muoi")
    c = {x.unit.name: x for x in f.criterion_15_3}
    assert c["Phú Điền"].reached and c["Phú Điền"].points_needed == 0
    assert c["Trường Xuân"].overdue
    lines = render_text(f, "thap-muoi", late).splitlines()
    assert "- Xã Phú Điền đạt 81,20 điểm, đã đạt mức 80 điểm của tiêu chí 15.3." in lines
    assert any(line.startswith("- Xã Trường Xuân") and line.endswith("Thời hạn này đã qua.") for line in lines)


# -- heading --------------------------------------------------------------------------------------

def test_heading_week():
    h = heading("cho-moi", CHO_MOI_PERIOD, issued=date(2023, 12, 5))
    assert h["issuing_body"] == "VĂN PHÒNG HĐND VÀ UBND HUYỆN CHỢ MỚI"
    assert h["doc_kind"] == "BÁO CÁO"
    assert h["title"] == ("Kết quả xếp loại các đơn vị theo Bộ Chỉ số phục vụ người dân, doanh nghiệp "
                          "(Quyết định số 766/QĐ-TTg) Tháng 12 – Tuần 1")
    assert h["data_cut"] == "(Thời gian chốt số liệu: Ngày 04/12/2023 – Tuần 1)"
    assert h["place_date"] == "Chợ Mới, ngày 05 tháng 12 năm 2023"
    assert heading("cho-moi", CHO_MOI_PERIOD)["place_date"] == ""


def test_heading_month_never_names_a_week():
    h = heading("thap-muoi", THAP_MUOI_PERIOD)
    assert h["title"].endswith("(Quyết định số 766/QĐ-TTg) tháng 9 năm 2023")
    assert h["data_cut"] == "(Số liệu tháng 9 năm 2023; văn bản không ghi ngày chốt số liệu)"
    assert not any("tuần" in v.lower() for v in h.values())
    html = narrative.render_heading_html("thap-muoi", THAP_MUOI_PERIOD)
    assert "ỦY BAN NHÂN DÂN HUYỆN\u00a0THÁP\u00a0MƯỜI" in html and "tuần" not in html.lower()


def test_html_heading_keeps_the_place_on_one_line():
    """'VĂN PHÒNG HĐND VÀ UBND HUYỆN CHỢ MỚI' in a narrow column breaks before the place, not inside it."""
    html = narrative.render_heading_html("cho-moi", CHO_MOI_PERIOD)
    assert ">VĂN PHÒNG HĐND VÀ UBND HUYỆN\u00a0CHỢ\u00a0MỚI<" in html and ">UBND HUYỆN\u00a0CHỢ\u00a0MỚI<" in html
    assert heading("cho-moi", CHO_MOI_PERIOD)["issuing_body"] == "VĂN PHÒNG HĐND VÀ UBND HUYỆN CHỢ MỚI"  # text: as is


# -- built cases ------------------------------------------------------------------------------------

def test_no_yeu_unit_no_yeu_sentence():
    f = build_findings(built([("An", 60.0, 59.0), ("Bình", 55.0, 56.5), ("Cần", 71.0, 70.5)]), None, "cho-moi")
    assert f.lowest_band_units == ()
    text = render_text(f, "cho-moi", CHO_MOI_PERIOD)
    assert "Yếu" not in text
    assert "- Xã Bình giảm 1.50 điểm so với tuần trước (từ 56.50 xuống 55.00 điểm)." in text.splitlines()


def test_everyone_improved_no_drop_sentence():
    f = build_findings(built([("An", 60.0, 59.0), ("Bình", 45.0, 44.5), ("Cần", 71.0, 70.5)]), None, "cho-moi")
    assert f.drops == ()
    text = render_text(f, "cho-moi", CHO_MOI_PERIOD)
    assert "giảm" not in text
    assert "- Xã Bình xếp loại “Yếu”." in text.splitlines()
    assert "- Đơn vị tăng nhiều nhất là xã An: tăng 1.00 điểm so với tuần trước (từ 59.00 lên 60.00 điểm)." \
        in text.splitlines()


def test_several_yeu_units_are_grouped():
    f = build_findings(built([("An", 40.0, None), ("Bình", 45.0, None), ("Cần", 71.0, None)]), None, "cho-moi")
    assert not f.has_prev and f.improved_most == () and f.band_moves == ()
    assert "- Các xã An và Bình xếp loại “Yếu”." in render_text(f, "cho-moi", CHO_MOI_PERIOD).splitlines()


def test_improvement_ties_are_all_named():
    f = build_findings(built([("An", 60.0, 59.75), ("Bình", 58.0, 57.75), ("Cần", 57.0, 56.9)]), None, "cho-moi")
    assert names(f.improved_most) == ["An", "Bình"]
    assert "- Các đơn vị tăng nhiều nhất là xã An và xã Bình: cùng tăng 0.25 điểm so với tuần trước." \
        in render_text(f, "cho-moi", CHO_MOI_PERIOD).splitlines()


def test_band_moves():
    f = build_findings(built([("An", 70.1, 69.5), ("Bình", 69.5, 70.2), ("Cần", 60.0, 59.0)]), None, "cho-moi")
    assert [(m.unit.name, m.prev_band, m.band, m.up) for m in f.band_moves] == [
        ("An", "Trung bình", "Khá", True), ("Bình", "Khá", "Trung bình", False)]
    lines = render_text(f, "cho-moi", CHO_MOI_PERIOD).splitlines()
    assert "- Xã An lên xếp loại “Khá” (từ “Trung bình”), đạt 70.10 điểm." in lines
    assert "- Xã Bình xuống xếp loại “Trung bình” (từ “Khá”), còn 69.50 điểm." in lines


TIE_NAMES = ["An", "Bình", "Cần", "Dương", "Giang", "Hà", "Khánh"]


def _tie_frame(transparency):
    comps = [{"transparency_pct": v} for v in transparency]
    return built([(n, 60.0 - i, None) for i, n in enumerate(TIE_NAMES)], components=comps)


def test_ties_at_the_nth_weakest_are_all_included():
    f = build_findings(_tie_frame([10, 20, 30, 40, 50, 50, 90]), None, "cho-moi")
    comp = f.components[0]
    assert comp.key == "transparency_pct"
    assert names(comp.weakest) == ["An", "Bình", "Cần", "Dương", "Giang", "Hà"]
    assert names(comp.tied_at_cut) == ["Giang", "Hà"] and comp.cut_position == 5
    line = next(x for x in render_text(f, "cho-moi", CHO_MOI_PERIOD).splitlines()
                if x.startswith("- Công khai, minh bạch"))
    assert line == ("- Công khai, minh bạch: 6 đơn vị thấp nhất là xã An (10%), xã Bình (20%), xã Cần (30%), "
                    "xã Dương (40%), xã Giang (50%) và xã Hà (50%); tất cả 7 đơn vị đều chưa đạt chỉ tiêu 100%. "
                    "Các xã Giang và Hà cùng đạt 50%, đồng hạng thứ 5, nên đều được nêu.")


def test_ties_spanning_the_cut():
    f = build_findings(_tie_frame([10, 20, 30, 40, 40, 40, 100]), None, "cho-moi")
    comp = f.components[0]
    assert names(comp.weakest) == ["An", "Bình", "Cần", "Dương", "Giang", "Hà"]
    assert comp.cut_position == 4 and len(comp.tied_at_cut) == 3
    assert len(comp.below) == 6 and not comp.all_below


def test_no_tie_when_exactly_n():
    f = build_findings(_tie_frame([10, 20, 30, 40, 50, 60, 90]), None, "cho-moi")
    comp = f.components[0]
    assert len(comp.weakest) == 5 and comp.tied_at_cut == () and comp.cut_position is None
    assert "đồng hạng" not in render_text(f, "cho-moi", CHO_MOI_PERIOD)


def test_few_units_below_target_are_listed():
    comps = [{"payment_pct": v} for v in [35, 12.5, 31, 29.9]]
    f = build_findings(built([("An", 60, None), ("Bình", 59, None), ("Cần", 58, None), ("Dương", 57, None)],
                             components=comps), None, "cho-moi")
    assert "- Thanh toán trực tuyến: có 2/4 đơn vị chưa đạt chỉ tiêu 30%: xã Bình (12.5%) và xã Dương (29.9%)." \
        in render_text(f, "cho-moi", CHO_MOI_PERIOD).splitlines()


def test_all_met():
    comps = [{"online_pct": v} for v in [55, 60]]
    f = build_findings(built([("An", 60, None), ("Bình", 59, None)], components=comps), None, "cho-moi")
    assert f.components[0].all_met
    assert "- Dịch vụ công trực tuyến: tất cả các đơn vị đều đạt chỉ tiêu 50%." \
        in render_text(f, "cho-moi", CHO_MOI_PERIOD).splitlines()


def test_missing_components_are_not_zero():
    comps = [
        {"transparency_pct": None, "payment_pct": 10.0, "progress_pct": 99.0},
        {"transparency_pct": None, "payment_pct": None, "progress_pct": 98.0},
        {"transparency_pct": None, "payment_pct": 20.0, "progress_pct": None},
    ]
    f = build_findings(built([("An", 60, None), ("Bình", 59, None), ("Cần", 58, None)], components=comps),
                       None, "cho-moi")
    assert [c.key for c in f.components] == ["payment_pct"]  # transparency: all missing; progress: no target
    comp = f.components[0]
    assert names(comp.below) == ["An", "Cần"] and comp.units_with_data == 2
    assert [u.name for u in comp.missing] == ["Bình"]
    text = render_text(f, "cho-moi", CHO_MOI_PERIOD)
    assert "Công khai" not in text and "Tiến độ" not in text
    assert ("- Thanh toán trực tuyến: tất cả 2 đơn vị có số liệu đều chưa đạt chỉ tiêu 30%: xã An (10%) và "
            "xã Cần (20%). Chưa có số liệu của xã Bình.") in text.splitlines()


def test_output_is_nfc_even_from_nfd_input():
    nfd = unicodedata.normalize("NFD", "Kiến An")
    ranked = built([(nfd, 49.18, 49.03), ("Mỹ Hiệp", 51.39, 51.18)])
    f = build_findings(ranked, cho_moi_total(), "cho-moi")
    text = render_text(f, "cho-moi", CHO_MOI_PERIOD)
    html = render_html(f, "cho-moi", CHO_MOI_PERIOD)
    for out in (text, html, *heading("cho-moi", CHO_MOI_PERIOD).values()):
        assert unicodedata.is_normalized("NFC", out)
    assert "- Xã Kiến An xếp loại “Yếu”." in text.splitlines()


def test_html_escapes_values_from_data():
    evil = "<script>alert(1)</script>"
    ranked = built([(evil, 40.0, 46.0), ("An", 60.0, 59.0)],
                   components=[{"transparency_pct": 5.0}, {"transparency_pct": 60.0}])
    f = build_findings(ranked, None, "cho-moi")
    html = render_html(f, "cho-moi", CHO_MOI_PERIOD)
    assert "<script>" not in html
    assert "Xã &lt;script&gt;alert(1)&lt;/script&gt; xếp loại “Yếu”." in html
    assert "xã &lt;script&gt;alert(1)&lt;/script&gt; (5%)" in html
    assert evil in render_text(f, "cho-moi", CHO_MOI_PERIOD)  # plain text keeps it as text


# -- comparison with other districts ------------------------------------------------------------------

def _comparison_frame(with_totals=False):
    """Like helpers.rank.compare_districts: every unit of every district ranked together."""
    parts = []
    for slug, ranked, period in [("cho-moi", cho_moi_ranked(), CHO_MOI_PERIOD),
                                 ("phu-tan", phu_tan_ranked(), PHU_TAN_PERIOD),
                                 ("thap-muoi", thap_muoi_ranked(), THAP_MUOI_PERIOD)]:
        part = ranked[["district", "unit", "unit_type", "unit_code", "score", "band_computed", "as_of"]].copy()
        part.insert(0, "district_slug", slug)
        part["period_label"] = period.short_label()
        parts.append(part)
    df = pd.concat(parts, ignore_index=True)
    df["overall_rank"] = df["score"].rank(method="min", ascending=False).astype("Int64")
    df["percentile"] = [100.0 * (df["score"] <= s).sum() / len(df) for s in df["score"]]
    if with_totals:
        totals = pd.DataFrame([
            {"district_slug": "cho-moi", "district": "Chợ Mới", "unit": "Chợ Mới", "unit_type": "huyện", "score": 57.45,
                 "period_label": CHO_MOI_PERIOD.short_label()},
            {"district_slug": "phu-tan", "district": "Phú Tân", "unit": "Phú Tân", "unit_type": "huyện", "score": 59.28,
                 "period_label": PHU_TAN_PERIOD.short_label()},
        ])
        df = pd.concat([df[df["district_slug"] != "thap-muoi"], totals], ignore_index=True)
    return df.sort_values("overall_rank", kind="stable").reset_index(drop=True)


def test_comparison_on_unit_means():
    f = cho_moi_findings(comparison=_comparison_frame())
    x = f.comparison
    assert x.basis == "mean"
    assert [(d.district, d.rank, d.units) for d in x.districts] == [
        ("Tháp Mười", 1, 13), ("Phú Tân", 2, 18), ("Chợ Mới", 3, 18)]
    assert x.own_rank == 3 and x.units_compared == 49
    # thị trấn Chợ Mới shares its name with the district: still a unit, with its type
    assert [(u.unit.label, u.overall_rank) for u in x.best] == [("thị trấn Chợ Mới", 14)]
    assert [(u.unit.label, u.overall_rank) for u in x.weakest] == [("xã Kiến An", 49)]
    lines = render_text(f, "cho-moi", CHO_MOI_PERIOD).splitlines()
    assert [d.score for d in x.districts] == [71.14, 58.87, 58.52]
    assert ("- Trong 3 huyện được so sánh, xét điểm bình quân của các đơn vị cấp xã (không phải điểm tổng hợp "
            "của huyện), huyện Chợ Mới đứng thứ 3/3: huyện Tháp Mười 71.14 điểm (tháng 9/2023), huyện Phú Tân "
            "58.87 điểm (tuần 2 tháng 10/2023) và huyện Chợ Mới 58.52 điểm.") in lines
    assert ("- Trong 49 đơn vị của các huyện được so sánh, đơn vị cao nhất của huyện là thị trấn Chợ Mới "
            "(hạng 14/49), thấp nhất là xã Kiến An (hạng 49/49).") in lines
    caveat = ("- Các huyện trên có số liệu của những kỳ khác nhau (ghi trong ngoặc), nên thứ hạng này chỉ để tham "
              "khảo, không phải xếp hạng trong cùng một kỳ.")
    assert lines[lines.index(caveat) - 1].startswith("- Trong 49 đơn vị")
    # the same period everywhere: no caveat
    same = _comparison_frame().assign(period_label=CHO_MOI_PERIOD.short_label())
    same_lines = render_text(cho_moi_findings(comparison=same), "cho-moi", CHO_MOI_PERIOD).splitlines()
    assert any(line.startswith("- Trong 3 huyện được so sánh") for line in same_lines)
    assert caveat not in same_lines


def test_comparison_on_district_totals():
    f = cho_moi_findings(comparison=_comparison_frame(with_totals=True))
    x = f.comparison
    assert x.basis == "total" and x.units_compared == 36
    assert [(d.district, d.score, d.rank) for d in x.districts] == [("Phú Tân", 59.28, 1), ("Chợ Mới", 57.45, 2)]
    assert ("- Trong 2 huyện được so sánh, huyện Chợ Mới đứng thứ 2/2 về điểm tổng hợp: huyện Phú Tân 59.28 điểm "
            "(tuần 2 tháng 10/2023) và huyện Chợ Mới 57.45 điểm.") in render_text(f, "cho-moi", CHO_MOI_PERIOD).splitlines()


def test_no_comparison_no_section():
    text = render_text(cho_moi_findings(), "cho-moi", CHO_MOI_PERIOD)
    assert "So sánh" not in text


# -- the wording lives in params/wording ----------------------------------------------------------------

def test_officer_can_reword_without_code(tmp_path, monkeypatch):
    copy = tmp_path / "params"
    shutil.copytree(params.params_dir(), copy)
    macros = copy / "wording" / "macros.j2"
    macros.write_text(macros.read_text(encoding="utf-8").replace(
        "xếp loại “{{ f.lowest_band }}”.", "bị xếp loại “{{ f.lowest_band }}”, cần khắc phục ngay."),
        encoding="utf-8")
    monkeypatch.setenv("CHISO_PARAMS", str(copy))
    text = render_text(cho_moi_findings(), "cho-moi", CHO_MOI_PERIOD)
    assert "- Xã Kiến An bị xếp loại “Yếu”, cần khắc phục ngay." in text.splitlines()


def test_templates_are_nfc_and_name_no_machine_path():
    for path in sorted(params.wording_dir().iterdir()):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name
        assert not re.search(r"/(work|home|root)/", text)


def test_the_opening_names_who_reports_when_params_say_it():
    import dataclasses

    f = cho_moi_findings()
    plain = dataclasses.replace(params.district("cho-moi"), reporting_body="")
    assert ("Kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp của huyện Chợ Mới trong tuần 1 của tháng 12 năm 2023 "
            "như sau:") in render_text(f, plain, CHO_MOI_PERIOD).splitlines()
    assert ("Ủy ban nhân dân huyện Tháp Mười báo cáo kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp trong tháng 9 "
            "năm 2023, như sau:") in render_text(f, "thap-muoi", THAP_MUOI_PERIOD).splitlines()
