"""Findings an officer values and cannot easily compute by hand, as plain values (no text).

Pure functions over a district's ranked units (helpers.rank.rank_units), its total row and, for streaks,
its scores in earlier weeks. Thresholds come from params/targets.yaml (`near_band_points`,
`rank_move_places`); the sentences that say them are in params/wording/document.yaml.

- `near_band_lines`: units within a point or two of a band line, below it (a small gain moves them up)
  or just above it (a small loss moves them down);
- `lowest_band_streaks`: units in the lowest band, and for how many weeks in a row;
- `rank_moves`: units whose rank in the district changed by several places since the previous week;
- `agencies_below_communes`: components where the district's own figure (its agencies included) is
  below every commune's, so the district-level agencies pull it down;
- `gain_needed_15_3`: for a criterion 15.3 commune, the weekly gain it needs to reach the score by the
  deadline;
- `best_below`: the best unit when no unit reaches a score line (80 points: no commune is "Tốt").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from helpers import params
from helpers.findings import UnitRef as Unit
from helpers.periods import Period
from helpers.score import band_of, is_total

_EPS = 1e-9  # float noise when comparing two-decimal report numbers (not a policy value)


@dataclass(frozen=True)
class NearLine:
    unit: Unit
    score: float
    line: float  # the band's lower bound
    band: str  # the band that starts at the line
    points: float  # distance to the line (always positive)
    below: bool  # True: under the line (can move up); False: just above it (can fall)


@dataclass(frozen=True)
class Streak:
    unit: Unit
    score: float
    band: str
    weeks: int  # weeks in a row in the band, this one included
    since: Period  # the first week of the run


@dataclass(frozen=True)
class RankMove:
    unit: Unit
    prev_rank: int
    rank: int

    @property
    def places(self) -> int:
        return self.prev_rank - self.rank  # positive: moved up


@dataclass(frozen=True)
class AgencyGap:
    key: str
    label: str
    district_value: float
    lowest_unit: Unit
    lowest_value: float


@dataclass(frozen=True)
class GainNeeded:
    unit: Unit
    score: float
    target: float
    points: float
    weeks_left: int
    per_week: float
    deadline: date


@dataclass(frozen=True)
class BestBelow:
    units: tuple[Unit, ...]
    score: float
    line: float
    points: float


def _unit(row) -> Unit:
    def text(col):
        v = row.get(col)
        return None if v is None or pd.isna(v) else str(v)
    return Unit(text("unit_code"), text("unit") or "", text("unit_type"))


def _units(ranked: pd.DataFrame) -> pd.DataFrame:
    return ranked[~is_total(ranked)] if len(ranked) else ranked


def _scored(ranked: pd.DataFrame):
    for _, row in _units(ranked).iterrows():
        s = row.get("score")
        if s is not None and not pd.isna(s):
            yield row, float(s)


def near_band_lines(ranked: pd.DataFrame, within: float, policy: params.Policy | None = None) -> list[NearLine]:
    """Units within `within` points of a band line: under it, or at most `within` above it. Nearest first."""
    policy = policy or params.policy()
    lines = [(b.min, b.name) for b in policy.bands if b.min > 0]
    out = []
    for row, s in _scored(ranked):
        for line, band in lines:
            gap = round(line - s, 2)
            if 0 < gap <= within + _EPS:
                out.append(NearLine(_unit(row), s, line, band, gap, True))
            elif -within - _EPS <= gap <= 0 and band_of(s, policy) == band:
                out.append(NearLine(_unit(row), s, line, band, round(-gap, 2), False))
    return sorted(out, key=lambda n: (not n.below, n.points, n.unit.name))


def lowest_band_streaks(ranked: pd.DataFrame, history: pd.DataFrame, period: Period,
                        policy: params.Policy | None = None) -> list[Streak]:
    """Units in the lowest band in `period`, with the number of weeks in a row they have been in it.

    `history`: the district's rows of earlier periods (unit_code, as_of, score), e.g. its store records;
    a week without a score for the unit ends the run. A month has no weeks: the run is that period."""
    policy = policy or params.policy()
    lowest = policy.bands[-1].name
    scores: dict[tuple[str, str], float] = {}
    if history is not None and len(history):
        for code, as_of, s in zip(history["unit_code"], history["as_of"], history["score"]):
            if not (pd.isna(code) or pd.isna(as_of) or pd.isna(s)):
                scores.setdefault((str(code), str(as_of)), float(s))
    out = []
    for row, s in _scored(ranked):
        if band_of(s, policy) != lowest:
            continue
        unit = _unit(row)
        weeks, since = 1, period
        if period.kind == "week" and unit.code:
            prev = period.previous_week()
            while band_of(scores.get((unit.code, prev.as_of)), policy) == lowest:
                weeks, since, prev = weeks + 1, prev, prev.previous_week()
        out.append(Streak(unit, s, lowest, weeks, since))
    return sorted(out, key=lambda k: (-k.weeks, k.score, k.unit.name))


def rank_moves(ranked: pd.DataFrame, min_places: int) -> list[RankMove]:
    """Units whose rank changed by at least `min_places` since the previous week; biggest moves first."""
    out = []
    for _, row in _units(ranked).iterrows():
        r, p = row.get("rank"), row.get("prev_rank")
        if r is None or p is None or pd.isna(r) or pd.isna(p):
            continue
        if abs(int(p) - int(r)) >= min_places:
            out.append(RankMove(_unit(row), int(p), int(r)))
    return sorted(out, key=lambda m: (-abs(m.places), m.places < 0, m.unit.name))


def agencies_below_communes(ranked: pd.DataFrame, total: pd.Series | None,
                            policy: params.Policy | None = None) -> list[AgencyGap]:
    """Components where the district's figure is lower than every commune's: the district figure counts
    the district's own agencies too, so they are what pulls it down."""
    if total is None:
        return []
    policy = policy or params.policy()
    units = _units(ranked)
    out = []
    for comp in policy.components:
        if comp.key not in units.columns or comp.key not in total.index or pd.isna(total[comp.key]):
            continue
        values = units[[comp.key, "unit", "unit_type", "unit_code"]].dropna(subset=[comp.key])
        if values.empty:
            continue
        low = values.loc[values[comp.key].astype(float).idxmin()]
        district_value = float(total[comp.key])
        if district_value + _EPS < float(low[comp.key]):
            out.append(AgencyGap(comp.key, comp.label, district_value, _unit(low), float(low[comp.key])))
    return out


