"""Scoring (helpers.score): period selection, effective records, bands, gaps, targets and flags.

Expected values are computed by hand from the seed documents (Chợ Mới 04/12/2023, Phú Tân 09/10/2023,
Tháp Mười tháng 9/2023) and from params/ as shipped.
"""

from datetime import date

import pandas as pd
import pytest

from helpers import params, records
from helpers.periods import month, parse_week_arg, week
from helpers.score import period_records, score_district, score_records, select_period
from helpers.store import Snapshot, Store

CM, PT, TM = "893", "888", "872"
DISTRICT_NAMES = {CM: "Chợ Mới", PT: "Phú Tân", TM: "Tháp Mười"}
PROVINCES = {CM: "An Giang", PT: "An Giang", TM: "Đồng Tháp"}

# Chợ Mới, appendix of the 04/12/2023 report: printed row, unit, type, code, score, band, previous
# score, change, transparency, progress, online, payment, digitisation (%).
CHO_MOI = [
    (1, "Chợ Mới", "thị trấn", "30628", 65.79, "Trung bình", 65.41, 0.38, 72.6, 99.67, 20.1, 28.19, 33.3),
    (2, "Nhơn Mỹ", "xã", "30658", 64.55, "Trung bình", 64.25, 0.30, 79.6, 99.35, 12.8, 26.05, 26.6),
    (3, "Bình Phước Xuân", "xã", "30667", 63.82, "Trung bình", 63.47, 0.35, 78.7, 99.89, 11.1, 21.15, 25),
    (4, "Long Điền A", "xã", "30640", 63.28, "Trung bình", 62.99, 0.29, 87.2, 99.56, 7, 10.08, 22.5),
    (5, "Tấn Mỹ", "xã", "30643", 62.35, "Trung bình", 61.12, 1.23, 72, 99.9, 12.9, 14.95, 28),
    (6, "Long Điền B", "xã", "30646", 62.24, "Trung bình", 61.9, 0.34, 73.2, 99.71, 13.2, 7.76, 28.8),
    (7, "Long Kiến", "xã", "30664", 61.86, "Trung bình", 61.63, 0.23, 75.2, 99.98, 9.3, 11.01, 26.3),
    (8, "Mỹ Luông", "thị trấn", "30631", 59.94, "Trung bình", 59.72, 0.22, 61.7, 99.74, 10.6, 15.94, 25.6),
    (9, "Hòa An", "xã", "30679", 58.28, "Trung bình", 57.80, 0.48, 65.6, 99.55, 4.6, 10.55, 21.6),
    (10, "Kiến Thành", "xã", "30649", 58.25, "Trung bình", 58.02, 0.23, 54.4, 99.96, 9.4, 16.31, 23.6),
    (11, "An Thạnh Trung", "xã", "30670", 57.81, "Trung bình", 57.02, 0.79, 58.6, 99.76, 5.5, 10.92, 23.5),
    (12, "Hòa Bình", "xã", "30676", 56.9, "Trung bình", 56.66, 0.24, 60.1, 99.63, 3.6, 5.27, 21.6),
    (13, "Hội An", "thị trấn", "30673", 56.84, "Trung bình", 56.73, 0.11, 37.7, 98.06, 15.5, 22.59, 30.1),
    (14, "Long Giang", "xã", "30661", 55.8, "Trung bình", 55.41, 0.39, 45.6, 99.51, 13.3, 6.45, 26.9),
    (15, "Mỹ An", "xã", "30655", 54.01, "Trung bình", 53.98, 0.03, 38.4, 99.89, 5.40, 12.89, 21.5),
    (16, "Mỹ Hiệp", "xã", "30652", 51.39, "Trung bình", 51.18, 0.21, 26.4, 99.88, 5.40, 7.42, 21.9),
    (17, "Mỹ Hội Đông", "xã", "30637", 51.1, "Trung bình", 56.88, -5.78, 82.9, 99.82, 6.9, 17.75, 21.8),
    (18, "Kiến An", "xã", "30634", 49.18, "Yếu", 49.03, 0.15, 19.3, 99.84, 5.4, 7.56, 22.5),
]
CHO_MOI_TOTAL = (None, "Chợ Mới", "huyện", "893", 57.45, "Trung bình", 57.16, 0.29, 59.8, 94.26, 7.7, 12.17, 25.4)

