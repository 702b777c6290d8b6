"""One report file read and checked: parsed (helpers.parsers, format chosen from the content), its
district and period resolved (document metadata, or the --district/--as-of overrides), every printed
name matched to a registry code, every value validated, and the previous week's records derived from
the "last week" column. Hard errors reject the file; inconsistencies are kept as warnings."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from helpers import params, periods, registry
from helpers import records as rec
from helpers.errors import InputError, UsageError
from helpers.params import District
from helpers.parsers import ParsedReport, metadata, parse_document
from helpers.parsers.columns import LABELS
from helpers.periods import Period
from helpers.score import band_of

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
                cell = f"ô {total.cells[col]}, " if col in total.cells else ""
                raise InputError(report.source, total.line,
                                 f"dòng toàn huyện, {cell}cột “{LABELS.get(col, col)}” ghi {total.values[col]} nhưng "
                                 f"tổng các đơn vị là {sum(parts)}")
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
