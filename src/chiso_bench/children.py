"""What runs inside a measured child process: one function per KIND (CHILDREN)."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Self

from chiso_bench.floor import child_floor
from chiso_bench.processes import rss_bytes
from helpers.batch import KERNEL_NAME as KERNEL


def child_batch(args: dict) -> dict:
    t0 = time.perf_counter()
    from helpers.batch import code_key, run_report

    t1 = time.perf_counter()
    r = run_report(args.get("week"), args.get("slugs"), jobs=args["jobs"], force=args["force"], quiet=True,
                   provinces=args.get("provinces"), executor=args.get("executor"))
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
    from helpers import ingest, parallel_parse, params, periods, rank, registry
    from helpers import store as store_module
    from helpers.store import Store

    rss_imports = rss_bytes()
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

    ingest.parse_many, ingest._merge = timed_parse, timed_merge  # (the names ingest_paths calls)
    Store.read, Store.sources = timed_store(store_read), timed_store(store_sources)
    budget = args.get("budget")
    if budget:
        signal.signal(signal.SIGALRM, out_of_time)
        signal.setitimer(signal.ITIMER_REAL, budget)
    out = {"files_total": len(files), "setup_s": t2 - t1, "import_s": t1 - t0, "rss_imports": rss_imports,
           "jobs": parallel_parse.default_jobs(len(files))}
    with _PeakSampler(lambda: state["phase"]) as sampler:
        try:
            result = ingest.ingest_paths(files, store=Store())
            added, conflicts = result.added_records, len(result.conflicts)
            del result  # (it holds every record read; scoring in a notebook runs in a process of its own)
            store_module._last_read.forget()  # so the store is read back from disk, as that process reads it
            parallel_parse.release_memory()
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
               merge_s=state["merge_s"], stored_s=state["stored_s"], peak_rss=rss_bytes(), peak_tree_rss=sampler.peak,
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

    from helpers import district_week, periods, report

    nb = nbformat.read(template, as_version=4)
    built = report.build_report(district_week.load(slug, periods.parse_week_arg(week)))
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "parameters" in tags:
            cell.source = f'district = "{slug}"\nweek = "{week}"\ninteractive = False'
        if "built.parts" in cell.source:
            cell.outputs = [
                nbformat.v4.new_output(
                    "display_data",
                    data={"text/html": part, "text/plain": "<IPython.core.display.HTML object>"},
                )
                for part in built.parts
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
            "cached": len(plan.cached), "peak_rss": rss_bytes(),
            "files_added": len(Store().sources()) - stored_before}


def child_portal(args: dict) -> dict:
    from chiso_bench.portal import child_portal as run

    return run(args)


CHILDREN = {
    "batch": child_batch,
    "portal": child_portal,
    "floor": child_floor,
    "pipeline": child_pipeline,
    "plan": child_plan,
    "render_prep": child_render_prep,
    "render": child_render,
}
