from datetime import date

import pytest

from helpers import periods
from helpers.errors import UsageError


def test_week_of_month_is_nth_monday():
    assert periods.nth_monday(2023, 12, 1) == date(2023, 12, 4)
    assert periods.nth_monday(2023, 10, 2) == date(2023, 10, 9)
    assert periods.nth_monday(2023, 11, 4) == date(2023, 11, 27)
    with pytest.raises(ValueError):
        periods.nth_monday(2023, 2, 5)  # February 2023 has four Mondays


def test_iso_weeks_of_the_seeds():
    assert periods.week(date(2023, 12, 4)).iso_week == "2023-W49"
    assert periods.week(date(2023, 10, 9)).iso_week == "2023-W41"
    assert periods.week(date(2023, 12, 4)).previous_week().as_of == "2023-11-27"
    assert periods.week(date(2023, 11, 27)).iso_week == "2023-W48"


def test_month_period_is_never_a_week():
    sept = periods.parse_as_of("2023-09")
    assert (sept.kind, sept.as_of, sept.iso_week) == ("month", "2023-09", "")
    assert sept.label() == "tháng 9 năm 2023"
    assert sept.end == date(2023, 9, 30)
    with pytest.raises(ValueError):
        sept.previous_week()


def test_week_argument_forms():
    assert periods.parse_week_arg("2023-W49").start == date(2023, 12, 4)
    assert periods.parse_week_arg("2023-12-04").iso_week == "2023-W49"
    assert periods.parse_week_arg("2023-12-06").start == date(2023, 12, 4)
    for bad in ["2023-W60", "W49", "2023/12/04", "2023-13-01", "", "../etc"]:
        with pytest.raises(UsageError):
            periods.parse_week_arg(bad)


def test_labels():
    w = periods.week(date(2023, 12, 4))
    assert w.label() == "Tháng 12 – Tuần 1 (chốt số liệu 04/12/2023)"
    assert w.short_label() == "tuần 1 tháng 12/2023"


def test_covers_older_data_only():
    asked = periods.parse_week_arg("2023-W49")
    assert periods.covers(periods.week(date(2023, 10, 9)), asked)
    assert periods.covers(periods.parse_as_of("2023-09"), asked)
    assert not periods.covers(periods.week(date(2023, 12, 18)), asked)


def test_as_of_argument_of_a_week_must_be_a_monday():
    assert periods.parse_as_of_arg("2023-12-11").start == date(2023, 12, 11)
    assert periods.parse_as_of_arg("2023-09").as_of == "2023-09"  # a month stays a month
    with pytest.raises(UsageError) as exc:
        periods.parse_as_of_arg("2023-12-13")  # a Wednesday
    assert "13/12/2023 không phải thứ Hai" in str(exc.value) and "2023-12-11" in str(exc.value)
    with pytest.raises(UsageError):
        periods.parse_as_of_arg("2023-13-01")
    assert periods.parse_as_of("2023-12-13").start == date(2023, 12, 13)  # stored values are read as they are


def test_as_of_agrees_with_the_printed_period_or_its_month():
    w50, w51 = periods.week(date(2023, 12, 11)), periods.week(date(2023, 12, 18))
    dec, sept = periods.month(2023, 12), periods.month(2023, 9)
    assert periods.agree(w50, w50) and periods.agree(sept, sept)
    assert periods.agree(w50, dec) and periods.agree(dec, w51)
    assert not periods.agree(w50, w51)
    assert not periods.agree(sept, dec)
    assert not periods.agree(sept, w50) and not periods.agree(w50, sept)
