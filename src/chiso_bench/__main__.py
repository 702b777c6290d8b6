"""`python -m chiso_bench`: see the package's docstring."""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import chiso_bench
from chiso_bench.batch import bench_batch
from chiso_bench.children import CHILDREN
from chiso_bench.config import FULL, QUICK
from chiso_bench.national import bench_national
from chiso_bench.portal import bench_fanout, bench_portal
from chiso_bench.processes import emit, say
from chiso_bench.render import bench_render
from chiso_bench.table import machine, markdown


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chiso_bench", description=chiso_bench.__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 run each, 30 synthetic districts × 4 weeks")
    ap.add_argument("--only", default="", help="comma-separated parts to run: batch, national, render, portal, fanout")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "ARGS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        emit(CHILDREN[args.child[0]](json.loads(args.child[1])))
        return 0

    from helpers.paths import outputs_dir, project_root

    cfg = dict(QUICK if args.quick else FULL)
    parts = [p for p in args.only.split(",") if p] or ["batch", "national", "render", "portal", "fanout"]
    out_dir = outputs_dir() / "bench"
    root = project_root()
    scratch = Path(tempfile.mkdtemp(prefix="chiso-bench-"))
    start = time.perf_counter()
    results: dict = {
        "mode": "quick" if args.quick else "full",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()},
    }
    try:
        results["part_s"] = {}
        for part, run in (
            ("batch", lambda: bench_batch(cfg, scratch, root)),
            ("national", lambda: bench_national(cfg, scratch)),
            ("render", lambda: bench_render(cfg, scratch)),
            ("portal", lambda: bench_portal(cfg, scratch)),
            ("fanout", lambda: bench_fanout(cfg, scratch)),
        ):
            if part in parts:
                t = time.perf_counter()
                results[part] = run()
                results["part_s"][part] = time.perf_counter() - t
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            say(f"scratch kept: {scratch}")
    results["total_s"] = time.perf_counter() - start
    text = markdown(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.md").write_text(text, encoding="utf-8")
    (out_dir / "bench.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False, default=str), encoding="utf-8"
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
