"""The dated unit registry: the units of 2023 and of 2025, and which 2023 communes became which 2025 ones.

The 2025 reform (in force 1 July 2025) abolished districts and merged communes; a new commune often
keeps the code of one of its predecessors (xã Chợ Mới 30628 was thị trấn Chợ Mới 30628), and a new
province the code of a former one (An Giang 91 was Kiên Giang 91). A code alone therefore never
identifies a unit: units are keyed on (era, code), era "2023" or "2025".

Data (params/): units.yaml (2023 units of the districts reported on), units_2025.csv (every 2025
unit), lineage_2025.csv (2023 -> 2025 for the provinces of the districts), all generated from the
pinned `vietnamadminunits` package; reform_2025.yaml (what was checked by hand: the cross-district
merge, the new spellings). Scores of different eras are never combined: a predecessor's history is
shown as the predecessor's, beside its successor, never averaged into it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import params, registry
from helpers.paths import params_dir

ERAS = ("2023", "2025")


@dataclass(frozen=True)
class EraUnit:
    era: str          # "2023" or "2025"
    code: str         # official code, unique only within its era
    name: str
    type: str         # xã, phường, thị trấn, đặc khu
    province_code: str
    province: str
    district_code: str | None = None  # 2023 only
    district: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.era, self.code)

    @property
    def full_name(self) -> str:
        return f"{self.type} {self.name}"


def _read_csv(path: Path) -> pd.DataFrame:
    with path.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    return pd.DataFrame(list(csv.DictReader(rows)), dtype="string")


@lru_cache(maxsize=4)
def _units_2025(base: str) -> pd.DataFrame:
    df = _read_csv(Path(base) / "units_2025.csv")
    df["key"] = [registry.name_key(n) for n in df["name"]]
    return df


@lru_cache(maxsize=4)
def _lineage(base: str) -> pd.DataFrame:
    df = _read_csv(Path(base) / "lineage_2025.csv")
    for c in ("divided", "default"):
        df[c] = df[c] == "true"
    return df


def units_2025() -> pd.DataFrame:
    """Every 2025 unit: province_code, province, province_type, code, name, type."""
    return _units_2025(str(params_dir())).drop(columns="key")


def lineage() -> pd.DataFrame:
    """2023 -> 2025 rows: old_* (province, district, code, name, type), new_* (province code, code, name,
    type), `divided` (the former unit went to several new ones) and `default` (the package's pick)."""
    return _lineage(str(params_dir())).copy()


def provinces_2025() -> pd.DataFrame:
    """The 34 provinces: province_code, province, province_type."""
    return (units_2025()[["province_code", "province", "province_type"]].drop_duplicates()
            .reset_index(drop=True))


def province_2025(printed: str) -> EraUnit | None:
    """The 2025 province a printed name denotes ('An Giang', 'Thành phố Hồ Chí Minh'), or None."""
    return _province_keys(str(params_dir())).get(registry.name_key(printed))


@lru_cache(maxsize=4)
def _province_keys(base: str) -> dict[str, EraUnit]:
    out = {}
    for r in provinces_2025().itertuples():
        unit = EraUnit("2025", r.province_code, r.province, r.province_type, r.province_code, r.province)
        out[registry.name_key(r.province)] = out[registry.name_key(f"{r.province_type} {r.province}")] = unit
    return out


def unit(era: str, code: str) -> EraUnit:
    """The unit (era, code). Raises KeyError when there is none."""
    if era == "2025":
        df = _units_2025(str(params_dir()))
        hit = df[df["code"] == code]
        if hit.empty:
            raise KeyError((era, code))
        r = hit.iloc[0]
        return EraUnit("2025", code, r["name"], r["type"], r["province_code"], r["province"])
    if era == "2023":
        for dcode, d in params.units_registry().items():
            for u in d["units"]:
                if str(u["code"]) == code:
                    return EraUnit("2023", code, u["name"], u["type"], str(d["province_code"]), d["province"],
                                   str(dcode), d["name"])
        hit = _lineage(str(params_dir()))
        hit = hit[hit["old_code"] == code]
        if hit.empty:
            raise KeyError((era, code))
        r = hit.iloc[0]
        return EraUnit("2023", code, r["old_name"], r["old_type"], r["old_province_code"], r["old_province"],
                       r["old_district_code"], r["old_district"])
    raise KeyError((era, code))


def match_2025(province_code: str, printed: str, unit_type: str | None = None) -> EraUnit | None:
    """The 2025 unit of a province a printed name denotes (spelling-insensitive: 'Mỹ Quý' finds 'Mỹ Quí'),
    the type deciding between two units of one name; None when none or several match."""
    code = match_2025_many([province_code], [printed], [unit_type])["code"].iloc[0]
    return None if pd.isna(code) else unit("2025", code)


def match_2025_many(province_codes, names, types) -> pd.DataFrame:
    """match_2025 for many rows at once: a frame aligned with the inputs holding the matched unit's
    `code`, `name` and `type` (NA where no single unit matches)."""
    units = _units_2025(str(params_dir()))
    asked = pd.DataFrame({"province_code": pd.array(province_codes, dtype="string"),
                          "key": [registry.name_key(n) if isinstance(n, str) else "" for n in names],  # (cached)
                          "asked_type": pd.array(types, dtype="string")})
    asked["row"] = np.arange(len(asked))
    hits = asked.merge(units[["province_code", "key", "code", "name", "type"]], on=["province_code", "key"])
    many = hits["row"].duplicated(keep=False)
    if many.any():  # two units of one name in a province: the printed type decides
        typed = hits[many & (hits["type"] == hits["asked_type"]).fillna(False)]
        hits = pd.concat([hits[~many], typed])
        hits = hits[~hits["row"].duplicated(keep=False)]
    out = pd.DataFrame(index=range(len(asked)), columns=["code", "name", "type"], dtype="string")
    out.loc[hits["row"].to_numpy(), ["code", "name", "type"]] = hits[["code", "name", "type"]].to_numpy()
    return out


def successors(old_code: str) -> list[EraUnit]:
    """The 2025 unit(s) the 2023 unit (2023, old_code) became (several when it was divided)."""
    rows = _lineage(str(params_dir()))
    return [unit("2025", c) for c in rows.loc[rows["old_code"] == old_code, "new_code"]]


def predecessors(new_code: str) -> list[EraUnit]:
    """The 2023 units the 2025 unit (2025, new_code) was formed from, whole or in part."""
    rows = _lineage(str(params_dir()))
    return [unit("2023", c) for c in rows.loc[rows["new_code"] == new_code, "old_code"]]


def successors_of_districts(district_codes: list[str]) -> pd.DataFrame:
    """One row per 2025 unit formed (whole or in part) from communes of these 2023 districts, with its
    predecessors: new_code, new_name, new_type, new_province_code, old_district_code, old_code, old_name,
    old_type, divided. Predecessors from another district (a cross-district merge) are included."""
    rows = _lineage(str(params_dir()))
    new_codes = rows.loc[rows["old_district_code"].isin(district_codes), "new_code"].unique()
    out = rows[rows["new_code"].isin(new_codes)]
    return out[["new_code", "new_name", "new_type", "new_province_code", "old_district_code", "old_district",
                "old_code", "old_name", "old_type", "divided"]].reset_index(drop=True)


def cross_district() -> pd.DataFrame:
    """The 2025 units among those of the districts of params/ whose predecessors come from more than one
    2023 district (the generated lineage says so; reform_2025.yaml must list each of them)."""
    codes = [d.code for d in params.districts().values()]
    rows = successors_of_districts(codes)
    n = rows.groupby("new_code")["old_district_code"].nunique()
    return rows[rows["new_code"].isin(n[n > 1].index)].reset_index(drop=True)


def spelling_changes() -> pd.DataFrame:
    """Lineage rows of the districts of params/ where a unit kept its code and its name changed only in
    spelling ('Mỹ Quý' -> 'Mỹ Quí'): same name key, different letters."""
    codes = [d.code for d in params.districts().values()]
    rows = successors_of_districts(codes)
    same = [registry.name_key(a) == registry.name_key(b) and a != b
            for a, b in zip(rows["old_name"], rows["new_name"])]
    return rows[same].reset_index(drop=True)


def reform_problems() -> list[str]:
    """What the generated lineage says that params/reform_2025.yaml does not (or the other way round):
    every cross-district merge and every new spelling must be written there. Empty when they agree."""
    data = params.reform_2025()
    problems = []
    listed = {(m["new"]["code"], o["code"]) for m in data.get("cross_district", []) for o in m["old"]}
    found = {(r.new_code, r.old_code) for r in cross_district().itertuples()}
    problems += [f"cross-district merge {n} <- {o} not in reform_2025.yaml" for n, o in sorted(found - listed)]
    problems += [f"reform_2025.yaml lists {n} <- {o}, the lineage does not" for n, o in sorted(listed - found)]
    listed_sp = {(s["old_code"], s["old"], s["new_code"], s["new"]) for s in data.get("spellings", [])}
    found_sp = {(r.old_code, r.old_name, r.new_code, r.new_name) for r in spelling_changes().itertuples()}
    problems += [f"new spelling {o} {a} -> {n} {b} not in reform_2025.yaml" for o, a, n, b in sorted(found_sp - listed_sp)]
    problems += [f"reform_2025.yaml lists spelling {o} {a} -> {n} {b}, the lineage does not"
                 for o, a, n, b in sorted(listed_sp - found_sp)]
    return problems
