"""A province's report from the portal's figures: its communes for one period, bands, ranks, groups,
and the successor communes of the three districts with their predecessors' 2023 history as lineage."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import cli
from helpers.errors import UsageError
from helpers.portal import ingest, report, schema
from helpers.portal.score import group_table
from helpers.store import Store

ROOT = Path(__file__).resolve().parents[1]
ANGIANG = ROOT / "tests" / "data" / "portal" / "angiang_old-api_bao_cao_T10_2025.xlsx"


@pytest.fixture(scope="module")
def an_giang():
    records, _, _ = ingest.parse_file(ANGIANG)
    return report.select(records, report.province_of("an-giang"))


def test_an_giang_communes_scored_for_their_period(an_giang):
    scored, period = an_giang
    assert len(scored) == 102 and scored["rank"].iloc[0] == 1
    assert period.stamp() == "năm 2025, lũy kế đến 16/10/2025; API cũ (jsp/rest.jsp, report_tinh_766_service)"
    counts = dict(zip(*report.band_counts(scored).to_dict("list").values()))
    assert counts == {"Xuất sắc": 88, "Tốt": 12, "Khá": 2, "Trung bình": 0, "Yếu": 0}
    groups = group_table(scored).set_index("short")
    assert list(groups.index) == ["CKMB", "TDGQ", "DVCTT", "TTTT", "MDSH", "MDHL"]
    assert groups.loc["TTTT", "max"] == 10 and groups.loc["DVCTT", "max"] == 12
    assert groups["lost"].round(6).equals((groups["max"] - groups["mean"]).round(6))


def test_successors_of_the_districts_picked_out_with_predecessors(an_giang):
    scored, _ = an_giang
    picked = report.successors(scored).set_index("unit")
    assert len(picked) == 12  # Chợ Mới and Phú Tân; Tháp Mười's successors are in Đồng Tháp
    assert picked.loc["Chợ Mới", "total"] == 92.99 and picked.loc["Chợ Mới", "rank"] == 6
    assert picked.loc["Chợ Vàm", "total"] == 93.03 and picked.loc["Chợ Vàm", "rank"] == 4
    assert picked.loc["Phú Tân", "predecessors"] == "thị trấn Phú Mỹ, xã Phú Hưng, xã Tân Hòa, xã Tân Trung"
    assert set(picked["district_2023"]) == {"Chợ Mới", "Phú Tân"}
    assert (picked["ckmb"] == 18).all()


def test_predecessor_history_is_each_predecessors_own(tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_STORE", str(tmp_path / "store"))
    assert cli.main(["ingest", *map(str, sorted((ROOT / "data" / "raw" / "phu-tan").iterdir()))]) == 0
    records = Store().records()
    history = report.predecessor_history(records, "30406")  # xã Phú Tân (2025)
    assert set(history["unit"]) == {"thị trấn Phú Mỹ", "xã Phú Hưng", "xã Tân Hòa", "xã Tân Trung"}
    assert (history["era"] == "2023").all()
    # the values are the predecessors' own as stored, one row each, none combined
    stored = records[records["unit_code"].isin(history["unit_code"]) & ~records["derived"]]
    assert len(history) == len(stored)
    assert sorted(history["score"].dropna()) == sorted(stored["score"].dropna())
    assert history["score"].notna().all()


def test_province_without_figures_says_so():
    with pytest.raises(UsageError, match="chưa có danh sách"):
        report.select(pd.DataFrame(columns=schema.record_columns()), report.province_of("dong-thap"))
    with pytest.raises(UsageError, match="không có tỉnh"):
        report.province_of("atlantis")


def test_listed_provinces_are_registry_provinces():
    from helpers import lineage, params

    for slug, entry in params.provinces().items():
        province = report.province_of(slug)
        assert (province.code, province.name) == (entry["code"], entry["name"])
        assert lineage.province_2025(entry["name"]).code == entry["code"]


def test_thap_muoi_successors_with_the_cross_district_merge(tmp_path):
    """A Đồng Tháp list (SYNTHETIC scores on the real 2025 units: no real Đồng Tháp file is at hand):
    Tháp Mười's six successors, xã Mỹ Quí in its new spelling, xã Phương Thịnh from two districts."""
    from chiso_bench import portal_data

    data = portal_data.generate(tmp_path, weeks=1, province_codes=["82"])
    records, _, _ = ingest.parse_files(data.files)
    scored, _ = report.select(records, report.province_of("dong-thap"))
    assert len(scored) == 102
    picked = report.successors(scored).set_index("unit")
    assert len(picked) == 6 and set(picked["district_2023"]) == {"Tháp Mười"}
    assert picked.loc["Phương Thịnh", "predecessors"] == "xã Hưng Thạnh, xã Phương Thịnh (huyện Cao Lãnh)"
    assert picked.loc["Phương Thịnh", "former_districts"] == "Tháp Mười, Cao Lãnh"
    assert picked.loc["Mỹ Quí", "predecessors"] == "xã Mỹ Quý, xã Mỹ Đông, xã Láng Biển"
    assert picked.loc["Tháp Mười", "predecessors"] == "thị trấn Mỹ An, xã Mỹ Hòa, xã Mỹ An"
