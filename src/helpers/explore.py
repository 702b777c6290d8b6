"""What the interactive views of JupyterLab show, as pure helpers (no widget): `ranking_for`,
`unit_history`, `unit_components`, `what_if`, `findings_with`, and the `*_html` functions that turn
their results into HTML take frames and return frames, dataclasses or HTML strings; they hold all the
logic and are tested on their own. The widget panels wired to them are helpers.panels.

Nothing here is policy: bands, targets, the notable-drop threshold and the weakest-N count come from
helpers.params; the what-if and slider views change them only in a copy (dataclasses.replace).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from helpers import findings as findings_mod
from helpers import params, rank, tables, vi_format
from helpers import records as rec
from helpers import score as scoring
from helpers.collation import vi_key
from helpers.district_week import comparable, standings
from helpers.errors import UsageError
from helpers.params import District, Policy
from helpers.periods import Period, parse_as_of, parse_week_arg

TOTAL_TYPE = scoring.TOTAL_TYPE
# The index is scored out of 100 points and components are percentages (the same bounds ingest
# checks); these bound the what-if inputs, they are not policy.
SCALE_MAX = 100.0
# Scores are reported with two decimals: the smallest step of the threshold slider and inputs.
STEP = 0.01
MISSING = vi_format.MISSING

HISTORY_COLUMNS = ["as_of", "period_label", "period_kind", "score", "band", "prev_score", "delta",
                   "rank", "rank_of", "derived", "source"]
COMPONENT_TABLE_COLUMNS = ["key", "label", "value", "target", "met", "gap"]


# -- small shared pieces ----------------------------------------------------------------------------

_missing = rec.is_missing
_float = rec.as_float


def _int(value) -> int | None:
    return None if _missing(value) else int(value)


def _esc(value) -> str:
    return html.escape("" if _missing(value) else str(value))


def unit_label(row, district_name: str | None = None) -> str:
    """'xã Kiến An', 'thị trấn Chợ Mới'; the district's own total row: 'Toàn huyện Chợ Mới'."""
    if row.get("unit_type") == TOTAL_TYPE:
        return vi_format.label("explore", "district_total", district=district_name or row.get("unit"))
    unit_type = row.get("unit_type")
    return f"{unit_type} {row.get('unit')}" if not _missing(unit_type) and unit_type else str(row.get("unit"))


def _district_of(scored: pd.DataFrame, district=None) -> District:
    if isinstance(district, District):
        return district
    if isinstance(district, str):
        return params.district_by_code(district) or params.district(district)
    codes = scored["district_code"].dropna().unique() if len(scored) else []
    found = params.district_by_code(str(codes[0])) if len(codes) == 1 else None
    if found is None:
        raise UsageError("không xác định được huyện của bảng điểm: hãy truyền huyện (district)")
    return found


def _unit_mask(frame: pd.DataFrame, unit_code: str) -> pd.Series:
    return (frame["unit_code"] == str(unit_code)).fillna(False).astype(bool)


def _unit_row(scored: pd.DataFrame, unit_code: str) -> pd.Series:
    rows = scored[_unit_mask(scored, unit_code)]
    if rows.empty:
        raise UsageError(f"không có đơn vị mã '{unit_code}' trong bảng điểm của huyện")
    return rows.iloc[0]


# -- weeks and districts ----------------------------------------------------------------------------

def available_weeks(records: pd.DataFrame) -> list[Period]:
    """The weeks of reported (not derived) data in the store, newest first."""
    is_week = (records["period_kind"] == "week").fillna(False).astype(bool)
    rows = records[is_week & ~records["derived"].astype(bool)]
    return sorted({parse_as_of(str(a)) for a in rows["as_of"].dropna().unique()}, reverse=True)


def asked_week(records: pd.DataFrame, week: str | Period = "") -> Period:
    """The week asked: a Period as given, a WEEK argument ('2023-W49', '2023-12-04'), or for '' the
    latest week of reported data in the records (as helpers.notebook does with the store)."""
    if isinstance(week, Period):
        return week
    if week:
        return parse_week_arg(week)
    weeks = available_weeks(records)
    if not weeks:
        raise UsageError("kho dữ liệu chưa có tuần nào: hãy chạy notebook 01_ingest trước (hoặc make report)")
    return weeks[0]


