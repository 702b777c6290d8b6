"""Display helpers for the score and rank notebooks: pandas Stylers with Vietnamese headers.

The band cell takes the band's colour of params/bands.yaml (the one palette charts use too) with a
text colour chosen for contrast. Numbers show two decimals, missing values "—", and every text value
is HTML-escaped (unit names come from input files).
"""

from __future__ import annotations

import html
from functools import partial

import pandas as pd
from pandas.io.formats.style import Styler

from helpers import params, vi_format
from helpers.vi_format import MINUS, MISSING, band_palette, text_color


def band_css(value) -> str:
    """CSS for a band cell: the band's colour and a readable text colour; '' for unknown/missing."""
    if value is None or pd.isna(value):
        return ""
    color = band_palette().get(str(value))
    if color is None:
        return ""
    return f"background-color: {color}; color: {text_color(color)};"


def _signed_int(value) -> str:
    if value is None or pd.isna(value):
        return MISSING
    return f"{int(value):+d}".replace("-", MINUS) if int(value) else "0"


def _integer(value) -> str:
    return MISSING if value is None or pd.isna(value) else str(int(value))


def decimal_of(frame: pd.DataFrame) -> str:
    """The decimal mark of the district whose rows a frame holds (params/districts.yaml number_format);
    a point for rows of several districts or of none known."""
    codes = frame["district_code"].dropna().unique() if "district_code" in frame.columns else []
    found = params.district_by_code(str(codes[0])) if len(codes) == 1 else None
    return found.decimal if found else "."


def _full_name(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([f"{t} {u}" if isinstance(t, str) and t else str(u)
                      for u, t in zip(frame["unit"], frame["unit_type"])], index=frame.index, dtype="object")


def _source(frame: pd.DataFrame) -> pd.Series:
    """Where each row's numbers were read: 'file:line' (missing when the frame does not say)."""
    if "source" not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="object")
    lines = frame["source_line"] if "source_line" in frame.columns else pd.Series(pd.NA, index=frame.index)
    return pd.Series([pd.NA if pd.isna(f) else f"{f}:{int(n)}" if not pd.isna(n) else str(f)
                      for f, n in zip(frame["source"], lines)], index=frame.index, dtype="object")


def _change(frame: pd.DataFrame) -> pd.Series:
    printed = frame["delta"].astype("Float64") if "delta" in frame else None
    computed = frame["delta_computed"].astype("Float64") if "delta_computed" in frame else None
    if printed is None:
        return computed if computed is not None else pd.Series(pd.NA, index=frame.index, dtype="Float64")
    return printed.fillna(computed) if computed is not None else printed


def _flag(row: pd.Series, column: str) -> bool:
    value = row.get(column)
    return value is not None and not pd.isna(value) and bool(value)


def _notes(frame: pd.DataFrame) -> pd.Series:
    notes = []
    words = vi_format.labels("notes")
    for _, row in frame.iterrows():
        parts = []
        if _flag(row, "notable_drop"):
            parts.append(words["notable_drop"])
        if _flag(row, "band_mismatch"):
            parts.append(words["band_mismatch"].format(band=row.get("band")))
        if _flag(row, "delta_mismatch"):
            parts.append(words["delta_mismatch"])
        if _flag(row, "prev_from_store"):
            parts.append(words["prev_from_store"])
        if _flag(row, "target_15_3"):
            deadline = row.get("deadline_15_3")
            when = ("" if deadline is None or pd.isna(deadline)
                    else words["deadline"].format(date=vi_format.vi_date(str(deadline))))
            parts.append(words["target_15_3"].format(when=when))
        notes.append("; ".join(parts) if parts else pd.NA)
    return pd.Series(notes, index=frame.index, dtype="object")


# Laid out for a notebook beside JupyterLab's file browser: headers wrap onto a few short lines,
# figures stay on one line, long texts (notes, messages) wrap in a column of bounded width; a table
# still wider than the notebook scrolls sideways in its output area.
TABLE_STYLES = [
    {"selector": "th", "props": "white-space: normal; max-width: 7.5em; vertical-align: bottom;"},
    {"selector": "td", "props": "white-space: nowrap; text-align: right;"},
]
LONG_TEXT = 40  # characters: a text column with a longer value wraps
WRAPPED = {"white-space": "normal", "min-width": "14em", "max-width": "30em"}


def _lead(display: pd.DataFrame) -> pd.DataFrame:
    """The unit and where its figures were read side by side, at the left (after a rank column)."""
    h = vi_format.labels("columns")
    if h["unit"] not in display.columns or h["source"] not in display.columns:
        return display
    cols = [c for c in display.columns if c != h["source"]]
    at = cols.index(h["unit"]) + 1
    return display[cols[:at] + [h["source"]] + cols[at:]]


