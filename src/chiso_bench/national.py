"""c. The SYNTHETIC national data set: ingest, score and rank; the week after; the batch's planning;
the weekly batch of a few districts over it; one week alone."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from chiso_bench.batch import notebook_profile
from chiso_bench.config import JOBS
from chiso_bench.processes import child_env, run_child, say


def bench_national(cfg: dict, scratch: Path) -> dict:
    from chiso_bench import synthetic

    n_districts, n_weeks = cfg["national"]
    say(f"[c] writing the SYNTHETIC data set: {n_districts} districts × {n_weeks} weeks …")
    t = time.perf_counter()
    data = synthetic.generate(scratch / "national", districts=n_districts, weeks=n_weeks)
    gen_s = time.perf_counter() - t
    env = child_env(**data.env())
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
    say(
        f"[c]   {len(data.files)} files, {data.records} records; ingest + score + rank "
        f"(budget {cfg['national_budget']:.0f} s) …"
    )
    res, wall = run_child(
        "pipeline",
        {"week": week, "budget": cfg["national_budget"]},
        env,
        timeout=cfg["national_budget"] + 600,
    )
    out["full"] = res
    out["full"]["wall_s"] = wall
    if res.get("finished"):
        say("[c] the floor under any Python ingest of the same files …")
        out["floor"], _ = run_child("floor", {"jobs": res["jobs"], "runs": 3,
                                              "rows_per_file": round(data.records / len(data.files))},
                                    env, timeout=600)
        out["floor"]["rows_per_file"] = round(data.records / len(data.files))
        store_52 = scratch / "national-store-52"  # for the planning of a Monday, below
        shutil.copytree(data.store_dir, store_52)
        # the weekly operation at national scale: the following week's reports into that store
        say(f"[c] the week after it ({n_districts} files) added to the national store …")
        nxt = synthetic.generate(scratch / "national-next", districts=n_districts, weeks=n_weeks + 1,
                                 write_from=n_weeks)
        env_next = child_env(**{**data.env(), "CHISO_RAW": str(nxt.raw_dir)})
        res, wall = run_child("pipeline", {"week": nxt.last_week.iso_week}, env_next, timeout=900)
        res.update(wall_s=wall, week=nxt.last_week.iso_week)
        out["next_week"] = res
        if res.get("finished"):
            # the weekly batch's planning over that store, its raw folders holding all 53 weeks
            for path in nxt.files:
                path.rename(data.raw_dir / path.parent.name / path.name)
            say(f"[c] planning the weekly batch of {n_districts} districts over it …")
            plan, _ = run_child("plan", {"week": nxt.last_week.iso_week},
                             child_env(**data.env(), CHISO_OUTPUTS=scratch / "national-outputs"), timeout=900)
            out["plan"] = plan
            # and on a Monday: the same, with the new week's files not yet in the store (they are
            # ingested, all districts' in one write, before the keys are compared)
            say(f"[c] planning it again with the new week's {n_districts} files not yet stored …")
            plan, _ = run_child("plan", {"week": nxt.last_week.iso_week},
                             child_env(**{**data.env(), "CHISO_STORE": store_52,
                                     "CHISO_OUTPUTS": scratch / "national-outputs"}), timeout=900)
            out["plan_new_week"] = plan
            out["reports"] = national_reports(data.slugs[:cfg["national_reports"]], nxt.last_week.iso_week,
                                              child_env(**data.env(), CHISO_OUTPUTS=scratch / "national-reports"))
        shutil.rmtree(nxt.root, ignore_errors=True)
        shutil.rmtree(store_52, ignore_errors=True)
    if cfg["week_slice"]:
        shutil.rmtree(data.store_dir, ignore_errors=True)
        say(f"[c] one week of it ({n_districts} files, {week}) …")
        res, wall = run_child("pipeline", {"week": week, "only_as_of": data.last_week.as_of}, env, timeout=900)
        res["wall_s"] = wall
        out["one_week"] = res
    shutil.rmtree(data.root, ignore_errors=True)
    return out


def national_reports(slugs: list[str], week: str, env: dict) -> dict:
    """The weekly batch (`make report DISTRICTS=...`) for a few districts over the national store: each
    district's four notebooks and its report, as for the three real districts in a. (their charts
    compare each district with the districts of its province)."""
    say(f"[c] the weekly batch of {len(slugs)} districts over that store …")
    res, wall = run_child("batch", {"week": week, "jobs": JOBS, "force": True, "slugs": slugs}, env, timeout=900)
    res.update(wall_s=wall, slugs=slugs, week=week)
    if not res.get("error"):
        res.update(notebook_profile(Path(env["CHISO_OUTPUTS"]) / week))
    return res
