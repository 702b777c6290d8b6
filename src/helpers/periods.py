"""Week conventions of the weekly reports (see DOMAIN.md).

A report's period is the data-cut date, a Monday: week N of month M is the N-th Monday of that month.
A letter may give only a month; such a period stays a month and is never pinned to a week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from helpers.errors import UsageError

ISO_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: a data-cut Monday (kind 'week') or a whole month (kind 'month')."""

    start: date  # the cut date for a week; the first day for a month
    kind: str  # "week" or "month"

    @property
    def end(self) -> date:
        if self.kind == "week":
            return self.start
        nxt = date(self.start.year + self.start.month // 12, self.start.month % 12 + 1, 1)
        return nxt - timedelta(days=1)

    @property
    def as_of(self) -> str:
        """The contract's as_of: YYYY-MM-DD, or YYYY-MM for a month."""
        return self.start.isoformat() if self.kind == "week" else self.start.strftime("%Y-%m")

    @property
    def iso_week(self) -> str:
        """The contract's week column: ISO week of the cut date; empty for a month."""
        if self.kind != "week":
            return ""
        y, w, _ = self.start.isocalendar()
        return f"{y}-W{w:02d}"

    @property
    def week_of_month(self) -> int | None:
        return (self.start.day - 1) // 7 + 1 if self.kind == "week" else None

    def previous_week(self) -> Period:
        if self.kind != "week":
            raise ValueError("a month-only period has no previous week")
        return Period(self.start - timedelta(days=7), "week")

    def label(self) -> str:
        """Vietnamese label: 'Tháng 12 – Tuần 1 (chốt số liệu 04/12/2023)' or 'tháng 9 năm 2023'."""
        if self.kind == "month":
            return f"tháng {self.start.month} năm {self.start.year}"
        return (
            f"Tháng {self.start.month} – Tuần {self.week_of_month} "
            f"(chốt số liệu {self.start.strftime('%d/%m/%Y')})"
        )

    def short_label(self) -> str:
        """'tuần 1 tháng 12/2023' or 'tháng 9/2023', for chart captions."""
        if self.kind == "month":
            return f"tháng {self.start.month}/{self.start.year}"
        return f"tuần {self.week_of_month} tháng {self.start.month}/{self.start.year}"


def week(cut: date) -> Period:
    return Period(cut, "week")


def month(year: int, month_: int) -> Period:
    return Period(date(year, month_, 1), "month")


def nth_monday(year: int, month_: int, n: int) -> date:
    """The n-th Monday of a month (week n of month M in the reports)."""
    if not 1 <= n <= 5:
        raise ValueError(f"week of month must be 1-5, got {n}")
    first = date(year, month_, 1)
    day = first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))
    if day.month != month_:
        raise ValueError(f"tháng {month_}/{year} không có tuần {n}")
    return day


def monday_of_iso_week(text: str) -> date:
    m = ISO_WEEK_RE.match(text)
    if not m:
        raise ValueError(text)
    return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)


def parse_week_arg(text: str) -> Period:
    """A WEEK argument: ISO week '2023-W49' or a data-cut date '2023-12-04' (any day of that week)."""
    value = str(text).strip()
    try:
        if ISO_WEEK_RE.match(value):
            return week(monday_of_iso_week(value))
        if DATE_RE.match(value):
            d = date.fromisoformat(value)
            return week(d - timedelta(days=d.weekday()))
    except ValueError:
        pass
    raise UsageError(f"tuần '{text}' không hợp lệ: cần dạng 2023-W49 (tuần ISO) hoặc 2023-12-04 (ngày chốt số liệu)")


def parse_as_of(text: str) -> Period:
    """An --as-of override or a stored as_of: 'YYYY-MM-DD' (a week) or 'YYYY-MM' (a month)."""
    value = str(text).strip()
    try:
        if DATE_RE.match(value):
            return week(date.fromisoformat(value))
        m = MONTH_RE.match(value)
        if m:
            return month(int(m.group(1)), int(m.group(2)))
    except ValueError:
        pass
    raise UsageError(f"ngày chốt '{text}' không hợp lệ: cần dạng 2023-12-04 hoặc 2023-09")


def parse_as_of_arg(text: str) -> Period:
    """The --as-of override of an ingest: as parse_as_of, and a week's data-cut date must be a Monday
    (a stored as_of is always one; a cut date on another day would make a week no other report meets)."""
    period = parse_as_of(text)
    if period.kind == "week" and period.start.weekday() != 0:
        monday = period.start - timedelta(days=period.start.weekday())
        raise UsageError(f"--as-of {str(text).strip()}: ngày chốt số liệu {period.start:%d/%m/%Y} không phải thứ Hai "
                         f"(tuần báo cáo chốt số liệu vào thứ Hai; thứ Hai của tuần này là {monday.isoformat()})")
    return period


def agree(printed: Period, given: Period) -> bool:
    """True when an --as-of period `given` does not contradict the period a file prints: the same week or
    month, or a week and the month it falls in (either way round)."""
    if printed.kind == given.kind:
        return printed == given
    week_, month_ = (printed, given) if printed.kind == "week" else (given, printed)
    return (week_.start.year, week_.start.month) == (month_.start.year, month_.start.month)


def covers(period: Period, asked: Period) -> bool:
    """True when data of `period` may serve a report for week `asked` (it is not newer than it)."""
    return period.start <= asked.end + timedelta(days=6)
