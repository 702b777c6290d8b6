"""JupyterLab as `make lab` opens it: a save through the server writes the notebook as committed and the
same paired script; the interface is in Vietnamese."""

from __future__ import annotations

import json

import pytest

from helpers import lab
from tests.conftest import ROOT
from tests.jupyter_server import start_lab

pytestmark = pytest.mark.e2e
NAME = "03_rank"
WIDGET_STATE = {"application/vnd.jupyter.widget-state+json": {
    "state": {"abc": {"model_name": "LayoutModel", "model_module": "@jupyter-widgets/base",
                      "model_module_version": "2.0.0", "state": {}}}, "version_major": 2, "version_minor": 0}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from start_lab(tmp_path_factory.mktemp("lab"))


def _used(nb: dict) -> dict:
    """The notebook as JupyterLab sends it after a run: outputs, counts, widget views and state."""
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = i + 1
        cell["metadata"]["execution"] = {"iopub.status.idle": "2026-01-05T08:00:00Z"}
        cell["outputs"] = [
            {"output_type": "stream", "name": "stdout", "text": "Huyện Chợ Mới\n"},
            {"output_type": "display_data", "metadata": {},
             "data": {"application/vnd.jupyter.widget-view+json":
                      {"model_id": "abc", "version_major": 2, "version_minor": 0},
                      "text/plain": "VBox()"}},
        ]
    nb["metadata"]["widgets"] = WIDGET_STATE
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.2"}
    return nb


def test_a_save_from_jupyterlab_writes_the_notebook_as_committed(server):
    model = server.api("GET", f"/api/contents/{NAME}.ipynb?content=1")
    assert model["content"]["metadata"]["kernelspec"]["name"] == "chiso766"
    server.api("PUT", f"/api/contents/{NAME}.ipynb", {"type": "notebook", "format": "json",
                                                     "content": _used(model["content"])})
    saved = json.loads((server.root / f"{NAME}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in saved["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert all("execution" not in c["metadata"] for c in code)
    assert "widgets" not in saved["metadata"] and "language_info" not in saved["metadata"]
    assert saved["metadata"]["kernelspec"]["display_name"] == "Chỉ số 766 (.venv)"
    # nothing was edited: both files are byte for byte the committed ones
    assert (server.root / f"{NAME}.py").read_text(encoding="utf-8") == \
        (ROOT / "notebooks" / f"{NAME}.py").read_text(encoding="utf-8")
    assert saved == json.loads((ROOT / "notebooks" / f"{NAME}.ipynb").read_text(encoding="utf-8"))


def test_an_edit_saved_from_jupyterlab_changes_only_its_line_of_the_script(server):
    model = server.api("GET", f"/api/contents/{NAME}.ipynb?content=1")
    nb = _used(model["content"])
    param = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    param["source"] = param["source"].replace('district = "cho-moi"', 'district = "phu-tan"')
    server.api("PUT", f"/api/contents/{NAME}.ipynb", {"type": "notebook", "format": "json", "content": nb})
    before = (ROOT / "notebooks" / f"{NAME}.py").read_text(encoding="utf-8").splitlines()
    after = (server.root / f"{NAME}.py").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and changed == [('district = "cho-moi"', 'district = "phu-tan"')]
    assert "text_representation" not in "\n".join(after) and "\\u" not in "\n".join(after)


def test_the_interface_opens_in_vietnamese(server):
    # the project's default (the user's own choice in Settings → Language, kept in their settings, wins)
    setting = server.api("GET", "/lab/api/settings/@jupyterlab/translation-extension:plugin")
    assert setting["schema"]["properties"]["locale"]["default"] == "vi_VN"
    pack = server.api("GET", "/lab/api/translations/vi_VN")["data"]["jupyterlab"]
    assert pack[""]["language"] == "vi-VN" and pack["Settings"] == ["Cài đặt"]
    widgets = server.api("GET", "/lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin")
    assert widgets["schema"]["properties"]["saveState"]["default"] is False
    # it asks nothing of the web: no news, no update check
    news = server.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")["schema"]
    assert news["properties"]["fetchNews"]["default"] == "false"
    assert news["properties"]["checkForUpdates"]["default"] is False


def test_the_hook_keeps_tags_and_sources():
    nb = {"metadata": {"widgets": {}, "kernelspec": {"name": "chiso766"}},
          "cells": [{"cell_type": "code", "source": "x = 1", "execution_count": 4, "outputs": [{}],
                     "metadata": {"tags": ["parameters"], "scrolled": True}},
                    {"cell_type": "markdown", "source": "# Tiêu đề", "metadata": {}}]}
    lab.pre_save_hook({"type": "notebook", "content": nb})
    assert nb == {"metadata": {"kernelspec": {"name": "chiso766"}},
                  "cells": [{"cell_type": "code", "source": "x = 1", "execution_count": None, "outputs": [],
                             "metadata": {"tags": ["parameters"]}},
                            {"cell_type": "markdown", "source": "# Tiêu đề", "metadata": {}}]}
    untouched = {"type": "file", "content": "x"}
    lab.pre_save_hook(untouched)
    assert untouched == {"type": "file", "content": "x"}


def test_make_lab_uses_the_project_config():
    import subprocess

    dry = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert f'JUPYTER_CONFIG_PATH="{ROOT}/jupyter' in dry and "--notebook-dir=notebooks" in dry
