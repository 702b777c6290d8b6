"""The record schema: the contract's columns, the store's extra columns, and findings.

A record is one unit (or the district total) for one period. Unknown values are missing (NA), never 0.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

# The contract's parsed-record columns, in order (what `chiso ingest --dry-run` prints).
CONTRACT_COLUMNS = [
    "district", "unit", "unit_type", "unit_code", "as_of", "week", "score", "band", "prev_score", "delta",
    "transparency_pct", "progress_pct", "online_pct", "payment_pct", "digitization_pct",
    "e_cert", "e_cert_cum", "reported_rank", "source", "source_line",
]
COMPONENT_COLUMNS = ["transparency_pct", "progress_pct", "online_pct", "payment_pct", "digitization_pct"]
SCORE_COLUMNS = ["score", "prev_score", "delta"]
COUNT_COLUMNS = ["e_cert", "e_cert_cum"]
# What the store keeps besides the contract's columns.
EXTRA_COLUMNS = [
    "district_code",      # official code of the district
    "province",           # province name
    "period_kind",        # "week" or "month"
    "derived",            # True: taken from the previous-week column of a later report
    "province_rank",      # district total row only: "xếp hạng 7/11" -> 7
    "province_rank_of",   # ... -> 11
    "source_sha256",      # SHA-256 of the source file
]
STORE_COLUMNS = CONTRACT_COLUMNS + EXTRA_COLUMNS

FLOAT_COLUMNS = SCORE_COLUMNS + COMPONENT_COLUMNS
INT_COLUMNS = COUNT_COLUMNS + ["reported_rank", "source_line", "province_rank", "province_rank_of"]
STRING_COLUMNS = [c for c in STORE_COLUMNS if c not in FLOAT_COLUMNS + INT_COLUMNS + ["derived"]]

# Findings: every warning or error about the data, with file and line.
FINDING_COLUMNS = [
    "severity",        # "error" (file rejected) or "warning" (stored with the data)
    "rule",            # short id: band_mismatch, delta_mismatch, alias, conflict, missing_units, ...
    "message",         # Vietnamese, plain words
    "source", "source_line", "source_sha256", "district_code", "as_of", "unit_code",
]
SOURCE_COLUMNS = ["source", "source_sha256", "format", "district_code", "as_of", "records", "ingested_at"]


def is_missing(value) -> bool:
    """None, NaN, pd.NA and NaT are missing; anything else (including 0) is a value."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_float(value) -> float | None:
    """A number as float, or None when missing or not a number."""
    if is_missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def number_text(value) -> str:
    """A value for a message: a number in its shortest form, without a spurious '.0' (59.0 -> '59',
    59.25 -> '59.25'); a missing value as empty; anything else as str()."""
    if is_missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def empty(columns: list[str]) -> pd.DataFrame:
    """A frame of no rows with the schema's columns and dtypes."""
    return _empty(tuple(columns)).copy(deep=False)


@lru_cache(maxsize=8)
def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    # built once per schema: building one costs about 1.7 ms, and the parsing of a file without
    # warnings asks for an empty table of findings
    return coerce(pd.DataFrame({c: [] for c in columns}), list(columns))


_DTYPES = {"Float64": pd.Float64Dtype(), "Int64": pd.Int64Dtype(), "bool": np.dtype(bool), "string": pd.StringDtype()}


def _dtype_of(column: str) -> str:
    if column in FLOAT_COLUMNS:
        return "Float64"
    if column in INT_COLUMNS or column == "records":
        return "Int64"
    return "bool" if column == "derived" else "string"


_ARROW_TYPES = {"Float64": pa.float64(), "Int64": pa.int64(), "bool": pa.bool_(), "string": pa.string()}
# Arrow type -> pandas dtype when a table becomes a frame (bool needs none: it has no missing values here)
_FROM_ARROW = {pa.float64(): pd.Float64Dtype(), pa.int64(): pd.Int64Dtype(), pa.string(): pd.StringDtype()}.get


def from_rows(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """Plain rows (a missing key is a missing value) as a frame of the schema's columns and dtypes.

    Arrow converts the rows in one pass, about half the time of pandas' own constructor on the rows of
    a large ingest. The values must already have their column's kind (parsers give int for the integer
    columns, float for the others): Arrow would cut 3.5 to 3 in an integer column without a word.
    """
    schema = pa.schema([(c, _ARROW_TYPES[_dtype_of(c)]) for c in columns])
    return coerce(from_arrow(pa.Table.from_pylist(rows, schema=schema)), columns)


def from_arrow(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a frame with the schema's pandas dtypes (strings stay Arrow strings)."""
    return table.to_pandas(types_mapper=_FROM_ARROW)


def coerce(df: pd.DataFrame, columns: list[str] = STORE_COLUMNS, dtype_of=None) -> pd.DataFrame:
    """Give a frame the schema's columns (added as missing when absent) and dtypes, in order.

    The input is never changed; columns that already have their dtype are kept as they are (no copy).
    `dtype_of` (column -> "Float64", "Int64", "bool" or "string") is for a table of another schema.
    """
    df = df.copy(deep=False)
    dtypes = df.dtypes.to_dict()  # (asking each column for its dtype builds a Series per column)
    for c in columns:
        kind = (dtype_of or _dtype_of)(c)
        if c not in dtypes:  # all missing, made in its dtype at once
            df[c] = False if kind == "bool" else pd.Series(pd.NA, index=df.index, dtype=_DTYPES[kind])
            continue
        if dtypes[c] == _DTYPES[kind]:
            continue
        if kind in ("Float64", "Int64"):
            df[c] = pd.to_numeric(df[c], errors="raise").astype(kind)
        elif kind == "bool":
            df[c] = df[c].fillna(False).astype(bool)
        else:
            df[c] = df[c].astype("string")
    if list(df.columns) != columns:
        df = df[columns]
    return df if _is_default_index(df.index) else df.reset_index(drop=True)


def _is_default_index(index: pd.Index) -> bool:
    """0, 1, 2, ... as reset_index(drop=True) would give."""
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def to_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The contract's columns as text: numbers as reported (shortest form), missing as empty."""
    out = pd.DataFrame(index=df.index)
    for c in CONTRACT_COLUMNS:
        col = df[c] if c in df.columns else pd.Series(pd.NA, index=df.index)
        if c in FLOAT_COLUMNS:
            out[c] = [("" if pd.isna(v) else repr(float(v))) for v in col]
            out[c] = out[c].str.replace(r"\.0$", "", regex=True)
        else:
            out[c] = ["" if pd.isna(v) else str(v) for v in col]
    return out


def to_json_rows(df: pd.DataFrame) -> list[dict]:
    """The contract's columns, in order, as JSON-ready rows: numbers as numbers (the integer columns as
    int, the others as float), booleans as bool, text as str, a missing value as None (null)."""
    convert = {"Float64": float, "Int64": int, "bool": bool, "string": str}
    columns = []
    for c in CONTRACT_COLUMNS:
        col = df[c] if c in df.columns else pd.Series(pd.NA, index=df.index)
        to = convert[_dtype_of(c)]
        columns.append([None if is_missing(v) else to(v) for v in col])
    return [dict(zip(CONTRACT_COLUMNS, values)) for values in zip(*columns)]
