"""Property-based tests: whatever the bytes, the parsers answer with a report or one of our errors.

Random bytes, random text, and the seed documents (and an XLSX and a DOCX built like the analysts'
files) with random damage: lines deleted, duplicated or swapped, characters replaced, the file cut
short, numbers replaced by odd tokens, bytes flipped inside a zip. `parse_document` may only return a
ParsedReport or raise a ChisoError; `validate.parse_file` with the district given, a ParsedFile or a
ChisoError. Anything else (KeyError, ValueError, IndexError, ...) is a bug.
"""

from __future__ import annotations

import importlib.util
import re
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import validate
from helpers.errors import ChisoError, InputError
from helpers.parsers import ParsedReport, parse_document
from tests.conftest import ROOT, SEEDS

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])
SEED_TEXT = {slug: path.read_text(encoding="utf-8") for slug, path in SEEDS.items()}
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
# Tokens that have broken number readers elsewhere: other digit systems, signs, exponents, huge values.
ODD_TOKENS = ["", "-", "−5", "+3", "1e9", "1E-3", "NaN", "nan", "inf", "∞", "²", "½", "١٢", "१२", "１２",
              "0x1F", "12%", "%", "99999999999999999999999", "-0", "0,0,0", "1.2.3", "1,,2", ".5", "5.",
              "00", "101", "105", "-105", "12/100", "3/4", "0.000001", "l0", "O5", "·", "—", "‒", "7\u00a08",
              "1" + "0" * 25, "9" * 5000]
ODD_CHARS = ["\x00", "\ufeff", "\u200b", "|", "<", ">", "&", "*", "\t", "\r", "\x0c", "\u2028", "ǅ", "İ",
             "\u0301", "đ", "Ð", "TRUNG", "BÌNH", "YẾU", "TOÀN HUYỆN", "Tuần 9", "tháng 13", "chốt số liệu:",
             "xã", "điểm", "STT", "ĐƠN VỊ", "\n", "\n\n", "---", "| |"]


OPERATIONS = ["delete", "duplicate", "swap", "substitute", "number", "insert", "truncate"]
NUMBERISH = r"-?\d{1,4}([.,]\d{1,3}){0,2}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _write(folder: Path, data: bytes, suffix: str = ".txt") -> Path:
    path = folder / f"f{uuid.uuid4().hex[:10]}{suffix}"
    path.write_bytes(data)
    return path


def parse_or_error(path: Path, fmt: str | None = None):
    """parse_document's answer: the report, or our own error (anything else propagates and fails)."""
    try:
        report = parse_document(path, fmt)
    except ChisoError as exc:
        check_error(exc, path)
        return exc
    assert isinstance(report, ParsedReport)
    assert report.source == path.name and report.rows
    for row in report.rows:
        assert isinstance(row.line, int) and row.line >= 1
        assert row.name.strip()
    return report


def ingest_or_error(path: Path, slug: str):
    try:
        parsed = validate.parse_file(path, district=slug)
    except ChisoError as exc:
        check_error(exc, path)
        return exc
    assert isinstance(parsed, validate.ParsedFile)
    assert parsed.district.slug == slug and len(parsed.records) > 0
    return parsed


def check_error(exc: ChisoError, path: Path) -> None:
    message = str(exc)
    assert message.strip()
    assert "Traceback" not in message
    if isinstance(exc, InputError):
        assert exc.source == path.name
        assert exc.line is None or (isinstance(exc.line, int) and exc.line >= 1)


# -- random input ---------------------------------------------------------------------------------

@SETTINGS
@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".txt", ".md", ".csv", ".bin", ""]))
def test_random_bytes(workdir, data, suffix):
    parse_or_error(_write(workdir, data, suffix))


@SETTINGS
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".xlsx", ".docx", ".pdf"]),
       magic=st.sampled_from([b"", b"PK\x03\x04", b"%PDF-1.4\n"]))
def test_random_bytes_as_documents(workdir, data, suffix, magic):
    parse_or_error(_write(workdir, magic + data, suffix))


@SETTINGS
@given(text=st.text(max_size=3000), suffix=st.sampled_from([".txt", ".md", ".csv"]))
def test_random_text(workdir, text, suffix):
    parse_or_error(_write(workdir, text.encode("utf-8", "surrogatepass"), suffix))


