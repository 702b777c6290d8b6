"""Does .venv belong to this folder? Prints why not (one line), nothing when it does.

A .venv copied or moved with the project folder still names the folder it was made in: its scripts
start that folder's Python, the editable install imports that folder's src/, and the Jupyter kernel
runs there, so the copy would silently run the other folder's code and store. `make` runs this with
the system Python before any target and rebuilds .venv when it prints something. Standard library
only: it must run whatever state .venv is in.
Usage: python3 scripts/check_venv.py [VENV]   (VENV defaults to .venv beside scripts/)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _inside(path: str, folder: Path) -> bool:
    real = os.path.realpath(path)
    return real == str(folder) or real.startswith(str(folder) + os.sep)


def _shebang(path: Path) -> str | None:
    """The interpreter a script's first line names (None for binaries and other files)."""
    try:
        with open(path, "rb") as f:
            first = f.readline(400)
    except OSError:
        return None
    if not first.startswith(b"#!") or b"python" not in first:
        return None
    return first[2:].decode(errors="replace").split()[0]


def foreign(venv: Path) -> str:
    """Why `venv` does not belong to the folder it is in ('' when it does)."""
    if not (venv / "pyvenv.cfg").is_file():
        return f"{venv.name} không có pyvenv.cfg"
    root = Path(os.path.realpath(venv.parent))
    bin_dir = Path(os.path.realpath(venv / "bin"))
    for script in sorted((venv / "bin").iterdir()):
        interpreter = _shebang(script) if script.is_file() and not script.is_symlink() else None
        if interpreter and Path(os.path.realpath(os.path.dirname(interpreter))) != bin_dir:
            return f"{venv.name}/bin/{script.name} chạy {interpreter}"
    for spec in venv.glob("share/jupyter/kernels/*/kernel.json"):
        argv = json.loads(spec.read_text(encoding="utf-8")).get("argv") or [""]
        if os.path.dirname(argv[0]) and Path(os.path.realpath(os.path.dirname(argv[0]))) != bin_dir:
            return f"kernel {spec.parent.name} chạy {argv[0]}"
    for pth in venv.glob("lib/python*/site-packages/__editable__*.pth"):
        for line in pth.read_text(encoding="utf-8").splitlines():
            if line.startswith(os.sep) and not _inside(line, root):
                return f"bản cài đặt của dự án trong {venv.name} trỏ tới {line}"
    try:
        subprocess.run([str(venv / "bin" / "python"), "-c", ""], check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return f"{venv.name}/bin/python không chạy được"
    return ""


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / ".venv"
    reason = foreign(target.absolute())
    if reason:
        print(f".venv không thuộc thư mục này ({reason})")
