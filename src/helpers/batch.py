"""The weekly batch: the four notebooks per district with papermill's Python API, then rendering.

1. Every district's `data/raw/<slug>/` is ingested in-process, all districts in one store write
   (`ingest.ingest_districts`: files already stored are only hashed), so the store is settled before
   any notebook runs; a district whose files fail adds nothing, and its ingest notebook shows the error.
2. Each district's notebooks run in a process pool (`jobs`). Every worker keeps one Jupyter kernel
   (helpers.kernel) and runs all notebooks of its districts in it, each from an empty namespace:
   one kernel start and one import of pandas/seaborn/helpers per worker instead of per notebook.
   A district runs in a staging folder under
   `outputs/<week>/`; only a complete run (four notebooks, report.html and report.pdf) is moved into
   `outputs/<week>/<slug>/`, so a failed run leaves the previous outputs as they were. A failed
   district's executed notebooks stay in `outputs/<week>/.failed/<slug>/` for its traceback.
3. Cache: each notebook has a key (see `cache_keys`); a district whose keys all match its last run
   is not re-executed, and a district whose first k keys match re-executes from notebook k+1 on.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import traceback
import uuid
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers import executors, params, periods, vi_format
from helpers.errors import ChisoError, UsageError
from helpers.params import District
from helpers.paths import PACKAGE_DIR, inside, notebooks_dir, outputs_dir, params_dir
from helpers.periods import Period
from helpers.store import Snapshot, Store

if TYPE_CHECKING:  # importing papermill costs time a fully cached run does not need
    from helpers.kernel import SharedKernel

NOTEBOOKS = ["01_ingest", "02_score", "03_rank", "04_narrative"]
KERNEL_NAME = "chiso766"
CACHE_FILE = "run.json"
MAX_LISTED = 10  # districts named in one line of the batch's output; the others are counted


@dataclass
class Failure:
    district: str
    week: str
    notebook: str
    error: str
    path: Path | None


@dataclass
class BatchResult:
    week: str
    out_dir: Path
    done: list[str] = field(default_factory=list)  # districts executed now
    cached: list[str] = field(default_factory=list)  # districts whose previous outputs were reused
    failures: list[Failure] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        return 1 if self.failures else 0


# -- cache keys ---------------------------------------------------------------------------------

def _hash_files(h, files) -> None:
    for path in sorted(files):
        h.update(str(path.name).encode())
        h.update(path.read_bytes())


def _tree(root: Path, pattern: str) -> list[Path]:
    return [p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts]


def code_key() -> str:
    """Helpers' source, their templates and params/: a change to any re-executes everything."""
    h = hashlib.sha256()
    _hash_files(h, _tree(PACKAGE_DIR, "*.py") + _tree(PACKAGE_DIR / "templates", "*") + _tree(params_dir(), "*"))
    return h.hexdigest()


@dataclass
class StoreKeys:
    """What the store holds, hashed: each district's records and findings (by code)."""

    districts: dict[str, str]
    empty: str  # the key of a district without rows

    def of(self, district_code: str) -> str:
        return self.districts.get(district_code, self.empty)


def store_keys(records: pd.DataFrame, findings: pd.DataFrame) -> StoreKeys:
    """Every row hashed once (pandas' row hash of its typed values, in which a missing value differs from
    0 or ""); a district's key is the hash of its rows' hashes in store order, records then findings, so
    one pass serves every district."""
    hashes = [pd.util.hash_pandas_object(f, index=False).to_numpy() for f in (records, findings)]
    rows = [f.groupby("district_code", sort=False).indices for f in (records, findings)]

    def key(*parts) -> str:
        h = hashlib.sha256()
        for part in parts:
            h.update(part.tobytes())
        return h.hexdigest()

    none = np.empty(0, dtype=np.int64)
    codes = set(rows[0]) | set(rows[1])
    return StoreKeys(
        districts={c: key(*(h[r.get(c, none)] for h, r in zip(hashes, rows))) for c in codes},
        empty=key(*(h[none] for h in hashes)),
    )


