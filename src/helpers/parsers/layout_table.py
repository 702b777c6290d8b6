"""Tables in text laid out in columns (`pdftotext -layout`, a table copied from a PDF viewer): each cell is
where it was printed, so a wrapped cell's words sit on the lines above and below its row's numbers.

    STT    ĐƠN VỊ          ĐIỂM TỔNG HỢP   XẾP LOẠI          (header: any number of lines)
                                             TRUNG
     1     PHÚ LÂM          63.15                            (the row: its line holding numbers, with
                                              BÌNH            the wrapped words above and below it)

Read by position, not by example: a row is a line holding at least two numbers with the lines around it
up to a blank line (or, rows touching, the lines nearest to it); the columns are the runs of character
positions the rows fill, apart by at least two blank positions; each header word goes to the column under
it (a word broken by a line end, "CHỨN" / "G", is rejoined: columns.rejoin_broken_words). A page break
(form feed) starts a new part of the table, with its own positions; its header is printed again or, if
not, its columns are those of the part before when it has as many. The cells then go to the grid reader,
which maps the header and refuses a column of numbers whose header it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from helpers.errors import InputError
from helpers.parsers import columns as cols
from helpers.parsers.base import TableResult, collapse
from helpers.parsers.grid import GridRow, parse_grid
from helpers.parsers.numbers import is_blank_mark, is_number

MIN_GAP = 2           # blank positions between two columns
HEADER_MAX_LINES = 40
PAGE_FOOT_MAX_LINES = 6


@dataclass
class _Word:
    text: str
    start: int
    end: int


def _words(line: str) -> list[_Word]:
    out, i, n = [], 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        j = i
        while j < n and not line[j].isspace():
            j += 1
        out.append(_Word(line[i:j], i, j))
        i = j
    return out


def _is_data(line: str) -> bool:
    """A row's line: at least two numbers, apart by a column gap somewhere in the line."""
    words = line.split()
    return sum(1 for w in words if is_number(w)) >= 2 and (" " * MIN_GAP) in line.strip()


@dataclass
class _Part:
    header: list[int]            # 0-based indexes of the header lines (empty: none printed on this page)
    rows: list[list[int]]        # each row's lines; the first is its line of numbers


def _blocks(lines: list[str], start: int, stop: int) -> list[list[int]]:
    """Runs of non-blank lines between start and stop; a form feed starts a new run."""
    out: list[list[int]] = []
    current: list[int] = []
    for k in range(start, stop):
        line = lines[k]
        if "\f" in line and current:
            out.append(current)
            current = []
        if line.strip():
            current.append(k)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _top_aligned(block: list[int], lines: list[str]) -> int:
    """How many lines of a block belong to rows printed from the top of their cells (Word's and LibreOffice's
    default), 0 when they are not printed so: the line of numbers is then every cell's first line, so each
    word of a line below it stands under a word of that line (a band "TRUNG" / "BÌNH", a name "Hiệp" /
    "Xương"); the first line after the last row that does not is text after the table. Cells centred on
    their line of numbers leave it blank where a cell of two lines is printed ("TRUNG" above, "BÌNH" below)."""
    above, seen, last = None, False, max((n for n, k in enumerate(block) if _is_data(lines[k])), default=-1)
    for n, k in enumerate(block):
        if _is_data(lines[k]):
            above = [(w.start, w.end) for w in _words(lines[k].replace("\f", " "))]
            continue
        if above is None:
            return 0
        if not all(_overlaps(w, above) for w in _words(lines[k].replace("\f", " "))):
            return n if n > last and seen else 0
        seen = True
    return len(block) if seen else 0


def _split_rows(block: list[int], lines: list[str]) -> list[list[int]]:
    """The rows of a block holding lines of numbers. Printed from the top of their cells (_top_aligned),
    each other line belongs to the line of numbers above it. Else each goes to the nearest line of numbers,
    the nearest lines first; a line halfway between two goes to the row above when that row has more lines
    above its numbers than below them so far (a row's cells are centred on its line of numbers)."""
    data = [k for k in block if _is_data(lines[k])]
    rows: dict[int, list[int]] = {d: [d] for d in data}
    top = _top_aligned(block, lines)
    if top:
        for k in block[:top]:
            if k not in rows:
                rows[max(d for d in data if d < k)].append(k)
        return [rows[d] for d in data]
    others = sorted((min(abs(d - k) for d in data), k) for k in block if k not in rows)
    for _, k in others:
        above = max((d for d in data if d < k), default=None)
        below = min((d for d in data if d > k), default=None)
        if above is None or below is None or (k - above) != (below - k):
            target = above if below is None or (above is not None and k - above < below - k) else below
        else:
            ups = sum(1 for x in rows[above] if x < above)
            downs = sum(1 for x in rows[above] if x > above)
            target = above if ups > downs else below
        rows[target].append(k)
    return [[d] + sorted(x for x in rows[d] if x != d) for d in data]


