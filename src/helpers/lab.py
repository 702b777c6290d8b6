"""JupyterLab as `make lab` opens it: what a saved notebook keeps.

The project's Jupyter config (jupyter/jupyter_server_config.py) installs `pre_save_hook`: every
notebook JupyterLab saves, by hand or by autosave, is written as it is committed, without outputs,
execution counts or widget state. A notebook's results belong to the executed copies in outputs/;
widget state saved without its kernel only shows "model not found" when the notebook is reopened.
"""

from __future__ import annotations

# Cell metadata JupyterLab writes while a notebook is used (folding, scrolling, timings); tags stay.
RUNTIME_CELL_METADATA = ("collapsed", "scrolled", "execution", "jupyter")
# Notebook metadata that describes the kernel that last ran it, not the notebook.
RUNTIME_NOTEBOOK_METADATA = ("widgets", "language_info")


def strip_for_commit(nb: dict) -> dict:
    """The notebook (nbformat JSON as a dict) without outputs, execution counts, widget state and the
    metadata of the kernel that ran it; changed in place and returned."""
    for key in RUNTIME_NOTEBOOK_METADATA:
        nb.get("metadata", {}).pop(key, None)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in RUNTIME_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
    return nb


def pre_save_hook(model: dict, **_) -> None:
    """jupyter_server's ContentsManager.pre_save_hook: strips a notebook model before it is written."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        strip_for_commit(model["content"])
