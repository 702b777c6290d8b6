"""What the notebooks show: each function loads what one cell needs and returns something to display.

The notebooks stay thin (parameters, one call, display); everything they show is built here from the
stage modules (ingest, score, rank, narrative, charts) so the batch and a person in JupyterLab see the
same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from helpers import params, periods, rank, score
from helpers.errors import ChisoError
from helpers.params import District
from helpers.paths import project_root, raw_dir
from helpers.periods import Period
from helpers.store import Snapshot, Store
from helpers.tables import text_color

FINDING_HEADERS = {"severity": "mức", "rule": "quy tắc", "message": "nội dung", "source": "tệp",
                   "source_line": "dòng", "as_of": "kỳ", "unit_code": "mã đơn vị"}


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(params.wording_dir())),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def _template(name: str, **values) -> str:
    return _env().get_template(name).render(**values)


# -- 01 ingest ------------------------------------------------------------------------------------

def ingest_compared(run):
    """01 by hand: the raw reports of the districts this district is compared with, into the store, as
    the batch stores every district's before any notebook runs; so 02–04 opened next compare it with
    them. A district whose reports do not parse is named with its error; nothing is raised. None in
    the batch (interactive False): it has stored them already."""
    from IPython.display import Markdown

    from helpers import ingest

    if not run.interactive:
        return None
    others = [d for d in params.compared_with(run.district) if d.slug != run.district.slug]
    if not others:
        return None
    result, errors = ingest.ingest_districts(others)
    stored = [d.name for d in others if d.slug not in errors]
    lines = [f"Báo cáo của các huyện được so sánh cũng được nạp vào kho: {', '.join(stored)}."] if stored else []
    lines += [r.message() for r in result.retired]
    lines += [f"Không nạp được báo cáo của huyện {params.district(slug).name}: {exc}" for slug, exc in errors.items()]
    return Markdown("\n\n".join(lines))


def _words(key: str) -> dict:
    """A mapping of params/wording/phrases.yaml (finding kinds, format names)."""
    from helpers.narrative import phrases

    return phrases().get(key) or {}


def ingest_summary(result):
    """01: one row per file read: its format, district, period, rows, warnings and what became of it."""
    from helpers import tables

    summary = result.summary()
    if len(summary):
        formats = _words("formats")
        summary["định dạng"] = [formats.get(f, f) for f in summary["định dạng"]]
    return tables.style_plain(summary, caption=None if len(summary) else "Thư mục của huyện chưa có tệp nào")


def parsed_table(result):
    """01: the reported records of the files just read, the unit and the file and line each was read
    from first (Vietnamese headers; `chiso ingest --dry-run` prints the contract's columns)."""
    from helpers import tables

    recs = result.records
    reported = recs[~recs["derived"].astype(bool)].reset_index(drop=True)
    caption = None if len(reported) else "Chưa đọc được dòng số liệu nào"
    return tables.style_parsed(reported, caption=caption)


def findings_table(district: District, findings: pd.DataFrame | None = None):
    """01: every warning stored for the district, with its kind, file and line (Vietnamese headers)."""
    from helpers import tables

    findings = Store().read().findings if findings is None else findings
    rows = findings[findings["district_code"] == district.code].reset_index(drop=True)
    kinds = _words("finding_kinds")
    table = rows[list(FINDING_HEADERS)].rename(columns=FINDING_HEADERS)
    table.insert(0, "loại", [kinds.get(r, r) for r in rows["rule"]])
    table = table.drop(columns=["mức", "quy tắc"])  # all are warnings (an error refuses the file), kind said above
    table = table[["tệp", "dòng", "loại", "nội dung", "kỳ", "mã đơn vị"]]  # where first, as in every table
    caption = (f"{len(table)} cảnh báo về số liệu của huyện {district.name}" if len(table)
               else f"Không có cảnh báo nào về số liệu của huyện {district.name}")
    return tables.style_plain(table, caption=caption)


def history_table(district: District, records: pd.DataFrame | None = None):
    """01: every unit's score in every period the store holds; a period known only from the previous-week
    column of the next report is marked "(suy ra)"."""
    from helpers import ingest, tables

    records = Store().records() if records is None else records
    table = ingest.district_history(records, district)
    if table.empty:
        return tables.style_plain(table, caption=f"Kho chưa có số liệu của huyện {district.name}")
    rows = records[records["district_code"] == district.code]
    reported = set(rows.loc[~rows["derived"], "as_of"])
    table.columns = [periods.parse_as_of(a).short_label() + ("" if a in reported else " (suy ra)")
                     for a in table.columns]
    table.index = [name if utype == score.TOTAL_TYPE else f"{utype} {name}" for utype, name in table.index]
    table = table.rename_axis("đơn vị").reset_index()
    return tables.style_plain(table, caption="Điểm của các đơn vị qua các kỳ trong kho; “(suy ra)”: kỳ chỉ có điểm "
                                             "ghi ở cột tuần trước của báo cáo tuần sau")


# -- 02 score, 03 rank ----------------------------------------------------------------------------

def load_scored(run, records: pd.DataFrame | None = None) -> pd.DataFrame:
    """The district's scored rows for the week asked (its newest data not newer than that week)."""
    records = Store().records() if records is None else records
    scored = score.score_district(records, run.district.slug, run.week)
    if scored is None:
        raise ChisoError(f"huyện {run.district.name} chưa có báo cáo nào có số liệu đến {run.week.short_label()} "
                         f"(tuần {run.week.iso_week}): hãy nạp báo cáo vào {_shown(raw_dir() / run.district.slug)}/")
    return scored


def _shown(path: Path) -> str:
    """A path as the analyst knows it: relative to the project when inside it (it is shown in reports)."""
    try:
        return path.relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)


