"""Ranking (helpers.rank): competition ranks, previous ranks, movement, districts compared, summaries.

Expected values are computed by hand from the seed documents and params/ as shipped.
"""

import io
from datetime import date

import pandas as pd
import pytest

from helpers import records
from helpers.errors import UsageError
from helpers.periods import month, parse_week_arg, week
from helpers.rank import (
    RANKED_TABLE_COLUMNS,
    compare_districts,
    competition_rank,
    district_summary,
    rank_units,
    ranked_table,
)
from helpers.score import score_district, score_records

CM, PT, TM = "893", "888", "872"
NAMES = {CM: "Chợ Mới", PT: "Phú Tân", TM: "Tháp Mười"}

# Chợ Mới 04/12/2023 in printed order (STT 1..18): unit, type, code, score, previous score, change.
CHO_MOI = [
    ("Chợ Mới", "thị trấn", "30628", 65.79, 65.41, 0.38), ("Nhơn Mỹ", "xã", "30658", 64.55, 64.25, 0.30),
    ("Bình Phước Xuân", "xã", "30667", 63.82, 63.47, 0.35), ("Long Điền A", "xã", "30640", 63.28, 62.99, 0.29),
    ("Tấn Mỹ", "xã", "30643", 62.35, 61.12, 1.23), ("Long Điền B", "xã", "30646", 62.24, 61.9, 0.34),
    ("Long Kiến", "xã", "30664", 61.86, 61.63, 0.23), ("Mỹ Luông", "thị trấn", "30631", 59.94, 59.72, 0.22),
    ("Hòa An", "xã", "30679", 58.28, 57.80, 0.48), ("Kiến Thành", "xã", "30649", 58.25, 58.02, 0.23),
    ("An Thạnh Trung", "xã", "30670", 57.81, 57.02, 0.79), ("Hòa Bình", "xã", "30676", 56.9, 56.66, 0.24),
    ("Hội An", "thị trấn", "30673", 56.84, 56.73, 0.11), ("Long Giang", "xã", "30661", 55.8, 55.41, 0.39),
    ("Mỹ An", "xã", "30655", 54.01, 53.98, 0.03), ("Mỹ Hiệp", "xã", "30652", 51.39, 51.18, 0.21),
    ("Mỹ Hội Đông", "xã", "30637", 51.1, 56.88, -5.78), ("Kiến An", "xã", "30634", 49.18, 49.03, 0.15),
]
# Ranks of the previous scores (tuần 04/11), worked out by hand from the column above.
CHO_MOI_PREV_RANK = {
    "Chợ Mới": 1, "Nhơn Mỹ": 2, "Bình Phước Xuân": 3, "Long Điền A": 4, "Long Điền B": 5, "Long Kiến": 6,
    "Tấn Mỹ": 7, "Mỹ Luông": 8, "Kiến Thành": 9, "Hòa An": 10, "An Thạnh Trung": 11, "Mỹ Hội Đông": 12,
    "Hội An": 13, "Hòa Bình": 14, "Long Giang": 15, "Mỹ An": 16, "Mỹ Hiệp": 17, "Kiến An": 18,
}
PHU_TAN = [
    ("Phú Lâm", "xã", "30421", 63.15), ("Phú An", "xã", "30436", 61.14), ("Hiệp Xương", "xã", "30442", 61.03),
    ("Phú Thạnh", "xã", "30427", 60.64), ("Phú Hưng", "xã", "30451", 59.25), ("Phú Thành", "xã", "30433", 59),
    ("Phú Mỹ", "thị trấn", "30406", 58.79), ("Tân Hòa", "xã", "30457", 58.72),
    ("Chợ Vàm", "thị trấn", "30409", 58.6), ("Tân Trung", "xã", "30460", 58.59),
    ("Phú Hiệp", "xã", "30424", 58.28), ("Long Hòa", "xã", "30415", 58.1), ("Phú Long", "xã", "30418", 58.09),
    ("Hòa Lạc", "xã", "30430", 57.96), ("Phú Thọ", "xã", "30448", 57.88), ("Phú Bình", "xã", "30445", 57.09),
    ("Bình Thạnh Đông", "xã", "30454", 56.75), ("Phú Xuân", "xã", "30439", 56.62),
]
THAP_MUOI = [
    ("Thạnh Lợi", "xã", "30040", 70.19), ("Hưng Thạnh", "xã", "30043", 69.45),
    ("Trường Xuân", "xã", "30046", 68.97), ("Mỹ Hòa", "xã", "30052", 73.33), ("Mỹ Quý", "xã", "30055", 73.11),
    ("Mỹ Đông", "xã", "30058", 72.03), ("Láng Biển", "xã", "30070", 72.03), ("Tân Kiều", "xã", "30049", 71.44),
    ("Đốc Binh Kiều", "xã", "30061", 69.98), ("Mỹ An", "xã", "30064", 73.53),
    ("Mỹ An", "thị trấn", "30037", 70.41), ("Phú Điền", "xã", "30067", 73.37), ("Thanh Mỹ", "xã", "30073", 66.98),
]


