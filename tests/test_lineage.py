"""The dated unit registry: 2023 and 2025 units keyed on (era, code), the lineage of the three districts."""

from __future__ import annotations

import importlib.util
from importlib.metadata import version
from pathlib import Path

import pytest

from helpers import lineage, params

ROOT = Path(__file__).resolve().parents[1]


def _build_module():
    spec = importlib.util.spec_from_file_location("build_lineage", ROOT / "scripts" / "build_lineage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_files_match_the_pinned_package_offline():
    """Regenerating from the installed package (no network) gives the committed files byte for byte."""
    assert version("vietnamadminunits") == "1.0.4"
    for name, text in _build_module().build().items():
        assert (ROOT / "params" / name).read_text(encoding="utf-8") == text, name


def test_2025_registry_has_34_provinces_and_the_new_communes():
    provinces = lineage.provinces_2025()
    assert len(provinces) == 34
    units = lineage.units_2025()
    assert len(units) == 3321
    assert (units["province_code"] == "91").sum() == 102  # An Giang after NQ 1654: 102 units
    assert (units["province_code"] == "82").sum() == 102  # Đồng Tháp after NQ 1663


def test_a_code_alone_does_not_identify_a_unit():
    old, new = lineage.unit("2023", "30628"), lineage.unit("2025", "30628")
    assert (old.full_name, old.district) == ("thị trấn Chợ Mới", "Chợ Mới")
    assert (new.full_name, new.district) == ("xã Chợ Mới", None)
    assert old.key != new.key
    # provinces too: the new An Giang has the former Kiên Giang's code
    assert lineage.province_2025("An Giang").code == "91"
    assert lineage.unit("2023", "30628").province_code == "89"


def test_every_commune_of_the_three_districts_has_its_successor():
    rows = lineage.successors_of_districts(["893", "888", "872"])
    ours = rows[rows["old_district_code"].isin(["893", "888", "872"])]
    assert len(ours) == 49 and ours["old_code"].is_unique
    assert not ours["divided"].any()
    assert rows["new_code"].nunique() == 18
    per_district = ours.groupby("old_district_code")["new_code"].nunique().to_dict()
    assert per_district == {"893": 6, "888": 6, "872": 6}


@pytest.mark.parametrize("new_code, olds", [
    ("30628", {"Chợ Mới", "Kiến An", "Kiến Thành"}),
    ("30406", {"Phú Mỹ", "Phú Hưng", "Tân Hòa", "Tân Trung"}),
    ("30073", {"Thanh Mỹ", "Phú Điền"}),
    ("30055", {"Mỹ Quý", "Mỹ Đông", "Láng Biển"}),
    ("30043", {"Hưng Thạnh", "Phương Thịnh"}),
])
def test_predecessors_as_in_the_resolutions(new_code, olds):
    assert {u.name for u in lineage.predecessors(new_code)} == olds


def test_cross_district_merge_and_new_spelling_are_data_that_agree_with_the_lineage():
    assert lineage.reform_problems() == []
    merge = params.reform_2025()["cross_district"][0]
    assert merge["new"]["name"] == "Phương Thịnh"
    assert {o["district_code"] for o in merge["old"]} == {"872", "873"}
    cross = lineage.cross_district()
    assert set(cross["old_name"]) == {"Hưng Thạnh", "Phương Thịnh"}
    assert lineage.successors("30055")[0].name == "Mỹ Quí"


def test_reform_problems_names_what_params_leave_out(tmp_path, monkeypatch):
    for p in (ROOT / "params").iterdir():
        if p.is_file():
            (tmp_path / p.name).write_bytes(p.read_bytes())
    text = (tmp_path / "reform_2025.yaml").read_text(encoding="utf-8")
    (tmp_path / "reform_2025.yaml").write_text(text.split("spellings:")[0] + "spellings: []\n", encoding="utf-8")
    monkeypatch.setenv("CHISO_PARAMS", str(tmp_path))
    assert lineage.reform_problems() == ["new spelling 30055 Mỹ Quý -> 30055 Mỹ Quí not in reform_2025.yaml"]


def test_matching_a_2025_name_is_spelling_insensitive_and_typed():
    assert lineage.match_2025("82", "MỸ QUÝ").name == "Mỹ Quí"
    assert lineage.match_2025("91", "Chợ Mới", "xã").code == "30628"
    assert lineage.match_2025("91", "Nowhere") is None
