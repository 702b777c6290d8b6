"""Ingest stage: parsed documents -> validated records in the store.

For each file: parse (helpers.parsers, format chosen from the content), resolve the district and the
period (document metadata, or the --district/--as-of overrides), match every printed name to a
registry code, validate, and derive the previous week's records from the "last week" column. Hard
errors (a row that does not parse, a value out of range, a unit twice, a district total that does
not match its rows) reject the file; inconsistencies are kept with the data as warnings. Nothing is
stored unless every file given parses; the store is updated in one atomic write.
"""

from __future__ import annotations

import difflib
import hashlib
import multiprocessing
import os
import stat
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from helpers import params, periods, registry
from helpers import records as rec
from helpers.errors import ChisoError, InputError, UsageError
from helpers.params import District
from helpers.parsers import ParsedReport, ReportMeta, metadata, parse_document
from helpers.parsers.base import max_file_bytes
from helpers.parsers.columns import LABELS
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
# An unknown district's message lists every district of params/ up to this many, else the closest names.
MAX_DISTRICTS_LISTED = 12


@dataclass
class ParsedFile:
    """One file, parsed and validated: its records (reported + derived) and its warnings, kept as plain
    rows (`records` and `findings` give them as frames).

    The files of an IngestResult keep their metadata and counts only: their rows are in the result's
    `records` and `findings` (one frame for all files), and a file already in the store is described
    from the store's tables without being parsed again.
    """

    report: ParsedReport
    district: District
    period: Period
    record_rows: list[dict] = field(default_factory=list, repr=False)
    finding_rows: list[dict] = field(default_factory=list, repr=False)
    n_records: int = 0  # reported + derived
    n_reported: int = 0
    n_warnings: int = 0

    @property
    def records(self) -> pd.DataFrame:
        self._check_rows(self.n_records, self.record_rows)
        return records_frame(self.record_rows)

    @property
    def findings(self) -> pd.DataFrame:
        self._check_rows(self.n_warnings, self.finding_rows)
        return _findings_frame(self.finding_rows)

    def _check_rows(self, count: int, rows: list) -> None:
        if count != len(rows):
            raise ValueError(f"{self.report.source}: the rows are in IngestResult.records / .findings")

    def counts_only(self) -> ParsedFile:
        """The same file without its rows (nor the report's printed rows): what an IngestResult keeps."""
        return replace(self, report=replace(self.report, rows=[]), record_rows=[], finding_rows=[])


@dataclass
class IngestResult:
    files: list[ParsedFile] = field(default_factory=list)  # every file given, in order
    added: list[str] = field(default_factory=list)  # file names whose records were added
    skipped: list[str] = field(default_factory=list)  # already in the store (same SHA-256)
    conflicts: pd.DataFrame = field(default_factory=lambda: rec.empty(rec.FINDING_COLUMNS))
    added_records: int = 0
    # every file's records and warnings, in file order (a file already stored: its rows in the store)
    records: pd.DataFrame = field(default_factory=lambda: rec.empty(rec.STORE_COLUMNS))
    file_findings: pd.DataFrame = field(default_factory=lambda: rec.empty(rec.FINDING_COLUMNS))
    hashes: dict[Path, str] = field(default_factory=dict)  # path -> SHA-256 of every file known or parsed
    retired: list = field(default_factory=list)  # helpers.retire.Retired: stored files that left data/raw

    @property
    def findings(self) -> pd.DataFrame:
        return _concat([self.file_findings, self.conflicts], rec.FINDING_COLUMNS)

    def summary(self) -> pd.DataFrame:
        """One row per file: what happened to it (Vietnamese labels, for display)."""
        rows = []
        for f in self.files:
            status = "đã có trong kho" if f.report.source in self.skipped else "đã thêm"
            rows.append({
                "tệp": f.report.source, "định dạng": f.report.format, "huyện": f.district.name,
                "kỳ số liệu": f.period.label(), "số dòng": f.n_reported,
                "cảnh báo": f.n_warnings, "kết quả": status,
            })
        for r in self.retired:  # stored files that have left data/raw: their data left the store
            rows.append({"tệp": r.source, "định dạng": None, "huyện": r.district.name,
                         "kỳ số liệu": periods.parse_as_of(r.as_of).label(), "số dòng": r.records, "cảnh báo": None,
                         "kết quả": "đã bỏ khỏi kho: tệp không còn trong data/raw"})
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
    period = _resolve_period(report, as_of)
    if period is None:
        raise InputError(report.source, None, metadata.missing_period_message(report.meta))
    findings: list[dict] = []
    rows = _resolve_rows(report, dist, period, findings)
    _check(report, dist, period, rows, findings)
    records = _record_rows(report, dist, period, rows)
    return ParsedFile(report, dist, period, records, findings, n_records=len(records),
                      n_reported=sum(not r["derived"] for r in records), n_warnings=len(findings))


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
    candidates = [d for code in registry.find_district(printed) for d in params.districts_with_code(code)]
    if report.meta.province_name and len(candidates) > 1:
        key = registry.name_key(report.meta.province_name)
        candidates = [d for d in candidates if registry.name_key(d.province) == key]
    if len(candidates) != 1:
        raise InputError(report.source, None,
                         f"huyện '{printed}' không có (hoặc không rõ) trong params/districts.yaml "
                         f"({_districts_to_name(printed, candidates, known)}); hãy ghi rõ bằng --district")
    return candidates[0]


