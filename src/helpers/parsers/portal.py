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
from pathlib import Path

from helpers import params
from helpers.errors import InputError
from helpers.parsers.archive import check_zip
from helpers.parsers.base import decode_text, nfc, read_bytes

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


@dataclass(frozen=True)
class PortalPeriod:
    kind: str                 # "year" (the year to date) or "month"
    year: int
    month: int | None = None  # the month of a "month" period
    captured: date | None = None  # when the figures were taken from the portal
    given_by: str = "content"     # "content", "file name", "file properties" or "--as-of"

    def label(self) -> str:
        """'năm 2025 (lũy kế đến 16/10/2025)', 'tháng 8/2026'."""
        if self.kind == "month":
            text = f"tháng {self.month}/{self.year}"
            return text + (f" (lấy số liệu ngày {self.captured:%d/%m/%Y})" if self.captured else "")
        return f"năm {self.year}" + (f" (lũy kế đến {self.captured:%d/%m/%Y})" if self.captured else " (lũy kế)")


@dataclass
class PortalFile:
    source: str
    path: Path
    sha256: str
    format: str                  # one of FORMATS
    method: str                  # "new-api" / "old-api"
    province: str | None         # the province the file is about, as printed ("An Giang"); None: national
    rows: list[dict] = field(default_factory=list, repr=False)
    notes: list[tuple[int | None, str, str]] = field(default_factory=list)  # (line, rule, message)


# -- detection -------------------------------------------------------------------------------------

def detect(data: bytes) -> str | None:
    """The portal format of a file's bytes, or None when it is not a portal file."""
    if data.startswith(b"PK\x03\x04"):
        return "portal-old-api" if _old_api_sheets_present(data) else None
    head = data.lstrip()[:1]
    if head != b"{":
        return None
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return _json_format(doc)


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
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    return all(f">{c}<" in text for c in OLD_API_COLUMNS)


# -- parsing ---------------------------------------------------------------------------------------

def parse(path: str | Path, as_of: str | None = None) -> PortalFile:
    """Parse one portal file. Raises InputError naming the file and the line when the content is wrong."""
    path = Path(path)
    source = path.name
    data = read_bytes(path, source)
    fmt = detect(data)
    if fmt is None:
        raise InputError(source, None, "không phải tệp số liệu của Cổng Dịch vụ công quốc gia")
    given = _period_from_as_of(as_of) if as_of else None
    out = PortalFile(source, path, hashlib.sha256(data).hexdigest(), fmt, METHOD[fmt], None)
    if fmt == "portal-old-api":
        _parse_old_api(data, out, given)
    else:
        text = decode_text(data, source)
        doc = json.loads(text)
        {"portal-provinces": _parse_provinces, "portal-communes": _parse_communes,
         "portal-progress-tree": _parse_tree}[fmt](doc, text, out, given)
    return out


def _groups() -> dict[str, dict]:
    return params.portal()["groups"]


