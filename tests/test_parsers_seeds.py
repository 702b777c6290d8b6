"""Every row and every value of the three seed documents, transcribed by hand from the seed text."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from helpers.parsers import FORMATS, parse_document
from helpers.paths import project_root

RAW = project_root() / "data" / "raw"
CHO_MOI = RAW / "cho-moi" / "000_0e14d90c141fb8cb.txt"
PHU_TAN = RAW / "phu-tan" / "001_9befcb279ea0e6bb.txt"
THAP_MUOI = RAW / "thap-muoi" / "002_09ca01f0b851a3c6.txt"

TB, YEU = "Trung bình", "Yếu"

# Chợ Mới appendix table. (line, STT, name as printed, score, band, prev_score, delta, transparency,
# progress, online, payment, digitization, e_cert, e_cert_cum)
CHO_MOI_ROWS = [
    (365, None, "TOÀN HUYỆN", 57.45, TB, 57.16, 0.29, 59.8, 94.26, 7.7, 12.17, 25.4, 1746, 2834),
    (371, 1, "CHỢ MỚI", 65.79, TB, 65.41, 0.38, 72.6, 99.67, 20.1, 28.19, 33.3, 319, 323),
    (377, 2, "NHƠN MỸ", 64.55, TB, 64.25, 0.30, 79.6, 99.35, 12.8, 26.05, 26.6, 120, 398),
    (383, 3, "BÌNH PHƯỚC XUÂN", 63.82, TB, 63.47, 0.35, 78.7, 99.89, 11.1, 21.15, 25, 406, 503),
    (395, 4, "LONG ĐIỀN A", 63.28, TB, 62.99, 0.29, 87.2, 99.56, 7, 10.08, 22.5, 34, 55),
    (405, 5, "TẤN MỸ", 62.35, TB, 61.12, 1.23, 72, 99.9, 12.9, 14.95, 28, 177, 180),
    (411, 6, "LONG ĐIỀN B", 62.24, TB, 61.9, 0.34, 73.2, 99.71, 13.2, 7.76, 28.8, 59, 96),
    (421, 7, "LONG KIẾN", 61.86, TB, 61.63, 0.23, 75.2, 99.98, 9.3, 11.01, 26.3, 93, 448),
    (431, 8, "MỸ LUÔNG", 59.94, TB, 59.72, 0.22, 61.7, 99.74, 10.6, 15.94, 25.6, 64, 92),
    (440, 9, "HÒA AN", 58.28, TB, 57.80, 0.48, 65.6, 99.55, 4.6, 10.55, 21.6, 1, 7),
    (446, 10, "KIẾN THÀNH", 58.25, TB, 58.02, 0.23, 54.4, 99.96, 9.4, 16.31, 23.6, 43, 57),
    (456, 11, "AN THẠNH TRUNG", 57.81, TB, 57.02, 0.79, 58.6, 99.76, 5.5, 10.92, 23.5, 78, 79),
    (466, 12, "HÒA BÌNH", 56.9, TB, 56.66, 0.24, 60.1, 99.63, 3.6, 5.27, 21.6, 5, 16),
    (472, 13, "HỘI AN", 56.84, TB, 56.73, 0.11, 37.7, 98.06, 15.5, 22.59, 30.1, 210, 330),
    (478, 14, "LONG GIANG", 55.8, TB, 55.41, 0.39, 45.6, 99.51, 13.3, 6.45, 26.9, 117, 142),
    (488, 15, "MỸ AN", 54.01, TB, 53.98, 0.03, 38.4, 99.89, 5.40, 12.89, 21.5, 0, 4),
    (494, 16, "MỸ HIỆP", 51.39, TB, 51.18, 0.21, 26.4, 99.88, 5.40, 7.42, 21.9, 2, 39),
    (500, 17, "MỸ HỘI ĐÔNG", 51.1, TB, 56.88, -5.78, 82.9, 99.82, 6.9, 17.75, 21.8, 18, 63),
    (510, 18, "KIẾN AN", 49.18, YEU, 49.03, 0.15, 19.3, 99.84, 5.4, 7.56, 22.5, 0, 2),
]
CHO_MOI_COLUMNS = ["reported_rank", "score", "prev_score", "delta", "transparency_pct", "progress_pct",
                   "online_pct", "payment_pct", "digitization_pct", "e_cert", "e_cert_cum"]

# Phú Tân markdown table: (line, STT, name, score, band, prev_score, delta)
PHU_TAN_ROWS = [
    (56, None, "TOÀN HUYỆN", 59.28, TB, 59.11, 0.17),
    (57, 1, "PHÚ LÂM", 63.15, TB, 63.08, 0.07),
    (58, 2, "PHÚ AN", 61.14, TB, 61.03, 0.11),
    (59, 3, "HIỆP XƯƠNG", 61.03, TB, 60.91, 0.12),
    (60, 4, "PHÚ THẠNH", 60.64, TB, 60.56, 0.08),
    (61, 5, "PHÚ HÙNG", 59.25, TB, 59.18, 0.07),
    (62, 6, "PHÚ THÀNH", 59, TB, 58.8, 0.2),
    (63, 7, "PHÚ MỸ", 58.79, TB, 58.7, 0.09),
    (64, 8, "TÂN HÒA", 58.72, TB, 58.51, 0.21),
    (65, 9, "CHỢ VÀM", 58.6, TB, 58.5, 0.1),
    (66, 10, "TÂN TRUNG", 58.59, TB, 58.55, 0.04),
    (67, 11, "PHÚ HIỆP", 58.28, TB, 57.83, 0.45),
    (68, 12, "LONG HÒA", 58.1, TB, 58.01, 0.09),
    (69, 13, "PHÚ LONG", 58.09, TB, 57.85, 0.24),
    (70, 14, "HÒA LẠC", 57.96, TB, 57.81, 0.15),
    (71, 15, "PHÚ THỌ", 57.88, TB, 57.82, 0.06),
    (72, 16, "PHÚ BÌNH", 57.09, TB, 56.84, 0.25),
    (73, 17, "BÌNH THẠNH ĐÔNG", 56.75, TB, 56.5, 0.25),
    (74, 18, "PHÚ XUÂN", 56.62, TB, 56.61, 0.01),
]

# Tháp Mười footnote: (line of the type word, unit type, name as printed, score)
THAP_MUOI_ROWS = [
    (87, "xã", "Thạnh Lợi", 70.19),
    (87, "xã", "Hưng Thạnh", 69.45),
    (87, "xã", "Trường Xuân", 68.97),
    (87, "xã", "Mỹ Hòa", 73.33),
    (87, "xã", "Mỹ Quí", 73.11),
    (89, "xã", "Mỹ Đông", 72.03),
    (89, "xã", "Láng Biển", 72.03),
    (89, "xã", "Tân Kiều", 71.44),
    (89, "xã", "Đốc Binh Kiều", 69.98),
    (91, "xã", "Mỹ An", 73.53),
    (91, "thị trấn", "Mỹ An", 70.41),
    (91, "xã", "Phú Điền", 73.37),
    (91, "xã", "Thanh Mỹ", 66.98),
]


@pytest.fixture(scope="module")
def cho_moi():
    return parse_document(CHO_MOI)


@pytest.fixture(scope="module")
def phu_tan():
    return parse_document(PHU_TAN)


@pytest.fixture(scope="module")
def thap_muoi():
    return parse_document(THAP_MUOI)


def test_cho_moi_document(cho_moi):
    assert cho_moi.format == "text-table" and cho_moi.format in FORMATS
    assert cho_moi.source == CHO_MOI.name
    assert cho_moi.path == CHO_MOI
    assert cho_moi.sha256 == hashlib.sha256(CHO_MOI.read_bytes()).hexdigest()
    assert cho_moi.columns == CHO_MOI_COLUMNS
    assert len(cho_moi.rows) == 19
    assert sum(r.is_total for r in cho_moi.rows) == 1


@pytest.mark.parametrize("expected", CHO_MOI_ROWS, ids=[r[2] for r in CHO_MOI_ROWS])
def test_cho_moi_rows(cho_moi, expected):
    line, stt, name, score, band, prev, delta, transp, progress, online, payment, digit, ec, ec_cum = expected
    row = next(r for r in cho_moi.rows if r.line == line)
    assert row.name == name
    assert row.is_total is (stt is None)
    assert row.unit_type is None
    assert row.band == band
    want = {"reported_rank": stt, "score": score, "prev_score": prev, "delta": delta,
            "transparency_pct": transp, "progress_pct": progress, "online_pct": online,
            "payment_pct": payment, "digitization_pct": digit, "e_cert": ec, "e_cert_cum": ec_cum}
    assert set(row.values) == set(want)
    for col, value in want.items():
        got = row.values[col]
        if value is None:
            assert got is None, col
        elif col in ("reported_rank", "e_cert", "e_cert_cum"):
            assert type(got) is int and got == value, col
        else:
            assert type(got) is float and got == pytest.approx(value, abs=1e-9), col


def test_cho_moi_order_and_facts(cho_moi):
    assert [r.line for r in cho_moi.rows] == [r[0] for r in CHO_MOI_ROWS]
    units = [r for r in cho_moi.rows if not r.is_total]
    total = next(r for r in cho_moi.rows if r.is_total)
    assert sum(r.values["e_cert"] for r in units) == total.values["e_cert"] == 1746
    assert sum(r.values["e_cert_cum"] for r in units) == total.values["e_cert_cum"] == 2834
    assert [r.name for r in units if r.band == "Yếu"] == ["KIẾN AN"]
    meta = cho_moi.meta
    assert meta.district_name == "Chợ Mới"
    assert meta.province_name == "An Giang"
    assert meta.period.kind == "week" and meta.period.start == date(2023, 12, 4)
    assert meta.period.iso_week == "2023-W49"
    assert meta.period_line == 234
    assert (meta.province_rank, meta.province_rank_of) == (7, 11)


def test_phu_tan_document(phu_tan):
    assert phu_tan.format == "markdown"
    assert phu_tan.source == PHU_TAN.name
    assert phu_tan.sha256 == hashlib.sha256(PHU_TAN.read_bytes()).hexdigest()
    assert phu_tan.columns == ["reported_rank", "score", "prev_score", "delta"]  # no components
    assert len(phu_tan.rows) == 19
    assert [r.line for r in phu_tan.rows] == [r[0] for r in PHU_TAN_ROWS]
    meta = phu_tan.meta
    assert meta.district_name == "PHÚ TÂN"
    assert meta.province_name == "An Giang"
    assert meta.period.kind == "week" and meta.period.start == date(2023, 10, 9)
    assert meta.period.iso_week == "2023-W41"
    assert meta.period_line == 50
    assert (meta.province_rank, meta.province_rank_of) == (2, 11)


@pytest.mark.parametrize("expected", PHU_TAN_ROWS, ids=[r[2] for r in PHU_TAN_ROWS])
def test_phu_tan_rows(phu_tan, expected):
    line, stt, name, score, band, prev, delta = expected
    row = next(r for r in phu_tan.rows if r.line == line)
    assert row.name == name
    assert row.is_total is (stt is None)
    assert row.unit_type is None
    assert row.band == band
    assert row.values == {"reported_rank": stt, "score": pytest.approx(score), "prev_score": pytest.approx(prev),
                          "delta": pytest.approx(delta)}
    assert row.values["reported_rank"] is None or type(row.values["reported_rank"]) is int
    assert all(type(row.values[c]) is float for c in ("score", "prev_score", "delta"))


def test_thap_muoi_document(thap_muoi):
    assert thap_muoi.format == "prose"
    assert thap_muoi.columns == ["score"]
    assert len(thap_muoi.rows) == 13
    assert not any(r.is_total for r in thap_muoi.rows)
    assert all(r.band is None for r in thap_muoi.rows)
    got = [(r.line, r.unit_type, r.name, r.values) for r in thap_muoi.rows]
    want = [(line, t, name, {"score": pytest.approx(score)}) for line, t, name, score in THAP_MUOI_ROWS]
    assert got == want
    scores = [r.values["score"] for r in thap_muoi.rows]
    assert min(scores) == pytest.approx(66.98) and max(scores) == pytest.approx(73.53)
    meta = thap_muoi.meta
    assert meta.district_name == "THÁP MƯỜI"
    assert meta.province_name is None
    assert meta.period.kind == "month" and meta.period.as_of == "2023-09" and meta.period.iso_week == ""
    assert meta.period_line == 7
    assert meta.province_rank is None and meta.province_rank_of is None


def test_seed_copies_match_shared_seeds():
    """data/raw holds the seeds unedited (when the shared folder is beside the checkout)."""
    shared = project_root().parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared seeds not beside the checkout")
    for path in (CHO_MOI, PHU_TAN, THAP_MUOI):
        assert path.read_bytes() == (shared / path.name).read_bytes()
