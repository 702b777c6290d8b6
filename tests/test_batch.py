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


def test_store_keys_hash_each_district_alone(scratch):
    ingest.ingest_paths(list(SEEDS.values()))
    snap = Store().read()
    keys = batch.store_keys(snap.records, snap.findings)
    for slug in SEEDS:
        code = params.district(slug).code
        own = [f[f["district_code"] == code] for f in (snap.records, snap.findings)]
        assert len(own[0]) > 0 and keys.of(code) == _rows_key(*own)
    assert len({keys.of(params.district(s).code) for s in SEEDS}) == len(SEEDS)
    assert keys.of("no-such-code") == keys.empty == _rows_key(snap.records[:0], snap.findings[:0])


def test_a_change_in_one_district_changes_its_key_only(scratch):
    ingest.ingest_paths(list(SEEDS.values()))
    snap = Store().read()
    before = batch.store_keys(snap.records, snap.findings)
    code = params.district("phu-tan").code
    records = snap.records.copy()
    row = records.index[records["district_code"] == code][0]
    records.loc[row, "score"] = records.loc[row, "score"] + 0.01
    after = batch.store_keys(records, snap.findings)
    assert after.of(code) != before.of(code)
    for slug in ("cho-moi", "thap-muoi"):
        other = params.district(slug).code
        assert after.of(other) == before.of(other)
    # a value that goes missing changes the key too (missing is not 0)
    records.loc[row, "score"] = pd.NA
    gone = batch.store_keys(records, snap.findings)
    assert gone.of(code) not in (before.of(code), after.of(code))


def test_notebook_keys_follow_what_each_notebook_shows(scratch, tmp_path, monkeypatch):
    """A district's rows change its own keys from 01 on; another district's rows change its keys from
    03_rank on when it is compared with that district (the comparison), and not at all otherwise."""
    import shutil

    ingest.ingest_paths(list(SEEDS.values()))
    snap = Store().read()
    before = batch.store_keys(snap.records, snap.findings)
    records = snap.records.copy()
    row = records.index[records["district_code"] == params.district("phu-tan").code][0]
    records.loc[row, "score"] = records.loc[row, "score"] + 0.01
    after = batch.store_keys(records, snap.findings)

    def changed(slug: str) -> list[str]:
        old, new = (batch.cache_keys(slug, "2023-W49", "base", k) for k in (before, after))
        return [name for name, a, b in zip(batch.NOTEBOOKS, old, new) if a != b]

    assert changed("phu-tan") == batch.NOTEBOOKS
    assert changed("cho-moi") == changed("thap-muoi") == ["03_rank", "04_narrative"]  # comparison: all
    copy = tmp_path / "params"
    shutil.copytree(params.params_dir(), copy)
    text = (copy / "districts.yaml").read_text(encoding="utf-8")
    (copy / "districts.yaml").write_text(text.replace("\ncomparison: all\n", "\ncomparison: province\n"),
                                         encoding="utf-8")
    monkeypatch.setenv("CHISO_PARAMS", str(copy))
    assert changed("cho-moi") == ["03_rank", "04_narrative"]  # An Giang, as Phú Tân
    assert changed("thap-muoi") == []  # Đồng Tháp: compared with itself only


def test_cache_keys_are_the_same_with_the_ingests_hashes_or_without(scratch):
    result, _ = ingest.ingest_districts(list(params.districts().values()))
    snap = Store().read()
    keys = batch.store_keys(snap.records, snap.findings)
    assert set(result.hashes) == set(SEEDS.values())
    for slug in SEEDS:
        given = batch.cache_keys(slug, "2023-W49", "base", keys, result.hashes)
        assert given == batch.cache_keys(slug, "2023-W49", "base", keys)
        # the hashes given are the ones used
        other = {path: "0" * 64 for path in result.hashes}
        assert batch.cache_keys(slug, "2023-W49", "base", keys, other)[0] != given[0]


def test_a_long_list_of_districts_is_cut_in_the_batch_output():
    assert batch._listed(["a", "b"]) == "a, b"
    many = [f"d{i:03d}" for i in range(700)]
    assert batch._listed(many) == ", ".join(many[:batch.MAX_LISTED]) + " và 690 huyện khác"
    assert batch._listed(many[:batch.MAX_LISTED]) == ", ".join(many[:batch.MAX_LISTED])


def test_the_index_lists_a_district_that_failed(scratch):
    """A district with no report this week is a row of the index with its error, not left out."""
    ingest.ingest_paths([SEEDS["cho-moi"]], store=Store())
    asked = batch.periods.parse_week_arg("2023-W41")  # before any data of Chợ Mới
    week_dir = scratch / "outputs" / "2023-W41"
    result = batch.BatchResult("2023-W41", week_dir)
    result.failures.append(batch.Failure("cho-moi", "2023-W41", "02_score",
                                         "huyện Chợ Mới chưa có số liệu nào đến tuần 2023-W41", None))
    week_dir.mkdir(parents=True)
    batch._write_index(result, [params.district("cho-moi")], asked)
    page = (week_dir / "index.html").read_text(encoding="utf-8")
    assert "<title>Báo cáo Bộ chỉ số 766 – Tuần 2 tháng 10/2023</title>" in page
    assert "Chợ Mới" in page and "Chưa tạo được báo cáo: huyện Chợ Mới chưa có số liệu nào đến tuần 2023-W41" in page
    assert "cho-moi/report.html" not in page


