"""Ranking: competition ranks within a district, previous ranks and movement, districts compared.

Ranks are standard competition ranks ("1224"): units with equal scores share the best rank and the
next rank skips. Ties are listed in Vietnamese alphabetical order (helpers.collation). A unit
without a score has no rank and is listed last.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import params
from helpers.collation import vi_key
from helpers.periods import Period
from helpers.score import TOTAL_TYPE, is_total, period_of, score_together, total_row, units_only

RANKED_TABLE_COLUMNS = ["week", "district", "unit", "unit_type", "unit_code", "as_of", "score", "band",
                        "rank", "prev_rank", "rank_change", "delta"]
COMPARE_COLUMNS = ["district_slug", "district", "unit", "unit_type", "unit_code", "score", "band_computed",
                   "as_of", "period_label", "overall_rank", "percentile", "source", "source_line"]
# Scores are reported with two decimals; compare them after rounding away float noise (not policy).
_DECIMALS = 6


def competition_rank(values: pd.Series, groups=None) -> pd.Series:
    """Standard competition ranks, highest value first (1, 2, 2, 4); NA stays NA (Int64). With `groups`
    (one label per value), each group is ranked on its own."""
    v = pd.Series(values, copy=False).astype("Float64").round(_DECIMALS).astype(float)
    by = v if groups is None else v.groupby(np.asarray(groups), sort=False)
    ranks = by.rank(method="min", ascending=False, na_option="keep")
    return pd.Series(ranks.to_numpy(), index=values.index).astype("Int64")


def _order_key(rank, unit, unit_type, unit_code) -> tuple:
    return ((1, 0) if pd.isna(rank) else (0, int(rank)), vi_key(unit), vi_key(unit_type),
            "" if pd.isna(unit_code) else str(unit_code))


def _ranking(scored: pd.DataFrame, block: np.ndarray | None = None) -> tuple[np.ndarray, pd.Series, pd.Series]:
    """The positions of the unit rows (not the district totals) of `scored` in ranked order, with their
    rank and prev_rank in that order. `block` (one integer per row) ranks each block on its own and
    keeps the blocks in increasing order; by default the rows are one block."""
    pos = np.flatnonzero(~is_total(scored).to_numpy(bool))  # the rows units_only keeps
    group = np.zeros(len(pos), dtype=np.int64) if block is None else np.asarray(block)[pos]
    column = {c: scored[c].iloc[pos].reset_index(drop=True) for c in ["score", "prev_score", "unit", "unit_type",
                                                                        "unit_code"]}
    rank = competition_rank(column["score"], group)
    prev_rank = competition_rank(column["prev_score"], group)
    keys = [(g, *_order_key(*t)) for g, *t in zip(group.tolist(), rank, column["unit"], column["unit_type"],
                                                 column["unit_code"])]
    order = np.array(sorted(range(len(pos)), key=keys.__getitem__), dtype=np.int64)
    return pos[order], rank.take(order).reset_index(drop=True), prev_rank.take(order).reset_index(drop=True)


def rank_units(scored: pd.DataFrame) -> pd.DataFrame:
    """The commune-level units of a scored frame (not the district total) with `rank`, `prev_rank`
    (the same ranking on prev_score, among units that have one) and `rank_change` = prev_rank − rank
    (positive = moved up); sorted by rank, ties in Vietnamese alphabetical order of `unit`, units
    without a score last."""
    # the units' positions in the final order, then one take of the wide frame (not a filter, then a sort)
    pos, rank, prev_rank = _ranking(scored)
    units = scored.take(pos)
    units.index = pd.RangeIndex(len(units))  # (reset_index would copy every column once more)
    units["rank"] = rank
    units["prev_rank"] = prev_rank
    units["rank_change"] = (units["prev_rank"] - units["rank"]).astype("Int64")
    return units


def compare_districts(scored_by_slug: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Every commune-level unit of every district, ranked together.

    The districts' data may be for different periods (a week for one, a month for another): each row
    carries its own `as_of` and Vietnamese `period_label` (Period.short_label()), so a reader never
    takes them for one week. `overall_rank` is the competition rank on score over all units compared;
    `percentile` (0–100) is the share of compared units with a score that score less than or equal to
    this unit (the top unit has 100; NA without a score). Sorted by overall rank, ties in Vietnamese
    order of the unit name, then in the order the districts were given.
    """
    frames = []
    for order, (slug, scored) in enumerate(scored_by_slug.items()):
        if scored is None or scored.empty:
            continue
        units = units_only(scored)
        period = period_of(scored)
        frame = pd.DataFrame({
            "district_slug": slug,
            "district": units["district"].to_numpy(),
            "unit": units["unit"].to_numpy(),
            "unit_type": units["unit_type"].to_numpy(),
            "unit_code": units["unit_code"].to_numpy(),
            "score": units["score"].astype("Float64").to_numpy(),
            "band_computed": units["band_computed"].to_numpy(),
            "as_of": units["as_of"].to_numpy(),
            "period_label": period.short_label() if period else pd.NA,
            "source": units["source"].to_numpy() if "source" in units else pd.NA,
            "source_line": units["source_line"].astype("Int64").to_numpy() if "source_line" in units else pd.NA,
            "_order": order,
        })
        frames.append(frame)
    if not frames:
        out = pd.DataFrame({c: pd.Series(dtype="string") for c in COMPARE_COLUMNS})
        out["score"] = out["score"].astype("Float64")
        out["overall_rank"] = out["overall_rank"].astype("Int64")
        out["source_line"] = out["source_line"].astype("Int64")
        out["percentile"] = out["percentile"].astype("Float64")
        return out
    out = pd.concat(frames, ignore_index=True)
    for c in ["district_slug", "district", "unit", "unit_type", "unit_code", "band_computed", "as_of",
              "period_label", "source"]:
        out[c] = out[c].astype("string")
    out["source_line"] = out["source_line"].astype("Int64")
    out["score"] = out["score"].astype("Float64")
    out["overall_rank"] = competition_rank(out["score"])
    scores = out["score"].round(_DECIMALS)
    scored_n = int(scores.notna().sum())
    pct = [None if pd.isna(s) else 100.0 * int((scores <= s).sum()) / scored_n for s in scores]
    out["percentile"] = pd.array(pct, dtype="Float64")
    keys = [(_order_key(r, u, t, None), o)
            for r, u, t, o in zip(out["overall_rank"], out["unit"], out["unit_type"], out["_order"])]
    order = sorted(range(len(out)), key=keys.__getitem__)
    return out.iloc[order][COMPARE_COLUMNS].reset_index(drop=True)


