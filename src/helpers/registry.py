"""The unit registry (params/units.yaml) and name matching.

Units are keyed on official codes. Printed names are matched after normalisation (Unicode NFC/NFD,
case, old/new tone placement "Hoà"/"Hòa", i/y "Quí"/"Quý") and then through the explicit aliases of
params/aliases.yaml; an alias use is reported, an unknown name is an error naming the closest units.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from helpers import params

TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}
VOWELS = set("aeiouy")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    type: str  # xã, thị trấn, phường, huyện
    district_code: str

    @property
    def full_name(self) -> str:
        """'xã Kiến An', 'thị trấn Chợ Mới', 'huyện Chợ Mới'."""
        return f"{self.type} {self.name}"


@dataclass(frozen=True)
class Match:
    unit: Unit
    alias: str | None = None  # the printed spelling, when an explicit alias was needed


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _syllable_key(syl: str) -> str:
    decomposed = unicodedata.normalize("NFD", syl)
    tone = "".join(TONES.get(ch, "") for ch in decomposed)
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES))
    plain = "".join(ch for ch in unicodedata.normalize("NFD", base) if not unicodedata.combining(ch))
    # i/y: a syllable-final y after a consonant (or after 'qu') is the same letter as i ("Quí"/"Quý").
    if plain.endswith("y") and len(plain) >= 2:
        before = plain[:-1]
        if before.endswith("qu") or before[-1] not in VOWELS:
            base = base[:-1] + "i"
    return base + tone


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """A spelling-insensitive key: NFC, lower case, tone mark moved off the vowel, i/y folded."""
    text = nfc(text).casefold().replace("đ", "đ")
    syllables = re.findall(r"\w+", text)
    return " ".join(_syllable_key(s) for s in syllables)


@lru_cache(maxsize=8)
def _registry(base: str) -> dict[str, tuple[Unit, list[Unit]]]:
    out = {}
    for code, d in params.units_registry().items():
        district_unit = Unit(str(code), nfc(d["name"]), nfc(d["type"]), str(code))
        units = [Unit(str(u["code"]), nfc(u["name"]), nfc(u["type"]), str(code)) for u in d["units"]]
        out[str(code)] = (district_unit, units)
    return out


def _reg() -> dict[str, tuple[Unit, list[Unit]]]:
    return _registry(str(params.params_dir()))


@dataclass(frozen=True)
class _Index:
    """Lookups built once per registry: name keys -> units or district codes, code -> unit."""

    units_by_key: dict[str, dict[str, list[Unit]]]  # district code -> name_key(unit name) -> units
    districts_by_key: dict[str, list[str]]  # name_key(district name) -> district codes, registry order
    by_code: dict[str, Unit]  # district and unit codes (the first one listed wins)


@lru_cache(maxsize=8)
def _index(base: str) -> _Index:
    units_by_key: dict[str, dict[str, list[Unit]]] = {}
    districts_by_key: dict[str, list[str]] = {}
    by_code: dict[str, Unit] = {}
    for code, (dist, units) in _registry(base).items():
        keyed: dict[str, list[Unit]] = {}
        for u in units:
            keyed.setdefault(name_key(u.name), []).append(u)
        units_by_key[code] = keyed
        districts_by_key.setdefault(name_key(dist.name), []).append(code)
        for u in (dist, *units):
            by_code.setdefault(u.code, u)
    return _Index(units_by_key, districts_by_key, by_code)


def _idx() -> _Index:
    return _index(str(params.params_dir()))


def district_unit(district_code: str) -> Unit:
    return _reg()[str(district_code)][0]


def units_of(district_code: str) -> list[Unit]:
    """The district's commune-level units, in registry (code) order."""
    return list(_reg()[str(district_code)][1])


def unit_by_code(code: str) -> Unit | None:
    return _idx().by_code.get(code)


class UnknownName(LookupError):
    def __init__(self, name: str, suggestions: list[str], ambiguous: bool = False):
        self.name, self.suggestions, self.ambiguous = name, suggestions, ambiguous
        super().__init__(name)


def match_unit(district_code: str, printed: str, unit_type: str | None = None, slug: str | None = None) -> Match:
    """The registry unit of this district that a printed name denotes.

    `unit_type` (xã, thị trấn, phường) disambiguates names shared by two units ("xã Mỹ An" and
    "thị trấn Mỹ An"). Raises UnknownName with the closest official names when nothing matches, or
    with the candidates when the name is ambiguous.
    """
    return _match(_idx(), str(district_code), printed, unit_type, slug)


def unit_matcher(district_code: str, slug: str | None = None) -> Callable[..., Match]:
    """match_unit(district_code, printed, unit_type, slug) as a function of (printed, unit_type), the
    registry looked up once: for the many rows of one report."""
    index, code = _idx(), str(district_code)
    return lambda printed, unit_type=None: _match(index, code, printed, unit_type, slug)


def _match(index: _Index, district_code: str, printed: str, unit_type: str | None, slug: str | None) -> Match:
    keyed = index.units_by_key[district_code]
    key = name_key(printed)
    found = list(keyed.get(key, ()))
    alias = None
    if not found and slug:
        for spelled, official in params.aliases(slug).items():
            if name_key(spelled) == key:
                found = list(keyed.get(name_key(official), ()))
                alias = printed
                break
    if unit_type:
        typed = [u for u in found if u.type == nfc(unit_type).lower()]
        found = typed or found
    if len(found) == 1:
        return Match(found[0], alias)
    if len(found) > 1:
        raise UnknownName(printed, [u.full_name for u in found], ambiguous=True)
    close = difflib.get_close_matches(key, list(keyed), n=3, cutoff=0.5)
    raise UnknownName(printed, [keyed[k][-1].full_name for k in close])


def find_district(text_name: str) -> list[str]:
    """District codes whose name matches a printed district name ("THÁP MƯỜI", "Chợ Mới")."""
    return list(_idx().districts_by_key.get(name_key(text_name), ()))
