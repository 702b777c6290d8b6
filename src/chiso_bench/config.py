"""What the benchmark runs (FULL, or QUICK with --quick) and the targets it reports as met or not."""

from __future__ import annotations

WEEK = "2023-W49"
JOBS = 2
GIB = 1024**3

# runs: interleaved batch/naive pairs and unchanged re-runs; changed_runs: re-runs after a raw file change;
# national: SYNTHETIC districts × weeks; national_budget: seconds the national pipeline may run for;
# national_reports: districts whose weekly batch (notebooks and reports) runs over the national store;
# render: SYNTHETIC districts × weeks of the rendering measurement; week_slice: also one national week;
# portal: weeks × provinces (None: all 34) of the SYNTHETIC national portal year.
FULL = {
    "runs": 3,
    "changed_runs": 1,
    "national": (700, 52),
    "national_budget": 150.0,
    "national_reports": 4,
    "render": (50, 2),
    "week_slice": True,
    "portal": (52, None),
}
QUICK = {
    "runs": 1,
    "changed_runs": 1,
    "national": (30, 4),
    "national_budget": 120.0,
    "national_reports": 2,
    "render": (10, 2),
    "week_slice": False,
    "portal": (4, 6),
}

TARGETS = {
    "speedup": 4.0,  # batch vs naive
    "cache_hit_s": 2.0,  # unchanged re-run
    "national_bytes": GIB,  # peak memory
}
