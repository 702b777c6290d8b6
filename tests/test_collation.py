"""Vietnamese alphabetical order (helpers.collation)."""

import unicodedata

import pandas as pd
import pytest

from helpers.collation import vi_key, vi_sorted


def test_dd_after_d_not_after_z():
    names = ["Zeta", "Đốc Binh Kiều", "Dương", "Eakar", "Đa Kia"]
    assert vi_sorted(names) == ["Dương", "Đa Kia", "Đốc Binh Kiều", "Eakar", "Zeta"]


def test_letters_with_marks_are_letters_of_their_own():
    # a < ă < â < b, e < ê, o < ô < ơ < p, u < ư < v
    assert vi_sorted(["Bê", "Âu", "Ăn", "An"]) == ["An", "Ăn", "Âu", "Bê"]
    assert vi_sorted(["Ơn", "Ôn", "On", "Phú"]) == ["On", "Ôn", "Ơn", "Phú"]
    assert vi_sorted(["Vân", "Ưng", "Ung"]) == ["Ung", "Ưng", "Vân"]
    assert vi_sorted(["Êm", "Em", "Gò"]) == ["Em", "Êm", "Gò"]


def test_base_letters_first_then_tones_in_order():
    # none, huyền, hỏi, ngã, sắc, nặng
    assert vi_sorted(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    # base letters decide before tones: "Mả B" < "Ma C" although "ma" < "mả"
    assert vi_sorted(["Ma C", "Mả B"]) == ["Mả B", "Ma C"]


def test_word_by_word_shorter_first():
    assert vi_sorted(["Mỹ Anh", "Mỹ An", "Mỹ", "Mỹ Đông"]) == ["Mỹ", "Mỹ An", "Mỹ Anh", "Mỹ Đông"]


def test_seed_names():
    names = ["Mỹ Đông", "Láng Biển", "Thanh Mỹ", "Đốc Binh Kiều", "Mỹ Quý", "Mỹ Hòa", "Mỹ An",
             "Tân Kiều", "Hưng Thạnh", "Phú Điền", "Trường Xuân", "Thạnh Lợi"]
    assert vi_sorted(names) == ["Đốc Binh Kiều", "Hưng Thạnh", "Láng Biển", "Mỹ An", "Mỹ Đông", "Mỹ Hòa",
                                "Mỹ Quý", "Phú Điền", "Tân Kiều", "Thạnh Lợi", "Thanh Mỹ", "Trường Xuân"]
    # whole-name base letters before tones: "thanh loi" < "thanh my" although "thanh" < "thạnh"
    assert vi_key("Láng Biển") < vi_key("Mỹ Đông")
    assert vi_key("Long Điền A") < vi_key("Long Điền B") < vi_key("Long Giang") < vi_key("Long Kiến")


def test_case_form_and_tone_placement_insensitive():
    nfd = unicodedata.normalize("NFD", "Mỹ Hội Đông")
    assert vi_key(nfd) == vi_key("Mỹ Hội Đông") == vi_key("MỸ HỘI ĐÔNG") == vi_key("mỹ hội đông")
    assert vi_key("Hoà Bình") == vi_key("Hòa Bình")
    assert vi_sorted(["Hòa Bình", "hoà an"]) == ["hoà an", "Hòa Bình"]


def test_numbers_compare_as_numbers_and_missing_last():
    assert vi_sorted(["Phường 10", None, "Phường 2", "Phường 1"]) == ["Phường 1", "Phường 2", "Phường 10", None]
    assert vi_key(pd.NA) > vi_key("Yên")


@pytest.mark.parametrize("a,b", [("Cà Mau", "Cần Thơ"), ("Bạc Liêu", "Bắc Kạn"), ("Đồng Tháp", "Gia Lai")])
def test_pairs(a, b):
    assert vi_key(a) < vi_key(b)
    assert vi_sorted([b, a]) == [a, b]


def test_reverse():
    assert vi_sorted(["A", "Đ", "D"], reverse=True) == ["Đ", "D", "A"]
