"""Document metadata: district, province, period (week or month), rank in the province."""

from __future__ import annotations

from datetime import date

import pytest

from helpers.errors import InputError
from helpers.parsers.metadata import extract


def meta(text: str):
    return extract(list(enumerate(text.split("\n"), start=1)), "bc.txt")


def error(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        meta(text)
    assert info.value.source == "bc.txt"
    return info.value


# -- district and province ------------------------------------------------------------------------

def test_district_most_frequent_as_printed_first():
    m = meta("UBND HUYỆN PHÚ TÂN  \nVĂN PHÒNG\nVăn phòng UBND huyện Phú Tân báo cáo.\n"
             "Công văn của UBND huyện Chợ Mới.\nTrên địa bàn huyện Phú Tân./.")
    assert m.district_name == "PHÚ TÂN"


def test_district_most_frequent_wins_over_first():
    m = meta("Kính gửi UBND huyện Chợ Mới.\nhuyện Phú Tân\nhuyện Phú Tân báo cáo\nhuyện, thị xã, thành phố")
    assert m.district_name == "Phú Tân"


def test_district_ignores_lowercase_and_punctuation():
    m = meta("UBND huyện đề nghị; Cổng TTĐT huyện; xếp hạng 7/11 huyện, thị xã\nTT. UBND huyện;")
    assert m.district_name is None
    assert (m.province_rank, m.province_rank_of) == (7, 11)


def test_letterhead_columns_and_mixed_case():
    m = meta("UBND HUYỆN CHỢ MỚI  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHUYỆN THÁP MƯỜI Độc lập - Tự do")
    assert m.district_name == "CHỢ MỚI"
    m = meta("ỦY BAN NHÂN DÂN\nHUYỆN THÁP MƯỜI Độc lập - Tự do - Hạnh phúc")
    assert m.district_name == "THÁP MƯỜI"


def test_labels_from_a_spreadsheet():
    m = extract([(2, "Huyện: Tri Tôn"), (3, "Tỉnh: An Giang"), (4, "Thời gian chốt số liệu: 11/12/2023"),
                 (5, "Xếp hạng của huyện trong tỉnh: 3/11")], "mau.xlsx")
    assert (m.district_name, m.province_name) == ("Tri Tôn", "An Giang")
    assert m.period.start == date(2023, 12, 11) and m.period_line == 4  # the row number given
    assert (m.province_rank, m.province_rank_of) == (3, 11)


def test_blank_label_cell_does_not_read_the_next_label():
    # a spreadsheet row "Huyện:,," left blank, then "Tỉnh:,,An Giang": the district is unknown, not "Tỉnh"
    m = extract([(2, "Huyện:"), (3, "Tỉnh: An Giang"), (4, "Thời gian chốt số liệu: Ngày 11/12/2023")], "mau.csv")
    assert (m.district_name, m.province_name) == (None, "An Giang")
    m = extract([(2, "Huyện:"), (3, "Tỉnh:"), (4, "Xếp hạng của huyện trong tỉnh: 7/11")], "mau.csv")
    assert (m.district_name, m.province_name) == (None, None)
    assert (m.province_rank, m.province_rank_of) == (7, 11)
    # a name wrapped to the next line is still read
    assert extract([(2, "Huyện:"), (3, "Chợ Mới"), (4, "Tỉnh: An Giang")], "mau.csv").district_name == "Chợ Mới"


def test_province_wrapped_over_lines():
    assert meta("Công văn của UBND tỉnh \n\nAn Giang về việc giao chỉ tiêu").province_name == "An Giang"
    assert meta("Công văn của UBND tỉnh An \n\nGiang về việc đôn đốc").province_name == "An Giang"
    assert meta("hệ thống của tỉnh. Cụ thể").province_name is None


# -- period ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,cut,line", [
    ("BÁO CÁO\n(Thời gian chốt số liệu: Ngày 04/12/2023 -Tuần 1)", date(2023, 12, 4), 2),
    ("x\ny\n(Ngày 09/10/2023 - Tuần 2)**", date(2023, 10, 9), 3),
    ("Số liệu chốt số liệu ngày 11.12.2023", date(2023, 12, 11), 1),
    ("Thời gian chốt số liệu: Ngày 1/1/2024", date(2024, 1, 1), 1),
])
def test_cut_date_gives_the_week(text, cut, line):
    m = meta(text)
    assert m.period.kind == "week" and m.period.start == cut and m.period_line == line


def test_cut_date_consistent_with_week_of_month():
    m = meta("Tháng 12 – Tuần 1\n\nTuần 1 của tháng 12 năm 2023\n(Thời gian chốt số liệu: Ngày 04/12/2023 - Tuần 1)")
    assert m.period.start == date(2023, 12, 4) and m.period_line == 4


def test_week_of_month_with_year():
    m = meta("Báo cáo kết quả trong Tuần 2 của tháng 10 năm 2023 như sau")
    assert m.period.start == date(2023, 10, 9) and m.period.iso_week == "2023-W41" and m.period_line == 1


