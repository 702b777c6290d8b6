"""Ingest stage: derived previous-week records, idempotency and conflicts between reports."""

from __future__ import annotations

import hashlib

from helpers import ingest, params, score
from helpers.periods import parse_week_arg
from helpers.store import Store
from tests.conftest import SEEDS

# A hand-written report of Chợ Mới for the previous week (27/11/2023) that disagrees with the
# "last week" column of the 04/12/2023 report for one unit (Mỹ Hội Đông: 57.00 here, 56.88 there).
WEEK48 = """UBND HUYỆN CHỢ MỚI
Văn phòng HĐND và UBND huyện Chợ Mới báo cáo kết quả Bộ chỉ số trong Tuần 4 của tháng 11 năm 2023.
(Thời gian chốt số liệu: Ngày 27/11/2023 - Tuần 4)

| STT | ĐƠN VỊ | ĐIỂM TỔNG HỢP | XẾP LOẠI |
|---|---|---|---|
| 1 | CHỢ MỚI | 65.41 | TRUNG BÌNH |
| 2 | MỸ HỘI ĐÔNG | 57.00 | TRUNG BÌNH |
| 3 | KIẾN AN | 49.03 | YẾU |
"""


def _store_bytes(root):
    return {p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def test_previous_week_column_becomes_derived_records(scratch):
    ingest.ingest_paths([SEEDS["cho-moi"]])
    recs = Store().records()
    derived = recs[recs["derived"]]
    assert len(derived) == 19 and set(derived["as_of"]) == {"2023-11-27"} and set(derived["week"]) == {"2023-W48"}
    mhd = derived[derived["unit_code"] == "30637"].iloc[0]
    assert (float(mhd["score"]), int(mhd["source_line"]), mhd["source"]) == (56.88, 500, "000_0e14d90c141fb8cb.txt")
    assert derived["transparency_pct"].isna().all() and derived["band"].isna().all()  # unknown stays missing


def test_reingesting_the_same_file_adds_nothing(scratch):
    first = ingest.ingest_paths([SEEDS["cho-moi"]])
    before = _store_bytes(scratch / "store")
    again = ingest.ingest_paths([SEEDS["cho-moi"]])
    assert first.added == ["000_0e14d90c141fb8cb.txt"] and again.skipped == ["000_0e14d90c141fb8cb.txt"]
    assert again.added_records == 0 and _store_bytes(scratch / "store") == before


def test_later_report_disagreeing_with_derived_value_is_a_reported_conflict(scratch, tmp_path):
    ingest.ingest_paths([SEEDS["cho-moi"]])
    w48 = tmp_path / "cho_moi_tuan_4_thang_11.md"
    w48.write_text(WEEK48, encoding="utf-8")
    result = ingest.ingest_paths([w48])
    assert len(result.conflicts) == 1
    c = result.conflicts.iloc[0]
    assert (c["rule"], c["unit_code"], c["as_of"], c["source"], int(c["source_line"])) == \
        ("conflict", "30637", "2023-11-27", w48.name, 8)
    assert "56.88" in c["message"] and "57.0" in c["message"] and "000_0e14d90c141fb8cb.txt:500" in c["message"]
    snap = Store().read()
    both = snap.records[(snap.records["unit_code"] == "30637") & (snap.records["as_of"] == "2023-11-27")]
    assert sorted(both["score"].astype(float)) == [56.88, 57.0]  # neither value overwritten
    assert (snap.findings["rule"] == "conflict").sum() == 1
    # the reported week-48 value is the effective one for that week
    eff = score.period_records(snap.records, "893", parse_week_arg("2023-W48"))
    assert float(eff[eff["unit_code"] == "30637"]["score"].iloc[0]) == 57.0


def test_missing_units_are_listed(scratch, tmp_path):
    w48 = tmp_path / "w48.md"
    w48.write_text(WEEK48, encoding="utf-8")
    parsed = ingest.parse_file(w48, district="cho-moi")
    missing = parsed.findings[parsed.findings["rule"] == "missing_units"]
    assert len(missing) == 1 and "thiếu 15 đơn vị" in missing.iloc[0]["message"]
    assert parsed.district == params.district("cho-moi") and parsed.period.as_of == "2023-11-27"


def test_known_files_are_described_with_their_own_warnings_not_the_conflicts(scratch, tmp_path):
    w48 = tmp_path / "cho_moi_tuan_4_thang_11.md"
    w48.write_text(WEEK48, encoding="utf-8")
    paths = [SEEDS["cho-moi"], w48]
    first = ingest.ingest_paths(paths)
    assert len(first.conflicts) == 1  # stored among the findings, not a warning of either file
    again = ingest.ingest_paths(paths)
    assert again.skipped == [SEEDS["cho-moi"].name, w48.name] and again.conflicts.empty
    assert list(again.file_findings["rule"]) == list(first.file_findings["rule"])
    assert "conflict" not in set(again.file_findings["rule"]) and "missing_units" in set(again.file_findings["rule"])
    assert list(again.file_findings["source"]) == [f.report.source for f in again.files
                                                   for _ in range(f.n_warnings)]
    for name in ("records", "file_findings"):
        a, b = getattr(again, name), getattr(first, name)
        assert a.drop(columns="source").equals(b.drop(columns="source")), name
    assert [f.n_reported for f in again.files] == [f.n_reported for f in first.files]
