"""What a province's report shows from the portal store: its communes scored, banded and ranked for
one period, the six groups against their maxima and the points lost, and the successor communes of
the districts of params/ picked out, with the 2023 history of their predecessors beside them.

The predecessors' history comes from the district reports' store, each predecessor under its own
2023 key (era, code): it is shown as lineage, never averaged or summed into the new commune.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers import lineage, params
from helpers.errors import UsageError
from helpers.portal.period import PortalPeriod
from helpers.portal.score import score

LEVEL = "commune"


@dataclass(frozen=True)
class Province:
    slug: str
    code: str  # 2025 official code
    name: str
    type: str
    decimal: str = ","  # the decimal mark of its report (params/provinces.yaml)


def province_of(slug: str) -> Province:
    """A province of the 2025 registry by its ASCII slug ('an-giang', 'dong-thap'), with the number
    format params/provinces.yaml gives it (else the decimal comma)."""
    listed = params.provinces().get(slug) or {}
    for r in lineage.provinces_2025().itertuples():
        if _slug(r.province) == slug:
            decimal = (listed.get("number_format") or {}).get("decimal", ",")
            return Province(slug, r.province_code, r.province, r.province_type, decimal)
    raise UsageError(f"không có tỉnh, thành phố '{slug}' (ví dụ: {', '.join(params.provinces()) or 'an-giang'})")


def _slug(name: str) -> str:
    """'Đồng Tháp' -> 'dong-thap'."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def periods_of(records: pd.DataFrame, province: Province) -> list[PortalPeriod]:
    """The periods the store holds a commune list of the province for, newest first."""
    mine = records[(records["province_code"] == province.code) & (records["level"] == LEVEL)]
    keys = mine[["period_kind", "year", "month", "captured", "method"]].drop_duplicates()
    return sorted((PortalPeriod.of_record(r) for _, r in keys.iterrows()), key=PortalPeriod.order, reverse=True)


def select(records: pd.DataFrame, province: Province, period: PortalPeriod | None = None
           ) -> tuple[pd.DataFrame, PortalPeriod]:
    """The province's communes for `period` (default: the newest), scored and ranked, best first.
    Raises UsageError when the store has no list of that province."""
    found = periods_of(records, province)
    if not found:
        raise UsageError(f"kho số liệu của Cổng chưa có danh sách xã, phường của {province.type} {province.name}; "
                         "hãy nạp tệp bằng chiso ingest")
    period = period or found[0]
    rows = records[(records["province_code"] == province.code) & (records["level"] == LEVEL)
                   & (records["period_kind"] == period.kind) & (records["year"] == period.year)
                   & (records["method"] == period.method)]
    captured = period.captured.isoformat() if period.captured else None
    rows = rows[_same(rows["month"], period.month) & _same(rows["captured"], captured)]
    if rows["source_sha256"].nunique() > 1:  # the same list stored from two files: the newest file's
        rows = rows[rows["source_sha256"] == rows["source_sha256"].iloc[-1]]
    scored = score(rows)
    return scored.sort_values(["rank", "unit"], kind="stable", na_position="last").reset_index(drop=True), period


def _same(col: pd.Series, value) -> pd.Series:
    return col.isna() if value is None else (col == value).fillna(False)


def band_counts(scored: pd.DataFrame) -> pd.DataFrame:
    """How many units in each band, bands in policy order (every band listed, 0 included)."""
    names = [b.name for b in params.policy().bands]
    counts = scored["band"].value_counts()
    return pd.DataFrame({"band": names, "units": [int(counts.get(n, 0)) for n in names]})


def successors(scored: pd.DataFrame) -> pd.DataFrame:
    """The successor communes of the districts of params/ found in this list: one row per successor with
    its score, band, rank, the points lost per group, and its predecessors named ('thị trấn Chợ Mới,
    xã Kiến An, xã Kiến Thành'), grouped by former district."""
    codes = [d.code for d in params.districts().values()]
    lines = lineage.successors_of_districts(codes)
    mine = scored[scored["unit_code"].isin(set(lines["new_code"]))].copy()
    if mine.empty:
        return mine
    home = lines[lines["old_district_code"].isin(codes)].groupby("new_code")["old_district"].first()
    # a predecessor from another district than the successor's own is named with its district
    elsewhere = lines["old_district"] != lines["new_code"].map(home)
    full = lines["old_type"] + " " + lines["old_name"]
    full = full.where(~elsewhere, full + " (huyện " + lines["old_district"] + ")")
    named = (lines.assign(full=full)
             .groupby("new_code")
             .agg(predecessors=("full", lambda s: ", ".join(s)),
                  former_districts=("old_district", lambda s: ", ".join(dict.fromkeys(s)))))
    mine["predecessors"] = mine["unit_code"].map(named["predecessors"])
    mine["former_districts"] = mine["unit_code"].map(named["former_districts"])
    mine["district_2023"] = mine["unit_code"].map(home)
    return mine.sort_values(["district_2023", "rank"], kind="stable").reset_index(drop=True)


def predecessor_history(district_records: pd.DataFrame, new_code: str) -> pd.DataFrame:
    """The 2023 records (district reports' store) of each predecessor of the 2025 unit `new_code`:
    era, the predecessor's 2023 code and name, its district, the period and its score as reported, with
    file and line. One row per predecessor and period, as stored: nothing is combined."""
    olds = lineage.predecessors(new_code)
    codes = {u.code: u for u in olds}
    rows = district_records[district_records["unit_code"].isin(set(codes))
                            & (district_records["unit_type"] != "huyện")]
    if "derived" in rows:
        rows = rows[~rows["derived"].astype(bool)]
    out = pd.DataFrame({
        "era": "2023", "new_code": new_code, "unit_code": rows["unit_code"].to_numpy(),
        "unit": [codes[c].full_name for c in rows["unit_code"]], "district": rows["district"].to_numpy(),
        "as_of": rows["as_of"].to_numpy(), "score": rows["score"].to_numpy(),
        "source": rows["source"].to_numpy(), "source_line": rows["source_line"].to_numpy(),
    })
    return out.sort_values(["unit", "as_of"], kind="stable").reset_index(drop=True)
