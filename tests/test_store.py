"""The store: atomic generations, serialised writers, survival of a killed write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd

from helpers import records as rec
from helpers.store import Snapshot, Store
from tests.conftest import RAW


def _rows(n: int, tag: str) -> pd.DataFrame:
    return rec.coerce(pd.DataFrame({
        "district": ["Chợ Mới"] * n, "unit": [f"u{i}" for i in range(n)], "unit_type": ["xã"] * n,
        "unit_code": [f"{i:05d}" for i in range(n)], "as_of": ["2023-12-04"] * n, "score": [50.0] * n,
        "source": [tag] * n, "source_line": list(range(1, n + 1)), "district_code": ["893"] * n,
    }))


def _append(tag: str, n: int = 3):
    def change(snap: Snapshot) -> Snapshot:
        return Snapshot(snap.generation, pd.concat([snap.records, _rows(n, tag)]), snap.findings, snap.sources)
    return change


def test_empty_store_reads_empty_tables(tmp_path):
    snap = Store(tmp_path / "s").read()
    assert snap.generation == "" and snap.records.empty and list(snap.records.columns) == rec.STORE_COLUMNS


def test_update_writes_a_new_generation_and_keeps_types(tmp_path):
    store = Store(tmp_path / "s")
    store.update(_append("a"))
    store.update(_append("b"))
    snap = store.read()
    assert snap.generation == "gen-000002"
    assert list(snap.records["source"]) == ["a"] * 3 + ["b"] * 3
    assert str(snap.records["score"].dtype) == "Float64" and str(snap.records["source_line"].dtype) == "Int64"
    assert snap.records["prev_score"].isna().all()  # missing stays missing, never 0


def test_sources_alone_are_the_snapshots_sources(tmp_path):
    store = Store(tmp_path / "s")
    assert store.sources().empty and list(store.sources().columns) == rec.SOURCE_COLUMNS

    def add_source(snap: Snapshot) -> Snapshot:
        src = pd.DataFrame({"source": ["a.txt"], "source_sha256": ["ab" * 32], "format": ["markdown"],
                            "district_code": ["893"], "as_of": ["2023-12-04"], "records": [3],
                            "ingested_at": ["2023-12-04T00:00:00+00:00"]})
        return Snapshot(snap.generation, pd.concat([snap.records, _rows(3, "a.txt")]), snap.findings, src)

    store.update(add_source)
    pd.testing.assert_frame_equal(store.sources(), store.read().sources)
    assert store.sources()["source_sha256"].tolist() == ["ab" * 32]


def test_no_change_leaves_the_store_byte_for_byte(tmp_path):
    store = Store(tmp_path / "s")
    store.update(_append("a"))
    before = {p: p.read_bytes() for p in (tmp_path / "s").rglob("*") if p.is_file()}
    store.update(lambda snap: None)
    after = {p: p.read_bytes() for p in (tmp_path / "s").rglob("*") if p.is_file()}
    assert before == after


def test_old_generations_are_collected(tmp_path):
    store = Store(tmp_path / "s")
    for tag in "abcdef":
        store.update(_append(tag))
    gens = sorted(p.name for p in (tmp_path / "s").iterdir() if p.name.startswith("gen-"))
    assert gens == ["gen-000004", "gen-000005", "gen-000006"]


WRITER = """
import sys, time
import pandas as pd
sys.path.insert(0, {tests!r})
from test_store import _append
from helpers.store import Store
store = Store({root!r})
print("ready", flush=True)
for i in range({loops}):
    store.update(_append({tag!r} + str(i), {n}))
"""


def _writer(root, tag, loops, n):
    code = WRITER.format(tests=os.path.dirname(__file__), root=str(root), tag=tag, loops=loops, n=n)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def test_two_writers_at_once_both_land(tmp_path):
    root = tmp_path / "s"
    procs = [_writer(root, "p", 5, 10), _writer(root, "q", 5, 10)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    recs = Store(root).records()
    assert len(recs) == 100
    assert set(recs["source"]) == {f"{t}{i}" for t in "pq" for i in range(5)}


def test_killed_writer_leaves_old_or_new_never_half(tmp_path):
    root = tmp_path / "s"
    Store(root).update(_append("base", 5))
    outcomes = set()
    for delay in (0.05, 0.15, 0.3, 0.6):
        proc = _writer(root, f"k{delay}-", 50, 40_000)
        proc.stdout.readline()
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        recs = Store(root).records()  # reads without error
        assert len(recs) % 40_000 == 5, len(recs)  # base plus whole batches only
        assert (recs["source"] == "base").sum() == 5
        outcomes.add(len(recs))
        # and the store still accepts writes afterwards
        Store(root).update(lambda snap: None)
    assert outcomes  # at least one kill happened


def _counting_reads(monkeypatch) -> list[str]:
    """Patch the store's Parquet reader to record the files it reads."""
    from helpers import store as store_module

    read = []
    real = store_module._read_parquet

    def counted(path):
        read.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(store_module, "_read_parquet", counted)
    return read