# Phú Tân, table of 09/10/2023: row, unit, type, code, score, previous score, change (all Trung bình).
PHU_TAN = [
    (1, "Phú Lâm", "xã", "30421", 63.15, 63.08, 0.07), (2, "Phú An", "xã", "30436", 61.14, 61.03, 0.11),
    (3, "Hiệp Xương", "xã", "30442", 61.03, 60.91, 0.12), (4, "Phú Thạnh", "xã", "30427", 60.64, 60.56, 0.08),
    (5, "Phú Hưng", "xã", "30451", 59.25, 59.18, 0.07), (6, "Phú Thành", "xã", "30433", 59, 58.8, 0.2),
    (7, "Phú Mỹ", "thị trấn", "30406", 58.79, 58.7, 0.09), (8, "Tân Hòa", "xã", "30457", 58.72, 58.51, 0.21),
    (9, "Chợ Vàm", "thị trấn", "30409", 58.6, 58.5, 0.1), (10, "Tân Trung", "xã", "30460", 58.59, 58.55, 0.04),
    (11, "Phú Hiệp", "xã", "30424", 58.28, 57.83, 0.45), (12, "Long Hòa", "xã", "30415", 58.1, 58.01, 0.09),
    (13, "Phú Long", "xã", "30418", 58.09, 57.85, 0.24), (14, "Hòa Lạc", "xã", "30430", 57.96, 57.81, 0.15),
    (15, "Phú Thọ", "xã", "30448", 57.88, 57.82, 0.06), (16, "Phú Bình", "xã", "30445", 57.09, 56.84, 0.25),
    (17, "Bình Thạnh Đông", "xã", "30454", 56.75, 56.5, 0.25), (18, "Phú Xuân", "xã", "30439", 56.62, 56.61, 0.01),
]

# Tháp Mười, footnote of the September 2023 letter: unit, type, code, score.
THAP_MUOI = [
    ("Thạnh Lợi", "xã", "30040", 70.19), ("Hưng Thạnh", "xã", "30043", 69.45),
    ("Trường Xuân", "xã", "30046", 68.97), ("Mỹ Hòa", "xã", "30052", 73.33),
    ("Mỹ Quý", "xã", "30055", 73.11), ("Mỹ Đông", "xã", "30058", 72.03),
    ("Láng Biển", "xã", "30070", 72.03), ("Tân Kiều", "xã", "30049", 71.44),
    ("Đốc Binh Kiều", "xã", "30061", 69.98), ("Mỹ An", "xã", "30064", 73.53),
    ("Mỹ An", "thị trấn", "30037", 70.41), ("Phú Điền", "xã", "30067", 73.37),
    ("Thanh Mỹ", "xã", "30073", 66.98),
]


def rec(code, unit, unit_type, unit_code, as_of, score, **kw) -> dict:
    period_kind = "month" if len(as_of) == 7 else "week"
    row = {"district": DISTRICT_NAMES[code], "unit": unit, "unit_type": unit_type, "unit_code": unit_code,
           "as_of": as_of, "week": week(date.fromisoformat(as_of)).iso_week if period_kind == "week" else "",
           "score": score, "district_code": code, "province": PROVINCES[code], "period_kind": period_kind,
           "derived": False, "source": "test.txt"}
    row.update(kw)
    return row


def frame(rows: list[dict]) -> pd.DataFrame:
    return records.coerce(pd.DataFrame(rows))


def cho_moi_rows(as_of="2023-12-04", with_derived=True) -> list[dict]:
    out = []
    for i, (stt, unit, utype, ucode, score, band, prev, delta, t, p, o, pay, dig) in enumerate(
            [CHO_MOI_TOTAL] + CHO_MOI):
        out.append(rec(CM, unit, utype, ucode, as_of, score, band=band, prev_score=prev, delta=delta,
                       transparency_pct=t, progress_pct=p, online_pct=o, payment_pct=pay, digitization_pct=dig,
                       reported_rank=stt, source_line=100 + i,
                       **({"province_rank": 7, "province_rank_of": 11} if utype == "huyện" else {})))
        if with_derived:
            prev_cut = (week(date.fromisoformat(as_of)).previous_week()).as_of
            out.append(rec(CM, unit, utype, ucode, prev_cut, prev, derived=True, source_line=100 + i))
    return out


