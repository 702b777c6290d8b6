"""The benchmark's SYNTHETIC data generator writes reports in the real formats (no timing here:
speed is measured by `make bench` only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from chiso_bench import synthetic
from helpers import ingest
from helpers.store import Store


def _use(monkeypatch, data: synthetic.SyntheticSet) -> None:
    for key, value in data.env().items():
        monkeypatch.setenv(key, value)


def test_synthetic_reports_ingest_with_the_expected_record_count(scratch, monkeypatch):
    data = synthetic.generate(scratch / "synthetic", districts=3, weeks=2)
    _use(monkeypatch, data)
    assert len(data.files) == 6 and data.formats == {"text-table": 3, "markdown": 3}

    result = ingest.ingest_paths(data.files, store=Store(data.store_dir))

    assert sorted(result.added) == sorted(p.name for p in data.files)
    assert {f.report.format for f in result.files} == {"text-table", "markdown"}
    assert result.added_records == data.records
    records = Store(data.store_dir).records()
    assert len(records) == data.records
    assert int((~records["derived"]).sum()) == data.reported_records
    # every unit of the made-up registry is found, bands and changes read as printed
    rules = set(result.findings["rule"])
    assert not rules & {"missing_units", "band_mismatch", "delta_mismatch", "rank_sequence"}
    assert set(records["district_code"]) == {d.code for d in data.districts}
    assert set(records.loc[~records["derived"], "as_of"]) == {p.as_of for p in data.weeks}


def test_text_table_totals_are_the_sums_of_their_units(scratch, monkeypatch):
    data = synthetic.generate(scratch / "synthetic", districts=2, weeks=2, formats=("text-table",))
    _use(monkeypatch, data)
    ingest.ingest_paths(data.files, store=Store(data.store_dir))
    records = Store(data.store_dir).records()
    reported = records[~records["derived"]]
    for _, rows in reported.groupby("source"):
        total = rows[rows["unit_type"] == "huyện"].iloc[0]
        units = rows[rows["unit_type"] != "huyện"]
        assert int(units["e_cert"].sum()) == int(total["e_cert"])
        assert int(units["e_cert_cum"].sum()) == int(total["e_cert_cum"])
        assert units["transparency_pct"].notna().all()


def test_generator_is_deterministic_and_labelled(tmp_path):
    one = synthetic.generate(tmp_path / "one", districts=2, weeks=2, seed=7)
    two = synthetic.generate(tmp_path / "two", districts=2, weeks=2, seed=7)
    for a, b in zip(one.files, two.files, strict=True):
        assert a.read_bytes() == b.read_bytes()
    written = [p for p in (tmp_path / "one").rglob("*") if p.is_file()]
    assert written
    for path in written:
        assert "SYNTHETIC" in path.read_text(encoding="utf-8"), path.name


def test_generator_writes_only_the_weeks_asked(tmp_path):
    # weeks=3, write_from=2: the third week of the same three-week set, and nothing before it
    full = synthetic.generate(tmp_path / "full", districts=3, weeks=3, seed=7)
    last = synthetic.generate(tmp_path / "last", districts=3, weeks=3, seed=7, write_from=2)
    assert [p.name for p in last.files] == [p.name for p in full.files[-3:]]
    for a, b in zip(full.files[-3:], last.files, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert len(list((tmp_path / "last" / "raw").rglob("*.txt"))) == 3
    assert last.records == sum(2 * (len(d.units) + 1) for d in last.districts)


def _quick_bench(tmp_path, part: str) -> str:
    """`python -m chiso_bench --quick --only PART` with outputs in tmp_path; the table it wrote."""
    env = {**os.environ, "CHISO_OUTPUTS": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "chiso_bench", "--quick", "--only", part], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return (tmp_path / "bench" / "bench.md").read_text(encoding="utf-8")


def test_the_benchmark_runs_its_national_part_and_writes_its_table(tmp_path):
    # the benchmark's own code (child processes, the national part, the table), on its quick set; the
    # numbers it measures are reported, never asserted
    table = _quick_bench(tmp_path, "national")
    assert "c. SYNTHETIC national set: 30 districts × 4 weeks, 120 files" in table
    assert "the new week's 30 files among the raw ones" in table
    assert "c. the weekly batch of 2 districts over that store" in table and "error" not in table
    national = json.loads((tmp_path / "bench" / "bench.json").read_text(encoding="utf-8"))["national"]
    assert national["full"]["finished"] and national["full"]["records"] == national["records_expected"] == 3928
    assert national["next_week"]["records"] == 982
    assert (national["plan"]["files_added"], national["plan"]["to_run"]) == (0, 30)
    assert (national["plan_new_week"]["files_added"], national["plan_new_week"]["to_run"]) == (30, 30)
    assert sorted(national["reports"]["done"]) == national["reports"]["slugs"]
    # the floor ran over the same 120 files and built their 33 record rows a file (3,928 / 120)
    assert (national["floor"]["files"], national["floor"]["rows"]) == (120, 120 * 33)
    assert "c. the floor under any Python ingest of the same files" in table


def test_the_synthetic_portal_year_uses_the_registry_and_reads_back(tmp_path):
    from chiso_bench import portal_data
    from helpers.portal import ingest

    data = portal_data.generate(tmp_path / "p", weeks=2, provinces=2)
    assert (data.provinces, data.weeks, len(data.files)) == (2, 2, 4)
    records, findings, _ = ingest.parse_files(data.files)
    assert len(records) == data.records and records["unit_code"].notna().all()
    assert findings.empty and not records["sum_mismatch"].any()  # every name known, groups add up
    assert records.groupby("source")["rank"].min().eq(1).all()
    again = portal_data.generate(tmp_path / "q", weeks=2, provinces=2)
    assert [f.read_bytes() for f in again.files] == [f.read_bytes() for f in data.files]


def test_the_benchmark_runs_its_portal_part(tmp_path):
    table = _quick_bench(tmp_path, "portal")
    assert "e. national portal year (6 provinces" in table and "process executor" in table
    assert "dask executor" in table and "error" not in table
    portal = json.loads((tmp_path / "bench" / "bench.json").read_text(encoding="utf-8"))["portal"]
    assert portal["runs"]["process"][0]["records"] == portal["runs"]["dask"][0]["records"] == portal["records"]