@SETTINGS
@given(lines=st.lists(st.one_of(
    st.sampled_from(["| STT | ĐƠN VỊ | ĐIỂM TỔNG HỢP | XẾP LOẠI |", "|---|---|---|---|",
                     "(Ngày 04/12/2023 - Tuần 1)", "huyện Chợ Mới", "TOÀN HUYỆN 57.45 TRUNG BÌNH",
                     "ĐƠN VỊ ĐIỂM TỔNG HỢP XẾP LOẠI", "xã Kiến An 49,18 điểm;", "thị trấn Mỹ An 70,41 điểm"]),
    st.builds(lambda n, name, score, band: f"| {n} | {name} | {score} | {band} |",
              st.integers(-3, 30), st.sampled_from(["KIẾN AN", "MỸ HỘI ĐÔNG", "<b>X</b>", "", "TOÀN HUYỆN"]),
              st.sampled_from(ODD_TOKENS + ["57.45", "49,18"]), st.sampled_from(["YẾU", "KHÁ", "", "KÉM"])),
    st.builds(lambda n, name, score: f"{n} {name} {score} TRUNG BÌNH",
              st.integers(0, 30), st.sampled_from(["KIẾN AN", "MỸ", "PHƯỜNG", "LONG ĐIỀN A"]),
              st.sampled_from(ODD_TOKENS + ["57.45"])),
), max_size=40), suffix=st.sampled_from([".txt", ".md"]))
def test_table_like_text(workdir, lines, suffix):
    """Text made of table-like pieces, so the parsers get past detection and into the rows."""
    parse_or_error(_write(workdir, "\n".join(lines).encode("utf-8"), suffix))


# -- mutated seeds --------------------------------------------------------------------------------

@st.composite
def mutated_seed(draw):
    slug = draw(st.sampled_from(sorted(SEED_TEXT)))
    lines = SEED_TEXT[slug].split("\n")
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(OPERATIONS))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i:i + draw(st.integers(1, 5))]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "substitute" and lines[i]:
            k = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:k] + draw(st.sampled_from(ODD_CHARS) | st.characters()) + lines[i][k + 1:]
        elif op == "number":
            numbers = list(NUMBER_RE.finditer(lines[i]))
            if numbers:
                m = numbers[draw(st.integers(0, len(numbers) - 1))]
                token = draw(st.sampled_from(ODD_TOKENS) | st.from_regex(NUMBERISH, fullmatch=True))
                lines[i] = lines[i][:m.start()] + token + lines[i][m.end():]
        elif op == "insert":
            lines.insert(i, draw(st.sampled_from(ODD_CHARS + ODD_TOKENS)))
        elif op == "truncate":
            text = "\n".join(lines)
            lines = text[: draw(st.integers(0, len(text)))].split("\n")
    return slug, "\n".join(lines)


def _seed_suffix(slug: str) -> str:
    return ".md" if slug == "phu-tan" else ".txt"


@SETTINGS
@given(case=mutated_seed())
def test_mutated_seed_parse_document(workdir, case):
    slug, text = case
    parse_or_error(_write(workdir, text.encode("utf-8", "surrogatepass"), _seed_suffix(slug)))


@SETTINGS
@given(case=mutated_seed())
def test_mutated_seed_parse_file(workdir, case):
    slug, text = case
    ingest_or_error(_write(workdir, text.encode("utf-8", "surrogatepass"), _seed_suffix(slug)), slug)


@SETTINGS
@given(slug=st.sampled_from(sorted(SEED_TEXT)), data=st.data())
def test_every_number_of_a_seed_replaced(workdir, slug, data):
    """Many numbers at once replaced by odd tokens, through the whole ingest validation."""
    text = SEED_TEXT[slug]
    spans = list(NUMBER_RE.finditer(text))
    chosen = data.draw(st.lists(st.integers(0, len(spans) - 1), min_size=1, max_size=12, unique=True))
    out, last = [], 0
    for idx in sorted(chosen):
        m = spans[idx]
        out += [text[last:m.start()], data.draw(st.sampled_from(ODD_TOKENS))]
        last = m.end()
    out.append(text[last:])
    ingest_or_error(_write(workdir, "".join(out).encode("utf-8"), _seed_suffix(slug)), slug)


@SETTINGS
@given(slug=st.sampled_from(sorted(SEED_TEXT)), cut=st.integers(0, 100_000), data=st.data())
def test_seed_bytes_cut_anywhere(workdir, slug, cut, data):
    """A download stopped at any byte, possibly inside a multi-byte character."""
    raw = SEEDS[slug].read_bytes()
    raw = raw[: cut % (len(raw) + 1)]
    fmt = data.draw(st.sampled_from([None, "text-table", "markdown", "prose"]))
    parse_or_error(_write(workdir, raw, _seed_suffix(slug)), fmt)


# -- damaged Office documents ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def office_files():
    spec = importlib.util.spec_from_file_location("make_bad", ROOT / "tests" / "data" / "bad" / "make_bad.py")
    make_bad = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_bad)
    return {".xlsx": make_bad.xlsx_bytes(formula=False), ".docx": make_bad.docx_bytes()}


@SETTINGS
@given(suffix=st.sampled_from([".xlsx", ".docx"]), data=st.data())
def test_office_documents_with_flipped_bytes(workdir, office_files, suffix, data):
    raw = bytearray(office_files[suffix])
    for _ in range(data.draw(st.integers(1, 8))):
        k = data.draw(st.integers(0, len(raw) - 1))
        raw[k] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = _write(workdir, bytes(raw), suffix)
    if isinstance(parse_or_error(path), ParsedReport):  # still readable: validate it too
        ingest_or_error(path, "phu-tan" if suffix == ".docx" else "cho-moi")
