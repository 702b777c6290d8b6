"""The narrative: Vietnamese sentences from the findings (helpers.findings) through the Jinja2
templates of params/wording/ (`narrative.txt.j2`, `narrative.html.j2`, `heading.*.j2`, sentences in
`macros.j2`, small words in `phrases.yaml`), so an officer can reword the report without touching
code. The HTML environment autoescapes every value; `wording(name, **values)` renders any other
template of that folder through the same environments.

Numbers, dates and lists are written by helpers.vi_format (scores "57.45", percentages "12.5",
changes "+0.29" / "-5.78" as the seeds print them, the district's decimal mark).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

from helpers import params, vi_format
from helpers.findings import Findings, _district_obj, unit_label
from helpers.periods import Period, parse_as_of

# -- rendering ----------------------------------------------------------------------------------------

@jinja2.pass_context
def _f_num(ctx, x, digits: int = 2):
    return vi_format.number(x, ctx.get("decimal", "."), digits)


@jinja2.pass_context
def _f_pct(ctx, x, digits: int = 2):
    return vi_format.percent(x, ctx.get("decimal", "."), digits)


@jinja2.pass_context
def _f_signed(ctx, x, digits: int = 2):
    return vi_format.signed(x, ctx.get("decimal", "."), digits)


def _f_ucfirst(text) -> str:
    s = str(text)
    out = s[:1].upper() + s[1:]
    return Markup(out) if isinstance(text, Markup) else out  # keep the escaping state


def _f_join_vi(items) -> str:
    """join_vi for templates: parts that are already markup stay markup, the rest is escaped."""
    parts = list(items)
    if any(isinstance(x, Markup) for x in parts):
        return Markup(vi_format.join(str(x) if isinstance(x, Markup) else str(escape(x)) for x in parts))
    return vi_format.join(parts)


def _f_units(items) -> str:
    return unit_label([getattr(x, "unit", x) for x in items])


def _make_env(html: bool, base: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(base),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        num=_f_num, pct=_f_pct, signed=_f_signed, vndate=vi_format.vi_date, ucfirst=_f_ucfirst,
        unit=lambda u: unit_label(getattr(u, "unit", u)), units=_f_units, join_vi=_f_join_vi,
        absval=lambda x: abs(x),
    )
    env.globals["phrases"] = vi_format.phrases
    return env


@lru_cache(maxsize=8)
def _env_at(html: bool, base: str) -> jinja2.Environment:
    return _make_env(html, base)


def _env(html: bool) -> jinja2.Environment:
    return _env_at(html, str(params.wording_dir()))


def wording(name: str, **values) -> str:
    """A template of params/wording/ rendered with `values`; autoescaped when its name says `.html`.
    (The one way to reach that folder: the same environments as the narrative.)"""
    return _env(".html" in name).get_template(name).render(**values)


@dataclass(frozen=True)
class PeriodView:
    """What the templates need of a period."""

    kind: str  # "week" or "month"
    month: int
    year: int
    week: int | None
    cut: date | None  # the data-cut date of a week


def _period_obj(period) -> Period:
    return period if isinstance(period, Period) else parse_as_of(str(period))


def _period_view(period) -> PeriodView:
    p = _period_obj(period)
    return PeriodView(p.kind, p.start.month, p.start.year, p.week_of_month,
                      p.start if p.kind == "week" else None)


def _context(district, period) -> dict:
    d = _district_obj(district)
    return {"decimal": d.decimal, "d": d, "period": _period_view(period)}


def _finish(text: str) -> str:
    lines = [line.rstrip() for line in vi_format.nfc(text).splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def heading(district, period, issued: date | None = None) -> dict:
    """The pieces of the report's heading block, as plain text (from params/wording/macros.j2):

    parent_body, issuing_body, country, motto, place_date ("" without `issued`), doc_kind
    ("BÁO CÁO"), title (ends with "Tháng 12 – Tuần 1" or "tháng 9 năm 2023") and data_cut.
    """
    ctx = _context(district, period)
    module = _env(False).get_template("macros.j2").make_module(ctx)
    d, p = ctx["d"], ctx["period"]
    return {
        "parent_body": vi_format.nfc(d.parent_body),
        "issuing_body": vi_format.nfc(d.issuing_body),
        "country": vi_format.nfc(str(module.country()).strip()),
        "motto": vi_format.nfc(str(module.motto()).strip()),
        "place_date": vi_format.nfc(str(module.place_date(d, issued)).strip()) if issued else "",
        "doc_kind": vi_format.nfc(str(module.doc_kind()).strip()),
        "title": vi_format.nfc(str(module.title(p)).strip()),
        "data_cut": vi_format.nfc(str(module.data_cut(p)).strip()),
    }


def report_title(district, period) -> str:
    """The page title of the report, from the heading's pieces: a short all-capitals kind ("BÁO CÁO")
    joined to its title line ("Báo cáo kết quả xếp loại ..."), with the district's name added when the
    title lacks it; a công văn (params/documents.yaml) is named by its V/v summary."""
    d = _district_obj(district)
    settings = params.document_settings(d.slug)
    if settings["kind"] == "cong-van" and settings["subject"]:
        kind_name = params.wording_yaml("document.yaml")["kind_name"]["cong-van"]
        return f"{kind_name} {settings['subject']} – huyện {d.name}"
    h = heading(district, period)
    kind, title = " ".join(h["doc_kind"].split()), " ".join(h["title"].split())
    if title and kind == kind.upper() and len(kind.split()) <= 4:
        text = f"{kind[:1]}{kind[1:].lower()} {title[:1].lower()}{title[1:]}"
    else:
        text = f"{kind} – {title}" if title else kind
    name = _district_obj(district).name
    return text if name in text else f"{text} – huyện {name}"


def _html_heading(district, period, issued: date | None) -> dict:
    """heading() for a page: the place in the issuing bodies ("HUYỆN CHỢ MỚI") joined by non-breaking
    spaces, so that a narrow column breaks the line before it rather than inside the name."""
    h = heading(district, period, issued)
    words = _context(district, period)["d"].name.split()
    place = re.compile(r"(?:\S+\s+)?" + r"\s+".join(map(re.escape, words)), re.IGNORECASE)
    for key in ("parent_body", "issuing_body"):
        h[key] = place.sub(lambda m: "\u00a0".join(m.group(0).split()), h[key])
    return h


def render_heading_html(district, period, issued: date | None = None) -> str:
    ctx = _context(district, period) | {"h": _html_heading(district, period, issued)}
    return vi_format.nfc(_env(True).get_template("heading.html.j2").render(ctx)).strip() + "\n"


def render_text(findings: Findings, district, period, issued: date | None = None,
                with_heading: bool = True) -> str:
    """The narrative as plain text (heading block first unless `with_heading=False`)."""
    ctx = _context(district, period) | {"f": findings, "with_heading": with_heading,
                                        "h": heading(district, period, issued)}
    return _finish(_env(False).get_template("narrative.txt.j2").render(ctx))


def render_html(findings: Findings, district, period, issued: date | None = None,
                with_heading: bool = False) -> str:
    """The narrative as an HTML fragment; every value from the data is escaped. The heading block is
    rendered separately (`render_heading_html`) unless `with_heading=True`."""
    ctx = _context(district, period) | {"f": findings, "with_heading": with_heading,
                                        "h": _html_heading(district, period, issued)}
    return vi_format.nfc(_env(True).get_template("narrative.html.j2").render(ctx)).strip() + "\n"