def _resolve_period(report: ParsedReport, as_of: str | None) -> Period | None:
    """The period the file's records are for: the --as-of override (which must not contradict the period
    the file prints, as --district must not contradict its district), else the printed one."""
    printed = report.meta.period
    if not as_of:
        return printed
    given = periods.parse_as_of_arg(as_of)
    if printed is not None and not periods.agree(printed, given):
        raise InputError(report.source, report.meta.period_line,
                         f"tệp ghi kỳ số liệu {_period_text(printed)} nhưng được nạp cho kỳ {given.short_label()} "
                         f"(--as-of {str(as_of).strip()})")
    return given


def _period_text(period: Period) -> str:
    """'tuần 2 tháng 12/2023 (chốt số liệu 11/12/2023)' or 'tháng 9/2023'."""
    if period.kind == "month":
        return period.short_label()
    return f"{period.short_label()} (chốt số liệu {period.start:%d/%m/%Y})"


def _districts_to_name(printed: str, candidates: list[District], known: dict[str, District]) -> str:
    """The districts an unresolved name could mean: the ones sharing it, else every district of params
    (with many, the closest names and how many there are)."""
    def listed(ds) -> str:
        return ", ".join(f"{d.name} ({d.slug})" for d in ds)

    if len(candidates) > 1:
        return f"trùng tên: {listed(candidates)}"
    if len(known) <= MAX_DISTRICTS_LISTED:
        return f"có: {listed(known.values())}"
    by_key = {registry.name_key(d.name): d for d in known.values()}
    close = difflib.get_close_matches(registry.name_key(printed), list(by_key), n=5, cutoff=0.6)
    hint = f"; tên gần giống: {listed(by_key[k] for k in close)}" if close else ""
    return f"có {len(known)} huyện{hint}"


def _finding(report, dist, period, line, rule, message, unit_code=None, severity="warning") -> dict:
    return {"severity": severity, "rule": rule, "message": message, "source": report.source,
            "source_line": line, "source_sha256": report.sha256, "district_code": dist.code,
            "as_of": period.as_of, "unit_code": unit_code}


def _resolve_rows(report, dist, period, findings) -> list[tuple]:
    """(RawRow, Unit) pairs; aliases become warnings, unknown names are errors."""
    out = []
    match_unit = registry.unit_matcher(dist.code, dist.slug)
    for row in report.rows:
        if row.no_data:
            try:
                unit = match_unit(row.name, row.unit_type).unit
            except registry.UnknownName:
                continue  # a section label inside the table ("Khối xã")
            raise InputError(report.source, row.line,
                             f"dòng của {unit.full_name} không có số liệu nào; nếu bảng bị ngắt sang trang giữa dòng "
                             "này, số liệu của nó có thể đã mất khi chép từ PDF: cần bản có đủ số liệu")
        if row.is_total:
            unit = registry.district_unit(dist.code)
        else:
            try:
                match = match_unit(row.name, row.unit_type)
            except registry.UnknownName as exc:
                hint = ", ".join(exc.suggestions) or "không có tên nào gần giống"
                what = "trùng tên, cần ghi rõ loại đơn vị" if exc.ambiguous else "không có trong danh mục đơn vị"
                raise InputError(report.source, row.line,
                                 f"đơn vị '{row.name}' {what} của huyện {dist.name}; gần nhất: {hint}") from None
            unit = match.unit
            if match.alias:
                findings.append(_finding(report, dist, period, row.line, "alias",
                                         f"tên “{row.name}” trong văn bản được hiểu là {unit.full_name} "
                                         "(tên viết khác, khai báo trong danh mục bí danh)", unit.code))
        for line, message in row.suspect:  # values the parser read but doubts
            findings.append(_finding(report, dist, period, line, "suspect_value", message, unit.code))
        out.append((row, unit))
    if not any(not r.is_total for r, _ in out):
        raise InputError(report.source, None, "không tìm thấy dòng số liệu của đơn vị nào")
    return out


