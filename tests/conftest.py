"""Shared fixtures: the demo study, a throw-away project copy, one full demo run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "raw" / "demo"
SHARED = ROOT.parent / "shared"


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
    """One full `cxlab run` of the demo study (publication mode) into a temporary reports root."""
    out = tmp_path_factory.mktemp("reports")
    done = cxlab_cmd("run", "--out", out)
    assert done.returncode == 0, done.stderr
    return out / "demo", done