def test_a_failure_names_the_workbench_errors_by_their_message_only():
    from helpers.errors import InputError, UsageError

    assert batch._one_line(InputError("a.txt", 3, "thiếu điểm")) == "a.txt:3: thiếu điểm"
    assert batch._one_line(UsageError("tuần không hợp lệ")) == "tuần không hợp lệ"
    assert batch._one_line(KeyError("score")) == "KeyError: 'score'"

    class KernelError(Exception):  # as papermill reports an error raised in the kernel: its name and value
        ename, evalue = "ChisoError", "huyện Chợ Mới chưa có số liệu nào"

    assert batch._one_line(KernelError()) == "huyện Chợ Mới chưa có số liệu nào"


def test_the_terminal_says_when_no_district_has_data_for_the_week(scratch):
    everyone = list(params.districts().values())
    plan = batch.plan_batch(everyone, batch.periods.parse_week_arg("2023-W50"))
    assert batch.period_lines(plan.asked, plan.periods) == [
        ("Không huyện nào có số liệu của tuần 2023-W50 (Tháng 12 – Tuần 2 (chốt số liệu 11/12/2023)): mỗi báo cáo "
         "dùng số liệu mới nhất trước tuần đó, như ghi dưới đây"),
        "Kỳ số liệu của các báo cáo tuần 2023-W50:",
        "  Tháng 12 – Tuần 1 (chốt số liệu 04/12/2023) (cũ hơn tuần được hỏi): cho-moi",
        "  Tháng 10 – Tuần 2 (chốt số liệu 09/10/2023) (cũ hơn tuần được hỏi): phu-tan",
        "  tháng 9 năm 2023 (cũ hơn tuần được hỏi): thap-muoi",
    ]
    plan = batch.plan_batch(everyone, batch.periods.parse_week_arg("2023-W49"))
    lines = batch.period_lines(plan.asked, plan.periods)
    assert lines[:2] == ["Kỳ số liệu của các báo cáo tuần 2023-W49:",
                         "  Tháng 12 – Tuần 1 (chốt số liệu 04/12/2023): cho-moi"]
    early = batch.period_lines(batch.periods.parse_week_arg("2023-W30"), {"cho-moi": None, "phu-tan": None})
    assert early[0].startswith("Không huyện nào có số liệu của tuần 2023-W30")
    assert early[-1] == "  chưa có số liệu nào đến tuần này (không tạo được báo cáo): cho-moi, phu-tan"


def test_the_index_is_assembled_from_the_lines_the_runs_wrote(scratch, monkeypatch):
    """The week's index scores nothing: each district's line is the index_line.json its run wrote; a
    district not run this time keeps its line of index.json."""
    import json

    from helpers import annex, score

    asked = batch.periods.parse_week_arg("2023-W49")
    week_dir = scratch / "outputs" / "2023-W49"
    for slug, value in (("cho-moi", 57.45), ("phu-tan", 59.28)):
        (week_dir / slug).mkdir(parents=True)
        (week_dir / slug / "report.html").write_text("<html></html>", encoding="utf-8")
    line = {"slug": "cho-moi", "district": "Chợ Mới", "province": "An Giang", "score": 12.34, "score_kind": "total",
            "band": "Yếu", "period_label": "tháng 12 – tuần 1", "as_of": "2023-12-04", "stale": False,
            "html": "cho-moi/report.html", "pdf": "cho-moi/report.pdf"}
    (week_dir / "cho-moi" / annex.INDEX_LINE_NAME).write_text(json.dumps(line), encoding="utf-8")
    kept = dict(line, slug="phu-tan", district="Phú Tân", score=98.76, html="phu-tan/report.html")
    (week_dir / batch.INDEX_DATA).write_text(json.dumps([kept]), encoding="utf-8")

    def no_scoring(*a, **k):
        raise AssertionError("the index scored a district")

    monkeypatch.setattr(score, "score_records", no_scoring)
    batch._write_index(batch.BatchResult("2023-W49", week_dir), [params.district("cho-moi")], asked)
    page = (week_dir / "index.html").read_text(encoding="utf-8")
    assert "12.34" in page and "98.76" in page and page.index("Chợ Mới") < page.index("Phú Tân")
    assert [e["slug"] for e in json.loads((week_dir / batch.INDEX_DATA).read_text(encoding="utf-8"))] == [
        "cho-moi", "phu-tan"]
