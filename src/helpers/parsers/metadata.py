"""Document metadata: district, province, period (week or month) and the district's rank in the province.

Works on numbered lines (text files, extracted PDF/DOCX text, or the rows above a spreadsheet's
table). Phrases may wrap over lines ("UBND tỉnh \\n\\nAn Giang").

Period, in order of preference:
1. a data-cut date: "chốt số liệu: Ngày 04/12/2023" or "(Ngày 09/10/2023 - Tuần 2)" -> that week;
2. "Tuần N của tháng M năm Y" / "Tháng M – Tuần N" (year from the document date when missing)
   -> the N-th Monday of the month;
3. a document date with its day left blank, "ngày    tháng 9 năm 2023", or with no day at all,
   "Tháp Mười, tháng 10 năm 2023" (a place, a comma, the month) -> the month.
A document dated in full ("ngày 16 tháng 10 năm 2023") gives no period: that is the day it was
issued, not a data cut (ReportMeta.issue_date keeps it, for the message: see missing_period_message).
A week that contradicts the cut date, two different cut dates, or a cut date that is not a Monday
are errors naming the line.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections import Counter
from datetime import date
from functools import lru_cache

from helpers import periods, registry
from helpers.errors import InputError
from helpers.parsers.base import ReportMeta

_I = re.IGNORECASE
_DATE = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})"
CUT_RE = re.compile(rf"chốt\s+số\s+liệu\s*:?\s*(?:(?:vào\s+)?ngày\s*:?\s*)?{_DATE}(?:\s*[-–—,]?\s*tuần\s+0?(\d))?", _I)
CUT_PAREN_RE = re.compile(rf"\(\s*ngày\s+{_DATE}\s*[-–—,]\s*tuần\s+0?(\d)\s*\)", _I)
WEEK_OF_MONTH_RE = re.compile(r"tuần\s+0?(\d)\s*(?:của\s+|,\s*)?tháng\s+(\d{1,2})(?:\s*(?:năm\s+|/\s*)(\d{4}))?", _I)
MONTH_WEEK_RE = re.compile(r"tháng\s+(\d{1,2})(?:\s*(?:năm\s+|/\s*)(\d{4}))?\s*[-–—]\s*tuần\s+0?(\d)", _I)
DOC_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", _I)
BLANK_DAY_RE = re.compile(r"ngày[\s._…\-]*tháng\s+(\d{1,2})\s+năm\s+(\d{4})", _I)
PLACE_MONTH_RE = re.compile(r",\s*tháng\s+(\d{1,2})\s+năm\s+(\d{4})", _I)  # after a place name: see _place_month
RANK_RE = re.compile(r"xếp\s+hạng[^\d|]{0,40}?(?<!\d)(\d{1,3})\s*/\s*(\d{1,3})(?!\s*/)(?!\d)", _I)
PLACE_RE = re.compile(r"(?<!\w)(huyện|tỉnh)(?!\w)", _I)
_PRIOR_RE = re.compile(r"(so\s+với|trước|cùng\s+kỳ)\s*\(?\s*$", _I)
_COLUMN_GAP_RE = re.compile(r"\s{2,}|\t")
# A line that starts with a label of its own ("Tỉnh:", "Thời gian chốt số liệu:") continues no name.
_LABEL_LINE_RE = re.compile(r"^[^\W\d_][^\W\d_ ]*(?: [^\W\d_][^\W\d_/]*){0,5}\s*:")
_STOP_UPPER = {"CỘNG", "ĐỘC", "VĂN", "SỐ", "V/V", "KÍNH"}
_TRAIL = ",.;:)(!?/\"“”'|*"


_first, _second = operator.itemgetter(0), operator.itemgetter(1)


class _Text:
    """Numbered lines joined with '\n', with offset -> line number."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.numbers = list(map(_first, lines))
        self.text = "\n".join(map(_second, lines))
        # No line holds a '\n' of its own (text files never do): the line of an offset is then the
        # count of '\n' before it; else it is found among the lines' start offsets.
        self.starts: list[int] | None = None
        if self.text.count("\n") != len(lines) - 1:
            self.starts, pos = [], 0
            for _, text in lines:
                self.starts.append(pos)
                pos += len(text) + 1
        # lower() keeps the offsets unless the text holds 'İ' (the one letter it turns into two)
        low = self.text.lower()
        self.low = low if len(low) == len(self.text) else None

    def line_at(self, offset: int) -> int:
        if not self.numbers:
            return 1
        if self.starts is None:
            return self.numbers[self.text.count("\n", 0, offset)]
        return self.numbers[max(0, bisect.bisect_right(self.starts, offset) - 1)]

    def finditer(self, rx: re.Pattern, *keywords: str):
        """rx.finditer(text) for a pattern that starts with one of `keywords` (lower case, matched with
        re.IGNORECASE): rx is tried only where the lower-case text holds a keyword (the keywords'
        letters match under IGNORECASE exactly the characters whose lower() is that letter)."""
        if self.low is None:
            yield from rx.finditer(self.text)
            return
        starts = []
        for kw in keywords:
            at = self.low.find(kw)
            while at >= 0:
                starts.append(at)
                at = self.low.find(kw, at + 1)
        end = 0
        for at in sorted(starts):
            if at < end:
                continue
            m = rx.match(self.text, at)
            if m:
                yield m
                end = m.end()  # these patterns never match an empty string

    def search(self, rx: re.Pattern, *keywords: str) -> re.Match | None:
        """rx.search(text), for a pattern that starts with one of `keywords` (see finditer)."""
        return next(self.finditer(rx, *keywords), None)


