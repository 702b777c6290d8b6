"""What a district's signed document says, put together from its DistrictWeek: heading, legal bases, findings,
new findings (helpers.watch), a valid comparison, the "đề nghị" section (helpers.proposals), recipients,
signer and the appendix (table and charts) — as a helpers.document.OfficialDocument.

Wording comes from params/wording/ (macros.j2 for the findings' sentences, document.yaml for the rest),
the office's choices from params/documents.yaml. Nothing of the workbench (file names, hashes,
notebooks, data-quality warnings) goes into the document: those are for the analyst's pages.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from helpers import charts, narrative, params, score, vi_format, watch
from helpers.district_week import DistrictWeek, comparable, standings
from helpers.document import (
    BLANK,
    Appendix,
    Block,
    Figure,
    OfficialDocument,
    Signer,
    Table,
)
from helpers.findings import unit_label
from helpers.params import District
from helpers.periods import Period
from helpers.proposals import Watched, proposals

# -- wording ------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _wording_at(base: str) -> dict:
    return params.wording_yaml("document.yaml")


def _wording() -> dict:
    return _wording_at(str(params.wording_dir()))


class Sayer:
    """say(key, **values): the sentence `key` of params/wording/document.yaml ("watch.gain", or a key whose
    value is per document kind) rendered with the narrative's filters and the district's number format."""

    def __init__(self, district: District, period: Period, kind: str):
        self.env = narrative._env(False)
        self.ctx = narrative._context(district, period) | {"blank": BLANK}
        self.kind = kind

    def __call__(self, key: str, optional: bool = False, **values) -> str:
        node = _wording()
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                if optional:
                    return ""
                raise params.ParamsError(f"wording/document.yaml: thiếu khóa '{key}'")
            node = node[part]
        if isinstance(node, dict):
            node = node.get(self.kind, "")
        text = self.env.from_string(str(node)).render(self.ctx | values)
        return vi_format.nfc(re.sub(r"[ \t\r\n]+", " ", text).strip())


def _collect(macro, *args) -> list[str]:
    """The sentences a macros.j2 section macro hands to its caller, in order."""
    out: list[str] = []

    def caller(sentence):
        text = " ".join(str(sentence).split())
        if text:
            out.append(text)
        return ""

    macro(*args, caller=caller)
    return out


# -- numbers --------------------------------------------------------------------------------------

def _num(value, district: District, digits: int = 2) -> str:
    return vi_format.number(value, district.decimal, digits, missing=vi_format.MISSING)


def _month(m: int) -> str:
    """Decree 30: months 1 and 2 are written with a leading zero, the others without."""
    return f"{m:02d}" if m < 3 else str(m)


# -- parts ----------------------------------------------------------------------------------------

def period_note(week: DistrictWeek, say: Sayer) -> str:
    p, asked = week.period, week.asked
    if p.start < asked.start and p.as_of != asked.as_of:
        return say("stale_note", asked=asked.short_label(), asked_cut=vi_format.vi_date(asked.start),
                   period=p.short_label())
    if p.kind == "month":
        return say("month_note", period=p.short_label())
    return ""


def watched(week: DistrictWeek) -> Watched:
    pol = params.policy()
    th = params.watch_thresholds()
    total = score.total_row(week.scored)
    d = week.district
    return Watched(
        near=watch.near_band_lines(week.ranked, th["near_band_points"], pol),
        streaks=watch.lowest_band_streaks(week.ranked, score.district_rows(week.snapshot.records, d.code),
                                          week.period, pol),
        moves=watch.rank_moves(week.ranked, th["rank_move_places"]),
        agencies=watch.agencies_below_communes(week.ranked, total, pol),
        gains=watch.gain_needed_15_3(week.ranked, list(d.units_15_3), pol.min_score_15_3, d.deadline_15_3,
                                     week.asked.start),
        best_below=watch.best_below(week.ranked, pol.min_score_15_3),
        near_within=th["near_band_points"],
        has_certifications=bool(week.scored["e_cert"].notna().any()) if "e_cert" in week.scored else False,
    )


def watch_sentences(w: Watched, say: Sayer) -> list[str]:
    out = []
    for s in w.streaks:
        if s.weeks > 1:
            out.append(say("watch.streak", u=s.unit, band=s.band, weeks=s.weeks, since=s.since.short_label()))
    for n in w.near:
        out.append(say("watch.near_below" if n.below else "watch.near_above", u=n.unit, score=n.score,
                       points=n.points, band=n.band, line=n.line))
    for m in w.moves:
        out.append(say("watch.rank_up" if m.places > 0 else "watch.rank_down", u=m.unit, places=abs(m.places),
                       prev_rank=m.prev_rank, rank=m.rank))
    for a in w.agencies:
        out.append(say("watch.agency", label=a.label, value=a.district_value, u=a.lowest_unit, low=a.lowest_value))
    for g in w.gains:
        out.append(say("watch.gain", u=g.unit, score=g.score, per_week=g.per_week, weeks=g.weeks_left,
                       target=g.target, deadline=g.deadline))
    if w.best_below is not None:
        b = w.best_below
        out.append(say("watch.none_reach", line=b.line, band=score.band_of(b.line), score=b.score, points=b.points,
                       units=unit_label(list(b.units))))
    return out


def comparison_sentences(week: DistrictWeek, say: Sayer) -> list[str]:
    rows = standings(week.compared)
    if len(rows) < 2:
        return []
    d = week.district

    def total(r):
        return say("comparison.total", name=r.name, score=_num(r.official, d), period=r.period.short_label())

    if comparable(rows):
        ordered = sorted(rows, key=lambda r: -r.official)
        own = next(r for r in rows if r.slug == d.slug)
        place = 1 + sum(1 for r in rows if r.official > own.official + 1e-9)
        listing = vi_format.join(total(r) for r in ordered)
        return [say("comparison.ranked", period=own.period.short_label(), rank=place, n=len(rows), listing=listing)]
    parts = [total(r) if r.official is not None else
             say("comparison.range", name=r.name, n=r.units, low=_num(r.low, d), high=_num(r.high, d),
                 period=r.period.short_label())
             for r in rows]
    return [say("comparison.side_by_side", listing=vi_format.join(parts))]


def appendix_table(week: DistrictWeek) -> Table:
    """Every unit with all the columns the source reported, the district total first (bold)."""
    d, scored, ranked = week.district, week.scored, week.ranked
    pol = params.policy()
    comps = [c for c in pol.components if scored[c.key].notna().any()]
    has = {c: scored[c].notna().any() for c in ("prev_score", "delta", "e_cert", "e_cert_cum")}
    words = vi_format.labels("report")
    headers = [words["stt"], words["unit"], words["score"], words["band"]]
    headers += [words[c] for c in ("prev_score", "delta") if has[c]]
    headers += [vi_format.label("report", "component", label=c.label) if c.target is None else
                vi_format.label("report", "component_target", label=c.label, target=_num(c.target, d, 0))
                for c in comps]
    headers += [words[c] for c in ("e_cert", "e_cert_cum") if has[c]]
    total = score.total_row(scored)
    rows, bold = [], set()
    for r in ([] if total is None else [total]) + [r for _, r in ranked.iterrows()]:
        is_total = r["unit_type"] == score.TOTAL_TYPE
        if is_total:
            bold.add(len(rows))
        band = r["band_computed"] if not pd.isna(r["band_computed"]) else None
        row = ["" if is_total or pd.isna(r.get("rank", pd.NA)) else str(int(r["rank"])),
               words["district_total"] if is_total else f"{r['unit_type']} {r['unit']}", _num(r["score"], d),
               band or vi_format.MISSING]
        if has["prev_score"]:
            row.append(_num(r["prev_score"], d))
        if has["delta"]:
            row.append(vi_format.MISSING if pd.isna(r["delta"]) else vi_format.signed(float(r["delta"]), d.decimal))
        row += [vi_format.percent(r[c.key], d.decimal) or vi_format.MISSING for c in comps]
        row += [vi_format.count(r[c], d.thousands, missing=vi_format.MISSING) for c in ("e_cert", "e_cert_cum") if has[c]]
        rows.append(row)
    numeric = frozenset(i for i in range(len(headers)) if i >= 2 and i != 3)  # all but STT, name and band
    return Table(headers, rows, frozenset(bold), numeric)


def figures(week: DistrictWeek) -> list[Figure]:
    d, p = week.district, week.period
    made = [
        charts.units_by_score(week.ranked, d, p),
        charts.weekly_change(week.ranked, d, p),
        charts.components_vs_targets(pd.concat([week.ranked, week.scored[score.is_total(week.scored)]]),
                                     d, p),
        charts.districts_compared(standings(week.compared), week.compared, d),
        charts.score_history(week.history, d),
    ]
    return [Figure(c.png(), c.caption) for c in made if c is not None]


def compose(week: DistrictWeek, with_figures: bool = True) -> OfficialDocument:
    """The district's document for the week asked."""
    d, p, asked = week.district, week.period, week.asked
    settings = params.document_settings(d.slug)
    kind = settings["kind"]
    say = Sayer(d, p, kind)
    env = narrative._env(False)
    macros = env.get_template("macros.j2").make_module(narrative._context(d, p))
    week.require()
    findings = week.findings
    w = watched(week)
    head = narrative.heading(d, p)

    body = [Block(text) for text in settings["legal_bases"]]
    body.append(Block(say("intro", in_period=str(macros.in_period(narrative._period_view(p))).strip())))
    number = 1
    body.append(Block(f"{number}. " + " ".join(str(macros.district_line(findings.district, say.ctx["period"])).split())))
    sections_ = [
        ("titles.units", _collect(macros.unit_sentences, findings, say.ctx["period"]), {}),
        ("titles.components", _collect(macros.component_sentences, findings), {}),
        ("titles.criterion_15_3", _collect(macros.criterion_sentences, findings), {"target": findings.min_score_15_3}),
        ("titles.watch", watch_sentences(w, say), {}),
        ("titles.comparison", comparison_sentences(week, say), {}),
    ]
    for key, sentences, values in sections_:
        if not sentences:
            continue
        number += 1
        body.append(Block(f"{number}. {say(key, **values)}", "heading"))
        body += [Block(f"- {s}", "item") for s in sentences]
    since = " ".join(str(macros.since_prev(say.ctx["period"])).split())
    lines = proposals(findings, w, settings["offices"], say, since)
    number += 1
    body.append(Block(f"{number}. {say('titles.proposals')}", "heading"))
    body += lines
    body.append(Block(say("closing")))

    month, year = _month(asked.start.month), asked.start.year
    issuing = d.issuing_body
    kind_name = say("kind_name")
    reporter = d.reporting_body or issuing
    scale = "; ".join(f"{b.name} từ {b.min:g} điểm" if b.min > 0 else f"{b.name} dưới {pol_min:g} điểm"
                      for b, pol_min in zip(params.policy().bands,
                                            [0] + [x.min for x in params.policy().bands][:-1]))
    appendix = Appendix(
        label=say("appendix_label"),
        reference=say("appendix_reference", kind_name=kind_name, symbol=settings["symbol"], month=month, year=year,
                      body=reporter),
        title=say("appendix_title"),
        subtitle=head["data_cut"],
        table=appendix_table(week),
        note=say("appendix_note", scale=scale),
        figures=figures(week) if with_figures else [],
    )
    return OfficialDocument(
        kind=kind,
        parent_body=d.parent_body,
        issuing_body=issuing,
        country=head["country"],
        motto=head["motto"],
        number=say("number", symbol=settings["symbol"]),
        place_date=say("place_date", place=settings["place"], month=month, year=year),
        doc_type=head["doc_kind"] if kind == "bao-cao" else "",
        title=head["title"] if kind == "bao-cao" else "",
        subject=settings["subject"] if kind == "cong-van" else "",
        period_note=period_note(week, say),
        addressees=list(settings["addressees"]),
        body=body,
        recipients=list(settings["recipients"]),
        signer=Signer(**settings["signer"]),
        appendix=appendix,
    )


__all__ = ["Sayer", "appendix_table", "comparison_sentences", "compose", "watch_sentences", "watched"]
