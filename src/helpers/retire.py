"""The store follows data/raw: what a file that has left data/raw/<slug>/ brought leaves the store.

data/raw is the record of what was received and the store is built from it. When a file is taken out
of a district's folder (sent by mistake, or replaced by a corrected report), its records (reported and
derived), its warnings and its line of the sources table leave the store in one atomic write, and the
district's conflicts are found again among the rows that stay (a conflict with the file's rows goes
with them). Nothing else changes. ingest.ingest_raw and ingest.ingest_districts call `retire_missing`
for the districts whose folder they read; the batch and the ingest notebook say what was retired.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers import periods, vi_format
from helpers import records as rec
from helpers.params import District
from helpers.paths import raw_dir
from helpers.store import Snapshot, Store


@dataclass(frozen=True)
class Retired:
    """A stored file that is no longer in its district's folder of data/raw."""

    source: str
    sha256: str
    district: District
    as_of: str
    records: int

    def message(self) -> str:
        from helpers.district_week import shown_path

        return vi_format.label("batch", "retired", source=self.source, district=self.district.name,
                               period=periods.parse_as_of(self.as_of).label(), rows=self.records,
                               folder=shown_path(raw_dir() / self.district.slug))


def missing(sources: pd.DataFrame, districts: list[District], present: set[str]) -> list[Retired]:
    """The stored files of `districts` whose SHA-256 is not among `present` (the files their folders
    hold now), in the order they were stored."""
    codes = {d.code: d for d in districts}
    rows = sources[sources["district_code"].isin(list(codes)) & ~sources["source_sha256"].isin(list(present))]
    rows = rows.drop_duplicates("source_sha256")
    return [Retired(str(r["source"]), str(r["source_sha256"]), codes[r["district_code"]], str(r["as_of"]),
                    int(r["records"]) if not rec.is_missing(r["records"]) else 0) for _, r in rows.iterrows()]


def without(snap: Snapshot, retired: list[Retired]) -> Snapshot:
    """The snapshot without the retired files' rows; the conflicts of their districts found again."""
    from helpers import merge

    shas = [r.sha256 for r in retired]
    codes = list({r.district.code for r in retired})
    records = snap.records[~snap.records["source_sha256"].isin(shas)].reset_index(drop=True)
    f = snap.findings
    conflict = (f["rule"] == "conflict").fillna(False).astype(bool)
    affected = f["district_code"].isin(codes).fillna(False).astype(bool)
    findings = f[~f["source_sha256"].isin(shas).fillna(False).astype(bool) & ~(conflict & affected)]
    in_codes = records["district_code"].isin(codes).fillna(False).astype(bool)
    found = merge.conflicts_among(records[in_codes].reset_index(drop=True))
    findings = pd.concat([findings, found], ignore_index=True) if len(found) else findings.reset_index(drop=True)
    sources = snap.sources[~snap.sources["source_sha256"].isin(shas)].reset_index(drop=True)
    return Snapshot(snap.generation, records, rec.coerce(findings, rec.FINDING_COLUMNS), sources)


def retire_missing(districts: list[District], present: set[str], store: Store | None = None) -> list[Retired]:
    """Take out of the store, in one write, the files of `districts` that are not `present` (SHA-256 of
    the files their folders hold now); returns what was retired (nothing written when nothing is)."""
    store = store or Store()
    if not missing(store.sources(), districts, present):  # (the sources table alone: no records read)
        return []
    found: list[Retired] = []

    def change(snap: Snapshot) -> Snapshot | None:
        found[:] = missing(snap.sources, districts, present)  # again under the lock
        return without(snap, found) if found else None

    store.update(change)
    return list(found)