def _header_texts(lines: list[str], header: list[int], rows: list[list[int]]) -> list[str]:
    """Each column's header.

    A header's words are not where the numbers below them are (pdftotext spaces each line by its own
    letters, so a dense header drifts by several positions against its columns), but they keep their
    order. The header is therefore read as a stream, word by word from left to right (columns.stream_columns,
    as a header printed as running text), which gives the columns it names in printed order; these are
    given to the columns the rows fill, in order: the STT column (numbers, left of the names), the unit
    names, the band (words) and the value columns (numbers). When the counts do not agree, each column
    keeps the header words printed over it, and the grid reader judges them."""
    spans = _columns(lines, rows)
    printed = [collapse(cols.rejoin_broken_words(t)) for t in _cells(lines, header, spans, "\n")]
    found = cols.stream_columns(_header_stream(lines, header, spans))
    if found is None:
        return printed
    kinds = _data_kinds([_cells(lines, r, spans, " ") for r in rows], found[0])
    if kinds is None:
        return printed
    return [cols.LABELS[k] for k in kinds]


def _header_stream(lines: list[str], header: list[int], spans: list[tuple[int, int]]) -> str:
    """The header's words left to right: grouped by where their middles fall (a gap of a third of the
    narrowest column pitch or more between two groups: one header cell's lines share their middle), each
    group's words top down, a line break between lines (so columns.rejoin_broken_words sees them)."""
    centers = [(a + b) / 2 for a, b in spans]
    pitch = min((b - a for a, b in pairwise(centers)), default=6.0)
    words = sorted(((w.start + w.end) / 2, n, w.start, w.text) for n, k in enumerate(header)
                   for w in _words(lines[k].replace("\f", " ")))
    groups: list[list[tuple[float, int, int, str]]] = []
    for item in words:
        if groups and item[0] - groups[-1][-1][0] < max(2.0, pitch / 3):
            groups[-1].append(item)
        else:
            groups.append([item])
    out = []
    for group in groups:
        by_line: dict[int, list[tuple[int, str]]] = {}
        for _, n, start, text in group:
            by_line.setdefault(n, []).append((start, text))
        out += [" ".join(t for _, t in sorted(by_line[n])) for n in sorted(by_line)]
    return "\n".join(out)


def _data_kinds(cells: list[list[str]], named: list[str]) -> list[str] | None:
    """The column of each position, from what the rows hold and the columns the header names in order
    (value columns and the band); None when they do not agree."""
    width = len(cells[0]) if cells else 0
    # the district's row may print its label across the STT and name columns ("TOÀN" / "HUYỆN"): the kinds
    # of the columns are those of the units' rows
    units = [row for row in cells if not (width > 1 and cols.is_total_label(collapse(f"{row[0]} {row[1]}")))]
    cells = units or cells
    types = []
    for c in range(width):
        texts = [row[c] for row in cells if row[c]]
        if not texts:
            return None
        types.append("num" if all(is_number(t) or is_blank_mark(t) for t in texts) else "text")
    if "text" not in types:
        return None
    name_at = types.index("text")
    if name_at > 1:
        return None
    out = (["reported_rank"] if name_at == 1 else []) + [cols.NAME]
    values = [k for k in named if k != cols.BAND]
    texts = [t for t in types[name_at + 1:] if t == "text"]
    if len(texts) != (cols.BAND in named) or types[name_at + 1:].count("num") != len(values):
        return None
    for t in types[name_at + 1:]:
        out.append(cols.BAND if t == "text" else values.pop(0))
    return out


def _names_columns(lines: list[str], header: list[int], rows: list[list[int]]) -> bool:
    """Whether the header lines, read column by column over the rows below them, name the unit and score."""
    if not header or not rows:
        return False
    kinds = cols.cell_columns(_header_texts(lines, header, rows))
    return cols.NAME in kinds and "score" in kinds


def _rows_from(blocks: list[list[int]], i: int, lines: list[str]) -> list[list[int]]:
    """The rows of the blocks from i on that hold lines of numbers (up to the first that holds none)."""
    rows: list[list[int]] = []
    while i < len(blocks) and any(_is_data(lines[k]) for k in blocks[i]):
        rows += _split_rows(blocks[i], lines)
        i += 1
    return rows


