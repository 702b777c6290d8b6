"""The parsers' data model and the shared reading helpers (size limit, UTF-8 text, tokens).

Parsers return rows as printed: they do not match names to the registry nor check ranges, bands or
deltas (the ingest stage does). Content they cannot read raises InputError naming the file and the
1-based line; a file that cannot be opened raises UsageError.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from helpers import params
from helpers.errors import InputError, UsageError
from helpers.periods import Period

FORMATS = ("text-table", "markdown", "prose", "xlsx", "csv", "pdf", "docx")
TEXT_FORMATS = ("text-table", "markdown", "prose")


@dataclass
class RawRow:
    line: int                       # 1-based line of the source file where the row starts
    name: str                       # unit name as printed, whitespace collapsed, NFC ("LONG ĐIỀN A", "PHÚ HÙNG", "Mỹ Quí"); for the district total row the printed label ("TOÀN HUYỆN")
    is_total: bool = False          # the district's own total row
    unit_type: str | None = None    # "xã" / "thị trấn" / "phường" when the source states it (prose does), else None
    band: str | None = None         # printed band normalised to a name of params/bands.yaml ("Trung bình", "Yếu", ...), None if the source prints none
    values: dict = field(default_factory=dict)  # column -> float | int | None (None = blank cell of a column the document has)
    suspect: list = field(default_factory=list)  # (line, message): a value read but worth a second look (a warning)
    cells: dict = field(default_factory=dict)    # column -> cell reference ("M8") where a spreadsheet holds it
    no_data: bool = False           # a named row of a grid with no STT and no value: a section label ("Khối xã"), or a
                                    # unit whose values were lost (a row split over a page break): ingest tells which


@dataclass
class ReportMeta:
    district_name: str | None = None    # as printed, e.g. "Chợ Mới", "PHÚ TÂN"
    province_name: str | None = None    # e.g. "An Giang" when printed
    period: Period | None = None        # helpers.periods.Period: week (data-cut Monday) or month
    period_line: int | None = None
    province_rank: int | None = None    # "xếp hạng 7/11" -> 7 ; "02/11" -> 2
    province_rank_of: int | None = None # -> 11
    issue_date: date | None = None      # the document's own date "ngày 16 tháng 10 năm 2023" (not a data cut)
    issue_line: int | None = None


@dataclass
class ParsedReport:
    source: str        # file name only
    path: Path
    sha256: str        # of the file bytes
    format: str        # one of FORMATS: "text-table", "markdown", "prose", "xlsx", "csv", "pdf", "docx"
    columns: list[str] # value columns this document carries (so a blank cell is known from an absent column)
    rows: list[RawRow]
    meta: ReportMeta


@dataclass
class TableResult:
    """What a table or list parser found: the value columns (keys of every row's `values`) and rows."""

    columns: list[str]
    rows: list[RawRow]


# -- reading ---------------------------------------------------------------------------------------

def max_file_bytes() -> tuple[float, int]:
    """(limit in MB, limit in bytes) from params/limits.yaml."""
    mb = float(params.limits()["max_file_mb"])
    return mb, int(mb * 1024 * 1024)


def _mb(mb: float) -> str:
    return f"{mb:g}"


def read_bytes(path: Path, source: str) -> bytes:
    """The file's bytes; refuses a file above max_file_mb before reading it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UsageError(f"không mở được tệp '{path}': {exc.strerror or exc}") from None
    if not path.is_file():
        raise UsageError(f"không mở được tệp '{path}': không phải là tệp")
    mb, limit = max_file_bytes()
    if size > limit:
        raise InputError(source, None, f"tệp lớn {size / 1048576:.1f} MB, vượt giới hạn {_mb(mb)} MB "
                                       "(max_file_mb trong params/limits.yaml)")
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"không mở được tệp '{path}': {exc.strerror or exc}") from None
    if len(data) > limit:  # the file grew after stat()
        raise InputError(source, None, f"tệp vượt giới hạn {_mb(mb)} MB (max_file_mb trong params/limits.yaml)")
    if not data:
        raise InputError(source, None, "tệp rỗng")
    return data


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text (a BOM is fine), NFC, with '\\n' line ends. Refuses NUL bytes and invalid UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(source, None, "tệp được lưu bằng mã UTF-16, không phải văn bản UTF-8; hãy lưu lại thành "
                                       "văn bản UTF-8")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(source, line, "tệp không phải văn bản UTF-8 (có byte NUL: tệp nhị phân hoặc UTF-16); "
                                       "hãy lưu lại thành văn bản UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(source, line, f"tệp không phải văn bản UTF-8 (byte 0x{data[exc.start]:02x} không hợp lệ ở "
                                       "dòng này); hãy lưu lại thành văn bản UTF-8") from None
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise InputError(source, None, "tệp rỗng (không có nội dung)")
    return text


def split_lines(text: str) -> list[str]:
    """Lines split on '\\n' only (form feeds and other separators stay inside a line)."""
    return text.split("\n")


# -- small text helpers ----------------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")
_TAG_RE = re.compile(r"<[^<>]{0,200}>")
_MARKUP_CHARS = frozenset("<&*_")


@lru_cache(maxsize=16384)  # names and cells recur from row to row and report to report
def collapse(text: str) -> str:
    """NFC, whitespace runs collapsed to one space, stripped."""
    # str.split() splits on exactly the characters regex \s matches (str.isspace)
    return " ".join(nfc(text).split())


@lru_cache(maxsize=16384)
def strip_markup(text: str) -> str:
    """Cell text without HTML tags (<b>, <br/>), entities and markdown emphasis (** __)."""
    if not _MARKUP_CHARS.intersection(text):  # most cells: nothing to strip
        return collapse(text)
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = text.replace("**", " ").replace("__", " ")
    text = collapse(text)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "*_":
        text = text[1:-1].strip()
    return text


class Token(NamedTuple):  # a named tuple: documents have thousands of tokens, built fast
    text: str
    line: int        # 1-based
    first: bool      # first token of its line


_new_token = partial(tuple.__new__, Token)  # Token((text, line, first)) without a Python-level __new__


def tokenize(lines: list[str], first_line: int = 1) -> list[Token]:
    """Whitespace-separated tokens with the 1-based line where each one is."""
    out: list[Token] = []
    for number, line in enumerate(lines, first_line):
        words = line.split()
        if words:
            out.append(_new_token((words[0], number, True)))
            if len(words) > 1:
                out += map(_new_token, zip(words[1:], repeat(number), repeat(False)))
    return out


TYPE_WORDS = {"xã": "xã", "phường": "phường", "thị trấn": "thị trấn", "tt": "thị trấn", "tt.": "thị trấn"}
# "TT. Chợ Mới", "TT Chợ Mới", "T.T Chợ Mới", "T.T. Chợ Mới", "TT.Chợ Mới" (no space after the dot)
_TYPE_PREFIX_RE = re.compile(r"^(xã|phường|thị\s+trấn|t\.\s?t\.?|tt\.?)(?:\s+|(?<=\.)(?=[^\W\d_]))(?=\S)",
                             re.IGNORECASE)


@lru_cache(maxsize=16384)
def split_unit_type(name: str) -> tuple[str, str | None]:
    """'Xã Kiến An' -> ('Kiến An', 'xã'); 'TT. Chợ Mới' -> ('Chợ Mới', 'thị trấn'); else (name, None)."""
    m = _TYPE_PREFIX_RE.match(name)
    if not m:
        return name, None
    rest = name[m.end():].strip()
    if not rest or not rest[0].isalpha() and not rest[0].isdigit():
        return name, None
    word = _WS_RE.sub(" ", m.group(1).lower())
    return rest, TYPE_WORDS.get(word) or TYPE_WORDS[word.replace(".", "").replace(" ", "")]
