"""What the notebooks show: each function returns something one cell displays, from the run's
parameters (01) or its DistrictWeek (02–03; the report of 04 is helpers.report).

The notebooks stay thin (parameters, one call, display); everything they show is built here from the
stage modules so the batch and a person in JupyterLab see the same thing.
"""

from __future__ import annotations

import pandas as pd

from helpers import params, periods, rank, score, vi_format
from helpers.district_week import DistrictWeek, comparable, standings
from helpers.params import District
from helpers.store import Store

# -- 01 ingest ------------------------------------------------------------------------------------

def ingest_compared(run):
    """01 by hand: the raw reports of the districts this district is compared with, into the store, as
    the batch stores every district's before any notebook runs; so 02–04 opened next compare it with
    them. A district whose reports do not parse is named with its error; nothing is raised. None in
    the batch (interactive False): it has stored them already."""
    from IPython.display import Markdown

    from helpers import ingest

    if not run.interactive:
        return None
    others = [d for d in params.compared_with(run.district) if d.slug != run.district.slug]
    if not others:
        return None
    result, errors = ingest.ingest_districts(others)
    stored = [d.name for d in others if d.slug not in errors]
    lines = [vi_format.label("views", "compared_stored", names=", ".join(stored))] if stored else []
    lines += [vi_format.label("views", "compared_failed", district=params.district(slug).name, error=exc)
              for slug, exc in errors.items()]
    lines += [r.message() for r in result.retired]
    return Markdown("\n\n".join(lines))


def _words(key: str) -> dict:
    """A mapping of params/wording/phrases.yaml (finding kinds, format names)."""
    from helpers.vi_format import phrases

    return phrases().get(key) or {}


def ingest_summary(result):
    """01: one row per file read: its format, district, period, rows, warnings and what became of it."""
    from helpers import tables

    summary = result.summary()
    if len(summary):
        formats = _words("formats")
        summary["định dạng"] = [formats.get(f, f) for f in summary["định dạng"]]
    return tables.style_plain(summary, caption=None if len(summary) else vi_format.label("views", "no_files"))


def parsed_table(result):
    """01: the reported records of the files just read, the unit and the file and line each was read
    from first (Vietnamese headers; `chiso ingest --dry-run` prints the contract's columns)."""
    from helpers import tables

    recs = result.records
    return tables.style_parsed(recs[~recs["derived"].astype(bool)].reset_index(drop=True))


def findings_table(district: District, findings: pd.DataFrame | None = None):
    """01: every warning stored for the district, with its kind, file and line (Vietnamese headers)."""
    from helpers import tables

    findings = Store().read().findings if findings is None else findings
    rows = findings[findings["district_code"] == district.code].reset_index(drop=True)
    kinds = _words("finding_kinds")
    headers = vi_format.labels("finding_headers")
    table = rows[list(headers)].rename(columns=headers)
    table.insert(0, vi_format.label("views", "finding_kind"), [kinds.get(r, r) for r in rows["rule"]])
    # all are warnings (an error refuses the file), kind said above
    table = table.drop(columns=[headers["severity"], headers["rule"]])
    where = [headers["source"], headers["source_line"]]  # where first, as in every table
    table = table[where + [c for c in table.columns if c not in where]]
    caption = (vi_format.label("views", "finding_count", n=len(table), district=district.name) if len(table)
               else vi_format.label("views", "no_findings", district=district.name))
    return tables.style_plain(table, caption=caption)


def history_table(district: District, records: pd.DataFrame | None = None):
    """01: every unit's score in every period the store holds; a period known only from the previous-week
    column of the next report is marked "(suy ra)"."""
    from helpers import ingest, tables

    records = Store().records() if records is None else records
    table = ingest.district_history(records, district)
    if table.empty:
        return tables.style_plain(table, caption=vi_format.label("views", "store_empty", district=district.name))
    rows = records[records["district_code"] == district.code]
    reported = set(rows.loc[~rows["derived"], "as_of"])
    table.columns = [periods.parse_as_of(a).short_label() + ("" if a in reported else vi_format.label("views", "derived"))
                     for a in table.columns]
    table.index = [name if utype == score.TOTAL_TYPE else f"{utype} {name}" for utype, name in table.index]
    table = table.rename_axis(vi_format.label("views", "unit")).reset_index()
    return tables.style_plain(table, caption=vi_format.label("views", "history_caption"), decimal=district.decimal)


# -- 02 score, 03 rank ----------------------------------------------------------------------------

def period_note(week: DistrictWeek):
    """A line saying which period the data is for (and that it is older than the week asked)."""
    from IPython.display import Markdown

    from helpers.report import period_note_text

    return Markdown(period_note_text(week.asked, week.require().period))


def summary_table(week: DistrictWeek):
    """03: the district summary with Vietnamese labels: scores with two decimals, a change with its sign,
    a missing value as "—"."""
    from helpers import tables

    s = rank.district_summary(week.require().scored, week.ranked)
    rows = []
    for key, label in vi_format.labels("summary").items():
        value = s.get(key)
        if isinstance(value, (list, tuple)):
            value = ", ".join(value)
        elif key == "district_delta" and value is not None:
            value = vi_format.change(value, week.district.decimal)
        elif isinstance(value, float):
            value = vi_format.cell(value, decimal=week.district.decimal)
        rows.append((label, vi_format.MISSING if value is None else str(value)))
    rows += [(vi_format.label("views", "band_count", band=band), str(n)) for band, n in (s.get("band_counts") or {}).items()]
    columns = [vi_format.label("views", "indicator"), vi_format.label("views", "value")]
    return tables.style_plain(pd.DataFrame(rows, columns=columns), decimal=week.district.decimal)


def comparison_table(week: DistrictWeek):
    """03: the commune-level units of the districts compared, each with the period its data is for and
    where its score was read; ranked together only when the districts may be (district_week.comparable:
    the same period and each its own score, the rule of the signed document), else district by district
    with no rank across them."""
    from helpers import tables

    compared = week.comparison.reset_index(drop=True)
    names = list(dict.fromkeys(compared["district"].dropna()))
    together = comparable(standings(week.compared))
    if not names:
        caption = vi_format.label("views", "nothing_compared")
    else:
        caption = vi_format.label("views", "compared_caption" if together else "compared_side_by_side",
                                  n=len(names), names=", ".join(names))
    return tables.style_compared(compared, caption=caption, ranked=together, decimal=week.district.decimal)
