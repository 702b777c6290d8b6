"""Scoring: choose the period a district's report is about, then band, gaps, targets and flags.

Every threshold (bands, component targets, the criterion 15.3 score and deadline, what counts as a
notable drop, the tolerance on a printed change) is read from params/ through helpers.params.
Missing values stay missing: a unit without a previous score has no change, a unit without a
component value neither meets nor misses its target.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from helpers import params, registry
from helpers.errors import ParamsError
from helpers.periods import Period, covers, parse_as_of
from helpers.records import as_float

TOTAL_TYPE = "huyện"
UNIT_TYPES = ("xã", "thị trấn", "phường")
# Float noise guard when comparing reported two-decimal numbers with thresholds (not a policy value).
_EPS = 1e-9


# -- periods ------------------------------------------------------------------------------------

def district_rows(records: pd.DataFrame, district_code: str) -> pd.DataFrame:
    """The rows of one district (by code); a row without a code belongs to none."""
    return records[(records["district_code"] == str(district_code)).fillna(False).astype(bool)]


def select_period(records: pd.DataFrame, district_code: str, asked: Period) -> Period | None:
    """The newest period of the district, with at least one reported (non-derived) record, that is not
    newer than the week asked (helpers.periods.covers: a week whose cut date falls in the asked ISO
    week or before it; a month whose first day is not after the asked week's end). None if none."""
    return _select_periods(records, {str(district_code)}, asked).get(str(district_code))


def _select_periods(records: pd.DataFrame, codes: set[str], asked: Period) -> dict[str, Period]:
    """select_period for each district code at once: code -> period (codes without one left out)."""
    reported = (~records["derived"].astype(bool) & records["district_code"].isin(list(codes))).to_numpy(bool)
    pairs = pd.MultiIndex.from_arrays([records["district_code"][reported], records["as_of"][reported]])
    parsed: dict[str, Period] = {}
    out: dict[str, Period] = {}
    for code, as_of in pairs.dropna().unique():
        if as_of not in parsed:
            parsed[as_of] = parse_as_of(as_of)
        p = parsed[as_of]
        if covers(p, asked) and (code not in out or p > out[code]):
            out[code] = p
    return out


def period_records(records: pd.DataFrame, district_code: str, period: Period) -> pd.DataFrame:
    """The effective rows of the district for the period: one per unit_code, a reported row preferred
    over one derived from a later report's previous-week column; among several reported rows the first
    ingested (store order) wins. Conflicts are the ingest stage's findings, not handled here."""
    rows = district_rows(records, district_code)
    return _effective(rows[(rows["as_of"] == period.as_of).fillna(False).astype(bool)])


def _effective(rows: pd.DataFrame) -> pd.DataFrame:
    """period_records for every (district_code, as_of) of the rows at once, in store order."""
    pos = np.arange(len(rows))
    derived = rows["derived"].astype(bool).to_numpy()
    order = np.lexsort((pos, derived))  # reported first, then store order
    ranked = rows.iloc[order]
    has_code = ranked["unit_code"].notna().to_numpy(bool)
    first = ~ranked.duplicated(["district_code", "as_of", "unit_code"], keep="first").to_numpy(bool)
    keep = np.zeros(len(rows), dtype=bool)
    keep[order[first | ~has_code]] = True
    return rows[keep].reset_index(drop=True)


# -- scoring ------------------------------------------------------------------------------------

def band_of(score, policy: params.Policy | None = None) -> str | None:
    """The band of a score: the first band (highest first) whose inclusive lower bound it reaches;
    None when the score is missing or not a number. The one place a score becomes a band."""
    value = as_float(score)
    if value is None:
        return None
    bands = (policy or params.policy()).bands
    return next((b.name for b in bands if value + _EPS >= b.min), bands[-1].name)


def _next_band(name) -> tuple[str | None, float | None]:
    bands = params.policy().bands
    names = [b.name for b in bands]
    if name is None or name not in names:
        return None, None
    i = names.index(name)
    if i == 0:
        return None, None
    return bands[i - 1].name, bands[i - 1].min


def _resolve_district(district, rows: pd.DataFrame) -> params.District | None:
    if isinstance(district, params.District):
        return district
    if isinstance(district, str):
        return params.district_by_code(district) or params.district(district)
    codes = rows["district_code"].dropna().unique() if "district_code" in rows else []
    if len(codes) == 1:
        return params.district_by_code(codes[0])
    return None


def _split_type(name: str) -> tuple[str | None, str]:
    """'xã Mỹ An' -> ('xã', 'Mỹ An'); 'Phú Điền' -> (None, 'Phú Điền')."""
    text = registry.nfc(name).strip()
    for t in UNIT_TYPES:
        if text.casefold().startswith(t + " "):
            return t, text[len(t) + 1:].strip()
    return None, text


def targets_15_3(district: params.District) -> dict[str, date | None]:
    """Unit codes the district names for criterion 15.3 -> deadline (from params/districts.yaml)."""
    out = {}
    for printed in district.units_15_3:
        unit_type, name = _split_type(printed)
        try:
            match = registry.match_unit(district.code, name, unit_type=unit_type, slug=district.slug)
        except registry.UnknownName as exc:
            raise ParamsError(
                f"districts.yaml: {district.slug}: criterion_15_3 nêu '{printed}' không khớp đơn vị nào"
                + (f" (gần nhất: {', '.join(exc.suggestions)})" if exc.suggestions else "")
            ) from exc
        out[match.unit.code] = district.deadline_15_3
    return out


def _period_end(as_of) -> date | None:
    if pd.isna(as_of):
        return None
    return parse_as_of(str(as_of)).end


def score_records(rows: pd.DataFrame, district=None) -> pd.DataFrame:
    """The rows with the scoring columns added (see docs/design.md):

    band_computed, band_mismatch, delta_computed, delta_mismatch, next_band, points_to_next_band,
    points_to_15_3, <component>_target/_met/_gap for each component with a target, target_15_3,
    deadline_15_3, days_to_deadline, notable_drop.

    `district` (a params District, a slug or a district code) gives the criterion 15.3 communes;
    by default the district of the rows' district_code.
    """
    pol = params.policy()
    out = rows.copy().reset_index(drop=True)
    n = len(out)
    score = out["score"].astype("Float64")
    prev = out["prev_score"].astype("Float64")
    printed_delta = out["delta"].astype("Float64")

    bands = [band_of(s) for s in score]
    out["band_computed"] = pd.array(bands, dtype="string")
    printed_band = out["band"].astype("string")
    out["band_mismatch"] = (printed_band.notna() & out["band_computed"].notna()
                            & (printed_band != out["band_computed"])).fillna(False).astype(bool)

    out["delta_computed"] = (score - prev).round(2)
    diff = (printed_delta - out["delta_computed"]).abs()
    out["delta_mismatch"] = (diff > pol.delta_tolerance + _EPS).fillna(False).astype(bool)

    nxt = [_next_band(b) for b in bands]
    out["next_band"] = pd.array([b for b, _ in nxt], dtype="string")
    next_min = pd.array([m for _, m in nxt], dtype="Float64")
    out["points_to_next_band"] = (pd.Series(next_min, index=out.index) - score).round(2)
    out["points_to_15_3"] = (pol.min_score_15_3 - score).clip(lower=0).round(2)

    for comp in pol.components:
        if comp.target is None or comp.key not in out.columns:
            continue
        value = out[comp.key].astype("Float64")
        out[f"{comp.key}_target"] = pd.array([comp.target] * n, dtype="Float64")
        out[f"{comp.key}_met"] = (value + _EPS >= comp.target).astype("boolean")
        out[f"{comp.key}_gap"] = (comp.target - value).clip(lower=0).round(2)

    dist = _resolve_district(district, out)
    if dist is not None:
        targets = targets_15_3(dist)
    else:  # rows of several districts: each row's own district
        targets = {}
        for code in out["district_code"].dropna().unique():
            d = params.district_by_code(code)
            if d is not None:
                targets.update(targets_15_3(d))
    is_unit = out["unit_type"] != TOTAL_TYPE
    out["target_15_3"] = (out["unit_code"].isin(list(targets)) & is_unit).fillna(False).astype(bool)
    deadlines = [targets.get(c) if t else None for c, t in zip(out["unit_code"], out["target_15_3"])]
    out["deadline_15_3"] = pd.array([d.isoformat() if d else None for d in deadlines], dtype="string")
    days = []
    for deadline, as_of in zip(deadlines, out["as_of"]):
        end = _period_end(as_of) if deadline else None
        days.append((deadline - end).days if deadline and end else None)
    out["days_to_deadline"] = pd.array(days, dtype="Int64")

    change = printed_delta.fillna(out["delta_computed"])
    out["notable_drop"] = (change <= -pol.notable_drop_points + _EPS).fillna(False).astype(bool)
    if "prev_from_store" not in out.columns:
        out["prev_from_store"] = False
    out["prev_from_store"] = out["prev_from_store"].fillna(False).astype(bool)
    return out


def score_district(records: pd.DataFrame, slug: str, asked: Period) -> pd.DataFrame | None:
    """The scored rows (units and the district total, unit_type 'huyện') of the district's newest
    period not newer than the week asked; None when the district has no such data.

    A unit whose report gives no previous score gets the score of its effective store record of the
    previous week (week periods only), marked prev_from_store.
    """
    dist = params.district(slug)
    period = select_period(records, dist.code, asked)
    if period is None:
        return None
    rows, _ = _period_rows(records, [(dist, period)])
    return score_records(rows, district=dist)


def score_districts(records: pd.DataFrame, slugs, asked: Period) -> dict[str, pd.DataFrame | None]:
    """score_district for each slug (the same frames, None for a district without data), from one pass
    over the store (score_together)."""
    scored, bounds = score_together(records, slugs, asked)
    out: dict[str, pd.DataFrame | None] = {}
    for slug in slugs:
        where = bounds.get(params.district(slug).slug)
        if where is None:
            out[slug] = None
            continue
        start, stop = where
        out[slug] = scored.iloc[start:stop]
        out[slug].index = pd.RangeIndex(stop - start)  # (reset_index would copy every column)
    return out


def score_together(records: pd.DataFrame, slugs, asked: Period) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
    """The scored rows of every district of `slugs` in one frame, district after district in the order
    given (each as score_district gives them), and slug -> (start, stop) of its rows; districts
    without data are left out. Every district's period, its effective rows and the previous week's
    are selected together and scored together (scoring district by district filters the whole store
    each time)."""
    dists = {d.slug: d for d in (params.district(s) for s in slugs)}
    shared = _shared_codes()
    batch = [d for d in dists.values() if d.code not in shared]
    periods_ = _select_periods(records, {d.code for d in batch}, asked)
    chosen = [(d, periods_[d.code]) for d in batch if d.code in periods_]
    frames: dict[str, pd.DataFrame] = {}
    if chosen:
        rows, bounds = _period_rows(records, chosen)
        scored = score_records(rows)
        if not shared:  # the usual case: the rows are already in the order asked
            return scored, {d.slug: (int(a), int(b)) for (d, _), (a, b) in zip(chosen, bounds)}
        frames = {d.slug: scored.iloc[a:b] for (d, _), (a, b) in zip(chosen, bounds)}
    for slug, d in dists.items():
        if d.code in shared:  # several districts of params/ share the code: each with its own targets
            one = score_district(records, slug, asked)
            if one is not None:
                frames[slug] = one
    order = [slug for slug in dists if slug in frames]
    stops = np.cumsum([len(frames[slug]) for slug in order]).tolist()
    bounds = {slug: (stop - len(frames[slug]), stop) for slug, stop in zip(order, stops)}
    if not order:
        return score_records(records.iloc[:0]), {}
    return pd.concat([frames[slug] for slug in order], ignore_index=True), bounds


def _shared_codes() -> set[str]:
    """The codes that several districts of params/ share."""
    return {d.code for d in params.districts().values() if len(params.districts_with_code(d.code)) > 1}


def _period_rows(records: pd.DataFrame, chosen: list[tuple[params.District, Period]]):
    """The rows score_district scores for each (district, period), one district after the other: the
    effective rows (period_records), the previous week's score filled from the store, the total first.
    Returns the rows and each district's (start, stop) among them."""
    wanted = {(d.code, p.as_of) for d, p in chosen}
    wanted |= {(d.code, p.previous_week().as_of) for d, p in chosen if p.kind == "week"}
    near = _rows_where(records, (records["as_of"].isin(list({a for _, a in wanted}))
                                 & records["district_code"].isin(list({c for c, _ in wanted}))).to_numpy(bool))
    near = near[[pair in wanted for pair in zip(near["district_code"], near["as_of"])]]
    eff = _effective(near)
    groups = eff.groupby(["district_code", "as_of"], sort=False).indices
    parts = [groups[(d.code, p.as_of)] for d, p in chosen]
    stops = np.cumsum([len(x) for x in parts])
    bounds = list(zip([0, *stops[:-1]], stops))
    rows = eff.take(np.concatenate(parts)).reset_index(drop=True)
    rows["prev_from_store"] = False
    # the previous week's effective score of each (district, unit), for districts with a week period
    before = [groups[(d.code, p.previous_week().as_of)] for d, p in chosen
              if p.kind == "week" and (d.code, p.previous_week().as_of) in groups]
    if before:
        prev = eff.take(np.concatenate(before))
        prev = prev[prev["score"].notna() & prev["unit_code"].notna()]
        prev_by_unit = dict(zip(zip(prev["district_code"], prev["unit_code"]), prev["score"]))
        missing = (rows["prev_score"].isna() & rows["unit_code"].notna()).to_numpy(bool)
        units = list(zip(rows["district_code"], rows["unit_code"]))
        fill = missing & np.array([m and u in prev_by_unit for u, m in zip(units, missing)], dtype=bool)
        if fill.any():
            rows.loc[fill, "prev_score"] = [prev_by_unit[u] for u, f in zip(units, fill) if f]
            rows.loc[fill, "prev_from_store"] = True
    return _total_first_each(rows, bounds), bounds


def _rows_where(records: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """records[mask], selected column by column: Arrow filters a text column chunk by chunk, while a
    selection of the whole frame first joins the chunks of every text column (a transient copy of the
    store's text on a big store)."""
    return pd.DataFrame({c: records[c][mask] for c in records.columns})


def _total_first_each(rows: pd.DataFrame, bounds: list[tuple[int, int]]) -> pd.DataFrame:
    """Within each (start, stop) block of the rows, the district's own total row(s) first, then the
    others, each in their order."""
    total = is_total(rows).to_numpy(bool)
    block = np.zeros(len(rows), dtype=np.int64)
    for k, (start, stop) in enumerate(bounds):
        block[start:stop] = k
    order = np.lexsort((np.arange(len(rows)), ~total, block))
    return rows.take(order).reset_index(drop=True)


def is_total(frame: pd.DataFrame) -> pd.Series:
    """True on a district's own total row(s); a row without unit_type counts as a unit."""
    return (frame["unit_type"] == TOTAL_TYPE).fillna(False).astype(bool)


def units_only(scored: pd.DataFrame) -> pd.DataFrame:
    """The commune-level rows of a scored frame (without the district total)."""
    return scored[~is_total(scored)]


def score_compared(records: pd.DataFrame, district: params.District, asked: Period) -> dict[str, pd.DataFrame]:
    """Slug -> scored rows for the week asked, for the districts the district is compared with
    (params.compared_with, itself included) that have data by then."""
    scored = score_districts(records, [d.slug for d in params.compared_with(district)], asked)
    return {slug: frame for slug, frame in scored.items() if frame is not None}


def total_row(scored: pd.DataFrame) -> pd.Series | None:
    """The district's own total row of a scored frame, if reported."""
    where = np.flatnonzero(is_total(scored).to_numpy(bool))  # (not a filtered copy of every column)
    return scored.iloc[int(where[0])] if len(where) else None


def period_of(scored: pd.DataFrame) -> Period | None:
    """The period a scored frame is about (its rows share one as_of)."""
    values = scored["as_of"].dropna().unique() if len(scored) else []
    return parse_as_of(str(values[0])) if len(values) else None
