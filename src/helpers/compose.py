"""What a district's signed document says, put together from the store: heading, legal bases, findings,
new findings (helpers.watch), a valid comparison, the "đề nghị" section (helpers.proposals), recipients,
signer and the appendix (table and charts) — as a helpers.document.OfficialDocument.

Wording comes from params/wording/ (macros.j2 for the findings' sentences, document.yaml for the rest),
the office's choices from params/documents.yaml. Nothing of the workbench (file names, hashes,
notebooks, data-quality warnings) goes into the document: those are for the analyst's pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from helpers import charts, narrative, params, rank, score, watch
from helpers.document import (
    BLANK,
    Appendix,
    Block,
    Figure,
    OfficialDocument,
    Signer,
    Table,
)
from helpers.params import District
from helpers.periods import Period
from helpers.proposals import Watched, proposals


@dataclass(frozen=True)
class Inputs:
    """The district's data for the week asked, read once."""

    district: District
    asked: Period
    period: Period
    scored: pd.DataFrame
    ranked: pd.DataFrame
    scored_by: dict  # slug -> scored frame (or None) of the districts compared
    history: pd.DataFrame  # the district's store rows (every period), for streaks and the history chart


def load(records: pd.DataFrame, district: District, asked: Period) -> Inputs | None:
    """The inputs of a district's document; None when the store has no data for it up to the week."""
    scored = score.score_district(records, district.slug, asked)
    if scored is None:
        return None
    return Inputs(district, asked, score.period_of(scored), scored, rank.rank_units(scored),
                  score.score_compared(records, district, asked), score.district_rows(records, district.code))


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
        return narrative._nfc(re.sub(r"[ \t\r\n]+", " ", text).strip())


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

def fmt_count(value, district: District) -> str:
    """A count with the district's thousands mark (never one that reads as a decimal)."""
    if value is None or pd.isna(value):
        return "—"
    text = f"{int(value):,}"
    return text.replace(",", district.thousands)


def _num(value, district: District, digits: int = 2) -> str:
    return "—" if value is None or pd.isna(value) else narrative.fmt_number(float(value), district.decimal, digits)


def _month(m: int) -> str:
    """Decree 30: months 1 and 2 are written with a leading zero, the others without."""
    return f"{m:02d}" if m < 3 else str(m)


# -- parts ----------------------------------------------------------------------------------------

def period_note(inputs: Inputs, say: Sayer) -> str:
    p, asked = inputs.period, inputs.asked
    if p.start < asked.start and p.as_of != asked.as_of:
        return say("stale_note", asked=asked.short_label(), asked_cut=narrative.fmt_date(asked.start),
                   period=p.short_label())
    if p.kind == "month":
        return say("month_note", period=p.short_label())
    return ""


def watched(inputs: Inputs) -> Watched:
    pol = params.policy()
    th = params.watch_thresholds()
    total = score.total_row(inputs.scored)
    d = inputs.district
    return Watched(
        near=watch.near_band_lines(inputs.ranked, th["near_band_points"], pol),
        streaks=watch.lowest_band_streaks(inputs.ranked, inputs.history, inputs.period, pol),
        moves=watch.rank_moves(inputs.ranked, th["rank_move_places"]),
        agencies=watch.agencies_below_communes(inputs.ranked, total, pol),
        gains=watch.gain_needed_15_3(inputs.ranked, list(d.units_15_3), pol.min_score_15_3, d.deadline_15_3,
                                     inputs.asked.start),
        best_below=watch.best_below(inputs.ranked, pol.min_score_15_3),
        near_within=th["near_band_points"],
        has_certifications=bool(inputs.scored["e_cert"].notna().any()) if "e_cert" in inputs.scored else False,
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
                       units=narrative.unit_label(list(b.units))))
    return out


@dataclass(frozen=True)
class Standing:
    slug: str
    name: str
    period: Period
    official: float | None  # the district's own score, when its document gives one
    units: int
    low: float | None
    high: float | None


def standings(scored_by: dict) -> list[Standing]:
    """Each district compared, with its own period and its official score (or its units' range)."""
    out = []
    for slug, scored in scored_by.items():
        if scored is None or scored.empty:
            continue
        total = score.total_row(scored)
        official = None if total is None or pd.isna(total["score"]) else float(total["score"])
        units = score.units_only(scored)["score"].dropna().astype(float)
        out.append(Standing(slug, params.district(slug).name, score.period_of(scored), official, len(units),
                            float(units.min()) if len(units) else None, float(units.max()) if len(units) else None))
    return out


def comparable(rows: list[Standing]) -> bool:
    """Districts may be ranked only on the same period and the same basis: each its own official score."""
    return len(rows) > 1 and all(r.official is not None for r in rows) and len({r.period.as_of for r in rows}) == 1


