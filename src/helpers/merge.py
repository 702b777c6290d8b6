"""Parsed files merged into the store: which files it already holds (by SHA-256, described from its
tables without parsing them again), the result of an ingest, and the new generation with the new
files' records, warnings and conflicts between reports."""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import params, periods
from helpers import records as rec
from helpers.parallel_parse import ParsedBatch, _concat
from helpers.parsers import ParsedReport, ReportMeta
from helpers.parsers.base import max_file_bytes
from helpers.store import Snapshot, Store
from helpers.validate import COMPARED_COLUMNS, ParsedFile, _findings_frame


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
