"""The national portal's files (dichvucong.gov.vn, Decision 766 index since the 2025 reform).

Four formats, told apart by their content, never by their name:

- ``portal-provinces``: the new API's ``service-results`` response (``data.evaluation[]``): one row per
  unit with its total and ``groupScores``;
- ``portal-communes``: a province's communes with total and six group scores (``metadata``,
  ``overview``, ``communes[]``), the group keys differing between overview (CLGQ) and communes (ONLINE);
- ``portal-progress-tree``: the new API's per-group tree (``data.parent``, ``data.children[]``) with
  numerator (``totalOnTime``), denominator (``totalReceived``), ratio and score of one group;
- ``portal-old-api``: the old API's rows (``jsp/rest.jsp``) exported to Excel, one sheet per list,
  every value stored as text, units of every level mixed in one ranking (``ROW_STT``).

Each row keeps where it was read: ``source_ref`` (a JSON pointer such as ``/data/evaluation/3``, or a
sheet and row such as ``Xã Phường!5``) and ``source_line`` (the line of the JSON file where the
object starts, or the spreadsheet row). The period comes from the content when it says it (metadata,
the export's trend sheets and its creation date), else from the file name (``_2026-09-17`` = figures of
the year to that capture date, ``_2026-08`` or ``T10_2025`` = one month), else from ``--as-of``; a file
whose period cannot be known is refused. Names are matched to the 2025 registry by helpers.portal.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import lineage, params
from helpers.errors import InputError
from helpers.parsers.archive import check_zip
from helpers.parsers.base import nfc, read_bytes
from helpers.portal.period import PortalPeriod

FORMATS = ("portal-provinces", "portal-communes", "portal-progress-tree", "portal-old-api")
METHOD = {"portal-provinces": "new-api", "portal-communes": "new-api", "portal-progress-tree": "new-api",
          "portal-old-api": "old-api"}
# the old API's header: the columns a score sheet must have (the group columns come from params)
OLD_API_COLUMNS = {"TEN_COQUAN", "MA_COQUAN", "LOAI_COQUAN", "TONG_SCORE", "ROW_STT"}
OLD_API_LEVELS = {"1": "province", "2": "department", "3": "commune"}
NEW_API_LEVELS = {"PROVINCE": "department", "COMMUNE": "commune"}
# unit types a portal name starts with ("UBND xã …", "UBND Đặc khu …", "UBND Thành phố …")
UNIT_TYPES = ("đặc khu", "thị trấn", "thành phố", "phường", "xã", "tỉnh")
NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")


@dataclass
class PortalFile:
    source: str
    path: Path
    sha256: str
    format: str                  # one of FORMATS
    method: str                  # "new-api" / "old-api"
    province: str | None         # the province the file is about, as printed ("An Giang"); None: national
    columns: dict = field(default_factory=dict, repr=False)  # one list per column, a row per unit, as read
    notes: list[tuple[int | None, str, str]] = field(default_factory=list)  # (line, rule, message)


# -- detection -------------------------------------------------------------------------------------

def detect(data: bytes) -> str | None:
    """The portal format of a file's bytes, or None when it is not a portal file."""
    return _detect(data)[0]


def _detect(data: bytes) -> tuple[str | None, dict | None, str | None]:
    """(format, the decoded JSON document and its text when the file is JSON). Names are put in NFC
    one by one (split_name), not the whole text: a national year is 80 MB of JSON."""
    if data.startswith(b"PK\x03\x04"):
        return ("portal-old-api" if _old_api_sheets_present(data) else None), None, None
    if data.lstrip()[:1] not in (b"{", b"\xef"):
        return None, None, None
    try:
        text = data.decode("utf-8-sig")
        doc = json.loads(text)
    except ValueError:  # (UnicodeDecodeError is one)
        return None, None, None
    return _json_format(doc), doc, text