_RANGE_COLUMNS = ["score", "prev_score", *PCT_COLUMNS]  # values from 0 to 100


def _check(report, dist, period, rows, findings) -> None:
    pol = params.policy()
    seen: dict[str, int] = {}
    for row, unit in rows:
        v = row.values
        who, num = unit.full_name, rec.number_text  # (the unit's full name: "Mỹ An" alone may be two units)
        if v.get("score") is None:
            raise InputError(report.source, row.line, f"dòng của {who} thiếu điểm tổng hợp")
        for col in _RANGE_COLUMNS:
            x = v.get(col)
            if x is not None and not 0 <= x <= 100:
                raise InputError(report.source, row.line,
                                 f"{who}: cột “{LABELS.get(col, col)}” ghi {num(x)}, nằm ngoài khoảng 0–100")
        if v.get("delta") is not None and not -100 <= v["delta"] <= 100:
            raise InputError(report.source, row.line,
                             f"{who}: mức tăng/giảm {num(v['delta'])} không hợp lệ (cần từ −100 đến 100)")
        for col in rec.COUNT_COLUMNS:
            x = v.get(col)
            if x is not None and (x < 0 or int(x) != x):
                raise InputError(report.source, row.line,
                                 f"{who}: cột “{LABELS.get(col, col)}” ghi {num(x)}, cần một số nguyên không âm")
            if x is not None and x > MAX_COUNT:
                raise InputError(report.source, row.line, f"{who}: cột “{LABELS.get(col, col)}” ghi {num(x)}, "
                                                          f"lớn bất thường (tối đa {MAX_COUNT})")
        rank = v.get("reported_rank")
        if rank is not None and (not 0 <= rank <= MAX_RANK or int(rank) != rank):
            raise InputError(report.source, row.line,
                             f"{who}: số thứ tự (STT) {num(rank)} không hợp lệ (cần từ 0 đến {MAX_RANK})")
        if unit.code in seen:
            where = (f"hai lần ở dòng {row.line}" if seen[unit.code] == row.line
                     else f"hai lần (dòng {seen[unit.code]} và {row.line})")
            raise InputError(report.source, row.line, f"đơn vị {unit.full_name} xuất hiện {where}")
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
            complete = total.values.get(col) is not None and all(p is not None for p in parts)
            if complete and sum(parts) != total.values[col]:
                raise InputError(report.source, total.line,
                                 f"dòng toàn huyện ghi {col} = {total.values[col]} nhưng tổng các đơn vị là "
                                 f"{sum(parts)}")
    missing = [u for u in registry.units_of(dist.code) if u.code not in seen]
    if missing:
        findings.append(_finding(report, dist, period, None, "missing_units",
                                 f"bảng thiếu {len(missing)} đơn vị của huyện {dist.name}: "
                                 + ", ".join(u.full_name for u in missing)))


def _record_rows(report: ParsedReport, dist: District, period: Period, rows) -> list[dict]:
    base = {"district": dist.name, "district_code": dist.code, "province": dist.province,
            "source": report.source, "source_sha256": report.sha256}
    out = []
    as_of, week, kind = period.as_of, period.iso_week, period.kind  # (properties: read once per file)
    prev = period.previous_week() if kind == "week" else None
    prev_as_of, prev_week = (prev.as_of, prev.iso_week) if prev is not None else (None, None)
    for row, unit in rows:
        values = row.values
        r = {**base, "unit": unit.name, "unit_type": unit.type, "unit_code": unit.code,
             "as_of": as_of, "week": week, "period_kind": kind,
             "band": row.band, "source_line": row.line, "derived": False}
        r.update(zip(VALUE_COLUMNS, map(values.get, VALUE_COLUMNS)))
        if row.is_total:
            r["province_rank"] = report.meta.province_rank
            r["province_rank_of"] = report.meta.province_rank_of
        out.append(r)
        if prev is not None and values.get("prev_score") is not None:
            out.append({**base, "unit": unit.name, "unit_type": unit.type, "unit_code": unit.code,
                        "as_of": prev_as_of, "week": prev_week, "period_kind": "week",
                        "score": values["prev_score"], "source_line": row.line, "derived": True})
    return out


def records_frame(rows: list[dict]) -> pd.DataFrame:
    """Record rows (store columns) as a store frame."""
    return rec.from_rows(rows, rec.STORE_COLUMNS) if rows else rec.empty(rec.STORE_COLUMNS)


def _findings_frame(items: list[dict]) -> pd.DataFrame:
    return rec.from_rows(items, rec.FINDING_COLUMNS) if items else rec.empty(rec.FINDING_COLUMNS)