def _leading_header(lines: list[str], block: list[int], following: list[list[int]]) -> int | None:
    """How many lines at the top of a block holding rows are a header printed right above them (no blank
    line between): as many lines above the first line of numbers as the first row has below it belong to
    it (its cells are centred on its line of numbers); the lines above those are the header, if they name
    the columns."""
    d0 = next(n for n, k in enumerate(block) if _is_data(lines[k]))
    if d0 == 0 or d0 > HEADER_MAX_LINES:
        return None
    below = 0 if _top_aligned(block[d0:], lines) else len(_split_rows(block[d0:], lines)[0]) - 1
    for m in [d0 - below, *range(d0, 0, -1)]:
        if m > 0 and _names_columns(lines, block[:m], _split_rows(block[m:], lines) + following):
            return m
    return None


def find(lines: list[str]) -> list[_Part] | None:
    """The parts of the first laid-out table with a header, or None."""
    if not any(_is_data(line) for line in lines):
        return None
    blocks = _blocks(lines, 0, len(lines))
    for i in range(len(blocks)):
        block = blocks[i]
        if any(_is_data(lines[k]) for k in block):
            m = _leading_header(lines, block, _rows_from(blocks, i + 1, lines))
            if m is not None:  # the header touches the first row
                return _parts(lines, [*blocks[:i], block[:m], block[m:], *blocks[i + 1:]], i)
            continue
        if len(block) > HEADER_MAX_LINES:
            continue
        rows = _rows_from(blocks, i + 1, lines)
        if rows and _names_columns(lines, block, rows):
            return _parts(lines, blocks, i)
    return None


def _parts(lines: list[str], blocks: list[list[int]], first: int) -> list[_Part]:
    parts = [_Part(blocks[first], [])]
    i = first + 1
    while i < len(blocks):
        block = blocks[i]
        if any(_is_data(lines[k]) for k in block):
            m = None if _is_data(lines[block[0]]) else _leading_header(lines, block, _rows_from(blocks, i + 1, lines))
            if m is not None:  # the header printed again, right above the rows of a new page
                parts.append(_Part(block[:m], []))
                block = block[m:]
            elif "\f" in lines[block[0]] and parts[-1].rows:
                parts.append(_Part([], []))  # a new page that does not print the header again
            parts[-1].rows += _split_rows(block, lines)
            i += 1
            continue
        rows = _rows_from(blocks, i + 1, lines)
        if len(block) <= HEADER_MAX_LINES and _names_columns(lines, block, rows):
            parts.append(_Part(block, []))  # the header printed again on a new page
        elif not (i + 2 < len(blocks) and not any(_is_data(lines[k]) for k in blocks[i + 1])
                  and _names_columns(lines, blocks[i + 1], _rows_from(blocks, i + 2, lines))
                  or _page_foot(lines, block, blocks[i + 1] if i + 1 < len(blocks) else None)):
            break  # the end of the table (else: a page's running title or number before the header)
        i += 1
    return [p for p in parts if p.rows]


def _page_foot(lines: list[str], block: list[int], following: list[int] | None) -> bool:
    """Whether a block between two rows of the table is the foot of a page (a footnote, a page number): a
    few lines without numbers in columns, and the rows going on at the top of the next page."""
    return (following is not None and len(block) <= PAGE_FOOT_MAX_LINES and "\f" in lines[following[0]]
            and not any(_is_data(lines[k]) for k in block) and any(_is_data(lines[k]) for k in following))


def _runs(words: list[_Word], width: int, gap: int = MIN_GAP) -> list[tuple[int, int]]:
    """[start, end) of the runs of positions the words fill, apart by `gap` blank positions or more."""
    filled = [False] * width
    for w in words:
        for x in range(w.start, w.end):
            filled[x] = True
    spans, x = [], 0
    while x < width:
        if not filled[x]:
            x += 1
            continue
        start = end = x
        while x < width:
            if filled[x]:
                end = x + 1
                x += 1
            elif x + gap <= width and not any(filled[x:x + gap]):
                break
            else:
                x += 1
        spans.append((start, end))
    return spans


def _columns(lines: list[str], rows: list[list[int]]) -> list[tuple[int, int]]:
    """[start, end) of each column. The rows' lines of numbers give the columns first (their cells are side
    by side on one line); the words wrapped above and below them that fall in none of those make the
    columns printed only wrapped (a band "TRUNG" / "BÌNH" over and under its row). Words of different
    lines are not side by side, so they are not allowed to join two columns into one."""
    width = max(len(lines[k]) for r in rows for k in r)
    on_data = [w for r in rows for w in _words(lines[r[0]].replace("\f", " "))]
    # numbers first, apart by one blank: two numbers of a line are two cells, however close they are printed
    spans = _runs([w for w in on_data if is_number(w.text)], width, gap=1)
    spans += _runs([w for w in on_data if not is_number(w.text) and not _overlaps(w, spans)], width)
    wrapped = [w for r in rows for k in r[1:] for w in _words(lines[k].replace("\f", " ")) if not _overlaps(w, spans)]
    return sorted(spans + _runs(wrapped, width))


