"""Ingest stage: parsed documents -> validated records in the store.

For each file: parse (helpers.parsers, format chosen from the content), resolve the district and the
period (document metadata, or the --district/--as-of overrides), match every printed name to a
registry code, validate, and derive the previous week's records from the "last week" column. Hard
errors (a row that does not parse, a value out of range, a unit twice, a district total that does
not match its rows) reject the file; inconsistencies are kept with the data as warnings. Nothing is
stored unless every file given parses; the store is updated in one atomic write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from helpers import params, periods, registry
from helpers import records as rec
from helpers.errors import InputError, UsageError
from helpers.params import District
from helpers.parsers import ParsedReport, parse_document
from helpers.paths import raw_dir
from helpers.periods import Period
from helpers.score import band_of
from helpers.store import Snapshot, Store

PCT_COLUMNS = rec.COMPONENT_COLUMNS
VALUE_COLUMNS = rec.SCORE_COLUMNS + rec.COMPONENT_COLUMNS + rec.COUNT_COLUMNS + ["reported_rank"]
COMPARED_COLUMNS = rec.SCORE_COLUMNS + rec.COMPONENT_COLUMNS + rec.COUNT_COLUMNS
# Bounds of the integer columns: a count or an STT beyond these is a typo (and would not fit the
# store's 64-bit integer columns).
MAX_COUNT = 10**9
MAX_RANK = 99_999


@dataclass
class ParsedFile:
    """One file, parsed and validated: its records (reported + derived) and its warnings."""

    report: ParsedReport
    district: District
    period: Period
    records: pd.DataFrame
    findings: pd.DataFrame


@dataclass
class IngestResult:
    files: list[ParsedFile] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # file names whose records were added
    skipped: list[str] = field(default_factory=list)  # already in the store (same SHA-256)
    conflicts: pd.DataFrame = field(default_factory=lambda: rec.empty(rec.FINDING_COLUMNS))
    added_records: int = 0

    @property
    def records(self) -> pd.DataFrame:
        frames = [f.records for f in self.files]
        return pd.concat(frames, ignore_index=True) if frames else rec.empty(rec.STORE_COLUMNS)

    @property
    def findings(self) -> pd.DataFrame:
        frames = [f.findings for f in self.files] + [self.conflicts]
        return pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
            else rec.empty(rec.FINDING_COLUMNS)

    def summary(self) -> pd.DataFrame:
        """One row per file: what happened to it (Vietnamese labels, for display)."""
        rows = []
        for f in self.files:
            status = "đã có trong kho" if f.report.source in self.skipped else "đã thêm"
            rows.append({
                "tệp": f.report.source, "định dạng": f.report.format, "huyện": f.district.name,
                "kỳ số liệu": f.period.label(), "số dòng": int((~f.records["derived"]).sum()),
                "cảnh báo": len(f.findings), "kết quả": status,
            })
        return pd.DataFrame(rows)


# -- parsing and validation ---------------------------------------------------------------------

def parse_file(path: Path | str, district: str | None = None, as_of: str | None = None,
               fmt: str | None = None) -> ParsedFile:
    """Parse and validate one file. Raises InputError (exit 1) or UsageError (exit 2)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"không mở được tệp '{path}': tệp không tồn tại hoặc không phải tệp")
    report = parse_document(path, fmt)
    dist = _resolve_district(report, district)
    period = periods.parse_as_of(as_of) if as_of else report.meta.period
    if period is None:
        raise InputError(report.source, None,
                         "không tìm thấy ngày chốt số liệu hoặc tháng báo cáo; hãy ghi rõ bằng --as-of")
    findings: list[dict] = []
    rows = _resolve_rows(report, dist, period, findings)
    _check(report, dist, period, rows, findings)
    records = _records(report, dist, period, rows)
    return ParsedFile(report, dist, period, records, _findings_frame(findings))


