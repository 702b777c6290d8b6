"""The `chiso` command as CONTRACT.md fixes it: output columns and exit statuses."""

from __future__ import annotations

import csv
import io
import json

import pytest

from helpers import records as rec
from helpers.cli import main
from helpers.store import Store
from tests.conftest import SEEDS

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


def test_dry_run_json_and_missing_is_empty(scratch, capsys):
    assert main(["ingest", str(SEEDS["phu-tan"]), "--dry-run", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    phu_hung = next(r for r in rows if r["unit_code"] == "30451")
    assert phu_hung["unit"] == "Phú Hưng" and phu_hung["transparency_pct"] == "" and phu_hung["score"] == "59.25"


def test_ingest_adds_then_skips(scratch, capsys):
    assert main(["ingest", str(SEEDS["cho-moi"]), str(SEEDS["thap-muoi"])]) == 0
    out = capsys.readouterr().out
    assert "đã thêm: 000_0e14d90c141fb8cb.txt" in out and "đã thêm: 002_09ca01f0b851a3c6.txt" in out
    assert main(["ingest", str(SEEDS["cho-moi"])]) == 0
    assert "bỏ qua (đã có trong kho): 000_0e14d90c141fb8cb.txt" in capsys.readouterr().out


def test_alias_warning_names_file_and_line(scratch, capsys):
    assert main(["ingest", str(SEEDS["phu-tan"])]) == 0
    err = capsys.readouterr().err
    assert "001_9befcb279ea0e6bb.txt:61:" in err and "PHÚ HÙNG" in err and "Phú Hưng" in err


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
