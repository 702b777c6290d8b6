"""Tables in extracted PDF text (the Chợ Mới seed): a header printed as running words, then rows.

The text is read as a stream of whitespace-separated tokens, so a row may be wrapped over any number
of lines: STT, the unit name (words), then one token per value column of the header, the band
(xếp loại) as one or more words whose letters spell a band ("TRUNGB" + "ÌNH"). The district total row
("TOÀN HUYỆN") has no STT. A row's line is the line of its first token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from helpers.errors import InputError
from helpers.parsers import columns as cols
from helpers.parsers.base import RawRow, TableResult, Token, collapse, split_unit_type, tokenize
from helpers.parsers.columns import BAND
from helpers.parsers.numbers import (
    BLANK_MARKS,
    NumberError,
    has_digit,
    is_blank_mark,
    is_number,
    parse_float,
    parse_int,
)

MAX_NAME_WORDS = 8
HEADER_LOOKBACK = 250  # lines searched above the first row for the header
TITLE_LINES = 12       # lines of a table's title printed again above its header after a page break
_PAGE_MARK_RE = re.compile(r"^\s*(?:[-–]\s*\d{1,3}\s*[-–]|(?:trang|page)\s+\d{1,3}(?:\s*/\s*\d{1,3})?)\s*$",
                           re.IGNORECASE)
_TOTAL_START = {"TOAN", "TONG", "CONG", "HUYEN", "UBND"}


def _is_int(text: str) -> bool:
    return text.isdecimal() and len(text) <= 4  # not isdigit(): "²" is a digit that int() refuses


@lru_cache(maxsize=16384)  # name and band words recur from row to row and report to report
def _is_word_text(text: str) -> bool:
    return not has_digit(text) and not is_blank_mark(text)


def _is_word(tok: Token) -> bool:
    return _is_word_text(tok.text)


@dataclass
class Header:
    columns: list[str]     # value columns and "band", in printed order
    line: int              # line where the header starts
    first_token: int       # index of the first token of the first row


def _name_run(tokens: list[Token], i: int) -> int:
    """Index after the run of name words starting at i."""
    j, end = i, min(len(tokens), i + MAX_NAME_WORDS + 2)
    while j < end and _is_word_text(tokens[j].text):
        j += 1
    return j


def _row_start(tokens: list[Token], i: int) -> bool:
    """A line that begins a table row: 'STT NAME ...' or 'TOÀN HUYỆN ...'."""
    tok = tokens[i]
    if not tok.first:
        return False
    if _is_int(tok.text):
        return i + 1 < len(tokens) and _is_word(tokens[i + 1])
    return _total_at(tokens, i)


def _total_at(tokens: list[Token], i: int, keys: cols.BandKeys | None = None) -> bool:
    """'TOÀN HUYỆN' (or 'Tổng cộng', 'Huyện X') followed by its numbers, possibly by its band first."""
    if cols.fold(tokens[i].text).strip(".:") not in _TOTAL_START:
        return False
    j = _name_run(tokens, i)
    if j >= len(tokens) or not (is_number(tokens[j].text) or is_blank_mark(tokens[j].text)):
        return False
    words = [t.text for t in tokens[i:j]]
    for k in range(min(3, len(words) - 1) + 1):
        head = words[:len(words) - k]
        if k:
            try:
                if cols.normalise_band(" ".join(words[len(words) - k:]), keys) is None:
                    continue
            except ValueError:
                continue
        if cols.is_total_label(" ".join(head)):
            return True
    return False


class _NearestKeywordLine:
    """The nearest line at or above a line that holds a unit/STT header keyword (0: none), computed
    only as far down as asked (rows are visited top down; most documents' header comes early)."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.nearest = [0]

    def at(self, line: int) -> int:
        while len(self.nearest) <= line:
            ln = len(self.nearest)
            self.nearest.append(ln if cols.has_name_keyword(self.lines[ln - 1]) else self.nearest[-1])
        return self.nearest[line]


def find_header(lines: list[str], tokens: list[Token] | None = None) -> Header | None:
    """The first row preceded by a table header (within HEADER_LOOKBACK lines), or None."""
    tokens = tokenize(lines) if tokens is None else tokens
    nearest = _NearestKeywordLine(lines)
    tried: set[int] = set()
    for i, tok in enumerate(tokens):
        if not tok.first or not _row_start(tokens, i):  # (a row starts a line)
            continue
        row_line = tok.line
        ln = nearest.at(row_line - 1)
        if not ln or row_line - ln > HEADER_LOOKBACK or ln in tried:
            continue
        tried.add(ln)
        text = lines[ln - 1]
        hits = [h for h in cols.scan(text) if h.kind in (cols.NAME, "reported_rank")]
        block = "\n".join([text[hits[0].start:], *lines[ln:row_line - 1]])  # (line breaks kept: see rejoin)
        found = cols.stream_columns(block)
        if found is not None:
            return Header(found[0], ln, i)
    return None


def detect(lines: list[str]) -> bool:
    return find_header(lines) is not None


def parse(lines: list[str], source: str, header: Header | None = None, tokens: list[Token] | None = None
          ) -> TableResult:
    tokens = tokenize(lines) if tokens is None else tokens
    header = find_header(lines, tokens) if header is None else header
    if header is None:
        raise InputError(source, None, "không tìm thấy bảng điểm (tiêu đề có “ĐƠN VỊ”, “ĐIỂM TỔNG HỢP” và các "
                                       "dòng số liệu)")
    return _Parser(tokens, lines, header, source).run()


class _Parser:
    def __init__(self, tokens: list[Token], lines: list[str], header: Header, source: str):
        self.t, self.lines, self.h, self.source = tokens, lines, header, source
        self.columns = header.columns
        self.keys = cols.band_keys()
        self.value_cols = [c for c in cols.VALUE_COLUMNS
                           if c in self.columns or c == "reported_rank"]

    def err(self, line: int, message: str) -> InputError:
        return InputError(self.source, line, message)

    def run(self) -> TableResult:
        t, i = self.t, self.h.first_token
        rows: list[RawRow] = []
        end = len(t)
        while i < len(t):
            tok = t[i]
            if tok.first and _PAGE_MARK_RE.match(self.lines[tok.line - 1]):
                i = self._skip_line(i)
                continue
            if tok.first and _is_int(tok.text) and i + 1 < len(t) and t[i + 1].first and _is_int(t[i + 1].text) \
                    and self._alone(i):
                i += 1  # a page number between two rows
                continue
            if _is_int(tok.text):
                row, i = self._row(i, rank=int(tok.text))
                rows.append(row)
                continue
            if has_digit(tok.text):
                raise self.err(tok.line, f"không đọc được dòng của bảng: “{tok.text}” không phải số thứ tự (STT)")
            if _total_at(t, i, self.keys):
                row, i = self._row(i, rank=None)
                rows.append(row)
                continue
            skipped = self._repeated_header(i)
            if skipped is not None:
                i = skipped
                continue
            end = i
            break
        if not rows:
            raise self.err(self.h.line, "bảng không có dòng số liệu nào")
        self._check_tail(end)
        return TableResult(self.value_cols, rows)

    # -- helpers --------------------------------------------------------------------------------
    def _alone(self, i: int) -> bool:
        return len(self.lines[self.t[i].line - 1].split()) == 1

    def _skip_line(self, i: int) -> int:
        line = self.t[i].line
        while i < len(self.t) and self.t[i].line == line:
            i += 1
        return i

    def _repeated_header(self, i: int) -> int | None:
        """After a page break the header may be printed again: skip it when it names the same columns. A
        title printed above it again (a few lines holding no number) is skipped with it."""
        line = self.t[i].line
        while not cols.has_name_keyword(self.lines[line - 1]):
            if line - self.t[i].line >= TITLE_LINES or any(is_number(w) for w in self.lines[line - 1].split()):
                return None
            line += 1
            if line > len(self.lines):
                return None
        while self.t[i].line < line:
            i += 1
        for k in range(i, len(self.t)):
            if _row_start(self.t, k):
                block = "\n".join(" ".join(x.text for x in self.t[i:k] if x.line == ln)
                                  for ln in range(self.t[i].line, self.t[k].line))
                found = cols.stream_columns(block)
                if found is not None and found[0] == self.columns:
                    return k
                return None
        return None

    def _check_tail(self, end: int) -> None:
        """Text after the table must not hold more rows (a row the parser could not read ends it): a line
        shaped like a row, or a line holding as many numbers as most of a row's values (a row whose cells
        are on lines of their own) is refused rather than left out."""
        if end >= len(self.t):
            return
        n_values = len([c for c in self.columns if c != cols.BAND])
        many = max(3, (n_values + 1) // 2)
        for ln in range(self.t[end].line, len(self.lines) + 1):
            words = self.lines[ln - 1].split()
            numbers = [w for w in words if is_number(w)]
            row_like = words and _is_int(words[0]) and len(numbers) >= 4 and any(not has_digit(w) for w in words)
            if row_like or (n_values >= 3 and len(numbers) >= many):
                raise self.err(ln, "dòng này có dạng một dòng số liệu nhưng nằm sau chỗ bảng bị ngắt; "
                                   "kiểm tra các dòng phía trên")

    def _page_number_like(self, i: int) -> bool:
        """The token a row's last value is read from looks like a page number: a whole number alone on its
        line, with the text ending or the next row starting on the line after it. A row short of one value
        before a page break reads the page number as that value; whitespace cannot tell them apart."""
        t = self.t
        if not (t[i].first and _is_int(t[i].text) and self._alone(i)):
            return False
        return i + 1 >= len(t) or (t[i + 1].first and _row_start(t, i + 1))

    def _text_cut(self) -> bool:
        """Whether the text stops on the line of its last word (no line end after it): a file cut off.
        A text whose last line is ended (the extracted PDF text ends with a blank line) is complete, and
        a last row short of a value there is a missing value (a row with no value at all is cut off)."""
        return bool(self.t) and self.t[-1].line == len(self.lines)

    def _missing(self, line: int, words: list[str], columns: list[str], got: int, n_values: int,
                 last: bool = False) -> InputError:
        """A row with fewer values than the header. Whitespace does not tell which cell is empty, so
        the message names no column, unless the band is printed right after the name although the
        header puts value columns before it and exactly those are missing."""
        shown, band = cols.split_trailing_band(words, self.keys)
        message = (f"dòng của “{collapse(' '.join(shown))}” thiếu giá trị: chỉ đọc được {got} trong {n_values} "
                   "giá trị của tiêu đề")
        if last:
            message += " (dòng cuối của bảng)"
        if band is not None and cols.BAND in columns:
            before = columns[:columns.index(cols.BAND)]
            if before and got == n_values - len(before):
                names = ", ".join(f"“{cols.LABELS.get(c, c)}”" for c in before)
                message += f"; xếp loại “{band}” in ngay sau tên đơn vị nên thiếu cột {names}"
        return self.err(line, message)

    def _unread_column(self, line: int, name: str, extra: str) -> InputError:
        """A row with more numbers than the header names columns: a column whose header is not recognised
        would be dropped silently; refused, with the header as printed."""
        header = cols.rejoin_broken_words("\n".join(self.lines[self.h.line - 1:self.t[self.h.first_token].line - 1]))
        unknown = cols.unrecognised_words(header)
        what = f"; chữ trong tiêu đề không nhận ra: “{unknown}”" if unknown else ""
        return self.err(line, f"dòng của “{name}” có nhiều số hơn các cột tiêu đề nhận ra được (số “{extra}” không "
                              f"thuộc cột nào): một cột có số liệu nhưng tiêu đề không được nhận ra (tiêu đề ở dòng "
                              f"{self.h.line}){what}")

    def _row(self, i: int, rank: int | None) -> tuple[RawRow, int]:
        t = self.t
        first = t[i]
        if rank is not None:
            i += 1
        j = _name_run(t, i)
        words = [x.text for x in t[i:j]]
        # a ward named by a number: "PHƯỜNG 1"
        if len(words) == 1 and cols.fold(words[0]) in ("PHUONG", "XA") and j < len(t) \
                and t[j].text.isdigit() and len(t[j].text) <= 2:
            words.append(t[j].text)
            j += 1
        if not words:
            raise self.err(first.line, "dòng của bảng thiếu tên đơn vị")
        if len(words) > MAX_NAME_WORDS:
            raise self.err(first.line, f"không đọc được dòng của bảng: sau STT {rank} không thấy số liệu "
                                       f"(“{' '.join(words[:MAX_NAME_WORDS])} …”)")
        band = None
        columns = self.columns
        if columns and columns[0] == cols.BAND:
            # band printed right after the name: a tail of the name words may spell it
            words, band = cols.split_trailing_band(words, self.keys)
            if band is not None:
                columns = columns[1:]
        name = collapse(" ".join(words))
        i = j
        values: dict = dict.fromkeys(self.value_cols)
        values["reported_rank"] = rank
        expected_next = (rank + 1) if rank is not None else 1
        n_values = len([c for c in columns if c != cols.BAND])
        got = 0
        suspect: list = []
        n_tokens = len(t)
        for col in columns:
            if col == BAND:
                k, letters = i, ""
                while k < len(t) and _is_word(t[k]) and cols.is_band_prefix(letters + t[k].text, self.keys):
                    letters += t[k].text
                    k += 1
                if k > i:
                    try:
                        band = cols.normalise_band(letters, self.keys)
                    except ValueError:
                        if k >= len(t):  # a band half printed when the text ends
                            raise self.err(first.line, f"bảng bị cắt ngang: dòng của “{name}” dừng ở xếp loại "
                                                       f"“{letters}”") from None
                        raise self.err(t[i].line, f"dòng của “{name}”: xếp loại “{' '.join(x.text for x in t[i:k])}”"
                                                  " không thuộc các loại trong params/bands.yaml") from None
                    i = k
                elif i < len(t) and _is_word(t[i]) and col != columns[-1]:
                    raise self.err(t[i].line, f"dòng của “{name}”: xếp loại “{t[i].text}” không thuộc các loại "
                                              "trong params/bands.yaml")
                continue
            if i >= n_tokens:
                if got == 0 or self._text_cut():
                    raise self.err(first.line, f"bảng bị cắt ngang: dòng của “{name}” chỉ có {got} trong {n_values} "
                                               "giá trị của tiêu đề")
                raise self._missing(first.line, words, columns, got, n_values, last=True)
            tok = t[i]
            text = tok.text
            next_row = tok.first and _is_int(text) and int(text) == expected_next \
                and i + 1 < n_tokens and _is_word(t[i + 1]) and not cols.is_band_prefix(t[i + 1].text, self.keys)
            if next_row or _is_word_text(text):  # (a word is neither a number nor a blank mark)
                raise self._missing(first.line, words, columns, got, n_values)
            if got == n_values - 1 and self._page_number_like(i):
                doubt = (f"dòng của “{name}”: giá trị cuối “{text}” (cột “{cols.LABELS.get(col, col)}”) nằm riêng một "
                         "dòng ngay trước dòng sau của bảng, có thể là số trang; kiểm tra lại")
                suspect.append((tok.line, doubt))
            if text in BLANK_MARKS:  # is_blank_mark(text): a token holds no space
                values[col] = None
            else:
                try:
                    values[col] = parse_int(text) if col in cols.INT_COLUMNS else parse_float(text)
                except NumberError as exc:
                    raise self.err(tok.line, f"dòng của “{name}”, cột “{cols.LABELS.get(col, col)}”: "
                                             f"{exc.message}") from None
            got += 1
            i += 1
        if n_values and i < n_tokens and not t[i].first and t[i].line == t[i - 1].line and is_number(t[i].text):
            raise self._unread_column(first.line, name, t[i].text)
        is_total = rank is None
        unit_type = None
        if not is_total:
            name, unit_type = split_unit_type(name)
        if values.get("score") is None:
            raise self.err(first.line, f"dòng của “{name}” thiếu điểm tổng hợp")
        return RawRow(line=first.line, name=name, is_total=is_total, unit_type=unit_type, band=band,
                      values=values, suspect=suspect), i
