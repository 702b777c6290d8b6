"""The executor seam: the process pool by default, Dask's distributed executor as the option."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import executors
from helpers.errors import UsageError
from helpers.portal import ingest

DATA = Path(__file__).parent / "data" / "portal"


def test_kind_comes_from_argument_then_environment(monkeypatch):
    monkeypatch.delenv("CHISO_EXECUTOR", raising=False)
    assert executors.kind_from_env() == "process"
    monkeypatch.setenv("CHISO_EXECUTOR", "dask")
    assert executors.kind_from_env() == "dask"
    assert executors.kind_from_env("process") == "process"
    monkeypatch.setenv("CHISO_EXECUTOR", "spark")
    with pytest.raises(UsageError, match="CHISO_EXECUTOR=spark"):
        executors.kind_from_env()


@pytest.mark.parametrize("kind", ["process", "dask"])
def test_portal_files_read_over_either_executor_give_the_same_records(kind):
    files = sorted(DATA.glob("*.json"))
    alone, _, _ = ingest.parse_files(files)
    # Dask: a LocalCluster on the loopback interface, its one worker a thread of this process
    with executors.open_executor(kind, workers=1, processes=False) as ex:
        spread, _, parsed = ingest.parse_files(files, executor=ex, chunk=1)
    assert [p.source for p in parsed] == [f.name for f in files]
    assert spread.equals(alone)
    assert len(spread) == 34 + 135 + 163
