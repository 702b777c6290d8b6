"""What the report says, as data: findings from the rules in params/ (helpers.narrative turns them into
Vietnamese sentences).

`build_findings(ranked, total, district, policy)` reads a ranked frame (helpers.score columns plus
rank, prev_rank, rank_change) and returns a `Findings` tree of plain values: which units are in the
lowest band, which fell notably, which components miss their target and where, the criterion 15.3
communes, band moves, and an optional comparison with other districts. No text is made here, except
the names of units (`unit_label`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from helpers import params, registry, vi_format
from helpers import records as rec
from helpers.errors import UsageError
from helpers.periods import parse_as_of
from helpers.score import TOTAL_TYPE, band_of

# Float noise guard when comparing two-decimal report numbers with thresholds (not a policy value).
_EPS = 1e-9


# -- numbers and names ------------------------------------------------------------------------------

_missing = rec.is_missing
_float = rec.as_float


_nfc = vi_format.nfc


@dataclass(frozen=True)
class UnitRef:
    """A unit as the narrative names it: official code, name without type, type (xã, thị trấn, ...)."""

    code: str | None
    name: str
    type: str | None

    @property
    def label(self) -> str:
        return unit_label(self)


def _name_type(obj) -> tuple[str, str | None]:
    if isinstance(obj, (UnitRef, registry.Unit)):
        return _nfc(obj.name), (_nfc(obj.type) if obj.type else None)
    if isinstance(obj, (Mapping, pd.Series)):
        name = obj.get("unit", obj.get("name"))
        typ = obj.get("unit_type", obj.get("type"))
        return _nfc("" if _missing(name) else name), (None if _missing(typ) or not str(typ) else _nfc(typ))
    return _nfc(obj), None


def _ref(row) -> UnitRef:
    name, typ = _name_type(row)
    code = None
    if isinstance(row, (Mapping, pd.Series)):
        code = row.get("unit_code")
    elif isinstance(row, (UnitRef, registry.Unit)):
        code = row.code
    return UnitRef(None if _missing(code) else str(code), name, typ)


def unit_label(row_or_unit) -> str:
    """The unit written out with its type: "xã A", "thị trấn B".

    Given a list, a grouping: one unit as above; several of one type "các xã A, C và D"; mixed types
    "các đơn vị xã A, thị trấn B và xã C".
    """
    if isinstance(row_or_unit, (list, tuple)):
        refs = [_name_type(x) for x in row_or_unit]
        if not refs:
            return ""
        if len(refs) == 1:
            return unit_label(row_or_unit[0])
        types = {t for _, t in refs}
        if len(types) == 1 and None not in types:
            return f"{vi_format.phrase('plural')} {types.pop()} {vi_format.join(n for n, _ in refs)}"
        return f"{vi_format.phrase('mixed_units')} {vi_format.join(unit_label(x) for x in row_or_unit)}"
    name, typ = _name_type(row_or_unit)
    return f"{typ} {name}" if typ else name


def _sort_key():
    """Vietnamese alphabetical order (helpers.collation); a plain fallback only if it is absent."""
    try:
        from helpers.collation import vi_key
    except ImportError:  # pragma: no cover - the collation module ships with the workbench
        return registry.name_key
    return vi_key


# -- findings -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DistrictLine:
    score: float | None
    band: str | None
    prev_score: float | None
    delta: float | None
    rank: int | None
    rank_of: int | None


@dataclass(frozen=True)
class UnitScore:
    unit: UnitRef
    score: float | None
    band: str | None


@dataclass(frozen=True)
class Change:
    unit: UnitRef
    score: float
    prev_score: float | None
    delta: float  # score minus previous score (negative for a fall)


@dataclass(frozen=True)
class BandCount:
    band: str
    count: int


@dataclass(frozen=True)
class BandMove:
    unit: UnitRef
    prev_band: str
    band: str
    prev_score: float
    score: float
    up: bool


@dataclass(frozen=True)
class ComponentValue:
    unit: UnitRef
    value: float


@dataclass(frozen=True)
class ComponentFinding:
    key: str
    label: str
    target: float
    units_with_data: int
    below: tuple[ComponentValue, ...]  # every unit under the target, weakest first
    weakest: tuple[ComponentValue, ...]  # the weakest N under the target, all ties at the N-th value
    weakest_n: int
    tied_at_cut: tuple[ComponentValue, ...]  # units sharing the N-th value when that widened the list
    cut_position: int | None  # 1-based place of the first tied unit
    far_below_everywhere: bool
    lowest: float
    highest: float
    missing: tuple[UnitRef, ...]  # units without a value (missing is not zero)

    @property
    def all_met(self) -> bool:
        return not self.below

    @property
    def all_below(self) -> bool:
        return len(self.below) == self.units_with_data


@dataclass(frozen=True)
class Criterion153:
    unit: UnitRef
    score: float | None
    target: float
    points_needed: float | None  # 0 once reached
    reached: bool
    deadline: date | None
    days_to_deadline: int | None

    @property
    def overdue(self) -> bool:
        return self.days_to_deadline is not None and self.days_to_deadline < 0 and not self.reached


@dataclass(frozen=True)
class DistrictStanding:
    district: str
    score: float  # the district total when every district compared has one, else its units' mean
    units: int  # units with a score
    period_label: str | None
    rank: int
    own: bool


@dataclass(frozen=True)
class UnitStanding:
    unit: UnitRef
    score: float
    overall_rank: int
    percentile: float | None


@dataclass(frozen=True)
class Comparison:
    basis: str  # "total" (district totals) or "mean" (mean score of each district's units)
    districts: tuple[DistrictStanding, ...]  # best first
    own_rank: int | None
    units_compared: int
    best: tuple[UnitStanding, ...]  # this district's best unit(s) among all units compared
    weakest: tuple[UnitStanding, ...]
    own_period_label: str | None

    @property
    def districts_of(self) -> int:
        return len(self.districts)


@dataclass(frozen=True)
class Findings:
    district: DistrictLine | None
    units_count: int
    band_counts: tuple[BandCount, ...]
    lowest_band: str
    lowest_band_units: tuple[UnitScore, ...]
    top: tuple[UnitScore, ...]
    bottom: tuple[UnitScore, ...]
    notable_drop_points: float
    drops: tuple[Change, ...]
    improved_most: tuple[Change, ...]
    band_moves: tuple[BandMove, ...]
    has_prev: bool
    components: tuple[ComponentFinding, ...]
    criterion_15_3: tuple[Criterion153, ...]
    min_score_15_3: float
    comparison: Comparison | None = None


def _get(row, *cols):
    for c in cols:
        if row is not None and c in row and not _missing(row[c]):
            return row[c]
    return None


def _band_index(name: str | None, policy: params.Policy) -> int | None:
    names = [b.name for b in policy.bands]
    return names.index(name) if name in names else None


def _total_series(total) -> pd.Series | None:
    if total is None:
        return None
    if isinstance(total, pd.DataFrame):
        return total.iloc[0] if len(total) else None
    if isinstance(total, Mapping):
        return pd.Series(dict(total))
    return total


def _district_obj(district) -> params.District:
    return district if isinstance(district, params.District) else params.district(str(district))


def _units(ranked: pd.DataFrame, district: params.District) -> pd.DataFrame:
    df = ranked.reset_index(drop=True)
    keep = pd.Series(True, index=df.index)
    if "unit_type" in df.columns:
        keep &= (df["unit_type"] != TOTAL_TYPE).fillna(True).astype(bool)
    if "unit_code" in df.columns:
        keep &= (df["unit_code"] != district.code).fillna(True).astype(bool)
    return df[keep].reset_index(drop=True)


def _change(row) -> float | None:
    delta = _float(_get(row, "delta_computed"))
    if delta is None:
        score, prev = _float(_get(row, "score")), _float(_get(row, "prev_score"))
        delta = round(score - prev, 2) if score is not None and prev is not None else _float(_get(row, "delta"))
    return None if delta is None else round(delta, 2)


def _district_line(total: pd.Series | None, policy: params.Policy) -> DistrictLine | None:
    if total is None:
        return None
    score = _float(_get(total, "score"))
    band = _get(total, "band_computed", "band") if score is None else band_of(score, policy)
    rank = _get(total, "province_rank")
    rank_of = _get(total, "province_rank_of")
    line = DistrictLine(
        score=score,
        band=None if band is None else _nfc(band),
        prev_score=_float(_get(total, "prev_score")),
        delta=_change(total),
        rank=None if rank is None else int(rank),
        rank_of=None if rank_of is None else int(rank_of),
    )
    if all(v is None for v in (line.score, line.band, line.delta, line.rank)):
        return None
    return line


def _ordered(values: list, key_value, key_name) -> list:
    return sorted(values, key=lambda v: (key_value(v), key_name(v)))


def _component(units: pd.DataFrame, comp: params.Component, policy: params.Policy, vi) -> ComponentFinding | None:
    if comp.target is None or comp.key not in units.columns:
        return None
    values, missing = [], []
    for _, row in units.iterrows():
        v = _float(row[comp.key])
        if v is None:
            missing.append(_ref(row))
        else:
            values.append(ComponentValue(_ref(row), v))
    if not values:
        return None  # nothing reported for this component: say nothing about it
    target = comp.target
    values = _ordered(values, lambda c: c.value, lambda c: vi(c.unit.name))
    below = [c for c in values if c.value + _EPS < target]
    n = policy.weakest_n
    tied: list[ComponentValue] = []
    position = None
    if len(below) > n:
        cut = below[n - 1].value
        weakest = [c for c in below if c.value <= cut + _EPS]
        if len(weakest) > n:
            tied = [c for c in weakest if abs(c.value - cut) <= _EPS]
            position = weakest.index(tied[0]) + 1
    else:
        weakest = list(below)
    far = all(target - c.value + _EPS >= policy.far_below_share * target for c in values)
    return ComponentFinding(
        key=comp.key, label=_nfc(comp.label), target=target, units_with_data=len(values),
        below=tuple(below), weakest=tuple(weakest), weakest_n=n, tied_at_cut=tuple(tied),
        cut_position=position, far_below_everywhere=far,
        lowest=values[0].value, highest=values[-1].value,
        missing=tuple(sorted(missing, key=lambda u: vi(u.name))),
    )


def _criterion_15_3(units: pd.DataFrame, district: params.District, policy: params.Policy) -> list[Criterion153]:
    out = []
    for printed in district.units_15_3:
        row = None
        try:
            unit = registry.match_unit(district.code, printed, unit_type="xã", slug=district.slug).unit
        except (registry.UnknownName, KeyError):
            unit = None
        if unit is not None and "unit_code" in units.columns:
            hit = units[(units["unit_code"] == unit.code).fillna(False).astype(bool)]
            row = hit.iloc[0] if len(hit) else None
        if row is None and "unit" in units.columns:
            key = registry.name_key(printed)
            hit = units[[registry.name_key(str(u)) == key if not _missing(u) else False for u in units["unit"]]]
            row = hit.iloc[0] if len(hit) else None
        ref = _ref(row) if row is not None else (
            UnitRef(unit.code, unit.name, unit.type) if unit else UnitRef(None, _nfc(printed), None))
        score = _float(_get(row, "score")) if row is not None else None
        needed = None if score is None else round(max(0.0, policy.min_score_15_3 - score), 2)
        days = _get(row, "days_to_deadline") if row is not None else None
        if days is None and district.deadline_15_3 and row is not None and _get(row, "as_of") is not None:
            try:
                days = (district.deadline_15_3 - parse_as_of(str(row["as_of"])).end).days
            except UsageError:  # an unreadable as_of leaves the count unknown
                days = None
        out.append(Criterion153(
            unit=ref, score=score, target=policy.min_score_15_3, points_needed=needed,
            reached=needed == 0, deadline=district.deadline_15_3,
            days_to_deadline=None if days is None else int(days),
        ))
    return out


def _comparison(comparison: pd.DataFrame, units: pd.DataFrame, district: params.District, vi) -> Comparison | None:
    """Where the district stands among the districts of a helpers.rank.compare_districts frame.

    District totals (rows with unit_type 'huyện') are used when every district compared has one;
    otherwise districts are compared on the mean score of their units.
    """
    if comparison is None or len(comparison) == 0:
        return None
    df = comparison.reset_index(drop=True)
    df = df[df["score"].notna()].reset_index(drop=True)
    dist_name = [_nfc(x) if not _missing(x) else "" for x in df["district"]]
    df["_district"] = dist_name
    if "unit_type" in df.columns:
        is_total = (df["unit_type"] == TOTAL_TYPE).fillna(False).astype(bool)
    else:
        is_total = pd.Series(False, index=df.index)
    own_name = _nfc(district.name)
    unit_rows = df[~is_total].reset_index(drop=True)
    total_rows = df[is_total]

    def _label(rows: pd.DataFrame) -> str | None:
        labels = [_nfc(x) for x in rows.get("period_label", pd.Series(dtype=object)) if not _missing(x)]
        return labels[0] if labels else None

    names_in_order = list(dict.fromkeys(dist_name))
    if len(names_in_order) < 2:
        return None  # a district compared with itself alone (e.g. the only one of its province): no comparison
    basis = "total" if set(total_rows["_district"]) >= set(names_in_order) else "mean"
    entries = []
    for name in names_in_order:
        mine = unit_rows[unit_rows["_district"] == name]
        if basis == "total":
            score = float(total_rows[total_rows["_district"] == name]["score"].iloc[0])
        elif len(mine):
            score = round(float(mine["score"].astype(float).mean()), 2)
        else:
            continue
        label = _label(mine) or _label(df[df["_district"] == name])
        entries.append((name, score, len(mine), label))
    scores = [e[1] for e in entries]
    standings = [
        DistrictStanding(district=n, score=s, units=k, period_label=lab,
                         rank=1 + sum(1 for o in scores if o > s + _EPS), own=n == own_name)
        for n, s, k, lab in entries
    ]
    standings.sort(key=lambda d: (d.rank, vi(d.district)))
    own_rank = next((d.rank for d in standings if d.own), None)

    all_scores = [float(x) for x in unit_rows["score"]]
    by_code = {str(r["unit_code"]): r for r in units.to_dict("records")
               if "unit_code" in r and not _missing(r["unit_code"])}
    by_name: dict[str, list] = {}
    for r in units.to_dict("records"):
        by_name.setdefault(registry.name_key(str(r.get("unit", ""))), []).append(r)
    mine = []
    for _, row in unit_rows[unit_rows["_district"] == own_name].iterrows():
        score = float(row["score"])
        rank = _get(row, "overall_rank")
        rank = int(rank) if rank is not None else 1 + sum(1 for o in all_scores if o > score + _EPS)
        if _get(row, "unit_type") is not None:
            ref = _ref(row)
        elif _get(row, "unit_code") is not None and str(row["unit_code"]) in by_code:
            ref = _ref(by_code[str(row["unit_code"])])
        else:
            same = by_name.get(registry.name_key(str(row["unit"])), [])
            ref = _ref(same[0]) if len(same) == 1 else UnitRef(None, _nfc(row["unit"]), None)
        mine.append(UnitStanding(ref, score, rank, _float(_get(row, "percentile"))))
    best = worst = ()
    if mine:
        hi = min(m.overall_rank for m in mine)
        lo = max(m.overall_rank for m in mine)
        best = tuple(sorted((m for m in mine if m.overall_rank == hi), key=lambda m: vi(m.unit.name)))
        worst = tuple(sorted((m for m in mine if m.overall_rank == lo), key=lambda m: vi(m.unit.name)))
    if not standings and not mine:
        return None
    own_label = next((d.period_label for d in standings if d.own), None)
    return Comparison(
        basis=basis, districts=tuple(standings), own_rank=own_rank, units_compared=len(unit_rows),
        best=best, weakest=worst, own_period_label=own_label,
    )


def build_findings(ranked: pd.DataFrame, total, district, policy: params.Policy | None = None,
                   comparison: pd.DataFrame | None = None) -> Findings:
    """What the report says, as data (no text).

    `ranked`: the district's unit rows (helpers.rank; a total row in it is ignored); `total`: the
    district total row (Series, one-row frame, mapping or None); `district`: a params District or its
    slug; `policy`: params.policy() by default; `comparison`: optional frame with district, unit,
    score, band_computed, period_label, overall_rank, percentile.
    """
    district = _district_obj(district)
    policy = policy or params.policy()
    vi = _sort_key()
    units = _units(ranked, district)
    lowest = policy.bands[-1].name

    scored = []
    for _, row in units.iterrows():
        score = _float(_get(row, "score"))
        band = band_of(score, policy) if score is not None else _get(row, "band_computed", "band")
        scored.append((row, score, None if band is None else _nfc(band)))

    def unit_score(row, score, band) -> UnitScore:
        return UnitScore(_ref(row), score, band)

    counts = []
    for b in policy.bands:
        k = sum(1 for _, _, band in scored if band == b.name)
        if k:
            counts.append(BandCount(b.name, k))

    with_score = [(r, s, b) for r, s, b in scored if s is not None]
    by_score = sorted(with_score, key=lambda t: (-t[1], vi(_ref(t[0]).name)))
    top = bottom = ()
    if by_score:
        hi, lo = by_score[0][1], by_score[-1][1]
        top = tuple(unit_score(*t) for t in by_score if abs(t[1] - hi) <= _EPS)
        bottom = tuple(unit_score(*t) for t in sorted(with_score, key=lambda t: (t[1], vi(_ref(t[0]).name)))
                       if abs(t[1] - lo) <= _EPS)
    lowest_units = tuple(unit_score(*t) for t in sorted(
        (t for t in scored if t[2] == lowest), key=lambda t: (t[1] if t[1] is not None else math.inf,
                                                              vi(_ref(t[0]).name))))

    changes = []
    for row, score, band in scored:
        delta = _change(row)
        if score is None or delta is None:
            continue
        changes.append(Change(_ref(row), score, _float(_get(row, "prev_score")), delta))
    drops = tuple(sorted((c for c in changes if c.delta <= -policy.notable_drop_points + _EPS),
                         key=lambda c: (c.delta, vi(c.unit.name))))
    gains = [c for c in changes if c.delta > _EPS]
    improved = ()
    if gains:
        best = max(c.delta for c in gains)
        improved = tuple(sorted((c for c in gains if abs(c.delta - best) <= _EPS), key=lambda c: vi(c.unit.name)))

    moves = []
    for row, score, band in scored:
        prev = _float(_get(row, "prev_score"))
        if score is None or prev is None:
            continue
        prev_band = band_of(prev, policy)
        if prev_band != band:
            up = _band_index(band, policy) < _band_index(prev_band, policy)
            moves.append(BandMove(_ref(row), prev_band, band, prev, score, up))
    moves.sort(key=lambda m: (not m.up, vi(m.unit.name)))

    comps = tuple(c for c in (_component(units, comp, policy, vi) for comp in policy.components) if c)
    return Findings(
        district=_district_line(_total_series(total), policy),
        units_count=len(units),
        band_counts=tuple(counts),
        lowest_band=lowest,
        lowest_band_units=lowest_units,
        top=top,
        bottom=bottom,
        notable_drop_points=policy.notable_drop_points,
        drops=drops,
        improved_most=improved,
        band_moves=tuple(moves),
        has_prev=bool(changes),
        components=comps,
        criterion_15_3=tuple(_criterion_15_3(units, district, policy)),
        min_score_15_3=policy.min_score_15_3,
        comparison=_comparison(comparison, units, district, vi) if comparison is not None else None,
    )