def cache_keys(slug: str, week: str, base: str, stored: StoreKeys, hashes: dict[Path, str] | None = None
               ) -> list[str]:
    """One key per notebook, each chained to the previous one (so each also covers what the notebooks
    before it read).

    01_ingest: parameters + code/params + the notebook + the district's raw files + its records and
               findings in the store (it shows its warnings and history);
    02_score: + the notebook;
    03_rank: + the notebook + the records and findings of the districts it is compared with
             (params.compared_with: it shows the comparison);
    04_narrative: + the notebook (it reads the same rows as 01–03).

    A raw file counts by its SHA-256, taken from `hashes` (path -> SHA-256, as the ingest before
    computed them) or else computed here.
    """
    from helpers.ingest import raw_files

    district = params.district(slug)
    inputs = {
        "01_ingest": [_sha256_of(p, hashes).encode() for p in raw_files(district)]
        + [stored.of(district.code).encode()],
        "02_score": [],
        "03_rank": [stored.of(d.code).encode() for d in params.compared_with(district)],
        "04_narrative": [],
    }
    keys, prev = [], f"{base}|{slug}|{week}|{KERNEL_NAME}".encode()
    for name in NOTEBOOKS:
        h = hashlib.sha256(prev)
        h.update((notebooks_dir() / f"{name}.ipynb").read_bytes())
        for blob in inputs[name]:
            h.update(blob)
        prev = h.hexdigest().encode()
        keys.append(prev.decode())
    return keys


def _sha256_of(path: Path, hashes: dict[Path, str] | None) -> str:
    known = hashes.get(path) if hashes else None
    return known or hashlib.sha256(path.read_bytes()).hexdigest()


def _reusable(out: Path, keys: list[str]) -> int:
    """How many leading notebooks of the last run in `out` can be reused."""
    try:
        old = json.loads((out / CACHE_FILE).read_text(encoding="utf-8"))["keys"]
    except (OSError, ValueError, KeyError):
        return 0
    n = 0
    while n < len(keys) and n < len(old) and old[n] == keys[n] and (out / f"{NOTEBOOKS[n]}.ipynb").exists():
        n += 1
    if n == len(keys) and not all((out / f).exists() for f in ("report.html", "report.pdf")):
        n -= 1
    return n


# -- one district -------------------------------------------------------------------------------

def run_district(slug: str, week: str, keys: list[str], reuse: int, kernel: SharedKernel,
                 queue=None, title: str | None = None, parameters: dict | None = None) -> Failure | None:
    """Execute the notebooks of one district (or province: `parameters`) from `reuse` on in `kernel`,
    render (with the page title `title`: Plan.titles), and move the folder into place."""
    from helpers import annex, render

    week_dir = inside(outputs_dir(), week)
    out = inside(week_dir, slug)
    staging = week_dir / f".staging-{slug}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    for name in NOTEBOOKS[:reuse]:
        shutil.copy2(out / f"{name}.ipynb", staging / f"{name}.ipynb")
        _tell(queue, slug, name, "reused")
    current = None
    try:
        for name in NOTEBOOKS[reuse:]:
            current = name
            kernel.execute(notebooks_dir() / f"{name}.ipynb", staging / f"{name}.ipynb",
                           parameters or {"district": slug, "week": week, "interactive": False})
            _tell(queue, slug, name, "done")
        current = "render"
        render.render_report(staging / "04_narrative.ipynb", staging, title=title)
        annex.write_files(staging / "04_narrative.ipynb", staging)  # (a province's report holds none)
        _tell(queue, slug, "render", "done")
    except Exception as exc:  # noqa: BLE001 (collected and reported with the others at the end)
        failed = inside(week_dir, ".failed", slug)
        shutil.rmtree(failed, ignore_errors=True)
        failed.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, failed)
        path = failed / f"{current}.ipynb" if current in NOTEBOOKS else None
        return Failure(slug, week, current or "?", _one_line(exc), path)
    (staging / CACHE_FILE).write_text(json.dumps({"keys": keys}, indent=1), encoding="utf-8")
    old = week_dir / f".old-{slug}-{uuid.uuid4().hex[:8]}"
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(week_dir / ".failed" / slug, ignore_errors=True)
    return None


def _tell(queue, slug, step, status) -> None:
    if queue is not None:
        queue.put((slug, step, status))


def _one_line(exc: BaseException) -> str:
    """The error in one line: the workbench's own errors by their message alone (they are written for
    the reader), any other with its type, which is what tells a bug apart."""
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    text = str(evalue) if ename in _own_error_names() else f"{ename}: {evalue}"
    return " ".join(text.split())[:300]