def _json_format(doc) -> str | None:
    if not isinstance(doc, dict):
        return None
    body = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    if isinstance(body.get("evaluation"), list):
        return "portal-provinces"
    if isinstance(body.get("children"), list) and isinstance(body.get("parent"), dict):
        return "portal-progress-tree"
    if isinstance(doc.get("communes"), list) and isinstance(doc.get("overview"), dict):
        return "portal-communes"
    return None


def _old_api_sheets_present(data: bytes) -> bool:
    """An xlsx whose header cells (shared or inline strings) name the old API's columns."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = [n for n in zf.namelist() if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/")]
            # the header is at the top of a sheet: the first 64 KiB of each part is enough
            text = "".join(zf.open(n).read(65536).decode("utf-8", "replace") for n in parts)
    except Exception:  # noqa: BLE001 - a damaged archive is no portal file (its own reader says what is wrong)
        return False
    return all(f">{c}<" in text for c in OLD_API_COLUMNS)


# -- parsing ---------------------------------------------------------------------------------------

def parse(path: str | Path, as_of: str | None = None) -> PortalFile:
    """Parse one portal file. Raises InputError naming the file and the line when the content is wrong."""
    path = Path(path)
    source = path.name
    data = read_bytes(path, source)
    fmt, doc, text = _detect(data)
    if fmt is None:
        raise InputError(source, None, "không phải tệp số liệu của Cổng Dịch vụ công quốc gia")
    given = _period_from_as_of(as_of) if as_of else None
    out = PortalFile(source, path, hashlib.sha256(data).hexdigest(), fmt, METHOD[fmt], None)
    if fmt == "portal-old-api":
        _parse_old_api(data, out, given)
    else:
        {"portal-provinces": _parse_provinces, "portal-communes": _parse_communes,
         "portal-progress-tree": _parse_tree}[fmt](doc, text, out, given)
    return out


def _groups() -> dict[str, dict]:
    return params.portal()["groups"]


@lru_cache(maxsize=65536)
def split_name(printed: str) -> tuple[str, str | None, str | None]:
    """'UBND xã Đông Thái - tỉnh An Giang' -> ('Đông Thái', 'xã', 'An Giang');
    'UBND xã Kông Bơ La - Gia Lai' -> ('Kông Bơ La', 'xã', 'Gia Lai');
    'UBND phường Văn Miếu - Quốc Tử Giám' -> ('Văn Miếu - Quốc Tử Giám', 'phường', None) (no province);
    'UBND Thành phố Đồng Nai' -> ('Đồng Nai', 'thành phố', None);
    'Sở Du lịch - tỉnh An Giang' -> ('Sở Du lịch', None, 'An Giang')."""
    text = " ".join(nfc(printed).split())
    province = None
    m = re.match(r"^(.*)\s+-\s+((?:tỉnh|thành phố)\s+)?(.+)$", text, flags=re.IGNORECASE)
    if m and (m.group(2) or lineage.province_2025(m.group(3)) is not None):
        text, province = m.group(1), m.group(3)
    body = re.sub(r"^(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+", "", text, flags=re.IGNORECASE)
    if body != text:
        for t in UNIT_TYPES:
            if body.lower().startswith(t + " "):
                return body[len(t) + 1:].strip(), t, province
    return text, None, province


def _province_of(printed: str | None) -> str | None:
    if not printed:
        return None
    name, _, province = split_name(printed)
    return province or name


@dataclass
class _List:
    """One list of units being read: the items (a dict per unit, keys as the file writes them), where
    each starts (line, and a JSON pointer or sheet!row), and the checks, done a column at a time."""

    items: list[dict]
    lines: list[int]
    refs: list[str]
    source: str

    def fail(self, i: int, message: str):
        raise InputError(self.source, self.lines[i], f"{self.refs[i]}: {message}")

    def values(self, key: str) -> list:
        return [it.get(key) for it in self.items]

    def numbers(self, values: list, what: str) -> np.ndarray:
        """Numbers (JSON numbers or numbers stored as text) as floats, NaN where absent (null, blank);
        anything else refuses the file at its line."""
        if {type(v) for v in values} <= {int, float, type(None)}:  # JSON numbers: no text to check
            return np.array([np.nan if v is None else v for v in values], dtype=float)
        col = pd.Series(values, dtype=object)
        text = col.map(lambda v: v.strip() if isinstance(v, str) else v)
        blank = text.isna() | text.eq("")
        bad = ~blank & ~text.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
                                 or isinstance(v, str) and NUMBER_RE.match(v) is not None)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            self.fail(i, f"{what}: “{values[i]}” không phải là số")
        return pd.to_numeric(text.mask(blank), errors="raise").to_numpy(dtype=float, na_value=np.nan)

    def integers(self, values: list, what: str) -> np.ndarray:
        numbers = self.numbers(values, what)
        bad = ~np.isnan(numbers) & ((numbers < 0) | (numbers != np.floor(numbers)))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            self.fail(i, f"{what}: “{values[i]}” không phải là số nguyên không âm")
        return numbers

    def names(self, key_options: tuple[str, ...] = ("departmentName",)) -> list[str]:
        """The unit's name: the first key of `key_options` holding text."""
        names = self.values(key_options[0])
        for i, n in enumerate(names):
            if type(n) is not str or not n.strip():
                names[i] = next((self.items[i][k] for k in key_options[1:]
                                 if isinstance(self.items[i].get(k), str) and self.items[i][k].strip()), None)
                if names[i] is None:
                    self.fail(i, f"thiếu tên đơn vị ({key_options[0]})")
        return names

    def frame(self, levels: list[str], names: list[str], codes: list, ids: list, period: PortalPeriod) -> dict:
        """The columns every list has, as plain lists (one frame is built for all files at once)."""
        parts = [split_name(n) for n in names]
        n = len(names)
        return {
            "level": levels, "printed_name": [nfc(n) for n in names], "unit": [p[0] for p in parts],
            "unit_type": [p[1] for p in parts], "printed_province": [p[2] for p in parts],
            "portal_code": [None if c is None else str(c) for c in codes],
            "portal_id": [None if d is None else str(d) for d in ids],
            "period_kind": [period.kind] * n, "year": [period.year] * n, "month": [period.month] * n,
            "captured": [period.captured.isoformat() if period.captured else None] * n,
            "period_given_by": [period.given_by] * n, "source_ref": self.refs, "source_line": self.lines,
        }

    def groups(self, frame: dict, scores: list[dict]) -> None:
        """The six groups from each item's `groupScores` (the keys the portal writes: CLGQ or ONLINE)."""
        known = {k for g in _groups().values() for k in g["keys"]}
        for i, sc in enumerate(scores):
            if not isinstance(sc, dict):
                self.fail(i, "thiếu điểm các nhóm (groupScores)")
        by_keys: dict[frozenset, list[int]] = {}  # items with the same keys (usually all of them) together
        first = scores[0].keys() if scores else set()
        if all(sc.keys() == first for sc in scores):
            by_keys[frozenset(first)] = list(range(len(scores)))
        else:
            for i, sc in enumerate(scores):
                by_keys.setdefault(frozenset(sc), []).append(i)
        for keys, rows in by_keys.items():
            if keys - known:
                self.fail(rows[0], f"nhóm điểm không biết “{', '.join(sorted(keys - known))}”")
        for key, g in _groups().items():
            chosen: list[str | None] = [None] * len(scores)
            for keys, rows in by_keys.items():
                present = [k for k in g["keys"] if k in keys]
                if len(present) > 1:
                    self.fail(rows[0], f"nhóm {g['short']} ghi hai lần ({', '.join(present)})")
                for i in rows:
                    chosen[i] = present[0] if present else None
            frame[key] = self.numbers([None if k is None else sc[k] for sc, k in zip(scores, chosen)],
                                      f"nhóm {g['short']}")


