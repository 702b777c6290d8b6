"""The national portal's four file formats (real files in tests/data/portal/): detection by content,
values, provenance, period, method, missing kept apart from 0, ranks recomputed with the project's rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import cli
from helpers.errors import InputError
from helpers.parsers import portal as parser
from helpers.portal import ingest, schema, score

DATA = Path(__file__).parent / "data" / "portal"
ANGIANG = DATA / "angiang_old-api_bao_cao_T10_2025.xlsx"
GIALAI = DATA / "gialai_communes_2026-10-02.json"
NATIONAL = DATA / "national_service-results_2026-09-17.json"
PHUTHO = DATA / "phutho_dvc-progress-tree_2026-08_all.json"


@pytest.mark.parametrize("path, fmt", [(ANGIANG, "portal-old-api"), (GIALAI, "portal-communes"),
                                       (NATIONAL, "portal-provinces"), (PHUTHO, "portal-progress-tree")])
def test_format_is_detected_from_content_not_name(path, fmt, tmp_path):
    renamed = tmp_path / "download"
    shutil.copy(path, renamed)
    assert parser.detect(renamed.read_bytes()) == fmt
    assert ingest.is_portal_file(renamed)


def test_a_district_report_is_not_a_portal_file():
    seed = next((Path(__file__).parents[1] / "data" / "raw" / "cho-moi").iterdir())
    assert parser.detect(seed.read_bytes()) is None
    assert parser.detect(b'{"data": {"rows": []}}') is None


def test_an_giang_old_api_export():
    records, findings, pf = ingest.parse_file(ANGIANG)
    assert (pf.format, pf.method, pf.province) == ("portal-old-api", "old-api", "An Giang")
    communes = records[records["level"] == "commune"]
    assert len(communes) == 102 and communes["unit_code"].notna().all()
    assert set(communes["province_code"]) == {"91"}
    assert (records["level"] == "department").sum() == 15
    assert (records["level"] == "province").sum() == 68  # 34 year to date + 34 of the month
    cho_moi = communes[communes["unit"] == "Chợ Mới"].iloc[0]
    # values stored as text in the workbook, read as numbers
    assert (cho_moi["total"], cho_moi["ckmb"], cho_moi["tdgq"], cho_moi["dvctt"]) == (92.99, 18.0, 19.91, 8.11)
    assert (cho_moi["unit_code"], cho_moi["portal_code"], cho_moi["unit_type"]) == ("30628", "H01.146", "xã")
    assert (cho_moi["source_ref"], cho_moi["source_line"]) == ("Xã Phường!7", 7)
    assert (cho_moi["period_kind"], cho_moi["year"], cho_moi["captured"]) == ("year", 2025, "2025-10-16")
    # ROW_STT ranks departments and communes together, ties broken by order: kept, and ranked again
    assert cho_moi["portal_rank"] == 7 and cho_moi["rank"] == 6 and cho_moi["rank_of"] == 102
    tied = communes[communes["total"] == 93.03].sort_values("portal_rank")
    assert list(tied["portal_rank"]) == [5, 6] and list(tied["rank"]) == [4, 4]
    assert sorted(communes["portal_rank"])[:1] == [2]
    month = records[(records["level"] == "province") & (records["period_kind"] == "month")]
    assert set(month["month"]) == {10}
    assert findings.empty


def test_gia_lai_communes_online_key_and_ordinal_ranks():
    records, findings, _ = ingest.parse_file(GIALAI)
    assert len(records) == 135 and (records["ckmb"] == 11.79).all()
    first = records.iloc[0]
    # the communes' ONLINE group is the overview's CLGQ: stored as DVCTT
    assert (first["unit"], first["dvctt"], first["total"]) == ("Vân Canh", 6.32, 75.51)
    assert (first["source_ref"], first["source_line"]) == ("/communes/0", 36)
    assert (first["period_kind"], first["year"], first["captured"], first["period_given_by"]) == \
        ("year", 2026, "2026-10-02", "content")
    assert list(records["portal_group_rank"]) == list(range(1, 136))
    tied = records[records["total"] == 70.08]
    assert len(tied) == 3 and tied["rank"].nunique() == 1 and tied["portal_group_rank"].nunique() == 3
    assert (records["mdhl"] == 6.0).sum() == 15
    assert set(findings["rule"]) == {"alias"}  # Albá, Ia Chía: spellings of params/portal.yaml, reported
    assert records["unit_code"].notna().all()


def test_national_provinces_have_no_rank_printed_so_it_is_computed():
    records, _, _ = ingest.parse_file(NATIONAL)
    assert len(records) == 34 and records["portal_rank"].isna().all()
    top = records.sort_values("rank").iloc[0]
    assert (top["unit"], top["total"], top["rank"], top["unit_code"]) == ("Đồng Tháp", 68.32, 1, "82")
    assert (top["captured"], top["period_given_by"]) == ("2026-09-17", "file name")
    assert records["sum_mismatch"].sum() == 0


def test_progress_tree_numerators_and_zero_activity_flagged_not_measured():
    records, findings, pf = ingest.parse_file(PHUTHO)
    assert (pf.province, len(records)) == ("Phú Thọ", 163)
    assert (records["level"] == "commune").sum() == 148
    assert (records["period_kind"].iloc[0], records["year"].iloc[0], records["month"].iloc[0]) == ("month", 2026, 8)
    assert records["total"].isna().all() and records["ckmb"].isna().all()  # not in the file: missing, not 0
    idle = records[records["tdgq_den"] == 0]
    assert set(idle["unit"]) == {"Văn phòng UBND Tỉnh", "Thanh tra tỉnh"}
    assert (idle["no_activity"] == "tdgq").all() and (idle["tdgq"] == 0).all()
    assert sorted(findings.loc[findings["rule"] == "no_activity", "source_ref"]) == \
        ["/data/children/0", "/data/children/138"]
    # 2 received, 0 on time: a measured 0, not flagged
    ngoai_vu = records[records["unit"].str.contains("Ngoại vụ")].iloc[0]
    assert (ngoai_vu["tdgq_den"], ngoai_vu["tdgq_num"], ngoai_vu["tdgq"]) == (2, 0, 0.0)
    assert pd.isna(ngoai_vu["no_activity"])
    scored = score.score(records)
    assert scored.loc[idle.index, "tdgq_lost"].isna().all()
    assert scored.loc[ngoai_vu.name, "tdgq_lost"] == 20.0


def test_period_needed_from_content_name_or_as_of(tmp_path):
    anonymous = tmp_path / "response.json"
    shutil.copy(NATIONAL, anonymous)
    with pytest.raises(InputError, match="--as-of"):
        ingest.parse_file(anonymous)
    records, _, _ = ingest.parse_file(anonymous, as_of="2026-09-17")
    assert (records["captured"].iloc[0], records["period_given_by"].iloc[0]) == ("2026-09-17", "--as-of")
    with pytest.raises(InputError, match="tệp ghi kỳ năm 2026"):
        ingest.parse_file(GIALAI, as_of="2026-08")


def test_bad_values_refused_with_line(tmp_path):
    doc = json.loads(GIALAI.read_text(encoding="utf-8"))
    doc["communes"][3]["groupScores"]["TDGQ"] = 21.5
    bad = tmp_path / "gialai_bad_2026-10-02.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as err:
        ingest.parse_file(bad)
    assert "/communes/3" in err.value.message and "TDGQ 21.5" in err.value.message
    assert err.value.line == parser.element_lines(bad.read_text(encoding="utf-8"), ["communes"])[3]
    doc = json.loads(GIALAI.read_text(encoding="utf-8"))
    doc["communes"][5] = dict(doc["communes"][4])
    bad.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(InputError, match="hai lần"):
        ingest.parse_file(bad)
    doc = json.loads(GIALAI.read_text(encoding="utf-8"))
    doc["communes"][0]["totalScore"] = "bảy mươi"
    bad.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(InputError, match="không phải là số"):
        ingest.parse_file(bad)


def test_groups_not_adding_up_are_kept_and_reported(tmp_path):
    doc = json.loads(GIALAI.read_text(encoding="utf-8"))
    doc["communes"][2]["groupScores"]["MDHL"] = 0.0  # what a failed fetch becomes in the crawler
    odd = tmp_path / "gialai_odd_2026-10-02.json"
    odd.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    records, findings, _ = ingest.parse_file(odd)
    assert records["sum_mismatch"].tolist().count(True) == 1
    hit = findings[findings["rule"] == "sum_mismatch"].iloc[0]
    assert hit["source_ref"] == "/communes/2" and "Hòa Hội" in hit["message"]


def test_ingest_stores_once_and_dry_run_prints(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CHISO_STORE", str(tmp_path / "store"))
    assert cli.main(["ingest", str(ANGIANG), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split(",")[:4] == ["province", "province_code", "level", "unit"]
    assert len(out) == 1 + 185
    assert not (tmp_path / "store").exists()
    assert cli.main(["ingest", str(ANGIANG), str(PHUTHO)]) == 0
    assert cli.main(["ingest", str(ANGIANG)]) == 0
    assert "bỏ qua" in capsys.readouterr().out
    snap = schema.store().read()
    assert len(snap.records) == 185 + 163 and len(snap.sources) == 2
    assert set(snap.findings["rule"]) == {"no_activity"}


def test_mixed_command_stores_nothing_when_one_file_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_STORE", str(tmp_path / "store"))
    junk = tmp_path / "notes.txt"
    junk.write_text("không có bảng nào\n", encoding="utf-8")
    assert cli.main(["ingest", str(ANGIANG), str(junk)]) == 1
    assert schema.store().read().records.empty


def test_element_lines_follow_the_json_layout():
    text = '{"a": 1, "b": {"c": [\n {"x": 1},\n\n {"x": [1, 2]}\n]}}'
    assert parser.element_lines(text, ["b", "c"]) == [2, 4]


def test_a_file_given_twice_is_stored_once(tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_STORE", str(tmp_path / "store"))
    copy = tmp_path / "copy.json"
    shutil.copy(GIALAI, copy)  # (its period is in its content)
    result = ingest.ingest_paths([GIALAI, copy])
    assert (result.added, result.skipped) == ([GIALAI.name], ["copy.json"])
    assert len(schema.store().read().records) == 135


def test_a_portal_file_in_a_district_folder_is_named_for_what_it_is(tmp_path):
    from helpers.parsers import parse_document

    copy = tmp_path / "bao_cao.xlsx"
    shutil.copy(ANGIANG, copy)
    with pytest.raises(InputError, match="data/raw/portal/"):
        parse_document(copy)
