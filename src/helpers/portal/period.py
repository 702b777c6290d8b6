"""The period a list of portal figures covers, and how the figures were fetched: every score the
workbench shows from the portal is stamped with it (`stamp`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from helpers import params


@dataclass(frozen=True)
class PortalPeriod:
    kind: str                     # "year" (the year to date) or "month"
    year: int
    month: int | None = None      # the month of a "month" period
    captured: date | None = None  # when the figures were taken from the portal
    method: str | None = None     # "old-api" / "new-api"
    given_by: str = "content"     # where the period was read: "content", "file name" or "--as-of"

    @classmethod
    def of_record(cls, row) -> PortalPeriod:
        """The period of a stored record (its period_kind, year, month, captured and method columns)."""
        return cls(row["period_kind"], int(row["year"]), None if pd.isna(row["month"]) else int(row["month"]),
                   None if pd.isna(row["captured"]) else date.fromisoformat(str(row["captured"])), row["method"])

    def label(self) -> str:
        """'năm 2025, lũy kế đến 16/10/2025', 'tháng 8/2026' (params/wording/labels.yaml, portal)."""
        from helpers.vi_format import label, vi_date

        day = vi_date(self.captured) if self.captured else None
        if self.kind == "month":
            return (label("portal", "period_month", month=self.month, year=self.year)
                    + (label("portal", "captured_on", date=day) if day else ""))
        return (label("portal", "period_year", year=self.year)
                + (label("portal", "up_to", date=day) if day else label("portal", "year_to_date")))

    def method_label(self) -> str:
        return params.portal()["methods"].get(self.method, self.method or "")

    def stamp(self) -> str:
        """The period and the method: 'năm 2025, lũy kế đến 16/10/2025; API cũ (jsp/rest.jsp, …)'."""
        return f"{self.label()}; {self.method_label()}"

    def key(self) -> str:
        """The outputs folder of the period: the ISO week of the capture ('2025-W42'), else the month
        ('2026-08') or the year ('2025')."""
        if self.captured:
            y, w, _ = self.captured.isocalendar()
            return f"{y}-W{w:02d}"
        return f"{self.year}-{self.month:02d}" if self.kind == "month" else str(self.year)

    def order(self) -> tuple:
        """Newest first when sorted in reverse: by capture (else the period's end), a year's list before
        a month's of the same capture."""
        end = self.captured or date(self.year, self.month or 12, 28)
        return (end, self.kind == "year")
