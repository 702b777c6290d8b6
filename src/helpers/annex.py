"""The files written beside report.html and report.pdf for each district: report.docx (the signed document
to edit in Word, helpers.document) and data_quality.html (the analyst's list of what in the data needs
a second look, with files and lines: it never goes into the signed document)."""

from __future__ import annotations

import html
from pathlib import Path

from helpers import compose, district_week, document, params, periods, report, vi_format
from helpers.render import report_css, write_text_atomic

DOCX_NAME = "report.docx"
QUALITY_NAME = "data_quality.html"


def quality_page(week: district_week.DistrictWeek) -> str:
    """The analyst's page: the warnings about the data the district's report uses (files and lines)."""
    title = vi_format.label("annex", "quality_title", district=week.district.name, period=week.period.short_label())
    return vi_format.nfc(
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{report_css()}\n</style>\n</head>\n<body>\n"
        f"<main class=\"report quality\">\n<h1>{html.escape(title)}</h1>\n"
        f"<p class=\"lead\">{html.escape(vi_format.label('annex', 'quality_lead'))}</p>\n"
        f"{report.data_quality_html(week.used_findings)}</main>\n</body>\n</html>\n")


def write_district_files(slug: str, week: str, out_dir: Path) -> tuple[Path, Path] | None:
    """Write out_dir/report.docx and out_dir/data_quality.html for the district and the week asked (an ISO
    week or a date; empty: the latest week in the store); None, nothing written, when the district has no
    data up to that week."""
    from helpers.notebook import Run

    run = Run(params.district(slug), periods.parse_week_arg(week) if week else None, False)
    found = district_week.load(run.district, run.week)
    if not found.has_data:
        return None
    out_dir = Path(out_dir)
    docx_path = document.write_docx(compose.compose(found), out_dir / DOCX_NAME)
    quality_path = out_dir / QUALITY_NAME
    write_text_atomic(quality_path, quality_page(found))
    return docx_path, quality_path


__all__ = ["DOCX_NAME", "QUALITY_NAME", "quality_page", "write_district_files"]
