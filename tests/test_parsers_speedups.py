"""The facts the parsers' shortcuts rely on (metadata keyword search, whitespace, digits, tokens)."""

from __future__ import annotations

import re
import unicodedata

from helpers.parsers import metadata
from helpers.parsers.base import Token, collapse, tokenize
from helpers.parsers.numbers import has_digit

# The keywords metadata._Text.finditer looks for in the lower-case text, one per pattern it is used with.
KEYWORDS = ["chốt", "(", "tuần", "tháng", "ngày", "xếp", "huyện", "tỉnh"]


def _cased() -> list[str]:
    """Every character with a case mapping (an uncased character matches only itself under IGNORECASE)."""
    chars = (chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000)
    return [ch for ch in chars if ch.lower() != ch or ch.upper() != ch]


def test_keyword_letters_match_exactly_their_lower_case():
    """Under re.IGNORECASE a keyword letter matches exactly the characters whose lower() is that letter,
    so text.lower() shows every place a metadata pattern can start."""
    cased = _cased()
    for letter in sorted(set("".join(KEYWORDS))):
        rx = re.compile(re.escape(letter), re.IGNORECASE)
        for ch in cased + [letter]:
            assert bool(rx.fullmatch(ch)) == (ch.lower() == letter), (letter, hex(ord(ch)))


def test_keyword_search_matches_finditer():
    text = ("UBND HUYỆN CHỢ MỚI\nhuyện Phú Tân; tỉnh An Giang; HUYỆNX huyện\n"
            "Thời gian chốt số liệu: Ngày 04/12/2023 (ngày 04/12/2023 - Tuần 1) Tuần 1 của tháng 12 năm 2023\n"
            "Tháng 12 - Tuần 1; ngày 5 tháng 12 năm 2023; xếp hạng 7/11; THÁNG 12 – TUẦN 1; ngàyngày 1 tháng\n"
            "Ngày ... tháng 9 năm 2023")
    for extra in ("", " İstanbul"):  # 'İ': lower() changes the length, the patterns run on the whole text
        t = metadata._Text(list(enumerate((text + extra).split("\n"), start=1)))
        for rx, words in [(metadata.CUT_RE, ["chốt"]), (metadata.CUT_PAREN_RE, ["("]),
                          (metadata.WEEK_OF_MONTH_RE, ["tuần"]), (metadata.MONTH_WEEK_RE, ["tháng"]),
                          (metadata.DOC_DATE_RE, ["ngày"]), (metadata.BLANK_DAY_RE, ["ngày"]),
                          (metadata.RANK_RE, ["xếp"]), (metadata.PLACE_RE, ["huyện", "tỉnh"])]:
            expected = [m.span() for m in rx.finditer(t.text)]
            assert [m.span() for m in t.finditer(rx, *words)] == expected
            assert expected
        assert [t.line_at(m.start()) for m in metadata.PLACE_RE.finditer(t.text)] == [1, 2, 2, 2]


def test_line_at_with_lines_holding_newlines():
    t = metadata._Text([(3, "a\nb"), (7, "c")])
    assert [t.line_at(i) for i in range(len(t.text))] == [3, 3, 3, 3, 7]


def test_collapse_whitespace_as_regex():
    for text in ["  a \t b\u00a0c\u2028d\x1c e  ", "", " ", "x", "Hoa\u0300  An"]:
        assert collapse(text) == re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def test_has_digit():
    for text, expected in [("abc", False), ("a b", False), ("a²", True), ("12", True), ("", False), ("x 1", True),
                           ("١", True), ("—", False), ("Ⅻ", False)]:
        assert has_digit(text) is expected, text


def test_tokenize_lines_and_first_tokens():
    tokens = tokenize(["", "  a b ", "\t", "c", "d  e f"], first_line=5)
    assert tokens == [("a", 6, True), ("b", 6, False), ("c", 8, True), ("d", 9, True), ("e", 9, False),
                      ("f", 9, False)]
    assert all(type(t) is Token for t in tokens) and tokens[1].text == "b" and tokens[3].first


def test_name_keyword_prefilter_agrees_with_the_full_scan():
    """columns.has_name_keyword skips the full scan when the name/STT keywords alone are absent: it must
    say what the full scan says, on every line of the shipped reports and test documents."""
    from helpers.parsers import columns as cols
    from helpers.paths import project_root

    def full(text: str) -> bool:
        return any(h.kind in (cols.NAME, "reported_rank") for h in cols.scan(text))

    lines = ["STT", "S.T.T", "TT", "TTTT", "DVCTT", "Tên đơn vị", "ĐƠN VỊ", "Xã, thị trấn", "Địa phương",
             "Số thứ tự", "TTHC", "Thanh toán trực tuyến (TTTT)", "ĐƠN VỊ TÍNH", "xã Phú Lâm", ""]
    root = project_root()
    for path in [*(root / "data" / "raw").rglob("*.txt"), *(root / "tests" / "data").rglob("*.txt"),
                 *(root / "tests" / "data").rglob("*.md")]:
        lines += path.read_text(encoding="utf-8", errors="replace").split("\n")
    found = 0
    for line in lines:
        assert cols.has_name_keyword(line) is full(line), line
        found += full(line)
    assert found >= 10  # the seeds' table headers among them
