"""Ingesting and scoring many files: parallel parsing, known files skipped before parsing, many
districts scored from one pass over the store. Each gives the same results as the plain path."""

from __future__ import annotations

import hashlib
import pickle

import pandas as pd
import pytest

from chiso_bench import synthetic
from helpers import ingest, parallel_parse, params, score, validate
from helpers import records as rec
from helpers.errors import InputError
from helpers.periods import parse_week_arg
from helpers.store import Store
from tests.conftest import SEEDS


@pytest.fixture
def small_set(scratch, monkeypatch):
    data = synthetic.generate(scratch / "synthetic", districts=4, weeks=3)
    for key, value in data.env().items():
        monkeypatch.setenv(key, value)
    return data


def test_parallel_parsing_gives_the_same_rows_as_sequential(small_set, monkeypatch):
    monkeypatch.setattr(parallel_parse, "CHUNK_FILES", 5)  # 12 files: three chunks over two processes
    one = parallel_parse.parse_many(small_set.files, jobs=1)
    two = parallel_parse.parse_many(small_set.files, jobs=2)
    pd.testing.assert_frame_equal(one.records, two.records)
    pd.testing.assert_frame_equal(one.findings, two.findings)
    assert [(f.report.source, f.n_records, f.n_reported) for f in one.files] == \
        [(f.report.source, f.n_records, f.n_reported) for f in two.files]
    assert len(one.records) == small_set.records == sum(f.n_records for f in one.files)
    # the same rows as each file parsed on its own
    alone = pd.concat([validate.parse_file(p).records for p in small_set.files], ignore_index=True)
    pd.testing.assert_frame_equal(one.records, alone)


def test_parallel_ingest_stores_the_same_as_sequential(small_set, monkeypatch, tmp_path):
    monkeypatch.setattr(parallel_parse, "CHUNK_FILES", 4)
    a = ingest.ingest_paths(small_set.files, store=Store(tmp_path / "a"), jobs=1)
    b = ingest.ingest_paths(small_set.files, store=Store(tmp_path / "b"), jobs=2)
    assert a.added == b.added == [p.name for p in small_set.files]
    sa, sb = Store(tmp_path / "a").read(), Store(tmp_path / "b").read()
    pd.testing.assert_frame_equal(sa.records, sb.records)
    pd.testing.assert_frame_equal(sa.findings, sb.findings)
    cols = [c for c in rec.SOURCE_COLUMNS if c != "ingested_at"]
    pd.testing.assert_frame_equal(sa.sources[cols], sb.sources[cols])
    pd.testing.assert_frame_equal(a.summary(), b.summary())


def test_parallel_ingest_raises_the_first_error_and_stores_nothing(small_set, monkeypatch, tmp_path):
    monkeypatch.setattr(parallel_parse, "CHUNK_FILES", 2)
    files = list(small_set.files)
    markdown = next(p for p in files if p.read_text(encoding="utf-8").count("| 1 ") == 1)
    bad = tmp_path / "zz_bad.txt"
    line = _break_a_score(markdown, bad)  # the score of unit 1 is no number
    worse = tmp_path / "zz_worse.txt"
    worse.write_text("không có bảng nào\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        ingest.ingest_paths(files[:5] + [bad] + files[5:] + [worse], store=Store(tmp_path / "s"), jobs=2)
    assert (err.value.source, err.value.line) == ("zz_bad.txt", line)
    assert Store(tmp_path / "s").read().records.empty


def _break_a_score(markdown, target):
    """A copy of a markdown report at `target` whose unit 1 has no number as score; its line number."""
    lines = markdown.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("| 1 "))
    cells = lines[row].split("|")
    cells[3] = " 8o.74 "
    lines[row] = "|".join(cells)
    target.write_text("\n".join(lines), encoding="utf-8")
    return row + 1


