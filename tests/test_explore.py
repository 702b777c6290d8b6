"""The interactive layer (helpers.explore): the pure helpers behind every widget, then each panel built
and driven by setting a widget's value.

Records are built by hand from the seed documents (Chợ Mới 04/12/2023 with its previous-week column,
Phú Tân 09/10/2023, Tháp Mười tháng 9/2023); expected values are worked out from them and params/ as
shipped. One test also ingests the shipped seeds into a scratch store when helpers.parsers is ready.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from helpers import explore, panels, params, records
from helpers.errors import UsageError
from helpers.notebook import Run
from helpers.periods import month, parse_week_arg, week
from helpers.score import score_compared, score_district

CM, PT, TM = "893", "888", "872"
NAMES = {CM: "Chợ Mới", PT: "Phú Tân", TM: "Tháp Mười"}
PROVINCES = {CM: "An Giang", PT: "An Giang", TM: "Đồng Tháp"}

# Chợ Mới 04/12/2023 appendix: unit, type, code, score, band, previous score, change, transparency,
# progress, online, payment, digitisation (%).
CHO_MOI = [
    ("Chợ Mới", "thị trấn", "30628", 65.79, "Trung bình", 65.41, 0.38, 72.6, 99.67, 20.1, 28.19, 33.3),
    ("Nhơn Mỹ", "xã", "30658", 64.55, "Trung bình", 64.25, 0.30, 79.6, 99.35, 12.8, 26.05, 26.6),
    ("Bình Phước Xuân", "xã", "30667", 63.82, "Trung bình", 63.47, 0.35, 78.7, 99.89, 11.1, 21.15, 25),
    ("Long Điền A", "xã", "30640", 63.28, "Trung bình", 62.99, 0.29, 87.2, 99.56, 7, 10.08, 22.5),
    ("Tấn Mỹ", "xã", "30643", 62.35, "Trung bình", 61.12, 1.23, 72, 99.9, 12.9, 14.95, 28),
    ("Long Điền B", "xã", "30646", 62.24, "Trung bình", 61.9, 0.34, 73.2, 99.71, 13.2, 7.76, 28.8),
    ("Long Kiến", "xã", "30664", 61.86, "Trung bình", 61.63, 0.23, 75.2, 99.98, 9.3, 11.01, 26.3),
    ("Mỹ Luông", "thị trấn", "30631", 59.94, "Trung bình", 59.72, 0.22, 61.7, 99.74, 10.6, 15.94, 25.6),
    ("Hòa An", "xã", "30679", 58.28, "Trung bình", 57.80, 0.48, 65.6, 99.55, 4.6, 10.55, 21.6),
    ("Kiến Thành", "xã", "30649", 58.25, "Trung bình", 58.02, 0.23, 54.4, 99.96, 9.4, 16.31, 23.6),
    ("An Thạnh Trung", "xã", "30670", 57.81, "Trung bình", 57.02, 0.79, 58.6, 99.76, 5.5, 10.92, 23.5),
    ("Hòa Bình", "xã", "30676", 56.9, "Trung bình", 56.66, 0.24, 60.1, 99.63, 3.6, 5.27, 21.6),
    ("Hội An", "thị trấn", "30673", 56.84, "Trung bình", 56.73, 0.11, 37.7, 98.06, 15.5, 22.59, 30.1),
    ("Long Giang", "xã", "30661", 55.8, "Trung bình", 55.41, 0.39, 45.6, 99.51, 13.3, 6.45, 26.9),
    ("Mỹ An", "xã", "30655", 54.01, "Trung bình", 53.98, 0.03, 38.4, 99.89, 5.40, 12.89, 21.5),
    ("Mỹ Hiệp", "xã", "30652", 51.39, "Trung bình", 51.18, 0.21, 26.4, 99.88, 5.40, 7.42, 21.9),
    ("Mỹ Hội Đông", "xã", "30637", 51.1, "Trung bình", 56.88, -5.78, 82.9, 99.82, 6.9, 17.75, 21.8),
    ("Kiến An", "xã", "30634", 49.18, "Yếu", 49.03, 0.15, 19.3, 99.84, 5.4, 7.56, 22.5),
]
CHO_MOI_TOTAL = ("Chợ Mới", "huyện", CM, 57.45, "Trung bình", 57.16, 0.29, 59.8, 94.26, 7.7, 12.17, 25.4)
PHU_TAN = [
    ("Phú Lâm", "xã", "30421", 63.15, 63.08, 0.07), ("Phú An", "xã", "30436", 61.14, 61.03, 0.11),
    ("Hiệp Xương", "xã", "30442", 61.03, 60.91, 0.12), ("Phú Mỹ", "thị trấn", "30406", 58.79, 58.7, 0.09),
    ("Phú Xuân", "xã", "30439", 56.62, 56.61, 0.01),
]
THAP_MUOI = [("Mỹ An", "xã", "30064", 73.53), ("Phú Điền", "xã", "30067", 73.37),
             ("Trường Xuân", "xã", "30046", 68.97), ("Thanh Mỹ", "xã", "30073", 66.98)]
COMPONENTS = ["transparency_pct", "progress_pct", "online_pct", "payment_pct", "digitization_pct"]
KIEN_AN, MY_HOI_DONG, CHO_MOI_TT = "30634", "30637", "30628"


def rec(code, unit, unit_type, unit_code, as_of, score, **kw) -> dict:
    kind = "month" if len(as_of) == 7 else "week"
    row = {"district": NAMES[code], "unit": unit, "unit_type": unit_type, "unit_code": unit_code, "as_of": as_of,
           "week": week(date.fromisoformat(as_of)).iso_week if kind == "week" else "", "score": score,
           "district_code": code, "province": PROVINCES[code], "period_kind": kind, "derived": False,
           "source": "seed.txt"}
    row.update(kw)
    return row


def store_records() -> pd.DataFrame:
    rows = []
    for i, (unit, utype, ucode, score, band, prev, delta, *comps) in enumerate([CHO_MOI_TOTAL] + CHO_MOI):
        rows.append(rec(CM, unit, utype, ucode, "2023-12-04", score, band=band, prev_score=prev, delta=delta,
                        source_line=100 + i, **dict(zip(COMPONENTS, comps))))
        rows.append(rec(CM, unit, utype, ucode, "2023-11-27", prev, derived=True, source_line=100 + i))
    rows.append(rec(PT, "Phú Tân", "huyện", PT, "2023-10-09", 59.28, prev_score=59.11, delta=0.17))
    rows += [rec(PT, u, t, c, "2023-10-09", s, prev_score=p, delta=d) for u, t, c, s, p, d in PHU_TAN]
    rows += [rec(TM, u, t, c, "2023-09", s) for u, t, c, s in THAP_MUOI]
    return records.coerce(pd.DataFrame(rows))


@pytest.fixture(scope="module")
def recs() -> pd.DataFrame:
    return store_records()


@pytest.fixture(scope="module")
def scored(recs) -> pd.DataFrame:
    return score_district(recs, "cho-moi", parse_week_arg("2023-W49"))


def run_for(slug="cho-moi", week_arg="", interactive=True) -> Run:
    return Run(params.district(slug), parse_week_arg(week_arg) if week_arg else None, interactive)


# -- weeks, options ------------------------------------------------------------------------------

def test_available_weeks_are_reported_weeks_newest_first(recs):
    # the derived 27/11 rows and the September month are not weeks of reported data
    assert explore.available_weeks(recs) == [week(date(2023, 12, 4)), week(date(2023, 10, 9))]
    assert explore.asked_week(recs, "") == week(date(2023, 12, 4))
    assert explore.asked_week(recs, "2023-W41") == week(date(2023, 10, 9))
    with pytest.raises(UsageError):
        explore.asked_week(records.empty(records.STORE_COLUMNS), "")


def test_week_options_label_and_add_the_week_asked(recs):
    opts = explore.week_options(recs)
    assert opts == [("Tháng 12 – Tuần 1 (chốt số liệu 04/12/2023)", "2023-W49"),
                    ("Tháng 10 – Tuần 2 (chốt số liệu 09/10/2023)", "2023-W41")]
    with_asked = explore.week_options(recs, parse_week_arg("2023-W51"))
    assert [v for _, v in with_asked] == ["2023-W51", "2023-W49", "2023-W41"]


def test_district_and_unit_options(scored):
    assert explore.district_options() == [("Chợ Mới", "cho-moi"), ("Phú Tân", "phu-tan"),
                                          ("Tháp Mười", "thap-muoi")]
    opts = explore.unit_options(scored)
    assert opts[0] == ("Toàn huyện Chợ Mới", CM)
    assert len(opts) == 19
    labels = [label for label, _ in opts[1:]]
    assert labels[:3] == ["xã An Thạnh Trung", "xã Bình Phước Xuân", "thị trấn Chợ Mới"]
    assert ("xã Kiến An", KIEN_AN) in opts
    assert CM not in [c for _, c in explore.unit_options(scored, with_total=False)]


# -- ranking_for ---------------------------------------------------------------------------------

def test_ranking_for_latest_week(recs):
    ranked = explore.ranking_for(recs, "cho-moi", "")
    assert len(ranked) == 18
    assert list(ranked["unit"][:2]) == ["Chợ Mới", "Nhơn Mỹ"]
    assert list(ranked["rank"][:2]) == [1, 2]
    last = ranked.iloc[-1]
    assert (last["unit"], last["rank"], last["band_computed"]) == ("Kiến An", 18, "Yếu")
    mhd = ranked[ranked["unit_code"] == MY_HOI_DONG].iloc[0]
    assert (mhd["rank"], mhd["prev_rank"], mhd["rank_change"]) == (17, 12, -5)


def test_ranking_for_older_data_and_no_data(recs):
    # Phú Tân's newest data up to W49 are those of 09/10
    ranked = explore.ranking_for(recs, "phu-tan", "2023-W49")
    assert list(ranked["unit"]) == ["Phú Lâm", "Phú An", "Hiệp Xương", "Phú Mỹ", "Phú Xuân"]
    assert set(ranked["as_of"]) == {"2023-10-09"}
    # Chợ Mới has no reported week up to W41
    assert explore.ranking_for(recs, "cho-moi", "2023-W41").empty
    # Tháp Mười: the month-only letter serves any later week
    tm = explore.ranking_for(recs, "thap-muoi", "2023-W41")
    assert list(tm["rank"]) == [1, 2, 3, 4] and set(tm["as_of"]) == {"2023-09"}


def test_ranking_html_says_which_period(recs):
    text = explore.ranking_html(recs, "phu-tan", "2023-W49")
    assert "09/10/2023" in text and "Phú Lâm" in text and "chưa có số liệu của tuần 1 tháng 12/2023" in text
    assert "chưa có số liệu" in explore.ranking_html(recs, "cho-moi", "2023-W41")


# -- unit_history, unit_components ------------------------------------------------------------------

def test_unit_history_across_periods(recs):
    h = explore.unit_history(recs, KIEN_AN)
    assert list(h.columns) == explore.HISTORY_COLUMNS
    assert list(h["as_of"]) == ["2023-11-27", "2023-12-04"]
    assert list(h["score"]) == [49.03, 49.18]
    assert list(h["band"]) == ["Yếu", "Yếu"]
    assert list(h["derived"]) == [True, False]
    assert list(h["rank"]) == [18, 18] and list(h["rank_of"]) == [18, 18]
    assert h["delta"].iloc[1] == pytest.approx(0.15)
    assert pd.isna(h["delta"].iloc[0])
    assert list(h["period_label"]) == ["tuần 4 tháng 11/2023", "tuần 1 tháng 12/2023"]


def test_unit_history_of_a_unit_that_fell_and_of_the_total(recs):
    h = explore.unit_history(recs, MY_HOI_DONG)
    assert list(h["score"]) == [56.88, 51.1]
    assert list(h["rank"]) == [12, 17]
    total = explore.unit_history(recs, CM)
    assert list(total["score"]) == [57.16, 57.45]
    assert total["rank"].isna().all()
    month_only = explore.unit_history(recs, "30067")
    assert list(month_only["period_kind"]) == ["month"] and list(month_only["rank"]) == [2]
    assert explore.unit_history(recs, "99999").empty


def test_unit_components_against_targets(scored):
    c = explore.unit_components(scored, KIEN_AN).set_index("key")
    assert list(c.index) == COMPONENTS
    assert c.loc["transparency_pct", "value"] == 19.3
    assert c.loc["transparency_pct", "target"] == 100
    assert not c.loc["transparency_pct", "met"]
    assert c.loc["transparency_pct", "gap"] == pytest.approx(80.7)
    assert pd.isna(c.loc["progress_pct", "target"]) and pd.isna(c.loc["progress_pct", "met"])
    assert c.loc["online_pct", "gap"] == pytest.approx(44.6)
    assert c.loc["digitization_pct", "label"] == "Số hóa hồ sơ"
    with pytest.raises(UsageError):
        explore.unit_components(scored, "99999")


def test_unit_html(recs, scored):
    text = explore.unit_html(recs, scored, KIEN_AN)
    assert "xã Kiến An" in text and "49.18" in text and "chưa đạt" in text and "không có chỉ tiêu" in text
    assert "18/18" in text and "(cột tuần trước)" in text


# -- what_if ---------------------------------------------------------------------------------------

def test_what_if_nothing_changed_is_the_report(scored):
    r = explore.what_if(scored, KIEN_AN)
    assert (r.score, r.band, r.rank, r.rank_before, r.prev_rank, r.rank_of) == (49.18, "Yếu", 18, 18, 18, 18)
    assert r.next_band == "Trung bình" and r.points_to_next_band == pytest.approx(0.82)
    assert [u.unit.name for u in r.findings.lowest_band_units] == ["Kiến An"]


def test_what_if_score_changes_band_rank_and_findings(scored):
    r = explore.what_if(scored, KIEN_AN, score=60.0)
    assert (r.score_before, r.score) == (49.18, 60.0)
    assert (r.band_before, r.band) == ("Yếu", "Trung bình")
    # above Mỹ Luông (59.94), below Long Kiến (61.86)
    assert (r.rank_before, r.rank, r.prev_rank) == (18, 8, 18)
    assert r.findings.lowest_band_units == ()
    assert r.changed == {"score": 60.0}
    # the change is recomputed from the previous score, not the printed +0.15
    row = r.scored[r.scored["unit_code"] == KIEN_AN].iloc[0]
    assert row["delta_computed"] == pytest.approx(10.97) and pd.isna(row["delta"])
    # the source frame is untouched
    assert scored[scored["unit_code"] == KIEN_AN]["score"].iloc[0] == 49.18


def test_what_if_a_fall_becomes_notable(scored):
    base = explore.what_if(scored, MY_HOI_DONG)
    assert [c.unit.name for c in base.findings.drops] == ["Mỹ Hội Đông"]
    r = explore.what_if(scored, KIEN_AN, score=45.0)
    assert sorted(c.unit.name for c in r.findings.drops) == ["Kiến An", "Mỹ Hội Đông"]
    assert r.band == "Yếu" and r.rank == 18


def test_what_if_components_change_the_component_findings(scored):
    base = explore.what_if(scored, KIEN_AN).findings
    transparency = next(c for c in base.components if c.key == "transparency_pct")
    assert transparency.weakest[0].unit.name == "Kiến An"
    r = explore.what_if(scored, KIEN_AN, components={"transparency_pct": 100.0})
    comp = r.components.set_index("key")
    assert comp.loc["transparency_pct", "met"] and comp.loc["transparency_pct", "gap"] == 0
    after = next(c for c in r.findings.components if c.key == "transparency_pct")
    assert "Kiến An" not in [c.unit.name for c in after.below]
    assert len(after.below) == len(transparency.below) - 1
    assert r.score == 49.18 and r.rank == 18  # components are not the score formula


def test_what_if_with_other_districts_updates_the_comparison(recs, scored):
    others = score_compared(recs, params.district("cho-moi"), parse_week_arg("2023-W49"))
    assert set(others) == {"cho-moi", "phu-tan", "thap-muoi"}
    # W49: December, October and September data: no district is ranked against another, whatever the
    # what-if (district_week.comparable)
    assert explore.what_if(scored, CHO_MOI_TT, others=others).findings.comparison is None
    assert explore.what_if(scored, CHO_MOI_TT, score=95.0, others=others).findings.comparison is None
    # the same two districts reported for one week, each with its official score: ranked together
    same = {slug: frame.assign(as_of="2023-12-04", week="2023-W49")
            for slug, frame in others.items() if slug != "thap-muoi"}
    base = explore.what_if(scored, CHO_MOI_TT, others=same).findings.comparison
    assert (base.best[0].unit.name, base.best[0].overall_rank) == ("Chợ Mới", 1)
    low = explore.what_if(scored, CHO_MOI_TT, score=40.0, others=same).findings.comparison
    assert "Chợ Mới" not in [b.unit.name for b in low.best]


def test_what_if_refuses_bad_input(scored):
    with pytest.raises(UsageError):
        explore.what_if(scored, KIEN_AN, score=101)
    with pytest.raises(UsageError):
        explore.what_if(scored, KIEN_AN, components={"nope_pct": 1.0})
    with pytest.raises(UsageError):
        explore.what_if(scored, "99999", score=50)


def test_what_if_html(scored):
    text = explore.what_if_html(explore.what_if(scored, KIEN_AN, score=60.0))
    assert "xã Kiến An" in text
    assert "49.18 → <strong>60.00</strong>" in text
    assert "Yếu → <strong>Trung bình</strong>" in text
    assert "18 → <strong>8</strong>/18" in text


# -- findings_with, thresholds --------------------------------------------------------------------------

def test_policy_with_replaces_only_what_is_given():
    pol = params.policy()
    assert explore.policy_with() == pol
    changed = explore.policy_with(0.2, 2)
    assert (changed.notable_drop_points, changed.weakest_n) == (0.2, 2)
    assert changed.bands == pol.bands and pol.weakest_n == params.policy().weakest_n
    with pytest.raises(UsageError):
        explore.policy_with(weakest_n=0)
    with pytest.raises(UsageError):
        explore.policy_with(drop_threshold=-1)


def test_findings_with_threshold_and_weakest_n(scored):
    pol = params.policy()
    default = explore.findings_with(scored, "cho-moi")
    assert default.notable_drop_points == pol.notable_drop_points
    assert [c.unit.name for c in default.drops] == ["Mỹ Hội Đông"]
    assert explore.findings_with(scored, "cho-moi", drop_threshold=6).drops == ()
    assert explore.findings_with(scored, "cho-moi", drop_threshold=0).drops[0].unit.name == "Mỹ Hội Đông"
    # every other unit rose: no threshold above zero adds any
    assert len(explore.findings_with(scored, "cho-moi", drop_threshold=0.01).drops) == 1
    two = explore.findings_with(scored, "cho-moi", weakest_n=2)
    online = next(c for c in two.components if c.key == "online_pct")
    assert online.weakest_n == 2
    assert [c.unit.name for c in online.weakest[:2]] == ["Hòa Bình", "Hòa An"]


def test_threshold_bounds(scored):
    assert explore.threshold_bounds(scored) == (0.0, 6.0)  # largest fall: 5.78 (Mỹ Hội Đông)


def test_findings_html_and_summary(scored):
    found = explore.findings_with(scored, "cho-moi", drop_threshold=0.5)
    summary = explore.findings_summary_html(found)
    assert "0.50" in summary and "1 đơn vị giảm đáng chú ý" in summary
    assert "Mỹ Hội Đông" in explore.findings_html(found, scored)


# -- panels ------------------------------------------------------------------------------------------

def test_ranking_panel_follows_district_and_week(recs):
    panel = panels.build_ranking_panel(run_for(), recs)
    assert panel.controls["district"].value == "cho-moi"
    assert panel.controls["week"].value == "2023-W49"
    assert "Kiến An" in panel.view.value
    panel.controls["district"].value = "phu-tan"
    assert "Phú Lâm" in panel.view.value and "Kiến An" not in panel.view.value
    panel.controls["week"].value = "2023-W41"
    assert "09/10/2023" in panel.view.value
    panel.controls["district"].value = "cho-moi"
    assert "chưa có số liệu" in panel.view.value
    assert panel._repr_mimebundle_()["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.model_id


def test_unit_panel_follows_the_unit(recs):
    panel = panels.build_unit_panel(run_for(week_arg="2023-W49"), recs)
    assert panel.controls["unit"].value == CM
    assert "Toàn huyện Chợ Mới" in panel.view.value and "57.45" in panel.view.value
    panel.controls["unit"].value = MY_HOI_DONG
    assert "xã Mỹ Hội Đông" in panel.view.value and "12/18" in panel.view.value


def test_what_if_panel_updates_band_rank_and_findings(recs):
    panel = panels.build_what_if_panel(run_for(), recs)
    c = panel.controls
    assert c["unit"].value == KIEN_AN  # the lowest ranked unit first
    assert c["score"].value == "49.18" and c["transparency_pct"].value == "19.3"
    before = panel.view.value
    assert "Yếu" in before
    c["score"].value = "60"
    assert panel.view.value != before
    assert "Yếu → <strong>Trung bình</strong>" in panel.view.value
    assert "18 → <strong>8</strong>/18" in panel.view.value
    c["reset"].click()
    assert c["score"].value == "49.18" and panel.view.value == before
    c["unit"].value = MY_HOI_DONG
    assert c["score"].value == "51.1" and "xã Mỹ Hội Đông" in panel.view.value
    before = panel.view.value
    c["transparency_pct"].value = "10,0"  # a decimal comma is read too
    assert panel.view.value != before
    assert "<td>10.00</td>" in panel.view.value and "82.90" not in panel.view.value


def test_what_if_panel_says_what_it_cannot_read(recs):
    panel = panels.build_what_if_panel(run_for(), recs)
    panel.controls["score"].value = "bảy mươi"
    assert panel.view.value == ('<p class="error">Không hiển thị được: “bảy mươi” ở ô Điểm tổng hợp không phải là '
                                "số: hãy nhập một số từ 0 đến 100, ví dụ 72.5</p>")
    panel.controls["score"].value = "120"
    assert "Điểm tổng hợp phải nằm trong khoảng 0–100, nhận được 120" in panel.view.value


def test_number_boxes_show_values_as_the_district_writes_them():
    assert panels.number_text(49.18) == "49.18" and panels.number_text(100.0) == "100"
    assert panels.number_text(70.19, ",") == "70,19" and panels.number_text(None) == ""
    assert panels.parse_number(" 70,19 ", "Điểm") == 70.19


def test_findings_panel_sliders(recs):
    panel = panels.build_findings_panel(run_for(), recs)
    drop, weakest = panel.controls["drop_threshold"], panel.controls["weakest_n"]
    pol = params.policy()
    assert (drop.value, weakest.value) == (pol.notable_drop_points, pol.weakest_n)
    assert (drop.min, drop.max, weakest.min, weakest.max) == (0.0, 6.0, 1, 18)
    assert "1 đơn vị giảm đáng chú ý" in panel.view.value
    drop.value = 6.0
    assert "0 đơn vị giảm đáng chú ý" in panel.view.value
    before = panel.view.value
    weakest.value = 1
    assert panel.view.value != before
    panel.controls["reset"].click()
    assert (drop.value, weakest.value) == (pol.notable_drop_points, pol.weakest_n)


def test_panels_say_when_the_district_has_no_data(recs):
    with pytest.raises(UsageError):
        panels.build_unit_panel(run_for(week_arg="2023-W41"), recs)


# -- with the shipped seeds ------------------------------------------------------------------------

def test_helpers_on_the_ingested_seeds(scratch):
    ingest = pytest.importorskip("helpers.ingest", exc_type=ImportError)
    for slug in params.districts():
        ingest.ingest_raw(params.district(slug))
    from helpers.store import Store

    recs = Store().records()
    ranked = explore.ranking_for(recs, "cho-moi", "")
    assert ranked.iloc[-1]["unit"] == "Kiến An" and len(ranked) == 18
    assert list(explore.unit_history(recs, KIEN_AN)["score"]) == [49.03, 49.18]
    panel = panels.build_what_if_panel(run_for(), None)  # reads the scratch store
    panel.controls["score"].value = "60"
    assert "Yếu → <strong>Trung bình</strong>" in panel.view.value
    assert explore.asked_week(recs, "") == week(date(2023, 12, 4))
    assert month(2023, 9) not in explore.available_weeks(recs)


# -- the notebooks use the panels the way the batch expects ------------------------------------------

@pytest.mark.parametrize("name", ["02_score", "03_rank", "04_narrative"])
def test_notebook_panels_are_interactive_only(name):
    import jupytext

    from tests.conftest import ROOT

    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    cells = [c for c in nb.cells if c.cell_type == "code" and "panels.build_" in c.source]
    assert cells, f"{name} shows no panel"
    for cell in cells:
        lines = [line for line in cell.source.splitlines() if "panels.build_" in line]
        assert all(line.startswith("    display(panels.build_") for line in lines)
        # interactive only, and a district's (a province's run has no district panels)
        assert "if run.interactive and run.district:" in cell.source
        if name == "04_narrative":
            assert "remove" in cell.metadata.get("tags", [])


def test_what_if_panel_has_no_input_for_a_figure_the_district_never_reports(scratch):
    from helpers import ingest

    ingest.ingest_raw(params.district("phu-tan"))  # scores only: no component column
    panel = panels.build_what_if_panel(run_for("phu-tan", week_arg="2023-W41"), None)
    assert set(panel.controls) == {"unit", "score", "reset"}


def test_a_panel_shows_an_unexpected_error_instead_of_losing_it():
    import ipywidgets as widgets

    view = widgets.HTML()
    panels._guarded(view, lambda: {}["missing"])()
    assert view.value == '<p class="error">Lỗi không mong đợi (KeyError): &#x27;missing&#x27;</p>'