def _json_list(doc: dict, text: str, path: list[str], source: str) -> _List:
    items = doc
    for key in path:
        items = items[key]
    pointer = "/" + "/".join(path)
    return _List(items, element_lines(text, path), [f"{pointer}/{i}" for i in range(len(items))], source)


def _parse_provinces(doc: dict, text: str, out: PortalFile, given: PortalPeriod | None) -> None:
    period = _json_period(doc, out, given)
    lst = _json_list(doc, text, ["data", "evaluation"], out.source)
    codes = lst.values("departmentCode")
    levels = ["province" if isinstance(c, str) and "." not in c else
              "commune" if it.get("childGroup") == "COMMUNE" else "department" for c, it in zip(codes, lst.items)]
    frame = lst.frame(levels, lst.names(), codes, lst.values("departmentId"), period)
    frame["total"] = lst.numbers(lst.values("totalScore"), "totalScore")
    lst.groups(frame, [it.get("groupScores") or {} for it in lst.items])
    frame["portal_rank"] = lst.integers(lst.values("rank"), "rank")
    out.columns = frame


def _parse_communes(doc: dict, text: str, out: PortalFile, given: PortalPeriod | None) -> None:
    period = _json_period(doc, out, given)
    out.province = _province_of((doc.get("metadata") or {}).get("province") or doc["overview"].get("departmentName"))
    lst = _json_list(doc, text, ["communes"], out.source)
    count = doc.get("count")
    if count is not None and count != len(lst.items):
        raise InputError(out.source, None, f"tệp ghi count = {count} nhưng có {len(lst.items)} xã, phường")
    levels = [NEW_API_LEVELS.get(g or "COMMUNE", "commune") for g in lst.values("childGroup")]
    frame = lst.frame(levels, lst.names(), lst.values("departmentCode"), lst.values("departmentId"), period)
    frame["total"] = lst.numbers(lst.values("totalScore"), "totalScore")
    lst.groups(frame, [it.get("groupScores") or {} for it in lst.items])
    frame["portal_rank"] = lst.integers(lst.values("rank"), "rank")
    frame["portal_group_rank"] = lst.integers(lst.values("groupRank"), "groupRank")
    out.columns = frame