def _number(value, source: str, line: int | None, what: str) -> float | None:
    """A portal value as float: a JSON number, or a number stored as text; None when absent (null)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InputError(source, line, f"{what}: giá trị {value!r} không phải là số")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if not NUMBER_RE.match(text):
        raise InputError(source, line, f"{what}: “{text}” không phải là số")
    return float(text)


def _integer(value, source: str, line: int | None, what: str) -> int | None:
    number = _number(value, source, line, what)
    if number is None:
        return None
    if not number.is_integer() or number < 0:
        raise InputError(source, line, f"{what}: “{value}” không phải là số nguyên không âm")
    return int(number)


def split_name(printed: str) -> tuple[str, str | None, str | None]:
    """'UBND xã Đông Thái - tỉnh An Giang' -> ('Đông Thái', 'xã', 'An Giang');
    'UBND Thành phố Đồng Nai' -> ('Đồng Nai', 'thành phố', None);
    'Sở Du lịch - tỉnh An Giang' -> ('Sở Du lịch', None, 'An Giang')."""
    text = " ".join(nfc(printed).split())
    province = None
    m = re.match(r"^(.*?)\s+-\s+(?:(?:tỉnh|thành phố)\s+)?(.+)$", text, flags=re.IGNORECASE)
    if m:
        text, province = m.group(1), m.group(2)
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


def _group_values(scores: dict, source: str, line: int, where: str) -> dict[str, float | None]:
    """The six groups from a `groupScores` object (keys as the portal writes them)."""
    out: dict[str, float | None] = {}
    unknown = set(scores) - {k for g in _groups().values() for k in g["keys"]}
    if unknown:
        raise InputError(source, line, f"{where}: nhóm điểm không biết “{', '.join(sorted(unknown))}”")
    for key, g in _groups().items():
        present = [k for k in g["keys"] if k in scores]
        if len(present) > 1:
            raise InputError(source, line, f"{where}: nhóm {g['short']} ghi hai lần ({', '.join(present)})")
        out[key] = _number(scores[present[0]], source, line, f"{where}, nhóm {g['short']}") if present else None
    return out


def _row(level: str, printed: str, code, dept_id, ref: str, line: int, period: PortalPeriod) -> dict:
    unit, unit_type, province = split_name(printed)
    return {"level": level, "printed_name": nfc(printed), "unit": unit, "unit_type": unit_type,
            "printed_province": province, "portal_code": code, "portal_id": None if dept_id is None else str(dept_id),
            "period_kind": period.kind, "year": period.year, "month": period.month,
            "captured": period.captured.isoformat() if period.captured else None,
            "period_given_by": period.given_by, "source_ref": ref, "source_line": line}


def _parse_provinces(doc: dict, text: str, out: PortalFile, given: PortalPeriod | None) -> None:
    period = _json_period(doc, out, given)
    lines = element_lines(text, ["data", "evaluation"])
    for i, item in enumerate(doc["data"]["evaluation"]):
        line, where = lines[i], f"/data/evaluation/{i}"
        code = item.get("departmentCode")
        level = "province" if code and "." not in code else "commune" if item.get("childGroup") == "COMMUNE" \
            else "department"
        row = _row(level, _name(item, out.source, line), code, item.get("departmentId"), where, line, period)
        row["total"] = _number(item.get("totalScore"), out.source, line, "totalScore")
        row.update(_group_values(item.get("groupScores") or {}, out.source, line, row["printed_name"]))
        row["portal_rank"] = _integer(item.get("rank"), out.source, line, "rank")
        out.rows.append(row)


def _parse_communes(doc: dict, text: str, out: PortalFile, given: PortalPeriod | None) -> None:
    period = _json_period(doc, out, given)
    out.province = _province_of((doc.get("metadata") or {}).get("province") or doc["overview"].get("departmentName"))
    lines = element_lines(text, ["communes"])
    for i, item in enumerate(doc["communes"]):
        line, where = lines[i], f"/communes/{i}"
        level = NEW_API_LEVELS.get(item.get("childGroup") or "COMMUNE", "commune")
        row = _row(level, _name(item, out.source, line), item.get("departmentCode"), item.get("departmentId"),
                   where, line, period)
        row["total"] = _number(item.get("totalScore"), out.source, line, "totalScore")
        row.update(_group_values(item.get("groupScores") or {}, out.source, line, row["printed_name"]))
        row["portal_rank"] = _integer(item.get("rank"), out.source, line, "rank")
        row["portal_group_rank"] = _integer(item.get("groupRank"), out.source, line, "groupRank")
        out.rows.append(row)
    count = doc.get("count")
    if count is not None and count != len(doc["communes"]):
        raise InputError(out.source, None, f"tệp ghi count = {count} nhưng có {len(doc['communes'])} xã, phường")


def _parse_tree(doc: dict, text: str, out: PortalFile, given: PortalPeriod | None) -> None:
    """One group's tree: the group is the one whose maximum the children carry (TDGQ: 20)."""
    period = _json_period(doc, out, given)
    body = doc["data"]
    out.province = _province_of(body["parent"].get("departmentName"))
    lines = element_lines(text, ["data", "children"])
    maxima = {_number(c.get("maxScore"), out.source, lines[i], "maxScore") for i, c in enumerate(body["children"])}
    group = _tree_group(maxima, out.source)
    for i, item in enumerate(body["children"]):
        line, where = lines[i], f"/data/children/{i}"
        level = NEW_API_LEVELS.get(item.get("level"))
        if level is None:
            raise InputError(out.source, line, f"level “{item.get('level')}” không rõ (cần PROVINCE hoặc COMMUNE)")
        row = _row(level, _name(item, out.source, line), item.get("departmentCode"), item.get("departmentId"),
                   where, line, period)
        row[group] = _number(item.get("score"), out.source, line, "score")
        num = _integer(item.get("totalOnTime"), out.source, line, "totalOnTime")
        den = _integer(item.get("totalReceived"), out.source, line, "totalReceived")
        overdue = _integer(item.get("totalOverdue"), out.source, line, "totalOverdue")
        if None not in (num, den, overdue) and num + overdue != den:
            raise InputError(out.source, line, f"{row['printed_name']}: đúng hạn {num} + quá hạn {overdue} "
                                               f"khác số hồ sơ tiếp nhận {den}")
        if None not in (num, den) and num > den:
            raise InputError(out.source, line, f"{row['printed_name']}: đúng hạn {num} lớn hơn tiếp nhận {den}")
        row[f"{group}_num"], row[f"{group}_den"] = num, den
        row[f"{group}_ratio"] = _number(item.get("ratio"), out.source, line, "ratio")
        out.rows.append(row)


