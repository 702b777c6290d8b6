"""Generate the dated unit registry of the 2025 reform from the PyPI package `vietnamadminunits`.

Writes two generated files (do not edit them by hand; re-run the script):
- params/units_2025.csv: the 34 provinces and their 3,321 commune-level units after 1 July 2025,
  with official codes (table admin_units of the package's SQLite data);
- params/lineage_2025.csv: every 2023-era commune (table admin_units_legacy) of the former provinces
  that make up the new provinces of params/districts.yaml, with the 2025 unit(s) it became (the
  package's conversion data, data/converter_2025.json). A former unit divided between several new
  ones gets one row per new unit, `divided` = true; `default` marks the one the package would choose,
  which is never taken as the answer here.

Run: .venv/bin/python scripts/build_lineage.py   (needs the `dev` extra, pinned in pyproject.toml).
Everything is read from the installed package: no network.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from importlib.metadata import version
from pathlib import Path

import vietnamadminunits
import yaml

from helpers.registry import nfc

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DATA = Path(vietnamadminunits.__file__).parent / "data"
TYPES = ("xã", "phường", "đặc khu", "thị trấn", "tỉnh", "thành phố", "huyện", "quận", "thị xã")
UNIT_COLUMNS = ["province_code", "province", "province_type", "code", "name", "type"]
LINEAGE_COLUMNS = ["old_province_code", "old_province", "old_district_code", "old_district", "old_code",
                   "old_name", "old_type", "new_province_code", "new_code", "new_name", "new_type",
                   "divided", "default"]


def split_type(full: str) -> tuple[str, str]:
    """'Thị Trấn Óc Eo' -> ('thị trấn', 'Óc Eo'); 'Đặc khu Phú Quốc' -> ('đặc khu', 'Phú Quốc')."""
    full = nfc(full).strip()
    for t in sorted(TYPES, key=len, reverse=True):
        if full.lower().startswith(t + " "):
            return t, full[len(t) + 1:].strip()
    raise ValueError(f"no unit type in {full!r}")


def _rows(db: sqlite3.Connection, sql: str) -> list[dict]:
    db.row_factory = sqlite3.Row
    return [dict(r) for r in db.execute(sql)]


def units_2025(db: sqlite3.Connection) -> list[dict]:
    out = []
    for r in _rows(db, "SELECT province, provinceCode, ward, wardCode FROM admin_units "
                       "ORDER BY provinceCode, wardCode"):
        ptype, pname = split_type(r["province"])
        utype, uname = split_type(r["ward"])
        out.append({"province_code": r["provinceCode"], "province": pname, "province_type": ptype,
                    "code": r["wardCode"], "name": uname, "type": utype})
    return out


def lineage_2025(db: sqlite3.Connection, converter: dict, new_province_codes: set[str]) -> list[dict]:
    """The 2023 -> 2025 rows of every former commune of the new provinces `new_province_codes`."""
    new_units = {(r["provinceKey"], r["wardKey"]): r for r in _rows(
        db, "SELECT provinceKey, provinceCode, ward, wardCode, wardKey FROM admin_units")}
    new_provinces = {r["provinceKey"]: r["provinceCode"] for r in new_units.values()}
    former_of = {}  # former province key -> new province key
    for new_key, formers in converter["DICT_PROVINCE"].items():
        for f in formers:
            former_of[f] = new_key
    out = []
    legacy = _rows(db, "SELECT province, provinceCode, provinceKey, district, districtCode, districtKey, "
                       "ward, wardCode, wardKey FROM admin_units_legacy "
                       "WHERE wardCode IS NOT NULL ORDER BY provinceCode, districtCode, wardCode")
    for r in legacy:
        new_province = former_of.get(r["provinceKey"])
        if new_province is None or new_provinces[new_province] not in new_province_codes:
            continue
        key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
        whole = [w for w, olds in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][new_province].items() if key in olds]
        divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(new_province, {}).get(key, [])
        targets = [(w, False, True) for w in whole] + [
            (d["newWardKey"], True, bool(d["isDefaultNewWard"])) for d in divided]
        if not targets:
            raise SystemExit(f"{key}: no 2025 unit in the package's conversion data")
        _, old_pname = split_type(r["province"])
        _, old_dname = split_type(r["district"])
        old_type, old_name = split_type(r["ward"])
        for ward_key, is_divided, is_default in targets:
            new = new_units[(new_province, ward_key)]
            new_type, new_name = split_type(new["ward"])
            out.append({
                "old_province_code": r["provinceCode"], "old_province": old_pname,
                "old_district_code": r["districtCode"], "old_district": old_dname,
                "old_code": r["wardCode"], "old_name": old_name, "old_type": old_type,
                "new_province_code": new["provinceCode"], "new_code": new["wardCode"],
                "new_name": new_name, "new_type": new_type,
                "divided": str(is_divided).lower(), "default": str(is_default).lower(),
            })
    return out


def new_province_codes_of_districts(db: sqlite3.Connection, converter: dict) -> set[str]:
    """The 2025 province codes of the districts listed in params/districts.yaml."""
    districts = yaml.safe_load((ROOT / "params/districts.yaml").read_text(encoding="utf-8"))["districts"]
    codes = set()
    for d in districts.values():
        rows = _rows(db, f"SELECT provinceKey FROM admin_units_legacy WHERE districtCode = '{d['code']}' LIMIT 1")
        if not rows:
            raise SystemExit(f"district code {d['code']} not found in the package")
        new_key = next(k for k, formers in converter["DICT_PROVINCE"].items() if rows[0]["provinceKey"] in formers)
        codes.add(_rows(db, f"SELECT provinceCode FROM admin_units WHERE provinceKey = '{new_key}' LIMIT 1")
                  [0]["provinceCode"])
    return codes


def header(what: str) -> str:
    return (f"# {what}\n# Generated by scripts/build_lineage.py from vietnamadminunits "
            f"{version('vietnamadminunits')}. Do not edit by hand; re-run the script.\n")


def to_csv(rows: list[dict], columns: list[str], what: str) -> str:
    buf = io.StringIO()
    buf.write(header(what))
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def build() -> dict[str, str]:
    """{file name in params/: its text}: what the script writes, computed from the installed package."""
    converter = json.loads((PACKAGE_DATA / "converter_2025.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(f"file:{PACKAGE_DATA / 'dataset.db'}?mode=ro", uri=True)
    try:
        units = units_2025(db)
        lineage = lineage_2025(db, converter, new_province_codes_of_districts(db, converter))
    finally:
        db.close()
    return {
        "units_2025.csv": to_csv(units, UNIT_COLUMNS, "Units after 1 July 2025 (34 provinces), official codes."),
        "lineage_2025.csv": to_csv(lineage, LINEAGE_COLUMNS,
                                   "2023 commune -> 2025 commune(s), for the provinces of params/districts.yaml."),
    }


def main() -> int:
    for name, text in build().items():
        (ROOT / "params" / name).write_text(text, encoding="utf-8")
        print(f"wrote params/{name}: {text.count(chr(10)) - 3} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
