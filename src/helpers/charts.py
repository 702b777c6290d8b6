"""Charts of the weekly report, in one visual language.

Every chart uses the band palette of params/bands.yaml, the flag lines of the same file, the DejaVu
Sans font (it has every Vietnamese glyph) and Vietnamese titles and labels. Figures are built with
the object-oriented API (`matplotlib.figure.Figure`), never through pyplot: no backend and no global
figure state are involved, so the functions are safe in worker processes, threads and notebooks (a
notebook does not display a figure twice).

Each function returns a `Chart` (the figure and a one-line Vietnamese caption naming what is shown and
the period of the data), or None when there is nothing to draw.
"""

from __future__ import annotations

import base64
import html
import io
import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.dates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from helpers import params, periods, vi_format
from helpers.district_week import MEAN, district_score
from helpers.errors import ChisoError
from helpers.params import District
from helpers.periods import Period
from helpers.score import TOTAL_TYPE, band_of
from helpers.vi_format import band_palette

# Figures are drawn 12 cm wide with text of at least 9.5 pt: shown 360 px wide on a 390 px phone, the
# smallest text is still 10 px high (9.5 / 72 in × 360 px / 4.72 in); on A4 they fit the text width.
WIDTH_IN = 12 / 2.54
LABEL_PT = 9.5
DPI = 150
FONT = "DejaVu Sans"
# Neutral colours (not bands): text, reference lines, boxes, cells without a target.
INK = "#222222"
MUTED = "#6b6b6b"
NEUTRAL = "#bdbdbd"
NO_TARGET = "#eeeeee"

_RC = {
    **sns.axes_style("whitegrid"),
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.edgecolor": NEUTRAL,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    "legend.fontsize": 9.5,
    "grid.color": "#e6e6e6",
    "axes.unicode_minus": True,
    "svg.fonttype": "none",
}


@dataclass
class Chart:
    """A figure and its caption (one Vietnamese line: what it shows and the period of the data)."""

    figure: Figure
    caption: str

    def png(self, dpi: int = DPI) -> bytes:
        return figure_to_png(self.figure, dpi)

    def _repr_html_(self) -> str:  # a notebook cell ending with a Chart shows the embedded figure
        return chart_html(self)


# -- output -------------------------------------------------------------------------------------