def _tree_group(maxima: set, source: str) -> str:
    found = [k for k, g in _groups().items() if {float(g["max"])} == maxima]
    if len(found) != 1:
        # two groups share a maximum (CKMB and MDHL: 18): the tree does not say which one it is
        raise InputError(source, None, f"không xác định được nhóm chỉ số của cây số liệu (điểm tối đa "
                                       f"{', '.join(str(m) for m in sorted(maxima))})")
    return found[0]


def _name(item: dict, source: str, line: int) -> str:
    name = item.get("departmentName")
    if not isinstance(name, str) or not name.strip():
        raise InputError(source, line, "thiếu tên đơn vị (departmentName)")
    return name


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
    found = False
    for title, rows in sheets.items():
        header = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else ())]
        if not OLD_API_COLUMNS <= set(header):
            continue
        found = True
        if title not in kinds:
            raise InputError(out.source, 1, f"trang tính “{title}” có bảng điểm nhưng không rõ kỳ số liệu "
                                            "(thêm vào old_api_sheets trong params/portal.yaml)")
        period = given or _old_api_period(kinds[title], year, month, created, out.source)
        _old_api_rows(title, header, rows, period, out)
    if not found:
        raise InputError(out.source, None, "không tìm thấy trang tính có các cột "
                                           f"{', '.join(sorted(OLD_API_COLUMNS))}")


def _trend_period(sheets: dict[str, list], source: str) -> tuple[int | None, int | None]:
    """(year, latest month) from the export's monthly trend sheet (columns month, year, score)."""
    for rows in sheets.values():
        if not rows:
            continue
        header = [str(c).strip().lower() if c is not None else "" for c in rows[0]]
        if {"month", "year"} <= set(header):
            m, y = header.index("month"), header.index("year")
            pairs = [(_integer(r[y], source, i, "year"), _integer(r[m], source, i, "month"))
                     for i, r in enumerate(rows[1:], start=2) if r[y] is not None and r[m] is not None]
            if pairs:
                return max(pairs)
    return None, None