def load_ranked(scored: pd.DataFrame) -> pd.DataFrame:
    return rank.rank_units(scored)


def data_period(scored: pd.DataFrame) -> Period:
    return score.period_of(scored)


def _older(period: Period, asked: Period) -> bool:
    """The data is for a period before the week asked (the district's newest, not that week's)."""
    return period.start < asked.start and period.as_of != asked.as_of


def period_note_text(asked: Period, period: Period) -> str:
    return _template("period_note.txt.j2", asked=asked, period=period, older=_older(period, asked)).strip()


def period_note(run, scored: pd.DataFrame):
    """A line saying which period the data is for (and that it is older than the week asked)."""
    from IPython.display import Markdown

    return Markdown(period_note_text(run.week, data_period(scored)))


SUMMARY_LABELS = {
    "period_label": "kỳ số liệu", "n_units": "số đơn vị", "mean_score": "điểm trung bình các đơn vị",
    "median_score": "điểm trung vị", "at_15_3_count": "số đơn vị đạt mốc điểm của tiêu chí 15.3",
    "best_units_full": "đơn vị cao nhất", "best_score": "điểm cao nhất", "worst_units_full": "đơn vị thấp nhất",
    "worst_score": "điểm thấp nhất", "district_score": "điểm toàn huyện", "district_band": "xếp loại toàn huyện",
    "district_delta": "tăng/giảm toàn huyện", "province_rank": "xếp hạng trong tỉnh",
    "province_rank_of": "trên tổng số",
}


def summary_table(scored: pd.DataFrame, ranked: pd.DataFrame):
    """03: the district summary with Vietnamese labels: scores with two decimals, a change with its sign,
    a missing value as "—"."""
    from helpers import tables

    s = rank.district_summary(scored, ranked)
    rows = []
    for key, label in SUMMARY_LABELS.items():
        value = s.get(key)
        if isinstance(value, (list, tuple)):
            value = ", ".join(value)
        elif key == "district_delta" and value is not None:
            value = tables.signed(value)
        elif isinstance(value, float):
            value = f"{value:.2f}"
        rows.append((label, "—" if value is None else str(value)))
    rows += [(f"số đơn vị loại {band}", str(n)) for band, n in (s.get("band_counts") or {}).items()]
    return tables.style_plain(pd.DataFrame(rows, columns=["chỉ số", "giá trị"]))


