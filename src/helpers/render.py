"""The report a district office sends: the executed 04_narrative notebook as report.html and report.pdf,
and the week's index page.

report.html is self-contained and opens offline: no code cells, no prompts, no `<script>` element, no
external stylesheet, font or image (figures are embedded as data: URIs). report.pdf is laid out from
the same HTML with the print rules of the same stylesheet (A4, "Trang N/M" in the footer, table rows
and figures never split). Fetching is limited to data: URIs while the PDF is made, so nothing outside
the document is ever read. Both files are written atomically (temporary file + os.replace).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import quote, urlsplit

from helpers import params, periods, vi_format
from helpers.errors import UsageError
from helpers.periods import Period
from helpers.score import band_of

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "report"
REPORT_TEMPLATE_DIR = TEMPLATES_DIR / TEMPLATE_NAME
CSS_FILE = REPORT_TEMPLATE_DIR / "report.css"
INDEX_TEMPLATE = "week_index.html.j2"

# Output types shown in the report, by priority; anything else (JavaScript, widgets, SVG, LaTeX,
# Markdown outputs, ...) is left out.
SHOWN_MIMETYPES = ["text/html", "image/png", "text/plain"]
# Cells carrying one of these tags are left out of the report; outputs of the second set too.
REMOVE_CELL_TAGS = {"remove", "remove_cell", "remove-cell"}
REMOVE_OUTPUT_TAGS = {"remove_output", "remove-output"}

# Elements that load or run something; never kept in a report.
_DROP_TAGS = {
    "script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "link", "base",
    "template", "portal", "audio", "video", "source", "track",
}
# Attributes that make the browser fetch a resource: only data: URIs may stay.
_RESOURCE_ATTRS = {"src", "srcset", "poster", "background", "xlink:href", "lowsrc", "dynsrc"}
_LINK_ATTRS = {"href", "action", "formaction", "cite", "longdesc"}
_SCRIPT_SCHEMES = ("javascript:", "vbscript:")
_CSS_URL_RE = re.compile(r"url\(\s*(['\"]?)(?!data:)[^)]*\)|@import[^;]*;?|expression\s*\(", re.IGNORECASE)
_HEX_COLOUR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_NAMED_COLOUR_RE = re.compile(r"^[a-zA-Z]{3,20}$")
_NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"

log = logging.getLogger(__name__)


# -- bands and stylesheet -----------------------------------------------------------------------

def band_class(name: str) -> str:
    """CSS class of a band: 'Xuất sắc' -> 'band-xuat-sac', 'Trung bình' -> 'band-trung-binh'."""
    text = unicodedata.normalize("NFD", str(name).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return "band-" + (re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x")


def _text_colour(background: str) -> str:
    """Dark or white text on a hex background (vi_format.text_color); dark for anything not hex."""
    return vi_format.text_color(background, dark="#1f2328") if _HEX_COLOUR_RE.match(background) else "#1f2328"


def band_css() -> str:
    """CSS rules giving each band of params/bands.yaml its colour (.band-<name>, .band[data-band])."""
    rules = []
    for band in params.policy().bands:
        colour = band.color.strip()
        if not (_HEX_COLOUR_RE.match(colour) or _NAMED_COLOUR_RE.match(colour)):
            log.warning("bands.yaml: màu '%s' của hạng %s không hợp lệ, bỏ qua", colour, band.name)
            continue
        name = band.name.replace("\\", "\\\\").replace('"', '\\"')
        rules.append(
            f'.{band_class(band.name)}, .band[data-band="{name}"] '
            f"{{ background-color: {colour}; color: {_text_colour(colour)}; }}"
        )
    return "/* Band colours from params/bands.yaml */\n" + "\n".join(rules) + "\n"


def report_css() -> str:
    """The one stylesheet of the report and the index page, with the band colours appended."""
    return _base_css() + "\n" + band_css()


@lru_cache(maxsize=1)
def _base_css() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


# -- notebook -> HTML ---------------------------------------------------------------------------

def _exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.TemplateExporter.exclude_output_stdin = True
    config.TemplateExporter.exclude_raw = True
    config.TemplateExporter.exclude_unknown = True
    config.HTMLExporter.exclude_anchor_links = True
    config.HTMLExporter.embed_images = True
    config.NbConvertBase.display_data_priority = list(SHOWN_MIMETYPES)
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    config.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    return HTMLExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_file="index.html.j2",
    )


def notebook_to_html(nb, title: str | None = None, resources_path: Path | None = None) -> str:
    """The report page of an executed notebook (a NotebookNode), cleaned and self-contained."""
    from markupsafe import Markup

    resources = {
        "report_css": Markup(report_css()),
        "report_title": title or vi_format.label("index", "title"),
        "metadata": {"name": "report", "path": str(resources_path or ".")},
    }
    exporter = _exporter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # outputs with no shown type are dropped on purpose
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    return clean_html(body, title=title)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _css_string(text: str) -> str:
    """A CSS string literal; '<' is escaped too, so the text can never close a <style> element."""
    out = []
    for ch in text:
        if ch in '"\\<>' or ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def clean_html(document: str, title: str | None = None) -> str:
    """Make an HTML page safe to open offline: no script or plug-in, no external resource, no event
    handler; tables wrapped for sideways scrolling; Vietnamese alt text; <title> (and the PDF's running
    header) as given (the report's: narrative.report_title), else the workbench's name; text in NFC."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(document, "html.parser")
    for tag in soup.find_all(lambda t: t.name in _DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all("meta"):
        if tag.get("http-equiv"):
            tag.decompose()
    for tag in soup.find_all(True):
        for attr in list(tag.attrs):
            value = tag.attrs[attr]
            text = " ".join(value) if isinstance(value, list) else str(value)
            low = text.strip().lower()
            name = attr.lower()
            compact = re.sub(r"\s+", "", low)
            if (
                name.startswith("on")
                or (name in _RESOURCE_ATTRS and not low.startswith("data:"))
                or (name in _LINK_ATTRS and compact.startswith(_SCRIPT_SCHEMES))
                or (name == "style" and _CSS_URL_RE.search(text))
            ):
                del tag.attrs[attr]
    for tag in soup.find_all("img"):
        if not tag.get("src"):
            tag.decompose()
        elif not tag.get("alt") or tag.get("alt") == _NBCONVERT_DEFAULT_ALT:
            tag["alt"] = vi_format.label("index", "image_alt")
    for style in soup.find_all("style"):
        if style.string and _CSS_URL_RE.search(style.string):
            style.string = _CSS_URL_RE.sub("", style.string)
    for table in soup.find_all("table"):
        if table.find_parent("table") is not None:
            continue
        parent = table.parent
        if parent is not None and "table-wrap" in (parent.get("class") or []):
            continue
        table.wrap(soup.new_tag("div", attrs={"class": "table-wrap"}))
    page_title = title or vi_format.label("index", "title")
    if soup.title is not None:
        soup.title.string = page_title
    if soup.head is not None and soup.find("main") is not None:
        # The running header of every PDF page after the first.
        running = soup.new_tag("style")
        running.string = f"@page {{ @top-right {{ content: {_css_string(_shorten(page_title, 160))}; }} }}"
        soup.head.append(running)
    out = str(soup)
    if not out.lstrip().lower().startswith("<!doctype"):
        out = "<!DOCTYPE html>\n" + out
    return unicodedata.normalize("NFC", out)


# -- HTML -> PDF --------------------------------------------------------------------------------

def _offline_fetcher():
    """A URL fetcher that serves data: URIs only (the report never reads a file or the network)."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # older WeasyPrint: a plain function
        from weasyprint import default_url_fetcher

        def fetch(url, *args, **kwargs):
            if not str(url).lower().startswith("data:"):
                raise ValueError(f"refused non-data URL: {url}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols={"data"})


@contextlib.contextmanager
def _quiet_layout_engine():
    """The screen-only CSS properties are unknown to the PDF engine: keep its warnings out of logs."""
    names = ["weasyprint", "weasyprint.progress", "fontTools"]
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def html_to_pdf(document: str, base_dir: Path | None = None) -> bytes:
    """PDF bytes of an HTML page (print media: the stylesheet's @page and @media print rules)."""
    from weasyprint import HTML

    with _quiet_layout_engine():
        page = HTML(string=document, base_url=str(base_dir) if base_dir else None,
                    url_fetcher=_offline_fetcher(), media_type="print")
        return page.write_pdf()


# -- files --------------------------------------------------------------------------------------

def _atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    _atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    _atomic_write(path, lambda f: f.write(data))


def render_report(executed_notebook: Path, out_dir: Path, *, title: str | None = None) -> tuple[Path, Path]:
    """Write out_dir/report.html and out_dir/report.pdf from the executed narrative notebook.

    Only the outputs are shown (text/html, image/png, text/plain), plus Markdown cells; code, prompts,
    stderr, errors, raw cells and cells tagged `remove` are left out. The page title is `title`
    (narrative.report_title of the district-week, given by the batch). Returns (html_path, pdf_path).
    """
    import nbformat

    executed_notebook, out_dir = Path(executed_notebook), Path(out_dir)
    try:
        nb = nbformat.read(executed_notebook, as_version=4)
    except (OSError, ValueError) as exc:
        raise UsageError(f"không đọc được notebook '{executed_notebook.name}': {exc}") from exc
    document = notebook_to_html(nb, title=title, resources_path=executed_notebook.parent)
    pdf = html_to_pdf(document, base_dir=out_dir)
    html_path, pdf_path = out_dir / "report.html", out_dir / "report.pdf"
    write_text_atomic(html_path, document)
    write_bytes_atomic(pdf_path, pdf)
    return html_path, pdf_path


# -- the week's index ---------------------------------------------------------------------------

def _href(target, base_dir: Path) -> str | None:
    """A relative, URL-quoted link from the index's folder; None for anything that is not a file path."""
    if target is None or target == "":
        return None
    text = str(target)
    parts = urlsplit(text)
    if parts.scheme and len(parts.scheme) > 1 or parts.netloc:  # a URL (not a drive letter): refused
        return None
    path = Path(text)
    if path.is_absolute():
        text = os.path.relpath(path, base_dir)
    posix = PurePosixPath(*Path(text).parts).as_posix()
    return quote(posix, safe="/._-~")


def _period_text(entry: Mapping) -> str:
    value = entry.get("period_label") or entry.get("period")
    if isinstance(value, Period):
        text = value.label()
    elif value:
        text = str(value)
    elif entry.get("as_of"):
        try:
            text = periods.parse_as_of(str(entry["as_of"])).label()
        except UsageError:
            text = str(entry["as_of"])
    else:
        text = ""
    return text[:1].upper() + text[1:]


def _index_row(entry: Mapping, base_dir: Path, decimal: str) -> dict:
    slug = str(entry.get("slug") or entry.get("district_slug") or "")
    known = params.districts().get(slug)
    name = entry.get("district") or entry.get("name") or (known.name if known else slug)
    if hasattr(name, "name"):  # a District object
        name = name.name
    score = entry.get("score")
    mean = entry.get("score_kind") == "mean"  # the mean of the units: no band, the district has no score
    band = entry.get("band") or entry.get("band_computed") or (None if mean else band_of(score))
    note = entry.get("note") or (vi_format.label("index", "stale") if entry.get("stale") else "")
    html_target = entry.get("html", entry.get("report_html", f"{slug}/report.html" if slug else None))
    pdf_target = entry.get("pdf", entry.get("report_pdf", f"{slug}/report.pdf" if slug else None))
    error = entry.get("error") or ""
    return {
        "district": str(name),
        "province": str(entry.get("province") or (known.province if known else "")),
        "period": _period_text(entry),
        "note": str(note),
        "score_text": vi_format.number(score, decimal, trim=True, missing="–"),
        "score_note": vi_format.label("index", "mean_score") if mean else "",
        "band": str(band) if band else "",
        "band_class": band_class(band) if band else "",
        "html_href": None if error else _href(html_target, base_dir),
        "pdf_href": None if error else _href(pdf_target, base_dir),
        "error": str(error),
    }


def render_index(week_label: str, entries: list[dict], out_path: Path) -> Path:
    """Write the week's index page listing the districts with score, band, data period and links.

    Each entry is a mapping with `slug` and, when known, `district` (name), `score`, `band` (else
    computed from the score), `score_kind` ("mean" when the score is the mean of the units),
    `period_label` (text or a Period; else `as_of`), `html`/`pdf` (paths,
    relative to the index's folder or absolute; default `<slug>/report.html` and `.pdf`), `stale`
    or `note` (shown under the period), `error` (shown instead of the links).
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    out_path = Path(out_path)
    base_dir = out_path.parent
    known = params.districts()
    # One number format in the table: the districts' own when they all share it, else a point.
    decimals = {known[s].decimal for e in entries if (s := str(e.get("slug") or e.get("district_slug") or "")) in known}
    decimal = decimals.pop() if len(decimals) == 1 else "."
    env = Environment(loader=FileSystemLoader(str(REPORT_TEMPLATE_DIR)),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    page = env.get_template(INDEX_TEMPLATE).render(
        title=f"{vi_format.label('index', 'title')} – {week_label}",
        css=Markup(report_css()),
        entries=[_index_row(e, base_dir, decimal) for e in entries],
    )
    write_text_atomic(out_path, unicodedata.normalize("NFC", page))
    return out_path


__all__ = [
    "band_class", "band_css", "clean_html", "html_to_pdf", "notebook_to_html", "render_index",
    "render_report", "report_css",
]
