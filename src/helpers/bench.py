"""The benchmark (`make bench`, `python -m helpers.bench [--quick]`): measures, never asserts.

Every measurement runs on scratch copies in a temporary directory (CHISO_STORE, CHISO_OUTPUTS,
CHISO_RAW and, for the synthetic data, CHISO_PARAMS point there), in child processes, so the
project's data/ and outputs/ are never touched; only the result table is written, to
outputs/bench/bench.md and outputs/bench/bench.json.

a. The weekly batch of the districts in params/ (`helpers.batch.run_report(WEEK, None, jobs=2,
   force=True, quiet=True)` in a fresh interpreter, empty store and outputs) against a naive
   baseline run of command lines, interleaved (batch, naive, batch, naive, ...), median of the runs:
   the naive side runs `papermill IN OUT -y PARAMS -k KERNEL --cwd notebooks` once per notebook
   (all districts' 01_ingest first, then 02, 03, 04, so every notebook sees the same store as in
   the batch), then per district `jupyter nbconvert --to html --no-input` on 04_narrative and the
   `weasyprint` command line on that HTML for the PDF. Both sides start from an empty store and
   outputs folder and produce four executed notebooks, an HTML and a PDF per district; the naive
   HTML is nbconvert's default template without code (not the project's cleaned report), and the
   naive side writes no index page.
b. Right after: the batch again with nothing changed (cache hit), then after appending a blank
   line to one district's raw file (a new SHA-256: ingested again, that district re-executed).
c. Ingest + score + rank over the SYNTHETIC national data set of helpers.synthetic (about 700
   districts × 52 weeks): `helpers.ingest.ingest_paths` over every file (parsed over a process pool,
   one store write), then the store read back and every district scored and ranked for the last
   week (`rank.ranked_table`, what `chiso rank` prints), in a child process with a time budget;
   the time of each phase, records per second and peak memory (the child and its parsing workers
   together, sampled from /proc). When the budget runs out the run stops and the table says in
   which phase. Then the week after it (700 more files, the same walk continued) is added to that
   store and scored and ranked: the weekly operation at national scale.
   The full run also measures the same pipeline on one week of the national set (700 files).
d. Rendering throughput (reports per minute) of `helpers.render.render_report` on SYNTHETIC
   districts with 1 and 2 processes. The 04_narrative notebooks rendered are built in-process:
   a copy of notebooks/04_narrative.ipynb whose output cell holds what that cell displays when
   executed (`sections.build_report(run).parts` as text/html display outputs); the benchmark checks
   one of them against a papermill execution of the same district (kernel start-up is not part
   of rendering, and executing 50 × 4 notebooks would not fit the time the benchmark may take).

Targets (reported as met / not met, never asserted): batch ≥ 4× faster than the naive baseline;
unchanged re-run < 2 s; national data set ingested, scored and ranked in < 10 s with < 1 GiB peak
memory; rendering throughput grows with the number of processes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Self

from helpers.batch import KERNEL_NAME as KERNEL
from helpers.batch import NOTEBOOKS

WEEK = "2023-W49"
JOBS = 2
MARK = "BENCH-RESULT "
GIB = 1024**3

# runs: interleaved batch/naive pairs and unchanged re-runs; changed_runs: re-runs after a raw file change;
# national: SYNTHETIC districts × weeks; national_budget: seconds the national pipeline may run for;
# national_reports: districts whose weekly batch (notebooks and reports) runs over the national store;
# render: SYNTHETIC districts × weeks of the rendering measurement; week_slice: also one national week.
FULL = {
    "runs": 3,
    "changed_runs": 1,
    "national": (700, 52),
    "national_budget": 150.0,
    "national_reports": 4,
    "render": (50, 2),
    "week_slice": True,
}
QUICK = {
    "runs": 1,
    "changed_runs": 1,
    "national": (30, 4),
    "national_budget": 120.0,
    "national_reports": 2,
    "render": (10, 2),
    "week_slice": False,
}

TARGETS = {
    "speedup": 4.0,  # batch vs naive
    "cache_hit_s": 2.0,  # unchanged re-run
    "national_s": 10.0,  # ingest + score + rank of the national set
    "national_bytes": GIB,  # peak memory
}


# -- helpers --------------------------------------------------------------------------------------


def _bin(name: str) -> str:
    """A console script of the interpreter's environment (the venv's papermill, jupyter, weasyprint)."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


def _env(**values) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("CHISO_PARAMS", "CHISO_RAW", "CHISO_STORE", "CHISO_OUTPUTS"):
        env.pop(key, None)
    env.update({k: str(v) for k, v in values.items() if v is not None})
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def _child(kind: str, args: dict, env: dict, timeout: float | None = None) -> tuple[dict, float]:
    """Run `python -m helpers.bench --child KIND ARGS` and return (its result, wall seconds)."""
    cmd = [sys.executable, "-m", "helpers.bench", "--child", kind, json.dumps(args)]
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}, time.perf_counter() - t
    wall = time.perf_counter() - t
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :]), wall
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"error": f"exit {proc.returncode}: {' | '.join(tail)}"}, wall


def _emit(result: dict) -> None:
    print(MARK + json.dumps(result), flush=True)


