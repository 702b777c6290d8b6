"""Shared fixtures: every test that writes runs on a scratch store and outputs folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
# Debian's chromium for the browser tests (.ci/run installs it), kept off the network: any address but
# a loopback one goes to a closed port (loopback addresses bypass the proxy).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--proxy-server=127.0.0.1:9"]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
SEEDS = {
    "cho-moi": RAW / "cho-moi" / "000_0e14d90c141fb8cb.txt",
    "phu-tan": RAW / "phu-tan" / "001_9befcb279ea0e6bb.txt",
    "thap-muoi": RAW / "thap-muoi" / "002_09ca01f0b851a3c6.txt",
}


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A scratch store and outputs folder (the kernel of an e2e run inherits these variables)."""
    store = tmp_path / "store"
    outputs = tmp_path / "outputs"
    monkeypatch.setenv("CHISO_STORE", str(store))
    monkeypatch.setenv("CHISO_OUTPUTS", str(outputs))
    return tmp_path