def figure_to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes (white background, no timestamp, so equal figures give equal bytes).

    Every figure here is laid out by matplotlib's constrained layout, which already fits titles,
    labels and legends inside the figure; a "tight" bounding box would lay it out a second time
    (about 0.2 s per report) for the same content with a few pixels more margin."""
    buf = io.BytesIO()
    with mpl.rc_context(_RC):
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def chart_html(chart: Chart | None, dpi: int = DPI) -> str:
    """A `<figure>` with the PNG embedded as a data: URI and the escaped caption; '' for no chart."""
    if chart is None:
        return ""
    data = base64.b64encode(figure_to_png(chart.figure, dpi)).decode("ascii")
    caption = html.escape(chart.caption, quote=True)
    return (
        f'<figure class="chart"><img src="data:image/png;base64,{data}" alt="{caption}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


# -- palette and shared helpers -----------------------------------------------------------------

def _mix(colour: str, share: float) -> tuple[float, float, float]:
    """`share` of the colour over white (share 1 = the colour, 0 = white)."""
    r, g, b = to_rgb(colour)
    return (1 - share + share * r, 1 - share + share * g, 1 - share + share * b)


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(255 * c) for c in to_rgb(rgb)))


def _rising_colour() -> str:
    return params.policy().bands[0].color


def _falling_colour() -> str:
    return params.policy().bands[-1].color


def _flag_colour(value: float) -> str:
    """A flag line takes the colour of the band that starts at it, else a neutral ink."""
    for band in params.policy().bands:
        if math.isclose(band.min, value):
            return band.color
    return INK


def _district(district) -> tuple[str, str]:
    """(display name, decimal separator) for a District, a slug or a plain name."""
    if isinstance(district, District):
        return district.name, district.decimal
    text = str(district or "").strip()
    try:
        known = params.districts()
    except ChisoError:  # params unreadable: still draw with the name as given
        known = {}
    if text in known:
        return known[text].name, known[text].decimal
    for d in known.values():
        if d.name == text:
            return d.name, d.decimal
    return text, "."


def _district_obj(district) -> District | None:
    if isinstance(district, District):
        return district
    text = str(district or "").strip()
    try:
        known = params.districts()
    except ChisoError:
        return None
    return known.get(text) or next((d for d in known.values() if d.name == text), None)


STAR = "\u2605"  # marks the communes that must reach criterion 15.3


def _period_text(period) -> str:
    """'tuần 1 tháng 12/2023' for a Period, an as_of string or a label given as text."""
    if period is None:
        return ""
    if isinstance(period, Period):
        return period.short_label()
    text = str(period).strip()
    try:
        return periods.parse_as_of(text).short_label()
    except (ChisoError, ValueError):
        return text


def _as_period(value) -> Period | None:
    if isinstance(value, Period):
        return value
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        return periods.parse_as_of(str(value))
    except (ChisoError, ValueError):
        return None


def _floats(df: pd.DataFrame, column: str) -> pd.Series:
    """A column as float64 with NaN for missing; all-NaN when the column is absent."""
    if column not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype="float64")
    return pd.to_numeric(df[column], errors="coerce").astype("float64")


def _texts(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series("", index=df.index, dtype="object")
    return df[column].astype("object").where(df[column].notna(), "").astype(str)


def _is_total(df: pd.DataFrame) -> pd.Series:
    return _texts(df, "unit_type").str.strip().str.lower() == TOTAL_TYPE


def _units_only(df: pd.DataFrame | None) -> pd.DataFrame:
    if df is None or len(df) == 0:
        return pd.DataFrame(columns=["unit", "score"])
    return df[~_is_total(df)]


def _bands(df: pd.DataFrame) -> pd.Series:
    """The computed band of each row (band_computed, else from the score); None when unknown."""
    known = set(band_palette())
    given = _texts(df, "band_computed")
    scores = _floats(df, "score")
    return pd.Series(
        [g if g in known else band_of(s) for g, s in zip(given, scores)], index=df.index, dtype="object"
    )


def _unit_labels(df: pd.DataFrame, district_name: str = "") -> list[str]:
    """Unit names; a name that occurs twice (xã Mỹ An, thị trấn Mỹ An) or is also the district's name
    (thị trấn Chợ Mới) gets its type in front."""
    names = _texts(df, "unit")
    types = _texts(df, "unit_type")
    counts = names.value_counts()
    return [
        f"{t} {n}".strip() if counts.get(n, 0) > 1 or (district_name and n == district_name) else n
        for n, t in zip(names, types)
    ]


_TYPE_ORDER = ["xã", "phường", "thị trấn"]


def _types_phrase(df: pd.DataFrame) -> str:
    """'xã, thị trấn' (the unit types present), or 'đơn vị cấp xã' when unknown."""
    present = {t.strip() for t in _texts(df, "unit_type") if t.strip()}
    ordered = [t for t in _TYPE_ORDER if t in present]
    return ", ".join(ordered) if ordered else _say("commune_units")


# The lowest band is hatched as well as coloured, so that it stands out in black-and-white print.
LOWEST_HATCH = "xxx"


def _band_handles(include_missing: bool = False) -> list:
    lowest = params.policy().bands[-1].name
    handles = [Patch(facecolor=c, edgecolor="white", hatch=LOWEST_HATCH if n == lowest else None, label=n)
               for n, c in band_palette().items()]
    if include_missing:
        handles.append(Patch(facecolor=NEUTRAL, edgecolor="none", label=_say("missing")))
    return handles


def _flag_lines(ax, orientation: str = "v") -> list:
    handles = []
    for value in params.policy().flag_lines:
        colour = _flag_colour(value)
        style = {"color": colour, "linestyle": "--", "linewidth": 1.3, "zorder": 4}
        (ax.axvline if orientation == "v" else ax.axhline)(value, **style)
        handles.append(Line2D([], [], **style, label=_say("threshold", value=vi_format.number(value, trim=True))))
    return handles


_LABEL_BOX = {"boxstyle": "square,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 1.0}


def _wrap(text: str, width: int = 18) -> str:
    """At most two balanced lines when the text is longer than `width` characters."""
    if len(text) <= width:
        return text
    for w in range(math.ceil(len(text) / 2), len(text) + 1):
        lines = textwrap.wrap(text, w)
        if len(lines) <= 2:
            return "\n".join(lines)
    return text


def _wrap_lines(text: str, width: int = 38) -> str:
    """Lines of at most `width` characters (titles and headers stay inside a 12 cm figure)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _new_figure(height_in: float) -> tuple[Figure, object]:
    fig = Figure(figsize=(WIDTH_IN, max(2.0, height_in)), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    return fig, ax


def _legend_below(fig: Figure, handles: list, ncol: int | None = None) -> None:
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=ncol or min(len(handles), 4),
                   frameon=False, handlelength=1.6, columnspacing=1.2)


