"""Ingest stage: derived previous-week records, idempotency and conflicts between reports."""

from __future__ import annotations

import hashlib

import pytest

from helpers import ingest, params, score, validate
from helpers.errors import InputError, UsageError
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
    assert c["message"] == (
        "số liệu mâu thuẫn cho xã Mỹ Hội Đông kỳ 2023-11-27: score: 56.88 (000_0e14d90c141fb8cb.txt:500, suy ra từ "
        f"cột tuần trước) ≠ 57 ({w48.name}:8, báo cáo); cả hai giá trị được giữ, không ghi đè")  # 57, not 57.0
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
    parsed = validate.parse_file(w48, district="cho-moi")
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


def test_as_of_contradicting_the_printed_week_is_refused(scratch, tmp_path):
    w48 = tmp_path / "w48.md"
    w48.write_text(WEEK48, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        validate.parse_file(w48, district="cho-moi", as_of="2023-12-04")
    err = exc.value
    assert err.exit_status == 1 and err.line == 3
    assert err.message == ("tệp ghi kỳ số liệu tuần 4 tháng 11/2023 (chốt số liệu 27/11/2023) nhưng được nạp cho "
                           "kỳ tuần 1 tháng 12/2023 (--as-of 2023-12-04)")
    # the same week, or the month it falls in, does not contradict it
    assert validate.parse_file(w48, district="cho-moi", as_of="2023-11-27").period.as_of == "2023-11-27"
    assert validate.parse_file(w48, district="cho-moi", as_of="2023-11").period.as_of == "2023-11"


def test_as_of_not_a_monday_is_refused_before_anything_is_stored(scratch, tmp_path):
    w48 = tmp_path / "w48.md"
    w48.write_text(WEEK48, encoding="utf-8")
    with pytest.raises(UsageError) as exc:
        ingest.ingest_paths([w48], as_of="2023-11-29")  # the Wednesday of the week the file prints
    assert "29/11/2023 không phải thứ Hai" in str(exc.value)
    assert Store().read().generation == ""


def test_as_of_gives_the_period_of_a_file_that_prints_none(scratch, tmp_path):
    bare = tmp_path / "bare.md"
    bare.write_text(WEEK48.replace("trong Tuần 4 của tháng 11 năm 2023", "").replace(
        "(Thời gian chốt số liệu: Ngày 27/11/2023 - Tuần 4)", ""), encoding="utf-8")
    with pytest.raises(InputError, match="--as-of"):
        validate.parse_file(bare, district="cho-moi")
    assert validate.parse_file(bare, district="cho-moi", as_of="2023-11-27").period.iso_week == "2023-W48"
    assert validate.parse_file(bare, district="cho-moi", as_of="2023-11").period.kind == "month"


def test_a_unit_twice_on_the_same_line_of_a_letter_says_so_plainly(scratch, tmp_path):
    letter = tmp_path / "thap_muoi_dup.txt"
    text = SEEDS["thap-muoi"].read_text(encoding="utf-8")
    assert text.count("xã Hưng Thạnh 69,45") == 1
    letter.write_text(text.replace("xã Hưng Thạnh 69,45", "xã Thạnh Lợi 69,45"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        validate.parse_file(letter)
    assert (exc.value.line, exc.value.message) == (87, "đơn vị xã Thạnh Lợi xuất hiện hai lần ở dòng 87")


def test_a_unit_twice_on_two_lines_names_both(scratch, tmp_path):
    twice = tmp_path / "w48.md"
    twice.write_text(WEEK48.replace("| 3 | KIẾN AN | 49.03 |", "| 3 | MỸ HỘI ĐÔNG | 49.03 |"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        validate.parse_file(twice, district="cho-moi")
    assert (exc.value.line, exc.value.message) == (9, "đơn vị xã Mỹ Hội Đông xuất hiện hai lần (dòng 8 và 9)")


def test_a_letter_dated_in_full_is_refused_with_its_issue_date_then_read_with_as_of(scratch):
    """A letter with a day in its date gives only the day it was issued, not the period of its scores."""
    text = SEEDS["thap-muoi"].read_text(encoding="utf-8")
    assert text.count("Tháp Mười, ngày       tháng 9 năm 2023") == 1
    path = scratch / "tm.txt"
    path.write_text(text.replace("Tháp Mười, ngày       tháng 9 năm 2023", "Tháp Mười, ngày 16 tháng 10 năm 2023"),
                    encoding="utf-8")
    with pytest.raises(InputError) as exc:
        validate.parse_file(path)
    assert str(exc.value) == ("tm.txt: văn bản chỉ ghi ngày ban hành 16/10/2023 (dòng 7), không ghi ngày chốt số liệu "
                              "hay tháng báo cáo; hãy ghi rõ kỳ số liệu bằng --as-of")
    parsed = validate.parse_file(path, as_of="2023-09")
    assert parsed.period.as_of == "2023-09" and parsed.n_reported == 13