def _style(display: pd.DataFrame, formatters: dict, band_column: str | None, caption: str | None,
           drop_empty: tuple[str, ...], decimal: str = ".") -> Styler:
    for col in drop_empty:
        if col in display.columns and display[col].isna().all():
            display = display.drop(columns=col)
    display = _lead(display)
    formatters = {k: v for k, v in formatters.items() if k in display.columns}
    for col in display.columns:  # every other number: two decimals (Float64 escapes `precision`)
        if col not in formatters and pd.api.types.is_numeric_dtype(display[col]):
            formatters[col] = partial(vi_format.cell, decimal=decimal)
    styler = display.style.format(precision=2, na_rep=MISSING, escape="html")
    styler = styler.format(formatters, na_rep=MISSING, escape="html")
    if band_column and band_column in display.columns:
        styler = styler.map(band_css, subset=[band_column])
    styler = styler.hide(axis="index").set_table_styles(TABLE_STYLES)
    texts = [c for c in display.columns if display[c].dtype == object]
    if texts:  # (figures align right, as in the documents)
        styler = styler.set_properties(subset=texts, **{"text-align": "left"})
    long = [c for c in texts if display[c].map(lambda v: len(v) if isinstance(v, str) else 0).max() > LONG_TEXT]
    if long:
        styler = styler.set_properties(subset=long, **WRAPPED)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


def _component_columns(frame: pd.DataFrame) -> dict[str, str]:
    return {c.key: f"{c.label} (%)" for c in params.policy().components if c.key in frame.columns}


def style_plain(table: pd.DataFrame, caption: str | None = None, decimal: str = ".") -> Styler:
    """Any other table for the analyst: no index, every text in full (pandas' own display cuts long
    ones), numbers with two decimals in the district's decimal mark, whole numbers as integers, a
    missing value as "—"."""
    integers = {c: _integer for c in table.columns if pd.api.types.is_integer_dtype(table[c])}
    return _style(table, formatters=integers, band_column=None, caption=caption, drop_empty=(), decimal=decimal)


PARSED_HEAD = ["score", "band", "prev_score", "delta"]  # then the components, then PARSED_TAIL
PARSED_TAIL = ["e_cert", "e_cert_cum", "reported_rank", "unit_code"]


def style_parsed(recs: pd.DataFrame) -> Styler:
    """01: the rows read from the files, as printed: the unit and where it was read first, the period,
    then the figures (headers: params/wording/labels.yaml `parsed_columns`; `chiso ingest --dry-run`
    prints the same with the contract's column names). A column no row has is left out; when every
    row comes from one file of one period, the caption names them and the unit's line follows it."""
    from helpers.periods import parse_as_of

    h, p = vi_format.labels("columns"), vi_format.labels("parsed_columns")
    display = pd.DataFrame(index=recs.index)
    display[h["unit"]] = _full_name(recs)
    display[h["source"]] = _source(recs)
    display[p["period"]] = pd.Series([None if pd.isna(a) else parse_as_of(str(a)).short_label()
                                      for a in recs["as_of"]], index=recs.index, dtype="object")
    caption = None if len(recs) else p["no_rows"]
    files, kept = recs["source"].dropna().unique(), display[p["period"]].dropna().unique()
    if len(files) == 1 and len(kept) == 1 and recs["source"].notna().all():  # one file: named once, above
        display = display.drop(columns=[h["source"], p["period"]])
        display.insert(1, p["line"], recs["source_line"])
        caption = p["one_file"].format(file=files[0], period=kept[0], line=p["line"])
    for col in PARSED_HEAD:
        display[p[col]] = recs[col]
    components = _component_columns(recs)
    for key, label in components.items():
        display[label] = recs[key].astype("Float64")
    for col in PARSED_TAIL:
        display[p[col]] = recs[col]
    optional = [p[c] for c in PARSED_HEAD + PARSED_TAIL] + list(components.values())
    counts = {p[c]: _integer for c in ("e_cert", "e_cert_cum", "reported_rank", "line")}
    decimal = decimal_of(recs)
    return _style(display.astype({p["band"]: "object"}),
                  formatters={p["delta"]: partial(vi_format.change, decimal=decimal), **counts},
                  band_column=p["band"], caption=caption, drop_empty=tuple(optional), decimal=decimal)


