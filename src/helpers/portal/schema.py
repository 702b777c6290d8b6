"""Columns of the portal store: one record per unit, period and source file.

A record is keyed on the 2025 unit (era "2025", official code; the portal's own code where the unit
has no official one, a department), the period (kind, year, month, capture date) and the method. A
missing value is NA, never 0: a group the file does not give stays NA, and a group score of 0 for a
unit that received no dossier (nothing measured) is kept as printed and flagged in `no_activity`.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from helpers import params
from helpers import records as rec
from helpers.paths import store_dir
from helpers.store import Schema, Store

ERA = "2025"
KEY_COLUMNS = ["era", "province_code", "level", "unit_code", "portal_code"]
PERIOD_COLUMNS = ["period_kind", "year", "month", "captured", "period_given_by", "method"]


def groups() -> list[str]:
    """The six groups' column names, in report order (params/portal.yaml): ckmb, tdgq, dvctt, tttt, mdsh, mdhl."""
    return list(params.portal()["groups"])


def _group_columns() -> tuple[list[str], list[str]]:
    gs = groups()
    counts = [f"{g}_{part}" for g in gs for part in ("num", "den")]
    return gs, counts


@lru_cache(maxsize=1)
def _columns() -> tuple[list[str], list[str], list[str], list[str]]:
    gs, counts = _group_columns()
    ratios = [f"{g}_ratio" for g in gs]
    record = (KEY_COLUMNS + ["province", "unit", "unit_type", "printed_name", "portal_id"] + PERIOD_COLUMNS
              + ["total"] + gs + counts + ratios
              + ["no_activity", "sum_mismatch", "portal_rank", "portal_group_rank", "rank", "rank_of",
                 "source", "source_ref", "source_line", "source_sha256"])
    floats = ["total"] + gs + ratios
    ints = counts + ["year", "month", "portal_rank", "portal_group_rank", "rank", "rank_of", "source_line"]
    return record, floats, ints, ["sum_mismatch"]


def record_columns() -> list[str]:
    return list(_columns()[0])


FINDING_COLUMNS = ["severity", "rule", "message", "source", "source_ref", "source_line", "source_sha256",
                   "province_code", "unit_code", "period"]
SOURCE_COLUMNS = ["source", "source_sha256", "format", "method", "province_code", "period", "records",
                  "ingested_at"]


# what `chiso ingest --dry-run` prints for a portal file
DRY_RUN_COLUMNS = ["province", "province_code", "level", "unit", "unit_type", "unit_code", "portal_code",
                   "period_kind", "year", "month", "captured", "period_given_by", "method", "total",
                   "ckmb", "tdgq", "dvctt", "tttt", "mdsh", "mdhl", "tdgq_num", "tdgq_den", "no_activity",
                   "sum_mismatch", "portal_rank", "portal_group_rank", "rank", "rank_of", "source", "source_ref",
                   "source_line"]


def dtype_of(column: str) -> str:
    _, floats, ints, bools = _columns()
    if column in floats:
        return "Float64"
    if column in ints or column == "records":
        return "Int64"
    return "bool" if column in bools else "string"


def coerce(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return rec.coerce(df, columns, dtype_of)


def empty(columns: list[str]) -> pd.DataFrame:
    return coerce(pd.DataFrame({c: [] for c in columns}), columns)


def schema() -> Schema:
    return Schema({"records": record_columns(), "findings": FINDING_COLUMNS, "sources": SOURCE_COLUMNS},
                  coerce, empty)


def store(root=None) -> Store:
    """The portal's store: data/store/portal/ (beside the district reports' tables, same atomic writes)."""
    return Store(root or store_dir() / "portal", schema())


def period_text(kind, year, month, captured) -> str:
    """'2025' / '2025-10' and the capture date: '2025 đến 2025-10-16', '2026-08'."""
    base = f"{int(year)}" if kind == "year" else f"{int(year)}-{int(month):02d}"
    return base + (f" đến {captured}" if isinstance(captured, str) and captured else "")
