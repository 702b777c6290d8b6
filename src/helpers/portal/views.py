"""What the four notebooks show for a province from the portal's figures (the `province` parameter):
tables with Vietnamese headers, the groups against their maxima, the successor communes of the
districts with their predecessors' 2023 history, charts and the narrative. Every score is shown with
the period it covers and how it was fetched (`PortalPeriod.stamp`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from helpers import narrative, params, vi_format
from helpers.portal import report, schema
from helpers.portal.period import PortalPeriod
from helpers.portal.score import group_table
from helpers.store import Store


@dataclass
class ProvinceView:
    """A province's communes for one period, built once per notebook run."""

    province: report.Province
    scored: pd.DataFrame
    period: PortalPeriod
    findings: pd.DataFrame

    @cached_property
    def groups(self) -> pd.DataFrame:
        return group_table(self.scored)

    @cached_property
    def successors(self) -> pd.DataFrame:
        return report.successors(self.scored)


def load(slug: str, store=None) -> ProvinceView:
    """The province's newest commune list in the portal store, scored and ranked."""
    province = report.province_of(slug)
    snap = (store or schema.store()).read()
    scored, period = report.select(snap.records, province)
    sources = set(scored["source_sha256"].dropna())
    findings = snap.findings[snap.findings["source_sha256"].isin(sources)]
    return ProvinceView(province, scored, period, findings.reset_index(drop=True))


def _label(key: str, **values) -> str:
    """A label of params/wording/labels.yaml, section portal."""
    return vi_format.label("portal", key, **values)


def _num(view: ProvinceView, x, digits: int = 2) -> str:
    return vi_format.number(x, view.province.decimal, digits, missing=vi_format.MISSING)


def _source(frame: pd.DataFrame, compact: bool = False) -> list[str]:
    """Where each row was read: 'file:line (place)'; `compact`: the place alone (the report names the file
    once, under the table)."""
    if compact:
        return [str(ref) for ref in frame["source_ref"]]
    return [f"{s}:{line} ({ref})" for s, line, ref in zip(frame["source"], frame["source_line"], frame["source_ref"])]


def period_note(view: ProvinceView) -> str:
    """'Số liệu: năm 2025, lũy kế đến 16/10/2025; API cũ (…)' — the stamp every score of the view carries."""
    return _label("period_note", stamp=view.period.stamp())


def communes_table(view: ProvinceView, compact: bool = False) -> pd.DataFrame:
    """One row per unit, best first: rank, unit, total, band, the six groups, the portal's own rank, source."""
    s = view.scored
    groups = params.portal()["groups"]
    out = pd.DataFrame({
        _label("rank"): [vi_format.MISSING if pd.isna(r) else f"{int(r)}/{int(n)}"
                         for r, n in zip(s["rank"], s["rank_of"])],
        _label("unit"): [f"{t} {u}" for t, u in zip(s["unit_type"].fillna(""), s["unit"])],
        _label("code_2025"): s["unit_code"].fillna(vi_format.MISSING).to_numpy(),
        _label("score"): [_num(view, x) for x in s["total"]],
        _label("band"): s["band"].fillna(vi_format.MISSING).to_numpy(),
    })
    for key, g in groups.items():
        out[_label("group_column", short=g["short"], max=g["max"])] = [_num(view, x) for x in s[key]]
    out[_label("portal_rank")] = [vi_format.MISSING if pd.isna(r) else str(int(r)) for r in s["portal_rank"]]
    out[_label("no_activity")] = s["no_activity"].fillna("").str.upper().to_numpy()
    out[_label("source")] = _source(s, compact)
    return out


def groups_table(view: ProvinceView) -> pd.DataFrame:
    """The six groups: maximum, the units' mean, the points lost on average, units with figures."""
    g = view.groups
    return pd.DataFrame({
        _label("group"): [_label("group_name", label=lab, short=short) for lab, short in zip(g["label"], g["short"])],
        _label("max"): [_num(view, m, 0) for m in g["max"]],
        _label("mean"): [_num(view, m) for m in g["mean"]],
        _label("lost"): [_num(view, m) for m in g["lost"]],
        _label("share"): [_num(view, 100 * x, 1) for x in g["share"]],
        _label("units_with_figures"): g["units"].to_numpy(),
    })


def successors_table(view: ProvinceView, compact: bool = False) -> pd.DataFrame:
    """The successor communes of the districts of params/: former district, the new xã, its figures,
    the points lost per group and its predecessors."""
    s = view.successors
    if s.empty:
        return pd.DataFrame()
    groups = params.portal()["groups"]
    out = pd.DataFrame({
        _label("former_district"): s["district_2023"].to_numpy(),
        _label("new_commune"): [f"{t} {u}" for t, u in zip(s["unit_type"], s["unit"])],
        _label("score"): [_num(view, x) for x in s["total"]],
        _label("band"): s["band"].fillna(vi_format.MISSING).to_numpy(),
        _label("rank"): [f"{int(r)}/{int(n)}" for r, n in zip(s["rank"], s["rank_of"])],
    })
    for key, g in groups.items():
        out[_label("lost_group", short=g["short"])] = [_num(view, x) for x in s[f"{key}_lost"]]
    out[_label("predecessors")] = s["predecessors"].to_numpy()
    out[_label("source")] = _source(s, compact)
    return out