def with_district_totals(compared: pd.DataFrame, scored_by_slug: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """A compare_districts frame followed by each district's own total row (unit_type 'huyện', not
    ranked among the units), for the narrative's comparison: it ranks the districts on their official
    scores when every district compared has one, else on the mean of their units."""
    totals = []
    for slug, scored in scored_by_slug.items():
        total = None if scored is None or scored.empty else total_row(scored)
        if total is None or pd.isna(total["score"]):
            continue
        period = period_of(scored)
        totals.append({"district_slug": slug, "district": total["district"], "unit": total["unit"],
                       "unit_type": TOTAL_TYPE, "unit_code": total["unit_code"], "score": float(total["score"]),
                       "as_of": total["as_of"], "period_label": period.short_label() if period else pd.NA,
                       "source": total.get("source", pd.NA), "source_line": total.get("source_line", pd.NA)})
    if not totals:
        return compared
    extra = pd.DataFrame(totals).astype({"score": "Float64", "source_line": "Int64"})
    return pd.concat([compared, extra], ignore_index=True)[COMPARE_COLUMNS]


def _value(v):
    """A plain Python value for a summary dict: None for missing, float/int/str otherwise."""
    if v is None or pd.isna(v):
        return None
    if isinstance(v, (bool,)):
        return v
    if hasattr(v, "item"):
        return v.item()
    return v


def _names_at(ranked: pd.DataFrame, score) -> tuple[list[str], list[str]]:
    rows = ranked[(ranked["score"].round(_DECIMALS) == round(score, _DECIMALS)).fillna(False)]
    keyed = sorted(zip(rows["unit"], rows["unit_type"]), key=lambda t: (vi_key(t[0]), vi_key(t[1])))
    return [str(u) for u, _ in keyed], [f"{t} {u}" for u, t in keyed]


def district_summary(scored: pd.DataFrame, ranked: pd.DataFrame) -> dict:
    """Figures of one district for one period, as plain Python values (None when missing).

    Keys: district, district_code, period (Period), period_label; n_units (units listed), n_scored
    (units with a score); mean_score, median_score (over units with a score); band_counts (every band
    of params/bands.yaml in that order, zero included); min_score_15_3, at_15_3_count, at_15_3_share
    (0–1, units at or above the criterion 15.3 score among units with a score); best_score,
    best_units, best_units_full, worst_score, worst_units, worst_units_full (ties: all of them, in
    Vietnamese order; *_full with the unit type, "xã Mỹ An"); the district's own total row: score,
    band (computed), band_printed, prev_score, delta (printed, else computed), province_rank,
    province_rank_of (None when not reported).
    """
    pol = params.policy()
    period = period_of(scored)
    scores = ranked["score"].dropna().astype(float)
    counts = {b.name: 0 for b in pol.bands}
    for name in ranked["band_computed"].dropna():
        counts[str(name)] = counts.get(str(name), 0) + 1
    at_15_3 = int((scores.round(_DECIMALS) >= pol.min_score_15_3).sum())
    best, worst = (scores.max(), scores.min()) if len(scores) else (None, None)
    best_units, best_full = _names_at(ranked, best) if best is not None else ([], [])
    worst_units, worst_full = _names_at(ranked, worst) if worst is not None else ([], [])
    total = total_row(scored)

    def from_total(col):
        return _value(total[col]) if total is not None and col in total.index else None

    delta = from_total("delta")
    if delta is None:
        delta = from_total("delta_computed")
    district = scored["district"].dropna()
    codes = scored["district_code"].dropna() if "district_code" in scored else pd.Series(dtype="string")
    return {
        "district": str(district.iloc[0]) if len(district) else None,
        "district_code": str(codes.iloc[0]) if len(codes) else None,
        "period": period,
        "period_label": period.label() if period else None,
        "n_units": len(ranked),
        "n_scored": len(scores),
        "mean_score": float(scores.mean()) if len(scores) else None,
        "median_score": float(scores.median()) if len(scores) else None,
        "band_counts": counts,
        "min_score_15_3": pol.min_score_15_3,
        "at_15_3_count": at_15_3,
        "at_15_3_share": at_15_3 / len(scores) if len(scores) else None,
        "best_score": float(best) if best is not None else None,
        "best_units": best_units,
        "best_units_full": best_full,
        "worst_score": float(worst) if worst is not None else None,
        "worst_units": worst_units,
        "worst_units_full": worst_full,
        "district_score": from_total("score"),
        "district_band": from_total("band_computed"),
        "district_band_printed": from_total("band"),
        "district_prev_score": from_total("prev_score"),
        "district_delta": delta,
        "province_rank": from_total("province_rank"),
        "province_rank_of": from_total("province_rank_of"),
    }


def ranked_table(records: pd.DataFrame, asked: Period, slugs=None) -> pd.DataFrame:
    """The ranked units of every district (params order; only `slugs` when given) for the week asked,
    as `chiso rank` prints it: week = the asked ISO week, as_of = the period the data are for (it may
    be older, or a month), band = the computed band, delta = the printed change, else the computed one.
    Districts without data up to that week are left out. Each district is ranked as rank_units ranks
    it, all of them in one pass (score_together, then one ranking by district)."""
    wanted = None if slugs is None else {params.district(s).slug for s in slugs}
    districts = {slug: d for slug, d in params.districts().items() if wanted is None or slug in wanted}
    scored, bounds = score_together(records, list(districts), asked)
    block = np.full(len(scored), -1, dtype=np.int64)
    for k, (start, stop) in enumerate(bounds.values()):
        block[start:stop] = k
    pos, rank, prev_rank = _ranking(scored, block)
    ranked = scored.take(pos).reset_index(drop=True)
    names = np.array([districts[slug].name for slug in bounds], dtype=object)
    out = pd.DataFrame({
        "week": asked.iso_week,
        "district": names[block[pos]],
        "unit": ranked["unit"],
        "unit_type": ranked["unit_type"],
        "unit_code": ranked["unit_code"],
        "as_of": ranked["as_of"],
        "score": ranked["score"],
        "band": ranked["band_computed"],
        "rank": rank,
        "prev_rank": prev_rank,
        "rank_change": (prev_rank - rank).astype("Int64"),
        "delta": ranked["delta"].astype("Float64").fillna(ranked["delta_computed"]),
    }, columns=RANKED_TABLE_COLUMNS)
    for c in RANKED_TABLE_COLUMNS:
        if c in ("score", "delta"):
            out[c] = out[c].astype("Float64")
        elif c in ("rank", "prev_rank", "rank_change"):
            out[c] = out[c].astype("Int64")
        else:
            out[c] = out[c].astype("string")
    return out
