"""e. The SYNTHETIC national portal year (bench/portal_data): every province's communes, a capture a
week for a year, six groups; ingested (files read over the executor's workers, checked, matched to
the 2025 registry, ranked, stored in one write), read back, scored and ranked. Once with the process
pool, once with Dask's LocalCluster: the throughput of the same fan-out through both executors."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from chiso_bench.config import GIB, JOBS
from chiso_bench.processes import child_env, rss_bytes, run_child, say

TARGET_S = 5.0
TARGET_BYTES = GIB


def bench_portal(cfg: dict, scratch: Path) -> dict:
    from chiso_bench import portal_data

    weeks, provinces = cfg["portal"]
    say(f"[e] writing the SYNTHETIC national portal year: {provinces or 'all'} provinces × {weeks} weeks …")
    t = time.perf_counter()
    data = portal_data.generate(scratch / "portal", weeks=weeks, provinces=provinces)
    out = {"files": len(data.files), "records": data.records, "units": data.units, "provinces": data.provinces,
           "weeks": weeks, "generate_s": time.perf_counter() - t, "jobs": JOBS, "runs": {}}
    for kind in ("process", "dask"):
        runs = []
        for i in range(cfg["runs"]):
            store = scratch / f"portal-store-{kind}-{i}"
            say(f"[e]   {kind}: ingest + score + rank of {len(data.files)} files, run {i + 1}/{cfg['runs']} …")
            res, wall = run_child("portal", {"root": str(data.root), "jobs": JOBS, "executor": kind},
                                  child_env(CHISO_STORE=store), timeout=900)
            res["wall_s"] = wall
            runs.append(res)
            shutil.rmtree(store, ignore_errors=True)
        out["runs"][kind] = runs
        ok = [r for r in runs if "elapsed_s" in r]
        if ok:
            out[kind] = {k: statistics.median(r[k] for r in ok)
                         for k in ("pool_s", "read_s", "check_s", "write_s", "read_back_s", "score_s", "elapsed_s",
                                   "peak_tree_rss")}
            out[kind]["files_per_s"] = len(data.files) / out[kind]["read_s"]
            out[kind]["records_per_s"] = data.records / out[kind]["elapsed_s"]
        else:
            out[kind] = {"error": runs[0].get("error", "failed")}
    shutil.rmtree(data.root, ignore_errors=True)
    return out


def bench_fanout(cfg: dict, scratch: Path) -> dict:
    """The weekly batch's fan-out through both executors: the three districts' reports (2023-W49) and
    An Giang's from the portal export, every notebook executed and rendered (force), `JOBS` workers;
    reports per minute of the whole run_report, the workers' start included."""
    from chiso_bench.config import WEEK
    from helpers.paths import raw_dir

    raw = scratch / "fanout-raw"
    shutil.copytree(raw_dir(), raw)
    out: dict = {"jobs": JOBS, "runs": {}}
    for kind in ("process", "dask"):
        runs = []
        for i in range(cfg["runs"]):
            say(f"[f] batch fan-out on {kind}, run {i + 1}/{cfg['runs']} …")
            env = child_env(CHISO_RAW=raw, CHISO_STORE=scratch / f"f-{kind}-{i}" / "store",
                            CHISO_OUTPUTS=scratch / f"f-{kind}-{i}" / "outputs")
            res, wall = run_child("batch", {"week": WEEK, "jobs": JOBS, "force": True, "executor": kind,
                                            "provinces": ["an-giang"]}, env, timeout=900)
            res["wall_s"] = wall
            runs.append(res)
        out["runs"][kind] = runs
        ok = [r for r in runs if not r.get("error") and not r.get("failures")]
        if ok:
            reports = len(ok[0]["done"])
            run_s = statistics.median(r["run_s"] for r in ok)
            out[kind] = {"reports": reports, "run_s": run_s, "per_minute": 60 * reports / run_s,
                         "wall_s": statistics.median(r["wall_s"] for r in ok)}
        else:
            out[kind] = {"error": runs[0].get("error") or runs[0].get("failures")}
    return out