def _parse_tree(doc: dict, text: str, out: PortalFile, given: PortalPeriod | None) -> None:
    """One group's tree: the group is the one whose maximum the children carry (TDGQ: 20)."""
    period = _json_period(doc, out, given)
    out.province = _province_of(doc["data"]["parent"].get("departmentName"))
    lst = _json_list(doc, text, ["data", "children"], out.source)
    group = _tree_group(set(lst.numbers(lst.values("maxScore"), "maxScore").tolist()), out.source)
    levels = [NEW_API_LEVELS.get(v) for v in lst.values("level")]
    for i, level in enumerate(levels):
        if level is None:
            lst.fail(i, f"level “{lst.items[i].get('level')}” không rõ (cần PROVINCE hoặc COMMUNE)")
    names = lst.names()
    frame = lst.frame(levels, names, lst.values("departmentCode"), lst.values("departmentId"), period)
    frame[group] = lst.numbers(lst.values("score"), "score")
    num = lst.integers(lst.values("totalOnTime"), "totalOnTime")
    den = lst.integers(lst.values("totalReceived"), "totalReceived")
    overdue = lst.integers(lst.values("totalOverdue"), "totalOverdue")
    for bad, text_of in ((num + overdue != den, lambda i: f"đúng hạn {num[i]:g} + quá hạn {overdue[i]:g} khác số "
                                                           f"hồ sơ tiếp nhận {den[i]:g}"),
                         (num > den, lambda i: f"đúng hạn {num[i]:g} lớn hơn tiếp nhận {den[i]:g}")):
        hit = np.flatnonzero(bad & ~np.isnan(num) & ~np.isnan(den))
        if hit.size:
            lst.fail(int(hit[0]), f"{names[hit[0]]}: {text_of(int(hit[0]))}")
    frame[f"{group}_num"], frame[f"{group}_den"] = num, den
    frame[f"{group}_ratio"] = lst.numbers(lst.values("ratio"), "ratio")
    out.columns = frame


