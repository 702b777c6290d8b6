"""Scoring the portal's figures: bands, ranks within a list, points lost per group. Vectorised (no loop
over rows): a national year of weekly captures is about 170,000 records.

Ranks follow the project's rule (competition rank: units with the same total share the rank, the
next rank skips; helpers.rank.competition_rank) within one list: the units of one level (communes,
departments, provinces) of one province, one period and one source file. The portal's own rank
(`portal_rank`, ordinal, units of several levels mixed) is kept beside it, never replaced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import params
from helpers.rank import competition_rank

LIST_KEY = ["source", "level", "period_kind", "year", "month", "captured", "province_code"]


def _list_ids(records: pd.DataFrame) -> np.ndarray:
    """One integer per list (level, period, source, and province except for a list of provinces)."""
    key = records[LIST_KEY].copy()
    key.loc[key["level"] == "province", "province_code"] = pd.NA
    return key.astype("string").fillna("").groupby(LIST_KEY, sort=False, dropna=False).ngroup().to_numpy()


def rank_lists(records: pd.DataFrame) -> pd.DataFrame:
    """`rank` (competition rank on the total, within each list) and `rank_of` (units ranked in the list)."""
    out = records.copy(deep=False)
    if out.empty:
        return out
    ids = _list_ids(out)
    total = out["total"]
    out["rank"] = competition_rank(total, ids).astype("Int64")
    counted = pd.Series(total.notna().to_numpy(), index=out.index).groupby(ids).transform("sum")
    out["rank_of"] = counted.where(total.notna()).astype("Int64")
    return out


def band_names(total: pd.Series) -> pd.Series:
    """The band of each total (params/bands.yaml; lower bounds inclusive); NA when the total is."""
    bands = params.policy().bands  # highest first
    values = total.to_numpy(dtype=float, na_value=np.nan)
    mins = np.array([b.min for b in bands], dtype=float)
    names = np.array([b.name for b in bands], dtype=object)
    # the first band (highest first) whose min the total reaches
    reached = values[:, None] >= mins[None, :]
    idx = reached.argmax(axis=1)
    out = pd.Series(names[idx], index=total.index, dtype="string")
    return out.mask(np.isnan(values) | ~reached.any(axis=1))


def score(records: pd.DataFrame) -> pd.DataFrame:
    """The records with `band`, `<group>_lost` (the group's maximum minus its score: the points the unit
    lost there; NA when the group is missing or was not measured), `lost` (100 minus the total) and
    `weakest_group` (the group where the unit lost most, relative to the group's maximum)."""
    out = records.copy(deep=False)
    out["band"] = band_names(out["total"])
    groups = params.portal()["groups"]
    no_activity = out["no_activity"].fillna("").astype(str)
    shares = []
    for g, spec in groups.items():
        not_measured = no_activity.str.contains(rf"\b{g}\b", regex=True).to_numpy()
        lost = (float(spec["max"]) - out[g]).mask(not_measured)
        out[f"{g}_lost"] = lost.round(2)
        shares.append((lost / float(spec["max"])).to_numpy(dtype=float, na_value=np.nan))
    out["lost"] = (100.0 - out["total"]).round(2)
    stacked = np.vstack(shares).T
    has_any = ~np.isnan(stacked).all(axis=1)
    pick = np.nanargmax(np.where(np.isnan(stacked), -np.inf, stacked), axis=1)
    names = np.array(list(groups), dtype=object)[pick]
    out["weakest_group"] = pd.Series(names, index=out.index, dtype="string").where(has_any)
    return out


def group_table(scored: pd.DataFrame) -> pd.DataFrame:
    """For one list: each group's label, maximum, the mean score, mean points lost and the share of the
    maximum reached, in report order."""
    rows = []
    for g, spec in params.portal()["groups"].items():
        values = scored[g].astype("Float64")
        rows.append({"group": g, "label": spec["label"], "short": spec["short"], "max": float(spec["max"]),
                     "mean": values.mean(), "lost": scored[f"{g}_lost"].astype("Float64").mean(),
                     "units": int(values.notna().sum())})
    out = pd.DataFrame(rows)
    out["share"] = out["mean"] / out["max"]
    return out



