"""Bad input is refused clearly and nothing stored is ever lost.

Every file of tests/data/bad/ (made by make_bad.py, expected outcomes in expected.yaml) goes through
`chiso ingest` on a store that already holds the three seeds: the exit status, one plain line on
stderr naming the file and the line, no traceback, and for an error the store byte for byte as it was.
Files with only inconsistencies are stored, each warning listed with its file and line.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from helpers import ingest, validate
from helpers.cli import main
from helpers.store import Store
from tests.conftest import ROOT, SEEDS

BAD = ROOT / "tests" / "data" / "bad"
MANIFEST = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))["cases"]
NOT_CASES = {"expected.yaml", "make_bad.py"}
ERROR_PREFIX = "chiso: lỗi: "
WARNING_PREFIX = "cảnh báo: "


def _make_bad():
    spec = importlib.util.spec_from_file_location("make_bad", BAD / "make_bad.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tree_hash(root: Path) -> dict[str, str]:
    """SHA-256 of every file under root, by relative path (lock file included)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory) -> Path:
    """A store holding the three seed documents, built once and copied for each test."""
    root = tmp_path_factory.mktemp("seeded") / "store"
    ingest.ingest_paths(list(SEEDS.values()), store=Store(root))
    assert len(Store(root).read().sources) == 3
    return root


@pytest.fixture
def store(scratch, seeded_store) -> Path:
    root = Path(os.environ["CHISO_STORE"])
    shutil.copytree(seeded_store, root)
    return root