# 3 files a district, 4 for the one with a bad file. 2 files a chunk: a chunk per district; 5: two
# districts a chunk, the bad one with a good one; 100: every district in one chunk.
@pytest.mark.parametrize("jobs, chunk_files", [(1, 2), (2, 2), (2, 5), (1, 100)])
def test_districts_ingest_in_one_write_and_a_failing_district_adds_nothing(small_set, monkeypatch, tmp_path, jobs,
                                                                           chunk_files):
    monkeypatch.setattr(parallel_parse, "CHUNK_FILES", chunk_files)
    districts = list(params.districts().values())
    bad = districts[1]
    markdown = next(p for p in sorted((small_set.raw_dir / bad.slug).iterdir())
                    if p.read_text(encoding="utf-8").count("| 1 ") == 1)
    line = _break_a_score(markdown, small_set.raw_dir / bad.slug / "zz_bad.txt")
    result, errors = ingest.ingest_districts(districts, Store(tmp_path / "s"), jobs=jobs)
    assert list(errors) == [bad.slug]
    assert (errors[bad.slug].source, errors[bad.slug].line) == ("zz_bad.txt", line)
    snap = Store(tmp_path / "s").read()
    assert snap.generation == "gen-000001"  # one write for every district
    good = [d for d in districts if d is not bad]
    assert set(snap.records["district_code"]) == {d.code for d in good}
    assert result.added == [p.name for d in good for p in ingest.raw_files(d)]
    # the same rows as ingesting each good district on its own
    for d in good:
        ingest.ingest_raw(d, Store(tmp_path / "one"))
    pd.testing.assert_frame_equal(snap.records, Store(tmp_path / "one").read().records)
    pd.testing.assert_frame_equal(snap.findings, Store(tmp_path / "one").read().findings)


def test_districts_are_packed_into_chunks_and_never_split(monkeypatch):
    monkeypatch.setattr(parallel_parse, "CHUNK_FILES", 4)
    groups = [("a", ["a1", "a2", "a3"]), ("b", ["b1"]), ("c", ["c1", "c2"]), ("d", ["d1"] * 7), ("e", ["e1"])]
    assert parallel_parse._packed(groups) == [groups[:2], groups[2:4], groups[4:]]
    assert parallel_parse._packed([]) == []


def test_districts_already_stored_are_neither_parsed_nor_read_again(small_set, monkeypatch):
    districts = list(params.districts().values())
    first, errors = ingest.ingest_districts(districts)
    assert errors == {} and len(first.files) == len(small_set.files)
    generation = Store().current()

    def must_not_run(*args, **kwargs):
        raise AssertionError("called for known files")

    monkeypatch.setattr(parallel_parse, "parse_file", must_not_run)
    monkeypatch.setattr(Store, "read", must_not_run)
    again, errors = ingest.ingest_districts(districts)
    assert errors == {} and again.files == [] and again.added == []
    assert Store().current() == generation
    # each raw file's SHA-256, from parsing it the first time and from recognising it the second
    expected = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in small_set.files}
    assert first.hashes == again.hashes == expected


def test_input_error_survives_pickling():
    err = pickle.loads(pickle.dumps(InputError("a.txt", 7, "sai")))
    assert (err.source, err.line, err.message, str(err)) == ("a.txt", 7, "sai", "a.txt:7: sai")


def test_known_files_are_not_parsed_again_and_described_from_the_store(scratch, monkeypatch):
    paths = [SEEDS["cho-moi"], SEEDS["phu-tan"]]
    first = ingest.ingest_paths(paths)

    def fail(*args, **kwargs):
        raise AssertionError("a known file was parsed again")

    monkeypatch.setattr(parallel_parse, "parse_file", fail)
    again = ingest.ingest_paths(paths)
    assert again.skipped == [p.name for p in paths] and again.added == [] and again.added_records == 0
    expected = first.summary().assign(**{"kết quả": "đã có trong kho"})
    pd.testing.assert_frame_equal(again.summary(), expected)
    pd.testing.assert_frame_equal(again.records, first.records)
    pd.testing.assert_frame_equal(again.findings, first.findings)
    expected = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    assert first.hashes == again.hashes == expected  # parsed the first time, recognised the second


def test_a_new_file_between_known_ones_keeps_the_file_order(scratch):
    ingest.ingest_paths([SEEDS["cho-moi"], SEEDS["thap-muoi"]])
    paths = [SEEDS["cho-moi"], SEEDS["phu-tan"], SEEDS["thap-muoi"]]
    mixed = ingest.ingest_paths(paths)
    assert mixed.added == [SEEDS["phu-tan"].name]
    assert mixed.skipped == [SEEDS["cho-moi"].name, SEEDS["thap-muoi"].name]
    assert [f.report.source for f in mixed.files] == [p.name for p in paths]
    plain = ingest.ingest_paths(paths, dry_run=True)  # parses every file
    pd.testing.assert_frame_equal(mixed.records, plain.records)
    pd.testing.assert_frame_equal(mixed.findings, plain.findings)
    assert list(mixed.summary()["số dòng"]) == list(plain.summary()["số dòng"])


