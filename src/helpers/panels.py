"""The widget panels of the notebooks (ipywidgets): each only creates its widgets, observes their values
and writes into its `view` the HTML of the pure helpers of helpers.explore. Notebooks call the
builders inside `if run.interactive:` so batch runs stay static."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import pandas as pd

from helpers import district_week, params, vi_format
from helpers import score as scoring
from helpers.district_week import DistrictWeek
from helpers.errors import UsageError
from helpers.explore import (
    SCALE_MAX,
    STEP,
    _esc,
    _float,
    _unit_row,
    asked_week,
    comparison_with,
    district_options,
    findings_html,
    findings_summary_html,
    findings_with,
    ranking_html,
    threshold_bounds,
    unit_html,
    unit_options,
    week_options,
    what_if,
    what_if_html,
)

# Laid out for JupyterLab's default width (a notebook beside the file browser on a laptop screen): one
# row per input, its label in a column of fixed width (wrapped, never cut) and the input beside it,
# wide enough for its value. Numbers are typed in text boxes: a number box would change its value under
# the mouse wheel while the page scrolls.
LABEL_WIDTH = "21em"
INPUT_WIDTH = "7em"  # "100.00" with room to spare
CHOICE_WIDTH = "22em"  # a unit's or a week's name


class Panel(widgets.VBox):
    """A panel to display: a title, one row per control (label and widget), optional buttons and the
    HTML `view` the helpers fill. `controls` names every input widget (tests set their values);
    `labels` gives their labels; `refresh()` redraws."""

    def __init__(self, title: str, controls: dict, view: widgets.HTML, refresh: Callable[[], None],
                 buttons: tuple = (), labels: Mapping[str, str] | None = None):
        header = widgets.HTML(f"<h3>{_esc(title)}</h3>")
        labels = labels or {}
        rows = [_row(labels[name], box) if name in labels else box for name, box in controls.items()]
        tail = [widgets.HBox(list(buttons))] if buttons else []
        super().__init__([header, *rows, *tail, view])
        self.controls = dict(controls)
        self.view = view
        self.refresh = refresh
        refresh()


def _row(label: str, box: widgets.Widget) -> widgets.HBox:
    text = widgets.HTML(f"<span>{_esc(label)}</span>", layout=widgets.Layout(width=LABEL_WIDTH, flex="0 0 auto"))
    text.add_class("chiso-label")
    return widgets.HBox([text, box], layout=widgets.Layout(align_items="center"))


def _choice(options, value) -> widgets.Dropdown:
    return widgets.Dropdown(options=options, value=value, layout=widgets.Layout(width=CHOICE_WIDTH))


def _button(text: str) -> widgets.Button:
    """A button as wide as its label (ipywidgets' default width cuts a long one)."""
    return widgets.Button(description=text, icon="undo", layout=widgets.Layout(width="auto"))


def number_text(value: float | None, decimal: str = ".") -> str:
    """A value for a number box: at most two decimals, without trailing zeros, the district's decimal
    mark ('49.18', '70,19', '100'); '' when missing."""
    if value is None:
        return ""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def parse_number(text: str, label: str) -> float:
    """A number typed into a box, with a decimal point or comma ('49.18', '49,18'), within 0–100."""
    cleaned = text.strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise UsageError(f"“{text}” ở ô {label} không phải là số: hãy nhập một số từ 0 đến "
                         f"{SCALE_MAX:g}, ví dụ 72.5") from None
    if not math.isfinite(value) or not 0 <= value <= SCALE_MAX:
        raise UsageError(f"{label} phải nằm trong khoảng 0–{SCALE_MAX:g}, nhận được {text}")
    return value


def _records(records: pd.DataFrame | None) -> pd.DataFrame:
    if records is not None:
        return records
    from helpers.store import Store

    return Store().records()


def _guarded(view, render: Callable[[], str]) -> Callable[[], None]:
    """A refresh function that shows a Vietnamese error in the view instead of raising in a callback."""
    from helpers.errors import ChisoError

    def refresh() -> None:
        try:
            view.value = render()
        except ChisoError as exc:
            view.value = f'<p class="error">{vi_format.label("panels", "error", error=_esc(exc))}</p>'
        except Exception as exc:  # noqa: BLE001 - a callback's error would otherwise reach only Lab's log
            text = vi_format.label("panels", "unexpected", kind=_esc(type(exc).__name__), error=_esc(exc))
            view.value = f'<p class="error">{text}</p>'

    return refresh


def build_ranking_panel(run, records: pd.DataFrame | None = None) -> Panel:
    """03: choose a district and a week and see the district's ranking for it."""
    records = _records(records)
    asked = asked_week(records, run.asked or "")
    district = _choice(district_options(), run.district.slug)
    week = _choice(week_options(records, asked), asked.iso_week)
    view = widgets.HTML()
    refresh = _guarded(view, lambda: ranking_html(records, district.value, week.value))
    words = vi_format.labels("panels")
    panel = Panel(words["ranking_title"], {"district": district, "week": week}, view, refresh,
                  labels={"district": words["district"], "week": words["week"]})
    district.observe(lambda _: refresh(), names="value")
    week.observe(lambda _: refresh(), names="value")
    return panel


def _week_of(run, records: pd.DataFrame | None) -> DistrictWeek:
    """The run's district-week: the store's (run.district_week) or, for `records` given, built from them."""
    if records is None:
        week = district_week.load(run.district, run.week)
    else:
        week = district_week.from_records(run.district, asked_week(records, run.asked or ""), records)
    if not week.has_data:
        raise UsageError(f"huyện {run.district.name} chưa có số liệu nào đến tuần {week.asked.iso_week}")
    return week


def build_unit_panel(run, records: pd.DataFrame | None = None) -> Panel:
    """02: pick a unit and see its history across the store's periods and its components vs targets."""
    scored = _week_of(run, records).scored
    records = _records(records)
    options = unit_options(scored)
    unit = _choice(options, options[0][1])
    view = widgets.HTML()
    refresh = _guarded(view, lambda: unit_html(records, scored, unit.value))
    words = vi_format.labels("panels")
    panel = Panel(words["unit_title"], {"unit": unit}, view, refresh, labels={"unit": words["unit"]})
    unit.observe(lambda _: refresh(), names="value")
    return panel


def build_what_if_panel(run, records: pd.DataFrame | None = None) -> Panel:
    """04: change a unit's score or components and see its band, its rank and the district's findings.
    The unit first shown is the lowest ranked one; inputs start at the reported figures. A component
    the district never reports has no input; one a unit lacks shows 0 and counts as unchanged until
    it is edited."""
    week = _week_of(run, records)
    scored, others = week.scored, week.compared
    pol = params.policy()
    ranked = week.ranked
    with_rank = ranked[ranked["rank"].notna() & ranked["unit_code"].notna()]
    options = unit_options(scored, with_total=False)
    first = str(with_rank.iloc[-1]["unit_code"]) if len(with_rank) else options[0][1]
    unit = _choice(options, first)
    words = vi_format.labels("panels")
    decimal = run.district.decimal
    labels = {"unit": words["unit"], "score": words["score"]}
    for comp in pol.components:  # only what the district reports: no input for a figure it never gives
        if comp.key in scored.columns and scored[comp.key].notna().any():
            target = ("" if comp.target is None
                      else words["component_target"].format(target=vi_format.percent(comp.target, decimal)))
            labels[comp.key] = words["component"].format(label=comp.label, target=target)
    inputs = {key: widgets.Text(continuous_update=False, layout=widgets.Layout(width=INPUT_WIDTH))
              for key in labels if key != "unit"}
    reset = _button(words["restore_reported"])
    view = widgets.HTML()
    loading = [False]

    def reported() -> dict[str, float]:
        row = _unit_row(scored, unit.value)
        return {k: _float(row[k]) or 0.0 for k in inputs}

    def render() -> str:
        base = reported()
        typed = {k: parse_number(box.value, labels[k]) for k, box in inputs.items()}
        edits = {k: v for k, v in typed.items() if abs(v - base[k]) > STEP / 2}
        new_score = edits.pop("score", None)
        return what_if_html(what_if(scored, unit.value, new_score, edits, district=run.district,
                                    others=others, policy=pol), decimal)

    show = _guarded(view, render)

    def load(_=None) -> None:
        loading[0] = True
        try:
            for key, value in reported().items():
                inputs[key].value = number_text(value, decimal)
        finally:
            loading[0] = False
        show()

    def edited(_) -> None:
        if not loading[0]:
            show()

    panel = Panel(words["what_if_title"], {"unit": unit, **inputs}, view, load, buttons=(reset,),
                  labels=labels)
    panel.controls["reset"] = reset
    unit.observe(load, names="value")
    for box in inputs.values():
        box.observe(edited, names="value")
    reset.on_click(load)
    return panel


def build_findings_panel(run, records: pd.DataFrame | None = None) -> Panel:
    """04: sliders for the notable-drop threshold and the weakest-N count; the findings follow."""
    week = _week_of(run, records)
    scored = week.scored
    comparison = comparison_with(scored, week.compared)
    pol = params.policy()
    low, high = threshold_bounds(scored, pol)
    n_units = len(scoring.units_only(scored))
    wide = widgets.Layout(width=CHOICE_WIDTH)
    drop = widgets.FloatSlider(value=pol.notable_drop_points, min=low, max=high, step=STEP,
                               readout_format=".2f", continuous_update=False, layout=wide)
    weakest = widgets.IntSlider(value=pol.weakest_n, min=1, max=max(n_units, pol.weakest_n),
                                continuous_update=False, layout=wide)
    words = vi_format.labels("panels")
    reset = _button(words["restore_default"])
    view = widgets.HTML()

    def render() -> str:
        found = findings_with(scored, run.district, drop.value, weakest.value, comparison, pol)
        return findings_summary_html(found, run.district.decimal) + findings_html(found, scored, run.district)

    refresh = _guarded(view, render)

    def restore(_=None) -> None:
        drop.value, weakest.value = pol.notable_drop_points, pol.weakest_n

    panel = Panel(words["findings_title"], {"drop_threshold": drop, "weakest_n": weakest}, view, refresh,
                  buttons=(reset,), labels={"drop_threshold": words["drop_threshold"], "weakest_n": words["weakest_n"]})
    panel.controls["reset"] = reset
    drop.observe(lambda _: refresh(), names="value")
    weakest.observe(lambda _: refresh(), names="value")
    reset.on_click(restore)
    return panel