def _resolve_district(report: ParsedReport, slug: str | None) -> District:
    known = params.districts()
    if slug:
        dist = params.district(slug)
        printed = report.meta.district_name
        if printed and dist.code not in registry.find_district(printed):
            raise InputError(report.source, None,
                             f"tệp ghi huyện '{printed}' nhưng được nạp cho huyện {dist.name} (--district {slug})")
        return dist
    printed = report.meta.district_name
    if not printed:
        raise InputError(report.source, None, "không xác định được huyện trong tệp; hãy ghi rõ bằng --district")
    codes = set(registry.find_district(printed))
    candidates = [d for d in known.values() if d.code in codes]
    if report.meta.province_name and len(candidates) > 1:
        key = registry.name_key(report.meta.province_name)
        candidates = [d for d in candidates if registry.name_key(d.province) == key]
    if len(candidates) != 1:
        listed = ", ".join(f"{d.name} ({d.slug})" for d in known.values())
        raise InputError(report.source, None,
                         f"huyện '{printed}' không có (hoặc không rõ) trong params/districts.yaml (có: {listed}); "
                         "hãy ghi rõ bằng --district")
    return candidates[0]


def _finding(report, dist, period, line, rule, message, unit_code=None, severity="warning") -> dict:
    return {"severity": severity, "rule": rule, "message": message, "source": report.source,
            "source_line": line, "source_sha256": report.sha256, "district_code": dist.code,
            "as_of": period.as_of, "unit_code": unit_code}


def _resolve_rows(report, dist, period, findings) -> list[tuple]:
    """(RawRow, Unit) pairs; aliases become warnings, unknown names are errors."""
    out = []
    for row in report.rows:
        if row.is_total:
            out.append((row, registry.district_unit(dist.code)))
            continue
        try:
            match = registry.match_unit(dist.code, row.name, row.unit_type, dist.slug)
        except registry.UnknownName as exc:
            hint = ", ".join(exc.suggestions) or "không có tên nào gần giống"
            what = "trùng tên, cần ghi rõ loại đơn vị" if exc.ambiguous else "không có trong danh mục đơn vị"
            raise InputError(report.source, row.line,
                             f"đơn vị '{row.name}' {what} của huyện {dist.name}; gần nhất: {hint}") from None
        if match.alias:
            findings.append(_finding(report, dist, period, row.line, "alias",
                                     f"tên '{row.name}' được hiểu là {match.unit.full_name} (bí danh trong "
                                     "params/aliases.yaml)", match.unit.code))
        out.append((row, match.unit))
    if not any(not r.is_total for r, _ in out):
        raise InputError(report.source, None, "không tìm thấy dòng số liệu của đơn vị nào")
    return out


def _check(report, dist, period, rows, findings) -> None:
    pol = params.policy()
    seen: dict[str, int] = {}
    for row, unit in rows:
        v = row.values
        if v.get("score") is None:
            raise InputError(report.source, row.line, f"dòng của '{row.name}' thiếu điểm tổng hợp")
        for col in ["score", "prev_score", *PCT_COLUMNS]:
            x = v.get(col)
            if x is not None and not 0 <= x <= 100:
                raise InputError(report.source, row.line,
                                 f"'{row.name}': giá trị {x} ở cột {col} nằm ngoài khoảng 0–100")
        if v.get("delta") is not None and not -100 <= v["delta"] <= 100:
            raise InputError(report.source, row.line, f"'{row.name}': mức tăng/giảm {v['delta']} không hợp lệ")
        for col in rec.COUNT_COLUMNS:
            x = v.get(col)
            if x is not None and (x < 0 or int(x) != x):
                raise InputError(report.source, row.line,
                                 f"'{row.name}': số lượng {x} ở cột {col} phải là số nguyên không âm")
            if x is not None and x > MAX_COUNT:
                raise InputError(report.source, row.line,
                                 f"'{row.name}': số lượng {x} ở cột {col} lớn bất thường (tối đa {MAX_COUNT})")
        rank = v.get("reported_rank")
        if rank is not None and not 0 <= rank <= MAX_RANK:
            raise InputError(report.source, row.line,
                             f"'{row.name}': số thứ tự (STT) {rank} không hợp lệ (cần từ 0 đến {MAX_RANK})")
        if unit.code in seen:
            raise InputError(report.source, row.line,
                             f"đơn vị {unit.full_name} xuất hiện hai lần (dòng {seen[unit.code]} và {row.line})")
        seen[unit.code] = row.line
        # inconsistencies: stored as warnings
        score, prev, delta = v.get("score"), v.get("prev_score"), v.get("delta")
        if score is not None and prev is not None and delta is not None \
                and abs(round(score - prev, 2) - delta) > pol.delta_tolerance + 1e-9:
            findings.append(_finding(report, dist, period, row.line, "delta_mismatch",
                                     f"{unit.full_name}: mức tăng/giảm in là {delta} nhưng {score} − {prev} = "
                                     f"{round(score - prev, 2)}", unit.code))
        if row.band:
            expected = band_of(score, pol)
            if row.band != expected:
                findings.append(_finding(report, dist, period, row.line, "band_mismatch",
                                         f"{unit.full_name}: xếp loại in là “{row.band}” nhưng {score} điểm "
                                         f"thuộc loại “{expected}”", unit.code))
    numbered = [(row.values.get("reported_rank"), row.line) for row, _ in rows if not row.is_total]
    ranks = [r for r, _ in numbered if r is not None]
    if ranks and ranks != list(range(1, len(ranks) + 1)):
        line = next((ln for i, (r, ln) in enumerate(numbered) if r != i + 1), None)
        findings.append(_finding(report, dist, period, line, "rank_sequence",
                                 f"số thứ tự không liên tục: {', '.join(str(r) for r in ranks)}"))
    totals = [(row, unit) for row, unit in rows if row.is_total]
    if totals:
        total = totals[0][0]
        for col in rec.COUNT_COLUMNS:
            parts = [row.values.get(col) for row, _ in rows if not row.is_total]
            if total.values.get(col) is not None and all(p is not None for p in parts):
                if sum(parts) != total.values[col]:
                    raise InputError(report.source, total.line,
                                     f"dòng toàn huyện ghi {col} = {total.values[col]} nhưng tổng các đơn vị là "
                                     f"{sum(parts)}")
    missing = [u for u in registry.units_of(dist.code) if u.code not in seen]
    if missing:
        findings.append(_finding(report, dist, period, None, "missing_units",
                                 f"bảng thiếu {len(missing)} đơn vị của huyện {dist.name}: "
                                 + ", ".join(u.full_name for u in missing)))