# -- storing ------------------------------------------------------------------------------------

def ingest_paths(paths, district: str | None = None, as_of: str | None = None, fmt: str | None = None,
                 dry_run: bool = False, store: Store | None = None, jobs: int | None = None) -> IngestResult:
    """Parse every file, then (unless dry_run) add them to the store in one atomic write.

    A file whose SHA-256 the store already holds is not parsed again (unless dry_run): it is listed as
    skipped, described from the store. If any file fails, the first error (in the order given) is
    raised and nothing is stored. `jobs` processes parse the files (default: one per CPU from
    PARALLEL_MIN_FILES files to parse on, else in this process).
    """
    if district:
        params.district(district)  # a bad --district is an error even when every file is known
    if as_of:
        periods.parse_as_of_arg(as_of)  # a bad --as-of is an error even when every file is known
    store = store or Store()
    files = _expand(paths)
    if not files:
        return IngestResult()
    stored = None if dry_run else _StoredFiles(store, district, as_of, fmt)
    shas = [stored.sha_of(p) if stored else None for p in files]
    todo = [i for i, sha in enumerate(shas) if sha is None]
    parsed = parse_many([files[i] for i in todo], district, as_of, fmt, jobs)
    result = _result(files, shas, todo, parsed, stored)
    result.hashes = _hashes({p: sha for p, sha in zip(files, shas) if sha}, parsed)
    if dry_run or not todo:
        return result
    _write(store, result, parsed)
    return result


def _hashes(known: dict[Path, str], parsed: ParsedBatch) -> dict[Path, str]:
    """path -> SHA-256: the files recognised in the store, and the files parsed (from their reports)."""
    return known | {f.report.path: f.report.sha256 for f in parsed.files}


def _write(store: Store, result: IngestResult, parsed: ParsedBatch) -> None:
    """The parsed files the store does not hold yet, added in one atomic write (`result` says which)."""
    store.update(lambda current: _merge(current, result, parsed))
    if len(parsed.files) >= PARALLEL_MIN_FILES:
        release_memory()  # what the merge built besides the generation written (kept, see store._LastRead)


def _expand(paths) -> list[Path]:
    """Files as given, a folder as its files by name (hidden ones left out)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            with os.scandir(p) as entries:  # (an entry knows its type: no stat per file)
                names = sorted(e.name for e in entries if e.is_file() and not e.name.startswith("."))
            out.extend(p / name for name in names)  # (sorted as names: comparing paths costs twice as much)
        else:
            out.append(p)
    return out


# -- parsing many files ---------------------------------------------------------------------------

# From this many files to parse on, a pool of processes parses them (starting one costs about a
# second). A task parses about CHUNK_FILES files and returns one frame of records: building a frame
# costs about 2 ms, so a task of one file each would cost more than parsing it.
PARALLEL_MIN_FILES = 1000
CHUNK_FILES = 300

# Files to parse as one district's (the slug; None: the district each file names).
Group = tuple[str | None, list[Path]]


@dataclass
class ParsedBatch:
    """Files parsed together: each file's counts, and all their records and warnings in file order."""

    files: list[ParsedFile]
    records: pd.DataFrame
    findings: pd.DataFrame
    pooled: bool = False  # parsed in a pool worker: text columns dictionary-encoded (_compact_chunk)
    errors: dict[str, ChisoError] = field(default_factory=dict)  # slug -> error of a group left out


def _parse_chunk(groups: list[Group], as_of: str | None, fmt: str | None, stop_at_error: bool) -> ParsedBatch:
    """Each group's files parsed. A group with a file that fails raises its error (`stop_at_error`), or
    is left out with its error kept under its slug."""
    files, record_rows, finding_rows, errors = [], [], [], {}
    for district, paths in groups:
        group_files, group_records, group_findings = [], [], []
        try:
            for path in paths:
                f = parse_file(path, district, as_of, fmt)
                group_records += f.record_rows
                group_findings += f.finding_rows
                group_files.append(f.counts_only())
        except ChisoError as exc:
            if stop_at_error:
                raise
            errors[district] = exc
            continue
        files += group_files
        record_rows += group_records
        finding_rows += group_findings
    return ParsedBatch(files, records_frame(record_rows), _findings_frame(finding_rows), errors=errors)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return rec.empty(columns)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def default_jobs(n_files: int) -> int:
    """How many processes parse `n_files` files when not told: one per CPU from PARALLEL_MIN_FILES on."""
    return (os.cpu_count() or 1) if n_files >= PARALLEL_MIN_FILES else 1


