"""The "đề nghị" section: who is asked to do what, written from the findings.

A pure function: `proposals(findings, watched, offices, say)` takes the report's findings
(helpers.findings.Findings), the new findings of helpers.watch (`Watched`), the district's offices
(params/documents.yaml) and `say(key, **values) -> str`, which renders the sentence `key` of
params/wording/document.yaml ("proposals.lowest_band", ...). One line per kind of finding:

- general: heads of agencies and communes review the index's criteria (always);
- lowest band ("Yếu"): the units, with the weeks in a row, asked to act with the support office;
- a notable drop: each unit asked to find and fix the criteria that lost points;
- units just under a band line: asked to improve their low indicators;
- a component below its target: the weakest units named with the support office, or everyone when all
  are far below; an office named for that component (online payment of land fees) gets its own line;
- the district's agencies below every commune on a component: the district-level agencies;
- a criterion 15.3 commune short of the score: the weekly gain it needs by the deadline;
- standing tasks of the one-stop desk, the office that publishes results and, when the data has
  electronic certifications, the office that follows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from helpers.document import Block


@dataclass(frozen=True)
class Watched:
    """The helpers.watch results a report uses."""

    near: list = field(default_factory=list)
    streaks: list = field(default_factory=list)
    moves: list = field(default_factory=list)
    agencies: list = field(default_factory=list)
    gains: list = field(default_factory=list)
    best_below: object = None
    near_within: float = 2.0
    has_certifications: bool = False


def _units_label(units) -> str:
    from helpers.findings import unit_label

    return unit_label(list(units))


def proposals(findings, watched: Watched, offices: dict, say: Callable[..., str], since: str) -> list[Block]:
    """The lines of the "đề nghị" section, in the officers' order (see the module docstring)."""
    o = {k: v for k, v in offices.items()}
    specific: list[str] = []
    streak_weeks = {s.unit.code: s.weeks for s in watched.streaks}
    if findings.lowest_band_units:
        weeks = max((streak_weeks.get(u.unit.code, 1) for u in findings.lowest_band_units), default=1)
        specific.append(say("proposals.lowest_band", units=_units_label(u.unit for u in findings.lowest_band_units),
                            band=findings.lowest_band, weeks=weeks, o=o))
    for c in findings.drops:
        specific.append(say("proposals.drop", u=c.unit, delta=abs(c.delta), since=since, o=o))
    climbing = [n.unit for n in watched.near if n.below]
    lowest = {u.unit.code for u in findings.lowest_band_units}
    climbing = [u for u in climbing if u.code not in lowest]
    if climbing:
        specific.append(say("proposals.near_below", units=_units_label(climbing), within=watched.near_within, o=o))
    weak_labels = []
    for comp in findings.components:
        if comp.all_met:
            continue
        weak_labels.append(comp.label)
        if comp.far_below_everywhere:
            specific.append(say("proposals.component_far", label=comp.label, target=comp.target, o=o))
        else:
            specific.append(say("proposals.component_weakest", label=comp.label, target=comp.target,
                                units=_units_label(v.unit for v in comp.weakest), o=o))
        extra = say(f"proposals.component_extra.{comp.key}", o=o, optional=True)
        if extra:
            specific.append(extra)
    for gap in watched.agencies:
        specific.append(say("proposals.agency", label=gap.label, value=gap.district_value, o=o))
    for g in watched.gains:
        specific.append(say("proposals.gain_15_3", u=g.unit, deadline=g.deadline, target=g.target,
                            per_week=g.per_week, o=o))
    lines = [say("proposals.general", specific=bool(specific), o=o), *specific]
    if o.get("one_stop") and weak_labels:
        lines.append(say("proposals.one_stop", weak=weak_labels, o=o))
    if o.get("publish"):
        lines.append(say("proposals.publish", o=o))
    if o.get("certification") and watched.has_certifications:
        lines.append(say("proposals.certification", o=o))
    return [Block(text, "item") for text in lines if text.strip()]


__all__ = ["Watched", "proposals"]
