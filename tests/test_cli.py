"""The `chiso` command as the data and command contract fixes it: output columns and exit statuses."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from helpers import records as rec
from helpers.cli import main
from helpers.store import Store
from tests.conftest import ROOT, SEEDS

RANK_COLUMNS = "week,district,unit,unit_type,unit_code,as_of,score,band,rank,prev_rank,rank_change,delta"


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_dry_run_csv_prints_exactly_the_contract_columns(scratch, capsys):
    assert main(["ingest", str(SEEDS["cho-moi"]), "--dry-run", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ",".join(rec.CONTRACT_COLUMNS)
    rows = _csv(out)
    assert len(rows) == 19
    total = rows[0]
    assert (total["unit"], total["unit_type"], total["unit_code"], total["score"], total["e_cert"]) == \
        ("Chợ Mới", "huyện", "893", "57.45", "1746")
    kien_an = next(r for r in rows if r["unit"] == "Kiến An")
    assert (kien_an["band"], kien_an["week"], kien_an["as_of"], kien_an["unit_code"]) == \
        ("Yếu", "2023-W49", "2023-12-04", "30634")
    assert Store().read().generation == ""  # dry run stores nothing


def test_dry_run_json_has_typed_values_and_null_for_missing(scratch, capsys):
    assert main(["ingest", str(SEEDS["phu-tan"]), "--dry-run", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(list(r) == rec.CONTRACT_COLUMNS for r in rows)
    phu_hung = next(r for r in rows if r["unit_code"] == "30451")
    assert phu_hung["unit"] == "Phú Hưng" and phu_hung["transparency_pct"] is None and phu_hung["band"] == "Trung bình"
    assert phu_hung["score"] == 59.25 and isinstance(phu_hung["score"], float)
    assert phu_hung["source_line"] == 61 and isinstance(phu_hung["source_line"], int)
    total = rows[0]
    assert (total["unit_type"], total["score"], total["prev_score"], total["delta"], total["e_cert"]) == \
        ("huyện", 59.28, 59.11, 0.17, None)


def test_dry_run_json_counts_are_integers(scratch, capsys):
    assert main(["ingest", str(SEEDS["cho-moi"]), "--dry-run", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    total = rows[0]
    assert (total["e_cert"], total["e_cert_cum"], total["unit_code"], total["week"]) == (1746, 2834, "893", "2023-W49")
    assert isinstance(total["e_cert"], int) and isinstance(total["e_cert_cum"], int)
    assert {type(r["reported_rank"]) for r in rows[1:]} == {int} and total["reported_rank"] is None


def test_ingest_adds_then_skips(scratch, capsys):
    assert main(["ingest", str(SEEDS["cho-moi"]), str(SEEDS["thap-muoi"])]) == 0
    out = capsys.readouterr().out
    assert "đã thêm: 000_0e14d90c141fb8cb.txt" in out and "đã thêm: 002_09ca01f0b851a3c6.txt" in out
    assert main(["ingest", str(SEEDS["cho-moi"])]) == 0
    assert "bỏ qua (đã có trong kho): 000_0e14d90c141fb8cb.txt" in capsys.readouterr().out


def test_alias_warning_names_file_and_line(scratch, capsys):
    assert main(["ingest", str(SEEDS["phu-tan"])]) == 0
    err = capsys.readouterr().err
    assert ("cảnh báo: 001_9befcb279ea0e6bb.txt:61: tên “PHÚ HÙNG” trong văn bản được hiểu là xã Phú Hưng "
            "(tên viết khác, khai báo trong danh mục bí danh)\n") in err
    assert "params/" not in err and "aliases.yaml" not in err  # no file path shown to a report reader


def test_rank_csv(scratch, capsys):
    for slug in SEEDS:
        main(["ingest", str(SEEDS[slug])])
    capsys.readouterr()
    assert main(["rank", "--week", "2023-W49", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == RANK_COLUMNS
    rows = _csv(out)
    cm = [r for r in rows if r["district"] == "Chợ Mới"]
    assert [r["rank"] for r in cm] == [str(i) for i in range(1, 19)]
    pt = [r for r in rows if r["district"] == "Phú Tân"]
    assert {r["as_of"] for r in pt} == {"2023-10-09"} and {r["week"] for r in rows} == {"2023-W49"}
    tm = {r["unit"]: r for r in rows if r["district"] == "Tháp Mười"}
    assert tm["Mỹ Đông"]["rank"] == tm["Láng Biển"]["rank"] == "5" and tm["Tân Kiều"]["rank"] == "7"
    assert main(["rank", "--week", "2023-12-04", "--district", "cho-moi", "--format", "csv"]) == 0
    assert len(_csv(capsys.readouterr().out)) == 18


def test_narrative_prints_vietnamese_text(scratch, capsys):
    main(["ingest", str(SEEDS["cho-moi"])])
    capsys.readouterr()
    assert main(["narrative", "--week", "2023-W49", "--district", "cho-moi"]) == 0
    text = capsys.readouterr().out
    assert "Kiến An" in text and "Mỹ Hội Đông" in text and "5.78" in text


@pytest.mark.parametrize("args", [
    ["rank", "--week", "2023-W99", "--format", "csv"],
    ["rank", "--week", "tuần 49", "--format", "csv"],
    ["narrative", "--week", "2023-W49", "--district", "ha-noi"],
    ["narrative", "--week", "2023-W49", "--district", "../etc"],
    ["ingest", "no/such/file.txt"],
    ["report", "--week", "2023-W49", "--district", "cho-moi/../x"],
    ["frobnicate"],
])
def test_bad_usage_exits_2_with_one_line(scratch, capsys, args):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("chiso: lỗi:") and "Traceback" not in err


def test_invalid_content_exits_1_and_stores_nothing(scratch, capsys, tmp_path):
    bad = tmp_path / "bad.txt"
    text = SEEDS["phu-tan"].read_text(encoding="utf-8").replace("| 63.15 ", "| 105.3 ")
    bad.write_text(text, encoding="utf-8")
    assert main(["ingest", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.txt:57:" in err and "105.3" in err
    assert Store().read().generation == ""


def test_closed_stdout_is_not_an_error_message(scratch):
    """`chiso ingest FILE --dry-run --format json | head -1`: the reader goes away before the output is
    written; the command stops without a word (no "lỗi không mong đợi (BrokenPipeError …)")."""
    for fmt in ("json", "csv"):
        proc = subprocess.Popen([sys.executable, "-m", "helpers", "ingest", str(SEEDS["cho-moi"]), "--dry-run",
                                 "--format", fmt], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        proc.stdout.close()  # before the command has parsed the file: its first write meets a closed pipe
        err = proc.stderr.read().decode("utf-8")
        assert proc.wait(timeout=120) == 1
        assert err == "", err


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_format_without_dry_run_is_a_bad_command_and_stores_nothing(scratch, capsys, fmt):
    assert main(["ingest", str(SEEDS["cho-moi"]), "--format", fmt]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"chiso: lỗi: --format {fmt} chỉ dùng cùng --dry-run (định dạng in các bản ghi đọc " \
                           "được); định dạng của tệp đầu vào chọn bằng --parser\n"
    assert captured.out == "" and Store().read().generation == ""


def test_parser_option_still_chooses_the_input_format(scratch, capsys):
    assert main(["ingest", str(SEEDS["cho-moi"]), "--parser", "text-table"]) == 0
    assert "đã thêm: 000_0e14d90c141fb8cb.txt" in capsys.readouterr().out


def test_as_of_not_a_monday_is_a_bad_command(scratch, capsys):
    assert main(["ingest", str(SEEDS["cho-moi"]), "--as-of", "2023-12-06"]) == 2
    err = capsys.readouterr().err
    assert err == ("chiso: lỗi: --as-of 2023-12-06: ngày chốt số liệu 06/12/2023 không phải thứ Hai (tuần báo cáo "
                   "chốt số liệu vào thứ Hai; thứ Hai của tuần này là 2023-12-04)\n")
    assert Store().read().generation == ""


def test_as_of_contradicting_the_file_is_refused_like_a_contradicting_district(scratch, capsys):
    assert main(["ingest", str(SEEDS["cho-moi"]), "--as-of", "2023-12-11"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("chiso: lỗi: 000_0e14d90c141fb8cb.txt:") and err.count("\n") == 1
    assert "tệp ghi kỳ số liệu tuần 1 tháng 12/2023 (chốt số liệu 04/12/2023) nhưng được nạp cho kỳ " \
           "tuần 2 tháng 12/2023 (--as-of 2023-12-11)" in err
    assert Store().read().generation == ""
    assert main(["ingest", str(SEEDS["cho-moi"]), "--as-of", "2023-12-04"]) == 0  # agreeing: accepted
    assert set(Store().records().query("not derived")["as_of"]) == {"2023-12-04"}