def parse_many(paths: list[Path], district: str | None = None, as_of: str | None = None, fmt: str | None = None,
               jobs: int | None = None) -> ParsedBatch:
    """parse_file for every path, in chunks (over `jobs` processes; see ingest_paths). The first error
    in the order given is raised."""
    groups = [(district, paths[i:i + CHUNK_FILES]) for i in range(0, len(paths), CHUNK_FILES)]
    return _joined(_parse_chunks(_packed(groups), as_of, fmt, jobs, stop_at_error=True))


def parse_districts(files: dict[str, list[Path]], jobs: int | None = None) -> ParsedBatch:
    """Each district's files (by slug) parsed as that district's, all of them over one pool of `jobs`
    processes. A district with a file that fails is left out of the batch; its first error (in file
    order) is in the batch's `errors` under its slug."""
    return _joined(_parse_chunks(_packed(list(files.items())), None, None, jobs, stop_at_error=False))


def _packed(groups: list[Group]) -> list[list[Group]]:
    """Groups in order, packed into tasks of at least CHUNK_FILES files (the last one may have fewer).
    A group is never split, so a district's error leaves out its files alone."""
    chunks: list[list[Group]] = [[]]
    n_files = 0
    for group in groups:
        if n_files >= CHUNK_FILES:
            chunks.append([])
            n_files = 0
        chunks[-1].append(group)
        n_files += len(group[1])
    return chunks if chunks[0] else []


def _parse_chunks(chunks: list[list[Group]], as_of, fmt, jobs: int | None, stop_at_error: bool) -> list[ParsedBatch]:
    """Each chunk parsed, in this process or over a pool of `jobs` processes (see _parse_chunk). With
    `stop_at_error` the first error in the order given is raised."""
    n_files = sum(len(paths) for chunk in chunks for _, paths in chunk)
    jobs = max(1, min(default_jobs(n_files) if jobs is None else jobs, len(chunks)))
    if jobs > 1:
        return _parse_in_pool(chunks, as_of, fmt, jobs, stop_at_error)
    return [_parse_chunk(chunk, as_of, fmt, stop_at_error) for chunk in chunks]


def _joined(parts: list[ParsedBatch]) -> ParsedBatch:
    """Parsed chunks as one batch, in order (chunks from pool workers: their text columns decoded), with
    their errors. Pass the list itself, without keeping it: its chunks are freed as soon as they are
    joined (on a national set a kept list holds about 170 MiB more)."""
    pooled = any(part.pooled for part in parts)
    errors = {slug: err for part in parts for slug, err in part.errors.items()}
    for part in parts:
        if part.pooled:  # one District object per district, not one unpickled copy per file
            part.files = [replace(f, district=params.district(f.district.slug)) for f in part.files]
    files = [f for part in parts for f in part.files]
    findings = _concat([part.findings for part in parts], rec.FINDING_COLUMNS)
    records = _concat([part.records for part in parts], rec.STORE_COLUMNS)
    del parts
    if pooled:
        release_memory()  # the chunks as received are garbage now
        _decode_text_columns(records)
        release_memory()  # and so are the dictionary-encoded columns
    return ParsedBatch(files, records, findings, errors=errors)


def _compact_chunk(groups: list[Group], as_of, fmt, stop_at_error: bool) -> ParsedBatch:
    """_parse_chunk in a pool worker: the records with their text columns dictionary-encoded (Arrow),
    so the chunks waiting for the rest of a large batch take about half the memory (every record
    repeats its file's name and SHA-256, its district, province, period)."""
    batch = _parse_chunk(groups, as_of, fmt, stop_at_error)
    records = batch.records.copy(deep=False)
    for c in rec.STRING_COLUMNS:
        records[c] = pd.arrays.ArrowExtensionArray(_arrow(records[c]).dictionary_encode())
    return replace(batch, records=records, pooled=True)


def _decode_text_columns(records: pd.DataFrame) -> None:
    """Give compacted records (_compact_chunk) the store's text columns again, in place: one column at a
    time, each dictionary-encoded column freed as soon as it is replaced."""
    for c in rec.STRING_COLUMNS:
        records[c] = pd.array(_arrow(records[c]).cast(pa.large_string()), dtype=pd.StringDtype())


def _arrow(column: pd.Series) -> pa.ChunkedArray:
    values = pa.array(column)
    return values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])


def release_memory() -> None:
    """Give memory freed after a large batch back to the system: the C allocator (glibc) and Arrow's
    memory pool keep freed pages for reuse, which would count as the process's memory until it ends."""
    import ctypes
    import gc

    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _use_environment(values: dict[str, str]) -> None:
    """Pool initializer: the parent's CHISO_* variables (params, paths), whatever the worker inherited."""
    for key in [k for k in os.environ if k.startswith("CHISO_")]:
        del os.environ[key]
    os.environ.update(values)