def phu_tan_rows() -> list[dict]:
    out = [rec(PT, "Phú Tân", "huyện", PT, "2023-10-09", 59.28, band="Trung bình", prev_score=59.11, delta=0.17,
               province_rank=2, province_rank_of=11)]
    for stt, unit, utype, ucode, score, prev, delta in PHU_TAN:
        out.append(rec(PT, unit, utype, ucode, "2023-10-09", score, band="Trung bình", prev_score=prev,
                       delta=delta, reported_rank=stt))
    return out


def thap_muoi_rows() -> list[dict]:
    return [rec(TM, unit, utype, ucode, "2023-09", score) for unit, utype, ucode, score in THAP_MUOI]


def by_code(scored: pd.DataFrame, code: str) -> pd.Series:
    rows = scored[scored["unit_code"] == code]
    assert len(rows) == 1
    return rows.iloc[0]


# -- select_period ----------------------------------------------------------------------------

def test_select_period_week_and_older_data_for_newer_week():
    recs = frame(cho_moi_rows())
    assert select_period(recs, CM, parse_week_arg("2023-W49")) == week(date(2023, 12, 4))
    assert select_period(recs, CM, parse_week_arg("2023-12-06")) == week(date(2023, 12, 4))
    # a newer week asked: the newest older data serves it
    assert select_period(recs, CM, parse_week_arg("2023-W51")) == week(date(2023, 12, 4))
    # only derived rows (the previous-week column) exist for W48: no reported period
    assert select_period(recs, CM, parse_week_arg("2023-W48")) is None
    # another district's data never count
    assert select_period(recs, PT, parse_week_arg("2023-W49")) is None


def test_select_period_picks_newest_not_newer_than_asked():
    recs = frame(cho_moi_rows("2023-11-27", with_derived=False) + cho_moi_rows("2023-12-04", with_derived=False))
    assert select_period(recs, CM, parse_week_arg("2023-W48")) == week(date(2023, 11, 27))
    assert select_period(recs, CM, parse_week_arg("2023-W49")) == week(date(2023, 12, 4))
    assert select_period(recs, CM, parse_week_arg("2023-W47")) is None


def test_select_period_month_only():
    recs = frame(thap_muoi_rows())
    assert select_period(recs, TM, parse_week_arg("2023-W39")) == month(2023, 9)
    assert select_period(recs, TM, parse_week_arg("2023-W49")) == month(2023, 9)
    # W35 runs 28/08–03/09: the month's first day is inside it
    assert select_period(recs, TM, parse_week_arg("2023-W35")) == month(2023, 9)
    assert select_period(recs, TM, parse_week_arg("2023-W34")) is None
    # a later week report beats the month, an earlier one does not
    later = frame(thap_muoi_rows() + [rec(TM, "Thanh Mỹ", "xã", "30073", "2023-10-02", 67.5)])
    assert select_period(later, TM, parse_week_arg("2023-W40")) == week(date(2023, 10, 2))
    assert select_period(later, TM, parse_week_arg("2023-W39")) == month(2023, 9)
    earlier = frame(thap_muoi_rows() + [rec(TM, "Thanh Mỹ", "xã", "30073", "2023-08-28", 65.0)])
    assert select_period(earlier, TM, parse_week_arg("2023-W40")) == month(2023, 9)


# -- period_records ---------------------------------------------------------------------------

def test_period_records_prefers_reported_over_derived_and_first_ingested():
    rows = [
        rec(CM, "Kiến An", "xã", "30634", "2023-11-27", 49.03, derived=True, source="later.txt"),
        rec(CM, "Kiến An", "xã", "30634", "2023-11-27", 49.10, source="first.txt"),
        rec(CM, "Kiến An", "xã", "30634", "2023-11-27", 49.20, source="second.txt"),
        rec(CM, "Mỹ An", "xã", "30655", "2023-11-27", 53.98, derived=True, source="later.txt"),
        rec(CM, "Mỹ An", "xã", "30655", "2023-11-20", 53.50, source="old.txt"),
    ]
    got = period_records(frame(rows), CM, week(date(2023, 11, 27)))
    assert list(got["unit_code"]) == ["30634", "30655"]
    assert list(got["score"]) == [49.10, 53.98]
    assert list(got["source"]) == ["first.txt", "later.txt"]
    assert list(got["derived"]) == [False, True]
    assert period_records(frame(rows), CM, week(date(2023, 12, 4))).empty


# -- score_records: bands and distances -------------------------------------------------------