def _old_api_period(kind: str, year, month, created, source: str) -> PortalPeriod:
    if year is None:
        raise InputError(source, None, "không xác định được năm của số liệu (không có trang xu hướng tháng); "
                                       "hãy ghi rõ bằng --as-of")
    captured = created.date() if isinstance(created, datetime) else None
    if captured is not None and (captured.year, captured.month) < (year, month or 1):
        captured = None  # a creation date before the figures is not when they were taken
    if kind == "month":
        return PortalPeriod("month", year, month, captured, "content")
    return PortalPeriod("year", year, None, captured, "content")


def _old_api_rows(title: str, header: list[str], rows: list, period: PortalPeriod, out: PortalFile) -> None:
    col = {name: i for i, name in enumerate(header) if name}
    group_cols = {k: next((c for c in g["keys"] if c in col), None) for k, g in _groups().items()}
    missing = [g["short"] for k, g in _groups().items() if group_cols[k] is None]
    if missing:
        raise InputError(out.source, 1, f"trang tính “{title}”: thiếu cột nhóm {', '.join(missing)}")
    for r, values in enumerate(rows[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        where = f"trang tính “{title}”, dòng {r}"

        def cell(name, values=values):
            i = col.get(name)
            return values[i] if i is not None and i < len(values) else None

        printed = cell("TEN_COQUAN") or cell("TEN")
        if not printed or not str(printed).strip():
            raise InputError(out.source, r, f"{where}: thiếu tên đơn vị (TEN_COQUAN)")
        level = OLD_API_LEVELS.get(str(cell("LOAI_COQUAN")).strip())
        if level is None:
            raise InputError(out.source, r, f"{where}: LOAI_COQUAN “{cell('LOAI_COQUAN')}” không rõ (cần 1, 2 hoặc 3)")
        row = _row(level, str(printed), cell("MA_COQUAN"), cell("ID_COQUAN") or cell("ID"), f"{title}!{r}", r, period)
        row["total"] = _number(cell("TONG_SCORE"), out.source, r, f"{where}, cột TONG_SCORE")
        for key, c in group_cols.items():
            row[key] = _number(cell(c), out.source, r, f"{where}, cột {c}")
        row["portal_rank"] = _integer(cell("ROW_STT"), out.source, r, f"{where}, cột ROW_STT")
        if level == "commune" and out.province is None:
            out.province = row["printed_province"]
        out.rows.append(row)


# -- periods -----------------------------------------------------------------------------------------

def _period_from_as_of(text: str) -> PortalPeriod:
    from helpers.errors import UsageError

    text = str(text).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = date.fromisoformat(text)
            return PortalPeriod("year", d.year, None, d, "--as-of")
        if re.fullmatch(r"\d{4}-\d{2}", text):
            y, m = map(int, text.split("-"))
            date(y, m, 1)
            return PortalPeriod("month", y, m, None, "--as-of")
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
        return PortalPeriod("year", d.year, None, d, "file name")
    m = re.search(r"(?<!\d)(\d{4})-(\d{2})(?![\d-])", name) or None
    if m and 1 <= int(m[2]) <= 12:
        return PortalPeriod("month", int(m[1]), int(m[2]), None, "file name")
    m = re.search(r"(?<![A-Za-z])T(\d{1,2})[_-](\d{4})(?!\d)", name)
    if m and 1 <= int(m[1]) <= 12:
        return PortalPeriod("month", int(m[2]), int(m[1]), None, "file name")
    return None


def _json_period(doc: dict, out: PortalFile, given: PortalPeriod | None) -> PortalPeriod:
    """The period from metadata (timeType, year, period, extractedAt), else --as-of, else the file name;
    checked against the months the response has figures for (monthlyChart)."""
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else None
    period = None
    if meta and meta.get("timeType") in ("year", "month") and isinstance(meta.get("year"), int):
        captured = _iso_date(meta.get("extractedAt"))
        month = meta.get("period") if meta["timeType"] == "month" else None
        period = PortalPeriod(meta["timeType"], meta["year"], month, captured, "content")
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
