"""Scores written as prose (the Tháp Mười footnote): "xã Thạnh Lợi 70,19 điểm; thị trấn Mỹ An 70,41 điểm".

An item is <xã | thị trấn | TT. | phường> <Name> [đạt | được | : | –] <number> điểm [, xếp loại <band>],
read across line breaks and blank lines, in any case ("Xã Trường Xuân: 81,65 điểm, xếp loại Tốt;",
"Thị trấn Mỹ An đạt 72,22 điểm"); "giảm (-5.78 điểm)" and sentences with other words between the name
and the number produce nothing. A row's line is the line where its type word starts. Inside a list of
items (parts of a sentence separated by ';', at least one of them a readable item; a bullet starts a
new one) every part must be an item: "xã Hưng Thạnh điểm", "69,451 điểm", "Mỹ An 73,53 điểm" (no type
word) there are refused with the line, never dropped.

The district's own score stated in the body ("huyện đạt 71,02 điểm, xếp loại Khá", "Tổng số điểm huyện
đạt: 57.45/100 điểm, ..., xếp loại “TRUNG BÌNH”") is its total row (stated_total), in a letter as in a
report whose table has no total row; where the table has one, a different figure is a warning.
"""

from __future__ import annotations

import re

from helpers.errors import InputError
from helpers.parsers import columns as cols
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
_TYPES = {"xã": "xã", "phường": "phường", "tt.": "thị trấn", "tt": "thị trấn"}
_CONNECTORS = {"đạt", "được", ":", "-", "–", "="}
_SCORE_RE = re.compile(r"^(\d{1,3}(?:[.,]\d{1,2})?)(?:/100)?$")
_WORD_RE = re.compile(r"^[^\W\d_]+$")
_LEAD = "(“\"'"
_TRAIL = ",;.:)”\"'"
_BAND_LEAD = "(“\"'"
_BAND_TRAIL = ",;.:)”\"'"


def _clean(text: str) -> str:
    return text.strip(_LEAD)


