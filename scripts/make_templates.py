"""Generate the empty report templates an analyst fills in: data/templates/bao_cao_766_mau.{xlsx,csv}.

The header row uses the labels of helpers.parsers.columns (the same keywords the parsers read), so
a filled-in template always parses. The output is byte-for-byte reproducible (fixed timestamps).

    python scripts/make_templates.py            # writes both files
    python scripts/make_templates.py --check    # exit 1 when the committed files are out of date
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from helpers import params
from helpers.parsers import columns as cols

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "templates"
BASENAME = "bao_cao_766_mau"
UNIT_ROWS = 30
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)

TITLE = "BÁO CÁO KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QUYẾT ĐỊNH 766/QĐ-TTg)"
META_ROWS = [
    ("Huyện:", "", "(tên huyện như in trong báo cáo)"),
    ("Tỉnh:", "", "(tên tỉnh)"),
    ("Thời gian chốt số liệu:", "", "(ghi: Ngày dd/mm/yyyy — ngày thứ Hai chốt số liệu; hoặc: Tuần N tháng M năm YYYY)"),
    ("Xếp hạng của huyện trong tỉnh:", "", "(ghi: thứ hạng/số huyện; để trống nếu không có)"),
]
HEADER_ROW = 2 + len(META_ROWS) + 1  # title, metadata, one blank row
GUIDE = [
    "HƯỚNG DẪN NHẬP SỐ LIỆU",
    "1. Điền tên huyện, tỉnh và thời gian chốt số liệu ở đầu trang “Báo cáo” (cột B).",
    "2. Mỗi đơn vị (xã, thị trấn) một dòng; dòng “TOÀN HUYỆN” là số liệu của cả huyện.",
    "3. Chỉ nhập giá trị, không nhập công thức (ô có công thức sẽ bị từ chối khi nạp).",
    "4. Ô để trống là “không có số liệu”, không phải số 0.",
    "5. Điểm và tỷ lệ (%) ghi số thập phân (dấu chấm hoặc dấu phẩy); chứng thực điện tử ghi số nguyên.",
    "6. Xếp loại chọn trong danh sách: " + ", ".join(params.band_names()) + ".",
    "7. Tệp CSV: mã UTF-8, các ô cách nhau bằng dấu phẩy hoặc chấm phẩy, giữ nguyên dòng tiêu đề.",
]


def headers() -> list[str]:
    return [cols.LABELS[c] for c in cols.TEMPLATE_COLUMNS]


def rows() -> list[list]:
    """Every row of the template, as written to the CSV (and to the XLSX's first sheet)."""
    width = len(cols.TEMPLATE_COLUMNS)
    pad = lambda r: list(r) + [""] * (width - len(r))
    out = [pad([TITLE])]
    out += [pad(m) for m in META_ROWS]
    out.append(pad([]))
    out.append(headers())
    out.append(pad(["", cols.TOTAL_LABEL]))
    out += [pad([i]) for i in range(1, UNIT_ROWS + 1)]
    return out


def _reproducible_zip(data: bytes) -> bytes:
    """The same zip with fixed member timestamps and order, so re-running gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\2", body)
            dst.writestr(new, body)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for r, values in enumerate(rows(), start=1):
        for c, v in enumerate(values, start=1):
            if v != "":
                ws.cell(row=r, column=c, value=v)
    ws["A1"].font = Font(bold=True, size=12)
    for r in range(2, 2 + len(META_ROWS)):
        ws.cell(row=r, column=1).font = Font(bold=True)
        ws.cell(row=r, column=2).number_format = "@"  # typed as text: "7/11" must not become a date
        ws.cell(row=r, column=3).font = Font(italic=True, color="777777")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c in range(1, len(cols.TEMPLATE_COLUMNS) + 1):
        cell = ws.cell(row=HEADER_ROW, column=c)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = box
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    last = HEADER_ROW + 1 + UNIT_ROWS
    for r in range(HEADER_ROW + 1, last + 1):
        for c, col in enumerate(cols.TEMPLATE_COLUMNS, start=1):
            cell = ws.cell(row=r, column=c)
            cell.border = box
            if col in ("e_cert", "e_cert_cum", "reported_rank"):
                cell.number_format = "0"
            elif col not in (cols.NAME, cols.BAND):
                cell.number_format = "0.00"
    ws.cell(row=HEADER_ROW + 1, column=2).font = Font(bold=True)
    band_col = cols.TEMPLATE_COLUMNS.index(cols.BAND) + 1
    letter = ws.cell(row=1, column=band_col).column_letter
    dv = DataValidation(type="list", formula1='"' + ",".join(params.band_names()) + '"', allow_blank=True)
    dv.add(f"{letter}{HEADER_ROW + 1}:{letter}{last}")
    ws.add_data_validation(dv)
    ws.row_dimensions[HEADER_ROW].height = 48
    widths = {"reported_rank": 6, cols.NAME: 24}
    for c, col in enumerate(cols.TEMPLATE_COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = widths.get(col, 14)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)
    guide = wb.create_sheet("Hướng dẫn")
    for r, text in enumerate(GUIDE, start=1):
        guide.cell(row=r, column=1, value=text)
    guide["A1"].font = Font(bold=True)
    guide.column_dimensions["A"].width = 110
    wb.properties.creator = "chiso766"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _reproducible_zip(buf.getvalue())


def csv_bytes() -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    for r in rows():
        writer.writerow(r)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: spreadsheet programs then read UTF-8


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only compare with the files on disk")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default data/templates)")
    args = ap.parse_args(argv)
    outputs = {args.out / f"{BASENAME}.xlsx": xlsx_bytes(), args.out / f"{BASENAME}.csv": csv_bytes()}
    if args.check:
        stale = [p.name for p, b in outputs.items() if not p.exists() or p.read_bytes() != b]
        if stale:
            print("mẫu cần tạo lại: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for p, b in outputs.items():
        p.write_bytes(b)
        print(f"đã ghi {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
