"""Display helpers for the score and rank notebooks: pandas Stylers with Vietnamese headers.

The band cell takes the band's colour of params/bands.yaml (the one palette charts use too) with a
text colour chosen for contrast. Numbers show two decimals, missing values "—", and every text value
is HTML-escaped (unit names come from input files).
"""

from __future__ import annotations

import html

import pandas as pd
from pandas.io.formats.style import Styler

from helpers import params

MISSING = "—"
MINUS = "\u2212"


def band_palette() -> dict[str, str]:
    """Band name -> colour (hex), in params order (highest band first)."""
    return {b.name: b.color for b in params.policy().bands}


def _luminance(color: str) -> float:
    """WCAG relative luminance of a '#rrggbb' colour."""
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_color(background: str, dark: str = "#000000") -> str:
    """`dark` or white, whichever contrasts more with the background (WCAG contrast ratio).
    The one place a text colour is chosen for a band colour (charts, tables, report, appendix)."""
    lum = _luminance(background)
    on_black = (lum + 0.05) / 0.05
    on_white = 1.05 / (lum + 0.05)
    return dark if on_black >= on_white else "#ffffff"


def band_css(value) -> str:
    """CSS for a band cell: the band's colour and a readable text colour; '' for unknown/missing."""
    if value is None or pd.isna(value):
        return ""
    color = band_palette().get(str(value))
    if color is None:
        return ""
    return f"background-color: {color}; color: {text_color(color)};"


def signed(value) -> str:
    """A change in points: +0.29, −5.78 (a true minus sign), "—" when missing."""
    if value is None or pd.isna(value):
        return MISSING
    text = f"{float(value):+.2f}"
    return text.replace("-", MINUS)


def _signed_int(value) -> str:
    if value is None or pd.isna(value):
        return MISSING
    return f"{int(value):+d}".replace("-", MINUS) if int(value) else "0"


def _integer(value) -> str:
    return MISSING if value is None or pd.isna(value) else str(int(value))


