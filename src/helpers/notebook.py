"""What every notebook calls right after its parameters: validate them, and name its output folder."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from helpers import district_week, params, periods
from helpers.district_week import DistrictWeek
from helpers.errors import ChisoError, UsageError
from helpers.params import District
from helpers.paths import inside, outputs_dir
from helpers.periods import Period

# The parameters each notebook accepts, with their types. Every notebook takes the same four: a district
# and a week (2023-style reports), or a province (`province`, a slug: its communes from the national
# portal's figures, for the newest period stored; `district` and `week` are then not used). `province`
# may be left out (OPTIONAL: its value when absent).
PARAMETERS = {"district": str, "week": str, "interactive": bool, "province": str}
OPTIONAL = {"province": ""}
IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


@dataclass(frozen=True)
class Run:
    district: District | None  # None for a province's run
    asked: Period | None  # the week given, parsed once; None = the latest week in the store
    interactive: bool
    province: str = ""  # a province's slug: its communes from the portal's figures (helpers.portal)

    @cached_property
    def province_view(self):
        """The province's communes for the newest period of the portal store (helpers.portal.views)."""
        from helpers.portal import views

        return views.load(self.province)

    @cached_property
    def week(self) -> Period:
        """The week asked (a report's data may be older: see score.select_period); when none was given,
        the latest week of the store, resolved once, on first use."""
        return self.asked or latest_week()

    @cached_property
    def district_week(self) -> DistrictWeek:
        """The district for the week asked (helpers.district_week.load); an error naming the folder to
        fill when it has no data by then."""
        return district_week.load(self.district, self.week).require()

    @property
    def out_dir(self) -> Path:
        """outputs/<week>/<district-slug>/ (a province: outputs/<its period>/<province-slug>/), guaranteed
        inside outputs/."""
        if self.province:
            return inside(outputs_dir(), self.province_view.period.key(), self.province)
        return inside(outputs_dir(), self.week.iso_week, self.district.slug)


# What papermill can inject: JSON values. A global holding anything else (a Run, a frame, a report) is
# the notebook's own result from an earlier run in the same kernel, never a parameter.
PARAMETER_VALUES = (str, bool, int, float, list, dict, type(None))


def _short_workbench_errors() -> None:
    """In a kernel: a workbench error (a ChisoError, written for its reader) shows as its one line, not
    as a traceback through the helpers; any other error keeps its whole traceback. The cell still
    fails, so papermill and the batch see the error as before."""
    try:
        from IPython import get_ipython
    except ImportError:  # (not in a kernel)
        return
    shell = get_ipython()
    if shell is None:
        return

    def one_line(shell, etype, value, tb, tb_offset=None):
        # what showtraceback(exception_only=True) shows, without its English line before it; the kernel's
        # _showtraceback publishes it as the cell's error
        shell._showtraceback(etype, value, shell.InteractiveTB.get_exception_only(etype, value))

    shell.set_custom_exc((ChisoError,), one_line)


def check_parameters(namespace: dict) -> Run:
    """Validate the notebook's parameters (pass `globals()`): unknown, missing or mistyped names fail.

    The parameters are the globals holding JSON values (papermill injects nothing else), so the
    notebook runs again in the same kernel after an analyst changes its first cell. An empty `week`
    means the latest week in the store.
    """
    _short_workbench_errors()
    given = {
        k: v for k, v in namespace.items()
        if not k.startswith("_") and k not in IPYTHON_NAMES and isinstance(v, PARAMETER_VALUES)
    }
    unknown = sorted(set(given) - set(PARAMETERS))
    if unknown:
        raise UsageError(f"tham số không được hỗ trợ: {', '.join(unknown)} (chỉ nhận: {', '.join(PARAMETERS)})")
    given = {**OPTIONAL, **given}
    missing = sorted(set(PARAMETERS) - set(given))
    if missing:
        raise UsageError(f"thiếu tham số: {', '.join(missing)}")
    for name, kind in PARAMETERS.items():
        if not isinstance(given[name], kind):
            raise UsageError(f"tham số '{name}' phải là {kind.__name__}, nhận được {given[name]!r}")
    if given["province"]:
        from helpers.portal import report

        report.province_of(given["province"])  # fails now on an unknown province
        return Run(None, None, given["interactive"], given["province"])
    district = params.district(given["district"])
    asked = periods.parse_week_arg(given["week"]) if given["week"] else None  # fails now on a malformed week
    return Run(district, asked, given["interactive"])


def latest_week() -> Period:
    """The newest week of reported (not derived) data in the store."""
    from helpers.store import Store

    recs = Store().records()
    recs = recs[(recs["period_kind"] == "week") & (~recs["derived"])]
    if recs.empty:
        raise UsageError("kho dữ liệu chưa có tuần nào: hãy chạy notebook 01_ingest trước (hoặc make report)")
    return periods.parse_as_of(str(recs["as_of"].max()))
