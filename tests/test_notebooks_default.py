"""End to end: the four notebooks run top to bottom (01 → 04) on a scratch store, as a person runs them
in JupyterLab (default parameters: district "cho-moi", week "" = the latest week in the store,
interactive True: the widget panels are displayed) and as the batch runs them (interactive False: no
widget at all). Executed with papermill's Python API on the project kernel, from notebooks/.
"""

from __future__ import annotations

import nbformat
import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.e2e

NOTEBOOK_DIR = ROOT / "notebooks"
NAMES = ["01_ingest", "02_score", "03_rank", "04_narrative"]
KERNEL = "chiso766"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _execute(tmp_path, parameters: dict | None) -> dict[str, nbformat.NotebookNode]:
    """Run the notebooks in order; the kernel inherits CHISO_STORE / CHISO_OUTPUTS from `scratch`."""
    import papermill as pm

    done = {}
    for name in NAMES:
        target = tmp_path / "executed" / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(str(NOTEBOOK_DIR / f"{name}.ipynb"), str(target), parameters=parameters or {},
                            kernel_name=KERNEL, cwd=str(NOTEBOOK_DIR), progress_bar=False)
        done[name] = nbformat.read(str(target), as_version=4)
    return done


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _widget_views(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for o in _outputs(nb) if WIDGET_MIME in o.get("data", {})]


def _assert_no_error(done: dict) -> None:
    for name, nb in done.items():
        errors = [o for o in _outputs(nb) if o.get("output_type") == "error"]
        assert not errors, f"{name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"


def test_notebooks_run_with_default_parameters_and_show_widgets(scratch):
    done = _execute(scratch, None)
    _assert_no_error(done)
    assert _widget_views(done["03_rank"]), "03_rank displayed no interactive panel"
    assert _widget_views(done["02_score"]), "02_score displayed no interactive panel"
    assert len(_widget_views(done["04_narrative"])) == 2, "04_narrative: what-if and threshold panels expected"
    assert not _widget_views(done["01_ingest"])
    # the report cell still shows the report, and every widget of 04 sits in a cell tagged "remove"
    for cell in done["04_narrative"].cells:
        if cell.cell_type == "code" and any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])):
            assert "remove" in cell.metadata.get("tags", [])
    report_cell = next(c for c in done["04_narrative"].cells if "for part in built.parts" in c.source)
    assert len([o for o in report_cell.outputs if "text/html" in o.get("data", {})]) >= 5
    # by hand, 01 stored the districts Chợ Mới is compared with, so 04 compares it with them
    assert "cũng được nạp vào kho: Phú Tân, Tháp Mười." in str(_outputs(done["01_ingest"]))
    assert "huyện Phú Tân" in str(report_cell.outputs) and "huyện Tháp Mười" in str(report_cell.outputs)
    assert any("text/html" in o.get("data", {}) for o in report_cell.outputs)


def test_notebooks_in_batch_mode_show_no_widget(scratch):
    done = _execute(scratch, {"district": "cho-moi", "week": "", "interactive": False})
    _assert_no_error(done)
    # 04 keeps the tables the report was built from (scored, ranked, findings), in cells tagged "remove"
    tables = [c for c in done["04_narrative"].cells if c.cell_type == "code"
              and any(f"display(tables.style_{t}(week." in c.source for t in ("scored", "ranked", "findings"))]
    assert len(tables) == 3
    for cell in tables:
        assert "remove" in cell.metadata.get("tags", [])
        html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in cell.outputs)
        assert "<table" in html and "Mỹ Hội Đông" in html, cell.source
    for name, nb in done.items():
        assert not _widget_views(nb), f"{name} displayed a widget with interactive=False"
    assert "được so sánh" not in str(_outputs(done["01_ingest"]))  # the batch stores every district itself


def test_a_notebook_runs_again_in_its_kernel_after_its_first_cell_changes(scratch):
    """As in JupyterLab: run every cell, set another district in the first cell, run every cell again in
    the same kernel. The notebook's own results of the first run (run, scored, report, ...) are globals
    by then, and must not be taken for parameters."""
    from nbclient import NotebookClient

    from helpers import ingest

    ingest.ingest_paths([SEEDS["cho-moi"], SEEDS["phu-tan"]])
    for name in NAMES:
        nb = nbformat.read(str(NOTEBOOK_DIR / f"{name}.ipynb"), as_version=4)
        first = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert '"cho-moi"' in first.source
        client = NotebookClient(nb, kernel_name=KERNEL, resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
        with client.setup_kernel():
            for shown in ("Chợ Mới", "Phú Tân"):
                for i, cell in enumerate(nb.cells):
                    if cell.cell_type == "code":
                        client.execute_cell(cell, i)  # an error in a cell raises here
                text = str([c.outputs for c in nb.cells if c.cell_type == "code"])
                assert shown in text, (name, shown)
                first.source = first.source.replace('"cho-moi"', '"phu-tan"')


def test_a_workbench_error_shows_as_its_message_not_a_traceback(scratch):
    """02 for a week before any data: the cell fails with the Vietnamese message alone."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from helpers import ingest

    ingest.ingest_paths([SEEDS["cho-moi"]])
    nb = nbformat.read(str(NOTEBOOK_DIR / "02_score.ipynb"), as_version=4)
    first = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    first.source = first.source.replace('week = ""', 'week = "2023-W30"')
    assert "2023-W30" in first.source
    with pytest.raises(CellExecutionError):
        NotebookClient(nb, kernel_name=KERNEL, resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    error = next(o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error")
    assert error.ename == "ChisoError" and "chưa có báo cáo nào có số liệu đến tuần 4 tháng 7/2023" in error.evalue
    assert len(error.traceback) == 1 and "Traceback" not in error.traceback[0], error.traceback
