"""New findings (helpers.watch) and the "đề nghị" lines they lead to (helpers.proposals), on small frames
with the seeds' values."""

from __future__ import annotations

from datetime import date

import pandas as pd

from helpers import findings as found
from helpers import params, periods, watch
from helpers.proposals import Watched, proposals

W49 = periods.parse_as_of("2023-12-04")
W48 = periods.parse_as_of("2023-11-27")
W47 = periods.parse_as_of("2023-11-20")


def _ranked(rows) -> pd.DataFrame:
    """rows: (code, unit, type, score, rank, prev_rank)."""
    return pd.DataFrame(rows, columns=["unit_code", "unit", "unit_type", "score", "rank", "prev_rank"])


CHO_MOI = _ranked([
    ("30628", "Chợ Mới", "thị trấn", 65.79, 1, 1),
    ("30652", "Mỹ Hiệp", "xã", 51.39, 16, 16),
    ("30637", "Mỹ Hội Đông", "xã", 51.10, 17, 12),
    ("30634", "Kiến An", "xã", 49.18, 18, 18),
])


def test_units_near_a_band_line_below_and_above():
    near = watch.near_band_lines(CHO_MOI, 2.0)
    assert [(n.unit.name, n.line, n.points, n.below) for n in near] == [
        ("Kiến An", 50.0, 0.82, True),  # 0.82 short of Trung bình
        ("Mỹ Hội Đông", 50.0, 1.1, False),  # 1.10 above the Yếu line
        ("Mỹ Hiệp", 50.0, 1.39, False),
    ]
    assert watch.near_band_lines(CHO_MOI, 0.5) == []


def test_weeks_in_a_row_in_the_lowest_band():
    history = pd.DataFrame({"unit_code": ["30634", "30634", "30634", "30637"],
                            "as_of": [W48.as_of, W47.as_of, "2023-11-13", W48.as_of],
                            "score": [49.03, 48.0, 55.0, 56.88]})
    streaks = watch.lowest_band_streaks(CHO_MOI, history, W49)
    assert [(s.unit.name, s.weeks, s.since) for s in streaks] == [("Kiến An", 3, W47)]
    alone = watch.lowest_band_streaks(CHO_MOI, history.iloc[0:0], W49)
    assert [(s.unit.name, s.weeks) for s in alone] == [("Kiến An", 1)]


def test_rank_moves_of_several_places():
    moves = watch.rank_moves(CHO_MOI, 3)
    assert [(m.unit.name, m.prev_rank, m.rank, m.places) for m in moves] == [("Mỹ Hội Đông", 12, 17, -5)]
    assert watch.rank_moves(CHO_MOI, 6) == []


def test_agencies_below_every_commune():
    units = CHO_MOI.assign(progress_pct=[99.67, 99.88, 99.82, 99.84], payment_pct=[28.19, 7.42, 17.75, 7.56])
    total = pd.Series({"progress_pct": 94.26, "payment_pct": 12.17})
    gaps = watch.agencies_below_communes(units, total)
    assert [(g.key, g.district_value, g.lowest_unit.name, g.lowest_value) for g in gaps] == [
        ("progress_pct", 94.26, "Chợ Mới", 99.67)]
    assert watch.agencies_below_communes(units, None) == []


def test_weekly_gain_a_15_3_commune_needs():
    ranked = _ranked([("1", "Phú Điền", "xã", 73.37, 2, None), ("2", "Trường Xuân", "xã", 68.97, 11, None),
                      ("3", "Mỹ An", "thị trấn", 70.41, 8, None)])
    gains = watch.gain_needed_15_3(ranked, ["Phú Điền", "Trường Xuân", "Mỹ An"], 80, date(2023, 12, 31),
                                   date(2023, 12, 4))
    # 27 days: 4 weeks (the last one partly); a thị trấn is no 15.3 commune
    assert [(g.unit.name, g.points, g.weeks_left, g.per_week) for g in gains] == [
        ("Trường Xuân", 11.03, 4, 2.76), ("Phú Điền", 6.63, 4, 1.66)]
    assert watch.gain_needed_15_3(ranked, ["Phú Điền"], 80, date(2023, 12, 31), date(2024, 1, 8)) == []
    assert watch.gain_needed_15_3(ranked, ["Phú Điền"], 80, None, date(2023, 12, 4)) == []


def test_no_commune_reaches_80():
    best = watch.best_below(CHO_MOI, 80)
    assert [u.name for u in best.units] == ["Chợ Mới"] and best.score == 65.79 and best.points == 14.21
    assert watch.best_below(CHO_MOI, 60) is None


def _say(key, optional=False, **values):
    """A stand-in for compose.Sayer: the key and the values the wording would get ("" for an optional
    sentence, as when the office names nobody for it)."""
    if optional:
        return ""
    shown = {k: (found.unit_label(v) if isinstance(v, found.UnitRef) else v) for k, v in values.items()
             if k != "o"}
    return f"{key} {shown}"


def test_proposals_name_who_does_what_for_each_kind_of_finding():
    units = CHO_MOI.assign(unit_type=["thị trấn", "xã", "xã", "xã"],
                           prev_score=[65.41, 51.18, 56.88, 49.03],
                           payment_pct=[28.19, 7.42, 17.75, 7.56])
    findings = found.build_findings(units, None, "cho-moi", params.policy())
    kien_an = found.UnitRef("30634", "Kiến An", "xã")
    watched = Watched(streaks=[watch.Streak(kien_an, 49.18, "Yếu", 2, W48)],
                      gains=[watch.GainNeeded(found.UnitRef("1", "Phú Điền", "xã"), 73.37, 80, 6.63, 4, 1.66,
                                              date(2023, 12, 31))],
                      has_certifications=True)
    offices = {"support": "Phòng Văn hóa – Thông tin", "one_stop": "Bộ phận Một cửa huyện",
               "publish": "Phòng Văn hóa – Thông tin", "payment_agency": "", "certification": "Phòng Tư pháp"}
    lines = [b.text for b in proposals(findings, watched, offices, _say, "so với tuần trước")]
    keys = [line.split(" ")[0] for line in lines]
    assert keys == ["proposals.general", "proposals.lowest_band", "proposals.drop", "proposals.component_weakest",
                    "proposals.gain_15_3", "proposals.one_stop", "proposals.publish", "proposals.certification"]
    assert "'weeks': 2" in lines[1] and "'units': 'xã Kiến An'" in lines[1]
    assert "'u': 'xã Mỹ Hội Đông'" in lines[2] and "'delta': 5.78" in lines[2]
    assert "'specific': True" in lines[0]
    assert all(b.kind == "item" for b in proposals(findings, watched, offices, _say, ""))
