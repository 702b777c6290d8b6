"""c. The floor under any Python ingest of the national set: the work every parser has to do before it
interprets a word (read each file, decode it, split it into lines and whitespace tokens with their
line) and after (a record row per unit as a dict of the store's columns, and their frames), over the
same files, processes and chunks as the real ingest. What the real parse takes above it is the
interpretation itself: headers, rows, numbers, names, checks."""

from __future__ import annotations

import os
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def floor_chunk(paths: list[str], rows_per_file: int) -> int:
    """The floor's work on one chunk of files; returns the number of record rows built."""
    from helpers import records as rec

    blank = dict.fromkeys(rec.STORE_COLUMNS)
    rows, tokens = [], 0
    for p in paths:
        lines = unicodedata.normalize("NFC", Path(p).read_bytes().decode("utf-8")).splitlines()
        tokens += len([(n, w) for n, line in enumerate(lines, 1) for w in line.split()])
        rows.extend({**blank, "score": float(k), "source_line": k} for k in range(rows_per_file))
    return len(rec.from_rows(rows, rec.STORE_COLUMNS)) if tokens else 0


def child_floor(args: dict) -> dict:
    """The floor over every raw file: median of `runs` passes, after one pass that warms the pool and
    the page cache."""
    import multiprocessing

    from helpers import parallel_parse

    files = sorted(str(p) for p in Path(os.environ["CHISO_RAW"]).rglob("*.txt"))
    chunks = [files[i:i + parallel_parse.CHUNK_FILES] for i in range(0, len(files), parallel_parse.CHUNK_FILES)]
    per_file = [args["rows_per_file"]] * len(chunks)
    times, rows = [], 0
    ctx = multiprocessing.get_context("forkserver")  # as the ingest's pool
    with ProcessPoolExecutor(args["jobs"], mp_context=ctx) as pool:
        list(pool.map(floor_chunk, chunks, per_file))
        for _ in range(args["runs"]):
            t = time.perf_counter()
            rows = sum(pool.map(floor_chunk, chunks, per_file))
            times.append(time.perf_counter() - t)
    return {"files": len(files), "rows": rows, "times": times, "seconds": sorted(times)[len(times) // 2]}