def _tree_group(maxima: set, source: str) -> str:
    found = [k for k, g in _groups().items() if {float(g["max"])} == maxima]
    if len(found) != 1:
        # two groups share a maximum (CKMB and MDHL: 18): the tree does not say which one it is
        raise InputError(source, None, f"không xác định được nhóm chỉ số của cây số liệu (điểm tối đa "
                                       f"{', '.join(f'{m:g}' for m in sorted(maxima))})")
    return found[0]


# -- the old API's Excel export ----------------------------------------------------------------------

def _parse_old_api(data: bytes, out: PortalFile, given: PortalPeriod | None) -> None:
    check_zip(data, out.source, "xlsx")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any library failure is bad content
        raise InputError(out.source, None, f"không mở được bảng tính XLSX ({type(exc).__name__})") from None
    try:
        sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
        created = wb.properties.created
    finally:
        wb.close()
    year, month = _trend_period(sheets, out.source)
    kinds = params.portal()["old_api_sheets"]
    found, frames = False, []
    for title, rows in sheets.items():
        header = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else ())]
        if not OLD_API_COLUMNS <= set(header):
            continue
        found = True
        if title not in kinds:
            raise InputError(out.source, 1, f"trang tính “{title}” có bảng điểm nhưng không rõ kỳ số liệu "
                                            "(thêm vào old_api_sheets trong params/portal.yaml)")
        period = given or _old_api_period(kinds[title], year, month, created, out.source)
        frames.append(_old_api_rows(title, header, rows, period, out))
    if not found:
        raise InputError(out.source, None, "không tìm thấy trang tính có các cột "
                                           f"{', '.join(sorted(OLD_API_COLUMNS))}")
    out.columns = {k: [v for f in frames for v in f[k]] for k in frames[0]}


def _trend_period(sheets: dict[str, list], source: str) -> tuple[int | None, int | None]:
    """(year, latest month) from the export's monthly trend sheet (columns month, year, score)."""
    for rows in sheets.values():
        if not rows:
            continue
        header = [str(c).strip().lower() if c is not None else "" for c in rows[0]]
        if {"month", "year"} <= set(header):
            m, y = header.index("month"), header.index("year")
            kept = [(i, r) for i, r in enumerate(rows[1:], start=2) if r[y] is not None and r[m] is not None]
            lst = _List([{"year": r[y], "month": r[m]} for _, r in kept], [i for i, _ in kept],
                        [f"dòng {i}" for i, _ in kept], source)
            if kept:
                years, months = lst.integers(lst.values("year"), "year"), lst.integers(lst.values("month"), "month")
                return max(zip(years.astype(int).tolist(), months.astype(int).tolist()))
    return None, None


def _old_api_period(kind: str, year, month, created, source: str) -> PortalPeriod:
    if year is None:
        raise InputError(source, None, "không xác định được năm của số liệu (không có trang xu hướng tháng); "
                                       "hãy ghi rõ bằng --as-of")
    captured = created.date() if isinstance(created, datetime) else None
    if captured is not None and (captured.year, captured.month) < (year, month or 1):
        captured = None  # a creation date before the figures is not when they were taken
    if kind == "month":
        return PortalPeriod("month", year, month, captured)
    return PortalPeriod("year", year, None, captured)