def _own_error_names() -> set[str]:
    """Names of ChisoError and its subclasses (an error raised in a kernel arrives as its name)."""
    names, todo = set(), [ChisoError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _worker(task: Task, kernel, queue) -> Failure | None:
    try:
        return run_district(task.slug, task.week, task.keys, task.reuse, kernel, queue, task.title, task.parameters)
    except Exception as exc:  # noqa: BLE001 (an error outside the notebooks, disk or permissions: still one line)
        traceback.print_exc()
        return Failure(task.slug, task.week, "?", _one_line(exc), None)


_POOL_WORKER: dict = {}  # in a pool worker: its kernel and the progress queue


def _init_pool_worker(queue) -> None:
    """Pool initializer: launch this worker's kernel (kept for all its districts and shut down when
    the worker exits), then import the rendering libraries while the kernel boots."""
    from helpers.kernel import SharedKernel

    kernel = SharedKernel(KERNEL_NAME, notebooks_dir())
    kernel.start()
    multiprocessing.util.Finalize(kernel, kernel.close, exitpriority=10)
    _POOL_WORKER.update(kernel=kernel, queue=queue)
    import nbconvert  # noqa: F401
    import weasyprint  # noqa: F401


def _pool_task(task: Task) -> Failure | None:
    return _worker(task, _POOL_WORKER["kernel"], _POOL_WORKER["queue"])


# -- the batch ----------------------------------------------------------------------------------

@dataclass
class Plan:
    """What a batch does: the week, the store its notebooks read, the districts to run (slug, the keys of
    its notebooks, how many of them are reused) and the districts reused whole."""

    asked: Period
    week_dir: Path
    snap: Snapshot
    run: list[tuple[str, list[str], int]]
    cached: list[str]
    titles: dict[str, str] = field(default_factory=dict)  # slug -> the report's page title (districts with data)
    periods: dict[str, Period | None] = field(default_factory=dict)  # slug -> the period its report is for
    retired: list = field(default_factory=list)  # helpers.retire.Retired: files that left data/raw


def plan_batch(chosen: list[District], asked: Period | None = None, force: bool = False) -> Plan:
    """Settle the store (every district's new raw files, in one write), then compare each district's
    cache keys with its last run. A district whose files do not ingest runs again (its ingest notebook
    shows the error)."""
    from helpers import district_week, ingest, narrative, notebook

    store = Store()
    ingested, failed = ingest.ingest_districts(chosen, store)
    asked = asked or notebook.latest_week()
    week_dir = inside(outputs_dir(), asked.iso_week)
    snap = store.read()
    base = code_key()
    stored = store_keys(snap.records, snap.findings)
    plan = Plan(asked, week_dir, snap, [], [], retired=ingested.retired)
    for d in chosen:
        period = district_week.load(d, asked).period  # (the period only: nothing is scored here)
        plan.periods[d.slug] = period
        if period is not None:
            plan.titles[d.slug] = narrative.report_title(d, period)
        keys = cache_keys(d.slug, asked.iso_week, base, stored, ingested.hashes)
        reuse = 0 if force or d.slug in failed else _reusable(inside(week_dir, d.slug), keys)
        if reuse == len(NOTEBOOKS):
            plan.cached.append(d.slug)
        else:
            plan.run.append((d.slug, keys, reuse))
    return plan


def run_report(week: str | None = None, slugs: list[str] | None = None, jobs: int | None = None,
               force: bool = False, quiet: bool = False, provinces: list[str] | None = None,
               executor: str | None = None) -> BatchResult:
    """The districts' reports for a week and, with `provinces`, the provinces' reports from the portal's
    figures (only those when no district and no week is given). The notebooks fan out over `executor`
    (helpers.executors: the process pool by default, or Dask), `jobs` workers."""
    from tqdm import tqdm

    jobs = (os.cpu_count() or 1) if jobs is None else jobs  # 0 is refused below, not read as 'all CPUs'
    if jobs < 1:
        raise UsageError("--jobs phải là số nguyên dương")
    kind = executors.kind_from_env(executor)
    province_slugs = _province_slugs(provinces)
    _check_kernel()
    tasks: list[Task] = []
    if province_slugs and not slugs and week is None:
        result, chosen, asked = BatchResult("", outputs_dir()), [], None
    else:
        chosen = [params.district(s) for s in slugs] if slugs else list(params.districts().values())
        planned = plan_batch(chosen, periods.parse_week_arg(week) if week else None, force)
        asked, iso = planned.asked, planned.asked.iso_week
        result = BatchResult(iso, planned.week_dir, cached=planned.cached)
        for retired in planned.retired:
            _say(quiet, retired.message())
        for line in period_lines(asked, planned.periods):
            _say(quiet, line)
        _say(quiet, vi_format.label("batch", "districts_to_run", week=iso, run=len(planned.run),
                                    cached=len(result.cached),
                                    listed=f" ({_listed(result.cached)})" if result.cached else ""))
        tasks += [Task(slug, iso, keys, reuse, planned.titles.get(slug)) for slug, keys, reuse in planned.run]
    if province_slugs:
        more, cached, failures = plan_provinces(province_slugs, force)
        tasks += more
        result.cached += cached
        result.failures += failures
        _say(quiet, vi_format.label("batch", "provinces_to_run", run=len(more), cached=len(cached)))
    steps = sum(len(NOTEBOOKS) + 1 - t.reuse for t in tasks)
    with tqdm(total=steps, desc=vi_format.label("batch", "progress"), unit=vi_format.label("batch", "progress_unit"),
              disable=quiet or not steps) as bar:
        if not tasks:
            pass  # everything reused: no kernel, and no papermill import
        elif kind == "process" and (jobs == 1 or len(tasks) == 1):
            from helpers.kernel import SharedKernel

            with SharedKernel(KERNEL_NAME, notebooks_dir()) as kernel:
                for t in tasks:
                    _record(result, t.slug, _worker(t, kernel, _BarQueue(bar)))
        else:
            _fan_out(tasks, min(jobs, len(tasks)), kind, result, bar)
    if chosen:
        _write_index(result, chosen, asked)
    _report(result, quiet)
    return result


@dataclass
class Task:
    """One report to make: a district (or a province, `parameters`) for a week, the keys of its
    notebooks, how many are reused, and its page title."""

    slug: str
    week: str
    keys: list[str]
    reuse: int
    title: str | None = None
    parameters: dict | None = None


def _fan_out(tasks: list[Task], workers: int, kind: str, result: BatchResult, bar) -> None:
    """The tasks over `workers` workers of an executor of `kind`, each worker keeping one kernel. With
    the process pool, the workers report each notebook through a queue; with Dask, a report counts
    when it is done."""
    queue = multiprocessing.get_context("forkserver").SimpleQueue() if kind == "process" else None
    with executors.open_executor(kind, workers, initializer=_init_pool_worker, initargs=(queue,)) as pool:
        futures = {pool.submit(_pool_task, t): t for t in tasks}
        pending = set(futures)
        while pending:
            _drain(queue, bar)
            finished = [f for f in pending if f.done()]
            for fut in finished:
                pending.discard(fut)
                task = futures[fut]
                _record(result, task.slug, fut.result())
                if queue is None:
                    bar.update(len(NOTEBOOKS) + 1 - task.reuse)
            if pending:
                _wait(pending)
        _drain(queue, bar)


# -- provinces (the national portal's figures) -----------------------------------------------------

def _province_slugs(provinces: list[str] | None) -> list[str]:
    """The provinces asked: slugs, or "all" for those of params/provinces.yaml."""
    from helpers.portal import report

    if not provinces:
        return []
    slugs = list(params.provinces()) if "all" in provinces else list(dict.fromkeys(provinces))
    for slug in slugs:
        report.province_of(slug)  # an unknown province fails now, as an unknown district does
    return slugs


def plan_provinces(slugs: list[str], force: bool = False) -> tuple[list[Task], list[str], list[Failure]]:
    """Settle the portal store (the new files of data/raw/portal/) and the districts' store, then each
    province's task: its
    newest period, its output folder, its notebooks' keys (the code, both stores) and what is reused.
    A province without figures, or a portal file that does not read, is a failure named in plain words."""
    from helpers import ingest
    from helpers.portal import ingest as portal_ingest
    from helpers.portal import schema
    from helpers.portal import views as portal_views

    try:
        portal_ingest.ingest_paths(portal_views.raw_files())
        # the districts' reports too: the successors' predecessors have their 2023 history there
        ingest.ingest_districts(list(params.districts().values()))
    except ChisoError as exc:
        return [], [], [Failure(slug, "", "01_ingest", _one_line(exc), None) for slug in slugs]
    base = hashlib.sha256((code_key() + schema.store().fingerprint() + Store().fingerprint()).encode())
    tasks, cached, failures = [], [], []
    for slug in slugs:
        try:
            view = portal_views.load(slug)
        except ChisoError as exc:
            failures.append(Failure(slug, "", "01_ingest", _one_line(exc), None))
            continue
        key = view.period.key()
        keys = [hashlib.sha256(f"{base.hexdigest()}|{slug}|{name}".encode()).hexdigest() for name in NOTEBOOKS]
        reuse = 0 if force else _reusable(inside(outputs_dir(), key, slug), keys)
        if reuse == len(NOTEBOOKS):
            cached.append(slug)
            continue
        title = portal_views.narrative_text(view).splitlines()[0]
        tasks.append(Task(slug, key, keys, reuse, title, {"province": slug, "interactive": False}))
    return tasks, cached, failures


class _BarQueue:
    def __init__(self, bar):
        self.bar = bar

    def put(self, item):
        self.bar.set_postfix_str(f"{item[0]} {item[1]}")
        self.bar.update(1)


def _drain(queue, bar) -> None:
    while queue is not None and not queue.empty():
        slug, step, _ = queue.get()
        bar.set_postfix_str(f"{slug} {step}")
        bar.update(1)


def _wait(pending) -> None:
    wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)


