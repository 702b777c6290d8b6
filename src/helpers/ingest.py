"""Ingest stage: parsed documents -> validated records in the store.

For each file: parse (helpers.parsers, format chosen from the content), resolve the district and the
period (document metadata, or the --district/--as-of overrides), match every printed name to a
registry code, validate, and derive the previous week's records from the "last week" column. Hard
errors (a row that does not parse, a value out of range, a unit twice, a district total that does
not match its rows) reject the file; inconsistencies are kept with the data as warnings. Nothing is
stored unless every file given parses; the store is updated in one atomic write.

The steps live apart: helpers.validate (one file read and checked), helpers.parallel_parse (many
files, over a pool of processes), helpers.merge (what the store already holds, and the new
generation); this module runs them (ingest_paths, ingest_raw, ingest_districts).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from helpers import params, periods
from helpers.errors import ChisoError
from helpers.merge import IngestResult, _merge, _result, _StoredFiles
from helpers.parallel_parse import (
    PARALLEL_MIN_FILES,
    ParsedBatch,
    parse_districts,
    parse_many,
    release_memory,
)
from helpers.params import District
from helpers.paths import raw_dir
from helpers.store import Store

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
