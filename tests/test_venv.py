"""A .venv copied with the project folder is recognised as another folder's and made again by `make`;
the project's own .venv is not. The venvs here are bare (no pip, no packages): only what the check
reads is laid out, as `make setup` lays it out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import check_venv


def _copy_build_files(folder: Path) -> None:
    """What `make setup` reads (the lock file of pinned versions too, where the project has one)."""
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, folder / name)


def _project(folder: Path) -> Path:
    """A project folder with a bare .venv laid out as `make setup` leaves it."""
    folder.mkdir(parents=True)
    _copy_build_files(folder)
    (folder / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "check_venv.py", folder / "scripts" / "check_venv.py")
    venv = folder / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    (venv / "bin" / "chiso").write_text(f"#!{python}\nimport sys\n", encoding="utf-8")
    site = next(venv.glob("lib/python*")) / "site-packages"
    (site / "__editable__.chiso766-0.1.0.pth").write_text(f"{folder / 'src'}\n", encoding="utf-8")
    kernel = venv / "share" / "jupyter" / "kernels" / "chiso766"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({"argv": [str(python), "-m", "ipykernel_launcher"]}))
    stamp = venv / ".setup-done"
    stamp.touch()
    later = time.time() + 5
    os.utime(stamp, (later, later))  # newer than pyproject.toml, as after a setup
    return folder


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    return _project(tmp_path_factory.mktemp("venv") / "original")


def test_a_venv_in_its_own_folder_belongs_to_it(original):
    assert check_venv.foreign(original / ".venv") == ""
    dry = subprocess.run(["make", "-n", "setup"], cwd=original, capture_output=True, text=True, check=True).stdout
    assert "Nothing to be done for 'setup'" in dry


@pytest.mark.skipif(Path(sys.prefix).parent != ROOT, reason="the tests do not run in this folder's .venv")
def test_the_projects_own_venv_belongs_to_it():
    assert check_venv.foreign(Path(sys.prefix)) == ""


def test_a_copied_venv_is_found_and_make_rebuilds_it(original, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(original, copy, symlinks=True)
    reason = check_venv.foreign(copy / ".venv")
    assert str(original / ".venv" / "bin" / "python") in reason
    dry = subprocess.run(["make", "-n", "setup"], cwd=copy, capture_output=True, text=True, check=True).stdout
    assert f".venv không thuộc thư mục này ({reason}): tạo lại .venv" in dry
    assert "rm -rf .venv" in dry and "pip install" in dry and "-e '.[dev]'" in dry


@pytest.mark.parametrize("what", ["editable", "kernel"])
def test_each_trace_of_another_folder_is_found(original, tmp_path, what):
    copy = tmp_path / "copy"
    shutil.copytree(original, copy, symlinks=True)
    venv = copy / ".venv"
    (venv / "bin" / "chiso").write_text(f"#!{venv / 'bin' / 'python'}\n", encoding="utf-8")  # fixed
    if what == "editable":
        kernel = next(venv.glob("share/jupyter/kernels/*/kernel.json"))
        kernel.write_text(json.dumps({"argv": [str(venv / "bin" / "python")]}))
        assert f"trỏ tới {original / 'src'}" in check_venv.foreign(venv)
    else:
        pth = next(venv.glob("lib/python*/site-packages/__editable__*.pth"))
        pth.write_text(f"{copy / 'src'}\n", encoding="utf-8")
        assert check_venv.foreign(venv).startswith("kernel chiso766 chạy ")


def test_a_venv_without_its_python_is_rebuilt(tmp_path):
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /nonexistent\n")
    assert check_venv.foreign(venv) == ".venv/bin/python không chạy được"
    assert check_venv.foreign(tmp_path / "none") == "none không có pyvenv.cfg"


def test_setup_says_each_step_and_lets_pip_show_its_progress(tmp_path):
    folder = tmp_path / "fresh"
    folder.mkdir()
    _copy_build_files(folder)
    dry = subprocess.run(["make", "-n", "setup"], cwd=folder, capture_output=True, text=True, check=True).stdout
    steps = [line for line in dry.splitlines() if line.startswith('echo "[')]
    assert [s[6:11] for s in steps] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert "pip install" in dry and "--quiet" not in dry and "-q " not in dry
