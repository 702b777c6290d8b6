"""The `chiso` command (also `python -m helpers`): the commands and exit statuses of the project's data
and command contract (README, "Command line").

Exit status: 0 success; 1 invalid content in an input file or a failed notebook; 2 bad usage
(a malformed WEEK, an unknown district, a file that cannot be opened).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys

from helpers.errors import ChisoError, UsageError

# argparse's own messages, in Vietnamese (the rest of the command speaks Vietnamese).
_ARGPARSE_VI = [
    (re.compile(r"^the following arguments are required: (.+)$"), "thiếu tham số bắt buộc: {0}"),
    (re.compile(r"^argument (\S+): invalid choice: (.+?) \(choose from (.+)\)$"),
     "tham số {0}: giá trị {1} không hợp lệ (chọn một trong: {2})"),
    (re.compile(r"^argument (\S+): invalid int value: (.+)$"), "tham số {0}: {1} không phải là số nguyên"),
    (re.compile(r"^argument (\S+): expected one argument$"), "tham số {0} cần một giá trị"),
    (re.compile(r"^unrecognized arguments: (.+)$"), "tham số không được hỗ trợ: {0}"),
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one plain line, exit 2
        for pattern, text in _ARGPARSE_VI:
            m = pattern.match(message)
            if m:
                message = text.format(*m.groups())
                break
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="chiso", description="Bộ chỉ số 766: nạp, chấm điểm, xếp hạng và viết báo cáo tuần.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ing = sub.add_parser("ingest", help="nạp báo cáo vào kho dữ liệu")
    ing.add_argument("paths", nargs="+", metavar="PATH")
    ing.add_argument("--district", metavar="SLUG", help="huyện (ghi đè điều đọc được trong tệp)")
    ing.add_argument("--as-of", metavar="YYYY-MM-DD|YYYY-MM", help="ngày chốt số liệu hoặc tháng")
    ing.add_argument("--parser", metavar="NAME", help="định dạng tệp, nếu không muốn tự nhận diện")
    ing.add_argument("--dry-run", action="store_true", help="chỉ đọc và in bản ghi, không lưu")
    ing.add_argument("--format", choices=["csv", "json"], default=None,
                     help="định dạng in khi --dry-run (mặc định csv)")

    rk = sub.add_parser("rank", help="in bảng xếp hạng của một tuần")
    rk.add_argument("--week", required=True)
    rk.add_argument("--district", metavar="SLUG")
    rk.add_argument("--format", choices=["csv"], default="csv")

    nar = sub.add_parser("narrative", help="in phần nhận xét bằng tiếng Việt")
    nar.add_argument("--week", required=True)
    nar.add_argument("--district", metavar="SLUG", required=True)

    rep = sub.add_parser("report", help="chạy cả bốn notebook và xuất báo cáo HTML, PDF")
    rep.add_argument("--week", default=None)
    rep.add_argument("--district", metavar="SLUG", action="append", dest="districts")
    rep.add_argument("--jobs", type=int, default=None)
    rep.add_argument("--force", action="store_true", help="chạy lại kể cả khi kết quả cũ còn dùng được")
    rep.add_argument("--province", metavar="SLUG", action="append", dest="provinces",
                     help="báo cáo các xã, phường của tỉnh từ số liệu của Cổng DVC (all: các tỉnh trong params)")
    rep.add_argument("--executor", choices=["process", "dask"], default=None,
                     help="nơi chạy các notebook: process (mặc định) hoặc dask (CHISO_DASK_ADDRESS)")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at the interpreter's exit
        return status
    except BrokenPipeError:  # the reader went away (`chiso ... | head`): nothing to say
        _discard_stdout()
        return 1
    except ChisoError as exc:
        print(f"chiso: lỗi: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("chiso: đã dừng", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line (CHISO_DEBUG=1 shows the traceback)
        if os.environ.get("CHISO_DEBUG"):
            raise
        print(f"chiso: lỗi không mong đợi ({type(exc).__name__}: {exc}); chạy lại với CHISO_DEBUG=1 để xem chi tiết",
              file=sys.stderr)
        return 1


def _discard_stdout() -> None:
    """Point stdout at devnull, so the interpreter's own flush at exit does not fail on the closed pipe
    again (the recipe of the Python documentation, "Note on SIGPIPE")."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (captured by a test)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def cmd_ingest(args) -> int:
    from helpers.portal import ingest as portal_ingest

    if args.format and not args.dry_run:  # (the format of the input files is --parser)
        raise UsageError(f"--format {args.format} chỉ dùng cùng --dry-run (định dạng in các bản ghi đọc được); "
                         "định dạng của tệp đầu vào chọn bằng --parser")
    portal_paths = [p for p in args.paths if portal_ingest.is_portal_file(p)]
    if portal_paths and args.district:
        raise UsageError("--district không dùng cho tệp số liệu của Cổng Dịch vụ công quốc gia "
                             f"({os.path.basename(portal_paths[0])}): tỉnh và đơn vị đọc từ tệp")
    args.paths = [p for p in args.paths if p not in portal_paths]
    if not args.paths:
        _ingest_portal(portal_paths, args)
        return 0
    if portal_paths:  # every file is checked before anything is stored
        portal_ingest.ingest_paths(portal_paths, as_of=args.as_of, dry_run=True)
    status = _ingest_districts(args)
    if portal_paths:
        _ingest_portal(portal_paths, args)
    return status