def _old_api_rows(title: str, header: list[str], rows: list, period: PortalPeriod, out: PortalFile) -> dict:
    col = {name: i for i, name in enumerate(header) if name}
    group_cols = {k: next((c for c in g["keys"] if c in col), None) for k, g in _groups().items()}
    missing = [g["short"] for k, g in _groups().items() if group_cols[k] is None]
    if missing:
        raise InputError(out.source, 1, f"trang tính “{title}”: thiếu cột nhóm {', '.join(missing)}")
    kept = [(r, values) for r, values in enumerate(rows[1:], start=2)
            if not all(v is None or str(v).strip() == "" for v in values)]
    items = [{name: (values[i] if i < len(values) else None) for name, i in col.items()} for _, values in kept]
    lst = _List(items, [r for r, _ in kept], [f"{title}!{r}" for r, _ in kept], out.source)
    levels = [OLD_API_LEVELS.get(str(v).strip()) for v in lst.values("LOAI_COQUAN")]
    for i, level in enumerate(levels):
        if level is None:
            lst.fail(i, f"LOAI_COQUAN “{items[i].get('LOAI_COQUAN')}” không rõ (cần 1, 2 hoặc 3)")
    ids = [it.get("ID_COQUAN") or it.get("ID") for it in items]
    frame = lst.frame(levels, lst.names(("TEN_COQUAN", "TEN")), lst.values("MA_COQUAN"), ids, period)
    frame["total"] = lst.numbers(lst.values("TONG_SCORE"), "cột TONG_SCORE")
    for key, c in group_cols.items():
        frame[key] = lst.numbers(lst.values(c), f"cột {c}")
    frame["portal_rank"] = lst.integers(lst.values("ROW_STT"), "cột ROW_STT")
    communes = [p for lv, p in zip(frame["level"], frame["printed_province"]) if lv == "commune" and p]
    if out.province is None and communes:
        out.province = communes[0]
    return frame


# -- periods -----------------------------------------------------------------------------------------

def _period_from_as_of(text: str) -> PortalPeriod:
    from helpers.errors import UsageError

    text = str(text).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = date.fromisoformat(text)
            return PortalPeriod("year", d.year, None, d, given_by="--as-of")
        if re.fullmatch(r"\d{4}-\d{2}", text):
            y, m = map(int, text.split("-"))
            date(y, m, 1)
            return PortalPeriod("month", y, m, None, given_by="--as-of")
    except ValueError:
        pass
    raise UsageError(f"--as-of {text}: cần ngày lấy số liệu YYYY-MM-DD (lũy kế năm) hoặc tháng YYYY-MM")


def period_from_name(name: str) -> PortalPeriod | None:
    """'…_2026-09-17.json' -> the year to 17/09/2026; '…_2026-08_….json' or '…_T10_2025…' -> one month."""
    m = re.search(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)", name)
    if m:
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
        return PortalPeriod("year", d.year, None, d, given_by="file name")
    m = re.search(r"(?<!\d)(\d{4})-(\d{2})(?![\d-])", name) or None
    if m and 1 <= int(m[2]) <= 12:
        return PortalPeriod("month", int(m[1]), int(m[2]), None, given_by="file name")
    m = re.search(r"(?<![A-Za-z])T(\d{1,2})[_-](\d{4})(?!\d)", name)
    if m and 1 <= int(m[1]) <= 12:
        return PortalPeriod("month", int(m[2]), int(m[1]), None, given_by="file name")
    return None


def _json_period(doc: dict, out: PortalFile, given: PortalPeriod | None) -> PortalPeriod:
    """The period from metadata (timeType, year, period, extractedAt), else --as-of, else the file name;
    checked against the months the response has figures for (monthlyChart)."""
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else None
    period = None
    if meta and meta.get("timeType") in ("year", "month") and isinstance(meta.get("year"), int):
        captured = _iso_date(meta.get("extractedAt"))
        month = meta.get("period") if meta["timeType"] == "month" else None
        period = PortalPeriod(meta["timeType"], meta["year"], month, captured)
        if given is not None and (given.kind, given.year, given.month) != (period.kind, period.year, period.month):
            raise InputError(out.source, None, f"tệp ghi kỳ {period.label()} nhưng được nạp cho kỳ {given.label()}")
    period = period or given or period_from_name(out.source)
    if period is None:
        raise InputError(out.source, None, "tệp không ghi kỳ số liệu (năm, tháng, ngày lấy số liệu) và tên tệp "
                                           "cũng không có; hãy ghi rõ bằng --as-of YYYY-MM-DD (lũy kế năm đến "
                                           "ngày lấy số liệu) hoặc --as-of YYYY-MM (một tháng)")
    _check_chart(doc, period, out)
    return period