def _parse_in_pool(chunks: list[list[Group]], as_of, fmt, jobs: int, stop_at_error: bool) -> list[ParsedBatch]:
    env = {k: v for k, v in os.environ.items() if k.startswith("CHISO_")}
    ctx = multiprocessing.get_context("forkserver")  # not fork: the parent may run threads (pyarrow, a kernel)
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_use_environment, initargs=(env,)) as pool:
        futures = [pool.submit(_compact_chunk, chunk, as_of, fmt, stop_at_error) for chunk in chunks]
        try:  # in order: the first failing chunk raises first
            return [fut.result() for fut in futures]
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


# -- files already stored -------------------------------------------------------------------------

class _StoredFiles:
    """What the store holds about files by SHA-256: which files need no parsing, and their rows.

    A stored file is skipped only when the overrides given (district, as_of, format) agree with how
    it was stored; otherwise it is parsed again (and its errors raised) as before, then not stored.
    """

    def __init__(self, store: Store, district: str | None, as_of: str | None, fmt: str | None):
        self.store = store
        self._snap: Snapshot | None = None  # read when a stored file's rows are needed
        sources = store.sources().drop_duplicates("source_sha256")
        if district:
            sources = sources[sources["district_code"] == params.district(district).code]
        if as_of:
            sources = sources[sources["as_of"] == periods.parse_as_of(as_of).as_of]
        if fmt:
            sources = sources[sources["format"] == fmt]
        self.sources = {r["source_sha256"]: r for r in sources.to_dict("records")
                        if params.district_by_code(r["district_code"]) is not None}
        self._max_bytes = max_file_bytes()[1]  # a larger file is parsed, to be refused with its error
        self._record_rows: dict | None = None  # SHA-256 -> positions in the store's records
        self._derived: np.ndarray | None = None
        self._finding_rows: dict | None = None  # SHA-256 -> positions among _own_findings
        self._own_findings: np.ndarray | None = None  # positions of the findings that are not conflicts

    def sha_of(self, path: Path) -> str | None:
        """The file's SHA-256 when the store holds it (and it may be skipped), else None."""
        if not self.sources:
            return None
        try:
            st = path.stat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or st.st_size > self._max_bytes:
            return None
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        return sha if sha in self.sources else None

    def file(self, path: Path, sha: str) -> tuple[ParsedFile, np.ndarray, np.ndarray]:
        """The file as the store describes it (counts only), with the positions of its stored records
        and warnings in the store's tables."""
        src = self.sources[sha]
        report = ParsedReport(source=path.name, path=path, sha256=sha, format=src["format"], columns=[], rows=[],
                              meta=ReportMeta())
        records, findings = self.record_positions(sha), self.finding_positions(sha)
        f = ParsedFile(report, params.district_by_code(src["district_code"]), periods.parse_as_of(src["as_of"]),
                       n_records=len(records), n_reported=int((~self._derived[records]).sum()),
                       n_warnings=len(findings))
        return f, records, findings

    @property
    def snap(self) -> Snapshot:
        """The store's tables, read once (the store only grows: a file it held still has its rows)."""
        if self._snap is None:
            self._snap = self.store.read()
        return self._snap

    def record_positions(self, sha: str) -> np.ndarray:
        if self._record_rows is None:
            self._record_rows = self.snap.records.groupby("source_sha256", sort=False).indices
            self._derived = self.snap.records["derived"].to_numpy()
        return self._record_rows.get(sha, _NO_ROWS)

    def finding_positions(self, sha: str) -> np.ndarray:
        if self._finding_rows is None:
            own = (self.snap.findings["rule"] != "conflict").fillna(True).to_numpy()
            self._finding_rows = self.snap.findings[own].groupby("source_sha256", sort=False).indices
            self._own_findings = np.flatnonzero(own)
        found = self._finding_rows.get(sha)
        return _NO_ROWS if found is None else self._own_findings[found]


_NO_ROWS = np.array([], dtype=np.intp)