def gain_needed_15_3(ranked: pd.DataFrame, names: list[str], target: float, deadline: date | None,
                     today: date) -> list[GainNeeded]:
    """For each criterion 15.3 commune (`names`, as params lists them) under `target`: the points it still
    needs and the gain per week that reaches them by `deadline`, counting whole weeks from `today`
    (the Monday of the week reported). Empty without a deadline or once the deadline has passed."""
    if deadline is None or deadline <= today:
        return []
    from helpers.registry import name_key

    weeks = max(1, math.ceil((deadline - today).days / 7))
    wanted = {name_key(n) for n in names}
    out = []
    for row, s in _scored(ranked):
        if name_key(str(row.get("unit", ""))) not in wanted or row.get("unit_type") not in (None, "xã"):
            continue
        points = round(target - s, 2)
        if points > 0:
            out.append(GainNeeded(_unit(row), s, target, points, weeks, round(points / weeks, 2), deadline))
    return sorted(out, key=lambda g: (-g.per_week, g.unit.name))


def best_below(ranked: pd.DataFrame, line: float) -> BestBelow | None:
    """When no unit reaches `line`: the best unit(s) and how far they are from it; None otherwise."""
    scored = list(_scored(ranked))
    if not scored or any(s + _EPS >= line for _, s in scored):
        return None
    top = max(s for _, s in scored)
    units = tuple(sorted((_unit(r) for r, s in scored if abs(s - top) <= _EPS), key=lambda u: u.name))
    return BestBelow(units, top, line, round(line - top, 2))


__all__ = ["AgencyGap", "BestBelow", "GainNeeded", "NearLine", "RankMove", "Streak", "Unit",
           "agencies_below_communes", "best_below", "gain_needed_15_3", "lowest_band_streaks",
           "near_band_lines", "rank_moves"]