def lineage_table(view: ProvinceView, district_records: pd.DataFrame | None = None) -> pd.DataFrame:
    """The 2023 history of each successor's predecessors, from the district reports' store: one row per
    predecessor and period as stored, under the predecessor's own name and code (never combined)."""
    records = district_records if district_records is not None else Store().records()
    parts = [report.predecessor_history(records, code) for code in view.successors["unit_code"]]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame()
    h = pd.concat(parts, ignore_index=True)
    names = dict(zip(view.successors["unit_code"], view.successors["unit_type"] + " " + view.successors["unit"]))
    return pd.DataFrame({
        _label("new_commune"): h["new_code"].map(names).to_numpy(),
        _label("old_unit"): h["unit"].to_numpy(), _label("code_2023"): h["unit_code"].to_numpy(),
        _label("district"): h["district"].to_numpy(), _label("period"): h["as_of"].to_numpy(),
        _label("score_2023"): [_num(view, x) for x in h["score"]],
        _label("source_line"): [f"{s}:{int(n)}" for s, n in zip(h["source"], h["source_line"])],
    })


def findings_table(view: ProvinceView) -> pd.DataFrame:
    f = view.findings
    kinds = vi_format.phrases().get("finding_kinds") or {}
    return pd.DataFrame({
        _label("finding_kind"): [kinds.get(r, r) for r in f["rule"]], _label("finding_message"): f["message"].to_numpy(),
        _label("source"): [f"{s}:{line} ({ref})" if not pd.isna(line) else str(s)
                 for s, line, ref in zip(f["source"], f["source_line"], f["source_ref"])],
    })


def _unit_label(row) -> str:
    return f"{row['unit_type']} {row['unit']}"


def narrative_text(view: ProvinceView) -> str:
    """The province's narrative in Vietnamese (params/wording/portal.txt.j2)."""
    s = view.scored
    ranked = s[s["total"].notna()]
    top, bottom = ranked.iloc[:3], ranked.iloc[::-1].iloc[:3]
    counts = report.band_counts(s)
    g = view.groups
    succ = view.successors
    by_district = []
    for district, rows in succ.groupby("district_2023", sort=False):
        by_district.append((district, [(_unit_label(r), r["total"], r["band"], int(r["rank"]), r["predecessors"])
                                       for _, r in rows.iterrows()]))
    return narrative.wording(
        "portal.txt.j2", decimal=view.province.decimal, p=view.province, stamp=view.period.stamp(),
        n=len(s), bands=[(b, n) for b, n in zip(counts["band"], counts["units"]) if n],
        mean=float(ranked["total"].mean()) if len(ranked) else None,
        best=[(_unit_label(r), r["total"]) for _, r in top.iterrows()],
        worst=[(_unit_label(r), r["total"]) for _, r in bottom.iterrows()],
        groups=[(r.label, r.max, r.mean, r.lost, r.units) for r in g.itertuples()],
        successors=by_district, rank_of=int(ranked["rank_of"].max()) if len(ranked) else 0,
        not_measured=int(s["no_activity"].notna().sum()), sum_mismatch=int(s["sum_mismatch"].sum()),
    )


# -- charts -------------------------------------------------------------------------------------------

def groups_chart(view: ProvinceView):
    """Bars of each group's mean score against its maximum (the gap is the points lost)."""
    import matplotlib as mpl

    from helpers import charts

    g = view.groups
    with mpl.rc_context(charts._RC):
        fig, ax = charts._new_figure(2.6)
        y = np.arange(len(g))
        ax.barh(y, g["max"], color=charts.NEUTRAL, height=0.6, label=_label("groups_max"), zorder=2)
        ax.barh(y, g["mean"], color=vi_format.band_palette().get("Tốt", charts.INK), height=0.6,
                label=_label("groups_mean"), zorder=3)
        for yi, (m, mx) in enumerate(zip(g["mean"], g["max"])):
            ax.text(mx + 0.3, yi, f"{_num(view, m)}/{_num(view, mx, 0)}", va="center", fontsize=7.5)
        ax.set_yticks(y, [_label("group_name", label=lab, short=s) for lab, s in zip(g["label"], g["short"])])
        ax.set_ylim(len(g) - 0.4, -0.6)
        ax.set_xlim(0, float(g["max"].max()) + 5)
        ax.set_xlabel(_label("points_axis"))
        ax.set_title(_label("groups_title"), loc="left")
        charts._legend_below(fig, ax.get_legend_handles_labels()[0], ncol=2)
    province = f"{view.province.type} {view.province.name}"
    return charts.Chart(fig, _label("groups_caption", n=len(view.scored), province=province, stamp=view.period.stamp()))


