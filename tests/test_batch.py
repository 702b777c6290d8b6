"""The batch's cache keys of the store: one pass over the store for every district."""

from __future__ import annotations

import hashlib

import pandas as pd

from helpers import batch, ingest, params
from helpers.store import Store
from tests.conftest import SEEDS


def _rows_key(records: pd.DataFrame, findings: pd.DataFrame) -> str:
    """The definition: the hash of the rows' hashes, records then findings."""
    h = hashlib.sha256()
    for frame in (records, findings):
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def test_store_keys_hash_each_district_alone_and_the_whole_store(scratch):
    ingest.ingest_paths(list(SEEDS.values()))
    snap = Store().read()
    keys = batch.store_keys(snap.records, snap.findings)
    assert keys.whole == _rows_key(snap.records, snap.findings)
    for slug in SEEDS:
        code = params.district(slug).code
        own = [f[f["district_code"] == code] for f in (snap.records, snap.findings)]
        assert len(own[0]) > 0 and keys.of(code) == _rows_key(*own)
    assert len({keys.of(params.district(s).code) for s in SEEDS}) == len(SEEDS)
    assert keys.of("no-such-code") == keys.empty == _rows_key(snap.records[:0], snap.findings[:0])


def test_a_change_in_one_district_changes_its_key_and_the_whole_only(scratch):
    ingest.ingest_paths(list(SEEDS.values()))
    snap = Store().read()
    before = batch.store_keys(snap.records, snap.findings)
    code = params.district("phu-tan").code
    records = snap.records.copy()
    row = records.index[records["district_code"] == code][0]
    records.loc[row, "score"] = records.loc[row, "score"] + 0.01
    after = batch.store_keys(records, snap.findings)
    assert after.of(code) != before.of(code) and after.whole != before.whole
    for slug in ("cho-moi", "thap-muoi"):
        other = params.district(slug).code
        assert after.of(other) == before.of(other)
    # a value that goes missing changes the key too (missing is not 0)
    records.loc[row, "score"] = pd.NA
    gone = batch.store_keys(records, snap.findings)
    assert gone.of(code) not in (before.of(code), after.of(code))
