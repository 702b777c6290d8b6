"""One district and the week asked: everything the notebooks, the report, the index and the `chiso`
commands show of it, worked out once from the store.

`load(district, asked)` is the one way to get it: the period used (the district's newest data not newer
than the week asked, `score.select_period`), its scored and ranked units, the comparison with the
districts it is compared with, the findings, its score history and the warnings about the data used.
Each piece is computed on first use and kept. Within one process (a batch worker's kernel runs the
02–04 notebooks of a district one after the other) every district is scored once per store
generation and week asked: the scored frames are kept by `_scored`, keyed by the store's files, the
params folder and the week.

`district_score(rows)` is the one rule for a district's score: its own printed total when the document
gives one, else the mean of its units; only a printed total has a band (a mean of units is not the
district's score).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from helpers import params, periods, rank, score
from helpers.errors import ChisoError
from helpers.params import District
from helpers.paths import params_dir, project_root, raw_dir
from helpers.periods import Period
from helpers.store import Snapshot, Store

TOTAL = "total"  # the district's own printed score
MEAN = "mean"  # the mean of its units' scores (the document gives no district score)


@dataclass(frozen=True)
class DistrictScore:
    value: float | None
    basis: str  # TOTAL or MEAN
    band: str | None  # a printed total's band (score.band_of); None for a mean of units


def district_score(rows: pd.DataFrame | None) -> DistrictScore:
    """The district's score in rows of one period (scored or effective store rows): its total row's
    score when printed, else the mean of its units' scores (None without any)."""
    if rows is None or not len(rows):
        return DistrictScore(None, MEAN, None)
    total = score.is_total(rows)
    printed = rows.loc[total, "score"].dropna()
    if len(printed):
        value = float(printed.iloc[0])
        return DistrictScore(value, TOTAL, score.band_of(value))
    units = rows.loc[~total, "score"].dropna()
    return DistrictScore(float(units.astype(float).mean()) if len(units) else None, MEAN, None)


# -- districts side by side: ranked together only on the same period and basis ----------------------

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
        own = district_score(scored)  # the one rule: only a printed total is the district's score
        official = own.value if own.basis == TOTAL else None
        units = score.units_only(scored)["score"].dropna().astype(float)
        out.append(Standing(slug, params.district(slug).name, score.period_of(scored), official, len(units),
                            float(units.min()) if len(units) else None, float(units.max()) if len(units) else None))
    return out


def comparable(rows: list[Standing]) -> bool:
    """Districts may be ranked only on the same period and the same basis: each its own official score."""
    return len(rows) > 1 and all(r.official is not None for r in rows) and len({r.period.as_of for r in rows}) == 1


# -- the scored frames of a process, kept per store generation and week -------------------------------

_kept: dict[tuple, dict[str, pd.DataFrame | None]] = {}


def _key(snapshot: Snapshot, asked: Period, store: Store | None) -> tuple | None:
    """What identifies the scoring of `snapshot` for `asked`; None when the snapshot is not the store's
    current generation (a frame given by a caller: scored, never kept)."""
    if store is None or not snapshot.generation:
        return None
    files = store.files_key(snapshot.generation)
    return None if files is None else (files, str(params_dir()), asked.as_of)


def _scored(snapshot: Snapshot, slugs: list[str], asked: Period, store: Store | None, own: dict) -> dict:
    """slug -> scored rows (None without data) for `slugs`, scoring together only those not scored yet
    in this process (or, for a caller's frames, by this district-week: `own`)."""
    key = _key(snapshot, asked, store)
    if key is not None:
        kept = _kept.setdefault(key, {})
        for old in list(_kept)[:-4]:  # only the last few generations/weeks
            del _kept[old]
    else:
        kept = own
    missing = [s for s in slugs if s not in kept]
    if missing:
        kept.update(score.score_districts(snapshot.records, missing, asked))
    return {s: kept[s] for s in slugs}


# -- the district-week ----------------------------------------------------------------------------------

