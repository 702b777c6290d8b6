"""Charts: one visual language (band colours and flag lines from params), Vietnamese labels and
captions naming the period, None when there is nothing to draw."""

from __future__ import annotations

import unicodedata
import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from helpers import charts, params, periods

WEEK = periods.parse_as_of("2023-12-04")

UNITS = [
    # unit, type, score, prev, transparency, progress, online, payment, digitization
    ("Mỹ Luông", "thị trấn", 75.2, 74.0, 100.0, 70.0, 60.0, 35.0, 30.0),
    ("Mỹ An", "xã", 82.5, 82.5, 100.0, 80.0, None, 31.0, 81.0),
    ("Mỹ Hội Đông", "xã", 51.1, 56.88, 100.0, 70.0, 45.0, 40.0, 25.0),
    ("Kiến An", "xã", 49.18, 50.0, 90.0, 65.0, 55.0, 10.0, 20.0),
    ("Mỹ An", "thị trấn", 91.0, 88.0, 100.0, 90.0, 70.0, 50.0, 85.0),
]
COMPONENTS = ["transparency_pct", "progress_pct", "online_pct", "payment_pct", "digitization_pct"]


def make_ranked(with_prev: bool = True, with_components: bool = True, with_total: bool = True) -> pd.DataFrame:
    rows = list(UNITS) + ([("Chợ Mới", "huyện", 57.45, 57.16, 95.0, 70.0, 50.0, 30.0, 28.0)] if with_total else [])
    df = pd.DataFrame(rows, columns=["unit", "unit_type", "score", "prev_score", *COMPONENTS])
    df["district"] = "Chợ Mới"
    df["as_of"] = "2023-12-04"
    for c in ["score", "prev_score", *COMPONENTS]:
        df[c] = df[c].astype("Float64")
    if not with_prev:
        df["prev_score"] = pd.array([pd.NA] * len(df), dtype="Float64")
    if not with_components:
        for c in COMPONENTS:
            df[c] = pd.array([pd.NA] * len(df), dtype="Float64")
    df["delta_computed"] = (df["score"] - df["prev_score"]).round(2)
    df["band_computed"] = [charts.band_of(s) for s in df["score"]]
    units = df[df["unit_type"] != "huyện"].sort_values("score", ascending=False)
    units["rank"] = pd.array(range(1, len(units) + 1), dtype="Int64")
    return pd.concat([units, df[df["unit_type"] == "huyện"]], ignore_index=True)


DISTRICTS = [
    ("cho-moi", "Chợ Mới", "2023-12-04", "tuần 1 tháng 12/2023", [49.18, 51.1, 57.0, 62.0, 75.0, 81.0]),
    ("phu-tan", "Phú Tân", "2023-10-09", "tuần 2 tháng 10/2023", [55.0, 58.0, 60.0, 61.0, 59.0]),
    ("thap-muoi", "Tháp Mười", "2023-09", "tháng 9/2023", [66.98, 72.03, 72.03, 73.53, 70.19]),
]


