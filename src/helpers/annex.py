"""The files written beside report.html and report.pdf for each district, from the one document
04_narrative builds: report.docx (the signed document to edit in Word, helpers.document),
data_quality.html (the analyst's list of what in the data needs a second look, with files and lines: it
never goes into the signed document) and index_line.json (the district's line of the week's index:
score, basis, band, period, links).

04_narrative shows each file as an output of a cell tagged `remove` (`show`), so the executed notebook
is the run record of every file; the batch writes them from it (`write_files`) beside the rendered
report. Nothing is built twice: the Word file is the document the HTML fragment shows, and the index
line is the DistrictWeek's score."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

from helpers import document, report, vi_format
from helpers.district_week import DistrictWeek
from helpers.errors import UsageError
from helpers.paths import inside
from helpers.render import report_css, write_bytes_atomic

DOCX_NAME = "report.docx"
QUALITY_NAME = "data_quality.html"
INDEX_LINE_NAME = "index_line.json"
FILES = (DOCX_NAME, QUALITY_NAME, INDEX_LINE_NAME)
FILE_MIME = "application/vnd.chiso.file+json"  # an output holding one file: {"name", "text" or "base64"}


def quality_page(week: DistrictWeek) -> str:
    """The analyst's page: the warnings about the data the district's report uses (files and lines)."""
    title = vi_format.label("annex", "quality_title", district=week.district.name, period=week.period.short_label())
    return vi_format.nfc(
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{report_css()}\n</style>\n</head>\n<body>\n"
        f"<main class=\"report quality\">\n<h1>{html.escape(title)}</h1>\n"
        f"<p class=\"lead\">{html.escape(vi_format.label('annex', 'quality_lead'))}</p>\n"
        f"{report.data_quality_html(week.used_findings)}</main>\n</body>\n</html>\n")


def index_line(week: DistrictWeek) -> dict:
    """The district's line of outputs/<week>/index.html, links relative to the week's folder."""
    slug = week.district.slug
    return report.index_entry(week, f"{slug}/report.html", f"{slug}/report.pdf")


def files(built: report.Report, week: DistrictWeek) -> dict[str, bytes]:
    """Each file's name and content, from the built report (its document) and its DistrictWeek."""
    return {DOCX_NAME: document.to_docx_bytes(built.document),
            QUALITY_NAME: quality_page(week).encode("utf-8"),
            INDEX_LINE_NAME: json.dumps(index_line(week), ensure_ascii=False, indent=1).encode("utf-8")}


def outputs(built: report.Report, week: DistrictWeek) -> list[dict]:
    """One display bundle per file (text files as text, the Word file in base64)."""
    bundles = []
    for name, data in files(built, week).items():
        held = {"base64": base64.b64encode(data).decode("ascii")} if name == DOCX_NAME else {"text": data.decode("utf-8")}
        bundles.append({FILE_MIME: {"name": name, **held}, "text/plain": name})
    return bundles


def show(built: report.Report, week: DistrictWeek) -> None:
    """04_narrative: the files as outputs of the cell (its run record; the batch writes them)."""
    from IPython.display import display

    for bundle in outputs(built, week):
        display(bundle, raw=True)


def write_files(executed_notebook: Path, out_dir: Path) -> list[Path]:
    """Write the files an executed 04_narrative holds (`show`) into out_dir; their paths."""
    import nbformat

    try:
        nb = nbformat.read(Path(executed_notebook), as_version=4)
    except (OSError, ValueError) as exc:
        raise UsageError(f"không đọc được notebook '{Path(executed_notebook).name}': {exc}") from exc
    written = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            held = out.get("data", {}).get(FILE_MIME)
            if not held or held.get("name") not in FILES:
                continue
            data = base64.b64decode(held["base64"]) if "base64" in held else str(held["text"]).encode("utf-8")
            path = inside(Path(out_dir), held["name"])
            write_bytes_atomic(path, data)
            written.append(path)
    return written


def read_index_line(out_dir: Path) -> dict | None:
    """The index line a district's run wrote (None when its folder has none)."""
    try:
        line = json.loads((Path(out_dir) / INDEX_LINE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return line if isinstance(line, dict) and isinstance(line.get("slug"), str) else None


__all__ = ["DOCX_NAME", "FILES", "FILE_MIME", "INDEX_LINE_NAME", "QUALITY_NAME", "files", "index_line", "outputs",
           "quality_page", "read_index_line", "show", "write_files"]
