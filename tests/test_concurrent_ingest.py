"""Two `chiso ingest` processes at once on the same files and store: both succeed, nothing twice.

The store serialises writers with a file lock and decides "already stored" by the file's SHA-256
inside the lock, so the second writer skips what the first one added.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import validate
from helpers.store import Store
from tests.conftest import SEEDS

KEY = ["source", "unit_code", "as_of", "derived"]


def _start(paths, env, cwd):
    return subprocess.Popen([sys.executable, "-m", "helpers", "ingest", *map(str, paths)], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


@pytest.mark.parametrize("order", ["same", "reversed"])
def test_two_ingests_at_once(scratch, order):
    seeds = list(SEEDS.values())
    expected = {p.name: len(validate.parse_file(p).records) for p in seeds}
    env = {k: v for k, v in os.environ.items() if k != "CHISO_DEBUG"}
    second = seeds if order == "same" else seeds[::-1]
    procs = [_start(seeds, env, scratch), _start(second, env, scratch)]
    results = [p.communicate(timeout=180) for p in procs]
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0, err
        assert "Traceback" not in out + err
    # between them, each file was added once and skipped once
    outs = "".join(out for out, _ in results)
    for name in expected:
        assert outs.count(f"đã thêm: {name}") == 1, outs
        assert outs.count(f"bỏ qua (đã có trong kho): {name}") == 1, outs
    snap = Store().read()
    assert len(snap.sources) == 3
    assert sorted(snap.sources["source"]) == sorted(expected)
    assert snap.sources["source_sha256"].is_unique
    assert not snap.records.duplicated(KEY).any()
    counts = snap.records.groupby("source").size().to_dict()
    assert counts == expected
    # findings were stored once as well (the alias warning of the Phú Tân file, for one)
    assert not snap.findings.duplicated(["source", "rule", "source_line", "unit_code", "message"]).any()