def _rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _fmt_s(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def _fmt_bytes(x: float | None) -> str:
    return "–" if x is None else f"{x / 1024**2:.0f} MiB" if x < GIB else f"{x / GIB:.2f} GiB"


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


# -- children -------------------------------------------------------------------------------------


def child_batch(args: dict) -> dict:
    t0 = time.perf_counter()
    from helpers.batch import code_key, run_report

    t1 = time.perf_counter()
    r = run_report(args["week"], args.get("slugs"), jobs=args["jobs"], force=args["force"], quiet=True)
    t2 = time.perf_counter()
    # the cache key of the code and params: a change between two runs (an edit in the tree while the
    # benchmark runs) makes a re-run execute again, rightly
    return {
        "import_s": t1 - t0,
        "run_s": t2 - t1,
        "done": r.done,
        "cached": r.cached,
        "code_key": code_key(),
        "failures": [f"{f.district} {f.notebook}: {f.error}" for f in r.failures],
    }


class _OutOfTime(Exception):
    pass


def _tree_rss() -> int:
    """Resident memory of this process and of every process it started (the parsing workers), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    total, stack = 0, [os.getpid()]
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            pass
    return total


class _PeakSampler:
    """The highest _tree_rss() seen, sampled in a thread every `interval` seconds while in the block,
    overall (`peak`) and by the phase `phase()` names at the time (`by_phase`)."""

    def __init__(self, phase, interval: float = 0.1):
        import threading

        self.phase, self.interval, self.peak, self.by_phase = phase, interval, 0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        rss, phase = _tree_rss(), self.phase()
        self.peak = max(self.peak, rss)
        self.by_phase[phase] = max(self.by_phase.get(phase, 0), rss)

    def _run(self) -> None:
        while True:
            self._sample()
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def child_pipeline(args: dict) -> dict:
    """ingest_paths over the files (parsing over a process pool when there are many; one store write),
    then read the store and score + rank every district for a week (rank.ranked_table, as `chiso rank`)."""
    import signal

    t0 = time.perf_counter()
    from helpers import ingest, params, periods, rank, registry
    from helpers import store as store_module
    from helpers.store import Store

    rss_imports = _rss_bytes()
    raw = Path(os.environ["CHISO_RAW"])
    files = sorted(raw.rglob("*.txt"))
    if args.get("only_as_of"):
        files = [f for f in files if f.name.endswith(f"_{args['only_as_of']}.txt")]
    t1 = time.perf_counter()
    registry._reg()  # the registry of units.yaml, loaded once (timed apart: it is per process, not per file)
    params.districts()
    t2 = time.perf_counter()
    state = {"phase": "parse", "files": 0, "records": 0, "parse_s": 0.0, "merge_s": 0.0, "stored_s": 0.0}
    parse_many, merge, store_read, store_sources = ingest.parse_many, ingest._merge, Store.read, Store.sources

    def timed_store(read):
        """Store.read / Store.sources during the ingest: what it reads of the store it adds to."""
        def timed(self, *a, **k):
            t = time.perf_counter()
            try:
                return read(self, *a, **k)
            finally:
                state["stored_s"] += time.perf_counter() - t
        return timed

    def timed_parse(*a, **k):
        t = time.perf_counter()
        out = parse_many(*a, **k)
        state["parse_s"] += time.perf_counter() - t
        state["files"] += len(out.files)
        state["records"] += len(out.records)
        state["phase"] = "merge"
        return out

    def timed_merge(*a, **k):
        t = time.perf_counter()
        try:
            return merge(*a, **k)
        finally:
            state["merge_s"] += time.perf_counter() - t
            state["phase"] = "write"

    def out_of_time(signum, frame):
        raise _OutOfTime

    ingest.parse_many, ingest._merge = timed_parse, timed_merge
    Store.read, Store.sources = timed_store(store_read), timed_store(store_sources)
    budget = args.get("budget")
    if budget:
        signal.signal(signal.SIGALRM, out_of_time)
        signal.setitimer(signal.ITIMER_REAL, budget)
    out = {"files_total": len(files), "setup_s": t2 - t1, "import_s": t1 - t0, "rss_imports": rss_imports,
           "jobs": ingest.default_jobs(len(files))}
    with _PeakSampler(lambda: state["phase"]) as sampler:
        try:
            result = ingest.ingest_paths(files, store=Store())
            added, conflicts = result.added_records, len(result.conflicts)
            del result  # (it holds every record read; scoring in a notebook runs in a process of its own)
            store_module._last_read.forget()  # so the store is read back from disk, as that process reads it
            ingest.release_memory()
            Store.read, Store.sources = store_read, store_sources
            t3 = time.perf_counter()
            state["phase"] = "read"
            records = Store().read().records
            t4 = time.perf_counter()
            state["phase"] = "score"
            asked = periods.parse_week_arg(args["week"])
            table = rank.ranked_table(records, asked)  # what `chiso rank` prints: every district
            t5 = time.perf_counter()
        except _OutOfTime:
            t3 = None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            Store.read, Store.sources = store_read, store_sources
    out.update(files_parsed=state["files"], records_parsed=state["records"], parse_s=state["parse_s"],
               merge_s=state["merge_s"], stored_s=state["stored_s"], peak_rss=_rss_bytes(), peak_tree_rss=sampler.peak,
               peak_by_phase=sampler.by_phase)
    if t3 is None:
        out.update(finished=False, phase=state["phase"], elapsed_s=time.perf_counter() - t2)
        return out
    out.update(
        finished=True,
        records=added,
        conflicts=conflicts,
        ingest_s=t3 - t2,
        write_s=t3 - t2 - state["parse_s"] - state["merge_s"] - state["stored_s"],
        read_s=t4 - t3,
        score_rank_s=t5 - t4,
        elapsed_s=t5 - t2,
        districts_scored=int(table["district"].nunique()),
        ranked_rows=len(table),
    )
    return out


def _build_one(slug: str, week: str, template: str, target: str) -> str:
    """A 04_narrative notebook holding what its output cell displays when executed for `slug`."""
    import nbformat

    from helpers import params, sections
    from helpers.notebook import Run

    nb = nbformat.read(template, as_version=4)
    run = Run(params.district(slug), week, False)
    report = sections.build_report(run)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "parameters" in tags:
            cell.source = f'district = "{slug}"\nweek = "{week}"\ninteractive = False'
        if "report.parts" in cell.source:
            cell.outputs = [
                nbformat.v4.new_output(
                    "display_data",
                    data={"text/html": part, "text/plain": "<IPython.core.display.HTML object>"},
                )
                for part in report.parts
            ]
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


def _html_outputs(path: str) -> list[str]:
    import re

    import nbformat

    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            html = o.get("data", {}).get("text/html")
            if html:
                text = html if isinstance(html, str) else "".join(html)
                out.append(re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png", text))
    return out


def child_render_prep(args: dict) -> dict:
    """Ingest the synthetic reports, build one 04_narrative notebook per district, check one."""
    from concurrent.futures import ProcessPoolExecutor

    from helpers import ingest, params
    from helpers.paths import notebooks_dir

    t0 = time.perf_counter()
    ingest.ingest_paths(sorted(Path(os.environ["CHISO_RAW"]).rglob("*.txt")))
    t1 = time.perf_counter()
    template = str(notebooks_dir() / "04_narrative.ipynb")
    slugs = list(params.districts())
    target = Path(args["dir"])
    with ProcessPoolExecutor(args.get("jobs", 2)) as pool:
        built = list(
            pool.map(
                _build_one,
                slugs,
                [args["week"]] * len(slugs),
                [template] * len(slugs),
                [str(target / s / "04_narrative.ipynb") for s in slugs],
            )
        )
    t2 = time.perf_counter()
    check = None
    if args.get("check"):
        import papermill as pm

        executed = str(target / "_papermill" / "04_narrative.ipynb")
        Path(executed).parent.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(
            template,
            executed,
            parameters={"district": slugs[0], "week": args["week"], "interactive": False},
            kernel_name=KERNEL,
            cwd=str(notebooks_dir()),
            progress_bar=False,
        )
        check = _html_outputs(executed) == _html_outputs(built[0])
    return {"notebooks": built, "ingest_s": t1 - t0, "build_s": t2 - t1, "same_as_papermill": check}


def child_render(args: dict) -> dict:
    from concurrent.futures import ProcessPoolExecutor

    from helpers import render

    notebooks = [Path(p) for p in args["notebooks"]]
    outs = [Path(args["out"]) / p.parent.name for p in notebooks]
    for o in outs:
        o.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if args["jobs"] == 1:
        for nb, o in zip(notebooks, outs):
            render.render_report(nb, o)
    else:
        with ProcessPoolExecutor(args["jobs"]) as pool:
            list(pool.map(render.render_report, notebooks, outs))
    t1 = time.perf_counter()
    made = sum((o / "report.html").exists() and (o / "report.pdf").exists() for o in outs)
    return {"seconds": t1 - t0, "reports": made}


def child_plan(args: dict) -> dict:
    """batch.plan_batch for every district of params/: what `make report` does before any notebook runs
    (every raw file hashed against the store, the store read, each district's cache keys compared)."""
    from helpers import batch, params, periods
    from helpers.store import Store

    chosen = list(params.districts().values())
    asked = periods.parse_week_arg(args["week"])
    stored_before = len(Store().sources())
    t = time.perf_counter()
    plan = batch.plan_batch(chosen, asked)
    seconds = time.perf_counter() - t
    files = sum(1 for p in Path(os.environ["CHISO_RAW"]).rglob("*") if p.is_file())
    return {"seconds": seconds, "districts": len(chosen), "files": files, "to_run": len(plan.run),
            "cached": len(plan.cached), "peak_rss": _rss_bytes(),
            "files_added": len(Store().sources()) - stored_before}


CHILDREN = {
    "batch": child_batch,
    "pipeline": child_pipeline,
    "plan": child_plan,
    "render_prep": child_render_prep,
    "render": child_render,
}


# -- a: batch against the naive baseline ----------------------------------------------------------


def naive_run(slugs: list[str], week: str, env: dict, root: Path) -> dict:
    """The command-line baseline: papermill per notebook, nbconvert and weasyprint per report."""
    out_week = Path(env["CHISO_OUTPUTS"]) / week
    notebooks = root / "notebooks"
    steps = []
    for name in NOTEBOOKS:
        for slug in slugs:
            (out_week / slug).mkdir(parents=True, exist_ok=True)
            steps.append(
                [
                    _bin("papermill"),
                    str(notebooks / f"{name}.ipynb"),
                    str(out_week / slug / f"{name}.ipynb"),
                    "-y",
                    f"district: {slug}\nweek: '{week}'\ninteractive: false",
                    "-k",
                    KERNEL,
                    "--cwd",
                    str(notebooks),
                ]
            )
    for slug in slugs:
        folder = out_week / slug
        steps.append(
            [
                _bin("jupyter"),
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                str(folder / "04_narrative.ipynb"),
                "--output",
                "report",
                "--output-dir",
                str(folder),
            ]
        )
        steps.append([_bin("weasyprint"), str(folder / "report.html"), str(folder / "report.pdf")])
    errors = []
    t = time.perf_counter()
    for cmd in steps:
        proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = " ".join((proc.stderr or "").strip().splitlines()[-1:])
            errors.append(
                f"{Path(cmd[0]).name} {Path(cmd[1] if len(cmd) > 1 else '').name}: exit "
                f"{proc.returncode} {tail}"[:300]
            )
    wall = time.perf_counter() - t
    made = sum((out_week / s / "report.pdf").exists() for s in slugs)
    return {"seconds": wall, "commands": len(steps), "errors": errors, "reports": made}


def _notebook_profile(week_dir: Path) -> dict:
    """From papermill's metadata of executed notebooks: time inside cells vs kernel start-up etc."""
    total = cells = 0.0
    n = 0
    for path in sorted(week_dir.glob("*/0*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        pm = nb.get("metadata", {}).get("papermill", {})
        if pm.get("duration") is None:
            continue
        total += pm["duration"]
        n += 1
        cells += sum(c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0 for c in nb["cells"])
    return {"notebooks": n, "notebook_s": total, "cells_s": cells, "outside_cells_s": total - cells}


def _mtimes(week_dir: Path, slugs: list[str]) -> dict:
    return {
        s: {
            n: (week_dir / s / f"{n}.ipynb").stat().st_mtime_ns
            if (week_dir / s / f"{n}.ipynb").exists()
            else None
            for n in NOTEBOOKS
        }
        for s in slugs
    }


def optional_import_cost(runs: int = 3) -> dict:
    """Start-up of the papermill command (`papermill --help`) as installed, and with the optional
    rfc3987_syntax package kept out as the helpers do (helpers/__init__.py): medians of `runs`."""
    start = "from papermill.cli import papermill; papermill(['--help'])"
    plain = [sys.executable, "-c", start]
    skip = [sys.executable, "-c", "import sys; sys.modules['rfc3987_syntax'] = None; " + start]
    times: dict[str, list[float]] = {"as_installed_s": [], "without_s": []}
    for _ in range(runs):
        for key, cmd in (("as_installed_s", plain), ("without_s", skip)):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=False)
            times[key].append(time.perf_counter() - t0)
    return {k: _median(v) for k, v in times.items()}


def bench_batch(cfg: dict, scratch: Path, root: Path) -> dict:
    from helpers import params
    from helpers.paths import raw_dir

    slugs = list(params.districts())
    raw = scratch / "raw"
    shutil.copytree(raw_dir(), raw)
    batch_s, naive_s, batch_in, errors = [], [], [], []
    last_env = key_before = None
    profile = naive_profile = None
    for i in range(cfg["runs"]):
        env = _env(
            CHISO_RAW=raw,
            CHISO_STORE=scratch / f"a{i}" / "store",
            CHISO_OUTPUTS=scratch / f"a{i}" / "outputs",
        )
        _say(f"[a] run {i + 1}/{cfg['runs']}: batch (jobs={JOBS}) …")
        res, wall = _child("batch", {"week": WEEK, "jobs": JOBS, "force": True}, env, timeout=900)
        if res.get("error") or res.get("failures") or len(res.get("done", [])) != len(slugs):
            errors.append(f"batch run {i + 1}: {res.get('error') or res.get('failures') or res}")
        batch_s.append(wall)
        batch_in.append(res.get("run_s"))
        last_env, key_before = env, res.get("code_key")
        profile = _notebook_profile(Path(env["CHISO_OUTPUTS"]) / WEEK)
        _say(f"[a]   batch {wall:.1f} s; naive baseline …")
        nenv = _env(
            CHISO_RAW=raw,
            CHISO_STORE=scratch / f"n{i}" / "store",
            CHISO_OUTPUTS=scratch / f"n{i}" / "outputs",
        )
        nres = naive_run(slugs, WEEK, nenv, root)
        if nres["errors"] or nres["reports"] != len(slugs):
            errors.append(f"naive run {i + 1}: {nres['errors'][:3]} reports={nres['reports']}")
        naive_s.append(nres["seconds"])
        naive_profile = _notebook_profile(Path(nenv["CHISO_OUTPUTS"]) / WEEK)
        _say(f"[a]   naive {nres['seconds']:.1f} s ({nres['commands']} commands)")
    out = {
        "districts": slugs,
        "week": WEEK,
        "jobs": JOBS,
        "runs": cfg["runs"],
        "batch_s": batch_s,
        "batch_run_report_s": batch_in,
        "naive_s": naive_s,
        "batch_median_s": _median(batch_s),
        "naive_median_s": _median(naive_s),
        "naive_commands": len(slugs) * (len(NOTEBOOKS) + 2),
        "batch_notebooks": profile,
        "naive_notebooks": naive_profile,
        "errors": errors,
        "cli_start": optional_import_cost(),
    }
    out["speedup"] = out["naive_median_s"] / out["batch_median_s"] if out["batch_median_s"] else None

    # b: cache hit, then one district's input changed
    week_dir = Path(last_env["CHISO_OUTPUTS"]) / WEEK
    hits, hits_in, hit_res, redone, notes = [], [], None, 0, []
    while len(hits) < cfg["runs"]:
        _say(f"[b] unchanged re-run {len(hits) + 1}/{cfg['runs']} …")
        hit_res, wall = _child("batch", {"week": WEEK, "jobs": JOBS, "force": False}, last_env, timeout=900)
        key, last_key = hit_res.get("code_key"), key_before
        key_before = key
        if len(hit_res.get("cached") or []) != len(slugs) and key != last_key and redone < 3:
            # the code or params changed between the two runs (someone edited the tree meanwhile):
            # that run rightly executed again and is no cache measurement; measure once more
            redone += 1
            notes.append(
                f"code or params changed during the benchmark: one re-run executed again "
                f"({', '.join(hit_res.get('done') or [])}) and was measured once more"
            )
            continue
        hits.append(wall)
        hits_in.append(hit_res.get("run_s"))
    changed_slug = slugs[0]
    changed_file = min(p for p in (raw / changed_slug).iterdir() if p.is_file())
    changes, changes_in, reran = [], [], {}
    for i in range(cfg["changed_runs"]):
        with changed_file.open("a", encoding="utf-8") as fh:
            fh.write("\n")  # harmless: a new SHA-256, the same content
        before = _mtimes(week_dir, slugs)
        _say(
            f"[b] re-run after changing {changed_slug}/{changed_file.name} ({i + 1}/{cfg['changed_runs']}) …"
        )
        res, wall = _child("batch", {"week": WEEK, "jobs": JOBS, "force": False}, last_env, timeout=900)
        after = _mtimes(week_dir, slugs)
        reran = {s: [n for n in NOTEBOOKS if before[s][n] != after[s][n]] for s in slugs}
        changes.append(wall)
        changes_in.append(res.get("run_s"))
        if res.get("error") or res.get("failures"):
            errors.append(f"changed-input run: {res.get('error') or res.get('failures')}")
    out.update(
        cache_hit_s=hits,
        cache_hit_run_report_s=hits_in,
        cache_hit_median_s=_median(hits),
        cache_hit_run_report_median_s=_median([x for x in hits_in if x is not None]),
        cache_hit_cached=hit_res.get("cached") if hit_res else None,
        changed_district=changed_slug,
        changed_s=changes,
        changed_run_report_s=changes_in,
        changed_median_s=_median(changes),
        changed_run_report_median_s=_median([x for x in changes_in if x is not None]),
        changed_reexecuted=reran,
        notes=notes,
    )
    return out


# -- c: the synthetic national data set ------------------------------------------------------------


def bench_national(cfg: dict, scratch: Path) -> dict:
    from helpers import synthetic

    n_districts, n_weeks = cfg["national"]
    _say(f"[c] writing the SYNTHETIC data set: {n_districts} districts × {n_weeks} weeks …")
    t = time.perf_counter()
    data = synthetic.generate(scratch / "national", districts=n_districts, weeks=n_weeks)
    gen_s = time.perf_counter() - t
    env = _env(**data.env())
    week = data.last_week.iso_week
    out = {
        "districts": n_districts,
        "weeks": n_weeks,
        "files": len(data.files),
        "records_expected": data.records,
        "units": sum(len(d.units) for d in data.districts),
        "generate_s": gen_s,
        "week": week,
        "budget_s": cfg["national_budget"],
    }
    _say(
        f"[c]   {len(data.files)} files, {data.records} records; ingest + score + rank "
        f"(budget {cfg['national_budget']:.0f} s) …"
    )
    res, wall = _child(
        "pipeline",
        {"week": week, "budget": cfg["national_budget"]},
        env,
        timeout=cfg["national_budget"] + 600,
    )
    out["full"] = res
    out["full"]["wall_s"] = wall
    if res.get("finished"):
        store_52 = scratch / "national-store-52"  # for the planning of a Monday, below
        shutil.copytree(data.store_dir, store_52)
        # the weekly operation at national scale: the following week's reports into that store
        _say(f"[c] the week after it ({n_districts} files) added to the national store …")
        nxt = synthetic.generate(scratch / "national-next", districts=n_districts, weeks=n_weeks + 1,
                                 write_from=n_weeks)
        env_next = _env(**{**data.env(), "CHISO_RAW": str(nxt.raw_dir)})
        res, wall = _child("pipeline", {"week": nxt.last_week.iso_week}, env_next, timeout=900)
        res.update(wall_s=wall, week=nxt.last_week.iso_week)
        out["next_week"] = res
        if res.get("finished"):
            # the weekly batch's planning over that store, its raw folders holding all 53 weeks
            for path in nxt.files:
                path.rename(data.raw_dir / path.parent.name / path.name)
            _say(f"[c] planning the weekly batch of {n_districts} districts over it …")
            plan, _ = _child("plan", {"week": nxt.last_week.iso_week},
                             _env(**data.env(), CHISO_OUTPUTS=scratch / "national-outputs"), timeout=900)
            out["plan"] = plan
            # and on a Monday: the same, with the new week's files not yet in the store (they are
            # ingested, all districts' in one write, before the keys are compared)
            _say(f"[c] planning it again with the new week's {n_districts} files not yet stored …")
            plan, _ = _child("plan", {"week": nxt.last_week.iso_week},
                             _env(**{**data.env(), "CHISO_STORE": store_52,
                                     "CHISO_OUTPUTS": scratch / "national-outputs"}), timeout=900)
            out["plan_new_week"] = plan
            out["reports"] = national_reports(data.slugs[:cfg["national_reports"]], nxt.last_week.iso_week,
                                              _env(**data.env(), CHISO_OUTPUTS=scratch / "national-reports"))
        shutil.rmtree(nxt.root, ignore_errors=True)
        shutil.rmtree(store_52, ignore_errors=True)
    if cfg["week_slice"]:
        shutil.rmtree(data.store_dir, ignore_errors=True)
        _say(f"[c] one week of it ({n_districts} files, {week}) …")
        res, wall = _child("pipeline", {"week": week, "only_as_of": data.last_week.as_of}, env, timeout=900)
        res["wall_s"] = wall
        out["one_week"] = res
    shutil.rmtree(data.root, ignore_errors=True)
    return out


def national_reports(slugs: list[str], week: str, env: dict) -> dict:
    """The weekly batch (`make report DISTRICTS=...`) for a few districts over the national store: each
    district's four notebooks and its report, as for the three real districts in a. (their charts
    compare each district with the districts of its province)."""
    _say(f"[c] the weekly batch of {len(slugs)} districts over that store …")
    res, wall = _child("batch", {"week": week, "jobs": JOBS, "force": True, "slugs": slugs}, env, timeout=900)
    res.update(wall_s=wall, slugs=slugs, week=week)
    if not res.get("error"):
        res.update(_notebook_profile(Path(env["CHISO_OUTPUTS"]) / week))
    return res


# -- d: rendering throughput ---------------------------------------------------------------------


def bench_render(cfg: dict, scratch: Path) -> dict:
    from helpers import synthetic

    n_districts, n_weeks = cfg["render"]
    data = synthetic.generate(scratch / "render", districts=n_districts, weeks=n_weeks, seed=4766)
    env = _env(**data.env(), CHISO_OUTPUTS=scratch / "render" / "outputs")
    week = data.last_week.iso_week
    _say(f"[d] building {n_districts} SYNTHETIC 04_narrative notebooks …")
    prep, _ = _child(
        "render_prep",
        {"week": week, "dir": str(scratch / "render" / "notebooks"), "check": True, "jobs": JOBS},
        env,
        timeout=1200,
    )
    out = {
        "districts": n_districts,
        "week": week,
        "prep": {k: v for k, v in prep.items() if k != "notebooks"},
    }
    if prep.get("error"):
        return out
    for jobs in (1, JOBS):
        _say(f"[d] rendering {n_districts} reports with {jobs} process(es) …")
        res, _ = _child(
            "render",
            {"notebooks": prep["notebooks"], "jobs": jobs, "out": str(scratch / "render" / f"out-{jobs}")},
            env,
            timeout=1200,
        )
        if "seconds" in res:
            res["per_minute"] = res["reports"] / res["seconds"] * 60
        out[f"jobs{jobs}"] = res
    return out


# -- table ----------------------------------------------------------------------------------------


def machine() -> dict:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "memory_bytes": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.machine(),
    }


def _met(ok: bool | None) -> str:
    return "–" if ok is None else "met" if ok else "NOT met"


def _by_phase(f: dict) -> str:
    return ", ".join(f"{phase} {_fmt_bytes(b)}" for phase, b in f.get("peak_by_phase", {}).items())


def _phases(f: dict) -> str:
    """Where the time of a finished national pipeline went."""
    per_file = 1000 * f["parse_s"] / max(f["files_parsed"], 1)
    return (
        f"parse {_fmt_s(f['parse_s'])} over {f['jobs']} process(es), {per_file:.2f} ms a file, "
        f"{f['records_parsed'] / max(f['parse_s'], 1e-9):,.0f} records/s; the store read to add to it "
        f"{_fmt_s(f.get('stored_s'))}; merge {_fmt_s(f['merge_s'])} ({f['conflicts']} conflicts); "
        f"write {_fmt_s(f['write_s'])}; read back {_fmt_s(f['read_s'])}; "
        f"score+rank of {f['districts_scored']} districts {_fmt_s(f['score_rank_s'])}"
    )


def _pipeline_row(label: str, prefix: str, run: dict, suffix: str) -> tuple[str, str, str, str]:
    """A table row for a smaller national pipeline run: its files, records, phases and peak; or its error."""
    if not run.get("finished"):
        return (label, f"error: {run.get('error', 'did not finish')}", "", "")
    rate = run["records"] / run["elapsed_s"] if run["elapsed_s"] else 0
    return (
        (f"{label} ({prefix}{run['files_total']} files, {run['records']:,} records){suffix}: {_phases(run)}; "
         f"peak {_fmt_bytes(run['peak_tree_rss'])}"),
        f"{_fmt_s(run['elapsed_s'])}; {rate:,.0f} records/s",
        "",
        "",
    )


def table(results: dict) -> str:
    rows: list[tuple[str, str, str, str]] = []
    a = results.get("batch")
    if a:
        speed = a.get("speedup")
        rows.append(
            (
                (
                    f"a. weekly batch, {len(a['districts'])} districts, {a['week']}, jobs={a['jobs']} "
                    f"(median of {a['runs']}; run_report itself {_fmt_s(_median([x for x in a['batch_run_report_s'] if x]))})"
                ),
                _fmt_s(a["batch_median_s"]),
                "",
                "",
            )
        )
        rows.append(
            (
                f"a. naive baseline: {a['naive_commands']} command lines in sequence (median of {a['runs']})",
                _fmt_s(a["naive_median_s"]),
                "",
                "",
            )
        )
        rows.append(
            (
                "a. speed-up batch vs naive",
                "–" if speed is None else f"{speed:.2f}×",
                f"≥ {TARGETS['speedup']:g}×",
                _met(None if speed is None else speed >= TARGETS["speedup"]),
            )
        )
        hit = a.get("cache_hit_run_report_median_s")
        rows.append(
            (
                (
                    f"b. re-run, nothing changed: run_report (whole command incl. interpreter start "
                    f"{_fmt_s(a.get('cache_hit_median_s'))}); cached: {', '.join(a.get('cache_hit_cached') or []) or 'none'}"
                ),
                _fmt_s(hit),
                f"< {TARGETS['cache_hit_s']:g} s",
                _met(None if hit is None else hit < TARGETS["cache_hit_s"]),
            )
        )
        again = {s: n for s, n in (a.get("changed_reexecuted") or {}).items() if n}
        what = "; ".join(f"{s}: {', '.join(n)}" for s, n in again.items()) or "nothing"
        rows.append(
            (
                (
                    f"b. re-run, {a['changed_district']} raw file changed: run_report (whole command "
                    f"{_fmt_s(a.get('changed_median_s'))}); re-executed: {what}"
                ),
                _fmt_s(a.get("changed_run_report_median_s")),
                "",
                "",
            )
        )
    c = results.get("national")
    if c:
        f = c["full"]
        national = c["districts"] >= 700 and c["weeks"] >= 52  # the size the targets are about

        def judged(ok: bool | None) -> str:
            return _met(ok) if national else "– (smaller than the national set)"

        label = (
            f"c. SYNTHETIC national set: {c['districts']} districts × {c['weeks']} weeks, {c['files']} files, "
            f"{c['records_expected']} records: ingest (one store write) + score + rank of {c['week']}"
        )
        if f.get("error"):
            rows.append((label, f"error: {f['error']}", f"< {TARGETS['national_s']:g} s", "–"))
        elif f.get("finished"):
            rows.append(
                (
                    label + f" ({_phases(f)})",
                    f"{_fmt_s(f['elapsed_s'])}; {f['records'] / f['elapsed_s']:,.0f} records/s",
                    f"< {TARGETS['national_s']:g} s",
                    judged(f["elapsed_s"] < TARGETS["national_s"]),
                )
            )
        else:
            rows.append(
                (
                    label + f": stopped at the {c['budget_s']:.0f} s budget while in '{f['phase']}' "
                    f"({f['files_parsed']} of {f['files_total']} files parsed, parse {_fmt_s(f['parse_s'])}, "
                    f"merge {_fmt_s(f['merge_s'])}); nothing stored",
                    f"> {_fmt_s(f['elapsed_s'])}",
                    f"< {TARGETS['national_s']:g} s",
                    judged(False),
                )
            )
        if not f.get("error"):
            rows.append(
                (
                    (
                        "c. peak memory: this process and its parsing workers together (sampled from /proc every "
                        f"0.1 s; by phase: {_by_phase(f)}); the main process alone {_fmt_bytes(f['peak_rss'])} "
                        f"(ru_maxrss; {_fmt_bytes(f['rss_imports'])} after imports)"
                    ),
                    _fmt_bytes(f["peak_tree_rss"]),
                    f"< {_fmt_bytes(TARGETS['national_bytes'])}",
                    judged(f["peak_tree_rss"] < TARGETS["national_bytes"]),
                )
            )
        n = c.get("next_week")
        if n:
            rows.append(_pipeline_row("c. the following week", f"{n.get('week')}: ", n,
                                      f" added to that store of {c['weeks']} weeks"))
        p = c.get("plan")
        if p:
            rows.append(
                (
                    "c. the weekly batch's planning over that store (`make report` before any notebook runs: "
                    f"{p['files']:,} raw files hashed against it, nothing new; the store read; the cache keys of "
                    f"{p['districts']} districts; peak {_fmt_bytes(p['peak_rss'])})"
                    if "seconds" in p
                    else "c. the weekly batch's planning over that store",
                    _fmt_s(p["seconds"]) if "seconds" in p else f"error: {p.get('error')}",
                    "",
                    "",
                )
            )
        p = c.get("plan_new_week")
        if p:
            rows.append(
                (
                    f"c. the same planning on a Monday: the store of {c['weeks']} weeks, the new week's "
                    f"{p['files_added']:,} files among the raw ones (parsed and stored in one write, which this "
                    f"process keeps instead of reading the store back; the cache keys; peak "
                    f"{_fmt_bytes(p['peak_rss'])})"
                    if "seconds" in p
                    else "c. the same planning on a Monday",
                    _fmt_s(p["seconds"]) if "seconds" in p else f"error: {p.get('error')}",
                    "",
                    "",
                )
            )
        r = c.get("reports")
        if r:
            done = not r.get("error") and not r.get("failures")
            rows.append(
                (
                    f"c. the weekly batch of {len(r['slugs'])} districts over that store (`make report "
                    f"DISTRICTS=...`, jobs={JOBS}: planning, {r['notebooks']} notebooks executed in "
                    f"{r['notebook_s']:.1f} s of papermill time, {len(r['done'])} reports rendered; whole command "
                    f"{_fmt_s(r['wall_s'])})"
                    if done
                    else f"c. the weekly batch of {len(r['slugs'])} districts over that store",
                    _fmt_s(r["run_s"]) if done else f"error: {r.get('error') or r.get('failures')}",
                    "",
                    "",
                )
            )
        w = c.get("one_week")
        if w:
            rows.append(_pipeline_row("c. one week of the national set", "", w, ""))
    d = results.get("render")
    if d:
        prep = d.get("prep", {})
        check = prep.get("same_as_papermill")
        note = (
            "same HTML outputs as a papermill run"
            if check
            else "differs from a papermill run"
            if check is False
            else "not checked"
        )
        r1, r2 = d.get("jobs1", {}), d.get(f"jobs{JOBS}", {})
        for jobs, r in ((1, r1), (JOBS, r2)):
            rows.append(
                (
                    (
                        f"d. render_report, {d['districts']} SYNTHETIC districts, {jobs} process(es) "
                        f"(notebooks built in-process: {note})"
                    ),
                    f"{r['per_minute']:.1f} reports/min ({_fmt_s(r['seconds'])})"
                    if "per_minute" in r
                    else f"error: {r.get('error')}",
                    "",
                    "",
                )
            )
        if "per_minute" in r1 and "per_minute" in r2:
            rows.append(
                (
                    f"d. throughput {JOBS} processes / 1 process",
                    f"{r2['per_minute'] / r1['per_minute']:.2f}×",
                    "grows with jobs (> 1×)",
                    _met(r2["per_minute"] > r1["per_minute"]),
                )
            )
    lines = ["| measurement | result | target | |", "|---|---|---|---|"]
    lines += [f"| {m} | {r} | {t} | {ok} |" for m, r, t, ok in rows]
    return "\n".join(lines)


def markdown(results: dict) -> str:
    m = results["machine"]
    head = (
        f"Benchmark {results['mode']} run, {results['date']}: {m['nproc']} CPUs, "
        f"{_fmt_bytes(m['memory_bytes'])} memory, Python {m['python']}, {m['platform']}; "
        f"total {results['total_s'] / 60:.1f} min ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in results.get("part_s", {}).items())
        + ").\n\n"
    )
    notes = []
    a = results.get("batch")
    if a:
        bp, np_ = a.get("batch_notebooks") or {}, a.get("naive_notebooks") or {}
        if bp.get("notebooks"):
            notes.append(
                f"Batch notebooks (last run): {bp['notebooks']} executed, {bp['notebook_s']:.1f} s in "
                f"papermill of which {bp['cells_s']:.1f} s inside cells and {bp['outside_cells_s']:.1f} s "
                "outside (papermill's own work, the namespace reset and, in each worker's first notebook, "
                "waiting for its kernel; one kernel per worker, see helpers.kernel)."
            )
        if np_.get("notebooks"):
            notes.append(
                f"Naive notebooks (last run): {np_['notebook_s']:.1f} s in papermill, {np_['cells_s']:.1f} s "
                "inside cells (the rest: a kernel started and shut down per notebook)."
            )
        cli = a.get("cli_start") or {}
        if cli.get("as_installed_s") and cli.get("without_s") and a.get("naive_median_s"):
            extra = cli["as_installed_s"] - cli["without_s"]
            affected = len(a["districts"]) * (len(NOTEBOOKS) + 1)  # papermill and nbconvert commands
            fair = a["naive_median_s"] - affected * extra
            notes.append(
                f"The papermill command starts in {cli['as_installed_s']:.2f} s as installed and "
                f"{cli['without_s']:.2f} s without the optional rfc3987_syntax package, which the batch's "
                f"processes skip (helpers/__init__.py); the naive baseline pays it in its {affected} papermill "
                f"and nbconvert commands. Without it the naive baseline would take about {fair:.1f} s and the "
                f"speed-up would be {fair / a['batch_median_s']:.2f}×."
            )
        notes.extend(f"Note: {n}" for n in a.get("notes", []))
        for e in a.get("errors", []):
            notes.append(f"Error: {e}")
    c = results.get("national")
    if c:
        notes.append(
            f"The SYNTHETIC national data set took {c['generate_s']:.0f} s to write (not measured above)."
        )
    body = head + table(results) + "\n"
    if notes:
        body += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    return body


# -- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m helpers.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 run each, 30 synthetic districts × 4 weeks")
    ap.add_argument("--only", default="", help="comma-separated parts to run: batch, national, render")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "ARGS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _emit(CHILDREN[args.child[0]](json.loads(args.child[1])))
        return 0

    from helpers.paths import outputs_dir, project_root

    cfg = dict(QUICK if args.quick else FULL)
    parts = [p for p in args.only.split(",") if p] or ["batch", "national", "render"]
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
        ):
            if part in parts:
                t = time.perf_counter()
                results[part] = run()
                results["part_s"][part] = time.perf_counter() - t
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            _say(f"scratch kept: {scratch}")
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
