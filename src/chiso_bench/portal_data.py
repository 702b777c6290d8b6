"""A SYNTHETIC national portal year: every province's communes, one capture a week, six groups.

The units are the real 2025 units of params/units_2025.csv (34 provinces, 3,321 communes, wards
and special zones), so every name matches the registry as a real export's would; the scores are
random (seeded), each group within its maximum, the total their sum, the year-to-date figures
drifting from week to week, a few totals tied. Each file has the layout of a real province file of
the new API (tests/data/portal/gialai_communes_2026-10-02.json): metadata, overview, count, communes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from helpers import lineage, params

YEAR = 2026


@dataclass
class PortalYear:
    root: Path
    files: list[Path] = field(default_factory=list)
    provinces: int = 0
    units: int = 0
    weeks: int = 0
    records: int = 0


def generate(root: Path, weeks: int = 52, provinces: int | None = None, seed: int = 766,
             province_codes: list[str] | None = None) -> PortalYear:
    """Write `weeks` weekly captures of every province's communes under `root` (one folder per province):
    the first `provinces` provinces in code order, or those of `province_codes`."""
    rng = np.random.default_rng(seed)
    units = lineage.units_2025()
    chosen = province_codes or list(dict.fromkeys(units["province_code"]))[:provinces]
    groups = params.portal()["groups"]
    maxima = np.array([float(g["max"]) for g in groups.values()])
    keys = [g["keys"][-1] for g in groups.values()]  # the communes' keys (ONLINE for DVCTT)
    out = PortalYear(root, provinces=len(chosen), weeks=weeks)
    mondays = [date(YEAR, 1, 5) + timedelta(weeks=w) for w in range(weeks)]
    for p_index, code in enumerate(chosen, start=1):
        mine = units[units["province_code"] == code].reset_index(drop=True)
        n = len(mine)
        out.units += n
        level = rng.uniform(0.35, 0.95, size=(n, 1)) * maxima  # each unit's own level per group
        folder = root / f"p{code}"
        folder.mkdir(parents=True, exist_ok=True)
        for w, monday in enumerate(mondays):
            drift = rng.normal(0, 0.03, size=(n, len(maxima))) * maxima
            scores = np.clip(level + drift * (1 + w / weeks), 0, maxima).round(2)
            scores[rng.random(n) < 0.02] = scores[0]  # a few ties with the first unit
            totals = scores.sum(axis=1).round(2)
            order = np.argsort(-totals, kind="stable")
            group_rank = np.empty(n, dtype=int)
            group_rank[order] = np.arange(1, n + 1)
            prov = mine.iloc[0]
            doc = {
                "metadata": {"province": f"UBND {prov['province_type']} {prov['province']}",
                             "provinceCode": f"H{p_index:02d}", "timeType": "year", "year": YEAR, "period": None,
                             "periodLabel": f"Năm {YEAR}", "extractedAt": f"{monday.isoformat()}T08:00:00Z"},
                "overview": {"departmentName": f"UBND {prov['province_type']} {prov['province']}",
                             "departmentCode": f"H{p_index:02d}", "totalScore": round(float(totals.mean()), 2),
                             "totalMaxScore": 100},
                "count": n,
                "communes": [
                    {"departmentId": f"s-{code}-{i}", "departmentName": f"UBND {t} {name}",
                     "departmentCode": f"H{p_index:02d}.{i + 1}", "childGroup": "COMMUNE",
                     "totalScore": float(totals[i]), "ratio": float(totals[i]), "scoreDelta": None,
                     "groupScores": dict(zip(keys, map(float, scores[i]))),
                     "rank": int(group_rank[i]), "groupRank": int(group_rank[i])}
                    for i, (name, t) in enumerate(zip(mine["name"], mine["type"]))
                ],
            }
            path = folder / f"p{code}_communes_{monday.isoformat()}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
            out.files.append(path)
            out.records += n
    return out
