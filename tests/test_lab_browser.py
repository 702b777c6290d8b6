"""The what-if panel as an analyst meets it: JupyterLab (started as `make lab` starts it) in the
system's Chromium at a laptop's width, file browser open. Every input shows its value, labels and
buttons are whole, the mouse wheel edits nothing, and a new score changes the band shown."""

from __future__ import annotations

import nbformat
import pytest
from PIL import Image, ImageStat

from helpers import ingest, params
from helpers.store import Store
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, needs_chromium
from tests.jupyter_server import start_lab

pytestmark = [pytest.mark.e2e, pytest.mark.browser, needs_chromium]
WIDTH, HEIGHT = 1280, 800  # a laptop screen; JupyterLab opens with its file browser beside the notebook
TITLE = "Thử thay đổi số liệu của một đơn vị"
CELLS = ["from IPython.display import display\nfrom helpers import notebook, panels",
         'district = "cho-moi"\nweek = ""\ninteractive = True',
         "run = notebook.check_parameters(globals())\ndisplay(panels.build_what_if_panel(run))"]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("lab-browser")
    store = tmp / "store"
    ingest.ingest_districts(list(params.districts().values()), Store(store))
    lab = start_lab(tmp, extra_env={"CHISO_STORE": str(store), "CHISO_OUTPUTS": str(tmp / "outputs")},
                    extra_args=("--LabApp.expose_app_in_browser=True",))
    server = next(lab)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "chiso766", "display_name": "Chỉ số 766 (.venv)", "language": "python"}
    nbformat.write(nb, server.root / "what_if.ipynb")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(f"{server.url}/lab/tree/what_if.ipynb?token={server.token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext", timeout=120_000)
        page.evaluate("""async () => {
            const panel = window.jupyterapp.shell.currentWidget;
            await panel.sessionContext.ready;
            await window.jupyterapp.commands.execute('notebook:run-all-cells');
        }""")
        page.get_by_text(TITLE).wait_for(timeout=180_000)
        page.tmp = tmp
        yield page
        browser.close()
    next(lab, None)


def _panel(page):
    return page.locator(".jp-OutputArea-output .widget-vbox").filter(has_text=TITLE).first


def _view_text(page) -> str:
    return _panel(page).locator(".widget-html-content").last.inner_text()


def test_the_interface_is_in_vietnamese(page):
    assert page.locator("#jp-menu-panel, .lm-MenuBar").first.get_by_text("Cài đặt").count() >= 1


def test_every_input_label_and_button_is_whole(page):
    panel = _panel(page)
    shot = page.tmp / "what_if_panel.png"
    panel.screenshot(path=str(shot))
    assert ImageStat.Stat(Image.open(shot).convert("L")).stddev[0] > 10, "blank screenshot"
    inputs = panel.locator("input")
    assert inputs.count() >= 4  # score and the three components Chợ Mới reports
    for i in range(inputs.count()):
        box = inputs.nth(i)
        width, fits, value = box.evaluate("e => [e.getBoundingClientRect().width, e.scrollWidth <= e.clientWidth,"
                                          " e.value]")
        assert width >= 70 and fits and value.strip(), f"input {i}: {width:.0f} px, value {value!r}"
    assert panel.locator(".chiso-label").count() == inputs.count() + 1  # every input and the unit's choice
    for kind in (".chiso-label span", "button", "select"):
        items = panel.locator(kind)
        for i in range(items.count()):
            text, whole = items.nth(i).evaluate("e => [e.innerText, e.scrollWidth <= e.clientWidth]")
            assert whole, f"{kind} cut: {text!r}"


def test_the_mouse_wheel_edits_nothing(page):
    score = _panel(page).locator("input").first
    before, view = score.input_value(), _view_text(page)
    score.click()
    score.hover()
    page.mouse.wheel(0, -300)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(1000)
    assert score.input_value() == before and _view_text(page) == view


def test_a_new_score_changes_the_band_shown(page):
    score = _panel(page).locator("input").first
    assert "→" not in _view_text(page)
    score.fill("95")
    score.press("Enter")
    page.wait_for_function("t => document.body.innerText.includes(t)", arg="Xuất sắc", timeout=60_000)
    text = _view_text(page)
    assert "Điểm:" in text and "→ 95" in text.replace(",", ".")
    assert "→ Xuất sắc" in text
