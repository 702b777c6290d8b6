"""Policy loaded from params/: districts, bands, targets, aliases, limits and wording.

Everything here is data the district office may change; code reads it through these functions only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from helpers.errors import ParamsError, UsageError
from helpers.paths import params_dir

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# The C loader (libyaml) reads the generated units.yaml about ten times faster than the Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Band:
    name: str
    min: float
    color: str


@dataclass(frozen=True)
class District:
    slug: str
    name: str
    code: str
    province: str
    issuing_body: str
    parent_body: str
    decimal: str
    thousands: str
    units_15_3: tuple[str, ...]
    deadline_15_3: date | None
    reporting_body: str = ""  # who reports, as the opening sentence names it ("Văn phòng HĐND và UBND huyện …")


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    target: float | None


@dataclass(frozen=True)
class Policy:
    bands: tuple[Band, ...]
    flag_lines: tuple[float, ...]
    components: tuple[Component, ...]
    min_score_15_3: float
    notable_drop_points: float
    weakest_n: int
    far_below_share: float
    delta_tolerance: float
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def _load(name: str, base: Path | None = None) -> dict:
    path = (base or params_dir()) / name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError as exc:
        raise ParamsError(f"thiếu tệp tham số {path}") from exc
    except yaml.YAMLError as exc:
        raise ParamsError(f"tệp tham số {path} không đọc được: {exc}") from exc
    if not isinstance(data, dict):
        raise ParamsError(f"tệp tham số {path} phải là một bảng khóa: giá trị")
    return data


def _need(data: dict, key: str, where: str):
    if key not in data:
        raise ParamsError(f"{where}: thiếu khóa '{key}'")
    return data[key]


@lru_cache(maxsize=8)
def _districts_yaml(base: str) -> dict:
    return _load("districts.yaml", Path(base))


@lru_cache(maxsize=8)
def _districts(base: str) -> dict[str, District]:
    raw = _need(_districts_yaml(base), "districts", "districts.yaml")
    out = {}
    for slug, d in raw.items():
        where = f"districts.yaml: {slug}"
        if not SLUG_RE.match(str(slug)):
            raise ParamsError(f"{where}: mã huyện (slug) chỉ gồm chữ thường ASCII, số và dấu '-'")
        c153 = d.get("criterion_15_3") or {}
        deadline = c153.get("deadline")
        out[slug] = District(
            slug=slug,
            name=str(_need(d, "name", where)),
            code=str(_need(d, "code", where)),
            province=str(_need(d, "province", where)),
            issuing_body=str(d.get("issuing_body", "")),
            parent_body=str(d.get("parent_body", "")),
            reporting_body=str(d.get("reporting_body", "")),
            decimal=str((d.get("number_format") or {}).get("decimal", ".")),
            thousands=str((d.get("number_format") or {}).get("thousands", "")),
            units_15_3=tuple(c153.get("units") or ()),
            deadline_15_3=date.fromisoformat(str(deadline)) if deadline else None,
        )
        if out[slug].decimal not in {".", ","}:
            raise ParamsError(f"{where}: number_format.decimal phải là '.' hoặc ','")
        if out[slug].thousands in {".", ","} and (out[slug].decimal == "." or out[slug].thousands == out[slug].decimal):
            raise ParamsError(f"{where}: number_format.thousands '{out[slug].thousands}' đọc như dấu thập phân; "
                              "với dấu thập phân '.', hãy để trống hoặc dùng dấu cách")
    return out


def districts() -> dict[str, District]:
    """All districts of params/districts.yaml, keyed by slug, in file order."""
    return _districts(str(params_dir()))


COMPARISON_GROUPS = {
    "all": "every district of params/districts.yaml",
    "province": "the districts of params/districts.yaml in the district's own province",
}


@lru_cache(maxsize=8)
def _comparison_group(base: str) -> str:
    group = _districts_yaml(base).get("comparison", "all")
    if group not in COMPARISON_GROUPS:
        raise ParamsError(f"districts.yaml: 'comparison' phải là một trong {', '.join(COMPARISON_GROUPS)} "
                          f"(nhận được {group!r})")
    return group


def compared_with(district: District) -> list[District]:
    """The districts a district's report compares it with, itself included, in file order: every
    district of params/districts.yaml, or those of its province (the file's `comparison` key)."""
    everyone = list(districts().values())
    if _comparison_group(str(params_dir())) == "province":
        return [d for d in everyone if d.province == district.province]
    return everyone


def district(slug: str) -> District:
    """The district with this slug; a clear UsageError for anything else (paths, '..', unknown)."""
    known = districts()
    if not isinstance(slug, str) or not SLUG_RE.match(slug) or slug not in known:
        raise UsageError(f"không có huyện '{slug}' trong params/districts.yaml (có: {', '.join(known)})")
    return known[slug]


@lru_cache(maxsize=8)
def _districts_by_code(base: str) -> dict[str, tuple[District, ...]]:
    out: dict[str, tuple[District, ...]] = {}
    for d in _districts(base).values():
        out[d.code] = out.get(d.code, ()) + (d,)
    return out


def districts_with_code(code: str) -> tuple[District, ...]:
    """The districts of params/districts.yaml with this official code, in file order."""
    return _districts_by_code(str(params_dir())).get(str(code), ())


def district_by_code(code: str) -> District | None:
    found = districts_with_code(code)
    return found[0] if found else None


@lru_cache(maxsize=8)
def _policy(base: str) -> Policy:
    b = _load("bands.yaml", Path(base))
    t = _load("targets.yaml", Path(base))
    bands = tuple(
        Band(str(x["name"]), float(x["min"]), str(x["color"])) for x in _need(b, "bands", "bands.yaml")
    )
    if [x.min for x in bands] != sorted((x.min for x in bands), reverse=True):
        raise ParamsError("bands.yaml: các hạng phải xếp từ cao xuống thấp theo 'min'")
    comps = tuple(
        Component(k, str(v["label"]), None if v.get("target") is None else float(v["target"]))
        for k, v in _need(t, "components", "targets.yaml").items()
    )
    policy = Policy(
        bands=bands,
        flag_lines=tuple(float(x) for x in b.get("flag_lines", [])),
        components=comps,
        min_score_15_3=float(_need(t, "criterion_15_3_min_score", "targets.yaml")),
        notable_drop_points=float(_need(t, "notable_drop_points", "targets.yaml")),
        weakest_n=int(_need(t, "weakest_n", "targets.yaml")),
        far_below_share=float(t.get("far_below_share", 0.5)),
        delta_tolerance=float(t.get("delta_tolerance", 0.01)),
    )
    if policy.weakest_n < 1 or policy.notable_drop_points < 0:
        raise ParamsError("targets.yaml: weakest_n phải ≥ 1 và notable_drop_points ≥ 0")
    return policy


def policy() -> Policy:
    """Bands, component targets and thresholds."""
    return _policy(str(params_dir()))


def band_names() -> list[str]:
    return [b.name for b in policy().bands]


@lru_cache(maxsize=8)
def _aliases(base: str) -> dict[str, dict[str, str]]:
    return {k: dict(v or {}) for k, v in _load("aliases.yaml", Path(base)).items()}


def aliases(slug: str) -> dict[str, str]:
    """Printed spelling -> official name, for one district."""
    return _aliases(str(params_dir())).get(slug, {})


@lru_cache(maxsize=8)
def _limits(base: str) -> dict:
    return _load("limits.yaml", Path(base))


def limits() -> dict:
    """Size limits of params/limits.yaml (a copy: callers may not change the cached values)."""
    return dict(_limits(str(params_dir())))


def units_registry() -> dict:
    """The generated registry (params/units.yaml): district code -> name, province, units."""
    return _load("units.yaml")["districts"]


def wording_dir() -> Path:
    return params_dir() / "wording"


def wording_yaml(name: str) -> dict:
    """A YAML file of params/wording/ (e.g. phrases.yaml)."""
    return _load(name, wording_dir())


def watch_thresholds() -> dict:
    """near_band_points and rank_move_places of params/targets.yaml (defaults 2 points, 3 places)."""
    t = _load("targets.yaml")
    return {"near_band_points": float(t.get("near_band_points", 2.0)),
            "rank_move_places": int(t.get("rank_move_places", 3))}


@lru_cache(maxsize=8)
def _documents(base: str) -> tuple[dict, dict]:
    data = _load("documents.yaml", Path(base))
    return _need(data, "documents", "documents.yaml"), dict(data.get("default_document") or {})


DOCUMENT_KINDS = ("bao-cao", "cong-van")


def document_settings(slug: str) -> dict:
    """The signed document of a district (params/documents.yaml): kind, symbol, place, subject,
    addressees, legal_bases, signer, recipients, offices."""
    known, default = _documents(str(params_dir()))
    if slug not in known and not default:
        raise ParamsError(f"documents.yaml: thiếu văn bản của huyện '{slug}' (và không có default_document)")
    d = dict(known.get(slug) or default)
    d["place"] = str(d.get("place") or district(slug).name)
    where = f"documents.yaml: {slug}"
    if d.get("kind") not in DOCUMENT_KINDS:
        raise ParamsError(f"{where}: 'kind' phải là một trong {', '.join(DOCUMENT_KINDS)}")
    _need(d, "symbol", where)
    signer = d.get("signer") or {}
    d["signer"] = {k: str(signer.get(k) or "") for k in ("authority", "title", "name")}
    d["offices"] = {k: str(v or "") for k, v in (d.get("offices") or {}).items()}
    for key in ("addressees", "legal_bases", "recipients"):
        d[key] = [" ".join(str(x).split()) for x in (d.get(key) or [])]
    d["subject"] = " ".join(str(d.get("subject") or "").split())
    return d


@lru_cache(maxsize=8)
def _portal(base: str) -> dict:
    data = _load("portal.yaml", Path(base))
    maxima = sum(float(g["max"]) for g in data["groups"].values())
    if abs(maxima - 100) > 1e-9:
        raise ParamsError(f"params/portal.yaml: điểm tối đa của các nhóm cộng lại {maxima:g}, cần 100")
    return data


def portal() -> dict:
    """The national portal's groups, maxima, methods and export sheets (params/portal.yaml)."""
    return _portal(str(params_dir()))


def reform_2025() -> dict:
    """What was checked about the 2025 reform (params/reform_2025.yaml)."""
    return _load("reform_2025.yaml")


def provinces() -> dict:
    """The provinces reported on from the portal's figures (params/provinces.yaml): slug -> entry."""
    return _load("provinces.yaml").get("provinces") or {}