class DistrictWeek:
    """One district for the week asked. `period` is the period its data is for (None without data);
    the other pieces are computed on first use."""

    def __init__(self, district: District, asked: Period, snapshot: Snapshot, store: Store | None = None):
        self.district = district
        self.asked = asked
        self.snapshot = snapshot
        self._store = store
        self._frames: dict[str, pd.DataFrame | None] = {}  # (a caller's snapshot: nothing kept for the process)
        self.period: Period | None = score.select_period(snapshot.records, district.code, asked)

    @property
    def has_data(self) -> bool:
        return self.period is not None

    @property
    def older(self) -> bool:
        """The data is for a period before the week asked (the district's newest, not that week's)."""
        p = self.period
        return p is not None and p.start < self.asked.start and p.as_of != self.asked.as_of

    def require(self) -> DistrictWeek:
        """Itself; an error naming the folder to fill when the district has no data by the week asked."""
        if not self.has_data:
            d, asked = self.district, self.asked
            raise ChisoError(f"huyện {d.name} chưa có báo cáo nào có số liệu đến {asked.short_label()} "
                             f"(tuần {asked.iso_week}): hãy nạp báo cáo vào {shown_path(raw_dir() / d.slug)}/")
        return self

    @cached_property
    def compared(self) -> dict[str, pd.DataFrame]:
        """slug -> scored rows of the districts it is compared with (params.compared_with, itself
        included) that have data by the week asked."""
        slugs = [d.slug for d in params.compared_with(self.district)]
        scored = _scored(self.snapshot, [*slugs, self.district.slug], self.asked, self._store, self._frames)
        return {s: scored[s] for s in slugs if scored[s] is not None}

    @cached_property
    def scored(self) -> pd.DataFrame | None:
        """The scored rows (units and the district total) of the period used (score.score_district)."""
        if not self.has_data:
            return None
        slug = self.district.slug
        return _scored(self.snapshot, [slug], self.asked, self._store, self._frames)[slug]

    @cached_property
    def ranked(self) -> pd.DataFrame:
        return rank.rank_units(self.require().scored)

    @property
    def total(self) -> pd.Series | None:
        """The district's own total row, if reported."""
        return score.total_row(self.require().scored)

    @cached_property
    def score(self) -> DistrictScore:
        return district_score(self.scored)

    @cached_property
    def comparison(self) -> pd.DataFrame:
        """Every unit of the districts compared, ranked together (rank.compare_districts)."""
        return rank.compare_districts(self.compared)

    @cached_property
    def findings(self):
        """The narrative's findings (findings.Findings). Districts are compared only where `comparable`
        allows it (the same period, each on its official score); otherwise the findings hold no
        comparison, so no panel or table ranks districts across periods."""
        from helpers import findings

        compared = self.compared
        comparison = (rank.with_district_totals(self.comparison, compared)
                      if comparable(standings(compared)) else None)
        return findings.build_findings(self.ranked, self.total, self.district, params.policy(), comparison)

    @cached_property
    def history(self) -> pd.DataFrame:
        """The district's score in every period the store holds up to the week asked (district_score of
        each period's effective rows; column `source_kind` says total or mean)."""
        rows = score.district_rows(self.snapshot.records, self.district.code)
        out = []
        for as_of in sorted(rows["as_of"].dropna().unique()):
            period = periods.parse_as_of(as_of)
            if not periods.covers(period, self.asked):
                continue
            s = district_score(score.period_records(rows, self.district.code, period))
            if s.value is not None:
                out.append({"as_of": as_of, "period_label": period.short_label(), "score": s.value,
                            "source_kind": s.basis})
        return pd.DataFrame(out, columns=["as_of", "period_label", "score", "source_kind"])

    @cached_property
    def used_findings(self) -> pd.DataFrame:
        """Warnings about the data the report uses: its period and the previous week it compares with."""
        period = self.require().period
        as_of = {period.as_of}
        if period.kind == "week":
            as_of.add(period.previous_week().as_of)
        f = self.snapshot.findings
        rows = f[(f["district_code"] == self.district.code) & (f["as_of"].isin(as_of) | f["as_of"].isna())]
        return rows.sort_values(["source", "source_line"], na_position="first").reset_index(drop=True)


def load(district: District | str, asked: Period, snapshot: Snapshot | None = None) -> DistrictWeek:
    """The district-week from the store's current generation (or from `snapshot`, a caller's frames)."""
    district = district if isinstance(district, District) else params.district(district)
    if snapshot is not None:
        return DistrictWeek(district, asked, snapshot)
    store = Store()
    return DistrictWeek(district, asked, store.read(), store)


def from_records(district: District | str, asked: Period, records: pd.DataFrame) -> DistrictWeek:
    """The district-week of a caller's records (no findings): the what-if panels, tests."""
    from helpers import records as rec

    return load(district, asked, Snapshot("", records, rec.empty(rec.FINDING_COLUMNS), rec.empty(rec.SOURCE_COLUMNS)))


def shown_path(path) -> str:
    """A path as the analyst knows it: relative to the project when inside it (it is shown in reports)."""
    try:
        return path.relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)
