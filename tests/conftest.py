"""Shared fixtures: the reference data, the demo study, a throw-away project copy, one full demo run.

``DATA`` is the one path to the reference data (R's results and the public data sets, some of
them links to the package data in ``cxlab/data_files``); ``load_reference(name)`` reads one
JSON reference; the ``hs`` fixture is the Holzinger-Swineford data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
DEMO = ROOT / "data" / "raw" / "demo"
SHARED = ROOT.parent / "shared"


def load_reference(name: str) -> dict:
    """One reference result of ``tests/data`` by name (``load_reference("hs_cfa")``), as R wrote it."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


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