def rec(code, unit, unit_type, unit_code, as_of, score, **kw) -> dict:
    kind = "month" if len(as_of) == 7 else "week"
    row = {"district": NAMES[code], "unit": unit, "unit_type": unit_type, "unit_code": unit_code,
           "as_of": as_of, "week": week(date.fromisoformat(as_of)).iso_week if kind == "week" else "",
           "score": score, "district_code": code, "period_kind": kind, "derived": False}
    row.update(kw)
    return row


def cho_moi() -> list[dict]:
    out = [rec(CM, "Chợ Mới", "huyện", CM, "2023-12-04", 57.45, band="Trung bình", prev_score=57.16,
               delta=0.29, province_rank=7, province_rank_of=11)]
    for i, (unit, utype, code, score, prev, delta) in enumerate(CHO_MOI, start=1):
        out.append(rec(CM, unit, utype, code, "2023-12-04", score, band="Yếu" if score < 50 else "Trung bình",
                       prev_score=prev, delta=delta, reported_rank=i))
    return out


def phu_tan() -> list[dict]:
    out = [rec(PT, "Phú Tân", "huyện", PT, "2023-10-09", 59.28, prev_score=59.11, delta=0.17,
               province_rank=2, province_rank_of=11)]
    return out + [rec(PT, u, t, c, "2023-10-09", s, reported_rank=i)
                  for i, (u, t, c, s) in enumerate(PHU_TAN, start=1)]


def thap_muoi() -> list[dict]:
    return [rec(TM, u, t, c, "2023-09", s) for u, t, c, s in THAP_MUOI]


def frame(rows):
    return records.coerce(pd.DataFrame(rows))


W49 = parse_week_arg("2023-W49")


def scored_cm():
    return score_district(frame(cho_moi()), "cho-moi", W49)


def scored_tm():
    return score_district(frame(thap_muoi()), "thap-muoi", W49)


# -- competition ranks ---------------------------------------------------------------------------

def test_competition_rank():
    got = competition_rank(pd.Series([58.0, 60.0, 58.0, None, 55.0, 58.0], dtype="Float64"))
    assert got.tolist() == [2, 1, 2, pd.NA, 5, 2]
    assert str(got.dtype) == "Int64"


def test_competition_rank_by_group():
    values = pd.Series([58.0, 60.0, 58.0, None, 60.0, 55.0, 60.0], dtype="Float64")
    got = competition_rank(values, groups=[0, 0, 0, 0, 1, 1, 1])
    assert got.tolist() == [2, 1, 2, pd.NA, 1, 3, 1]  # each group ranked on its own
    assert got.tolist()[:4] == competition_rank(values[:4]).tolist()


