"""Scores written as prose (the Tháp Mười footnote): "xã Thạnh Lợi 70,19 điểm; thị trấn Mỹ An 70,41 điểm".

Only items of the form <xã | thị trấn | phường> <Name> <number> điểm count, across line breaks and
blank lines; "giảm (-5.78 điểm)" and sentences with other words between the name and the number
produce nothing. A row's line is the line where its type word starts.
"""

from __future__ import annotations

import re

from helpers.errors import InputError
from helpers.parsers.base import RawRow, TableResult, Token, collapse, tokenize
from helpers.parsers.numbers import NumberError, parse_float

MAX_NAME_WORDS = 5
# Words that never belong to a unit name: a run of them means the sentence goes on, not an item.
STOP_WORDS = {
    "đạt", "được", "có", "còn", "là", "với", "chỉ", "trên", "dưới", "từ", "đến", "phải", "điểm", "tăng",
    "giảm", "trong", "này", "các", "và", "tuần", "tháng", "năm", "ngày", "số", "tiêu", "chí", "tối",
    "thiểu", "cần", "khoảng", "gần", "hơn", "nhất", "lên", "xuống", "so", "về", "thì", "nhưng", "cao",
    "thấp", "xếp", "loại", "hạng", "bằng", "chưa", "đã", "sẽ", "của", "tại", "mức", "vẫn",
}
_TYPES = {"xã": "xã", "phường": "phường"}
_SCORE_RE = re.compile(r"^(\d{1,3}(?:[.,]\d{1,2})?)(?:/100)?$")
_WORD_RE = re.compile(r"^[^\W\d_]+$")
_LEAD = "(“\"'"
_TRAIL = ",;.:)”\"'"


def _clean(text: str) -> str:
    return text.strip(_LEAD)


def _unit_type(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """('xã' | 'thị trấn' | 'phường', number of tokens) when an item's type word starts at i."""
    w = _clean(tokens[i].text).lower()
    if w in _TYPES:
        return _TYPES[w], 1
    if w == "thị" and i + 1 < len(tokens) and tokens[i + 1].text.lower() == "trấn":
        return "thị trấn", 2
    return None


def _item(tokens: list[Token], i: int) -> tuple[RawRow, int] | None:
    found = _unit_type(tokens, i)
    if not found:
        return None
    unit_type, k = found
    j = i + k
    words: list[str] = []
    while j < len(tokens) and len(words) < MAX_NAME_WORDS + 1:
        raw = tokens[j].text
        word = raw.rstrip(":")
        if _WORD_RE.match(word) and word.lower() not in STOP_WORDS and word.lower() not in ("xã", "phường", "thị"):
            words.append(word)
            j += 1
            if raw != word:  # "Thạnh Lợi: 70,19 điểm"
                break
            continue
        break
    # a ward named by a number: "phường 3 71,2 điểm"
    if not words and unit_type == "phường" and j < len(tokens) and tokens[j].text.isdigit() \
            and len(tokens[j].text) <= 2:
        words.append(tokens[j].text)
        j += 1
    if not words or len(words) > MAX_NAME_WORDS or j + 1 >= len(tokens):
        return None
    number = _SCORE_RE.match(tokens[j].text)
    unit_word = tokens[j + 1].text.rstrip(_TRAIL).lower()
    if not number or unit_word != "điểm":
        return None
    try:
        score = parse_float(number.group(1))
    except NumberError:
        return None
    row = RawRow(line=tokens[i].line, name=collapse(" ".join(words)), unit_type=unit_type,
                 values={"score": score})
    return row, j + 2


def _rows(lines: list[str]) -> list[RawRow]:
    tokens = tokenize(lines)
    rows, i = [], 0
    while i < len(tokens):
        got = _item(tokens, i)
        if got is None:
            i += 1
            continue
        row, i = got
        rows.append(row)
    return rows


# A quick search for candidate items; each candidate is then checked by _item (stop words, name length).
_CANDIDATE_RE = re.compile(r"(?<!\w)(?:xã|phường|thị\s+trấn)\s+(?:\S+\s+){1,6}?\d{1,3}(?:[.,]\d{1,2})?(?:/100)?"
                           r"\s+điểm(?!\w)", re.IGNORECASE)


def detect(lines: list[str]) -> bool:
    text, pos = "\n".join(lines), 0
    while True:
        m = _CANDIDATE_RE.search(text, pos)
        if m is None:
            return False
        if _item(tokenize([m.group(0)]), 0) is not None:
            return True
        pos = m.start() + 1  # a false candidate may hide a true item inside it


def parse(lines: list[str], source: str) -> TableResult:
    rows = _rows(lines)
    if not rows:
        raise InputError(source, None, "không tìm thấy điểm của đơn vị nào (cần dạng “xã Tên 70,19 điểm”)")
    return TableResult(["score"], rows)