def _check_chart(doc: dict, period: PortalPeriod, out: PortalFile) -> None:
    """A month period must be a month the response has figures for; a year-to-date capture must not
    have figures for months after it."""
    chart = ((doc.get("data") or {}) if isinstance(doc.get("data"), dict) else {}).get("monthlyChart")
    if not isinstance(chart, list):
        return
    with_data = {int(p["month"]) for p in chart if any(v not in (None, 0) for k, v in p.items() if k != "month")}
    if period.kind == "month" and with_data and period.month not in with_data:
        message = (f"kỳ tháng {period.month}/{period.year} nhưng biểu đồ tháng của tệp chỉ có số liệu các "
                   f"tháng {sorted(with_data)}")
        out.notes.append((None, "period_chart", message))
    if period.kind == "year" and period.captured and with_data and max(with_data) > period.captured.month:
        message = (f"lũy kế đến {period.captured:%d/%m/%Y} nhưng biểu đồ tháng của tệp có số liệu "
                   f"tháng {max(with_data)}")
        out.notes.append((None, "period_chart", message))


def _iso_date(text) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


# -- where each element of a JSON array starts ----------------------------------------------------------

_DECODER = json.JSONDecoder()
_WS = re.compile(r"\s*")


def element_lines(text: str, path: list[str]) -> list[int]:
    """The 1-based line where each element of the array at `path` (keys from the root) starts."""
    pos = _descend(text, _skip(text, 0), path)
    if text[pos] != "[":
        raise ValueError(f"/{'/'.join(path)} is not an array")
    return _indented_starts(text, pos) or _decoded_starts(text, pos)


def _indented_starts(text: str, pos: int) -> list[int] | None:
    """Element starts of a pretty-printed array (as json.dumps(indent=...) writes it): each element
    begins a line at one indentation, deeper than the closing bracket's line, inside which no line of
    the elements begins (their own lines are indented deeper still). None when the layout is not that."""
    line_start = text.rfind("\n", 0, pos) + 1
    outer = pos - line_start - len(text[line_start:pos].lstrip(" "))
    first = _skip(text, pos + 1)
    if text[first] == "]":
        return []
    inner = first - (text.rfind("\n", 0, first) + 1)
    if "\n" not in text[pos:first] or inner <= outer or text[first - inner:first].strip(" "):
        return None
    end = text.find("\n" + " " * outer + "]", first)
    if end < 0:
        return None
    element = _element_start(inner)
    starts = [first] + [m.end() - 1 for m in element.finditer(text, first, end)]
    lines, line, last = [], text.count("\n", 0, first) + 1, first
    for start in starts:
        line += text.count("\n", last, start)
        last = start
        lines.append(line)
    return lines


@lru_cache(maxsize=16)
def _element_start(indent: int) -> re.Pattern:
    """A line beginning a value at exactly `indent` spaces (not a closing bracket)."""
    return re.compile("\n" + " " * indent + r"[^\s\]}]")


def _decoded_starts(text: str, pos: int) -> list[int]:
    """Element starts of any array, each element decoded to find where the next begins."""
    lines, line, last = [], 1, 0
    pos = _skip(text, pos + 1)
    while text[pos] != "]":
        line += text.count("\n", last, pos)
        last = pos
        lines.append(line)
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return lines


def _skip(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()


def _descend(text: str, pos: int, path: list[str]) -> int:
    """Position of the value at `path` inside the object starting at `pos`."""
    for key in path:
        if text[pos] != "{":
            raise ValueError(f"no object holding {key!r}")
        pos = _skip(text, pos + 1)
        while True:
            name, pos = _DECODER.raw_decode(text, pos)
            pos = _skip(text, pos)
            pos = _skip(text, pos + 1)  # the colon
            if name == key:
                break
            _, pos = _DECODER.raw_decode(text, pos)
            pos = _skip(text, pos)
            if text[pos] != ",":
                raise ValueError(f"no key {key!r}")
            pos = _skip(text, pos + 1)
    return pos
