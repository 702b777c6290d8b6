"""Portal files -> checked records in the portal store.

For each file: parse (helpers.parsers.portal, format from the content), match each unit to the 2025
registry (province by name, commune by name within its province; a department keeps the portal's code
only), check every value (a total outside 0-100, a group outside 0 to its maximum, a unit twice in one
list: the file is refused, naming its line), flag what is kept but worth a look (the six groups not
adding up to the total, a unit the registry does not know, a group score of 0 for a unit that received
no dossier), rank the units of each list again with the project's rule, and store everything in one
atomic write. A file already stored (same SHA-256) is skipped.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import lineage, params
from helpers.errors import InputError, UsageError
from helpers.parsers import portal as parser
from helpers.parsers.base import read_bytes
from helpers.portal import schema
from helpers.portal.score import rank_lists
from helpers.store import Snapshot


@dataclass
class PortalResult:
    files: list[parser.PortalFile] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    records: pd.DataFrame | None = None
    findings: pd.DataFrame | None = None


def is_portal_file(path: str | Path) -> bool:
    """True when the file's content is one of the portal's formats (never decided by its name)."""
    path = Path(path)
    if not path.is_file():
        return False
    return parser.detect(read_bytes(path, path.name)) is not None


def parse_file(path: str | Path, as_of: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, parser.PortalFile]:
    """(records, findings, parsed file) of one portal file, checked. Raises InputError / UsageError."""
    records, findings, files = parse_files([path], as_of)
    return records, findings, files[0]


def parse_files(paths, as_of: str | None = None, executor: Executor | None = None, chunk: int = 64,
                timings: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[parser.PortalFile]]:
    """(records, findings, parsed files) of many portal files, checked together.

    Each file is read into plain columns (in `executor`'s workers when one is given, `chunk` files per
    task), then one frame is built for all of them and every check, match and rank runs once on it,
    a column at a time: the cost per file is reading its JSON, not building frames. `timings`, when
    given, receives the seconds spent reading the files (`read_s`) and checking them (`check_s`).
    """
    start = time.perf_counter()
    paths = [str(p) for p in paths]
    if executor is None:
        files = read_files(paths, as_of)
    else:
        parts = [paths[i:i + chunk] for i in range(0, len(paths), chunk)]
        files = [f for part in executor.map(read_files, parts, [as_of] * len(parts)) for f in part]
    read = time.perf_counter()
    seen: set[str] = set()
    once = [f for f in files if not (f.sha256 in seen or seen.add(f.sha256))]  # a file given twice: read once
    frame = _columns_frame(once)
    findings: list[dict] = [_finding(f.source, f.sha256, line, None, rule, msg)
                            for f in once for line, rule, msg in f.notes]
    _resolve_codes(frame, findings)
    _check_values(frame)
    _check_duplicates(frame)
    _flag(frame, findings)
    records = rank_lists(schema.coerce(frame, schema.record_columns()))
    if timings is not None:
        timings.update(read_s=read - start, check_s=time.perf_counter() - read)
    return records, _findings_frame(findings), files


def read_files(paths: list[str], as_of: str | None = None) -> list[parser.PortalFile]:
    """The portal files parsed (their columns as plain lists); what a worker does."""
    files = [parser.parse(p, as_of) for p in paths]
    for f in files:
        if not f.columns or not len(f.columns["level"]):
            raise InputError(f.source, None, "tệp không có đơn vị nào")
    return files


def _columns_frame(files: list[parser.PortalFile]) -> pd.DataFrame:
    """One frame of every file's rows, with the file's name, SHA-256, method and province on each row.
    Numbers become float arrays at once; text stays in object columns until the records get their
    dtypes (schema.coerce), so it is converted to Arrow strings once."""
    sizes = [len(f.columns["level"]) for f in files]
    names = list(dict.fromkeys(k for f in files for k in f.columns))
    data = {}
    for name in names:
        parts = [f.columns.get(name) for f in files]
        if schema.dtype_of(name) in ("Float64", "Int64"):
            data[name] = np.concatenate([np.full(n, np.nan) if p is None else
                                         p if isinstance(p, np.ndarray) else
                                         np.array([np.nan if v is None else v for v in p], dtype=float)
                                         for p, n in zip(parts, sizes)])
        else:
            data[name] = pd.Series([v for p, n in zip(parts, sizes) for v in (p if p is not None else [None] * n)],
                                   dtype=object)
    for name, of in (("source", "source"), ("source_sha256", "sha256"), ("method", "method"),
                     ("file_province", "province")):
        data[name] = pd.Series(np.repeat(np.array([getattr(f, of) for f in files], dtype=object), sizes),
                               dtype=object)
    data["era"] = pd.Series([schema.ERA] * sum(sizes), dtype=object)
    return pd.DataFrame(data)


def _resolve_codes(frame: pd.DataFrame, findings: list[dict]) -> None:
    """province_code and province (2025) of each row; unit_code, unit and unit_type of the 2025 registry
    for a province or a commune (a department has no official code: it keeps the portal's). Each
    distinct name is looked up once, then the answers are spread over the rows."""
    level = frame["level"].to_numpy(dtype=object)
    is_province = level == "province"
    printed = frame["printed_province"].to_numpy(dtype=object, na_value=None)
    printed = np.where(pd.isna(printed), frame["file_province"].to_numpy(dtype=object), printed)
    wanted = pd.Series(np.where(is_province, frame["unit"].to_numpy(dtype=object), printed), dtype=object)
    found = {name: lineage.province_2025(name) for name in wanted.dropna().unique()}
    unknown = wanted.isna().to_numpy() | wanted.map(lambda n: found.get(n) is None).to_numpy()
    if unknown.any():
        r = frame.iloc[int(np.flatnonzero(unknown)[0])]
        what = "tỉnh, thành phố" if r["level"] == "province" else "tỉnh của"
        raise InputError(r["source"], int(r["source_line"]),
                         f"{r['source_ref']}: không xác định được {what} “{r['printed_name']}” trong danh mục "
                         "34 tỉnh, thành phố từ 01/7/2025")
    province_code = wanted.map({n: p.code for n, p in found.items()}).to_numpy(dtype=object)
    province = wanted.map({n: p.name for n, p in found.items()}).to_numpy(dtype=object)
    unit = frame["unit"].to_numpy(dtype=object)
    unit_type = frame["unit_type"].to_numpy(dtype=object, na_value=None)
    unit_code = np.where(is_province, province_code, None)
    unit = np.where(is_province, province, unit)
    unit_type = np.where(is_province, wanted.map({n: p.type for n, p in found.items()}).to_numpy(dtype=object),
                         unit_type)
    communes = level == "commune"
    if communes.any():
        asked = pd.DataFrame({"province_code": province_code[communes], "unit": unit[communes],
                              "unit_type": unit_type[communes]})
        distinct = asked.drop_duplicates(ignore_index=True)
        aliases = {str(k): v for k, v in (params.portal().get("aliases") or {}).items()}
        official = [aliases.get(p, {}).get(u) for p, u in zip(distinct["province_code"], distinct["unit"])]
        hit = lineage.match_2025_many(distinct["province_code"].tolist(),
                                      [o or u for o, u in zip(official, distinct["unit"])],
                                      distinct["unit_type"].tolist())
        distinct[["code", "name", "type"]] = hit.to_numpy(dtype=object, na_value=None)
        distinct["alias"] = official
        row_of = asked.merge(distinct.reset_index(), on=["province_code", "unit", "unit_type"], how="left")["index"]
        picked = distinct.iloc[row_of.to_numpy()]
        rows = np.flatnonzero(communes)
        matched = picked["code"].notna().to_numpy()
        unit_code[rows[matched]] = picked["code"].to_numpy()[matched]
        unit[rows[matched]] = picked["name"].to_numpy()[matched]
        unit_type[rows[matched]] = picked["type"].to_numpy()[matched]
        for i in np.flatnonzero(picked["alias"].notna().to_numpy()):
            r = frame.iloc[rows[i]]
            findings.append(_row_finding(r, "alias", f"“{r['printed_name']}” đọc là {r['unit_type'] or ''} "
                                         f"{picked['alias'].iloc[i]} theo cách viết khác ghi trong params/portal.yaml",
                                         province_code=province_code[rows[i]], unit_code=unit_code[rows[i]]))
        for i in np.flatnonzero(~matched):
            r = frame.iloc[rows[i]]
            findings.append(_row_finding(r, "unit_not_in_registry",
                                         f"“{r['printed_name']}” không có trong danh mục đơn vị hành chính 2025 của "
                                         f"{province[rows[i]]}: giữ mã của Cổng ({r['portal_code']})",
                                         province_code=province_code[rows[i]]))
    frame["province_code"], frame["province"] = province_code, province
    frame["unit_code"], frame["unit"], frame["unit_type"] = unit_code, unit, unit_type


def _check_values(frame: pd.DataFrame) -> None:
    """Totals within 0-100 and groups within 0 to their maximum, counts not negative: else the file is refused."""
    limits = {"total": 100.0} | {k: float(g["max"]) for k, g in params.portal()["groups"].items()}
    for col, top in limits.items():
        if col not in frame:
            continue
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero((values < 0) | (values > top + 1e-9))
        if bad.size:
            r = frame.iloc[bad[0]]
            label = "điểm tổng" if col == "total" else f"nhóm {params.portal()['groups'][col]['short']}"
            raise InputError(r["source"], int(r["source_line"]),
                             f"{r['source_ref']}: {r['printed_name']}: {label} {values[bad[0]]:g} ngoài khoảng 0–{top:g}")


def _check_duplicates(frame: pd.DataFrame) -> None:
    """A unit twice in one list (same level and period) of a file is refused."""
    key = ["source_sha256", "level", "period_kind", "year", "month", "portal_code"]
    present = frame[key].astype("string").fillna("")
    dup = present.duplicated(keep="first").to_numpy() & (present["portal_code"] != "").to_numpy()
    if dup.any():
        r = frame.iloc[int(np.flatnonzero(dup)[0])]
        raise InputError(r["source"], int(r["source_line"]),
                         f"{r['source_ref']}: đơn vị {r['portal_code']} ({r['printed_name']}) có hai lần trong cùng danh sách")


def _flag(frame: pd.DataFrame, findings: list[dict]) -> None:
    """no_activity (a group scored 0 on 0 dossiers received), sum_mismatch (groups do not add up)."""
    gs = schema.groups()
    none_received = []
    for g in gs:
        den = frame.get(f"{g}_den")
        if den is None:
            continue
        zero = (pd.to_numeric(den, errors="coerce") == 0).fillna(False).to_numpy()
        none_received.append(np.where(zero, g, ""))
        for i in np.flatnonzero(zero):
            r = frame.iloc[i]
            findings.append(_row_finding(r, "no_activity",
                                     f"{r['printed_name']}: không tiếp nhận hồ sơ nào trong kỳ, điểm nhóm "
                                     f"{params.portal()['groups'][g]['short']} ghi 0 không phải điểm đo được",
                                     province_code=r["province_code"], unit_code=r["unit_code"]))
    frame["no_activity"] = [" ".join(x for x in t if x) or None for t in zip(*none_received)] \
        if none_received else None
    tol = float(params.portal()["sum_tolerance"])
    if all(g in frame for g in gs) and "total" in frame:
        parts = frame[gs].apply(pd.to_numeric, errors="coerce")
        total = pd.to_numeric(frame["total"], errors="coerce")
        complete = parts.notna().all(axis=1) & total.notna()
        off = complete & ((parts.sum(axis=1) - total).abs() > tol)
        frame["sum_mismatch"] = off.to_numpy()
        for i in np.flatnonzero(off.to_numpy()):
            r = frame.iloc[i]
            findings.append(_row_finding(r, "sum_mismatch",
                                     f"{r['printed_name']}: sáu nhóm cộng lại {parts.iloc[i].sum():.2f}, "
                                     f"điểm tổng ghi {total.iloc[i]:g}",
                                     province_code=r["province_code"], unit_code=r["unit_code"]))
    else:
        frame["sum_mismatch"] = False


def _finding(source, sha256, line, ref, rule, message, province_code=None, unit_code=None) -> dict:
    return {"severity": "warning", "rule": rule, "message": message, "source": source, "source_ref": ref,
            "source_line": line, "source_sha256": sha256, "province_code": province_code,
            "unit_code": unit_code, "period": None}


def _row_finding(r: pd.Series, rule: str, message: str, province_code=None, unit_code=None) -> dict:
    """A warning about one row, with its file, line and place in the file."""
    return _finding(r["source"], r["source_sha256"], int(r["source_line"]), r["source_ref"], rule, message,
                    province_code, unit_code)


def _findings_frame(items: list[dict]) -> pd.DataFrame:
    return schema.coerce(pd.DataFrame(items, columns=schema.FINDING_COLUMNS), schema.FINDING_COLUMNS)


# -- many files, one write ------------------------------------------------------------------------------

def ingest_paths(paths, as_of: str | None = None, dry_run: bool = False, store=None,
                 executor: Executor | None = None, timings: dict | None = None) -> PortalResult:
    """Parse and check every file, then add the new ones to the portal store in one atomic write.
    Nothing is stored unless every file parses."""
    store = store or schema.store()
    files = [Path(p) for p in paths]
    for p in files:
        if not p.is_file():
            raise UsageError(f"không mở được tệp '{p}': tệp không tồn tại hoặc không phải tệp")
    known = set(store.sources()["source_sha256"].dropna())
    result = PortalResult()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    records, findings, parsed = parse_files(files, as_of, executor=executor, timings=timings)
    result.files = parsed
    first = records.drop_duplicates("source_sha256").set_index("source_sha256")
    counts = records["source_sha256"].value_counts()
    srcs = []
    for pf in parsed:
        if pf.sha256 in known:
            result.skipped.append(pf.source)
            continue
        known.add(pf.sha256)
        result.added.append(pf.source)
        row = first.loc[pf.sha256]
        srcs.append({"source": pf.source, "source_sha256": pf.sha256, "format": pf.format, "method": pf.method,
                     "province_code": None if pf.province is None else row["province_code"],
                     "period": schema.period_text(row["period_kind"], row["year"], row["month"], row["captured"]),
                     "records": int(counts[pf.sha256]), "ingested_at": now})
    result.records, result.findings = records, findings
    if dry_run or not result.added:
        return result
    added = {s["source_sha256"] for s in srcs}
    new_records = records[records["source_sha256"].isin(added)]
    new_findings = findings[findings["source_sha256"].isin(added)]

    def change(snap: Snapshot) -> Snapshot | None:
        stored = set(snap.sources["source_sha256"].dropna())
        keep = ~new_records["source_sha256"].isin(stored)
        if not keep.any():
            return None
        return Snapshot("", _concat([snap.records, new_records[keep]], schema.record_columns()),
                        _concat([snap.findings, new_findings[~new_findings["source_sha256"].isin(stored)]],
                                schema.FINDING_COLUMNS),
                        _concat([snap.sources, schema.coerce(pd.DataFrame(srcs), schema.SOURCE_COLUMNS)],
                                schema.SOURCE_COLUMNS))

    store.update(change)
    return result


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return schema.empty(columns)
    return schema.coerce(pd.concat(frames, ignore_index=True), columns)