def test_a_known_file_given_for_another_district_is_still_an_error(scratch):
    ingest.ingest_paths([SEEDS["cho-moi"]])
    with pytest.raises(InputError, match="phu-tan"):
        ingest.ingest_paths([SEEDS["cho-moi"]], district="phu-tan")


def test_score_districts_equals_score_district_for_each(scratch):
    ingest.ingest_paths(list(SEEDS.values()))
    records = Store().records()
    for week in ["2023-W49", "2023-W48", "2023-W40"]:
        asked = parse_week_arg(week)
        many = score.score_districts(records, list(params.districts()), asked)
        assert list(many) == list(params.districts())
        for slug, scored in many.items():
            one = score.score_district(records, slug, asked)
            if one is None:
                assert scored is None
            else:
                pd.testing.assert_frame_equal(scored, one)
    assert all(f is not None for f in score.score_districts(records, SEEDS, parse_week_arg("2023-W49")).values())


def test_score_districts_fills_the_previous_score_from_the_store_like_score_district(scratch):
    ingest.ingest_paths(list(SEEDS.values()))
    records = Store().records()
    # reports without a "last week" column: the previous week's store records give the previous score
    reported = ~records["derived"] & (records["as_of"] == "2023-12-04")
    records.loc[reported, "prev_score"] = pd.NA
    asked = parse_week_arg("2023-W49")
    many = score.score_districts(records, list(SEEDS), asked)
    filled = 0
    for slug, scored in many.items():
        pd.testing.assert_frame_equal(scored, score.score_district(records, slug, asked))
        filled += int(scored["prev_from_store"].sum())
    assert filled > 0


def test_coerce_keeps_the_input_and_its_typed_columns():
    frame = pd.DataFrame({"score": [1.5, None], "unit": ["a", None], "derived": [True, None]})
    out = rec.coerce(frame)
    assert frame["score"].dtype == float and frame["derived"].dtype == object  # input unchanged
    assert (str(out["score"].dtype), str(out["derived"].dtype)) == ("Float64", "bool")
    assert out["unit"].dtype == pd.StringDtype() and out["province_rank"].dtype == pd.Int64Dtype()
    again = rec.coerce(out)
    pd.testing.assert_frame_equal(again, out)


def test_rows_become_a_frame_of_the_schema_as_pandas_would_make_it():
    rows = [
        {"district": "Chợ Mới", "unit": "Kiến An", "score": 71.5, "reported_rank": 3, "derived": False,
         "source_line": 12, "band": None},
        {"district": "Chợ Mới", "unit": "Mỹ Hội Đông", "score": 64.0, "prev_score": 63.25, "derived": True},
        {"unit": "", "e_cert": 0, "e_cert_cum": 1234567},  # an empty name is a value; 0 is a value
    ]
    out = rec.from_rows(rows, rec.STORE_COLUMNS)
    expected = rec.coerce(pd.DataFrame({c: [r.get(c) for r in rows] for c in rec.STORE_COLUMNS}))
    pd.testing.assert_frame_equal(out, expected)
    assert list(out.columns) == rec.STORE_COLUMNS
    assert out["prev_score"].isna().tolist() == [True, False, True]  # a missing key is missing, never 0
    assert out["e_cert"].tolist()[2] == 0 and out["e_cert_cum"].tolist()[2] == 1234567
    assert out["unit"].tolist() == ["Kiến An", "Mỹ Hội Đông", ""]
    assert out["derived"].tolist() == [False, True, False]
    assert str(out["reported_rank"].dtype) == "Int64" and str(out["score"].dtype) == "Float64"


def test_unknown_district_among_many_names_the_closest(scratch, monkeypatch):
    # with more districts than a message can list, it names the closest and how many there are
    data = synthetic.generate(scratch / "synthetic", districts=14, weeks=1)
    for key, value in data.env().items():
        monkeypatch.setenv(key, value)
    first = data.districts[0]
    wrong = first.name[:-1] + ("a" if first.name[-1] != "a" else "o")  # one letter off
    source = data.files[0]
    text = source.read_text(encoding="utf-8").replace(first.name, wrong).replace(first.name.upper(), wrong.upper())
    path = scratch / "wrong.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        validate.parse_file(path)
    msg = info.value.message
    assert "có 14 huyện" in msg and f"{first.name} ({first.slug})" in msg
    assert msg.count("(syn-") <= 5
