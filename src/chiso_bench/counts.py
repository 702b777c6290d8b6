"""`python -m chiso_bench.counts [--week 2023-W49]`: how often a `chiso report` works out the same facts.

Runs `chiso report --jobs 1` on data/raw into a scratch store and outputs, with every process of the
run (the batch and its Jupyter kernel) counting calls of: the week argument parsed
(periods.parse_week_arg), districts scored (one per district in each frame score.score_records
scores) and numbers formatted (vi_format.number). Prints the totals; measures, never asserts.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Imported first by every Python process of the run (PYTHONPATH): wraps the functions with counters
# and appends the counts of the process to COUNTS_OUT when it exits.
SITECUSTOMIZE = '''
import atexit, functools, json, os
counts = {}

def wrap(module, name, key, n=lambda *a, **k: 1):
    f = getattr(module, name)

    @functools.wraps(f)
    def counted(*a, **k):
        counts[key] = counts.get(key, 0) + n(*a, **k)
        return f(*a, **k)

    setattr(module, name, counted)

from helpers import periods, score, vi_format
wrap(periods, "parse_week_arg", "week parses")
wrap(score, "score_records", "district scorings",
     lambda rows, *a, **k: int(rows["district_code"].nunique()) if len(rows) else 0)
wrap(vi_format, "number", "numbers formatted")

@atexit.register
def dump():
    if counts:
        with open(os.environ["COUNTS_OUT"], "a", encoding="utf-8") as f:
            f.write(json.dumps(counts) + "\\n")
'''


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chiso_bench.counts", description=__doc__.splitlines()[0])
    ap.add_argument("--week", default="2023-W49")
    args = ap.parse_args(argv)
    chiso = Path(sys.executable).with_name("chiso")
    with tempfile.TemporaryDirectory(prefix="chiso-counts-") as tmp:
        scratch = Path(tmp)
        (scratch / "site").mkdir()
        (scratch / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        out = scratch / "counts.jsonl"
        env = dict(os.environ, COUNTS_OUT=str(out), CHISO_STORE=str(scratch / "store"),
                   CHISO_OUTPUTS=str(scratch / "outputs"),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(scratch / "site"), os.environ.get("PYTHONPATH")])))
        proc = subprocess.run([str(chiso), "report", "--week", args.week, "--jobs", "1"], check=False, env=env,
                              capture_output=True, text=True)
        totals: collections.Counter = collections.Counter()
        processes = 0
        for line in out.read_text(encoding="utf-8").splitlines() if out.exists() else []:
            totals.update(json.loads(line))
            processes += 1
    print(f"chiso report --week {args.week} (exit {proc.returncode}), {processes} processes counted:")
    for key in ("week parses", "district scorings", "numbers formatted"):
        print(f"  {key}: {totals.get(key, 0)}")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
