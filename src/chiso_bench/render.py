"""d. Rendering throughput with 1 and 2 processes."""

from __future__ import annotations

from pathlib import Path

from chiso_bench.config import JOBS
from chiso_bench.processes import child_env, run_child, say


def bench_render(cfg: dict, scratch: Path) -> dict:
    from chiso_bench import synthetic

    n_districts, n_weeks = cfg["render"]
    data = synthetic.generate(scratch / "render", districts=n_districts, weeks=n_weeks, seed=4766)
    env = child_env(**data.env(), CHISO_OUTPUTS=scratch / "render" / "outputs")
    week = data.last_week.iso_week
    say(f"[d] building {n_districts} SYNTHETIC 04_narrative notebooks …")
    prep, _ = run_child(
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
        say(f"[d] rendering {n_districts} reports with {jobs} process(es) …")
        res, _ = run_child(
            "render",
            {"notebooks": prep["notebooks"], "jobs": jobs, "out": str(scratch / "render" / f"out-{jobs}")},
            env,
            timeout=1200,
        )
        if "seconds" in res:
            res["per_minute"] = res["reports"] / res["seconds"] * 60
        out[f"jobs{jobs}"] = res
    return out