def week_options(records: pd.DataFrame, asked: Period | None = None) -> list[tuple[str, str]]:
    """(label, ISO week) for each week of the store, newest first; the week asked is added when the
    store holds no report for it (the ranking then uses the newest older data, and says so)."""
    weeks = available_weeks(records)
    if asked is not None and asked.iso_week not in {w.iso_week for w in weeks}:
        weeks = sorted([*weeks, asked], reverse=True)
    return [(w.label(), w.iso_week) for w in weeks]


def district_options() -> list[tuple[str, str]]:
    """(name, slug) of every district of params/districts.yaml, in file order."""
    return [(d.name, slug) for slug, d in params.districts().items()]


def unit_options(scored: pd.DataFrame, with_total: bool = True) -> list[tuple[str, str]]:
    """(label, unit code) of the units of a scored frame in Vietnamese alphabetical order of the name
    (then the type), the district's own total first when `with_total`."""
    district = _district_of(scored)
    units = scoring.units_only(scored)
    units = units[units["unit_code"].notna()]
    order = sorted(units.iterrows(), key=lambda t: (vi_key(t[1]["unit"]), vi_key(t[1]["unit_type"])))
    opts = [(unit_label(r, district.name), str(r["unit_code"])) for _, r in order]
    total = scoring.total_row(scored)
    if with_total and total is not None and not _missing(total["unit_code"]):
        opts.insert(0, (unit_label(total, district.name), str(total["unit_code"])))
    return opts


# -- 03: ranking for a district and a week ----------------------------------------------------------

def ranking_for(records: pd.DataFrame, slug: str, week: str | Period = "") -> pd.DataFrame:
    """The district's ranked units (helpers.rank.rank_units columns) for the week asked: its newest
    data not newer than that week ('' = the latest week in the records). Empty without data."""
    scored = scoring.score_district(records, slug, asked_week(records, week))
    if scored is None:
        return pd.DataFrame(columns=list(records.columns) + ["rank", "prev_rank", "rank_change"])
    return rank.rank_units(scored)


def ranking_html(records: pd.DataFrame, slug: str, week: str | Period = "") -> str:
    """The period note and the ranking table of `ranking_for`, as HTML."""
    from helpers.report import period_note_text

    district = params.district(slug)
    asked = asked_week(records, week)
    ranked = ranking_for(records, slug, asked)
    if ranked.empty:
        return "<p>" + vi_format.label("explore", "no_data", district=_esc(district.name), week=_esc(asked.iso_week),
                                       label=_esc(asked.label())) + "</p>"
    period = parse_as_of(str(ranked["as_of"].dropna().iloc[0]))
    note = _esc(period_note_text(asked, period)).replace("\n", " ")
    caption = vi_format.label("explore", "ranking_caption", district=district.name)
    return f"<p>{note}</p>" + tables.style_ranked(ranked, caption=caption).to_html()


# -- 02: one unit: history and components ----------------------------------------------------------

def unit_history(records: pd.DataFrame, unit_code: str) -> pd.DataFrame:
    """One row per period the records hold for the unit (oldest first), from the effective record of
    each period (a reported row preferred over one derived from a later report): score, computed band,
    previous score and change (printed, else computed), rank among the district's units in that period
    and how many units were ranked, whether the row is derived, and its source file."""
    rows = records[_unit_mask(records, unit_code)]
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in HISTORY_COLUMNS})
    district_code = str(rows["district_code"].dropna().iloc[0])
    district = params.district_by_code(district_code)
    found, rank_at = [], []
    for period in sorted({parse_as_of(str(a)) for a in rows["as_of"].dropna().unique()}):
        eff = scoring.period_records(records, district_code, period)
        mine = eff[_unit_mask(eff, unit_code)]
        if mine.empty:
            continue
        units = scoring.units_only(eff)
        ranks = dict(zip(units["unit_code"], rank.competition_rank(units["score"])))
        found.append(mine.iloc[[0]])
        rank_at.append((ranks.get(str(unit_code)), int(units["score"].notna().sum())))
    history = scoring.score_records(pd.concat(found, ignore_index=True), district=district)
    periods = [parse_as_of(str(a)) for a in history["as_of"]]
    is_unit = history["unit_type"] != TOTAL_TYPE
    out = pd.DataFrame({
        "as_of": history["as_of"].astype("string"),
        "period_label": pd.array([p.short_label() for p in periods], dtype="string"),
        "period_kind": pd.array([p.kind for p in periods], dtype="string"),
        "score": history["score"].astype("Float64"),
        "band": history["band_computed"].astype("string"),
        "prev_score": history["prev_score"].astype("Float64"),
        "delta": history["delta"].astype("Float64").fillna(history["delta_computed"]),
        "rank": pd.array([r if u else None for (r, _), u in zip(rank_at, is_unit)], dtype="Int64"),
        "rank_of": pd.array([n if u else None for (_, n), u in zip(rank_at, is_unit)], dtype="Int64"),
        "derived": history["derived"].astype(bool),
        "source": history["source"].astype("string"),
    })
    return out[HISTORY_COLUMNS]


