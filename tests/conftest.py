"""Shared fixtures: the reference data, the demo study, a throw-away project copy, one full demo run.

``DATA`` is the one path to the reference data (R's results and the public data sets, some of
them links to the package data in ``cxlab/data_files``); ``load_reference(name)`` reads one
JSON reference; the ``hs`` fixture is the Holzinger-Swineford data. ``apt_install`` installs
a Debian package a test needs (PostgreSQL, Java, poppler) where root can. Comparisons with
lavaan's results are in ``tests/_lavaan.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typing import Callable

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
DEMO = ROOT / "data" / "raw" / "demo"
SHARED = ROOT.parent / "shared"


def in_fresh_python(code: str) -> None:
    """Run ``code`` in a new interpreter (what a module imports at start); an assertion there fails the test."""
    subprocess.run([sys.executable, "-c", code], check=True)


def load_reference(name: str) -> dict:
    """One reference result of ``tests/data`` by name (``load_reference("hs_cfa")``), as R wrote it."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def apt_install(package: str, *, present: Callable[[], object]) -> str | None:
    """Install Debian's ``package`` with apt-get unless ``present()``; None when it is there, else why not.

    Runs only as root; refreshes the package list once when the first install fails (a stale
    list). The reason is for ``pytest.skip``: a test skips only where the package cannot be had.
    """
    if present():
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"{package} is not installed and this user cannot apt-get install it"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
    done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env, timeout=600)
        done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    return None if present() else f"apt-get install {package} failed: {done.stderr.strip()[-300:]}"


@pytest.fixture(scope="session")
def hs() -> pd.DataFrame:
    """The Holzinger & Swineford (1939) data as lavaan has it (301 rows)."""
    return pd.read_csv(DATA / "HolzingerSwineford1939.csv")


def cxlab_cmd(*args, env=None, cwd=None):
    """Run the installed ``cxlab`` command; return the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "cxlab.cli", *map(str, args)], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, cwd=cwd or ROOT)


@pytest.fixture(scope="session")
def demo_contacts() -> Path:
    """The demo contact log, generated on first use like a first `cxlab run` does."""
    from cxlab.synth import ensure_demo_contacts

    return ensure_demo_contacts(DEMO)


@pytest.fixture()
def project(tmp_path, demo_contacts) -> Path:
    """A copy of the project's notebooks and demo study in tmp_path (CXLAB_ROOT points here)."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    shutil.copytree(DEMO, tmp_path / "data" / "raw" / "demo")
    return tmp_path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, demo_contacts):
    """One full `cxlab run --by team` of the demo study (publication mode) into a temporary reports root."""
    out = tmp_path_factory.mktemp("reports")
    done = cxlab_cmd("run", "--out", out, "--by", "team")
    assert done.returncode == 0, done.stderr
    return out / "demo", done
