"""The files written beside report.html and report.pdf for each district: report.docx (the signed document
to edit in Word, helpers.document) and data_quality.html (the analyst's list of what in the data needs
a second look, with files and lines: it never goes into the signed document)."""

from __future__ import annotations

import html
import unicodedata
from pathlib import Path

from helpers import compose, document, params, sections
from helpers.render import report_css, write_text_atomic
from helpers.store import Store

DOCX_NAME = "report.docx"
QUALITY_NAME = "data_quality.html"


def quality_page(district, asked, findings_html: str, period_label: str) -> str:
    title = f"Chất lượng số liệu – huyện {district.name} – {period_label}"
    return unicodedata.normalize("NFC", (
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{report_css()}\n</style>\n</head>\n<body>\n"
        f"<main class=\"report quality\">\n<h1>{html.escape(title)}</h1>\n"
        "<p class=\"lead\">Trang dành cho người lập báo cáo: không gửi kèm văn bản.</p>\n"
        f"{findings_html}</main>\n</body>\n</html>\n"))


def write_district_files(slug: str, week: str, out_dir: Path) -> tuple[Path, Path] | None:
    """Write out_dir/report.docx and out_dir/data_quality.html for the district and week; None (nothing
    written) when the district has no data up to that week."""
    from helpers.notebook import Run

    district = params.district(slug)
    asked = Run(district, week, False).week
    snapshot = Store().read()
    inputs = compose.load(snapshot.records, district, asked)
    if inputs is None:
        return None
    out_dir = Path(out_dir)
    docx_path = document.write_docx(compose.compose(inputs), out_dir / DOCX_NAME)
    found = sections.used_findings(snapshot, district, inputs.period)
    page = quality_page(district, asked, sections.data_quality_html(found), inputs.period.short_label())
    quality_path = out_dir / QUALITY_NAME
    write_text_atomic(quality_path, page)
    return docx_path, quality_path


__all__ = ["DOCX_NAME", "QUALITY_NAME", "quality_page", "write_district_files"]
