"""Parameters are validated before use: notebook parameters, command-line values, output paths.

WEEK is an ISO week or a date; a district is a slug of params/districts.yaml (never a path); numbers
are in range (--jobs ≥ 1); every path built from parameters stays inside outputs/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from helpers import notebook, params, paths
from helpers.cli import main
from helpers.errors import ParamsError, UsageError
from tests.conftest import ROOT

GOOD = {"district": "cho-moi", "week": "2023-W49", "interactive": False}
BAD_SLUGS = ["../x", "..", "/etc/passwd", "cho-moi/../../x", "cho-moi/", "CHO-MOI", "cho moi", "", "ben-tre",
             "cho-moi\x00", "~", "cho_moi"]
BAD_WEEKS = ["2023-W54", "2023-W00", "2023-49", "W49", "../2023-W49", "2023-W49/../../x", "2023-02-30",
             "tuần 49", "2023-W4"]


def _ns(**changes) -> dict:
    ns = dict(GOOD)
    ns.update(changes)
    return ns


# -- notebook parameters ---------------------------------------------------------------------------

def test_good_parameters(scratch):
    run = notebook.check_parameters(_ns())
    assert (run.district.slug, run.week.iso_week, run.interactive) == ("cho-moi", "2023-W49", False)
    out = run.out_dir
    assert out == (scratch / "outputs" / "2023-W49" / "cho-moi").resolve()


def test_province_parameter_runs_the_province(scratch):
    run = notebook.check_parameters(_ns(province="an-giang"))
    assert (run.province, run.district) == ("an-giang", None)
    assert notebook.check_parameters(_ns()).province == ""  # optional: a district's run
    with pytest.raises(UsageError, match="không có tỉnh, thành phố '../x'"):
        notebook.check_parameters(_ns(province="../x"))
    with pytest.raises(UsageError, match="tham số 'province' phải là"):
        notebook.check_parameters(_ns(province=91))


def test_modules_functions_and_ipython_names_are_not_parameters():
    import math

    ns = _ns(math=math, helper=lambda: None, In=[], Out={}, _private=1, get_ipython=print)
    assert notebook.check_parameters(ns).district.slug == "cho-moi"


def test_the_notebooks_own_results_of_an_earlier_run_are_not_parameters():
    """Run again in the same kernel, a notebook's globals hold its earlier results: only JSON values
    (what papermill can inject) are taken for parameters."""
    import pandas as pd

    earlier = notebook.check_parameters(_ns())
    ns = _ns(run=earlier, scored=pd.DataFrame({"score": [1.0]}), report=object())
    assert notebook.check_parameters(ns).district.slug == "cho-moi"
    with pytest.raises(UsageError, match="không được hỗ trợ: title"):  # a text global is still a parameter
        notebook.check_parameters(dict(ns, title="x"))


def test_unknown_parameter():
    with pytest.raises(UsageError, match="không được hỗ trợ: district_slug"):
        notebook.check_parameters(_ns(district_slug="cho-moi"))


@pytest.mark.parametrize("name", ["district", "week", "interactive"])
def test_missing_parameter(name):
    ns = _ns()
    del ns[name]
    with pytest.raises(UsageError, match=f"thiếu tham số: {name}"):
        notebook.check_parameters(ns)


@pytest.mark.parametrize("name, value", [("week", 49), ("week", None), ("interactive", "False"),
                                         ("interactive", 0), ("district", ["cho-moi"]), ("district", 893)])
def test_wrong_type(name, value):
    with pytest.raises(UsageError, match=f"tham số '{name}' phải là"):
        notebook.check_parameters(_ns(**{name: value}))


@pytest.mark.parametrize("slug", BAD_SLUGS)
def test_bad_district_slug(slug):
    with pytest.raises(UsageError, match="không có huyện"):
        notebook.check_parameters(_ns(district=slug))


@pytest.mark.parametrize("week", BAD_WEEKS)
def test_bad_week(week):
    with pytest.raises(UsageError, match="không hợp lệ"):
        notebook.check_parameters(_ns(week=week))


def test_empty_week_is_the_latest_in_the_store(scratch):
    run = notebook.check_parameters(_ns(week=""))
    with pytest.raises(UsageError, match="chưa có tuần nào"):
        run.week  # noqa: B018 - the empty store has no latest week


def test_district_slug_in_params_must_be_a_slug(tmp_path, monkeypatch):
    """A slug that could be a path is refused where the districts are read, not just where used."""
    scratch_params = tmp_path / "params"
    shutil.copytree(ROOT / "params", scratch_params)
    data = yaml.safe_load((scratch_params / "districts.yaml").read_text(encoding="utf-8"))
    data["districts"]["../evil"] = data["districts"]["cho-moi"]
    (scratch_params / "districts.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CHISO_PARAMS", str(scratch_params))
    with pytest.raises(ParamsError, match="slug"):
        params.districts()
    assert main(["rank", "--week", "2023-W49", "--district", "cho-moi"]) == 2


# -- the command line --------------------------------------------------------------------------------

def _untouched(scratch: Path) -> bool:
    return not (scratch / "outputs").exists() and not (scratch / "store").exists()


@pytest.mark.parametrize("argv, fragment", [
    (["report", "--jobs", "0"], "--jobs"),
    (["report", "--jobs", "-2"], "--jobs"),
    (["report", "--jobs", "hai"], "--jobs"),
    (["report", "--district", "../x"], "../x"),
    (["report", "--district", "cho-moi", "--district", "/etc"], "/etc"),
    (["report", "--week", "2023-W54"], "2023-W54"),
    (["report", "--week", "../2023-W49"], "../2023-W49"),
    (["rank", "--week", "2023-W49", "--district", "../x"], "../x"),
    (["rank", "--week", "tuần 49"], "tuần 49"),
    (["narrative", "--week", "2023-W49", "--district", "../../etc"], "../../etc"),
    (["narrative", "--week", "2023-W49"], "--district"),
    (["ingest", str(ROOT / "data" / "raw" / "cho-moi"), "--district", "../x"], "../x"),
    (["frobnicate"], "frobnicate"),
])
def test_bad_command_line_exits_2(scratch, capsys, argv, fragment):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("chiso: lỗi: ") and fragment in err, err
    assert "Traceback" not in err
    assert _untouched(scratch)  # refused before anything ran or was written


# -- paths built from parameters ---------------------------------------------------------------------

def test_inside_accepts_paths_below_base(tmp_path):
    base = tmp_path / "outputs"
    base.mkdir()
    assert paths.inside(base) == base.resolve()
    assert paths.inside(base, "2023-W49", "cho-moi") == base.resolve() / "2023-W49" / "cho-moi"
    assert paths.inside(base, "2023-W49/../2023-W50") == base.resolve() / "2023-W50"


@pytest.mark.parametrize("parts", [("..",), ("../x",), ("2023-W49", "..", ".."), ("/etc",),
                                   ("2023-W49", "/etc"), ("a/../../x",), ("..", "outputs-evil")])
def test_inside_refuses_escapes(tmp_path, parts):
    base = tmp_path / "outputs"
    base.mkdir()
    with pytest.raises(UsageError, match="nằm ngoài thư mục"):
        paths.inside(base, *parts)


def test_inside_refuses_a_symlink_out(tmp_path):
    base = tmp_path / "outputs"
    base.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, base / "2023-W49")
    with pytest.raises(UsageError):
        paths.inside(base, "2023-W49", "cho-moi")


def test_sibling_with_common_prefix_is_outside(tmp_path):
    base = tmp_path / "outputs"
    base.mkdir()
    (tmp_path / "outputs2").mkdir()
    with pytest.raises(UsageError):
        paths.inside(base, "../outputs2")
