"""a. The weekly batch against the naive command lines, and b. the re-runs (the cache)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from chiso_bench.config import JOBS, WEEK
from chiso_bench.processes import child_env, console_script, run_child, say
from chiso_bench.table import median
from helpers.batch import KERNEL_NAME as KERNEL
from helpers.batch import NOTEBOOKS


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
                    console_script("papermill"),
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
                console_script("jupyter"),
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
        steps.append([console_script("weasyprint"), str(folder / "report.html"), str(folder / "report.pdf")])
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


def notebook_profile(week_dir: Path) -> dict:
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
    return {k: median(v) for k, v in times.items()}


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
        env = child_env(
            CHISO_RAW=raw,
            CHISO_STORE=scratch / f"a{i}" / "store",
            CHISO_OUTPUTS=scratch / f"a{i}" / "outputs",
        )
        say(f"[a] run {i + 1}/{cfg['runs']}: batch (jobs={JOBS}) …")
        res, wall = run_child("batch", {"week": WEEK, "jobs": JOBS, "force": True}, env, timeout=900)
        if res.get("error") or res.get("failures") or len(res.get("done", [])) != len(slugs):
            errors.append(f"batch run {i + 1}: {res.get('error') or res.get('failures') or res}")
        batch_s.append(wall)
        batch_in.append(res.get("run_s"))
        last_env, key_before = env, res.get("code_key")
        profile = notebook_profile(Path(env["CHISO_OUTPUTS"]) / WEEK)
        say(f"[a]   batch {wall:.1f} s; naive baseline …")
        nenv = child_env(
            CHISO_RAW=raw,
            CHISO_STORE=scratch / f"n{i}" / "store",
            CHISO_OUTPUTS=scratch / f"n{i}" / "outputs",
        )
        nres = naive_run(slugs, WEEK, nenv, root)
        if nres["errors"] or nres["reports"] != len(slugs):
            errors.append(f"naive run {i + 1}: {nres['errors'][:3]} reports={nres['reports']}")
        naive_s.append(nres["seconds"])
        naive_profile = notebook_profile(Path(nenv["CHISO_OUTPUTS"]) / WEEK)
        say(f"[a]   naive {nres['seconds']:.1f} s ({nres['commands']} commands)")
    out = {
        "districts": slugs,
        "week": WEEK,
        "jobs": JOBS,
        "runs": cfg["runs"],
        "batch_s": batch_s,
        "batch_run_report_s": batch_in,
        "naive_s": naive_s,
        "batch_median_s": median(batch_s),
        "naive_median_s": median(naive_s),
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
        say(f"[b] unchanged re-run {len(hits) + 1}/{cfg['runs']} …")
        hit_res, wall = run_child("batch", {"week": WEEK, "jobs": JOBS, "force": False}, last_env, timeout=900)
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
        say(
            f"[b] re-run after changing {changed_slug}/{changed_file.name} ({i + 1}/{cfg['changed_runs']}) …"
        )
        res, wall = run_child("batch", {"week": WEEK, "jobs": JOBS, "force": False}, last_env, timeout=900)
        after = _mtimes(week_dir, slugs)
        reran = {s: [n for n in NOTEBOOKS if before[s][n] != after[s][n]] for s in slugs}
        changes.append(wall)
        changes_in.append(res.get("run_s"))
        if res.get("error") or res.get("failures"):
            errors.append(f"changed-input run: {res.get('error') or res.get('failures')}")
    out.update(
        cache_hit_s=hits,
        cache_hit_run_report_s=hits_in,
        cache_hit_median_s=median(hits),
        cache_hit_run_report_median_s=median([x for x in hits_in if x is not None]),
        cache_hit_cached=hit_res.get("cached") if hit_res else None,
        changed_district=changed_slug,
        changed_s=changes,
        changed_run_report_s=changes_in,
        changed_median_s=median(changes),
        changed_run_report_median_s=median([x for x in changes_in if x is not None]),
        changed_reexecuted=reran,
        notes=notes,
    )
    return out