def make_comparison() -> pd.DataFrame:
    rows = []
    for slug, name, as_of, _, scores in DISTRICTS:
        period = periods.parse_as_of(as_of)
        for i, s in enumerate(scores):
            rows.append({
                "district_slug": slug, "district": name, "unit": f"Xã {i}", "unit_type": "xã", "score": s,
                "band_computed": charts.band_of(s), "as_of": as_of, "period_label": period.label(),
                "overall_rank": i + 1, "percentile": 50.0,
            })
    return pd.DataFrame(rows)


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def check_chart(chart, *in_caption: str) -> None:
    assert isinstance(chart, charts.Chart)
    assert isinstance(chart.figure, Figure)
    assert "\n" not in chart.caption
    assert chart.caption == unicodedata.normalize("NFC", chart.caption)
    for part in in_caption:
        assert part in chart.caption, (part, chart.caption)
    fonts = {t.get_fontname() for t in chart.figure.findobj(Text) if t.get_text()}
    assert fonts == {"DejaVu Sans"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        png = charts.figure_to_png(chart.figure, dpi=60)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def band_colours() -> dict[str, str]:
    return {b.name: b.color.lower() for b in params.policy().bands}


def test_units_by_score_bars_coloured_by_band_with_flag_line():
    chart = charts.units_by_score(make_ranked(), "cho-moi", WEEK)
    check_chart(chart, "tuần 1 tháng 12/2023", "Chợ Mới")
    ax = chart.figure.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 5  # the district's total row is not a bar
    colours = [to_hex(b.get_facecolor()) for b in bars]
    assert colours[0] == band_colours()["Xuất sắc"]  # thị trấn Mỹ An 91, ranked first
    assert colours[-1] == band_colours()["Yếu"]  # Kiến An 49.18
    assert {line.get_xdata()[0] for line in ax.get_lines()} >= set(params.policy().flag_lines)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "1. thị trấn Mỹ An" and "xã Mỹ An" in labels[1]  # same name: type shown
    legend = chart.figure.legends[0]
    assert {t.get_text() for t in legend.get_texts()} >= set(band_colours())
    assert any("Điểm" in t for t in texts(chart.figure))


def test_units_by_score_nothing_to_draw():
    empty = make_ranked().iloc[0:0]
    assert charts.units_by_score(empty, "cho-moi", WEEK) is None
    no_scores = make_ranked()
    no_scores["score"] = pd.array([pd.NA] * len(no_scores), dtype="Float64")
    assert charts.units_by_score(no_scores, "cho-moi", WEEK) is None


def _standings():
    from helpers.district_week import Standing

    out, scored_by = [], {}
    frame = make_comparison()
    for slug, name, as_of, _, scores in DISTRICTS:
        official = {"cho-moi": 57.45, "phu-tan": 59.28}.get(slug)
        out.append(Standing(slug, name, periods.parse_as_of(as_of), official, len(scores), min(scores), max(scores)))
        scored_by[slug] = frame[frame["district_slug"] == slug]
    return out, scored_by


def test_districts_compared_side_by_side_with_their_periods_and_no_rank():
    standings, scored_by = _standings()
    chart = charts.districts_compared(standings, scored_by, "cho-moi")
    check_chart(chart, *[f"{name} ({label})" for _, name, _, label, _ in DISTRICTS], "không xếp hạng")
    ax = chart.figure.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == [f"{name}\n({label})" for _, name, _, label, _ in DISTRICTS]  # params order, not by score
    shown = texts(chart.figure)
    assert "huyện: 57.45" in shown and "huyện: 59.28" in shown  # the official scores, never a mean
    assert "49.18" in shown and "73.53" in shown  # each district's lowest and highest unit
    assert not any("hạng" in t for t in shown)
    assert charts.districts_compared(standings[:1], scored_by, "cho-moi") is None


def test_charts_stay_readable_on_a_phone_and_in_grey():
    """Shown 360 px wide (a 390 px phone), every text is at least 10 px high; the lowest band is hatched
    and labelled, not told by its colour alone."""
    standings, scored_by = _standings()
    made = [charts.units_by_score(make_ranked(), "cho-moi", WEEK),
            charts.weekly_change(make_ranked(), "cho-moi", WEEK),
            charts.components_vs_targets(make_ranked(), "cho-moi", WEEK),
            charts.districts_compared(standings, scored_by, "cho-moi")]
    for chart in made:
        width_in = chart.figure.get_figwidth()
        smallest = min(t.get_fontsize() for t in chart.figure.findobj(Text) if t.get_text())
        assert smallest / 72 * 360 / width_in >= 10, (chart.caption, smallest)
    bars = [p for p in made[0].figure.axes[0].patches if isinstance(p, Rectangle)]
    lowest = [b for b in bars if to_hex(b.get_facecolor()) == band_colours()["Yếu"]]
    assert lowest and all(b.get_hatch() for b in lowest)
    assert "49.18 (Yếu)" in texts(made[0].figure)


def test_chart_numbers_in_the_tables_style():
    chart = charts.units_by_score(make_ranked(), "cho-moi", WEEK)
    shown = texts(chart.figure)
    assert "51.10" in shown and "51.1" not in shown  # two decimals, as the appendix prints scores


def test_weekly_change_diverging_and_none_without_previous_week():
    chart = charts.weekly_change(make_ranked(), "cho-moi", WEEK)
    check_chart(chart, "tuần 1 tháng 12/2023 so với tuần 4 tháng 11/2023")
    ax = chart.figure.axes[0]
    widths = {t.get_text(): b.get_width() for t, b in zip(ax.get_yticklabels(), ax.patches)}
    assert widths["Mỹ Hội Đông"] == pytest.approx(-5.78)
    colours = {t.get_text(): to_hex(b.get_facecolor()) for t, b in zip(ax.get_yticklabels(), ax.patches)}
    bands = params.policy().bands
    assert colours["Mỹ Hội Đông"] == bands[-1].color.lower()  # a fall: the lowest band's colour
    assert colours["thị trấn Mỹ An"] == bands[0].color.lower()  # a rise: the highest band's colour
    assert "-5.78" in texts(chart.figure)  # printed as the tables and the text print a change
    assert charts.weekly_change(make_ranked(with_prev=False), "cho-moi", WEEK) is None


def test_components_vs_targets_marks_targets_from_params():
    chart = charts.components_vs_targets(make_ranked(), "cho-moi", WEEK)
    check_chart(chart, "tuần 1 tháng 12/2023", "mục tiêu")
    headers = [t.get_text() for t in chart.figure.axes[0].get_xticklabels()]
    for comp in params.policy().components:
        if comp.target is not None:
            assert any(h.endswith(f"\n≥ {comp.target:g}%") for h in headers), headers
    assert all(len(line) <= 10 for h in headers for line in h.splitlines()), headers  # none runs into the next
    rows = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert rows[-1] == "Toàn huyện"
    # a value is printed as the report gives it: 99.98 is not rounded to 100
    ranked = make_ranked()
    comp = next(c.key for c in params.policy().components if c.key in ranked.columns)
    ranked.loc[0, comp] = 99.98
    cells = texts(charts.components_vs_targets(ranked, "cho-moi", WEEK).figure)
    assert "99.98" in cells  # (one decimal printed it as "100")
    assert charts.components_vs_targets(make_ranked(with_components=False), "cho-moi", WEEK) is None


def test_score_history_total_row_or_mean_of_units():
    history = pd.DataFrame({
        "as_of": ["2023-11-20", "2023-11-27", "2023-12-04"],
        "period_label": ["", "", ""],
        "score": [56.5, 57.16, 57.45],
    })
    chart = charts.score_history(history, "cho-moi")
    check_chart(chart, "Chợ Mới", "từ tuần 3 tháng 11/2023 đến tuần 1 tháng 12/2023")
    assert chart.figure.axes[0].get_title(loc="left") == "Điểm huyện Chợ Mới qua các kỳ số liệu"
    # Raw records without a total row: the mean of the units, said so in the title and the caption.
    records = make_ranked(with_total=False)
    month = records.assign(as_of="2023-09", score=records["score"] - 5)
    chart = charts.score_history(pd.concat([records, month]), "cho-moi")
    check_chart(chart, "Điểm bình quân các đơn vị cấp xã của huyện Chợ Mới qua 2 kỳ", "tháng 9/2023")
    assert chart.figure.axes[0].get_title(loc="left").startswith("Điểm bình quân các đơn vị cấp xã")
    line = chart.figure.axes[0].get_lines()[-1]
    assert list(line.get_ydata())[-1] == pytest.approx(float(records["score"].mean()))
    # Periods with a district score and one without: the caption names the one that is a mean.
    mixed = pd.concat([make_ranked(with_total=True), month])
    chart = charts.score_history(mixed, "cho-moi")
    check_chart(chart, "Điểm huyện Chợ Mới qua 2 kỳ",
                "Văn bản của tháng 9/2023 không có điểm của huyện: điểm của kỳ đó là bình quân các đơn vị cấp xã.")
    # One period is no history: no chart.
    assert charts.score_history(history.iloc[2:], "cho-moi") is None
    assert charts.score_history(history.iloc[0:0], "cho-moi") is None
    assert charts.score_history(None, "cho-moi") is None


def test_chart_html_embeds_png_and_escapes_caption():
    chart = charts.units_by_score(make_ranked(), "cho-moi", WEEK)
    chart.caption = 'Điểm <b>"x"</b> & tuần 1'
    out = charts.chart_html(chart)
    assert out.startswith('<figure class="chart"><img src="data:image/png;base64,')
    assert "<figcaption>Điểm &lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; tuần 1</figcaption>" in out
    assert "<b>" not in out
    assert charts.chart_html(None) == ""


def test_figures_stay_out_of_pyplot():
    before = plt.get_fignums()
    charts.units_by_score(make_ranked(), "cho-moi", WEEK)
    charts.districts_compared(*_standings(), "cho-moi")
    assert plt.get_fignums() == before


def test_flag_line_colours_come_from_the_bands():
    chart = charts.units_by_score(make_ranked(), "cho-moi", WEEK)
    by_band_min = {b.min: b.color.lower() for b in params.policy().bands}
    for line in chart.figure.axes[0].get_lines():
        x = line.get_xdata()[0]
        if isinstance(line, Line2D) and x in params.policy().flag_lines and x in by_band_min:
            assert to_hex(line.get_color()) == by_band_min[x]


def test_units_that_must_reach_criterion_15_3_are_starred():
    tm = params.district("thap-muoi")
    assert tm.units_15_3  # Phú Điền and Trường Xuân in params
    frame = pd.DataFrame({"unit": [tm.units_15_3[0], "Mỹ An", "Mỹ An"], "unit_type": ["xã", "xã", "thị trấn"],
                          "score": [68.42, 73.53, 72.35], "rank": [3, 1, 2]}).sort_values("rank")
    chart = charts.units_by_score(frame, tm, periods.parse_as_of("2023-09"))
    check_chart(chart, "tháng 9/2023", "Tháp Mười")
    labels = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert labels == ["1. xã Mỹ An", "2. thị trấn Mỹ An", f"3. {tm.units_15_3[0]} {charts.STAR}"]
    assert any("15.3" in t.get_text() for t in chart.figure.legends[0].get_texts())
    assert any("73,53" == t for t in texts(chart.figure))  # the district's decimal comma