def successors_chart(view: ProvinceView):
    """The successor communes' totals, coloured by band, among the province's range."""
    import matplotlib as mpl

    from helpers import charts

    s = view.successors
    if s.empty:
        return None
    palette = vi_format.band_palette()
    with mpl.rc_context(charts._RC):
        fig, ax = charts._new_figure(0.25 * len(s) + 1.4)
        y = np.arange(len(s))
        ax.barh(y, s["total"].astype(float), color=[palette.get(b, charts.NEUTRAL) for b in s["band"]],
                height=0.7, zorder=3)
        for yi, (t, r, n) in enumerate(zip(s["total"], s["rank"], s["rank_of"])):
            ax.text(float(t) + 0.5, yi, _label("rank_of", score=_num(view, t), rank=int(r), of=int(n)), va="center",
                    fontsize=7.5)
        ax.set_yticks(y, [_label("successor_label", unit=_unit_label(r), district=r["district_2023"])
                          for _, r in s.iterrows()])
        ax.set_ylim(len(s) - 0.4, -0.6)
        ax.set_xlim(0, 115)
        ax.set_xlabel(vi_format.label("charts", "score_axis"))
        ax.set_title(_label("successors_title"), loc="left")
        charts._legend_below(fig, charts._band_handles(), ncol=5)
    province = f"{view.province.type} {view.province.name}"
    return charts.Chart(fig, _label("successors_caption", n=len(s), province=province, stamp=view.period.stamp()))


# -- the report (04) ----------------------------------------------------------------------------------

@dataclass
class ProvinceReport:
    title: str
    parts: list[str]  # HTML blocks, in order


def _table_html(frame: pd.DataFrame, caption: str, note: str = "") -> str:
    """A table of the report: its caption, the table (small print, names escaped) and a note under it."""
    if frame.empty:
        return ""
    import html as html_lib

    body = frame.to_html(index=False, escape=True, border=0, classes="portal-table", na_rep=vi_format.MISSING)
    after = f'\n<p class="table-note">{html_lib.escape(note)}</p>' if note else ""
    return f'<h3>{html_lib.escape(caption)}</h3>\n<div class="table-wrap">{body}</div>{after}'


def build_report(view: ProvinceView, district_records: pd.DataFrame | None = None) -> ProvinceReport:
    """The province's report as HTML blocks: title and period stamp, narrative, groups, successors and
    their lineage, every unit (appendix), and the data-quality warnings; names escaped."""
    import html as html_lib

    from helpers import charts

    text = narrative_text(view)
    lines = text.splitlines()
    title, stamp, body = lines[0], lines[1], lines[2:]
    paragraphs, items = [], []
    for line in body + [""]:
        if line.startswith("- "):
            items.append(f"<li>{html_lib.escape(line[2:])}</li>")
            continue
        if items:
            paragraphs.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line.strip():
            paragraphs.append(f"<p>{html_lib.escape(line)}</p>")
    files = _label("files", names=", ".join(dict.fromkeys(view.scored["source"])))
    parts = [f"<h1>{html_lib.escape(title)}</h1>\n<p class=\"period\">{html_lib.escape(stamp)}</p>",
             "\n".join(paragraphs),
             charts.chart_html(groups_chart(view)),
             _table_html(groups_table(view), _label("groups_table")),
             charts.chart_html(successors_chart(view)),
             _table_html(successors_table(view, compact=True), _label("successors_table"), files),
             _table_html(lineage_table(view, district_records),
                         _label("lineage_table")),
             _table_html(communes_table(view, compact=True),
                         _label("appendix", n=len(view.scored), stamp=view.period.stamp()), files),
             _table_html(findings_table(view), _label("data_quality"))]
    return ProvinceReport(title, [p for p in parts if p])


# -- the ingest (01) ----------------------------------------------------------------------------------

def raw_files() -> list:
    """The portal's files as received: data/raw/portal/ (every file, whatever its name)."""
    from helpers.paths import raw_dir

    folder = raw_dir() / "portal"
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []


def ingest_raw():
    """The files of data/raw/portal/ into the portal store (files already stored are skipped)."""
    from helpers.portal import ingest

    return ingest.ingest_paths(raw_files())


def ingest_summary(result) -> pd.DataFrame:
    """One row per file: its format, method, province, period, units read and what became of it."""
    rows = []
    for f in result.files:
        mine = result.records[result.records["source_sha256"] == f.sha256]
        period = PortalPeriod.of_record(mine.iloc[0])
        formats = vi_format.phrases().get("formats") or {}
        rows.append({_label("file"): f.source, _label("format"): formats.get(f.format, f.format),
                     _label("method"): period.method_label(), _label("province"): f.province or _label("whole_country"),
                     _label("period_label"): period.label(), _label("units"): len(mine),
                     _label("outcome"): _label("stored_before" if f.source in result.skipped else "added")})
    return pd.DataFrame(rows)