def _ingest_districts(args) -> int:
    from helpers import ingest, records

    result = ingest.ingest_paths(args.paths, district=args.district, as_of=args.as_of, fmt=args.parser,
                                 dry_run=args.dry_run)
    findings = result.findings
    for _, f in findings.iterrows():
        line = f["source_line"]  # <NA> or NaN (after a concat) when the finding has no line
        where = f["source"] if records.is_missing(line) else f"{f['source']}:{int(line)}"
        print(f"cảnh báo: {where}: {f['message']}", file=sys.stderr)
    if args.dry_run:
        reported = result.records[~result.records["derived"]]
        if args.format == "json":
            json.dump(records.to_json_rows(reported), sys.stdout, ensure_ascii=False, indent=1)
            print()
        else:
            buf = io.StringIO()
            records.to_csv_frame(reported).to_csv(buf, index=False)
            sys.stdout.write(buf.getvalue())
        return 0
    for name in result.added:
        print(f"đã thêm: {name}")
    for name in result.skipped:
        print(f"bỏ qua (đã có trong kho): {name}")
    print(f"mâu thuẫn: {len(result.conflicts)}; bản ghi mới: {result.added_records}")
    return 0


def _ingest_portal(paths: list[str], args) -> None:
    """The portal's files: checked, then stored in the portal store (or printed with --dry-run)."""
    from helpers.portal import ingest as portal_ingest
    from helpers.portal import schema
    from helpers.records import is_missing

    result = portal_ingest.ingest_paths(paths, as_of=args.as_of, dry_run=args.dry_run)
    for f in result.findings.itertuples():
        where = f.source if is_missing(f.source_line) else f"{f.source}:{f.source_line}"
        ref = f" ({f.source_ref})" if isinstance(f.source_ref, str) else ""
        print(f"cảnh báo: {where}{ref}: {f.message}", file=sys.stderr)
    if args.dry_run:
        frame = result.records[schema.DRY_RUN_COLUMNS]
        if args.format == "json":
            rows = [{k: (None if is_missing(v) else v) for k, v in r.items()}
                    for r in frame.astype(object).to_dict("records")]
            json.dump(rows, sys.stdout, ensure_ascii=False, indent=1, default=str)
            print()
        else:
            buf = io.StringIO()
            frame.to_csv(buf, index=False)
            sys.stdout.write(buf.getvalue())
        return
    for name in result.added:
        print(f"đã thêm (Cổng DVC): {name}")
    for name in result.skipped:
        print(f"bỏ qua (đã có trong kho): {name}")


def cmd_rank(args) -> int:
    from helpers import params, periods, rank
    from helpers.store import Store

    asked = periods.parse_week_arg(args.week)
    slugs = [params.district(args.district).slug] if args.district else None
    table = rank.ranked_table(Store().records(), asked, slugs)
    buf = io.StringIO()
    table.to_csv(buf, index=False)
    sys.stdout.write(buf.getvalue())
    return 0


def cmd_narrative(args) -> int:
    from helpers import district_week, periods, report

    week = district_week.load(args.district, periods.parse_week_arg(args.week))
    print(report.narrative_text(week))
    return 0


def cmd_report(args) -> int:
    from helpers import batch

    result = batch.run_report(args.week, args.districts, args.jobs, force=args.force, provinces=args.provinces,
                              executor=args.executor)
    return result.exit_status


COMMANDS = {"ingest": cmd_ingest, "rank": cmd_rank, "narrative": cmd_narrative, "report": cmd_report}