BOUNDARIES = [  # score, band, next band, points to next band, points to 15.3
    (49.99, "Yếu", "Trung bình", 0.01, 30.01),
    (50, "Trung bình", "Khá", 20.0, 30.0),
    (69.99, "Trung bình", "Khá", 0.01, 10.01),
    (70, "Khá", "Tốt", 10.0, 10.0),
    (79.99, "Khá", "Tốt", 0.01, 0.01),
    (80, "Tốt", "Xuất sắc", 10.0, 0.0),
    (89.99, "Tốt", "Xuất sắc", 0.01, 0.0),
    (90, "Xuất sắc", None, None, 0.0),
    (100, "Xuất sắc", None, None, 0.0),
    (0, "Yếu", "Trung bình", 50.0, 80.0),
]


def test_band_boundaries_exactly():
    units = [u for u in CHO_MOI][: len(BOUNDARIES)]
    rows = [rec(CM, u[1], u[2], u[3], "2023-12-04", b[0]) for u, b in zip(units, BOUNDARIES)]
    scored = score_records(frame(rows))
    for (score, band, nxt, to_next, to_15_3), (_, row) in zip(BOUNDARIES, scored.iterrows()):
        assert row["band_computed"] == band, score
        if nxt is None:
            assert pd.isna(row["next_band"]) and pd.isna(row["points_to_next_band"]), score
        else:
            assert row["next_band"] == nxt, score
            assert row["points_to_next_band"] == pytest.approx(to_next), score
        assert row["points_to_15_3"] == pytest.approx(to_15_3), score
    assert not scored["band_mismatch"].any()


def test_missing_score_stays_missing():
    scored = score_records(frame([rec(CM, "Kiến An", "xã", "30634", "2023-12-04", None, band="Yếu")]))
    row = scored.iloc[0]
    for col in ["band_computed", "next_band", "points_to_next_band", "points_to_15_3", "delta_computed"]:
        assert pd.isna(row[col]), col
    assert not row["band_mismatch"] and not row["notable_drop"] and not row["delta_mismatch"]


# -- score_records on the seeds ---------------------------------------------------------------

def test_cho_moi_bands_changes_and_drops():
    recs = frame(cho_moi_rows())
    scored = score_district(recs, "cho-moi", parse_week_arg("2023-W49"))
    assert len(scored) == 19
    assert scored.iloc[0]["unit_type"] == "huyện"
    units = scored[scored["unit_type"] != "huyện"]
    assert list(units.loc[units["band_computed"] == "Yếu", "unit"]) == ["Kiến An"]
    assert (units.loc[units["unit"] != "Kiến An", "band_computed"] == "Trung bình").all()
    assert not scored["band_mismatch"].any()
    assert not scored["delta_mismatch"].any()
    assert not scored["prev_from_store"].any()  # every previous score is printed
    assert list(scored.loc[scored["notable_drop"], "unit"]) == ["Mỹ Hội Đông"]
    mhd = by_code(scored, "30637")
    assert mhd["score"] == 51.1 and mhd["prev_score"] == 56.88
    assert mhd["delta_computed"] == pytest.approx(-5.78)
    ka = by_code(scored, "30634")
    assert ka["next_band"] == "Trung bình"
    assert ka["points_to_next_band"] == pytest.approx(0.82)
    assert ka["points_to_15_3"] == pytest.approx(30.82)
    total = by_code(scored, "893")
    assert total["band_computed"] == "Trung bình"
    assert total["delta_computed"] == pytest.approx(0.29)
    assert not total["target_15_3"]
    # no criterion 15.3 communes in Chợ Mới's params
    assert not scored["target_15_3"].any() and scored["deadline_15_3"].isna().all()


def test_cho_moi_component_targets():
    scored = score_district(frame(cho_moi_rows()), "cho-moi", parse_week_arg("2023-W49"))
    assert "progress_pct_target" not in scored.columns  # no target for progress in params
    ka = by_code(scored, "30634")
    assert ka["transparency_pct_target"] == 100
    assert ka["transparency_pct_met"] == False
    assert ka["transparency_pct_gap"] == pytest.approx(80.7)
    assert ka["payment_pct_gap"] == pytest.approx(22.44)
    cm = by_code(scored, "30628")
    assert cm["payment_pct_gap"] == pytest.approx(1.81)
    assert cm["online_pct_gap"] == pytest.approx(29.9)
    assert cm["digitization_pct_gap"] == pytest.approx(46.7)
    for c in ["transparency_pct", "online_pct", "payment_pct", "digitization_pct"]:
        assert not scored[f"{c}_met"].any(), c
        assert str(scored[f"{c}_met"].dtype) == "boolean"
    # digitisation is far below 80% everywhere: every unit misses it by more than 45 points
    assert (scored.loc[scored["unit_type"] != "huyện", "digitization_pct_gap"] > 45).all()


