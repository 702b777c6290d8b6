"""The district's report: its parts as HTML fragments in the order of the document (04_narrative), the
plain-text narrative (`chiso narrative`) and the district's line of the week's index, all from one
DistrictWeek."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers import narrative, params, score, vi_format
from helpers.district_week import DistrictWeek
from helpers.params import District
from helpers.periods import Period


@dataclass
class Report:
    district: District
    asked: Period
    period: Period
    parts: list[str] = field(default_factory=list)  # HTML fragments, in order


def period_note_text(asked: Period, period: Period) -> str:
    older = period.start < asked.start and period.as_of != asked.as_of
    return narrative.wording("period_note.txt.j2", asked=asked, period=period, older=older).strip()


def data_quality_html(findings: pd.DataFrame) -> str:
    items = [{"source": f["source"], "line": "—" if pd.isna(f["source_line"]) else str(int(f["source_line"])),
              "message": f["message"]} for _, f in findings.iterrows()]
    return narrative.wording("data_quality.html.j2", findings=items)


def appendix_html(scored: pd.DataFrame, ranked: pd.DataFrame, district: District, period: Period) -> str:
    """Every unit with all the columns the source reported, band coloured, district total first."""
    pol = params.policy()
    colors = {b.name: b.color for b in pol.bands}
    comps = [c for c in pol.components if scored[c.key].notna().any()]
    optional = [c for c in ("prev_score", "delta", "e_cert", "e_cert_cum") if scored[c].notna().any()]
    total = score.total_row(scored)
    source_rows = ([] if total is None else [total]) + [r for _, r in ranked.iterrows()]

    def num(x, digits=2):
        return "—" if pd.isna(x) else vi_format.number(float(x), district.decimal, digits)

    def count(x):
        return "—" if pd.isna(x) else f"{int(x):,}".replace(",", district.thousands)

    rows = []
    for r in source_rows:
        is_total = r["unit_type"] == score.TOTAL_TYPE
        band = None if pd.isna(r["band_computed"]) else r["band_computed"]
        bg = colors.get(band, "#ffffff")
        cells = {"prev_score": num(r["prev_score"]), "delta": num(r["delta"]),
                 "e_cert": count(r["e_cert"]), "e_cert_cum": count(r["e_cert_cum"])}
        rows.append({
            "total": is_total,
            "stt": "" if is_total or pd.isna(r.get("rank", pd.NA)) else str(int(r["rank"])),
            "name": vi_format.label("report", "district_total") if is_total else f"{r['unit_type']} {r['unit']}",
            "score": num(r["score"]), "band": band or "—", "bg": bg, "fg": vi_format.text_color(bg),
            "optional": [cells[c] for c in optional], "comps": [num(r[c.key]) for c in comps],
        })
    headers = vi_format.labels("report")
    before = [headers[c] for c in optional if c in ("prev_score", "delta")]
    after = [headers[c] for c in optional if c in ("e_cert", "e_cert_cum")]
    comp_headers = [(c.label, None if c.target is None else num(c.target, 0)) for c in comps]
    for row in rows:
        n = len(before)
        row["before"], row["after"] = row["optional"][:n], row["optional"][n:]
    sources = list(dict.fromkeys(str(r["source"]) for r in source_rows if not pd.isna(r.get("source", pd.NA))))
    return narrative.wording("appendix.html.j2", rows=rows, before=before, after=after, comp_headers=comp_headers,
                     period=period, district=district, bands=pol.bands, sources=sources)


def build_report(week: DistrictWeek) -> Report:
    """All parts of the district's report, as HTML fragments, in the order of the document."""
    from helpers import charts

    week.require()
    district, period, ranked, comp = week.district, week.period, week.ranked, week.comparison
    figures = [
        charts.units_by_score(ranked, district, period),
        charts.districts_side_by_side(comp),
        charts.band_shares(comp),
        charts.weekly_change(ranked, district, period),
        charts.components_vs_targets(ranked, district, period),
        charts.score_history(week.history, district),
    ]
    parts = [
        narrative.render_heading_html(district, period),
        narrative.wording("period_note.html.j2", asked=week.asked, period=period, older=week.older),
        narrative.render_html(week.findings, district, period),
        narrative.wording("section_title.html.j2", title=vi_format.label("report", "charts")),
        *[charts.chart_html(c) for c in figures if c is not None],
        appendix_html(week.scored, ranked, district, period),
        data_quality_html(week.used_findings),
    ]
    return Report(district, week.asked, period, [p for p in parts if p.strip()])  # (a period note may say nothing)


def narrative_text(week: DistrictWeek) -> str:
    """The Vietnamese narrative as plain text (`chiso narrative`)."""
    week.require()
    district, period = week.district, week.period
    heading = narrative.render_heading_text(district, period).rstrip()
    body = narrative.render_text(week.findings, district, period, with_heading=False)
    if period.kind == "week" and not week.older:  # the heading gives its date: nothing to add
        return heading + "\n\n" + body
    return heading + "\n\n" + period_note_text(week.asked, period) + "\n\n" + body


def index_entry(week: DistrictWeek, html_href: str, pdf_href: str) -> dict:
    """One line of outputs/<week>/index.html (district_week.district_score: a band only for a printed
    total)."""
    district, period, s = week.district, week.period, week.score
    return {"slug": district.slug, "district": district.name, "province": district.province,
            "score": s.value, "score_kind": s.basis, "band": s.band,
            "period_label": period.label() if period else "", "as_of": period.as_of if period else "",
            "stale": bool(period and period.as_of != week.asked.as_of), "html": html_href, "pdf": pdf_href}