def extract(lines: list[tuple[int, str]], source: str) -> ReportMeta:
    """Metadata of a document given as (line number, text) pairs."""
    t = _Text(lines)
    meta = ReportMeta()
    meta.district_name, meta.province_name = _places(t)
    m = t.search(RANK_RE, "xếp")
    if m:
        rank, of = int(m.group(1)), int(m.group(2))
        if 0 < rank <= of:
            meta.province_rank, meta.province_rank_of = rank, of
    meta.period, meta.period_line = _period(t, source)
    dm = t.search(DOC_DATE_RE, "ngày")
    if dm:
        try:
            meta.issue_date = date(int(dm.group(3)), int(dm.group(2)), int(dm.group(1)))
            meta.issue_line = t.line_at(dm.start())
        except (ValueError, OverflowError):
            pass  # an impossible issue date is no period either; nothing is read from it
    return meta


def missing_period_message(meta: ReportMeta) -> str:
    """Why a document without --as-of has no period: it prints only the day it was issued, or nothing."""
    if meta.issue_date is not None:
        return (f"văn bản chỉ ghi ngày ban hành {meta.issue_date:%d/%m/%Y} (dòng {meta.issue_line}), không ghi "
                "ngày chốt số liệu hay tháng báo cáo; hãy ghi rõ kỳ số liệu bằng --as-of")
    return "không tìm thấy ngày chốt số liệu hoặc tháng báo cáo; hãy ghi rõ bằng --as-of"


# -- places -----------------------------------------------------------------------------------------

def _words_after(t: _Text, end: int) -> list[str]:
    """Words after a keyword up to the end of its line; the next non-empty line when fewer than two,
    unless that line is a label of its own (a blank "Huyện:" cell is followed by "Tỉnh: An Giang")."""
    nl = t.text.find("\n", end)
    rest = t.text[end: nl if nl >= 0 else len(t.text)]
    if rest and not (rest[0].isspace() or rest[0] == ":"):
        return []
    rest = rest.lstrip(" \t:")
    # two or more spaces separate the columns of a flattened two-column letterhead
    rest = _COLUMN_GAP_RE.split(rest.strip())[0] if rest.strip() else ""
    words = rest.split()
    if len(words) < 2 and nl >= 0 and not (words and words[-1][-1] in _TRAIL):
        k = nl + 1
        while k < len(t.text):
            nxt = t.text.find("\n", k)
            line = t.text[k: nxt if nxt >= 0 else len(t.text)]
            if line.strip():
                if not _LABEL_LINE_RE.match(line.strip()):
                    words += _COLUMN_GAP_RE.split(line.strip())[0].split()
                break
            if nxt < 0:
                break
            k = nxt + 1
    return words


