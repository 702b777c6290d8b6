"""Project hygiene: dependencies mirrored, Makefile targets, notebooks thin and without outputs."""

from __future__ import annotations

import ast
import json
import re
import tomllib

import jupytext
import pytest
import yaml

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _name(req: str) -> str:
    return re.split(r"[<>=\[ ]", req.strip(), maxsplit=1)[0].lower()


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r): r.replace(" ", "") for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    mirrored = {_name(r): r.replace(" ", "") for r in pip if not r.startswith("-e")}
    assert mirrored == wanted
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == project["requires-python"]


def test_requirements_lock_pins_every_dependency_within_its_bounds():
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pinned = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            pinned[canonicalize_name(req.name)] = str(next(iter(req.specifier)).version)
    for text in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(text)
        version = pinned.get(canonicalize_name(req.name))
        assert version is not None, f"{req.name} missing from requirements.lock (make lock)"
        assert req.specifier.contains(version), f"{req.name}=={version} outside {req.specifier} (make lock)"
    ruff = next(Requirement(r) for r in project["optional-dependencies"]["dev"] if r.startswith("ruff"))
    assert str(ruff.specifier).startswith("=="), "the linter is pinned exactly: its rules change between versions"
    assert "-c $(LOCK)" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_makefile_has_every_contract_target():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ["help", "setup", "report", "lab", "test", "bench", "clean"]:
        assert re.search(rf"^{target}:.*## ", text, re.MULTILINE), target
    assert ".DEFAULT_GOAL := help" in text


def test_there_are_four_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_ingest", "02_score", "03_rank", "04_narrative"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_committed_clean_and_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "outputs committed"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert nb["metadata"]["kernelspec"]["name"] == "chiso766"
    for cell in code:
        tree = ast.parse("".join(cell["source"]))
        defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
        assert not defs, f"{path.name} defines code; put it in helpers"
    # the parameters are validated right after the parameters cell
    after = code[code.index(tagged[0]) + 1]
    assert "check_parameters(globals())" in "".join(after["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_matches_its_percent_script(path):
    pair = path.with_suffix(".py")
    assert pair.exists(), f"{pair.name} missing: run jupytext --sync"
    a, b = jupytext.read(path), jupytext.read(pair)
    assert [(c.cell_type, c.source, c.metadata.get("tags")) for c in a.cells] == \
        [(c.cell_type, c.source, c.metadata.get("tags")) for c in b.cells], "notebook and script drifted"


def test_no_machine_paths_committed():
    import subprocess

    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    for f in files:
        p = ROOT / f
        if p.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".ipynb", ".j2", ".css"} and p.is_file():
            text = p.read_text(encoding="utf-8", errors="ignore")
            for prefix in ("/" + "work/", "/" + "root/", "/" + "home/"):
                assert prefix not in text, f"{f} names a machine path ({prefix})"


# Text in these modules that is a value of the data, not words for a reader: the registry's unit types
# (charts order and mark units by them) and the history's marker of a mean of units.
DATA_VALUES = {"xã", "phường", "thị trấn", "mean|trung bình"}


def _reader_texts(path) -> list[tuple[int, str]]:
    """Vietnamese string literals of a module, outside docstrings and `raise` statements (errors keep
    their file and line context where they are built)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            skip.update(id(n) for n in ast.walk(node))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
            and n.value not in DATA_VALUES and any(ord(c) > 127 and c.isalpha() for c in n.value)]


@pytest.mark.parametrize("name", ["panels.py", "explore.py", "charts.py", "batch.py", "retire.py"])
def test_reader_facing_words_come_from_params_wording(name):
    """The panels' labels, the small words of charts and the batch's terminal lines are in
    params/wording (labels.yaml, phrases.yaml), not in the code."""
    assert _reader_texts(ROOT / "src" / "helpers" / name) == []
