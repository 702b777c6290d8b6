"""The store follows data/raw: a file taken out of its district's folder takes its data out of the
store, says so, and leaves everything else as a store built from the remaining files."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from helpers import ingest, params
from helpers.store import Store
from tests.conftest import RAW, ROOT

EXTRA = ROOT / "tests" / "data" / "parsers" / "cho_moi_tuan2_2023-12-11.txt"  # Chợ Mới, week 2 of December
SEED = "000_0e14d90c141fb8cb.txt"  # Chợ Mới, week 1 of December
RESENT = "000_gui_lai.txt"  # the same report sent again with Kiến An's score changed: a conflict


@pytest.fixture
def raw(tmp_path, monkeypatch, scratch):
    folder = tmp_path / "raw"
    shutil.copytree(RAW, folder)
    shutil.copy2(EXTRA, folder / "cho-moi" / EXTRA.name)
    text = (RAW / "cho-moi" / SEED).read_text(encoding="utf-8")
    assert "KIẾN AN 49.18 YẾU 49.03 0.15" in text
    (folder / "cho-moi" / RESENT).write_text(text.replace("KIẾN AN 49.18 YẾU 49.03 0.15", "KIẾN AN 49.28 YẾU 49.03 0.25"),
                                             encoding="utf-8")
    monkeypatch.setenv("CHISO_RAW", str(folder))
    return folder


def _sorted(frame: pd.DataFrame, drop=()) -> pd.DataFrame:
    frame = frame.drop(columns=list(drop))
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _same_tables(a: Store, b: Store) -> None:
    x, y = a.read(), b.read()
    pd.testing.assert_frame_equal(_sorted(x.records), _sorted(y.records))
    pd.testing.assert_frame_equal(_sorted(x.findings), _sorted(y.findings))
    pd.testing.assert_frame_equal(_sorted(x.sources, drop=["ingested_at"]), _sorted(y.sources, drop=["ingested_at"]))


def test_a_file_that_left_data_raw_leaves_the_store_and_nothing_else(raw, tmp_path):
    everyone = list(params.districts().values())
    store = Store()
    first, _ = ingest.ingest_districts(everyone, store)
    assert first.retired == []
    held = store.read()
    assert EXTRA.name in set(held.records["source"]) and "2023-12-11" in set(held.records["as_of"])
    conflicts = held.findings[held.findings["rule"] == "conflict"]
    assert len(conflicts) == 2 and all("xã Kiến An" in m and "49.28" in m for m in conflicts["message"])

    (raw / "cho-moi" / EXTRA.name).unlink()
    (raw / "cho-moi" / RESENT).unlink()
    second, _ = ingest.ingest_districts(everyone, store)
    assert sorted((r.source, r.district.slug, r.as_of) for r in second.retired) == \
        [(RESENT, "cho-moi", "2023-12-04"), (EXTRA.name, "cho-moi", "2023-12-11")]
    message = next(r for r in second.retired if r.source == EXTRA.name).message()
    assert message.startswith(f"Đã bỏ khỏi kho số liệu của tệp {EXTRA.name} (huyện Chợ Mới, ")
    assert message.endswith("tệp không còn trong " + str(raw / "cho-moi") + "/")
    after = store.read()
    gone = {EXTRA.name, RESENT}
    assert not gone & (set(after.records["source"]) | set(after.findings["source"]) | set(after.sources["source"]))
    assert "2023-12-11" not in set(after.records["as_of"]) and not (after.findings["rule"] == "conflict").any()
    kien_an = after.records[(after.records["unit"] == "Kiến An") & (after.records["as_of"] == "2023-12-04")]
    assert kien_an["score"].tolist() == [49.18]

    fresh = Store(tmp_path / "fresh")
    ingest.ingest_districts(everyone, fresh)  # the store as the remaining files alone make it
    _same_tables(store, fresh)

    third, _ = ingest.ingest_districts(everyone, store)  # nothing more to retire, nothing written
    assert third.retired == [] and store.read().generation == after.generation


def test_the_ingest_notebook_retires_too(raw):
    district = params.district("cho-moi")
    ingest.ingest_raw(district)
    (raw / "cho-moi" / EXTRA.name).unlink()
    result = ingest.ingest_raw(district)
    assert [r.source for r in result.retired] == [EXTRA.name]
    assert set(Store().read().sources["source"]) == {SEED, RESENT}
    summary = result.summary()  # what the ingest notebook shows
    assert summary.iloc[-1]["tệp"] == EXTRA.name
    assert summary.iloc[-1]["kết quả"] == "đã bỏ khỏi kho: tệp không còn trong data/raw"


def test_the_batch_says_which_file_was_retired(raw):
    from helpers import batch

    everyone = list(params.districts().values())
    ingest.ingest_districts(everyone)
    (raw / "cho-moi" / EXTRA.name).unlink()
    plan = batch.plan_batch(everyone, batch.periods.parse_week_arg("2023-W49"))
    assert [r.source for r in plan.retired] == [EXTRA.name]


def test_other_districts_are_not_touched_by_a_run_on_one(raw):
    everyone = list(params.districts().values())
    store = Store()
    ingest.ingest_districts(everyone, store)
    shutil.rmtree(raw / "phu-tan")  # a run on Chợ Mới alone does not read Phú Tân's folder
    result, _ = ingest.ingest_districts([params.district("cho-moi")], store)
    assert result.retired == [] and "001_9befcb279ea0e6bb.txt" in set(store.read().sources["source"])


def test_the_ingest_notebook_says_what_was_retired_of_the_districts_compared(raw):
    from helpers import views
    from helpers.notebook import Run

    everyone = list(params.districts().values())
    ingest.ingest_districts(everyone)
    (raw / "cho-moi" / EXTRA.name).unlink()
    shown = views.ingest_compared(Run(params.district("phu-tan"), None, True)).data
    assert f"Đã bỏ khỏi kho số liệu của tệp {EXTRA.name} (huyện Chợ Mới" in shown