def unit_components(scored: pd.DataFrame, unit_code: str) -> pd.DataFrame:
    """The unit's components against their targets (params/targets.yaml), one row per component the
    frame has: key, label, value (%), target (NA without one), met (NA without value or target) and
    gap (points missing to the target, 0 when met)."""
    row = _unit_row(scored, unit_code)

    def col(name):
        return row[name] if name in row.index and not _missing(row[name]) else None

    out = []
    for comp in params.policy().components:
        if comp.key not in scored.columns:
            continue
        met = col(f"{comp.key}_met")
        out.append({"key": comp.key, "label": comp.label, "value": _float(row[comp.key]),
                    "target": _float(col(f"{comp.key}_target")), "met": None if met is None else bool(met),
                    "gap": _float(col(f"{comp.key}_gap"))})
    frame = pd.DataFrame(out, columns=COMPONENT_TABLE_COLUMNS)
    for c in ("value", "target", "gap"):
        frame[c] = frame[c].astype("Float64")
    frame["met"] = frame["met"].astype("boolean")
    return frame


def _band_cell(band) -> str:
    css = tables.band_css(band)
    return f'<td style="{css}">{_esc(band) if not _missing(band) else MISSING}</td>'


def history_html(history: pd.DataFrame, label: str, decimal: str = ".") -> str:
    """A unit's history (unit_history) as an HTML table, numbers in the district's decimal mark."""
    if history.empty:
        return "<p>" + vi_format.label("explore", "no_history", unit=_esc(label)) + "</p>"
    head = list(vi_format.labels("explore_history").values())
    derived = vi_format.label("explore", "derived")
    body = []
    for _, r in history.iterrows():
        place = MISSING if _missing(r["rank"]) else f"{int(r['rank'])}/{int(r['rank_of'])}"
        source = _esc(r["source"]) + (_esc(derived) if r["derived"] else "")
        body.append("<tr>" + f"<td>{_esc(r['period_label'])}</td><td>{_esc(r['as_of'])}</td>"
                    f"<td>{vi_format.cell(r['score'], decimal=decimal)}</td>" + _band_cell(r["band"])
                    + f"<td>{vi_format.cell(r['prev_score'], decimal=decimal)}</td>"
                    f"<td>{vi_format.change(r['delta'], decimal)}</td><td>{place}</td><td>{source}</td></tr>")
    return _table(vi_format.label("explore", "history_caption", unit=label), head, body)


def components_html(components: pd.DataFrame, label: str, decimal: str = ".") -> str:
    """A unit's components against their targets (unit_components) as an HTML table."""
    if components.empty:
        return "<p>" + vi_format.label("explore", "no_components", unit=_esc(label)) + "</p>"
    head = list(vi_format.labels("explore_components").values())
    words = vi_format.labels("explore")
    body = []
    for _, r in components.iterrows():
        if _missing(r["target"]):
            verdict = words["no_target"]
        elif _missing(r["met"]):
            verdict = words["no_value"]
        else:
            verdict = words["met"] if r["met"] else words["not_met"]
        target = MISSING if _missing(r["target"]) else vi_format.percent(r["target"], decimal)
        body.append(f"<tr><td>{_esc(r['label'])}</td><td>{vi_format.cell(r['value'], decimal=decimal)}</td>"
                    f"<td>{target}</td><td>{_esc(verdict)}</td><td>{vi_format.cell(r['gap'], decimal=decimal)}</td></tr>")
    return _table(vi_format.label("explore", "components_caption", unit=label), head, body)