def _full_name(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([f"{t} {u}" if isinstance(t, str) and t else str(u)
                      for u, t in zip(frame["unit"], frame["unit_type"])], index=frame.index, dtype="object")


SOURCE = "Nguồn (tệp:dòng)"


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
    for _, row in frame.iterrows():
        parts = []
        if _flag(row, "notable_drop"):
            parts.append("giảm mạnh so với kỳ trước")
        if _flag(row, "band_mismatch"):
            parts.append(f"báo cáo in xếp loại “{row.get('band')}”")
        if _flag(row, "delta_mismatch"):
            parts.append("mức tăng/giảm in khác điểm tính được")
        if _flag(row, "prev_from_store"):
            parts.append("điểm kỳ trước lấy từ báo cáo tuần trước")
        if _flag(row, "target_15_3"):
            deadline = row.get("deadline_15_3")
            when = "" if deadline is None or pd.isna(deadline) else " trước " + _vi_date(str(deadline))
            parts.append(f"phải đạt tiêu chí 15.3{when}")
        notes.append("; ".join(parts) if parts else pd.NA)
    return pd.Series(notes, index=frame.index, dtype="object")


def _vi_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _number(value) -> str:
    return f"{float(value):.2f}" if value is not None and not pd.isna(value) else MISSING


UNIT = "Đơn vị"
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
    if UNIT not in display.columns or SOURCE not in display.columns:
        return display
    cols = [c for c in display.columns if c != SOURCE]
    at = cols.index(UNIT) + 1
    return display[cols[:at] + [SOURCE] + cols[at:]]


def _style(display: pd.DataFrame, formatters: dict, band_column: str | None, caption: str | None,
           drop_empty: tuple[str, ...]) -> Styler:
    for col in drop_empty:
        if col in display.columns and display[col].isna().all():
            display = display.drop(columns=col)
    display = _lead(display)
    formatters = {k: v for k, v in formatters.items() if k in display.columns}
    for col in display.columns:  # every other number: two decimals (Float64 escapes `precision`)
        if col not in formatters and pd.api.types.is_numeric_dtype(display[col]):
            formatters[col] = _number
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


def style_plain(table: pd.DataFrame, caption: str | None = None) -> Styler:
    """Any other table for the analyst: no index, every text in full (pandas' own display cuts long
    ones), numbers with two decimals, whole numbers as integers, a missing value as "—"."""
    integers = {c: _integer for c in table.columns if pd.api.types.is_integer_dtype(table[c])}
    return _style(table, formatters=integers, band_column=None, caption=caption, drop_empty=())


LINE = "Dòng"
PARSED_HEADERS = {"score": "Điểm", "band": "Xếp loại (in)", "prev_score": "Điểm kỳ trước", "delta": "Tăng/giảm (in)"}
PARSED_TAIL = {"e_cert": "Chứng thực điện tử", "e_cert_cum": "Chứng thực điện tử (lũy kế)",
               "reported_rank": "Hạng (in)", "unit_code": "Mã đơn vị"}


def style_parsed(recs: pd.DataFrame, caption: str | None = None) -> Styler:
    """01: the rows read from the files, as printed: the unit and where it was read first, the period,
    then the figures (Vietnamese headers; `chiso ingest --dry-run` prints the same with the contract's
    column names). A column no row has is left out."""
    from helpers.periods import parse_as_of

    display = pd.DataFrame(index=recs.index)
    display[UNIT] = _full_name(recs)
    display[SOURCE] = _source(recs)
    display["Kỳ số liệu"] = pd.Series([None if pd.isna(a) else parse_as_of(str(a)).short_label()
                                       for a in recs["as_of"]], index=recs.index, dtype="object")
    files, kept = recs["source"].dropna().unique(), display["Kỳ số liệu"].dropna().unique()
    if len(files) == 1 and len(kept) == 1 and recs["source"].notna().all():  # one file: named once, above
        display = display.drop(columns=[SOURCE, "Kỳ số liệu"])
        display.insert(1, LINE, recs["source_line"])
        caption = caption or f"Đọc từ tệp {files[0]} ({kept[0]}); “{LINE}”: dòng của tệp"
    for col, label in PARSED_HEADERS.items():
        display[label] = recs[col]
    components = _component_columns(recs)
    for key, label in components.items():
        display[label] = recs[key].astype("Float64")
    for col, label in PARSED_TAIL.items():
        display[label] = recs[col]
    optional = [*PARSED_HEADERS.values(), *components.values(), *PARSED_TAIL.values()]
    return _style(display.astype({"Xếp loại (in)": "object"}),
                  formatters={"Tăng/giảm (in)": signed, "Chứng thực điện tử": _integer, LINE: _integer,
                              "Chứng thực điện tử (lũy kế)": _integer, "Hạng (in)": _integer},
                  band_column="Xếp loại (in)", caption=caption, drop_empty=tuple(optional))


def style_scored(scored: pd.DataFrame, caption: str | None = None) -> Styler:
    """The scored rows of a district (score_district) as a table: unit, score, computed band, previous
    score, change, distances to the next band and to the criterion 15.3 score, components, notes.
    Columns that are missing for every row (e.g. previous scores of a monthly letter) are left out."""
    pol = params.policy()
    threshold = f"{pol.min_score_15_3:g}"
    display = pd.DataFrame(index=scored.index)
    display[UNIT] = _full_name(scored)
    display["Điểm"] = scored["score"].astype("Float64")
    display["Xếp loại"] = scored["band_computed"].astype("object")
    display["Điểm kỳ trước"] = scored["prev_score"].astype("Float64")
    display["Tăng/giảm"] = _change(scored)
    display["Cách hạng trên (điểm)"] = scored["points_to_next_band"].astype("Float64")
    display[f"Cách mốc {threshold} điểm (tiêu chí 15.3)"] = scored["points_to_15_3"].astype("Float64")
    components = _component_columns(scored)
    for key, label in components.items():
        display[label] = scored[key].astype("Float64")
    display["Ghi chú"] = _notes(scored)
    display[SOURCE] = _source(scored)
    display = display.astype({c: "object" for c in ["Đơn vị", "Xếp loại", "Ghi chú"]})
    return _style(
        display,
        formatters={"Tăng/giảm": signed},
        band_column="Xếp loại",
        caption=caption,
        drop_empty=("Điểm kỳ trước", "Tăng/giảm", *components.values(), "Ghi chú", SOURCE),
    )


def style_ranked(ranked: pd.DataFrame, caption: str | None = None) -> Styler:
    """The ranked units of a district (rank_units) as a table: rank, unit, score, computed band,
    previous rank, movement (+ = up) and change in points."""
    display = pd.DataFrame(index=ranked.index)
    display["Hạng"] = ranked["rank"]
    display["Đơn vị"] = _full_name(ranked).astype("object")
    display["Điểm"] = ranked["score"].astype("Float64")
    display["Xếp loại"] = ranked["band_computed"].astype("object")
    display["Hạng kỳ trước"] = ranked["prev_rank"]
    display["Thay đổi hạng"] = ranked["rank_change"]
    display["Tăng/giảm điểm"] = _change(ranked)
    display[SOURCE] = _source(ranked)
    return _style(
        display,
        formatters={"Hạng": _integer, "Hạng kỳ trước": _integer, "Thay đổi hạng": _signed_int,
                    "Tăng/giảm điểm": signed},
        band_column="Xếp loại",
        caption=caption,
        drop_empty=("Hạng kỳ trước", "Thay đổi hạng", "Tăng/giảm điểm", SOURCE),
    )


def style_compared(compared: pd.DataFrame, caption: str | None = None) -> Styler:
    """Units of several districts (compare_districts): each row says which period its data are for."""
    display = pd.DataFrame(index=compared.index)
    display["Hạng chung"] = compared["overall_rank"]
    display["Huyện"] = compared["district"].astype("object")
    display["Đơn vị"] = _full_name(compared).astype("object")
    display["Điểm"] = compared["score"].astype("Float64")
    display["Xếp loại"] = compared["band_computed"].astype("object")
    display["Kỳ số liệu"] = compared["period_label"].astype("object")
    display["Bách phân vị"] = compared["percentile"].astype("Float64")
    display[SOURCE] = _source(compared)
    return _style(display, formatters={"Hạng chung": _integer}, band_column="Xếp loại", caption=caption,
                  drop_empty=(SOURCE,))