def _result(files: list[Path], shas: list[str | None], todo: list[int], parsed: ParsedBatch,
            stored: _StoredFiles | None) -> IngestResult:
    """The files in the order given: parsed ones from `parsed`, the others from the store (their rows
    taken from the store's tables in one take per table: a take costs about as much for one file as
    for all of them)."""
    if len(todo) == len(files):
        return IngestResult(files=list(parsed.files), records=parsed.records, file_findings=parsed.findings)
    out = IngestResult()
    parsed_files = dict(zip(todo, parsed.files))
    record_rows, finding_rows = [], []  # positions in the store's tables, file after file
    record_pos, finding_pos = [], []  # file position of every row taken
    names_of_records, names_of_findings = [], []
    for i, path in enumerate(files):
        if i in parsed_files:
            out.files.append(parsed_files[i])
            continue
        f, its_records, its_findings = stored.file(path, shas[i])
        out.files.append(f)
        out.skipped.append(path.name)
        record_rows.append(its_records)
        finding_rows.append(its_findings)
        record_pos.append(np.full(len(its_records), i))
        finding_pos.append(np.full(len(its_findings), i))
        names_of_records += [path.name] * len(its_records)
        names_of_findings += [path.name] * len(its_findings)
    records = [_taken(stored.snap.records, record_rows, names_of_records), parsed.records]
    findings = [_taken(stored.snap.findings, finding_rows, names_of_findings), parsed.findings]
    record_pos.append(np.repeat(todo, [f.n_records for f in parsed.files]))
    finding_pos.append(np.repeat(todo, [f.n_warnings for f in parsed.files]))
    out.records = _in_order(records, record_pos, rec.STORE_COLUMNS)
    out.file_findings = _in_order(findings, finding_pos, rec.FINDING_COLUMNS)
    return out


def _taken(table: pd.DataFrame, positions: list[np.ndarray], names: list[str]) -> pd.DataFrame:
    """The rows at `positions` of a stored table, their `source` the file name as given now."""
    rows = table.take(np.concatenate(positions) if positions else _NO_ROWS)
    return rows.assign(source=pd.array(names, dtype=rows["source"].dtype))


def _in_order(frames: list[pd.DataFrame], positions: list[np.ndarray], columns: list[str]) -> pd.DataFrame:
    """The frames' rows concatenated and stably sorted by their file positions."""
    frame = rec.coerce(pd.concat(frames, ignore_index=True), columns) if frames else rec.empty(columns)
    order = np.argsort(np.concatenate(positions).astype(np.int64), kind="stable") if len(frame) else []
    return frame.take(order).reset_index(drop=True)


# -- storing --------------------------------------------------------------------------------------

def _merge(snap: Snapshot, result: IngestResult, parsed: ParsedBatch) -> Snapshot | None:
    """The store with the parsed files added (the ones it does not hold yet, by SHA-256)."""
    known = set(snap.sources["source_sha256"].dropna())
    keep = []
    for f in parsed.files:
        keep.append(f.report.sha256 not in known)
        if keep[-1]:
            known.add(f.report.sha256)
            result.added.append(f.report.source)
        else:
            result.skipped.append(f.report.source)
    new_files = [f for f, k in zip(parsed.files, keep) if k]
    if not new_files:
        return None
    now = datetime.now(UTC).isoformat(timespec="seconds")
    new_records = _kept_rows(parsed.records, keep, [f.n_records for f in parsed.files])
    new_findings = _kept_rows(parsed.findings, keep, [f.n_warnings for f in parsed.files])
    records = _concat([snap.records, new_records], rec.STORE_COLUMNS)
    result.conflicts = _findings_frame(_conflicts(records, len(snap.records)))
    result.added_records = len(new_records)
    findings = _concat([snap.findings, new_findings, result.conflicts], rec.FINDING_COLUMNS)
    sources = pd.DataFrame([{"source": f.report.source, "source_sha256": f.report.sha256, "format": f.report.format,
                             "district_code": f.district.code, "as_of": f.period.as_of,
                             "records": f.n_records, "ingested_at": now} for f in new_files])
    return Snapshot(snap.generation, records, findings, _concat([snap.sources, sources], rec.SOURCE_COLUMNS))


def _kept_rows(frame: pd.DataFrame, keep: list[bool], counts: list[int]) -> pd.DataFrame:
    """The rows of the kept files (each file's rows are contiguous, `counts` of them)."""
    if all(keep):
        return frame
    return frame[np.repeat(keep, counts)].reset_index(drop=True)