def comparison(district: District, asked: Period, records: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every unit of the districts the district is compared with (params.compared_with), compared;
    each with its own data period."""
    records = Store().records() if records is None else records
    return rank.compare_districts(score.score_compared(records, district, asked))


def comparison_table(run):
    """03: the commune-level units of the districts compared, ranked together (ties in Vietnamese order),
    each with the period its data is for and where its score was read."""
    from helpers import tables

    compared = comparison(run.district, run.week).reset_index(drop=True)
    names = list(dict.fromkeys(compared["district"].dropna()))
    caption = (f"Các đơn vị cấp xã của {len(names)} huyện được so sánh ({', '.join(names)}), xếp hạng chung"
               if names else "Chưa có huyện nào có số liệu để so sánh đến tuần này")
    return tables.style_compared(compared, caption=caption)


# -- 04 narrative ---------------------------------------------------------------------------------

@dataclass
class Report:
    district: District
    asked: Period
    period: Period
    parts: list[str] = field(default_factory=list)  # HTML fragments, in order


def used_findings(snapshot: Snapshot, district: District, period: Period) -> pd.DataFrame:
    """Warnings about the data a report uses: its period and the previous week it compares with."""
    as_of = {period.as_of}
    if period.kind == "week":
        as_of.add(period.previous_week().as_of)
    f = snapshot.findings
    rows = f[(f["district_code"] == district.code) & (f["as_of"].isin(as_of) | f["as_of"].isna())]
    return rows.sort_values(["source", "source_line"], na_position="first").reset_index(drop=True)


def data_quality_html(findings: pd.DataFrame) -> str:
    items = [{"source": f["source"], "line": "—" if pd.isna(f["source_line"]) else str(int(f["source_line"])),
              "message": f["message"]} for _, f in findings.iterrows()]
    return _template("data_quality.html.j2", findings=items)


def appendix_html(scored: pd.DataFrame, ranked: pd.DataFrame, district: District, period: Period) -> str:
    """Every unit with all the columns the source reported, band coloured, district total first."""
    from helpers.narrative import fmt_number

    pol = params.policy()
    colors = {b.name: b.color for b in pol.bands}
    comps = [c for c in pol.components if scored[c.key].notna().any()]
    optional = [c for c in ("prev_score", "delta", "e_cert", "e_cert_cum") if scored[c].notna().any()]
    total = score.total_row(scored)
    source_rows = ([] if total is None else [total]) + [r for _, r in ranked.iterrows()]

    def num(x, digits=2):
        return "—" if pd.isna(x) else fmt_number(float(x), district.decimal, digits)

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
            "name": "Toàn huyện" if is_total else f"{r['unit_type']} {r['unit']}",
            "score": num(r["score"]), "band": band or "—", "bg": bg, "fg": text_color(bg),
            "optional": [cells[c] for c in optional], "comps": [num(r[c.key]) for c in comps],
        })
    headers = {"prev_score": "Điểm tuần trước", "delta": "Tăng/giảm so với tuần trước",
               "e_cert": "Chứng thực điện tử", "e_cert_cum": "Chứng thực điện tử (lũy kế)"}
    before = [headers[c] for c in optional if c in ("prev_score", "delta")]
    after = [headers[c] for c in optional if c in ("e_cert", "e_cert_cum")]
    comp_headers = [(c.label, None if c.target is None else num(c.target, 0)) for c in comps]
    for row in rows:
        n = len(before)
        row["before"], row["after"] = row["optional"][:n], row["optional"][n:]
    sources = list(dict.fromkeys(str(r["source"]) for r in source_rows if not pd.isna(r.get("source", pd.NA))))
    return _template("appendix.html.j2", rows=rows, before=before, after=after, comp_headers=comp_headers,
                     period=period, district=district, bands=pol.bands, sources=sources)





def build_report(run, snapshot: Snapshot | None = None) -> Report:
    """All parts of the district's report, as HTML fragments, in the order of the document."""
    from helpers import charts, narrative

    snapshot = snapshot or Store().read()
    scored = load_scored(run, snapshot.records)
    ranked = load_ranked(scored)
    period = data_period(scored)
    district = run.district
    findings, comp = _findings(district, run.week, snapshot.records, scored, ranked)
    history = district_history_scores(snapshot.records, district, run.week)
    figures = [
        charts.units_by_score(ranked, district, period),
        charts.districts_side_by_side(comp),
        charts.band_shares(comp),
        charts.weekly_change(ranked, district, period),
        charts.components_vs_targets(ranked, district, period),
        charts.score_history(history, district),
    ]
    parts = [
        narrative.render_heading_html(district, period),
        _template("period_note.html.j2", asked=run.week, period=period, older=_older(period, run.week)),
        narrative.render_html(findings, district, period),
        _template("section_title.html.j2", title="Biểu đồ"),
        *[charts.chart_html(c) for c in figures if c is not None],
        appendix_html(scored, ranked, district, period),
        data_quality_html(used_findings(snapshot, district, period)),
    ]
    return Report(district, run.week, period, [p for p in parts if p.strip()])  # (a period note may say nothing)


def district_history_scores(records: pd.DataFrame, district: District, asked: Period) -> pd.DataFrame:
    """The district's score in every period the store holds up to the week asked: its own total when
    reported, else the mean of its units (column `source_kind` says which)."""
    rows = score.district_rows(records, district.code)
    out = []
    for as_of in sorted(rows["as_of"].dropna().unique()):
        period = periods.parse_as_of(as_of)
        if not periods.covers(period, asked):
            continue
        eff = score.period_records(rows, district.code, period)  # (the district's rows: not the store's)
        total_rows = score.is_total(eff)
        total = eff[total_rows]["score"].dropna()
        units = eff[~total_rows]["score"].dropna()
        if len(total):
            out.append({"as_of": as_of, "period_label": period.short_label(), "score": float(total.iloc[0]),
                        "source_kind": "total"})
        elif len(units):
            out.append({"as_of": as_of, "period_label": period.short_label(), "score": float(units.mean()),
                        "source_kind": "mean"})
    return pd.DataFrame(out, columns=["as_of", "period_label", "score", "source_kind"])


def narrative_text(snapshot: Snapshot, district: District, asked: Period) -> str:
    """The Vietnamese narrative as plain text (`chiso narrative`)."""
    from helpers import narrative
    from helpers.notebook import Run

    run = Run(district, asked.iso_week, False)
    scored = load_scored(run, snapshot.records)
    findings, _ = _findings(district, asked, snapshot.records, scored, load_ranked(scored))
    period = data_period(scored)
    heading = narrative.render_heading_text(district, period).rstrip()
    body = narrative.render_text(findings, district, period, with_heading=False)
    if period.kind == "week" and not _older(period, asked):  # the heading gives its date: nothing to add
        return heading + "\n\n" + body
    return heading + "\n\n" + period_note_text(asked, period) + "\n\n" + body


def _findings(district: District, asked: Period, records: pd.DataFrame, scored: pd.DataFrame, ranked: pd.DataFrame):
    """(the narrative's findings, the comparison of the units of the districts compared): the findings
    compare the districts on their official scores when each has one (rank.with_district_totals)."""
    from helpers import narrative

    scored_by = score.score_compared(records, district, asked)
    comp = rank.compare_districts(scored_by)
    findings = narrative.build_findings(ranked, score.total_row(scored), district, params.policy(),
                                        rank.with_district_totals(comp, scored_by))
    return findings, comp


def index_entry(scored: pd.DataFrame | None, district: District, asked: Period, html_href: str, pdf_href: str
                ) -> dict:
    """One line of outputs/<week>/index.html, from the district's scored rows (None: no data)."""
    period = data_period(scored) if scored is not None else None
    total = score.total_row(scored) if scored is not None else None
    value = None if total is None or pd.isna(total["score"]) else float(total["score"])
    kind = "total" if value is not None else "mean"  # (a total row printed without its score is no score)
    if value is None and scored is not None:
        units = score.units_only(scored)["score"].dropna()
        value = float(units.mean()) if len(units) else None
    band = score.band_of(value) if kind == "total" else None  # a mean of units is not the district's score
    return {"slug": district.slug, "district": district.name, "province": district.province,
            "score": value, "score_kind": kind, "band": band,
            "period_label": period.label() if period else "", "as_of": period.as_of if period else "",
            "stale": bool(period and period.as_of != asked.as_of), "html": html_href, "pdf": pdf_href}