def test_phu_tan_all_trung_binh():
    scored = score_district(frame(phu_tan_rows()), "phu-tan", parse_week_arg("2023-W41"))
    assert len(scored) == 19
    assert set(scored["band_computed"]) == {"Trung bình"}
    assert not scored["band_mismatch"].any() and not scored["delta_mismatch"].any()
    assert not scored["notable_drop"].any()
    assert by_code(scored, "30451")["delta_computed"] == pytest.approx(0.07)  # Phú Hưng


def test_thap_muoi_month_15_3_and_missing_components():
    scored = score_district(frame(thap_muoi_rows()), "thap-muoi", parse_week_arg("2023-W39"))
    assert len(scored) == 13
    assert (scored["band_computed"] == "Khá").sum() == 9
    assert sorted(scored.loc[scored["band_computed"] == "Trung bình", "unit"]) == sorted(
        ["Hưng Thạnh", "Trường Xuân", "Đốc Binh Kiều", "Thanh Mỹ"])
    targets = scored[scored["target_15_3"]]
    assert sorted(targets["unit_code"]) == ["30046", "30067"]
    pd_row, tx_row = by_code(scored, "30067"), by_code(scored, "30046")
    assert pd_row["points_to_15_3"] == pytest.approx(6.63)
    assert tx_row["points_to_15_3"] == pytest.approx(11.03)
    assert pd_row["deadline_15_3"] == "2023-12-31" == tx_row["deadline_15_3"]
    assert pd_row["days_to_deadline"] == 92  # from 30/09/2023, the end of the month reported
    assert scored.loc[~scored["target_15_3"], "deadline_15_3"].isna().all()
    assert scored.loc[~scored["target_15_3"], "days_to_deadline"].isna().all()
    # the letter gives scores only: no components, no previous week
    for c in ["transparency_pct", "online_pct", "payment_pct", "digitization_pct"]:
        assert scored[f"{c}_met"].isna().all() and scored[f"{c}_gap"].isna().all(), c
    assert scored["delta_computed"].isna().all()
    assert not scored["notable_drop"].any() and not scored["prev_from_store"].any()
    # two units named Mỹ An, told apart by code
    assert by_code(scored, "30064")["score"] == 73.53 and by_code(scored, "30037")["score"] == 70.41


def test_deadline_days_from_week_end():
    rows = [rec(TM, "Phú Điền", "xã", "30067", "2023-12-04", 79.5)]
    row = score_records(frame(rows)).iloc[0]
    assert row["target_15_3"] and row["days_to_deadline"] == 27
    assert row["points_to_15_3"] == pytest.approx(0.5)


# -- flags -------------------------------------------------------------------------------------

def test_missing_previous_week_and_printed_flags():
    rows = [
        rec(CM, "Kiến An", "xã", "30634", "2023-12-04", 49.18, prev_score=None, delta=None),
        rec(CM, "Mỹ An", "xã", "30655", "2023-12-04", 54.01, prev_score=None, delta=-1.5),  # printed only
        rec(CM, "Mỹ Hiệp", "xã", "30652", "2023-12-04", 51.39, prev_score=51.18, delta=0.5),  # wrong
        rec(CM, "Hòa An", "xã", "30679", "2023-12-04", 58.28, prev_score=57.80, delta=0.47),  # within 0.01
        rec(CM, "Hòa Bình", "xã", "30676", "2023-12-04", 56.9, band="Khá"),  # printed band wrong
        rec(CM, "Long Giang", "xã", "30661", "2023-12-04", 55.0, prev_score=56.0),  # exactly −1 computed
        rec(CM, "Tấn Mỹ", "xã", "30643", "2023-12-04", 55.0, prev_score=55.99),  # −0.99: not notable
    ]
    s = score_records(frame(rows))
    assert pd.isna(s.loc[0, "delta_computed"]) and not s.loc[0, "notable_drop"] and not s.loc[0, "delta_mismatch"]
    assert pd.isna(s.loc[1, "delta_computed"]) and s.loc[1, "notable_drop"] and not s.loc[1, "delta_mismatch"]
    assert s.loc[2, "delta_computed"] == pytest.approx(0.21) and s.loc[2, "delta_mismatch"]
    assert s.loc[3, "delta_computed"] == pytest.approx(0.48) and not s.loc[3, "delta_mismatch"]
    assert s.loc[4, "band_mismatch"] and s.loc[4, "band_computed"] == "Trung bình"
    assert s.loc[5, "delta_computed"] == pytest.approx(-1.0) and s.loc[5, "notable_drop"]
    assert not s.loc[6, "notable_drop"]
    assert list(s["band_mismatch"]) == [False, False, False, False, True, False, False]