def test_cho_moi_ranks_equal_printed_rows():
    ranked = rank_units(scored_cm())
    assert len(ranked) == 18 and "huyện" not in set(ranked["unit_type"])
    assert ranked["rank"].tolist() == list(range(1, 19))
    assert ranked["rank"].tolist() == ranked["reported_rank"].tolist()
    assert ranked["unit"].tolist() == [u[0] for u in CHO_MOI]
    assert str(ranked["rank"].dtype) == "Int64" and str(ranked["prev_rank"].dtype) == "Int64"
    assert dict(zip(ranked["unit"], ranked["prev_rank"])) == CHO_MOI_PREV_RANK
    by_unit = ranked.set_index("unit")
    assert by_unit.loc["Mỹ Hội Đông", "rank"] == 17
    assert by_unit.loc["Mỹ Hội Đông", "prev_rank"] == 12
    assert by_unit.loc["Mỹ Hội Đông", "rank_change"] == -5
    assert by_unit.loc["Tấn Mỹ", "rank_change"] == 2
    assert by_unit.loc["Hòa Bình", "rank_change"] == 2
    assert by_unit.loc["Long Điền B", "rank_change"] == -1
    assert by_unit.loc["Kiến An", "rank_change"] == 0
    assert by_unit.loc["Kiến An", "band_computed"] == "Yếu"


def test_phu_tan_ranks_equal_printed_rows():
    ranked = rank_units(score_district(frame(phu_tan()), "phu-tan", W49))
    assert ranked["rank"].tolist() == list(range(1, 19)) == ranked["reported_rank"].tolist()
    assert ranked["prev_rank"].isna().all() and ranked["rank_change"].isna().all()  # no previous scores given


def test_thap_muoi_tie_shares_rank_in_vietnamese_order():
    ranked = rank_units(scored_tm())
    assert list(zip(ranked["unit"], ranked["rank"])) == [
        ("Mỹ An", 1), ("Phú Điền", 2), ("Mỹ Hòa", 3), ("Mỹ Quý", 4), ("Láng Biển", 5), ("Mỹ Đông", 5),
        ("Tân Kiều", 7), ("Mỹ An", 8), ("Thạnh Lợi", 9), ("Đốc Binh Kiều", 10), ("Hưng Thạnh", 11),
        ("Trường Xuân", 12), ("Thanh Mỹ", 13),
    ]
    assert ranked["unit_type"].iloc[0] == "xã" and ranked["unit_type"].iloc[7] == "thị trấn"
    assert ranked["prev_rank"].isna().all() and ranked["rank_change"].isna().all()


def test_three_way_tie_missing_score_and_previous_ranks():
    rows = [
        rec(TM, "Tháp Mười", "huyện", TM, "2023-12-04", 99.0),  # the total row is never ranked
        rec(TM, "Trường Xuân", "xã", "30046", "2023-12-04", 69.0, prev_score=60.0),
        rec(TM, "Thanh Mỹ", "xã", "30073", "2023-12-04", None, prev_score=70.0),
        rec(TM, "Hưng Thạnh", "xã", "30043", "2023-12-04", 69.0, prev_score=65.0),
        rec(TM, "Phú Điền", "xã", "30067", "2023-12-04", 75.0),
        rec(TM, "Đốc Binh Kiều", "xã", "30061", "2023-12-04", 69.0, prev_score=65.0),
        rec(TM, "Mỹ Quý", "xã", "30055", "2023-12-04", 60.0, prev_score=66.0),
    ]
    ranked = rank_units(score_records(frame(rows)))
    assert ranked["unit"].tolist() == ["Phú Điền", "Đốc Binh Kiều", "Hưng Thạnh", "Trường Xuân", "Mỹ Quý",
                                       "Thanh Mỹ"]
    assert ranked["rank"].tolist() == [1, 2, 2, 2, 5, pd.NA]
    # previous ranks among the units that have a previous score: 70, 66, 65, 65, 60
    assert ranked["prev_rank"].tolist() == [pd.NA, 3, 3, 5, 2, 1]
    assert ranked["rank_change"].tolist() == [pd.NA, 1, 1, 3, -3, pd.NA]


# -- districts compared ----------------------------------------------------------------------------