def style_scored(scored: pd.DataFrame, caption: str | None = None) -> Styler:
    """The scored rows of a district (score_district) as a table: unit, score, computed band, previous
    score, change, distances to the next band and to the criterion 15.3 score, components, notes.
    Columns that are missing for every row (e.g. previous scores of a monthly letter) are left out."""
    pol = params.policy()
    h = vi_format.labels("columns")
    display = pd.DataFrame(index=scored.index)
    display[h["unit"]] = _full_name(scored)
    display[h["score"]] = scored["score"].astype("Float64")
    display[h["band"]] = scored["band_computed"].astype("object")
    display[h["prev_score"]] = scored["prev_score"].astype("Float64")
    display[h["change"]] = _change(scored)
    display[h["to_next_band"]] = scored["points_to_next_band"].astype("Float64")
    display[h["to_15_3"].format(threshold=f"{pol.min_score_15_3:g}")] = scored["points_to_15_3"].astype("Float64")
    components = _component_columns(scored)
    for key, label in components.items():
        display[label] = scored[key].astype("Float64")
    display[h["notes"]] = _notes(scored)
    display[h["source"]] = _source(scored)
    display = display.astype({c: "object" for c in [h["unit"], h["band"], h["notes"]]})
    decimal = decimal_of(scored)
    return _style(
        display,
        formatters={h["change"]: partial(vi_format.change, decimal=decimal)},
        band_column=h["band"],
        caption=caption,
        drop_empty=(h["prev_score"], h["change"], *components.values(), h["notes"], h["source"]),
        decimal=decimal,
    )


def style_ranked(ranked: pd.DataFrame, caption: str | None = None) -> Styler:
    """The ranked units of a district (rank_units) as a table: rank, unit, score, computed band,
    previous rank, movement (+ = up) and change in points."""
    h = vi_format.labels("columns")
    display = pd.DataFrame(index=ranked.index)
    display[h["rank"]] = ranked["rank"]
    display[h["unit"]] = _full_name(ranked).astype("object")
    display[h["score"]] = ranked["score"].astype("Float64")
    display[h["band"]] = ranked["band_computed"].astype("object")
    display[h["prev_rank"]] = ranked["prev_rank"]
    display[h["rank_change"]] = ranked["rank_change"]
    display[h["score_change"]] = _change(ranked)
    display[h["source"]] = _source(ranked)
    decimal = decimal_of(ranked)
    return _style(
        display,
        formatters={h["rank"]: _integer, h["prev_rank"]: _integer, h["rank_change"]: _signed_int,
                    h["score_change"]: partial(vi_format.change, decimal=decimal)},
        band_column=h["band"],
        caption=caption,
        drop_empty=(h["prev_rank"], h["rank_change"], h["score_change"], h["source"]),
        decimal=decimal,
    )


def style_compared(compared: pd.DataFrame, caption: str | None = None, ranked: bool = True,
                   decimal: str = ".") -> Styler:
    """Units of several districts (compare_districts): each row says which period its data are for.
    `ranked`: with their rank over all units compared; else district by district (in the order
    params order, best score first) with no rank across districts."""
    h = vi_format.labels("columns")
    if not ranked:
        order = {slug: i for i, slug in enumerate(params.districts())}
        compared = compared.assign(_d=compared["district_slug"].map(order)).sort_values(
            ["_d", "score"], ascending=[True, False], kind="stable", na_position="last")
    display = pd.DataFrame(index=compared.index)
    if ranked:
        display[h["overall_rank"]] = compared["overall_rank"]
    display[h["district"]] = compared["district"].astype("object")
    display[h["unit"]] = _full_name(compared).astype("object")
    display[h["score"]] = compared["score"].astype("Float64")
    display[h["band"]] = compared["band_computed"].astype("object")
    display[h["period"]] = compared["period_label"].astype("object")
    if ranked:
        display[h["percentile"]] = compared["percentile"].astype("Float64")
    display[h["source"]] = _source(compared)
    return _style(display.reset_index(drop=True), formatters={h["overall_rank"]: _integer}, band_column=h["band"],
                  caption=caption, drop_empty=(h["source"],), decimal=decimal)


def style_findings(findings, decimal: str = ".") -> Styler:
    """The narrative's findings (findings.Findings) as one table: what was found, the unit, its value
    (labels from params/wording/labels.yaml, `findings_table`)."""
    rows = []
    words = vi_format.labels("findings_table")

    def add(kind: str, unit, value) -> None:
        rows.append((kind, unit.label if hasattr(unit, "label") else str(unit), value))

    for u in findings.lowest_band_units:
        add(words["lowest_band"].format(band=findings.lowest_band), u.unit, u.score)
    for c in findings.drops:
        add(words["drop"], c.unit, c.delta)
    for c in findings.improved_most:
        add(words["improved"], c.unit, c.delta)
    for m in findings.band_moves:
        add(words["band_move"].format(before=m.prev_band, after=m.band), m.unit, m.score)
    for comp in findings.components:
        for v in comp.weakest:
            add(words["weakest"].format(component=comp.label, target=vi_format.percent(comp.target, decimal)), v.unit, v.value)
    for t in findings.criterion_15_3:
        add(words["criterion_15_3"] + (words["reached"] if t.reached else ""), t.unit, t.score)
    if findings.comparison is not None:
        for d in findings.comparison.districts:
            add(words["district_rank"].format(rank=d.rank), words["district"].format(district=d.district), d.score)
    table = pd.DataFrame(rows, columns=[words["kind"], words["unit"], words["value"]])
    return style_plain(table, caption=words["caption"], decimal=decimal)