def _record(result: BatchResult, slug: str, failure: Failure | None) -> None:
    if failure is None:
        result.done.append(slug)
    else:
        result.failures.append(failure)


def _check_kernel() -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        raise UsageError(f"chưa có kernel Jupyter '{KERNEL_NAME}': hãy chạy 'make setup'") from None


def period_lines(asked: Period, found: dict[str, Period | None]) -> list[str]:
    """What the terminal says before the notebooks run: for which period each district's report is
    (districts grouped by period, newest first), and first, when no district has data for the week
    asked, that none has."""
    groups: dict[Period | None, list[str]] = {}
    for slug, period in found.items():
        groups.setdefault(period, []).append(slug)
    words = vi_format.labels("batch")
    lines = []
    if found and not any(p is not None and p.as_of == asked.as_of for p in found.values()):
        lines.append(words["no_district_has_week"].format(week=asked.iso_week, label=asked.label()))
    lines.append(words["periods_of_week"].format(week=asked.iso_week))
    for period in sorted((p for p in groups if p is not None), reverse=True):
        older = "" if period.as_of == asked.as_of else words["older"]
        lines.append(words["period_line"].format(period=period.label(), older=older, districts=_listed(groups[period])))
    if None in groups:
        lines.append(words["no_data_yet"].format(districts=_listed(groups[None])))
    return lines