def test_compare_districts_keeps_each_period():
    recs = frame(cho_moi() + phu_tan() + thap_muoi())
    scored = {slug: score_district(recs, slug, W49) for slug in ["cho-moi", "phu-tan", "thap-muoi"]}
    cmp = compare_districts(scored)
    assert list(cmp.columns) == ["district_slug", "district", "unit", "unit_type", "unit_code", "score",
                                 "band_computed", "as_of", "period_label", "overall_rank", "percentile", "source",
                                 "source_line"]
    assert len(cmp) == 49
    labels = dict(zip(cmp["district_slug"], cmp["period_label"]))
    assert labels == {"cho-moi": "tuần 1 tháng 12/2023", "phu-tan": "tuần 2 tháng 10/2023",
                      "thap-muoi": "tháng 9/2023"}
    assert dict(zip(cmp["district_slug"], cmp["as_of"])) == {
        "cho-moi": "2023-12-04", "phu-tan": "2023-10-09", "thap-muoi": "2023-09"}
    top = cmp.iloc[0]
    assert (top["unit"], top["unit_type"], top["overall_rank"], top["percentile"]) == ("Mỹ An", "xã", 1, 100.0)
    tie = cmp[cmp["score"] == 72.03]
    assert tie["unit"].tolist() == ["Láng Biển", "Mỹ Đông"] and tie["overall_rank"].tolist() == [5, 5]
    assert tie["percentile"].tolist() == [pytest.approx(100 * 45 / 49)] * 2
    first_cm = cmp[cmp["unit_code"] == "30628"].iloc[0]  # thị trấn Chợ Mới, below all 13 of Tháp Mười
    assert first_cm["overall_rank"] == 14
    assert first_cm["percentile"] == pytest.approx(100 * 36 / 49)
    last = cmp.iloc[-1]
    assert (last["unit"], last["overall_rank"]) == ("Kiến An", 49)
    assert last["percentile"] == pytest.approx(100 / 49)
    assert cmp["overall_rank"].is_monotonic_increasing


def test_compare_districts_skips_missing():
    cmp = compare_districts({"cho-moi": None, "thap-muoi": scored_tm()})
    assert len(cmp) == 13 and set(cmp["district_slug"]) == {"thap-muoi"}
    assert compare_districts({}).empty


# -- district summary ------------------------------------------------------------------------------

def test_summary_cho_moi():
    scored = scored_cm()
    s = district_summary(scored, rank_units(scored))
    assert s["district"] == "Chợ Mới" and s["district_code"] == CM
    assert s["period"] == week(date(2023, 12, 4))
    assert s["period_label"] == "Tháng 12 – Tuần 1 (chốt số liệu 04/12/2023)"
    assert s["n_units"] == 18 == s["n_scored"]
    assert s["mean_score"] == pytest.approx(1053.39 / 18)
    assert s["median_score"] == pytest.approx(58.265)
    assert list(s["band_counts"].items()) == [("Xuất sắc", 0), ("Tốt", 0), ("Khá", 0), ("Trung bình", 17),
                                              ("Yếu", 1)]
    assert s["at_15_3_count"] == 0 and s["at_15_3_share"] == 0.0
    assert s["best_units"] == ["Chợ Mới"] and s["best_units_full"] == ["thị trấn Chợ Mới"]
    assert s["best_score"] == 65.79
    assert s["worst_units"] == ["Kiến An"] and s["worst_score"] == 49.18
    assert s["district_score"] == 57.45 and s["district_band"] == "Trung bình"
    assert s["district_delta"] == pytest.approx(0.29) and s["district_prev_score"] == 57.16
    assert (s["province_rank"], s["province_rank_of"]) == (7, 11)


def test_summary_thap_muoi_month_without_total():
    scored = scored_tm()
    s = district_summary(scored, rank_units(scored))
    assert s["period"] == month(2023, 9) and s["period_label"] == "tháng 9 năm 2023"
    assert s["band_counts"] == {"Xuất sắc": 0, "Tốt": 0, "Khá": 9, "Trung bình": 4, "Yếu": 0}
    assert s["mean_score"] == pytest.approx(71.14) and s["median_score"] == pytest.approx(71.44)
    assert s["best_units_full"] == ["xã Mỹ An"] and s["worst_units"] == ["Thanh Mỹ"]
    assert s["district_score"] is None and s["province_rank"] is None and s["district_delta"] is None