def _district_groups(comparison: pd.DataFrame) -> tuple[list[tuple[str, str, str]], str]:
    """(key, district name, period text) per district, in params order then order of appearance."""
    key_col = "district_slug" if "district_slug" in comparison.columns else "district"
    keys = list(dict.fromkeys(k for k in _texts(comparison, key_col) if k))
    try:
        order = {slug: i for i, slug in enumerate(params.districts())}
    except (ChisoError, ValueError):
        order = {}
    seen = {k: i for i, k in enumerate(keys)}
    keys.sort(key=lambda k: (order.get(k, len(order)), seen[k]))
    groups = []
    for key in keys:
        rows = comparison[_texts(comparison, key_col) == key]
        name = next((n for n in _texts(rows, "district") if n), key)
        period = ""
        for as_of in _texts(rows, "as_of"):
            p = _as_period(as_of)
            if p is not None:
                period = p.short_label()
                break
        if not period:
            period = next((_period_text(t) for t in _texts(rows, "period_label") if t), "")
        groups.append((key, name, period))
    return groups, key_col


def _say(key: str, **values) -> str:
    """A label of the charts (params/wording/labels.yaml, `charts`)."""
    return vi_format.label("charts", key, **values)


def _count_word(n: int) -> str:
    words = vi_format.phrases().get("count_words") or []  # params/wording/phrases.yaml: 0, 1, 2, ... in words
    return str(words[n]) if 0 <= n < len(words) else str(n)


def _group_list(groups: Iterable[tuple[str, str, str]]) -> str:
    return ", ".join(f"{name} ({period})" if period else name for _, name, period in groups)


# -- 1. units ranked by score -------------------------------------------------------------------

def units_by_score(ranked: pd.DataFrame, district, period) -> Chart | None:
    """Horizontal bars of the units by score (ranked order), coloured by band, with the flag lines."""
    units = _units_only(ranked)
    scores = _floats(units, "score")
    units = units[scores.notna()]
    if units.empty:
        return None
    if "rank" not in units.columns:
        units = units.assign(_s=_floats(units, "score")).sort_values("_s", ascending=False, kind="stable")
    name, decimal = _district(district)
    period_text = _period_text(period)
    scores = _floats(units, "score").to_numpy()
    bands = _bands(units)
    palette = band_palette()
    colours = [palette.get(b, NEUTRAL) for b in bands]
    ranks = _floats(units, "rank")
    d = _district_obj(district)
    must = set(d.units_15_3) if d else set()
    stars = [n in must and t == "xã" for n, t in zip(_texts(units, "unit"), _texts(units, "unit_type"))]
    labels = [
        (f"{int(r)}. {label}" if not math.isnan(r) else label) + (f" {STAR}" if star else "")
        for r, label, star in zip(ranks, _unit_labels(units, name), stars)
    ]
    total = _floats(ranked[_is_total(ranked)], "score").dropna() if len(ranked) else pd.Series(dtype=float)
    missing = int(_floats(_units_only(ranked), "score").isna().sum())

    n = len(units)
    with mpl.rc_context(_RC):
        fig, ax = _new_figure(0.21 * n + 1.5)
        y = np.arange(n)
        bars = ax.barh(y, scores, color=colours, height=0.72, edgecolor="white", linewidth=0.5, zorder=3)
        lowest = params.policy().bands[-1].name
        for bar, band in zip(bars, bands):
            if band == lowest:
                bar.set_hatch(LOWEST_HATCH)
        for yi, s, band in zip(y, scores, bands):
            label = vi_format.number(s, decimal) + (f" ({band})" if band == lowest else "")
            ax.text(s + 0.8, yi, label, va="center", ha="left", fontsize=LABEL_PT, color=INK, zorder=5,
                    bbox=_LABEL_BOX)
        handles = _flag_lines(ax, "v")
        if len(total):
            t = float(total.iloc[0])
            style = {"color": INK, "linestyle": ":", "linewidth": 1.3, "zorder": 4}
            ax.axvline(t, **style)
            handles.append(Line2D([], [], **style, label=_say("district_total_line", value=vi_format.number(t, decimal))))
        ax.set_yticks(y, labels)
        ax.set_ylim(n - 0.4, -0.6)
        ax.set_xlim(0, 106)
        ax.set_xticks(range(0, 101, 10))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(_say("score_axis"))
        ax.set_title(_wrap_lines(_say("units_title", types=_types_phrase(units), district=name)), loc="left")
        if any(stars):
            handles.append(Patch(facecolor="none", edgecolor="none",
                                 label=_say("must_reach_15_3", star=STAR,
                                                 value=vi_format.number(params.policy().min_score_15_3, trim=True))))
        _legend_below(fig, _band_handles() + handles, ncol=3)
    caption = (
        _say("units_caption", n=n, types=_types_phrase(units), district=name)
        + (_say("without_score", n=missing) if missing else "")
        + (_say("data_of", period=period_text) if period_text else ".")
    )
    return Chart(fig, caption)