INDEX_DATA = "index.json"  # the index's lines, kept so that a run on some districts keeps the others'


def _write_index(result: BatchResult, chosen, asked) -> None:
    """outputs/<week>/index.html: the line each district's run wrote in its folder (annex.INDEX_LINE_NAME:
    nothing is scored again here), and the lines of the previous runs of this week (index.json) for the
    districts not run this time and for a folder without its line, in params order."""
    from helpers import annex, render

    kept = {e["slug"]: e for e in _previous_index(result.out_dir)}
    failed = {f.district: f for f in result.failures}
    entries = []
    for d in chosen:
        out = inside(result.out_dir, d.slug)
        if (out / "report.html").exists():
            entry = annex.read_index_line(out) or kept.get(d.slug) or {"slug": d.slug, "district": d.name}
            if d.slug in failed:  # the previous outputs stay in place: say they are not this run's
                entry["note"] = vi_format.label("index", "failed_run")
        elif d.slug in failed:
            entry = {"slug": d.slug, "district": d.name, "province": d.province,
                     "error": vi_format.label("index", "not_made", error=failed[d.slug].error)}
        else:
            continue
        entries.append(entry)
    ran = {d.slug for d in chosen}
    entries += [e for slug, e in kept.items() if slug not in ran
                and (inside(result.out_dir, slug) / "report.html").exists()]
    order = {slug: i for i, slug in enumerate(params.districts())}
    entries = sorted(entries, key=lambda e: order.get(e["slug"], len(order)))
    if entries:
        title = asked.short_label()
        render.render_index(title[:1].upper() + title[1:], entries, result.out_dir / "index.html")
        render.write_text_atomic(result.out_dir / INDEX_DATA, json.dumps(entries, ensure_ascii=False, indent=1))


def _previous_index(week_dir: Path) -> list[dict]:
    try:
        entries = json.loads((week_dir / INDEX_DATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("slug"), str)]


def _listed(slugs: list[str]) -> str:
    """The slugs, the first MAX_LISTED of them when there are more ("… và 690 huyện khác")."""
    shown = ", ".join(slugs[:MAX_LISTED])
    if len(slugs) <= MAX_LISTED:
        return shown
    return vi_format.label("batch", "more_districts", shown=shown, n=len(slugs) - MAX_LISTED)


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(text, flush=True)


def _report(result: BatchResult, quiet: bool) -> None:
    import sys

    words = vi_format.labels("batch")
    for f in result.failures:
        where = words["failed_see"].format(path=f.path) if f.path else ""
        print(words["failed"].format(district=f.district, week=f.week, notebook=f.notebook, error=f.error, where=where),
              file=sys.stderr)
    if not quiet and (result.out_dir / "index.html").exists():
        print(words["index"].format(path=result.out_dir / "index.html"))
