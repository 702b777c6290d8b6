"""Numbers as the reports print them.

Scores and percentages use a decimal point or a decimal comma ("57.45", "78,7", "70,19"); counts use a
dot or a comma as thousands separator ("1.746" = 1746). A dash alone is a blank cell.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from functools import lru_cache

MINUS = "-−–—"
BLANK_MARKS = {"-", "−", "–", "—"}
# A number token: optional sign, digits with '.'/',' groups, optional '%'.
NUMBER_RE = re.compile(rf"^[+{re.escape(MINUS)}]?\d+(?:[.,]\d+)*%?$")
MAX_DIGITS = 20
THOUSANDS_RE = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")


class NumberError(ValueError):
    """A cell that should hold a number and does not. `message` is in Vietnamese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def has_digit(text: str) -> bool:
    # A word, or words and spaces, has no digit (no character is both a letter and a digit): no
    # character to look at.
    if text.isalpha() or text.replace(" ", "").isalpha():
        return False
    return any(ch.isdigit() for ch in text)


def is_number(text: str) -> bool:
    return bool(NUMBER_RE.match(text.strip()))


def is_blank_mark(text: str) -> bool:
    return text.strip() in BLANK_MARKS


def _sign_and_body(text: str) -> tuple[int, str]:
    t = text.strip().replace(" ", "").replace("\u00a0", "")
    t = t.removesuffix("%")
    sign = 1
    if t and t[0] in "+" + MINUS:
        sign = -1 if t[0] in MINUS else 1
        t = t[1:]
    return sign, t


def _check_length(raw: str) -> None:
    """No report prints a number this long; int() would refuse it (over 4300 digits) or float() give inf."""
    if sum(ch.isdigit() for ch in raw) > MAX_DIGITS:
        raise NumberError(f"'{raw.strip()[:20]}…' không phải là số hợp lệ (quá {MAX_DIGITS} chữ số)")


# Plain numbers ("57.45", "-5.78", "1746"), most cells of most reports, read without the general rules.
_PLAIN_FLOAT_RE = re.compile(r"-?[0-9]{1,10}(?:\.[0-9]{1,10})?")  # at most MAX_DIGITS digits
_PLAIN_INT_RE = re.compile(r"[0-9]{1,18}")


@lru_cache(maxsize=16384)  # a report's values are a few thousand strings that recur from report to report
def parse_float(text: str) -> float:
    """'57.45' -> 57.45, '78,7' -> 78.7, '-5.78' -> -5.78, '1.234,5' -> 1234.5, '59.8%' -> 59.8."""
    if _PLAIN_FLOAT_RE.fullmatch(text):
        return float(text)
    raw = text
    if not is_number(text.strip()):
        raise NumberError(f"'{raw.strip()}' không phải là số")
    _check_length(raw)
    sign, t = _sign_and_body(text)
    dots, commas = t.count("."), t.count(",")
    if dots and commas:
        dec = "." if t.rfind(".") > t.rfind(",") else ","
        grp = "," if dec == "." else "."
        if t.count(dec) > 1:
            raise NumberError(f"'{raw.strip()}' không phải là số")
        t = t.replace(grp, "").replace(dec, ".")
    elif dots + commas > 1:
        sep = "." if dots else ","
        if not THOUSANDS_RE.match(t) or t.count(sep) != dots + commas:
            raise NumberError(f"'{raw.strip()}' không phải là số")
        t = t.replace(sep, "")
    else:
        t = t.replace(",", ".")
    try:
        return sign * float(t)
    except ValueError:
        raise NumberError(f"'{raw.strip()}' không phải là số") from None


@lru_cache(maxsize=4096)
def parse_int(text: str) -> int:
    """'1746' -> 1746, '1.746' -> 1746, '2,834' -> 2834, '319.0' -> 319; '12.5' is an error."""
    if _PLAIN_INT_RE.fullmatch(text):
        return int(text)
    raw = text.strip()
    if not is_number(raw):
        raise NumberError(f"'{raw}' không phải là số")
    _check_length(raw)
    sign, t = _sign_and_body(raw)
    if t.isdigit():
        return sign * int(t)
    if THOUSANDS_RE.match(t):
        return sign * int(t.replace(".", "").replace(",", ""))
    value = parse_float(raw)
    if value != int(value):
        raise NumberError(f"'{raw}' không phải là số nguyên")
    return int(value)


def from_cell(value, kind: str):
    """A spreadsheet or table cell as a number of `kind` ('float' or 'int'); None for a blank cell."""
    if type(value) is str:  # the cells of text tables (what the general rules below do with a str)
        text = value.strip()
        if not text or is_blank_mark(text):
            return None
        return parse_int(text) if kind == "int" else parse_float(text)
    if value is None:
        return None
    if isinstance(value, bool):
        raise NumberError(f"'{value}' không phải là số")
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        raise NumberError("ô chứa ngày tháng, cần một số")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise NumberError(f"'{value}' không phải là số")
        if kind == "int":
            if value != int(value):
                raise NumberError(f"'{value}' không phải là số nguyên")
            return int(value)
        return float(value)
    text = str(value).strip()
    if not text or is_blank_mark(text):
        return None
    return parse_int(text) if kind == "int" else parse_float(text)