def test_summary_ties_list_all_in_vietnamese_order():
    rows = [rec(TM, "Thanh Mỹ", "xã", "30073", "2023-12-04", 81.0),
            rec(TM, "Đốc Binh Kiều", "xã", "30061", "2023-12-04", 81.0),
            rec(TM, "Mỹ Quý", "xã", "30055", "2023-12-04", 60.0),
            rec(TM, "Láng Biển", "xã", "30070", "2023-12-04", 60.0),
            rec(TM, "Hưng Thạnh", "xã", "30043", "2023-12-04", 79.99)]
    scored = score_records(frame(rows))
    s = district_summary(scored, rank_units(scored))
    assert s["best_units"] == ["Đốc Binh Kiều", "Thanh Mỹ"]
    assert s["worst_units"] == ["Láng Biển", "Mỹ Quý"]
    assert s["at_15_3_count"] == 2 and s["at_15_3_share"] == pytest.approx(0.4)
    assert s["band_counts"]["Tốt"] == 2 and s["band_counts"]["Khá"] == 1


# -- the ranked table of `chiso rank` --------------------------------------------------------------

def test_ranked_table_all_districts():
    recs = frame(thap_muoi() + phu_tan() + cho_moi())  # store order does not decide district order
    table = ranked_table(recs, W49)
    assert list(table.columns) == RANKED_TABLE_COLUMNS == [
        "week", "district", "unit", "unit_type", "unit_code", "as_of", "score", "band", "rank", "prev_rank",
        "rank_change", "delta"]
    assert len(table) == 49
    assert set(table["week"]) == {"2023-W49"}
    assert list(dict.fromkeys(table["district"])) == ["Chợ Mới", "Phú Tân", "Tháp Mười"]
    assert set(table.loc[table["district"] == "Phú Tân", "as_of"]) == {"2023-10-09"}
    assert set(table.loc[table["district"] == "Tháp Mười", "as_of"]) == {"2023-09"}
    buf = io.StringIO()
    table.to_csv(buf, index=False)
    lines = buf.getvalue().splitlines()
    assert lines[0] == ",".join(RANKED_TABLE_COLUMNS)
    assert "2023-W49,Chợ Mới,Mỹ Hội Đông,xã,30637,2023-12-04,51.1,Trung bình,17,12,-5,-5.78" in lines
    assert "2023-W49,Tháp Mười,Láng Biển,xã,30070,2023-09,72.03,Khá,5,,," in lines


def test_ranked_table_is_rank_units_of_each_district():
    # ranked in one pass for all districts, each exactly as rank_units ranks it alone (Tháp Mười has a tie
    # at 72.03; a score shared across districts does not make a tie)
    rows = cho_moi() + phu_tan() + thap_muoi()
    rows.append(rec(PT, "Phú Xuân Mới", "xã", "30499", "2023-10-09", 72.03, reported_rank=19))
    recs = frame(rows)
    table = ranked_table(recs, W49)
    for slug, name in (("cho-moi", "Chợ Mới"), ("phu-tan", "Phú Tân"), ("thap-muoi", "Tháp Mười")):
        alone = rank_units(score_district(recs, slug, W49))
        part = table[table["district"] == name].reset_index(drop=True)
        for col in ("unit", "unit_type", "unit_code", "as_of", "score", "rank", "prev_rank", "rank_change"):
            assert part[col].astype(object).tolist() == alone[col].astype(object).tolist(), (slug, col)
        assert part["band"].tolist() == alone["band_computed"].tolist()
    tm = table[table["district"] == "Tháp Mười"]
    assert tm.loc[tm["score"] == 72.03, "unit"].tolist() == ["Láng Biển", "Mỹ Đông"]  # tie: Vietnamese order
    assert tm.loc[tm["score"] == 72.03, "rank"].tolist() == [5, 5]
    pt = table[table["district"] == "Phú Tân"]
    assert pt.loc[pt["unit"] == "Phú Xuân Mới", "rank"].tolist() == [1]


