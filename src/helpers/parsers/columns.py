"""Header -> column mapping, shared by every table parser (the one place that knows the keywords).

Headers are matched on a folded copy of the text (upper case, no diacritics, same length), so
"Điểm tổng hợp", "ĐIỂM TỔNG HỢP" and an NFD "Điểm" all match. The two "ĐIỂM TỔNG HỢP" columns of a
weekly table are this week's score and last week's score, in that order, unless a header says
"tuần trước" outright or both print a week label ("(TUẦN 04/11)", "(TUẦN 2/T10)"): then the later
week is this week's score.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from helpers import params

# Value columns, in the contract's order. reported_rank is the printed STT.
VALUE_COLUMNS = [
    "reported_rank", "score", "prev_score", "delta", "transparency_pct", "progress_pct", "online_pct",
    "payment_pct", "digitization_pct", "e_cert", "e_cert_cum",
]
INT_COLUMNS = {"reported_rank", "e_cert", "e_cert_cum"}
NAME, BAND = "name", "band"

# Vietnamese labels, for messages and for the template (data/templates/bao_cao_766_mau.*).
LABELS = {
    "reported_rank": "STT",
    NAME: "Đơn vị",
    "score": "Điểm tổng hợp",
    BAND: "Xếp loại",
    "prev_score": "Điểm tuần trước",
    "delta": "Tăng/giảm so với tuần trước",
    "transparency_pct": "Công khai, minh bạch (%)",
    "progress_pct": "Tiến độ giải quyết (%)",
    "online_pct": "DVCTT (%)",
    "payment_pct": "Thanh toán trực tuyến (%)",
    "digitization_pct": "Số hóa (%)",
    "e_cert": "Chứng thực điện tử",
    "e_cert_cum": "Chứng thực điện tử (lũy kế)",
}
# The template's header row, in order.
TEMPLATE_COLUMNS = ["reported_rank", NAME, "score", BAND, "prev_score", "delta", "transparency_pct",
                    "progress_pct", "online_pct", "payment_pct", "digitization_pct", "e_cert", "e_cert_cum"]
TOTAL_LABEL = "TOÀN HUYỆN"


def kind_of(column: str) -> str:
    return "int" if column in INT_COLUMNS else "float"


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "D"
    base = unicodedata.normalize("NFD", ch)[0]
    up = base.upper()
    return up if len(up) == 1 else base


# Latin, combining marks and Vietnamese letters, folded once (str.translate runs at C speed).
_FOLD_TABLE = {cp: _fold_char(chr(cp)) for r in (range(0x370), range(0x1E00, 0x1F00)) for cp in r}


def fold(text: str) -> str:
    """Upper case without diacritics, one character per character (positions stay valid)."""
    return text.translate(_FOLD_TABLE)


# -- header keywords -----------------------------------------------------------------------------
# (kind, pattern on folded text). Order matters: longer, more specific phrases first.
_S = r"\s*"
_W = r"\s+"
_PATTERNS: list[tuple[str, str]] = [
    ("e_cert_cum", rf"CHUNG{_W}THUC(?:{_W}BAN{_W}SAO)?(?:{_W}DIEN{_W}TU)?{_S}\(?{_S}LUY{_W}KE{_S}\)?"),
    ("e_cert", rf"CHUNG{_W}THUC(?:{_W}BAN{_W}SAO)?(?:{_W}DIEN{_W}TU)?"),
    ("delta", (rf"(?:TANG{_S}[/,-]?{_S}(?:HOAC{_W})?GIAM|CHENH{_W}LECH|BIEN{_W}DONG)"
               rf"(?:{_W}DIEM(?!{_W}(?:TUAN|KY){_W}TRUOC))?"
               rf"(?:{_S}\(?{_S}SO{_W}VOI{_W}(?:TUAN|KY|THANG){_W}TRUOC{_S}\)?)?")),
    ("prev_points", rf"(?:TONG{_W})?DIEM(?:{_W}(?:TONG{_W}HOP|SO))?{_S}\(?{_S}(?:TUAN|KY){_W}TRUOC{_S}\)?"),
    ("points", rf"(?:TONG{_W}(?:SO{_W})?)?DIEM(?:{_W}(?:TONG{_W}HOP|SO|DAT|766))?"),
    (BAND, rf"(?:MUC{_W})?(?:XEP|PHAN){_W}LOAI"),
    ("transparency_pct", rf"CONG{_W}KHAI(?:{_S},?{_S}(?:VA{_W})?MINH{_W}BACH)?|MINH{_W}BACH|CKMB"),
    ("progress_pct", rf"TIEN{_W}DO(?:{_S},?{_S}(?:KET{_W}QUA{_W})?GIAI{_W}QUYET)?|TDGQ"),
    ("payment_pct", rf"THANH{_W}TOAN(?:{_W}TRUC{_W}TUYEN)?|TTTT"),
    ("online_pct", rf"DVCTT|DICH{_W}VU{_W}(?:CONG{_W})?TRUC{_W}TUYEN|HO{_W}SO{_W}TRUC{_W}TUYEN"),
    ("digitization_pct", rf"SO{_W}HOA(?:{_W}HO{_W}SO)?|MDSH"),
    ("reported_rank", r"S\.?\s?T\.?\s?T|SO\s+THU\s+TU|TT"),
    (NAME, rf"(?:TEN{_W})?DON{_W}VI|DIA{_W}PHUONG|XA{_S}[,/]{_S}THI{_W}TRAN|TEN{_W}XA"),
]
_HEADER_RE = re.compile(
    "|".join(rf"(?P<g{i}>(?<![A-Z0-9])(?:{p})(?![A-Z0-9]))" for i, (_, p) in enumerate(_PATTERNS))
)
_KINDS = [k for k, _ in _PATTERNS]


@dataclass(frozen=True)
class Hit:
    kind: str   # a value column, "band", "name", or "points"/"prev_points" before resolution
    start: int
    end: int


# The unit-name and STT keywords alone. Every NAME / reported_rank hit of scan() is a match of this
# pattern at the same place, so a line it does not match needs no full scan (most lines of a report).
_NAME_KINDS = (NAME, "reported_rank")
_NAME_OR_RANK_RE = re.compile("|".join(rf"(?<![A-Z0-9])(?:{p})(?![A-Z0-9])" for k, p in _PATTERNS
                                       if k in _NAME_KINDS))


@lru_cache(maxsize=4096)  # the lines of a letterhead and a table header repeat from report to report
def has_name_keyword(text: str) -> bool:
    """Whether scan(text) finds a unit-name or STT header keyword."""
    if not _NAME_OR_RANK_RE.search(fold(text)):
        return False
    return any(h.kind in _NAME_KINDS for h in scan(text))


def scan(text: str) -> list[Hit]:
    """Header keywords found in `text`, left to right, without overlaps."""
    return list(_scan(text))


@lru_cache(maxsize=4096)  # header lines and blocks recur from report to report
def _scan(text: str) -> tuple[Hit, ...]:
    return tuple(Hit(_KINDS[int(m.lastgroup[1:])], m.start(), m.end()) for m in _HEADER_RE.finditer(fold(text)))


# A week label printed in a score header: "(TUẦN 01/12)", "(TUẦN 2/T10)", "Tuần 3 tháng 10" (folded).
_WEEK_LABEL_RE = re.compile(r"\bTUAN\s*0?([1-5])\s*(?:/|-|THANG)\s*(?:T\s*\.?\s*)?0?(\d{1,2})(?!\d)")


def week_label(text: str) -> tuple[int, int] | None:
    """(week, month) of the first week label in `text`, or None when there is none or the month is
    not 1-12 (the Phú Tân seed prints "TUẦN 2/T0": such a label tells nothing)."""
    m = _WEEK_LABEL_RE.search(fold(text))
    if not m:
        return None
    week, month = int(m.group(1)), int(m.group(2))
    return (week, month) if 1 <= month <= 12 else None


def _later(a: tuple[int, int], b: tuple[int, int]) -> bool | None:
    """True when week label b is after a, False when before, None when it cannot be told (same label,
    or months six apart). Months are compared around the year (week 1/01 is after week 4/12)."""
    (wa, ma), (wb, mb) = a, b
    if ma == mb:
        return None if wa == wb else wb > wa
    ahead = (mb - ma) % 12
    if ahead == 6:
        return None
    return ahead < 6


def _resolve_points(kinds: list[str | None], labels: list[str] | None = None) -> list[str | None]:
    """'points' -> score for the first, prev_score for the next; 'prev_points' -> prev_score.

    With two 'points' columns whose headers (`labels`, parallel to `kinds`) both carry a week label,
    the later week is the score, whatever the printed order; otherwise the printed order stands.
    """
    out = list(kinds)
    taken = {k for k in kinds if k == "prev_points"}
    have_prev = bool(taken)
    free = ["score"] + ([] if have_prev else ["prev_score"])
    points = [i for i, k in enumerate(kinds) if k == "points"]
    if not have_prev and len(points) == 2 and labels is not None:
        weeks = [week_label(labels[i] or "") for i in points]
        if weeks[0] is not None and weeks[1] is not None and _later(weeks[0], weeks[1]):
            free = ["prev_score", "score"]
    for i, k in enumerate(out):
        if k == "prev_points":
            out[i] = "prev_score"
        elif k == "points":
            out[i] = free.pop(0) if free else None
    return out


def _coverage(text: str) -> int:
    """How many characters of `text` the header keywords cover."""
    return sum(h.end - h.start for h in _scan(text))


_WINDOW = 4  # words on each side of a line break looked at to tell a broken word


@lru_cache(maxsize=4096)  # header cells and blocks recur from report to report
def rejoin_broken_words(text: str) -> str:
    """Header text whose line breaks may fall inside a word (a narrow column of a PDF: "CHỨN\nG THỰC
    ĐIỆN TỬ"): a break is closed up when the word it joins makes a header keyword the spaced text does
    not have; every other line break becomes a space. Text without keywords (unit names) is unchanged
    but for its line breaks."""
    if "\n" not in text:
        return text
    words: list[tuple[str, bool]] = []  # (word, a line break before it)
    for n, line in enumerate(text.split("\n")):
        words += [(w, n > 0 and k == 0) for k, w in enumerate(line.split())]
    out: list[str] = []
    for i, (word, broken) in enumerate(words):
        if broken and out and out[-1][-1].isalpha() and word[0].isalpha():
            left = " ".join(out[-_WINDOW:])
            right = " ".join(w for w, _ in words[i + 1:i + _WINDOW])
            if _coverage(f"{left}{word} {right}") > _coverage(f"{left} {word} {right}"):
                out[-1] += word
                continue
        out.append(word)
    return " ".join(out)


# Columns that a group label stands over in a two-row header: the online services ("DỊCH VỤ TRỰC TUYẾN"
# over "DVCTT" and "THANH TOÁN") and the e-certifications ("CHỨNG THỰC ĐIỆN TỬ" over "Trong tuần", "Lũy kế").
_FAMILIES = ({"online_pct", "payment_pct"}, {"e_cert", "e_cert_cum"})


def _family(kind: str) -> set[str]:
    return next((f for f in _FAMILIES if kind in f), {kind})


def _two_level_order(kinds: list[str]) -> list[str]:
    """Value columns in printed order from header keywords read row by row. A two-row header read in
    reading order gives the first row, where a group label ("DỊCH VỤ TRỰC TUYẾN") stands over its
    columns, then the second row with those columns ("DVCTT", "THANH TOÁN"): the first keyword that comes
    again starts the second row; each group label of the first row gives way to the second row's columns
    of its family, and the second row's other columns follow (cells of the first row read after it)."""
    seen: set[str] = set()
    for s, k in enumerate(kinds):
        if k in seen:
            first, second = kinds[:s], kinds[s:]
            order: list[str] = []
            for x in first:
                members = [y for y in second if y in _family(x)]
                order += members or [x]
            order += second
            out: list[str] = []
            for x in order:
                if x not in out:
                    out.append(x)
            return out
        seen.add(k)
    return list(kinds)


# The labels under a "CHỨNG THỰC ĐIỆN TỬ" group: this week's and the cumulative count (folded text).
# In text laid out in columns the two labels may be printed side by side, their words interleaved
# ("Trong Lũy" / "tuần kế"): one word may come between a label's two words.
_SUB_LABELS = {"e_cert": re.compile(r"(?<![A-Z0-9])(?:TRONG\s+(?:\S+\s+)?TUAN|TUAN\s+NAY)(?![A-Z0-9])"),
               "e_cert_cum": re.compile(r"(?<![A-Z0-9])LUY\s+(?:\S+\s+)?KE(?![A-Z0-9])")}


def _with_sub_labels(text: str, hits: list[Hit]) -> list[Hit]:
    """The hits, with the e-certification group's sub-labels ("Trong tuần", "Lũy kế") after a group label
    "CHỨNG THỰC ĐIỆN TỬ" read as its two columns (outside such a group they name nothing)."""
    group = next((h for h in hits if h.kind == "e_cert"), None)
    if group is None:
        return hits
    taken = [(h.start, h.end) for h in hits]
    folded = fold(text)
    extra = []
    for kind, pattern in _SUB_LABELS.items():  # each label looked for on its own: their words may interleave
        m = next((m for m in pattern.finditer(folded, group.end) if not any(a <= m.start() < b for a, b in taken)),
                 None)
        if m is not None:
            extra.append(Hit(kind, m.start(), m.end()))
    return sorted(hits + extra, key=lambda h: h.start)


def stream_columns(text: str) -> tuple[list[str], list[Hit]] | None:
    """Columns of a header printed as running text (PDF extraction, one word per line).

    Returns the ordered list of columns (value columns and "band"; the name and STT columns left
    out) and the hits, or None when the text is not a table header: no score column, too many
    words that are no header keyword (prose), or more than two score columns.
    """
    found = _stream_columns(text)
    return None if found is None else (list(found[0]), list(found[1]))


@lru_cache(maxsize=1024)  # a header block recurs from report to report
def _stream_columns(text: str) -> tuple[tuple[str, ...], tuple[Hit, ...]] | None:
    text = rejoin_broken_words(text)
    hits = _with_sub_labels(text, scan(text))
    points = [h for h in hits if h.kind in ("points", "prev_points")]
    if not points or len(points) > 2 or not any(h.kind == NAME for h in hits):
        return None
    if not _mostly_keywords(text, hits):
        return None
    # The text of each keyword up to the next one: where a score header prints its week label.
    labels = [text[h.start:(hits[j + 1].start if j + 1 < len(hits) else len(text))] for j, h in enumerate(hits)]
    kinds = _resolve_points([h.kind for h in hits], labels)
    # A group header ("DỊCH VỤ TRỰC TUYẾN" above "DVCTT" and "THANH TOÁN") repeats a column keyword.
    order = _two_level_order([k for k in kinds if k and k not in (NAME, "reported_rank")])
    if "score" not in order:
        return None
    return tuple(order), tuple(hits)


_PAREN_RE = re.compile(r"\([^()]*\)")
# Columns a report may add that the workbench does not store: the rank within the district, notes. Their
# numbers are left out with a warning, not refused.
_OPTIONAL_RE = re.compile(r"^(?:XEP\s+HANG|THU\s+HANG|HANG|GHI\s+CHU)(?:\s*\(.*\))?$")


def is_optional_header(text: str) -> bool:
    """A header of a column the workbench does not store but that a report may print ("Xếp hạng", "Ghi chú")."""
    return bool(_OPTIONAL_RE.match(" ".join(fold(text).split())))


def unrecognised_words(text: str, limit: int = 80) -> str:
    """The words of a header that are no keyword (parenthesised notes left out), as printed: what a column
    whose header is not recognised is called."""
    keep = [True] * len(text)
    for h in _scan(text):
        for i in range(h.start, h.end):
            keep[i] = False
    for m in _PAREN_RE.finditer(text):
        for i in range(m.start(), m.end()):
            keep[i] = False
    words = "".join(ch if k else " " for ch, k in zip(text, keep)).split()
    shown = " ".join(w for w in words if any(ch.isalpha() for ch in w) and w not in ("/", ","))
    return shown if len(shown) <= limit else shown[:limit - 1].rstrip() + "…"


def _mostly_keywords(text: str, hits: list[Hit]) -> bool:
    """True when at most as many words fall outside the keywords (and parentheses) as inside them."""
    folded = list(fold(text))
    for h in hits:
        for i in range(h.start, h.end):
            folded[i] = " "
    rest = _PAREN_RE.sub(" ", "".join(folded))
    stray = [w for w in re.findall(r"[A-Z]+", rest) if len(w) > 1]
    return len(stray) <= max(2, len(hits))


@lru_cache(maxsize=4096)  # header cells recur from report to report
def classify_cell(text: str) -> str | None:
    """The kind of one header cell: the last keyword in it (a merged group label comes first)."""
    hits = scan(text)
    if not hits:
        return None
    kinds = [h.kind for h in hits]
    if any(k in ("points", "prev_points") for k in kinds) and "delta" not in kinds:
        return "prev_points" if "prev_points" in kinds else "points"
    return kinds[-1]


def cell_columns(cells: list[str]) -> list[str | None]:
    """Column of each header cell ("name", "band", a value column or None), score columns resolved."""
    return _resolve_points([classify_cell(c) if c else None for c in cells], [c or "" for c in cells])


# -- bands and total labels ------------------------------------------------------------------------

@lru_cache(maxsize=16384)  # band words and names recur from row to row
def _letters(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFC", text).upper() if ch.isalpha())


@lru_cache(maxsize=16384)
def _plain(letters: str) -> str:
    return "".join(ch for ch in fold(letters) if ch.isalpha())


BandKeys = tuple[tuple[str, str, str], ...]


def band_keys() -> BandKeys:
    """(band name, its letters in upper case, the same without diacritics) for params/bands.yaml.
    A parser reads them once per document and passes them on."""
    return tuple((name, _letters(name), _plain(_letters(name))) for name in params.band_names())


def normalise_band(text: str, keys: BandKeys | None = None) -> str | None:
    """The band name of params/bands.yaml that `text` spells, comparing letters with spaces removed
    ("TRUNGB ÌNH" = "Trung bình"); None for a blank; ValueError when it is no band."""
    letters = _letters(text)
    if not letters:
        return None
    keys = band_keys() if keys is None else keys
    name = _band_spelled(letters, tuple(keys))
    if name is None:
        raise ValueError(text)
    return name


# The band functions below are cached on the letters and the bands' keys (the params they come from).
@lru_cache(maxsize=4096)
def _band_spelled(letters: str, keys: BandKeys) -> str | None:
    for name, key, _ in keys:
        if letters == key:
            return name
    plain = _plain(letters)
    for name, _, pkey in keys:
        if plain == pkey:
            return name
    return None


def split_trailing_band(words: list[str], keys: BandKeys | None = None) -> tuple[list[str], str | None]:
    """(name words, band) when the last one to three of `words` spell a band ("TẤN MỸ TRUNG BÌNH" ->
    ["TẤN", "MỸ"], "Trung bình"); at least one word stays. Else (words, None)."""
    for k in range(1, min(3, len(words) - 1) + 1):
        try:
            band = normalise_band(" ".join(words[-k:]), keys)
        except ValueError:
            continue
        if band is not None:
            return words[:-k], band
    return words, None


def is_band_prefix(text: str, keys: BandKeys | None = None) -> bool:
    """True when the letters of `text` begin (or are) some band's letters."""
    letters = _letters(text)
    if not letters:
        return False
    keys = band_keys() if keys is None else keys
    return _begins_band(letters, tuple(keys))


@lru_cache(maxsize=4096)
def _begins_band(letters: str, keys: BandKeys) -> bool:
    plain = _plain(letters)
    return any(key.startswith(letters) or pkey.startswith(plain) for _, key, pkey in keys)


_TOTAL_RE = re.compile(r"^(?:TOAN\s+(?:HUYEN|THI\s+XA|THANH\s+PHO|QUAN)|TONG\s+CONG|TONG\s+SO|CONG|TONG|"
                       r"(?:UBND\s+)?HUYEN\s+\S.*)$")


@lru_cache(maxsize=16384)
def is_total_label(name: str) -> bool:
    """'TOÀN HUYỆN', 'Tổng cộng', 'Cộng', 'Huyện Chợ Mới': the district's own row."""
    folded = re.sub(r"[^A-Z0-9 ]", " ", fold(name))
    return bool(_TOTAL_RE.match(" ".join(folded.split())))