def scratch_params(tmp_path: Path, monkeypatch, limits: dict) -> Path:
    """A copy of params/ with these values in limits.yaml, used through CHISO_PARAMS."""
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    data = yaml.safe_load((params / "limits.yaml").read_text(encoding="utf-8"))
    data.update(limits)
    (params / "limits.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv("CHISO_PARAMS", str(params))
    return params


def case_path(name: str, spec: dict, tmp_path: Path, monkeypatch) -> Path:
    """The file for a corpus entry: the committed one, or the one the entry says to generate."""
    if spec.get("limits"):
        scratch_params(tmp_path, monkeypatch, spec["limits"])
    kind = spec.get("generate")
    if kind is None:
        return BAD / name
    folder = tmp_path / "generated"
    folder.mkdir(exist_ok=True)
    path = folder / name
    if kind == "sparse_21mb":  # 21 MB without writing them: the size is checked before reading
        with path.open("wb") as fh:
            fh.truncate(21 * 1024 * 1024)
    elif kind == "copy_phu_tan":
        shutil.copyfile(SEEDS["phu-tan"], path)
    elif kind == "absent":
        pass
    else:
        raise AssertionError(f"unknown generate: {kind}")
    return path


def where(name: str, line: int | None) -> str:
    return f"{name}:{line}: " if line else name


def check_error_output(name: str, spec: dict, status: int, out: str, err: str) -> str:
    assert status == spec["status"], err
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith(ERROR_PREFIX)
    assert where(name, spec["line"]) in line
    if spec["line"] is None:  # no invented line number
        assert not re.search(rf"{re.escape(name)}:\d", line), line
    assert spec["message"] in line, line
    assert unicodedata.is_normalized("NFC", line)
    return line


# -- the corpus itself ---------------------------------------------------------------------------

def test_manifest_lists_every_file_and_only_those():
    on_disk = {p.name for p in BAD.iterdir() if p.is_file()} - NOT_CASES
    committed = {name for name, spec in MANIFEST.items() if not spec.get("generate")}
    assert on_disk == committed
    for name, spec in MANIFEST.items():
        assert spec["status"] in (0, 1, 2), name
        assert isinstance(spec["message"], str) and spec["message"], name
        assert (spec["status"] == 0) == ("rule" in spec), name


def test_manifest_covers_the_issue_list():
    """At least one case for each kind of bad input the issue asks for."""
    names = set(MANIFEST)
    for needed in ["empty.txt", "binary_garbage.txt", "phu_tan_utf16.md", "cho_moi_windows1258.txt",
                   "cho_moi_truncated.txt", "phu_tan_missing_score.md", "phu_tan_score_105.md",
                   "cho_moi_pct_140.txt", "cho_moi_negative_count.txt", "phu_tan_duplicate_unit.md",
                   "phu_tan_unknown_unit.md", "cho_moi_total_mismatch.txt",
                   "cho_moi_week_contradicts_cut.txt", "phu_tan_html_unit.md", "oversize_21mb.txt",
                   "cho_moi_formulas.xlsx", "phu_tan_broken_xml.docx", "billion_laughs.docx",
                   "billion_laughs.xlsx", "zip_bomb_ratio.xlsx"]:
        assert needed in names


def test_make_bad_rewrites_the_same_text_cases(tmp_path):
    """The committed text cases are exactly what make_bad.py derives from the seeds today."""
    make_bad = _make_bad()
    for name, body in make_bad.text_cases().items():
        data = body.encode("utf-8") if isinstance(body, str) else body
        assert (BAD / name).read_bytes() == data, name


def test_office_controls_without_the_defect_are_accepted(tmp_path):
    """The XLSX and DOCX the binary cases are built from parse: each refusal is the defect's doing."""
    make_bad = _make_bad()
    xlsx = tmp_path / "good.xlsx"
    xlsx.write_bytes(make_bad.xlsx_bytes(formula=False))
    docx = tmp_path / "good.docx"
    docx.write_bytes(make_bad.docx_bytes())
    assert len(validate.parse_file(xlsx).records) > 0
    assert len(validate.parse_file(docx).records) > 0


# -- every corpus entry through `chiso ingest` -----------------------------------------------------

@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_bad_input(name, store, tmp_path, monkeypatch, capsys):
    spec = MANIFEST[name]
    path = case_path(name, spec, tmp_path, monkeypatch)
    before = tree_hash(store)
    assert before  # the store is not empty: three seeds
    status = main(["ingest", str(path)])
    out, err = capsys.readouterr()
    if spec["status"] != 0:
        check_error_output(name, spec, status, out, err)
        assert tree_hash(store) == before, "the store changed after a refused file"
        assert out == ""
        return
    # warnings only: stored, every warning on its own line with file and line
    assert status == 0, err
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert lines and all(line.startswith(WARNING_PREFIX) for line in lines), err
    # each warning names its file, then its line when it has one (never "nan" or "<NA>")
    assert all(re.match(rf"{WARNING_PREFIX}[^:]+(:\d+)?: \S", line) for line in lines), err
    assert any(where(name, spec["line"]) in line and spec["message"] in line for line in lines), err
    assert f"đã thêm: {name}" in out
    findings = Store().read().findings
    mine = findings[(findings["source"] == name) & (findings["rule"] == spec["rule"])]
    assert len(mine) >= 1
    got = mine["source_line"].iloc[0]
    assert (None if got is None or str(got) == "<NA>" else int(got)) == spec["line"]


@pytest.mark.parametrize("name", ["empty.txt", "cho_moi_windows1258.txt", "phu_tan_score_105.md",
                                  "billion_laughs.docx", "cho_moi_formulas.xlsx", "does_not_exist.txt",
                                  "phu_tan_band_mismatch.md"])
def test_bad_input_real_process(name, store, tmp_path, monkeypatch):
    """The real command: stderr as the user sees it (library warnings included), exit status, store."""
    spec = MANIFEST[name]
    path = case_path(name, spec, tmp_path, monkeypatch)
    before = tree_hash(store)
    env = {k: v for k, v in os.environ.items() if k != "CHISO_DEBUG"}
    proc = subprocess.run([sys.executable, "-m", "helpers", "ingest", str(path)], capture_output=True,
                          text=True, encoding="utf-8", env=env, cwd=tmp_path, timeout=120, check=False)
    if spec["status"] != 0:
        check_error_output(name, spec, proc.returncode, proc.stdout, proc.stderr)
        assert tree_hash(store) == before
    else:
        assert proc.returncode == 0, proc.stderr
        assert all(line.startswith(WARNING_PREFIX) for line in proc.stderr.splitlines()), proc.stderr
        assert spec["message"] in proc.stderr


# -- more than one file, folders, permissions ---------------------------------------------------------

def test_one_bad_file_among_good_ones_stores_nothing(store, capsys):
    """All or nothing: a new good report given with a bad one is not stored either."""
    good = ROOT / "tests" / "data" / "parsers" / "cho_moi_tuan2_2023-12-11.txt"
    assert validate.parse_file(good).records is not None  # it is good on its own
    before = tree_hash(store)
    status = main(["ingest", str(good), str(BAD / "phu_tan_score_105.md")])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and "phu_tan_score_105.md:58:" in err
    assert tree_hash(store) == before


def test_folder_with_a_bad_file_stores_nothing(store, tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copyfile(ROOT / "tests" / "data" / "parsers" / "cho_moi_tuan2_2023-12-11.txt", folder / "a.txt")
    shutil.copyfile(BAD / "cho_moi_total_mismatch.txt", folder / "b.txt")
    before = tree_hash(store)
    assert main(["ingest", str(folder)]) == 1
    assert "b.txt:365:" in capsys.readouterr().err
    assert tree_hash(store) == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_a_bad_command(store, tmp_path, capsys):
    path = tmp_path / "locked.txt"
    shutil.copyfile(SEEDS["phu-tan"], path)
    path.chmod(0)
    try:
        before = tree_hash(store)
        assert main(["ingest", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "locked.txt" in err
        assert tree_hash(store) == before
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("argv, fragment", [
    (["ingest", str(SEEDS["cho-moi"]), "--district", "../x"], "../x"),
    (["ingest", str(SEEDS["cho-moi"]), "--district", "ben-tre"], "ben-tre"),
    (["ingest", str(SEEDS["cho-moi"]), "--as-of", "2023-13-01"], "2023-13-01"),
    (["ingest", str(SEEDS["cho-moi"]), "--parser", "word"], "word"),
    (["ingest", str(ROOT / "tests" / "data" / "bad" / "no-such-file.md")], "no-such-file.md"),
])
def test_bad_commands_exit_2(argv, fragment, store, capsys):
    before = tree_hash(store)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(ERROR_PREFIX) and fragment in err
    assert tree_hash(store) == before


def test_file_for_another_district_is_refused(store, capsys):
    before = tree_hash(store)
    assert main(["ingest", str(SEEDS["cho-moi"]), "--district", "phu-tan"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "000_0e14d90c141fb8cb.txt: " in err and "Chợ Mới" in err
    assert tree_hash(store) == before


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_an_office_file_asking_for_an_unknown_zip_version_is_refused_plainly(suffix, tmp_path):
    """zipfile refuses a central directory entry that needs a newer zip version (NotImplementedError):
    the reader says the file is damaged, with its name, instead of failing with a traceback."""
    from helpers.errors import InputError
    from helpers.parsers import parse_document

    make_bad = _make_bad()
    data = bytearray(make_bad.xlsx_bytes(formula=False) if suffix == ".xlsx" else make_bad.docx_bytes())
    entry = data.index(b"PK\x01\x02")  # the first central directory entry
    data[entry + 6:entry + 8] = (64).to_bytes(2, "little")  # "version needed to extract": 6.4
    path = tmp_path / f"version{suffix}"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        parse_document(path)
    assert err.value.source == path.name and "hỏng" in err.value.message


def test_csv_with_a_blank_district_cell_asks_for_the_district(store, tmp_path, capsys):
    rows = ["STT,Đơn vị,Điểm tổng hợp,Xếp loại", ",TOÀN HUYỆN,57.95,Trung bình", "1,CHỢ MỚI,66.29,Trung bình"]
    path = tmp_path / "nodistrict.csv"
    path.write_text("\n".join(["Huyện:,,", "Tỉnh:,,An Giang", "Thời gian chốt số liệu:,,Ngày 11/12/2023", "",
                               *rows]) + "\n", encoding="utf-8")
    before = tree_hash(store)
    assert main(["ingest", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == f"{ERROR_PREFIX}nodistrict.csv: không xác định được huyện trong tệp; hãy ghi rõ bằng --district\n"
    assert tree_hash(store) == before