# -- 2. districts compared ----------------------------------------------------------------------

def districts_compared(standings: list, scored_by: dict, district) -> Chart | None:
    """The districts compared, one row each in params order, each with its own data period: every commune
    as a tick, the lowest and highest labelled, and the district's official score (a white diamond,
    labelled) when its document gives one. No rank is drawn: the rows keep the order of params and the
    period of each row is under its name, so districts with data of different periods are shown side by
    side and never ordered against each other. Readable in grey (shapes and labels, not colour)."""
    rows = [s for s in standings if s.units or s.official is not None]
    if len(rows) < 2:
        return None
    _, decimal = _district(district)
    n = len(rows)
    with mpl.rc_context(_RC):
        fig, ax = _new_figure(0.95 * n + 1.6)
        lows = []
        for i, st in enumerate(rows):
            values = _floats(_units_only(scored_by.get(st.slug)), "score").dropna().to_numpy()
            if len(values):
                lows.append(values.min())
                ax.hlines(i, values.min(), values.max(), color=NEUTRAL, linewidth=5, zorder=2)
                ax.scatter(values, np.full(len(values), i), marker="|", s=140, color=INK, linewidths=1.2, zorder=3)
                ax.annotate(vi_format.number(values.min(), decimal), (values.min(), i), textcoords="offset points",
                            xytext=(-5, 0), ha="right", va="center", fontsize=LABEL_PT, color=INK)
                ax.annotate(vi_format.number(values.max(), decimal), (values.max(), i), textcoords="offset points",
                            xytext=(5, 0), ha="left", va="center", fontsize=LABEL_PT, color=INK)
            if st.official is not None:
                lows.append(st.official)
                ax.scatter([st.official], [i], marker="D", s=60, color="white", edgecolors=INK, linewidths=1.6,
                           zorder=5)
                ax.annotate(_say("compared_official", value=vi_format.number(st.official, decimal)), (st.official, i),
                            textcoords="offset points", xytext=(0, -13), ha="center", va="top", fontsize=LABEL_PT,
                            fontweight="bold", color=INK)
        lines = [b.min for b in params.policy().bands if 0 < b.min <= 100]
        for line in lines:
            ax.axvline(line, color=MUTED, linestyle="--", linewidth=0.9, zorder=1)
        low = min(lows) if lows else 50
        ax.set_xlim(max(0, math.floor((low - 8) / 10) * 10), 100)
        ax.set_ylim(n - 0.4, -0.6)
        ax.set_yticks(range(n), [f"{st.name}\n({st.period.short_label()})" for st in rows])
        ax.set_xticks(range(int(ax.get_xlim()[0]), 101, 10))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(_say("score_axis"))
        ax.set_title(_wrap_lines(_say("compared_title")), loc="left")
        handles = [Line2D([], [], marker="|", linestyle="none", color=INK, markersize=10, label=_say("compared_unit")),
                   Line2D([], [], marker="D", linestyle="none", markerfacecolor="white", markeredgecolor=INK,
                          label=_say("compared_district")),
                   Line2D([], [], color=MUTED, linestyle="--", linewidth=0.9,
                          label=_say("compared_lines", values=", ".join(vi_format.number(x, trim=True) for x in lines)))]
        _legend_below(fig, handles, ncol=2)
    groups = _group_list((st.slug, st.name, st.period.short_label()) for st in rows)
    mixed = len({st.period.as_of for st in rows}) > 1
    caption = _say("compared_caption_mixed" if mixed else "compared_caption", groups=groups)
    return Chart(fig, caption)