def comparison_sentences(inputs: Inputs, say: Sayer) -> list[str]:
    rows = standings(inputs.scored_by)
    if len(rows) < 2:
        return []
    d = inputs.district

    def total(r):
        return say("comparison.total", name=r.name, score=_num(r.official, d), period=r.period.short_label())

    if comparable(rows):
        ordered = sorted(rows, key=lambda r: -r.official)
        own = next(r for r in rows if r.slug == d.slug)
        place = 1 + sum(1 for r in rows if r.official > own.official + 1e-9)
        listing = narrative.join_vi(total(r) for r in ordered)
        return [say("comparison.ranked", period=own.period.short_label(), rank=place, n=len(rows), listing=listing)]
    parts = [total(r) if r.official is not None else
             say("comparison.range", name=r.name, n=r.units, low=_num(r.low, d), high=_num(r.high, d),
                 period=r.period.short_label())
             for r in rows]
    return [say("comparison.side_by_side", listing=narrative.join_vi(parts))]


def appendix_table(inputs: Inputs) -> Table:
    """Every unit with all the columns the source reported, the district total first (bold)."""
    d, scored, ranked = inputs.district, inputs.scored, inputs.ranked
    pol = params.policy()
    comps = [c for c in pol.components if scored[c.key].notna().any()]
    has = {c: scored[c].notna().any() for c in ("prev_score", "delta", "e_cert", "e_cert_cum")}
    headers = ["STT", "Đơn vị", "Điểm tổng hợp", "Xếp loại"]
    headers += [h for c, h in (("prev_score", "Điểm tuần trước"), ("delta", "Tăng/giảm")) if has[c]]
    headers += [f"{c.label} (%)" + (f" – chỉ tiêu {_num(c.target, d, 0)}%" if c.target is not None else "")
                for c in comps]
    headers += [h for c, h in (("e_cert", "Chứng thực điện tử"), ("e_cert_cum", "Chứng thực điện tử (lũy kế)"))
                if has[c]]
    total = score.total_row(scored)
    rows, bold = [], set()
    for r in ([] if total is None else [total]) + [r for _, r in ranked.iterrows()]:
        is_total = r["unit_type"] == score.TOTAL_TYPE
        if is_total:
            bold.add(len(rows))
        band = r["band_computed"] if not pd.isna(r["band_computed"]) else None
        row = ["" if is_total or pd.isna(r.get("rank", pd.NA)) else str(int(r["rank"])),
               "Toàn huyện" if is_total else f"{r['unit_type']} {r['unit']}", _num(r["score"], d), band or "—"]
        if has["prev_score"]:
            row.append(_num(r["prev_score"], d))
        if has["delta"]:
            row.append("—" if pd.isna(r["delta"]) else narrative.fmt_signed(float(r["delta"]), d.decimal))
        row += ["—" if pd.isna(r[c.key]) else narrative.fmt_pct(float(r[c.key]), d.decimal) for c in comps]
        row += [fmt_count(r[c], d) for c in ("e_cert", "e_cert_cum") if has[c]]
        rows.append(row)
    numeric = frozenset(i for i, h in enumerate(headers) if i >= 2 and h != "Xếp loại")
    return Table(headers, rows, frozenset(bold), numeric)


def figures(inputs: Inputs) -> list[Figure]:
    from helpers import sections

    d, p = inputs.district, inputs.period
    made = [
        charts.units_by_score(inputs.ranked, d, p),
        charts.weekly_change(inputs.ranked, d, p),
        charts.components_vs_targets(pd.concat([inputs.ranked, inputs.scored[score.is_total(inputs.scored)]]),
                                     d, p),
        charts.districts_compared(standings(inputs.scored_by), inputs.scored_by, d),
        charts.score_history(sections.district_history_scores(inputs.history, d, inputs.asked), d),
    ]
    return [Figure(c.png(), c.caption) for c in made if c is not None]


def compose(inputs: Inputs, with_figures: bool = True) -> OfficialDocument:
    """The district's document for the week asked."""
    d, p, asked = inputs.district, inputs.period, inputs.asked
    settings = params.document_settings(d.slug)
    kind = settings["kind"]
    say = Sayer(d, p, kind)
    env = narrative._env(False)
    macros = env.get_template("macros.j2").make_module(narrative._context(d, p))
    findings = narrative.build_findings(inputs.ranked, score.total_row(inputs.scored), d, params.policy())
    w = watched(inputs)
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
        ("titles.comparison", comparison_sentences(inputs, say), {}),
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
        table=appendix_table(inputs),
        note=say("appendix_note", scale=scale),
        figures=figures(inputs) if with_figures else [],
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
        period_note=period_note(inputs, say),
        addressees=list(settings["addressees"]),
        body=body,
        recipients=list(settings["recipients"]),
        signer=Signer(**settings["signer"]),
        appendix=appendix,
    )


__all__ = ["Inputs", "Sayer", "Standing", "appendix_table", "comparable", "comparison_sentences", "compose",
           "fmt_count", "load", "standings", "watch_sentences", "watched"]