@lru_cache(maxsize=4096)  # the same letterhead and sentences recur from report to report
def _name_from(words: tuple[str, ...]) -> str | None:
    """The place name at the start of the (at most five) words after 'huyện'/'tỉnh', or None."""
    out: list[str] = []
    upper = None
    for w in words:
        core = w.strip(_TRAIL)
        if not core or not core[0].isalpha() or not core[0].isupper():
            break
        letters = [ch for ch in core if ch.isalpha()]
        is_upper = len(letters) > 1 and all(ch.isupper() for ch in letters)
        if upper is None:
            upper = is_upper
        elif is_upper != upper and len(letters) != 1:
            break
        if upper and core in _STOP_UPPER:
            break
        out.append(core)
        if w != core or len(out) == 4:  # punctuation ends the name
            break
    if not out or (upper and out[0] in ("UBND", "HĐND")):
        return None
    return " ".join(out)


def _places(t: _Text) -> tuple[str | None, str | None]:
    """(district, province): the names printed after 'huyện' and after 'tỉnh' (one pass over the text)."""
    found: dict[str, list[str]] = {"huyện": [], "tỉnh": []}
    for m in t.finditer(PLACE_RE, "huyện", "tỉnh"):
        names = found.get(m.group(1).lower())
        if names is None:
            continue
        name = _name_from(tuple(_words_after(t, m.end())[:5]))
        if name:
            names.append(name)
    return _most_frequent(found["huyện"]), _most_frequent(found["tỉnh"])


def _most_frequent(found: list[str]) -> str | None:
    """The most frequent of the names (by name_key), as printed at its first occurrence."""
    if not found:
        return None
    counts = Counter(registry.name_key(n) for n in found)
    best = max(counts.values())
    return next(n for n in found if counts[registry.name_key(n)] == best)


# -- period -----------------------------------------------------------------------------------------

def _date(source: str, line: int, d: str, m: str, y: str) -> date:
    try:
        return date(int(y), int(m), int(d))
    except (ValueError, OverflowError):
        raise InputError(source, line, f"ngày {d}/{m}/{y} không hợp lệ") from None


def _nth_monday(source: str, line: int, year: int, month: int, n: int) -> date:
    try:
        return periods.nth_monday(year, month, n)
    except (ValueError, OverflowError):
        raise InputError(source, line, f"tháng {month}/{year} không có tuần {n} (tuần N là thứ Hai thứ N "
                                       "của tháng)") from None


