"""Names and text from input files are shown as text, never as markup.

A unit printed as `<script>alert(1)</script>` reaches the store through an alias (unknown names are
refused at ingest), and its file is named with an `<img onerror=…>` tag. The report parts, the HTML
the batch renders from the executed notebook, and the tables of the ingest notebook must show both
as text: escaped in the HTML, no element made from them.

Table parsers strip tags from cells (the seeds print `<b>59.28</b>`), so a tag written as such in a
markdown cell never reaches the store as markup; a converter that escapes the cell's text writes
`&lt;script&gt;…`, which the parser decodes to the literal name. That is the spelling used here.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_notebook, new_output

from helpers import annex, district_week, params, periods, render, report, views
from helpers.cli import main
from helpers.store import Store
from tests.conftest import ROOT, SEEDS

EVIL = "<script>alert(1)</script>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
EVIL_FILE = "bao_cao_<img src=x onerror=alert(2)>.md"
EVIL_FILE_ESCAPED = "bao_cao_&lt;img src=x onerror=alert(2)&gt;.md"


def _params_with_alias(tmp_path: Path, monkeypatch) -> Path:
    scratch_params = tmp_path / "params"
    shutil.copytree(ROOT / "params", scratch_params)
    aliases = yaml.safe_load((scratch_params / "aliases.yaml").read_text(encoding="utf-8"))
    aliases["phu-tan"][EVIL] = "Phú Hưng"
    text = yaml.safe_dump(aliases, allow_unicode=True)
    (scratch_params / "aliases.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("CHISO_PARAMS", str(scratch_params))
    return scratch_params


@pytest.fixture
def evil_store(scratch, tmp_path, monkeypatch, capsys) -> Path:
    _params_with_alias(tmp_path, monkeypatch)
    text = SEEDS["phu-tan"].read_text(encoding="utf-8")
    assert text.count("PHÚ HÙNG") == 1
    path = tmp_path / EVIL_FILE
    path.write_text(text.replace("PHÚ HÙNG", EVIL_ESCAPED), encoding="utf-8")
    assert main(["ingest", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"{EVIL_FILE}:61: tên “{EVIL}” trong văn bản được hiểu là xã Phú Hưng" in err  # the terminal shows it as is
    return path


def _week():
    return district_week.load("phu-tan", periods.parse_week_arg("2023-W41"))


def _no_active_markup(page: str) -> BeautifulSoup:
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("script") is None
    assert "<script" not in page.lower()
    for tag in soup.find_all(True):
        assert not any(attr.lower().startswith("on") for attr in tag.attrs), tag.name
    for img in soup.find_all("img"):
        assert img.get("src", "").startswith("data:image/"), img  # only the embedded charts
    return soup


def test_the_store_holds_the_name_as_text(evil_store):
    findings = Store().read().findings
    alias = findings[findings["rule"] == "alias"]
    assert (alias["source"] == EVIL_FILE).all()
    assert any(EVIL in m for m in alias["message"])


def test_report_parts_escape_the_name(evil_store, tmp_path):
    """The signed document names no file; the analyst's data-quality page shows the name and the file as
    text."""
    built = report.build_report(_week())
    page = "".join(built.parts)
    _no_active_markup(page)
    assert EVIL_FILE not in page and EVIL_FILE_ESCAPED not in page
    nb = new_notebook()
    nb.cells = [new_code_cell("annex.show(built, week)", execution_count=1, outputs=[
        new_output("display_data", data=bundle) for bundle in annex.outputs(built, _week())])]
    nbformat.write(nb, tmp_path / "04_narrative.ipynb")
    annex.write_files(tmp_path / "04_narrative.ipynb", tmp_path)
    quality = (tmp_path / annex.QUALITY_NAME).read_text(encoding="utf-8")
    assert EVIL_ESCAPED in quality and EVIL_FILE_ESCAPED in quality
    soup = _no_active_markup(quality)
    assert "onerror" not in " ".join(str(t.attrs) for t in soup.find_all(True))
    section = soup.find("section", class_="data-quality")
    assert EVIL in section.get_text() and EVIL_FILE in section.get_text()  # shown to the analyst, as text


def _executed(path: Path, parts: list[str]) -> Path:
    """A notebook as the batch leaves 04_narrative: each part displayed with IPython's HTML()."""
    nb = new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    plain = "<IPython.core.display.HTML object>"
    outputs = [new_output("display_data", data={"text/html": part, "text/plain": plain}) for part in parts]
    nb.cells = [new_code_cell("for part in report.parts:\n    display(HTML(part))", outputs=outputs,
                              execution_count=1)]
    nbformat.write(nb, path)
    return path


def test_rendered_report_escapes_the_name(evil_store, tmp_path):
    built = report.build_report(_week())
    out = tmp_path / "rendered"
    out.mkdir()
    html_path, pdf_path = render.render_report(_executed(out / "04_narrative.ipynb", built.parts), out)
    page = html_path.read_text(encoding="utf-8")
    assert EVIL_FILE not in page and EVIL_FILE_ESCAPED not in page  # no file of the workbench in the document
    _no_active_markup(page)
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        text = unicodedata.normalize("NFC", " ".join(p.extract_text() or "" for p in pdf.pages))
    assert "Phú Hưng" in " ".join(text.split()) and EVIL_FILE not in text  # the official name, read through the alias


def test_ingest_notebook_tables_escape_the_name(evil_store):
    district = params.district("phu-tan")
    table = views.findings_table(district)._repr_html_()
    assert EVIL_ESCAPED in table and EVIL_FILE_ESCAPED in table
    _no_active_markup(table)


def test_markup_in_a_cell_is_stripped_not_stored(scratch, tmp_path, monkeypatch, capsys):
    """Written as a tag, the name loses its markup in the parser and is refused as an unknown unit."""
    _params_with_alias(tmp_path, monkeypatch)
    path = tmp_path / "the.md"
    path.write_text(SEEDS["phu-tan"].read_text(encoding="utf-8").replace("PHÚ HÙNG", EVIL), encoding="utf-8")
    assert main(["ingest", str(path)]) == 1
    err = capsys.readouterr().err
    assert "the.md:61:" in err and "'alert(1)'" in err
    assert Store().read().generation == ""