def test_districts_sharing_a_code_each_keep_their_own_targets(tmp_path, monkeypatch):
    # two districts of params/ with one code (a district split in two reports): each is scored with its
    # own criterion 15.3 communes, in the order of params/, in score_districts and in ranked_table
    import shutil

    from helpers import params
    from helpers.score import score_districts

    copy = tmp_path / "params"
    shutil.copytree(params.params_dir(), copy)
    districts = copy / "districts.yaml"
    districts.write_text(districts.read_text(encoding="utf-8") + """  thap-muoi-b:
    name: Tháp Mười B
    code: "872"
    province: Đồng Tháp
    issuing_body: ỦY BAN NHÂN DÂN HUYỆN THÁP MƯỜI
    parent_body: ""
    number_format: {decimal: ",", thousands: "."}
    criterion_15_3: {units: [], deadline: null}
""", encoding="utf-8")
    monkeypatch.setenv("CHISO_PARAMS", str(copy))
    recs = frame(cho_moi() + thap_muoi())
    slugs = ["cho-moi", "thap-muoi", "thap-muoi-b"]
    together = score_districts(recs, slugs, W49)
    for slug in slugs:
        pd.testing.assert_frame_equal(together[slug], score_district(recs, slug, W49))
    assert together["thap-muoi"]["target_15_3"].sum() == 2 and together["thap-muoi-b"]["target_15_3"].sum() == 0
    table = ranked_table(recs, W49)
    assert list(dict.fromkeys(table["district"])) == ["Chợ Mới", "Tháp Mười", "Tháp Mười B"]
    assert (table["district"] == "Tháp Mười B").sum() == 13
    a = table[table["district"] == "Tháp Mười"].drop(columns="district").reset_index(drop=True)
    b = table[table["district"] == "Tháp Mười B"].drop(columns="district").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_ranked_table_selection_and_older_weeks():
    recs = frame(cho_moi() + phu_tan() + thap_muoi())
    only = ranked_table(recs, W49, ["thap-muoi"])
    assert len(only) == 13 and set(only["district"]) == {"Tháp Mười"}
    w40 = ranked_table(recs, parse_week_arg("2023-W40"))
    assert set(w40["district"]) == {"Tháp Mười"} and set(w40["week"]) == {"2023-W40"}
    empty = ranked_table(recs, parse_week_arg("2023-W30"))
    assert empty.empty and list(empty.columns) == RANKED_TABLE_COLUMNS
    with pytest.raises(UsageError):
        ranked_table(recs, W49, ["khong-co"])


def _params_with_comparison(tmp_path, monkeypatch, group: str):
    import shutil

    from helpers import params

    copy = tmp_path / "params"
    shutil.copytree(params.params_dir(), copy)
    districts = copy / "districts.yaml"
    text = districts.read_text(encoding="utf-8")
    assert "\ncomparison: all\n" in text
    districts.write_text(text.replace("\ncomparison: all\n", f"\ncomparison: {group}\n"), encoding="utf-8")
    monkeypatch.setenv("CHISO_PARAMS", str(copy))


def test_a_district_is_compared_with_every_district_of_params_by_default():
    from helpers import district_week, params

    assert [d.slug for d in params.compared_with(params.district("thap-muoi"))] == ["cho-moi", "phu-tan", "thap-muoi"]
    recs = frame(cho_moi() + phu_tan() + thap_muoi())
    comp = district_week.from_records("thap-muoi", W49, recs).comparison
    assert set(comp["district"]) == {"Chợ Mới", "Phú Tân", "Tháp Mười"}


def test_comparison_by_province_keeps_to_the_districts_of_the_province(tmp_path, monkeypatch):
    from helpers import district_week, params

    _params_with_comparison(tmp_path, monkeypatch, "province")
    assert [d.slug for d in params.compared_with(params.district("phu-tan"))] == ["cho-moi", "phu-tan"]
    assert [d.slug for d in params.compared_with(params.district("thap-muoi"))] == ["thap-muoi"]
    recs = frame(cho_moi() + phu_tan() + thap_muoi())
    an_giang = district_week.from_records("cho-moi", W49, recs).comparison
    assert set(an_giang["district"]) == {"Chợ Mới", "Phú Tân"}
    dong_thap = district_week.from_records("thap-muoi", W49, recs).comparison
    assert set(dong_thap["district"]) == {"Tháp Mười"} and len(dong_thap) == 13


def test_an_unknown_comparison_group_is_a_params_error(tmp_path, monkeypatch):
    from helpers import params
    from helpers.errors import ParamsError

    _params_with_comparison(tmp_path, monkeypatch, "region")
    with pytest.raises(ParamsError, match="comparison.*all, province.*'region'"):
        params.compared_with(params.district("cho-moi"))


