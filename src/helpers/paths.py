"""Where the project's files live. Environment variables let tests point a run at a scratch copy."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The checkout root: $CHISO_ROOT, else two levels above this package (src/helpers)."""
    return Path(os.environ.get("CHISO_ROOT") or PACKAGE_DIR.parents[1]).resolve()


def params_dir() -> Path:
    return _params_dir(os.environ.get("CHISO_PARAMS"), os.environ.get("CHISO_ROOT"))


@lru_cache(maxsize=32)
def _params_dir(env_params: str | None, env_root: str | None) -> Path:
    """params_dir() for these environment values (it is asked for on every registry lookup)."""
    return Path(env_params or project_root() / "params")


def raw_dir() -> Path:
    return Path(os.environ.get("CHISO_RAW") or project_root() / "data" / "raw")


def store_dir() -> Path:
    return Path(os.environ.get("CHISO_STORE") or project_root() / "data" / "store")


def outputs_dir() -> Path:
    return Path(os.environ.get("CHISO_OUTPUTS") or project_root() / "outputs")


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def inside(base: Path, *parts: str) -> Path:
    """Join parts under base and refuse any result that escapes base (no '..', no absolute parts)."""
    base = base.resolve()
    path = base.joinpath(*parts).resolve()
    if path != base and base not in path.parents:
        from helpers.errors import UsageError

        raise UsageError(f"đường dẫn '{path}' nằm ngoài thư mục '{base}'")
    return path