def _conflicts(records: pd.DataFrame, first_new: int) -> list[dict]:
    """Rows from position `first_new` on that disagree with an earlier row for the same unit and period.

    Only rows whose (unit_code, as_of) occurs more than once, and in the new rows, are paired (one join
    on an integer key), and only the compared values are read for every pair: a large batch stays
    linear in time and small in memory.
    """
    if len(records) - first_new < 1 or len(records) < 2:
        return []
    key = _unit_period_keys(records)
    shared = np.isin(key, key[first_new:]) & pd.Series(key).duplicated(keep=False).to_numpy()
    rows = np.flatnonzero(shared)
    slim = pd.DataFrame({"_key": key[rows], "_pos": rows})
    pairs = slim[slim["_pos"] >= first_new].merge(slim, on="_key", suffixes=("", "_old"))
    pairs = pairs[pairs["_pos_old"] < pairs["_pos"]].sort_values(["_pos", "_pos_old"], kind="stable")
    new, old = pairs["_pos"].to_numpy(), pairs["_pos_old"].to_numpy()
    differs = {}
    for c in COMPARED_COLUMNS:
        values = records[c].astype(float).to_numpy()
        a, b = values[new], values[old]
        differs[c] = ~np.isnan(a) & ~np.isnan(b) & (np.abs(a - b) > 1e-9)
    out = []
    for k in range(len(pairs)):
        diffs = [c for c in COMPARED_COLUMNS if differs[c][k]]
        if diffs:
            out.append(_conflict(records.iloc[new[k]], records.iloc[old[k]], diffs))
    return out


def conflicts_among(records: pd.DataFrame) -> pd.DataFrame:
    """The conflict findings of every pair of rows that disagree, as ingesting them in order finds them."""
    return _findings_frame(_conflicts(records, 0))


def _unit_period_keys(records: pd.DataFrame) -> np.ndarray:
    """One integer per row, equal for rows of the same (unit_code, as_of) (missing equals missing)."""
    units, _ = pd.factorize(records["unit_code"], use_na_sentinel=False)
    as_of, _ = pd.factorize(records["as_of"], use_na_sentinel=False)
    return units.astype(np.int64) * (int(as_of.max()) + 1) + as_of


def _conflict(p: pd.Series, q: pd.Series, diffs: list[str]) -> dict:
    """The finding for row `p` disagreeing with the earlier row `q` in the columns `diffs`."""
    kind_old = "suy ra từ cột tuần trước" if q["derived"] else "báo cáo"
    kind_new = "suy ra từ cột tuần trước" if p["derived"] else "báo cáo"
    detail = "; ".join(f"{c}: {rec.number_text(q[c])} ({q['source']}:{q['source_line']}, {kind_old}) ≠ "
                       f"{rec.number_text(p[c])} ({p['source']}:{p['source_line']}, {kind_new})" for c in diffs)
    return {"severity": "warning", "rule": "conflict",
            "message": f"số liệu mâu thuẫn cho {p['unit_type']} {p['unit']} kỳ {p['as_of']}: "
                       f"{detail}; cả hai giá trị được giữ, không ghi đè",
            "source": p["source"], "source_line": p["source_line"], "source_sha256": p["source_sha256"],
            "district_code": p["district_code"], "as_of": p["as_of"], "unit_code": p["unit_code"]}


def ingest_raw(district: District, store: Store | None = None) -> IngestResult:
    """Ingest what data/raw/<slug>/ holds for one district (idempotent: known files are skipped); a
    stored file of the district that has left the folder is retired (helpers.retire)."""
    from helpers import retire

    result = ingest_paths(raw_files(district), district=district.slug, store=store)
    result.retired = retire.retire_missing([district], set(result.hashes.values()), store)
    return result


def raw_files(district: District) -> list[Path]:
    """The files of data/raw/<slug>/, by name (hidden files left out)."""
    folder = raw_dir() / district.slug
    return _expand([folder]) if folder.is_dir() else []


def ingest_districts(districts: list[District], store: Store | None = None, jobs: int | None = None
                     ) -> tuple[IngestResult, dict[str, ChisoError]]:
    """Ingest what data/raw/<slug>/ holds for every district, in one store write (what the batch does
    before any notebook runs).

    A file the store already holds for its district (by SHA-256) is neither parsed nor described
    again, so with nothing new this reads the store's sources table and hashes the files, whatever
    the number of districts. The new files are parsed over one pool. A district with a file that does
    not parse adds nothing and its error is returned under its slug; the other districts' files are
    stored. The result lists the parsed files only.
    """
    from helpers import retire

    store = store or Store()
    stored = _StoredFiles(store, None, None, None)
    hashes: dict[Path, str] = {}
    new: dict[str, list[Path]] = {}
    for d in districts:
        for path in raw_files(d):
            sha = stored.sha_of(path)
            if sha is not None and stored.sources[sha]["district_code"] == d.code:
                hashes[path] = sha
            else:
                new.setdefault(d.slug, []).append(path)
    retired = retire.retire_missing(districts, set(hashes.values()), store)  # (a new file is not stored yet)
    parsed = parse_districts(new, jobs)
    result = IngestResult(files=list(parsed.files), records=parsed.records, file_findings=parsed.findings,
                          hashes=_hashes(hashes, parsed), retired=retired)
    if parsed.files:
        _write(store, result, parsed)
    return result, parsed.errors


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