def test_month_week_with_year_from_document_date():
    m = meta("Phú Tân, ngày 05 tháng 12 năm 2023\nKết quả Tháng 12 – Tuần 1")
    assert m.period.start == date(2023, 12, 4) and m.period_line == 2


def test_december_week_in_a_january_letter():
    m = meta("ngày 02 tháng 01 năm 2024\nTháng 12 - Tuần 4")
    assert m.period.start == date(2023, 12, 25)


def test_week_mentions_after_so_voi_are_the_previous_week():
    m = meta("Tuần 1 của tháng 12 năm 2023, tăng so với tuần 4 tháng 11 năm 2023")
    assert m.period.start == date(2023, 12, 4)


def test_blank_day_gives_a_month():
    m = meta("Số:    /UBND-NV Tháp Mười, ngày       tháng 9 năm 2023")
    assert m.period.kind == "month" and m.period.as_of == "2023-09" and m.period_line == 1
    assert meta("Tháp Mười, ngày ... tháng 10 năm 2023").period.as_of == "2023-10"


def test_full_document_date_alone_gives_no_period():
    m = meta("Tháp Mười, ngày 15 tháng 9 năm 2023")
    assert m.period is None and m.period_line is None


def test_place_date_without_a_day_gives_a_month():
    m = meta("Số:    /UBND-NV\nTháp Mười, tháng 10 năm 2023")
    assert m.period.kind == "month" and m.period.as_of == "2023-10" and m.period_line == 2
    assert meta("Số:   /UBND-NV Tháp Mười, tháng 10 năm 2023").period.as_of == "2023-10"
    # inside a sentence (no place name before the comma) a month is no period
    assert meta("Trong năm, tháng 10 năm 2023 có nhiều hồ sơ").period is None
    assert error("Tháp Mười, tháng 13 năm 2023").line == 1


def test_full_document_date_is_kept_as_the_issue_date():
    from helpers.parsers.metadata import missing_period_message

    m = meta("Số:   /UBND-NV\nTháp Mười, ngày 16 tháng 10 năm 2023")
    assert m.period is None and (m.issue_date, m.issue_line) == (date(2023, 10, 16), 2)
    assert missing_period_message(m) == ("văn bản chỉ ghi ngày ban hành 16/10/2023 (dòng 2), không ghi ngày chốt "
                                         "số liệu hay tháng báo cáo; hãy ghi rõ kỳ số liệu bằng --as-of")
    assert "ngày ban hành" not in missing_period_message(meta("Kính gửi các đơn vị."))
    assert meta("Tháp Mười, ngày 31 tháng 2 năm 2023").issue_date is None  # no such day: nothing read


def test_week_without_any_year_gives_no_period():
    assert meta("Kết quả Tuần 2 tháng 10").period is None


def test_nothing_found():
    m = meta("Kính gửi các đơn vị.")
    assert m == type(m)()


# -- contradictions --------------------------------------------------------------------------------

def test_week_contradicting_cut_date():
    err = error("Tuần 2 của tháng 12 năm 2023\n\n(Thời gian chốt số liệu: Ngày 04/12/2023)")
    assert err.line == 1 and "mâu thuẫn" in err.message and "04/12/2023" in err.message


def test_week_beside_cut_date_contradicting_it():
    err = error("a\n(Thời gian chốt số liệu: Ngày 04/12/2023 - Tuần 2)")
    assert err.line == 2 and "mâu thuẫn" in err.message


def test_cut_date_not_a_monday():
    err = error("x\nchốt số liệu: Ngày 05/12/2023")
    assert err.line == 2 and "thứ Hai" in err.message


def test_two_cut_dates():
    err = error("chốt số liệu: Ngày 04/12/2023\n\nchốt số liệu: Ngày 11/12/2023")
    assert err.line == 3 and "hai ngày chốt" in err.message


def test_two_weeks_without_cut_date():
    err = error("Tháng 12/2023 – Tuần 1\nTuần 2 của tháng 12 năm 2023")
    assert err.line == 2


@pytest.mark.parametrize("text", ["chốt số liệu: Ngày 31/02/2023", "Tuần 5 tháng 2 năm 2023",
                                  "Tuần 9 tháng 2 năm 2023", "Tuần 1 tháng 13 năm 2023",
                                  "ngày   tháng 13 năm 2023"])
def test_impossible_dates(text):
    assert error(text).line == 1


# -- rank -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,rank", [
    ("xếp hạng 7/11 huyện, thị xã, thành phố", (7, 11)),
    ("xếp hạng 02/11 huyện", (2, 11)),
    ("Xếp hạng thứ 3 / 11 trong tỉnh", (3, 11)),
    ("XẾP HẠNG\n10/11", (10, 11)),
    ("xếp hạng tuần 04/12/2023", (None, None)),
    ("xếp hạng 12/11", (None, None)),
])
def test_province_rank(text, rank):
    m = meta(text)
    assert (m.province_rank, m.province_rank_of) == rank