def _period(t: _Text, source: str) -> tuple[periods.Period | None, int | None]:
    text = t.text
    cuts: list[tuple[date, int, int | None]] = []  # (date, line, week printed beside it)
    for rx, keyword in ((CUT_RE, "chốt"), (CUT_PAREN_RE, "(")):
        for m in t.finditer(rx, keyword):
            line = t.line_at(m.start())
            d = _date(source, line, m.group(1), m.group(2), m.group(3))
            cuts.append((d, line, int(m.group(4)) if m.group(4) else None))
    cuts.sort(key=lambda c: c[1])
    doc_year = doc_month = None
    dm = t.search(DOC_DATE_RE, "ngày")
    if dm:
        doc_month, doc_year = int(dm.group(2)), int(dm.group(3))
    weeks: list[tuple[int, int, int | None, int]] = []  # (n, month, year, line)
    for m in t.finditer(WEEK_OF_MONTH_RE, "tuần"):
        if not _PRIOR_RE.search(text[max(0, m.start() - 25):m.start()]):
            weeks.append((int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None,
                          t.line_at(m.start())))
    for m in t.finditer(MONTH_WEEK_RE, "tháng"):
        if not _PRIOR_RE.search(text[max(0, m.start() - 25):m.start()]):
            weeks.append((int(m.group(3)), int(m.group(1)), int(m.group(2)) if m.group(2) else None,
                          t.line_at(m.start())))
    weeks.sort(key=lambda w: w[3])
    for n, month, _, line in weeks:
        if not 1 <= month <= 12:
            raise InputError(source, line, f"tháng {month} không hợp lệ")
        if not 1 <= n <= 5:
            raise InputError(source, line, f"tuần {n} không hợp lệ (tuần của tháng là 1–5)")

    def year_of(month: int, year: int | None, ref: date | None) -> int | None:
        """The year of 'tuần N tháng M' printed without one: the reference date's, or the year before
        when the month is well after the reference month (a January report on December's last week)."""
        if year:
            return year
        if ref is not None:
            ref_year, ref_month = ref.year, ref.month
        elif doc_year is not None:
            ref_year, ref_month = doc_year, doc_month
        else:
            return None
        if month - ref_month > 6:
            return ref_year - 1
        if ref_month - month > 6:
            return ref_year + 1
        return ref_year

    if cuts:
        cut, line, _ = cuts[0]
        for other, other_line, _ in cuts[1:]:
            if other != cut:
                raise InputError(source, other_line, f"báo cáo ghi hai ngày chốt số liệu khác nhau: "
                                                     f"{cut:%d/%m/%Y} (dòng {line}) và {other:%d/%m/%Y}")
        if cut.weekday() != 0:
            raise InputError(source, line, f"ngày chốt số liệu {cut:%d/%m/%Y} không phải thứ Hai (tuần báo cáo "
                                           "chốt số liệu vào thứ Hai)")
        for d, ln, n in cuts:
            if n is not None and n != (d.day - 1) // 7 + 1:
                raise InputError(source, ln, f"tuần ghi trong báo cáo mâu thuẫn với ngày chốt số liệu: ngày "
                                             f"{d:%d/%m/%Y} là tuần {(d.day - 1) // 7 + 1} của tháng {d.month}, "
                                             f"không phải tuần {n}")
        for n, month, year, ln in weeks:
            y = year_of(month, year, cut)
            monday = _nth_monday(source, ln, y, month, n)
            if monday != cut:
                raise InputError(source, ln, f"tuần ghi trong báo cáo mâu thuẫn với ngày chốt số liệu: tuần {n} "
                                             f"tháng {month}/{y} là ngày {monday:%d/%m/%Y}, còn ngày chốt số liệu là "
                                             f"{cut:%d/%m/%Y} (dòng {line})")
        return periods.week(cut), line
    resolved: list[tuple[date, int]] = []
    for n, month, year, ln in weeks:
        y = year_of(month, year, None)
        if y is None:
            continue
        resolved.append((_nth_monday(source, ln, y, month, n), ln))
    if resolved:
        first, line = resolved[0]
        for other, ln in resolved[1:]:
            if other != first:
                raise InputError(source, ln, f"tuần ghi trong báo cáo mâu thuẫn với tuần ở dòng {line} "
                                             f"({other:%d/%m/%Y} và {first:%d/%m/%Y})")
        return periods.week(first), line
    mm = t.search(BLANK_DAY_RE, "ngày") or _place_month(t)
    if mm:
        month, year = int(mm.group(1)), int(mm.group(2))
        line = t.line_at(mm.start())
        if not 1 <= month <= 12:
            raise InputError(source, line, f"tháng {month} không hợp lệ")
        return periods.month(year, month), line
    return None, None


def _place_month(t: _Text) -> re.Match | None:
    """A place-date line without a day, "Tháp Mười, tháng 10 năm 2023" (groups: month, year); the word
    before the comma is a capitalised name, so "..., tháng 10 năm 2023" inside a sentence is not one."""
    for m in t.finditer(PLACE_MONTH_RE, ","):
        before = t.text[t.text.rfind("\n", 0, m.start()) + 1:m.start()].split()
        if before and before[-1].isalpha() and before[-1][0].isupper():
            return m
    return None