# -- 4. weekly change ---------------------------------------------------------------------------

def weekly_change(ranked: pd.DataFrame, district, period) -> Chart | None:
    """Diverging bars of each unit's change since the previous week; None without previous scores."""
    units = _units_only(ranked)
    if units.empty:
        return None
    score, prev = _floats(units, "score"), _floats(units, "prev_score")
    change = _floats(units, "delta_computed").round(2)
    change = change.where(change.notna(), (score - prev).round(2))
    valid = change.notna() & prev.notna()
    if not valid.any():
        return None
    name, decimal = _district(district)
    p = _as_period(period)
    labels = pd.Series(_unit_labels(units, name), index=units.index)
    frame = pd.DataFrame({"label": labels[valid], "change": change[valid]})
    frame = frame.sort_values(["change", "label"], ascending=[False, True], kind="stable")
    missing = int((~valid).sum())
    drop = params.policy().notable_drop_points
    rising, falling = _rising_colour(), _falling_colour()
    colours = [rising if c > 0 else falling if c < 0 else NEUTRAL for c in frame["change"]]
    since = _say("last_week") if p is None or p.kind == "week" else _say("last_period")

    n = len(frame)
    with mpl.rc_context(_RC):
        fig, ax = _new_figure(0.21 * n + 1.4)
        y = np.arange(n)
        values = frame["change"].to_numpy()
        ax.barh(y, values, color=colours, height=0.7, zorder=3)
        reach = max(1.0, float(np.nanmax(np.abs(values))))
        pad = reach * 0.03
        for yi, v in zip(y, values):
            ax.text(v + (pad if v >= 0 else -pad), yi, vi_format.number(v, decimal, sign=True), va="center",
                    ha="left" if v >= 0 else "right", fontsize=LABEL_PT, zorder=5,
                    fontweight="bold" if v <= -drop else "normal")
        ax.axvline(0, color=INK, linewidth=0.9, zorder=4)
        ax.set_xlim(-reach * 1.3, reach * 1.3)
        ax.set_yticks(y, frame["label"].tolist())
        ax.set_ylim(n - 0.4, -0.6)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(_say("change_axis", since=since))
        ax.set_title(_wrap_lines(_say("change_title", since=since, district=name)), loc="left")
        handles = [Patch(facecolor=rising, label=_say("rising")), Patch(facecolor=falling, label=_say("falling")),
                   Patch(facecolor=NEUTRAL, label=_say("unchanged"))]
        _legend_below(fig, handles, ncol=3)
    if p is not None and p.kind == "week":
        when = _say("compared_with", period=p.short_label(), previous=p.previous_week().short_label())
    else:
        text = _period_text(period)
        when = _say("compared_with", period=text, previous=_say("last_period")) if text else ""
    caption = (
        _say("change_caption", n=n, types=_types_phrase(units), district=name)
        + (f": {when}" if when else "")
        + (_say("without_score_since", n=missing, since=since) if missing else "")
        + "."
    )
    return Chart(fig, caption)


# -- 5. components against targets --------------------------------------------------------------