def _table(caption: str, head: list[str], body: list[str]) -> str:
    cells = "".join(f"<th>{_esc(h)}</th>" for h in head)
    return (f'<table class="explore"><caption>{_esc(caption)}</caption><thead><tr>{cells}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def unit_html(records: pd.DataFrame, scored: pd.DataFrame, unit_code: str) -> str:
    """The unit's history across the store's periods and its components against targets, as HTML."""
    district = _district_of(scored)
    label = unit_label(_unit_row(scored, unit_code), district.name)
    return (history_html(unit_history(records, unit_code), label, district.decimal)
            + components_html(unit_components(scored, unit_code), label, district.decimal))


# -- 04: what if, and findings under other thresholds -----------------------------------------------

def policy_with(drop_threshold: float | None = None, weakest_n: int | None = None,
                policy: Policy | None = None) -> Policy:
    """params.policy() (or `policy`) with another notable-drop threshold and/or weakest-N count."""
    pol = policy or params.policy()
    changes = {}
    if drop_threshold is not None:
        if float(drop_threshold) < 0:
            raise UsageError(f"mức giảm đáng chú ý phải ≥ 0, nhận được {drop_threshold}")
        changes["notable_drop_points"] = float(drop_threshold)
    if weakest_n is not None:
        if int(weakest_n) < 1:
            raise UsageError(f"số đơn vị yếu nhất phải ≥ 1, nhận được {weakest_n}")
        changes["weakest_n"] = int(weakest_n)
    return replace(pol, **changes) if changes else pol


def comparison_with(scored: pd.DataFrame, others: Mapping[str, pd.DataFrame] | None) -> pd.DataFrame | None:
    """The cross-district comparison with this district's rows replaced by `scored`; None without
    other districts (`others`: slug -> scored rows, as score.score_compared returns) or where the
    districts may not be ranked together (district_week.comparable: the same period, each on its
    official score)."""
    if others is None:
        return None
    district = _district_of(scored)
    frames = dict(others)
    frames[district.slug] = scored
    if not comparable(standings(frames)):
        return None
    return rank.with_district_totals(rank.compare_districts(frames), frames)


def findings_with(scored: pd.DataFrame, district=None, drop_threshold: float | None = None,
                  weakest_n: int | None = None, comparison: pd.DataFrame | None = None,
                  policy: Policy | None = None):
    """The district's findings (helpers.findings.build_findings) under another notable-drop
    threshold and/or weakest-N count; the defaults are those of params/targets.yaml."""

    district = _district_of(scored, district)
    pol = policy_with(drop_threshold, weakest_n, policy)
    return findings_mod.build_findings(rank.rank_units(scored), scoring.total_row(scored), district, pol, comparison)


def findings_html(findings, scored: pd.DataFrame, district=None) -> str:
    """Findings as the report words them (params/wording), without the heading block."""
    from helpers import narrative

    district = _district_of(scored, district)
    return narrative.render_html(findings, district, scoring.period_of(scored), with_heading=False)


def threshold_bounds(scored: pd.DataFrame, policy: Policy | None = None) -> tuple[float, float]:
    """(min, max) of the notable-drop slider: from 0 to above both the largest fall of a unit in the
    frame and the policy's threshold, so every setting that changes the findings is reachable."""
    pol = policy or params.policy()
    units = scoring.units_only(scored)
    change = units["delta"].astype("Float64").fillna(units["delta_computed"].astype("Float64"))
    falls = (-change[change < 0]).dropna()
    largest = float(falls.max()) if len(falls) else 0.0
    return 0.0, float(math.floor(max(largest, pol.notable_drop_points)) + 1)


@dataclass(eq=False)
class WhatIf:
    """A unit's standing after changing its score and/or components (nothing is stored)."""

    unit_code: str
    unit_label: str
    score: float | None
    score_before: float | None
    band: str | None
    band_before: str | None
    next_band: str | None
    points_to_next_band: float | None
    rank: int | None  # rank in the district with the change
    rank_before: int | None  # rank with the reported figures
    prev_rank: int | None  # rank of the previous period (unchanged by a what-if)
    rank_of: int  # units ranked
    scored: pd.DataFrame
    ranked: pd.DataFrame
    components: pd.DataFrame
    findings: object  # helpers.findings.Findings
    changed: dict = field(default_factory=dict)  # column -> new value


def _rank_of_unit(ranked: pd.DataFrame, unit_code: str) -> tuple[int | None, int | None]:
    rows = ranked[_unit_mask(ranked, unit_code)]
    if rows.empty:
        return None, None
    return _int(rows.iloc[0]["rank"]), _int(rows.iloc[0]["prev_rank"])


def what_if(scored: pd.DataFrame, unit_code: str, score: float | None = None,
            components: Mapping[str, float | None] | None = None, *, district=None,
            others: Mapping[str, pd.DataFrame] | None = None, policy: Policy | None = None) -> WhatIf:
    """Recompute band, gaps, rank and the district's findings with the unit's score and/or component
    percentages replaced. A new score replaces the printed band and change (they are recomputed from
    the score and the previous score). `others` (slug -> scored rows of the other districts) makes
    the findings' cross-district comparison use the changed score too; `policy` overrides
    params.policy() (e.g. from policy_with)."""

    district = _district_of(scored, district)
    pol = policy or params.policy()
    before = _unit_row(scored, unit_code)
    keys = [c.key for c in pol.components if c.key in scored.columns]
    changed = scored.copy()
    mask = _unit_mask(changed, unit_code)
    edits: dict = {}
    if score is not None:
        value = float(score)
        if not 0 <= value <= SCALE_MAX:
            raise UsageError(f"điểm phải nằm trong khoảng 0–{SCALE_MAX:g}, nhận được {score}")
        edits["score"] = value
        changed.loc[mask, "score"] = value
        changed.loc[mask, "band"] = pd.NA
        changed.loc[mask, "delta"] = pd.NA
    for key, raw in (components or {}).items():
        if key not in keys:
            raise UsageError(f"không có thành phần '{key}' (có: {', '.join(keys)})")
        value = None if _missing(raw) else float(raw)
        if value is not None and not 0 <= value <= SCALE_MAX:
            raise UsageError(f"thành phần '{key}' phải nằm trong khoảng 0–{SCALE_MAX:g}, nhận được {raw}")
        edits[key] = value
        changed.loc[mask, key] = pd.NA if value is None else value
    rescored = scoring.score_records(changed, district=district) if edits else scored
    ranked = rank.rank_units(rescored)
    after = _unit_row(rescored, unit_code)
    new_rank, prev_rank = _rank_of_unit(ranked, unit_code)
    old_rank, _ = _rank_of_unit(rank.rank_units(scored), unit_code)
    comparison = comparison_with(rescored, others)
    findings = findings_mod.build_findings(ranked, scoring.total_row(rescored), district, pol,
                                        comparison)
    return WhatIf(
        unit_code=str(unit_code), unit_label=unit_label(after, district.name),
        score=_float(after["score"]), score_before=_float(before["score"]),
        band=None if _missing(after["band_computed"]) else str(after["band_computed"]),
        band_before=None if _missing(before["band_computed"]) else str(before["band_computed"]),
        next_band=None if _missing(after["next_band"]) else str(after["next_band"]),
        points_to_next_band=_float(after["points_to_next_band"]),
        rank=new_rank, rank_before=old_rank, prev_rank=prev_rank,
        rank_of=int(ranked["rank"].notna().sum()),
        scored=rescored, ranked=ranked, components=unit_components(rescored, unit_code),
        findings=findings, changed=edits,
    )


def _arrow(before: str, after: str) -> str:
    return after if before == after else f"{before} → <strong>{after}</strong>"


def what_if_html(result: WhatIf, decimal: str = ".") -> str:
    """The unit's new standing (score, band, rank; before → after), its components, and the district's
    findings with the change, as HTML (numbers in the district's decimal mark)."""
    def num(x) -> str:
        return vi_format.cell(x, decimal=decimal)

    rank = vi_format.label("explore", "rank", value=_arrow(_esc(result.rank_before or MISSING),
                                                           _esc(result.rank or MISSING)), of=result.rank_of)
    lines = [
        vi_format.label("explore", "score", value=_arrow(num(result.score_before), num(result.score))),
        vi_format.label("explore", "band", value=_arrow(_esc(result.band_before or MISSING), _esc(result.band or MISSING))),
        rank + (vi_format.label("explore", "prev_rank", rank=result.prev_rank) if result.prev_rank else ""),
    ]
    if result.next_band and result.points_to_next_band is not None:
        lines.append(vi_format.label("explore", "to_next_band", points=num(result.points_to_next_band),
                                     band=_esc(result.next_band)))
    summary = "".join(f"<li>{line}</li>" for line in lines)
    return (f"<h4>{_esc(result.unit_label)}</h4><ul>{summary}</ul>"
            + components_html(result.components, result.unit_label, decimal)
            + f"<h4>{_esc(vi_format.label('explore', 'findings_after'))}</h4>"
            + findings_html(result.findings, result.scored))


def findings_summary_html(findings, decimal: str = ".") -> str:
    """One line on what the thresholds select: notable drops and the weakest units per component."""
    weakest = [f"{_esc(c.label)}: {len(c.weakest)}" for c in findings.components if c.weakest]
    return ("<p>" + vi_format.label("explore", "drops", points=vi_format.cell(findings.notable_drop_points, decimal=decimal),
                                    n=len(findings.drops))
            + (vi_format.label("explore", "weakest", counts="; ".join(weakest)) if weakest else "")
            + "</p>")
