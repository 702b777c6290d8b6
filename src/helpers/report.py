"""The district's report: the signed document (helpers.compose, helpers.document) as the HTML fragment
04_narrative displays, as plain text (`chiso narrative`), the analyst's data-quality list and the
district's line of the week's index, all from one DistrictWeek."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from helpers import narrative
from helpers.district_week import DistrictWeek
from helpers.params import District
from helpers.periods import Period

if TYPE_CHECKING:
    from helpers.document import OfficialDocument


@dataclass
class Report:
    district: District
    asked: Period
    period: Period
    parts: list[str] = field(default_factory=list)  # HTML fragments, in order
    document: OfficialDocument | None = None  # what the parts show (helpers.annex writes it as Word)


def period_note_text(asked: Period, period: Period) -> str:
    older = period.start < asked.start and period.as_of != asked.as_of
    return narrative.wording("period_note.txt.j2", asked=asked, period=period, older=older).strip()


def data_quality_html(findings: pd.DataFrame) -> str:
    items = [{"source": f["source"], "line": "—" if pd.isna(f["source_line"]) else str(int(f["source_line"])),
              "message": f["message"]} for _, f in findings.iterrows()]
    return narrative.wording("data_quality.html.j2", findings=items)


def build_report(week: DistrictWeek) -> Report:
    """The district's signed document (helpers.compose) as one HTML fragment, in the Decree 30 layout."""
    from helpers import compose, document

    week.require()
    built = compose.compose(week)
    return Report(week.district, week.asked, week.period, [document.to_html(built)], built)


def narrative_text(week: DistrictWeek) -> str:
    """The signed document's heading and body as plain text (`chiso narrative`)."""
    from helpers import compose, document

    week.require()
    return document.to_text(compose.compose(week, with_figures=False))


def index_entry(week: DistrictWeek, html_href: str, pdf_href: str) -> dict:
    """One line of outputs/<week>/index.html (district_week.district_score: a band only for a printed
    total)."""
    district, period, s = week.district, week.period, week.score
    return {"slug": district.slug, "district": district.name, "province": district.province,
            "score": s.value, "score_kind": s.basis, "band": s.band,
            "period_label": period.label() if period else "", "as_of": period.as_of if period else "",
            "stale": bool(period and period.as_of != week.asked.as_of), "html": html_href, "pdf": pdf_href,
            "docx": html_href.replace("report.html", "report.docx") if html_href else None,
            "quality": html_href.replace("report.html", "data_quality.html") if html_href else None}