def components_vs_targets(ranked: pd.DataFrame, district, period) -> Chart | None:
    """Grid of component percentages per unit, cells coloured by reaching the target in params."""
    if ranked is None or len(ranked) == 0:
        return None
    comps = [c for c in params.policy().components if _floats(ranked, c.key).notna().any()]
    if not comps:
        return None
    units = _units_only(ranked)
    total = ranked[_is_total(ranked)]
    rows = pd.concat([units, total.iloc[:1]]) if len(total) else units
    if rows.empty:
        return None
    name, decimal = _district(district)
    labels = _unit_labels(units, name) + ([_say("district_total")] if len(total) else [])
    period_text = _period_text(period)
    met_colour = _hex(_mix(_rising_colour(), 0.45))
    missed = _falling_colour()

    values = np.column_stack([_floats(rows, c.key).to_numpy() for c in comps])
    n_rows, n_cols = values.shape
    colours = np.ones((n_rows, n_cols, 3))
    for j, comp in enumerate(comps):
        for i in range(n_rows):
            v = values[i, j]
            if math.isnan(v):
                colours[i, j] = (1, 1, 1)
            elif comp.target is None:
                colours[i, j] = to_rgb(NO_TARGET)
            elif v >= comp.target:
                colours[i, j] = to_rgb(met_colour)
            else:
                gap = min(1.0, (comp.target - v) / comp.target) if comp.target else 1.0
                colours[i, j] = _mix(missed, 0.2 + 0.75 * gap)
    headers = []
    for comp in comps:
        target = _say("target", value=vi_format.number(comp.target, decimal, trim=True)) if comp.target is not None \
            else _say("no_target")
        headers.append(_wrap_lines(comp.label, 9) + "\n" + target)  # (a wider line would touch its neighbour's)

    with mpl.rc_context(_RC):
        fig, ax = _new_figure(0.23 * n_rows + 1.9)
        ax.imshow(colours, aspect="auto", interpolation="nearest")
        for i in range(n_rows):
            for j in range(n_cols):
                v = values[i, j]
                text = "–" if math.isnan(v) else vi_format.number(v, decimal, trim=True)  # as printed: 99.98 is not 100
                ax.text(j, i, text, ha="center", va="center", fontsize=LABEL_PT,
                        color=MUTED if math.isnan(v) else vi_format.text_color(_hex(colours[i, j]), dark=INK),
                        fontweight="bold" if (len(total) and i == n_rows - 1) else "normal")
        ax.set_xticks(range(n_cols), headers, fontsize=LABEL_PT)
        ax.xaxis.tick_top()
        ax.set_yticks(range(n_rows), labels)
        if len(total):
            ax.get_yticklabels()[-1].set_fontweight("bold")
            ax.axhline(n_rows - 1.5, color=INK, linewidth=1.0)
        ax.set_xticks(np.arange(-0.5, n_cols), minor=True)
        ax.set_yticks(np.arange(-0.5, n_rows), minor=True)
        ax.grid(False)
        ax.grid(which="minor", color="white", linewidth=1.2)
        ax.tick_params(which="both", length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(_wrap_lines(_say("components_title", district=name)), loc="left")
        handles = [
            Patch(facecolor=met_colour, label=_say("met")),
            Patch(facecolor=_hex(_mix(missed, 0.9)), label=_say("missed")),
            Patch(facecolor=NO_TARGET, edgecolor=NEUTRAL, linewidth=0.5, label=_say("no_target_legend")),
        ]
        _legend_below(fig, handles, ncol=1)
    caption = (
        _say("components_caption", count=_count_word(len(comps)), n=len(units), types=_types_phrase(units),
             district=name) + (_say("data_of", period=period_text) if period_text else ".")
    )
    return Chart(fig, caption)


# -- 6. score history ---------------------------------------------------------------------------

def _history_points(history: pd.DataFrame, district) -> pd.DataFrame:
    """One row per period: date, period, label, score, and whether the score is the mean of the units
    (a period whose document gives no district score)."""
    df = history.copy()
    name, _ = _district(district)
    slug = district.slug if isinstance(district, District) else str(district or "")
    if "district_slug" in df.columns and (df["district_slug"] == slug).any():
        df = df[df["district_slug"] == slug]
    elif "district" in df.columns and (df["district"] == name).any():
        df = df[df["district"] == name]
    df = df[_texts(df, "as_of").str.strip() != ""]
    label_col = next((c for c in ("period_label", "period", "label") if c in df.columns), None)
    if "unit_type" in df.columns:
        rows = []
        for as_of, grp in df.groupby(_texts(df, "as_of"), sort=False):
            s = district_score(grp.assign(score=_floats(grp, "score")))  # (the one rule: total, else mean)
            score, mean = (math.nan if s.value is None else s.value), s.basis == MEAN
            label = next((t for t in _texts(grp, label_col) if t), "") if label_col else ""
            rows.append({"as_of": as_of, "label": label, "score": score, "mean": mean})
        df = pd.DataFrame(rows, columns=["as_of", "label", "score", "mean"])
    else:
        kind = next((c for c in ("source_kind", "basis") if c in df.columns), None)
        df = pd.DataFrame({
            "as_of": _texts(df, "as_of").to_numpy(),
            "label": _texts(df, label_col).to_numpy() if label_col else "",
            "score": _floats(df, "score").to_numpy(),
            "mean": _texts(df, kind).str.contains("mean|trung bình").to_numpy() if kind else False,
        })
    points = []
    for as_of, label, score, mean in zip(df["as_of"], df["label"], df["score"], df["mean"]):
        p = _as_period(as_of)
        if p is None or pd.isna(score):
            continue
        points.append({"date": p.start, "period": p, "label": p.short_label() or label, "score": float(score),
                       "mean": bool(mean)})
    out = pd.DataFrame(points, columns=["date", "period", "label", "score", "mean"])
    return out.drop_duplicates("date", keep="last").sort_values("date", kind="stable").reset_index(drop=True)


def _tick_label(period: Period) -> str:
    """A short two-line tick: 'tuần 1\n12/2023' or 'tháng\n9/2023'."""
    when = f"{period.start.month}/{period.start.year}"
    if period.kind == "week":
        return _say("week_tick", week=period.week_of_month, when=when)
    return _say("month_tick", when=when)


def score_history(history: pd.DataFrame, district) -> Chart | None:
    """The district's score over the periods in the store, on the band background; None with fewer
    than two periods (one point is no history: the report states the score already)."""
    if history is None or len(history) == 0:
        return None
    points = _history_points(history, district)
    if len(points) < 2:
        return None
    name, decimal = _district(district)
    subject = _say("history_mean" if points["mean"].all() else "history_total", district=name)
    bands = params.policy().bands
    palette = band_palette()
    lowest = float(points["score"].min())
    ymin = max(0, math.floor((lowest - 8) / 10) * 10)
    x = [pd.Timestamp(d) for d in points["date"]]
    with mpl.rc_context(_RC):
        fig, ax = _new_figure(3.3)
        upper = 100.0
        for band in bands:
            if upper > ymin:
                ax.axhspan(max(band.min, ymin), upper, color=band.color, alpha=0.13, zorder=0, linewidth=0)
            upper = band.min
        handles = _flag_lines(ax, "h")
        ax.plot(x, points["score"], color=INK, linewidth=1.6, zorder=3)
        ax.scatter(x, points["score"], s=36, zorder=4, edgecolors="white", linewidths=0.8,
                   c=[palette.get(band_of(s), NEUTRAL) for s in points["score"]])
        if len(points) <= 12:
            for xi, s in zip(x, points["score"]):
                ax.annotate(vi_format.number(s, decimal), (xi, s), textcoords="offset points", xytext=(0, 7),
                            ha="center", fontsize=LABEL_PT, zorder=5)
        if len(points) <= 12:
            ax.set_xticks(x, [_tick_label(p) for p in points["period"]])
        else:
            locator = mpl.dates.AutoDateLocator(maxticks=10)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mpl.dates.DateFormatter("%d/%m/%Y"))
        ax.set_ylim(ymin, 100)
        ax.set_ylabel(_say("score_axis"))
        ax.grid(axis="x", visible=False)
        ax.set_title(_wrap_lines(_say("history_title", subject=subject)), loc="left")
        _legend_below(fig, _band_handles() + handles, ncol=3)
    first, last = points["label"].iloc[0], points["label"].iloc[-1]
    caption = _say("history_caption", subject=subject, n=len(points), first=first, last=last)
    if points["mean"].any() and not points["mean"].all():
        means = vi_format.join(list(points.loc[points["mean"], "label"]))
        caption += _say("history_means", periods=means)
    return Chart(fig, caption)


__all__ = [
    "Chart", "band_of", "band_palette", "chart_html", "components_vs_targets",
    "districts_compared", "figure_to_png", "score_history", "units_by_score",
    "weekly_change",
]
