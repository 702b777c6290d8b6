"""Many report files parsed at once: grouped by district, in chunks, over a pool of processes from
PARALLEL_MIN_FILES files on (each file through helpers.validate.parse_file)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa

from helpers import params
from helpers import records as rec
from helpers.errors import ChisoError
from helpers.validate import ParsedFile, _findings_frame, parse_file, records_frame

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