def test_the_same_generation_is_read_from_disk_once(tmp_path, monkeypatch):
    from helpers import store as store_module

    store = Store(tmp_path / "s")
    store.update(_append("a"))
    store_module._last_read.forget()  # as in a process that did not write it
    read = _counting_reads(monkeypatch)
    first = store.read()
    assert sorted(read) == ["findings.parquet", "records.parquet", "sources.parquet"]
    again, records, sources = Store(tmp_path / "s").read(), store.records(), store.sources()
    assert len(read) == 3  # nothing read again: the generation is the one read before
    pd.testing.assert_frame_equal(again.records, first.records)
    pd.testing.assert_frame_equal(records, first.records)
    pd.testing.assert_frame_equal(sources, first.sources)
    assert again.records is not first.records


def test_the_generation_a_process_writes_is_not_read_back_and_equals_a_read_from_disk(scratch, monkeypatch):
    from helpers import ingest
    from helpers import store as store_module

    ingest.ingest_paths([RAW / "cho-moi", RAW / "phu-tan", RAW / "thap-muoi"])
    read = _counting_reads(monkeypatch)
    kept = Store().read()
    assert read == []  # the generation just written is the one kept
    store_module._last_read.forget()
    cold = Store().read()
    assert sorted(read) == ["findings.parquet", "records.parquet", "sources.parquet"]
    assert kept.generation == cold.generation == "gen-000001"
    assert len(cold.records) > 50 and len(cold.findings) > 0 and len(cold.sources) == 3
    for name in ("records", "findings", "sources"):
        pd.testing.assert_frame_equal(getattr(kept, name), getattr(cold, name), check_exact=True)


def test_a_caller_changing_the_frames_of_a_write_does_not_change_the_next_read(tmp_path):
    store = Store(tmp_path / "s")
    written = store.update(_append("a"))
    written.records["score"] = 0.0
    written.records.loc[0, "unit"] = "changed"
    assert list(store.read().records["score"]) == [50.0] * 3 and store.read().records.loc[0, "unit"] == "u0"


def test_a_caller_changing_its_frame_does_not_change_the_next_read(tmp_path):
    store = Store(tmp_path / "s")
    store.update(_append("a"))
    mine = store.read().records
    mine["score"] = 0.0
    mine.loc[0, "unit"] = "changed"
    del mine["district"]
    theirs = store.read().records
    assert list(theirs["score"]) == [50.0] * 3 and theirs.loc[0, "unit"] == "u0"
    assert list(theirs.columns) == rec.STORE_COLUMNS


def test_a_new_generation_is_read_after_a_write(tmp_path, monkeypatch):
    store = Store(tmp_path / "s")
    store.update(_append("a"))
    assert list(store.read().records["source"]) == ["a"] * 3
    Store(tmp_path / "s").update(_append("b"))  # another Store object, as another notebook would
    snap = store.read()
    assert snap.generation == "gen-000002" and list(snap.records["source"]) == ["a"] * 3 + ["b"] * 3


def test_a_store_rebuilt_under_the_same_generation_name_is_read_again(tmp_path):
    import shutil

    store = Store(tmp_path / "s")
    store.update(_append("a"))
    assert list(store.read().records["source"]) == ["a"] * 3
    shutil.rmtree(tmp_path / "s")
    store.update(_append("other", n=5))  # gen-000001 again, other files
    snap = store.read()
    assert snap.generation == "gen-000001" and list(snap.records["source"]) == ["other"] * 5


def test_two_stores_do_not_share_a_read(tmp_path):
    one, two = Store(tmp_path / "one"), Store(tmp_path / "two")
    one.update(_append("a"))
    two.update(_append("b", n=2))
    assert list(one.read().records["source"]) == ["a"] * 3
    assert list(two.read().records["source"]) == ["b"] * 2
    assert list(one.read().records["source"]) == ["a"] * 3


def test_a_generation_written_by_another_process_is_read(tmp_path):
    root = tmp_path / "s"
    Store(root).update(_append("base"))
    assert len(Store(root).records()) == 3
    assert _writer(root, "p", 1, 10).wait(timeout=120) == 0
    recs = Store(root).records()
    assert len(recs) == 13 and (recs["source"] == "p0").sum() == 10



def test_a_table_read_a_few_columns_at_a_time_equals_pandas_reading_it_whole(tmp_path, monkeypatch):
    from helpers import store as store_module

    assert len(rec.STORE_COLUMNS) > store_module.COLUMNS_AT_ONCE  # the records are read in several parts
    store = Store(tmp_path / "s")
    store.update(_append("a", n=5))
    for name, columns in (("records", rec.STORE_COLUMNS), ("findings", rec.FINDING_COLUMNS),
                          ("sources", rec.SOURCE_COLUMNS)):
        path = tmp_path / "s" / store.current() / f"{name}.parquet"
        whole = rec.coerce(pd.read_parquet(path), columns)
        for at_once in (1, 3, store_module.COLUMNS_AT_ONCE, 100):
            monkeypatch.setattr(store_module, "COLUMNS_AT_ONCE", at_once)
            pd.testing.assert_frame_equal(rec.coerce(store_module._read_parquet(path), columns), whole)