def _records(report: ParsedReport, dist: District, period: Period, rows) -> pd.DataFrame:
    base = {"district": dist.name, "district_code": dist.code, "province": dist.province,
            "source": report.source, "source_sha256": report.sha256}
    out = []
    for row, unit in rows:
        r = {**base, "unit": unit.name, "unit_type": unit.type, "unit_code": unit.code,
             "as_of": period.as_of, "week": period.iso_week, "period_kind": period.kind,
             "band": row.band, "source_line": row.line, "derived": False}
        r.update({c: row.values.get(c) for c in VALUE_COLUMNS})
        if row.is_total:
            r["province_rank"] = report.meta.province_rank
            r["province_rank_of"] = report.meta.province_rank_of
        out.append(r)
        if period.kind == "week" and row.values.get("prev_score") is not None:
            prev = period.previous_week()
            out.append({**base, "unit": unit.name, "unit_type": unit.type, "unit_code": unit.code,
                        "as_of": prev.as_of, "week": prev.iso_week, "period_kind": "week",
                        "score": row.values["prev_score"], "source_line": row.line, "derived": True})
    return rec.coerce(pd.DataFrame(out))


def _findings_frame(items: list[dict]) -> pd.DataFrame:
    return rec.coerce(pd.DataFrame(items), rec.FINDING_COLUMNS) if items else rec.empty(rec.FINDING_COLUMNS)


# -- storing ------------------------------------------------------------------------------------

def ingest_paths(paths, district: str | None = None, as_of: str | None = None, fmt: str | None = None,
                 dry_run: bool = False, store: Store | None = None) -> IngestResult:
    """Parse every file, then (unless dry_run) add them to the store in one atomic write.

    If any file fails, the first error is raised and nothing is stored.
    """
    files = [parse_file(p, district, as_of, fmt) for p in _expand(paths)]
    result = IngestResult(files=files)
    if dry_run or not files:
        return result
    (store or Store()).update(lambda snap: _merge(snap, result))
    return result


def _expand(paths) -> list[Path]:
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.iterdir() if x.is_file() and not x.name.startswith(".")))
        else:
            out.append(p)
    return out


