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
    pf = parser.parse(path, as_of)
    findings: list[dict] = [_finding(pf, None, None, rule, msg, line=line) for line, rule, msg in pf.notes]
    rows = pf.rows
    if not rows:
        raise InputError(pf.source, None, "tệp không có đơn vị nào")
    frame = pd.DataFrame(rows)
    frame["era"] = schema.ERA
    frame["method"] = pf.method
    frame["source"] = pf.source
    frame["source_sha256"] = pf.sha256
    _resolve_codes(frame, pf, findings)
    _check_values(frame, pf)
    _check_duplicates(frame, pf)
    _flag(frame, pf, findings)
    records = schema.coerce(frame, schema.record_columns())
    records = rank_lists(records)
    return records, _findings_frame(findings), pf


def _resolve_codes(frame: pd.DataFrame, pf: parser.PortalFile, findings: list[dict]) -> None:
    """province_code, province and unit_code (2025) for each row; the unit's official name and type."""
    province_of_file = lineage.province_2025(pf.province) if pf.province else None
    codes, provinces, unit_codes, names, types = [], [], [], [], []
    cache: dict[str, lineage.EraUnit | None] = {}
    aliases = {str(k): v for k, v in (params.portal().get("aliases") or {}).items()}
    for r in frame.itertuples(index=False):
        if r.level == "province":
            prov = cache.setdefault(r.unit, lineage.province_2025(r.unit))
            if prov is None:
                raise InputError(pf.source, r.source_line, f"{r.source_ref}: tỉnh, thành phố “{r.unit}” không có "
                                                           "trong danh mục 34 tỉnh, thành phố từ 01/7/2025")
            codes.append(prov.code), provinces.append(prov.name), unit_codes.append(prov.code)
            names.append(prov.name), types.append(prov.type)
            continue
        printed = r.printed_province if isinstance(r.printed_province, str) else None
        prov = cache.setdefault(printed, lineage.province_2025(printed)) if printed else province_of_file
        if prov is None:
            raise InputError(pf.source, r.source_line, f"{r.source_ref}: không xác định được tỉnh của “{r.printed_name}”")
        codes.append(prov.code), provinces.append(prov.name)
        if r.level == "department":
            unit_codes.append(None), names.append(r.unit), types.append(None)
            continue
        unit_type = r.unit_type if isinstance(r.unit_type, str) else None
        unit = lineage.match_2025(prov.code, r.unit, unit_type)
        official = aliases.get(prov.code, {}).get(r.unit)
        if unit is None and official:
            unit = lineage.match_2025(prov.code, official, unit_type)
            findings.append(_finding(pf, r.source_line, r.source_ref, "alias",
                                     f"“{r.printed_name}” đọc là {unit_type or ''} {official} theo cách viết khác "
                                     "ghi trong params/portal.yaml", province_code=prov.code,
                                     unit_code=None if unit is None else unit.code))
        if unit is None:
            findings.append(_finding(pf, r.source_line, r.source_ref, "unit_not_in_registry",
                                     f"“{r.printed_name}” không có trong danh mục đơn vị hành chính 2025 của "
                                     f"{prov.type} {prov.name}: giữ mã của Cổng ({r.portal_code})",
                                     province_code=prov.code))
            unit_codes.append(None), names.append(r.unit), types.append(r.unit_type)
        else:
            unit_codes.append(unit.code), names.append(unit.name), types.append(unit.type)
    frame["province_code"], frame["province"], frame["unit_code"] = codes, provinces, unit_codes
    frame["unit"], frame["unit_type"] = names, types


def _check_values(frame: pd.DataFrame, pf: parser.PortalFile) -> None:
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
            raise InputError(pf.source, int(r["source_line"]),
                             f"{r['source_ref']}: {r['printed_name']}: {label} {values[bad[0]]:g} ngoài khoảng 0–{top:g}")


def _check_duplicates(frame: pd.DataFrame, pf: parser.PortalFile) -> None:
    """A unit twice in one list (same level and period) of a file is refused."""
    key = ["level", "period_kind", "year", "month", "portal_code"]
    present = frame[key].astype("string").fillna("")
    dup = present.duplicated(keep="first").to_numpy() & (present["portal_code"] != "").to_numpy()
    if dup.any():
        r = frame.iloc[int(np.flatnonzero(dup)[0])]
        raise InputError(pf.source, int(r["source_line"]),
                         f"{r['source_ref']}: đơn vị {r['portal_code']} ({r['printed_name']}) có hai lần trong cùng danh sách")


def _flag(frame: pd.DataFrame, pf: parser.PortalFile, findings: list[dict]) -> None:
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
            findings.append(_finding(pf, int(r["source_line"]), r["source_ref"], "no_activity",
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
            findings.append(_finding(pf, int(r["source_line"]), r["source_ref"], "sum_mismatch",
                                     f"{r['printed_name']}: sáu nhóm cộng lại {parts.iloc[i].sum():.2f}, "
                                     f"điểm tổng ghi {total.iloc[i]:g}",
                                     province_code=r["province_code"], unit_code=r["unit_code"]))
    else:
        frame["sum_mismatch"] = False


def _finding(pf, line, ref, rule, message, province_code=None, unit_code=None, severity="warning") -> dict:
    return {"severity": severity, "rule": rule, "message": message, "source": pf.source, "source_ref": ref,
            "source_line": line, "source_sha256": pf.sha256, "province_code": province_code,
            "unit_code": unit_code, "period": None}


def _findings_frame(items: list[dict]) -> pd.DataFrame:
    return schema.coerce(pd.DataFrame(items, columns=schema.FINDING_COLUMNS), schema.FINDING_COLUMNS)


# -- many files, one write ------------------------------------------------------------------------------

def ingest_paths(paths, as_of: str | None = None, dry_run: bool = False, store=None) -> PortalResult:
    """Parse and check every file, then add the new ones to the portal store in one atomic write.
    Nothing is stored unless every file parses."""
    store = store or schema.store()
    files = [Path(p) for p in paths]
    for p in files:
        if not p.is_file():
            raise UsageError(f"không mở được tệp '{p}': tệp không tồn tại hoặc không phải tệp")
    known = set(store.sources()["source_sha256"].dropna())
    result = PortalResult()
    recs, finds, srcs = [], [], []
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for p in files:
        records, findings, pf = parse_file(p, as_of)
        result.files.append(pf)
        recs.append(records)
        finds.append(findings)
        if pf.sha256 in known:
            result.skipped.append(pf.source)
            continue
        known.add(pf.sha256)
        result.added.append(pf.source)
        first = records.iloc[0]
        srcs.append({"source": pf.source, "source_sha256": pf.sha256, "format": pf.format, "method": pf.method,
                     "province_code": None if pf.province is None else first["province_code"],
                     "period": schema.period_text(first["period_kind"], first["year"], first["month"],
                                                  first["captured"]),
                     "records": len(records), "ingested_at": now})
    result.records = _concat(recs, schema.record_columns())
    result.findings = _concat(finds, schema.FINDING_COLUMNS)
    if dry_run or not result.added:
        return result
    added = set(result.added)
    new_records = result.records[result.records["source"].isin(added)]
    new_findings = result.findings[result.findings["source"].isin(added)]

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
