"""Vietnamese formatting: the one place a number, a change, a date or a list becomes text for a reader,
and a band colour gets its text colour.

Numbers follow the district's convention (its decimal mark, params/districts.yaml): `digits` decimals
rounded half up as the officers do ("57.45", "51.10"), never "-0.00". Each place picks its style by
keyword, not by a formatter of its own:

- the report's prose, appendix and charts (as the seeds print): `number(x, decimal)`, `signed(x, decimal)`
  ("+0.29", ASCII "-5.78"), `percent(x, decimal)` ("12.5", "80"), `count(x, thousands)` ("1746",
  "1.746"); missing gives "";
- the analyst's tables and panels: `cell(x, decimal=...)` ("57.45", "—" when missing), `change(x,
  decimal=...)` ("+0.29", true minus "−5.78", "—"), in the district's decimal mark too;

Small words of lists ("và", the separator) come from params/wording/phrases.yaml.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from helpers import params
from helpers import records as rec
from helpers.errors import ParamsError

MISSING = "—"  # a missing value in a table
MINUS = "\u2212"  # the true minus sign of tables and charts (the report's prose keeps the seeds' "-")


def number(x, decimal: str = ".", digits: int = 2, trim: bool = False, sign: bool = False, minus: str = "-",
           missing: str = "") -> str:
    """A number as the district writes it: `digits` decimals rounded half up; `trim` drops trailing
    zeros ("12.5", "80"); `sign` prefixes "+" to a positive number (zero has no sign); a negative
    number starts with `minus`; `missing` for a missing value or not a number."""
    value = rec.as_float(x)
    if value is None:
        return missing
    quantum = Decimal(1).scaleb(-digits) if digits > 0 else Decimal(1)
    d = Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # never "-0.00"
    text = f"{abs(d):f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if decimal != ".":
        text = text.replace(".", decimal)
    if d < 0:
        return minus + text
    return ("+" + text) if sign and d > 0 else text


def signed(x, decimal: str = ".", digits: int = 2) -> str:
    """A change in the report: "+0.29", "-5.78", "0.00"."""
    return number(x, decimal, digits, sign=True)


def percent(x, decimal: str = ".", digits: int = 2) -> str:
    """A percentage or target without trailing zeros (no % sign): "12.5", "7.42", "80"."""
    return number(x, decimal, digits, trim=True)


def count(x, thousands: str = "", missing: str = "") -> str:
    """A count with the district's thousands mark: "1746" (no mark where the decimal mark is a point),
    "1.746" (a point where it is a comma); params/districts.yaml refuses a mark that reads as a decimal."""
    value = rec.as_float(x)
    if value is None:
        return missing
    return f"{int(value):,}".replace(",", thousands)


def cell(x, digits: int = 2, decimal: str = ".") -> str:
    """A number in an analyst's table, in the district's decimal mark: "57.45", "57,45"; "—" when
    missing."""
    return number(x, decimal, digits, minus=MINUS, missing=MISSING)


def change(x, decimal: str = ".") -> str:
    """A change in an analyst's table: "+0.29", "−5.78" (a true minus sign), "—" when missing; in the
    district's decimal mark."""
    text = number(x, decimal, sign=True, minus=MINUS, missing=MISSING)
    return "+" + text if text == number(0, decimal) else text


def vi_date(d) -> str:
    """dd/mm/yyyy, as the reports write dates ('' when missing); a date or an ISO text."""
    if rec.is_missing(d):
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return d.strftime("%d/%m/%Y")


def nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text))


@lru_cache(maxsize=8)
def _phrases_at(path: str) -> dict:
    data = params.wording_yaml("phrases.yaml")
    return {k: nfc(v) if isinstance(v, str) else {a: nfc(b) for a, b in v.items()} if isinstance(v, dict) else v
            for k, v in data.items()}


def phrases() -> dict:
    """The small words of params/wording/phrases.yaml ("và", "các", "các đơn vị", ...)."""
    return _phrases_at(str(params.wording_dir()))


def phrase(key: str) -> str:
    words = phrases()
    if key not in words:
        raise ParamsError(f"wording/phrases.yaml: thiếu khóa '{key}'")
    return str(words[key])


@lru_cache(maxsize=8)
def _labels_at(path: str) -> dict:
    return params.wording_yaml("labels.yaml")


def labels(section: str) -> dict[str, str]:
    """The labels of one section of params/wording/labels.yaml (headers, captions, notes), in NFC."""
    found = _labels_at(str(params.wording_dir())).get(section)
    if not isinstance(found, dict):
        raise ParamsError(f"wording/labels.yaml: thiếu mục '{section}'")
    return {k: nfc(v) for k, v in found.items()}


def label(section: str, key: str, **values) -> str:
    """One label of params/wording/labels.yaml, its {placeholders} filled from `values`."""
    text = labels(section).get(key)
    if text is None:
        raise ParamsError(f"wording/labels.yaml: thiếu khóa '{section}.{key}'")
    return text.format(**values) if values else text


def join(items: Iterable) -> str:
    """"A", "A và B", "A, B và C" (the words come from params/wording/phrases.yaml)."""
    parts = [nfc(x) for x in items if not rec.is_missing(x) and str(x) != ""]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{phrase('list_separator').join(parts[:-1])} {phrase('and')} {parts[-1]}"


# -- colours ---------------------------------------------------------------------------------------

def band_palette() -> dict[str, str]:
    """Band name -> colour (hex), in params order (highest band first)."""
    return {b.name: b.color for b in params.policy().bands}


def _luminance(color: str) -> float:
    """WCAG relative luminance of a '#rrggbb' colour."""
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_color(background: str, dark: str = "#000000") -> str:
    """`dark` or white, whichever contrasts more with the background (WCAG contrast ratio).
    The one place a text colour is chosen for a band colour (charts, tables, report, appendix)."""
    lum = _luminance(background)
    on_black = (lum + 0.05) / 0.05
    on_white = 1.05 / (lum + 0.05)
    return dark if on_black >= on_white else "#ffffff"