def _unit_type(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """('xã' | 'thị trấn' | 'phường', number of tokens) when an item's type word starts at i."""
    w = _clean(tokens[i].text).lower()
    if w in _TYPES and (w != "tt" or tokens[i].text.startswith("TT")):
        return _TYPES[w], 1
    if w == "thị" and i + 1 < len(tokens) and tokens[i + 1].text.lower().rstrip(":") == "trấn":
        return "thị trấn", 2
    return None


def _band_after(tokens: list[Token], j: int, keys: cols.BandKeys) -> tuple[str | None, int]:
    """(band, index after it) for ", xếp loại Tốt" / "(xếp loại “KHÁ”)" right after an item's "điểm"."""
    k = j
    if k < len(tokens) and tokens[k].text in ",(-–":
        k += 1
    if k + 2 >= len(tokens) + 1 or k + 1 >= len(tokens):
        return None, j
    if _clean(tokens[k].text).lower() != "xếp" or tokens[k + 1].text.lower().rstrip(":") != "loại":
        return None, j
    k += 2
    if k < len(tokens) and tokens[k].text == ":":
        k += 1
    for n in (2, 1):
        words = [t.text for t in tokens[k:k + n]]
        if len(words) < n or any(w.strip(_BAND_LEAD + _BAND_TRAIL) == "" for w in words):
            continue
        if n == 2 and words[0].rstrip(_BAND_TRAIL) != words[0]:
            continue  # the first word ends the phrase ("Khá, điểm")
        text = " ".join(w.strip(_BAND_LEAD + _BAND_TRAIL) for w in words)
        try:
            band = cols.normalise_band(text, keys)
        except ValueError:
            continue
        if band is not None:
            return band, k + n
    return None, j


def _item(tokens: list[Token], i: int, keys: cols.BandKeys | None = None) -> tuple[RawRow, int] | None:
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
    if not words or len(words) > MAX_NAME_WORDS:
        return None
    joined = j
    while j < len(tokens) and tokens[j].text.lower() in _CONNECTORS:  # "đạt", "được", ":"
        j += 1
    if j > joined and any(not w[0].isupper() and not w.isdigit() for w in words):
        return None  # "xã Trường Xuân phấn đấu đạt 80 điểm": lower-case words before the verb go on the sentence
    if j + 1 >= len(tokens):
        return None
    number = _SCORE_RE.match(tokens[j].text)
    unit_word = tokens[j + 1].text.rstrip(_TRAIL).lower()
    if not number or unit_word != "điểm":
        return None
    try:
        score = parse_float(number.group(1))
    except NumberError:
        return None
    end = j + 2
    band = None
    if tokens[j + 1].text.lower().rstrip(";.") in ("điểm", "điểm,"):  # a band may follow: "điểm, xếp loại Tốt"
        band, end = _band_after(tokens, end, cols.band_keys() if keys is None else keys)
    row = RawRow(line=tokens[i].line, name=collapse(" ".join(words)), unit_type=unit_type, band=band,
                 values={"score": score})
    return row, end


def _items(tokens: list[Token]) -> list[tuple[RawRow, int, int]]:
    """The readable items, each with its token span [start, end)."""
    found, i = [], 0
    keys = cols.band_keys()
    while i < len(tokens):
        got = _item(tokens, i, keys)
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


_BULLETS = {"-", "+", "•", "*", "–", "·"}


def _list_ends_after(tokens: list[Token], i: int) -> bool:
    """Whether a list ends at tokens[i] (a line ending with ';'): a blank line follows, or a line that does
    not begin an item but a new sentence (a capital letter: the paragraph after a Word bullet list)."""
    nxt = tokens[i + 1]
    if nxt.line > tokens[i].line + 1:
        return True
    return nxt.line > tokens[i].line and nxt.text[:1].isupper() and _unit_type(tokens, i + 1) is None


def _sentences(tokens: list[Token]) -> list[tuple[int, int]]:
    """Sentences: up to '.', '!' or '?'; a bullet at the start of a line also starts one, and a line ending
    with ';' ends one when the list ends there (_list_ends_after: the last bullet of a list)."""
    out, start = [], 0
    for i, tok in enumerate(tokens):
        if i > start and tok.first and tok.text in _BULLETS:
            out.append((start, i))
            start = i
        ends_list = tok.text.endswith(";") and i + 1 < len(tokens) and _list_ends_after(tokens, i)
        if tok.text.rstrip(_CLOSERS)[-1:] in _SENTENCE_END or ends_list:
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
_CANDIDATE_RE = re.compile(r"(?<!\w)(?:xã|phường|thị\s+trấn|tt\.?)\s+(?:\S+\s+){1,6}?\d{1,3}(?:[.,]\d{1,2})?(?:/100)?"
                           r"\s+điểm(?!\w)", re.IGNORECASE)


# The district's own score: "huyện đạt 71,02 điểm", "Tổng số điểm huyện đạt: 57.45/100 điểm", "huyện Tháp
# Mười được 70 điểm"; the words between "huyện" and the verb are a name (capitalised), checked in code.
_STATED_RE = re.compile(r"(?<!\w)huyện((?:[ \t\n]+[^\W\d_]+){0,4}?)[ \t\n]*(đạt|được|:)[ \t\n]*(?:(?:đạt|được)[ \t\n]*)?:?"
                        r"[ \t\n]*(\d{1,3}(?:[.,]\d{1,2})?)[ \t\n]*(?:/[ \t\n]*100)?[ \t\n]*điểm(?!\w)", re.IGNORECASE)
_STATED_BAND_RE = re.compile(r"^[^.;!?]{0,160}?xếp\s+loại\s*:?\s*[“\"'(]?\s*([^\W\d_]+(?:[ \t]+[^\W\d_]+)?)",
                             re.IGNORECASE)
_TARGET_AFTER_RE = re.compile(r"^\s*(?:trở\s+lên|trở\s+xuống|trở\s+đi)", re.IGNORECASE)


def stated_total(lines: list[str]) -> RawRow | None:
    """The district's score stated in the text ("huyện đạt 71,02 điểm, xếp loại Khá") as its total row, with
    the band the same sentence gives; None when the text states none. A target ("phải đạt 80 điểm trở
    lên") is no statement."""
    text = "\n".join(lines)
    if "huy" not in text.lower():
        return None
    keys = cols.band_keys()
    for m in _STATED_RE.finditer(text):
        name = m.group(1).split()
        if any(not w[0].isupper() for w in name) or _TARGET_AFTER_RE.match(text[m.end():]):
            continue
        try:
            score = parse_float(m.group(3))
        except NumberError:
            continue
        band = None
        bm = _STATED_BAND_RE.match(text[m.end():])
        if bm:
            words = bm.group(1).split()
            for n in (2, 1):
                try:
                    band = cols.normalise_band(" ".join(words[:n]), keys) if len(words) >= n else None
                except ValueError:
                    band = None
                if band is not None:
                    break
        line = text.count("\n", 0, m.start()) + 1
        label = collapse("huyện " + " ".join(name)) if name else cols.TOTAL_LABEL
        return RawRow(line=line, name=label, is_total=True, band=band, values={"score": score})
    return None


def with_stated_total(result: TableResult, lines: list[str]) -> TableResult:
    """The table or list with the district's stated score as its total row when it has none; when it has
    one whose score differs, the difference is a warning on that row."""
    stated = stated_total(lines)
    if stated is None:
        return result
    printed = next((r for r in result.rows if r.is_total), None)
    if printed is None:
        stated.values = {c: None for c in result.columns} | stated.values
        return TableResult(result.columns, [stated, *result.rows])
    score = printed.values.get("score")
    if score is not None and abs(score - stated.values["score"]) > 1e-9:
        message = (f"văn bản ghi điểm của huyện là {stated.values['score']:g} (dòng {stated.line}) nhưng dòng toàn "
                   f"huyện của bảng ghi {score:g}")
        printed.suspect.append((stated.line, message))
    return result


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