def test_partial_components():
    rows = [rec(CM, "Kiến An", "xã", "30634", "2023-12-04", 60, transparency_pct=100, online_pct=None,
                payment_pct=30, digitization_pct=79.99)]
    row = score_records(frame(rows)).iloc[0]
    assert row["transparency_pct_met"] == True and row["transparency_pct_gap"] == 0
    assert pd.isna(row["online_pct_met"]) and pd.isna(row["online_pct_gap"])
    assert row["payment_pct_met"] == True and row["payment_pct_gap"] == 0
    assert row["digitization_pct_met"] == False
    assert row["digitization_pct_gap"] == pytest.approx(0.01)
    assert row["online_pct_target"] == 50 and row["payment_pct_target"] == 30


# -- score_district -----------------------------------------------------------------------------

def test_prev_score_filled_from_the_stores_previous_week():
    rows = [
        # week 27/11: one reported row, one derived (from another report) row
        rec(CM, "Kiến An", "xã", "30634", "2023-11-27", 50.00),
        rec(CM, "Mỹ An", "xã", "30655", "2023-11-27", 54.50, derived=True),
        rec(CM, "Hòa An", "xã", "30679", "2023-11-27", 58.00),
        # week 04/12: no previous-week column, except for Hòa An
        rec(CM, "Kiến An", "xã", "30634", "2023-12-04", 49.18),
        rec(CM, "Mỹ An", "xã", "30655", "2023-12-04", 54.01),
        rec(CM, "Hòa An", "xã", "30679", "2023-12-04", 58.28, prev_score=57.80, delta=0.48),
        rec(CM, "Mỹ Hiệp", "xã", "30652", "2023-12-04", 51.39),  # nothing in the store for 27/11
    ]
    scored = score_district(frame(rows), "cho-moi", parse_week_arg("2023-W49"))
    ka, ma, ha, mh = (by_code(scored, c) for c in ["30634", "30655", "30679", "30652"])
    assert ka["prev_score"] == 50.00 and ka["prev_from_store"]
    assert ka["delta_computed"] == pytest.approx(-0.82)
    assert ma["prev_score"] == 54.50 and ma["prev_from_store"] and ma["delta_computed"] == pytest.approx(-0.49)
    assert ha["prev_score"] == 57.80 and not ha["prev_from_store"]
    assert pd.isna(mh["prev_score"]) and not mh["prev_from_store"] and pd.isna(mh["delta_computed"])


def test_score_district_serves_older_data_and_none_without_data():
    recs = frame(cho_moi_rows() + phu_tan_rows() + thap_muoi_rows())
    scored = score_district(recs, "phu-tan", parse_week_arg("2023-W49"))
    assert set(scored["as_of"]) == {"2023-10-09"}
    assert score_district(recs, "phu-tan", parse_week_arg("2023-W40")) is None
    tm = score_district(recs, "thap-muoi", parse_week_arg("2023-W49"))
    assert set(tm["as_of"]) == {"2023-09"} and len(tm) == 13
    assert score_district(records.empty(records.STORE_COLUMNS), "cho-moi", parse_week_arg("2023-W49")) is None


def test_score_district_through_the_store(tmp_path):
    store = Store(tmp_path / "store")
    recs = frame(cho_moi_rows())
    store.update(lambda snap: Snapshot(snap.generation, recs, snap.findings, snap.sources))
    scored = score_district(store.records(), "cho-moi", parse_week_arg("2023-W49"))
    assert len(scored) == 19
    assert list(scored.loc[scored["notable_drop"], "unit_code"]) == ["30637"]
    assert params.policy().min_score_15_3 == 80  # the hand-computed values above assume params as shipped
