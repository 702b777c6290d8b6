import unicodedata

import pytest
import yaml

from helpers import params, registry
from tests.conftest import ROOT


def test_registry_has_the_official_units():
    assert len(registry.units_of("893")) == 18
    assert len(registry.units_of("888")) == 18
    assert len(registry.units_of("872")) == 13
    towns = {u.name for u in registry.units_of("893") if u.type == "thị trấn"}
    assert towns == {"Chợ Mới", "Mỹ Luông", "Hội An"}
    assert registry.district_unit("872").full_name == "huyện Tháp Mười"
    assert registry.unit_by_code("30637").name == "Mỹ Hội Đông"


def test_every_district_of_params_is_in_the_registry():
    reg = params.units_registry()
    for d in params.districts().values():
        assert reg[d.code]["name"] == d.name
        assert reg[d.code]["province"] == d.province


def test_codes_are_strings_with_leading_zeros_kept():
    raw = yaml.safe_load((ROOT / "params/units.yaml").read_text(encoding="utf-8"))
    for d in raw["districts"].values():
        assert all(isinstance(u["code"], str) and len(u["code"]) == 5 for u in d["units"])


@pytest.mark.parametrize("printed,code", [
    ("MỸ HỘI ĐÔNG", "30637"), ("Long  Điền A", "30640"), ("HOÀ BÌNH", "30676"), ("Hòa Bình", "30676"),
    (unicodedata.normalize("NFD", "Kiến An"), "30634"), ("bình phước xuân", "30667"),
])
def test_name_normalisation(printed, code):
    assert registry.match_unit("893", printed).unit.code == code


def test_i_y_and_tone_placement():
    assert registry.match_unit("872", "Mỹ Quí").unit.name == "Mỹ Quý"
    assert registry.name_key("Hoà") == registry.name_key("Hòa")
    assert registry.name_key("Phú Hùng") != registry.name_key("Phú Hưng")


def test_alias_is_reported():
    m = registry.match_unit("888", "PHÚ HÙNG", slug="phu-tan")
    assert (m.unit.name, m.alias) == ("Phú Hưng", "PHÚ HÙNG")
    assert registry.match_unit("888", "Phú Hưng", slug="phu-tan").alias is None


def test_same_name_two_units_needs_the_type():
    assert registry.match_unit("872", "Mỹ An", "thị trấn").unit.code == "30037"
    assert registry.match_unit("872", "Mỹ An", "xã").unit.code == "30064"
    with pytest.raises(registry.UnknownName) as exc:
        registry.match_unit("872", "Mỹ An")
    assert exc.value.ambiguous and set(exc.value.suggestions) == {"thị trấn Mỹ An", "xã Mỹ An"}


def test_unknown_name_suggests_the_closest():
    with pytest.raises(registry.UnknownName) as exc:
        registry.match_unit("893", "KIẾN ANN")
    assert exc.value.suggestions[0] == "xã Kiến An"


def test_names_are_scoped_to_the_district():
    # "Chợ Mới" is a town of huyện Chợ Mới but no unit of Phú Tân
    assert registry.match_unit("893", "CHỢ MỚI").unit.type == "thị trấn"
    with pytest.raises(registry.UnknownName):
        registry.match_unit("888", "CHỢ MỚI")


def test_the_registry_script_strips_the_unit_type_whatever_its_case():
    """The 2023 table writes a few towns with a capital T ("Thị Trấn Óc Eo"): the name is still "Óc Eo"."""
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("build_registry", ROOT / "scripts" / "build_registry.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.short_name("Thị Trấn Óc Eo", "Thị trấn") == "Óc Eo"
    assert script.short_name("Thị trấn Mỹ An", "Thị trấn") == "Mỹ An"
    assert script.short_name("Xã Mỹ Hội Đông", "Xã") == "Mỹ Hội Đông"
    assert script.short_name("Mỹ An", "Thị trấn") == "Mỹ An"