def test_a_district_without_a_report_yet_is_told_where_to_put_one(scratch, monkeypatch):
    from helpers import district_week
    from helpers.errors import ChisoError

    recs = frame(phu_tan())  # no record of Chợ Mới
    week = district_week.from_records("cho-moi", parse_week_arg("2023-W41"), recs)
    with pytest.raises(ChisoError) as exc:
        week.require()
    assert str(exc.value) == ("huyện Chợ Mới chưa có báo cáo nào có số liệu đến tuần 2 tháng 10/2023 (tuần 2023-W41): "
                              "hãy nạp báo cáo vào data/raw/cho-moi/")
    monkeypatch.setenv("CHISO_RAW", str(scratch / "raw"))
    with pytest.raises(ChisoError, match=f"hãy nạp báo cáo vào {scratch / 'raw' / 'cho-moi'}/$"):
        week.require()


def test_the_narrative_compares_districts_on_their_official_scores_when_each_has_one(scratch, monkeypatch):
    """Compared within the province, Chợ Mới and Phú Tân both print a district score: the narrative ranks
    them on it (not on their units' mean). Tháp Mười, alone in its province, gets no comparison."""
    from helpers import district_week, ingest, report
    from tests.conftest import SEEDS

    _params_with_comparison(scratch, monkeypatch, "province")
    ingest.ingest_paths([SEEDS["cho-moi"], SEEDS["phu-tan"], SEEDS["thap-muoi"]])
    text = report.narrative_text(district_week.load("cho-moi", W49))
    assert ("- Trong 2 huyện được so sánh, huyện Chợ Mới đứng thứ 2/2 về điểm tổng hợp: huyện Phú Tân 59.28 điểm "
            "(tuần 2 tháng 10/2023) và huyện Chợ Mới 57.45 điểm.") in text.splitlines()
    assert "điểm bình quân" not in text
    alone = report.narrative_text(district_week.load("thap-muoi", W49))
    assert "So sánh" not in alone and "hạng 1/13" not in alone
    # every district compared: Tháp Mười has no official score, so the mean of the units, said so
    monkeypatch.delenv("CHISO_PARAMS")
    text = report.narrative_text(district_week.load("cho-moi", W49))
    assert "xét điểm bình quân của các đơn vị cấp xã (không phải điểm tổng hợp của huyện), huyện Chợ Mới đứng thứ 3/3" in text


def test_the_plain_text_narrative_says_when_its_data_is_older_than_the_week(scratch):
    from helpers import district_week, ingest, report
    from tests.conftest import SEEDS

    ingest.ingest_paths([SEEDS["cho-moi"], SEEDS["phu-tan"], SEEDS["thap-muoi"]])
    phu_tan = report.narrative_text(district_week.load("phu-tan", W49)).splitlines()
    assert ("Số liệu chốt ngày 09/10/2023 (tuần 2 tháng 10/2023). Huyện chưa có số liệu của tuần 1 tháng 12/2023 "
            "(chốt ngày 04/12/2023); dùng số liệu mới nhất của huyện, tuần 2 tháng 10/2023.") in phu_tan
    thap_muoi = report.narrative_text(district_week.load("thap-muoi", W49))
    assert "Số liệu của kỳ tháng 9 năm 2023 (văn bản chỉ ghi tháng, không ghi tuần)." in thap_muoi
    cho_moi = report.narrative_text(district_week.load("cho-moi", W49))
    assert "Số liệu chốt ngày" not in cho_moi and "chưa có số liệu" not in cho_moi  # the heading says it


def test_the_index_gives_a_band_only_to_a_printed_district_score():
    from helpers import district_week, report

    entry = report.index_entry(district_week.from_records("cho-moi", W49, frame(cho_moi())), "a.html", "a.pdf")
    assert (entry["score"], entry["score_kind"], entry["band"]) == (57.45, "total", "Trung bình")
    # the total row printed without its score: the units' mean, without a band
    rows = cho_moi()
    rows[0]["score"] = None
    entry = report.index_entry(district_week.from_records("cho-moi", W49, frame(rows)), "a.html", "a.pdf")
    assert entry["score_kind"] == "mean" and entry["band"] is None
    assert entry["score"] == pytest.approx(sum(r[3] for r in CHO_MOI) / len(CHO_MOI))