def fanout_rows(d: dict | None) -> list[tuple[str, str, str, str]]:
    from chiso_bench.table import fmt_s

    if not d:
        return []
    out = []
    for kind in ("process", "dask"):
        r = d.get(kind) or {}
        label = (f"f. batch fan-out on the {kind} executor, {d['jobs']} workers: the three districts (2023-W49) "
                 "and An Giang's portal report, every notebook executed and rendered")
        if "error" in r or not r:
            out.append((label, f"error: {r.get('error', 'not run')}", "", ""))
            continue
        detail = (f"{label} ({r['reports']} reports in {fmt_s(r['run_s'])}, workers' start included; whole "
                  f"command {fmt_s(r['wall_s'])}; median of {len(d['runs'][kind])})")
        out.append((detail, f"{r['per_minute']:.1f} reports/min", "", ""))
    return out


def child_portal(args: dict) -> dict:
    """In a fresh interpreter: the pool started, the files ingested into an empty portal store, the store
    read back, every list ranked and scored. Times by phase; peak memory of this process and its workers."""
    from chiso_bench.children import _PeakSampler

    t0 = time.perf_counter()
    from helpers import executors, lineage
    from helpers.portal import ingest, schema, score

    lineage.units_2025()  # the registry, loaded once per process
    files = sorted(Path(args["root"]).rglob("*.json"))
    state = {"phase": "pool"}
    timings: dict = {}
    with _PeakSampler(lambda: state["phase"]) as sampler:
        t1 = time.perf_counter()
        with executors.open_executor(args["executor"], workers=args["jobs"]) as ex:
            # the workers started and warm (imports done) before the clock of the ingest starts
            list(ex.map(_warm, range(args["jobs"])))
            t2 = time.perf_counter()
            state["phase"] = "ingest"
            ingest.ingest_paths(files, executor=ex, timings=timings)
            t3 = time.perf_counter()
        state["phase"] = "read back"
        t4 = time.perf_counter()
        records = schema.store().read().records
        t5 = time.perf_counter()
        state["phase"] = "score"
        scored = score.score(score.rank_lists(records))
        t6 = time.perf_counter()
    return {
        "import_s": t1 - t0, "pool_s": t2 - t1, "read_s": timings["read_s"], "check_s": timings["check_s"],
        "write_s": (t3 - t2) - timings["read_s"] - timings["check_s"], "read_back_s": t5 - t4, "score_s": t6 - t5,
        "elapsed_s": (t3 - t2) + (t6 - t4), "records": len(scored), "lists": int(scored["rank_of"].notna().sum()),
        "peak_tree_rss": sampler.peak, "peak_rss": rss_bytes(), "peak_by_phase": sampler.by_phase,
    }


def _warm(_: int) -> bool:
    """Imports and loads what a worker reads files with (a task's first call pays them otherwise)."""
    from helpers import lineage
    from helpers.parsers import portal  # noqa: F401

    return lineage.province_2025("An Giang") is not None


def rows(d: dict | None) -> list[tuple[str, str, str, str]]:
    """Table rows of the portal year: one per executor, with its phases, throughput and peak memory."""
    from chiso_bench.table import fmt_bytes, fmt_s

    if not d:
        return []
    out = []
    for kind in ("process", "dask"):
        r = d.get(kind) or {}
        label = (f"e. national portal year ({d['provinces']} provinces, {d['units']:,} units × {d['weeks']} weeks = "
                 f"{d['files']:,} files, {d['records']:,} records), {kind} executor, {d['jobs']} workers")
        if "error" in r or not r:
            out.append((label, f"error: {r.get('error', 'not run')}", "", ""))
            continue
        detail = (f"{label}: read {fmt_s(r['read_s'])} ({r['files_per_s']:,.0f} files/s), check+match+rank "
                  f"{fmt_s(r['check_s'])}, write {fmt_s(r['write_s'])}, read back {fmt_s(r['read_back_s'])}, "
                  f"score+rank {fmt_s(r['score_s'])} (workers started beforehand in {fmt_s(r['pool_s'])}); "
                  f"median of {len(d['runs'][kind])}")
        out.append((detail, f"{fmt_s(r['elapsed_s'])}; {r['records_per_s']:,.0f} records/s", f"< {TARGET_S:g} s",
                    "met" if r["elapsed_s"] < TARGET_S else "NOT met"))
        out.append((f"e. peak memory of that run ({kind}, process and workers)", fmt_bytes(r["peak_tree_rss"]),
                    f"< {fmt_bytes(TARGET_BYTES)}", "met" if r["peak_tree_rss"] < TARGET_BYTES else "NOT met"))
    return out
