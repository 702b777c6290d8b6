"""Each measurement runs in a fresh interpreter (`python -m chiso_bench --child KIND ARGS`, see
children.py) with its own environment, and prints its result as one marked JSON line."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

MARK = "BENCH-RESULT "


def console_script(name: str) -> str:
    """A console script of the interpreter's environment (the venv's papermill, jupyter, weasyprint)."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


def child_env(**values) -> dict[str, str]:
    """This process's environment with the CHISO_* paths replaced by `values` (None leaves one unset)."""
    env = dict(os.environ)
    for key in ("CHISO_PARAMS", "CHISO_RAW", "CHISO_STORE", "CHISO_OUTPUTS"):
        env.pop(key, None)
    env.update({k: str(v) for k, v in values.items() if v is not None})
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_child(kind: str, args: dict, env: dict, timeout: float | None = None) -> tuple[dict, float]:
    """Run `python -m chiso_bench --child KIND ARGS` and return (its result, wall seconds)."""
    cmd = [sys.executable, "-m", "chiso_bench", "--child", kind, json.dumps(args)]
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


def emit(result: dict) -> None:
    """In a child: print its result as the marked line run_child looks for."""
    print(MARK + json.dumps(result), flush=True)


def rss_bytes() -> int:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


def say(text: str) -> None:
    """Progress, on stderr (stdout carries the table)."""
    print(text, file=sys.stderr, flush=True)
