"""Scores written as prose (the Tháp Mười footnote): "xã Thạnh Lợi 70,19 điểm; thị trấn Mỹ An 70,41 điểm".

Only items of the form <xã | thị trấn | phường> <Name> <number> điểm count, across line breaks and
blank lines; "giảm (-5.78 điểm)" and sentences with other words between the name and the number
produce nothing. A row's line is the line where its type word starts. Inside a list of items (parts
of a sentence separated by ';', at least one of them a readable item) every part must be an item:
"xã Hưng Thạnh điểm", "69,451 điểm", "Mỹ An 73,53 điểm" (no type word) or "xã Hưng Thạnh đạt 69,45
điểm" there are refused with the line, never dropped.
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


def _items(tokens: list[Token]) -> list[tuple[RawRow, int, int]]:
    """The readable items, each with its token span [start, end)."""
    found, i = [], 0
    while i < len(tokens):
        got = _item(tokens, i)
        if got is None:
            i += 1
            continue
        row, end = got
        found.append((row, i, end))
        i = end
    return found


# -- the lists of items: every item of a list must be readable -------------------------------------
# A list is a sentence whose parts are separated by ';' and which holds at least one readable item
# (the Tháp Mười footnote). Its parts must all be items: the first part ends with one (what comes
# before it, up to the sentence start, is the lead-in: a footnote mark, "Cụ thể:"), every middle part
# is one (or several joined by ',' or "và"), the last part starts with one (the sentence may go on).
_SENTENCE_END = ".!?"
_CLOSERS = ")”\"'"
_PUNCT_RE = re.compile(r"^[\W_]+$")
_JOINERS = {"và"}
_EXPECTED = "cần dạng “xã Tên 70,19 điểm”"


def _sentences(tokens: list[Token]) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, tok in enumerate(tokens):
        if tok.text.rstrip(_CLOSERS)[-1:] in _SENTENCE_END:
            out.append((start, i + 1))
            start = i + 1
    if start < len(tokens):
        out.append((start, len(tokens)))
    return out


def _parts(tokens: list[Token], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of tokens[start:end] between ';' (pure punctuation tokens left out at both ends)."""
    out, begin = [], start
    for i in range(start, end):
        if tokens[i].text.rstrip(_CLOSERS + _SENTENCE_END).endswith(";"):
            out.append((begin, i + 1))
            begin = i + 1
    out.append((begin, end))
    trimmed = []
    for a, b in out:
        while a < b and _PUNCT_RE.match(tokens[a].text):
            a += 1
        while b > a and _PUNCT_RE.match(tokens[b - 1].text):
            b -= 1
        trimmed.append((a, b))
    return trimmed


def _covered(tokens: list[Token], a: int, b: int, spans: dict[int, int]) -> bool:
    """Whether tokens[a:b] are readable items only, joined by "và" or punctuation."""
    i = a
    while i < b:
        if i in spans and spans[i] <= b:
            i = spans[i]
        elif i > a and (tokens[i].text.lower() in _JOINERS or _PUNCT_RE.match(tokens[i].text)):
            i += 1
        else:
            return False
    return True


def _quote(tokens: list[Token], a: int, b: int) -> tuple[int, str]:
    """(line, text) of a part that is no item, for the message."""
    return tokens[a].line, collapse(" ".join(t.text for t in tokens[a:b])).strip(_TRAIL + _LEAD)


def _check_lists(tokens: list[Token], found: list[tuple[RawRow, int, int]], source: str) -> None:
    spans = {start: end for _, start, end in found}
    starts = sorted(spans)
    k = 0
    for s_start, s_end in _sentences(tokens):
        inside = []
        while k < len(starts) and starts[k] < s_end:
            if starts[k] >= s_start:
                inside.append(starts[k])
            k += 1
        parts = _parts(tokens, s_start, s_end)
        if not inside or len(parts) < 2:
            continue
        for n, (a, b) in enumerate(parts):
            if a >= b:
                continue
            if n == 0:  # the lead-in is shown from its last type word (or its last few words)
                ok = any(spans[i] == b and _covered(tokens, i, b, spans) for i in inside if a <= i < b)
                if not ok:
                    types = [i for i in range(a, b) if _unit_type(tokens, i)]
                    a = types[-1] if types else max(a, b - (MAX_NAME_WORDS + 3))
            elif n == len(parts) - 1:
                ok = a in spans
            else:
                ok = _covered(tokens, a, b, spans)
            if not ok:
                line, text = _quote(tokens, a, b)
                raise InputError(source, line, f"không đọc được mục “{text}” trong danh sách điểm các đơn vị: "
                                               f"{_EXPECTED}")


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
    tokens = tokenize(lines)
    found = _items(tokens)
    _check_lists(tokens, found, source)
    rows = [row for row, _, _ in found]
    if not rows:
        raise InputError(source, None, "không tìm thấy điểm của đơn vị nào (cần dạng “xã Tên 70,19 điểm”)")
    return TableResult(["score"], rows)