def _merge(snap: Snapshot, result: IngestResult) -> Snapshot | None:
    known = set(snap.sources["source_sha256"].dropna())
    new_files = []
    for f in result.files:
        if f.report.sha256 in known:
            result.skipped.append(f.report.source)
        else:
            known.add(f.report.sha256)
            new_files.append(f)
            result.added.append(f.report.source)
    if not new_files:
        return None
    now = datetime.now(UTC).isoformat(timespec="seconds")
    new_records = pd.concat([f.records for f in new_files], ignore_index=True)
    records = pd.concat([snap.records, new_records], ignore_index=True)
    result.conflicts = _findings_frame(_conflicts(records, len(snap.records)))
    result.added_records = len(new_records)
    findings = pd.concat([snap.findings, *(f.findings for f in new_files), result.conflicts], ignore_index=True)
    sources = pd.DataFrame([{"source": f.report.source, "source_sha256": f.report.sha256, "format": f.report.format,
                             "district_code": f.district.code, "as_of": f.period.as_of,
                             "records": len(f.records), "ingested_at": now} for f in new_files])
    return Snapshot(snap.generation, records, findings, pd.concat([snap.sources, sources], ignore_index=True))


def _conflicts(records: pd.DataFrame, first_new: int) -> list[dict]:
    """Rows from position `first_new` on that disagree with an earlier row for the same unit and period.

    One join on (unit_code, as_of) instead of a lookup per row, so a large batch stays linear.
    """
    key = ["unit_code", "as_of"]
    frame = records.assign(_pos=range(len(records)))
    new = frame.iloc[first_new:]
    if new.empty or first_new + len(new) < 2:
        return []
    keys = pd.MultiIndex.from_frame(new[key])
    candidates = frame[pd.MultiIndex.from_frame(frame[key]).isin(keys)]
    pairs = new.merge(candidates, on=key, suffixes=("", "_old"))
    pairs = pairs[pairs["_pos_old"] < pairs["_pos"]]
    differs = {c: (pairs[c].notna() & pairs[f"{c}_old"].notna()
                   & ((pairs[c].astype(float) - pairs[f"{c}_old"].astype(float)).abs() > 1e-9)).to_numpy(bool)
               for c in COMPARED_COLUMNS}
    out = []
    for i, (_, p) in enumerate(pairs.iterrows()):
        diffs = [c for c in COMPARED_COLUMNS if differs[c][i]]
        if not diffs:
            continue
        kind_old = "suy ra từ cột tuần trước" if p["derived_old"] else "báo cáo"
        kind_new = "suy ra từ cột tuần trước" if p["derived"] else "báo cáo"
        detail = "; ".join(f"{c}: {p[f'{c}_old']} ({p['source_old']}:{p['source_line_old']}, {kind_old}) ≠ "
                           f"{p[c]} ({p['source']}:{p['source_line']}, {kind_new})" for c in diffs)
        out.append({"severity": "warning", "rule": "conflict",
                    "message": f"số liệu mâu thuẫn cho {p['unit_type']} {p['unit']} kỳ {p['as_of']}: "
                               f"{detail}; cả hai giá trị được giữ, không ghi đè",
                    "source": p["source"], "source_line": p["source_line"], "source_sha256": p["source_sha256"],
                    "district_code": p["district_code"], "as_of": p["as_of"], "unit_code": p["unit_code"]})
    return out


def ingest_raw(district: District, store: Store | None = None) -> IngestResult:
    """Ingest what data/raw/<slug>/ holds for one district (idempotent: known files are skipped)."""
    folder = raw_dir() / district.slug
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) \
        if folder.is_dir() else []
    return ingest_paths(files, district=district.slug, store=store)


# -- views for the notebook -----------------------------------------------------------------------

def district_history(records: pd.DataFrame, district: District) -> pd.DataFrame:
    """Score of every unit in every period the store holds (rows: units; columns: as_of)."""
    rows = records[records["district_code"] == district.code]
    if rows.empty:
        return pd.DataFrame()
    rows = rows.sort_values("derived").drop_duplicates(["unit_code", "as_of"], keep="first")
    table = rows.pivot_table(index=["unit_type", "unit"], columns="as_of", values="score", aggfunc="first")
    return table


def district_findings(findings: pd.DataFrame, district: District, as_of: str | None = None) -> pd.DataFrame:
    rows = findings[findings["district_code"] == district.code]
    if as_of is not None:
        rows = rows[rows["as_of"] == as_of]
    return rows.reset_index(drop=True)