def _overlaps(word: _Word, spans: list[tuple[int, int]]) -> bool:
    return any(min(b, word.end) > max(a, word.start) for a, b in spans)


def _column_of(word: _Word, spans: list[tuple[int, int]]) -> int:
    """The column a word falls in: the one it overlaps most, else the nearest."""
    best, best_overlap = 0, -1
    for c, (a, b) in enumerate(spans):
        overlap = min(b, word.end) - max(a, word.start)
        if overlap > best_overlap:
            best, best_overlap = c, overlap
    if best_overlap > 0:
        return best
    middle = (word.start + word.end) / 2
    return min(range(len(spans)), key=lambda c: abs((spans[c][0] + spans[c][1]) / 2 - middle))


def _cells(lines: list[str], line_numbers: list[int], spans: list[tuple[int, int]], sep: str) -> list[str]:
    parts: list[list[str]] = [[] for _ in spans]
    for k in sorted(line_numbers):
        on_line: list[list[str]] = [[] for _ in spans]
        for w in _words(lines[k].replace("\f", " ")):
            on_line[_column_of(w, spans)].append(w.text)
        for c, ws in enumerate(on_line):
            if ws:
                parts[c].append(" ".join(ws))
    return [sep.join(p) for p in parts]


def detect(lines: list[str]) -> bool:
    return find(lines) is not None


def parse(lines: list[str], source: str, parts: list[_Part] | None = None) -> TableResult:
    parts = find(lines) if parts is None else parts
    if not parts:
        raise InputError(source, None, "không tìm thấy bảng điểm dàn theo cột (tiêu đề có “ĐƠN VỊ”, “ĐIỂM TỔNG "
                                       "HỢP” và các dòng số liệu)")
    grid: list[GridRow] = []
    first_line = parts[0].header[0] + 1
    head: list[str] | None = None
    for part in parts:
        spans = _columns(lines, part.rows)
        if part.header:
            texts = _header_texts(lines, part.header, part.rows)
            if head is not None and cols.cell_columns(texts) != cols.cell_columns(head):
                raise InputError(source, part.header[0] + 1,
                                 "tiêu đề bảng in lại sau ngắt trang không cùng các cột với tiêu đề đầu bảng")
            head = head or texts
        elif head is None or len(spans) != len(head):
            line = part.rows[0][0] + 1
            raise InputError(source, line, "bảng sang trang mới không in lại tiêu đề và số cột khác trang trước: "
                                           "không biết cột nào là cột nào")
        for r in part.rows:
            grid.append(GridRow(r[0] + 1, _cells(lines, r, spans, " ")))
    assert head is not None
    _check_rows_outside(lines, parts, source)
    return parse_grid([GridRow(first_line, head), *grid], source, header_rows=1, start=0)


def _check_rows_outside(lines: list[str], parts: list[_Part], source: str) -> None:
    """A line shaped like the table's rows above the header read (a part of the table whose header could
    not be read) or after the table's end (rows the reader could not join to it) would be left out:
    refused, with its line."""
    counts = [sum(1 for w in lines[r[0]].split() if is_number(w)) for p in parts for r in p.rows]
    least = max(3, min(counts))
    first, last = parts[0].header[0], max(parts[-1].rows[-1])

    def row_like(k: int) -> bool:
        return _is_data(lines[k]) and sum(1 for w in lines[k].split() if is_number(w)) >= least

    for k in range(first):
        if row_like(k):
            raise InputError(source, k + 1, "dòng này có dạng một dòng của bảng điểm nhưng nằm trên tiêu đề bảng đọc "
                                            f"được (dòng {first + 1}); tiêu đề của phần bảng phía trên "
                                            "không đọc được nên số liệu của nó không được bỏ qua: cần bản có tiêu đề rõ")
    for k in range(last + 1, len(lines)):
        if row_like(k):
            raise InputError(source, k + 1, "dòng này có dạng một dòng của bảng điểm nhưng nằm sau chỗ bảng kết thúc "
                                            f"(dòng {last + 1}); số liệu của nó không được bỏ qua: kiểm tra các dòng "
                                            "phía trên")
