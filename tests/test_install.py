"""A regular (non-editable) install finds its teaching data and runs a tutorial.

``pip install .`` of a copy of the package into a fresh virtual environment; the
dependencies come from this environment's site-packages (a ``.pth`` line) so that nothing
is downloaded. The tutorial runs from a folder outside the project, so the repository
tree cannot stand in for the installed package.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT



def _run(args, **kw):
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=240, **kw)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


@pytest.mark.slow
def test_installed_package_ships_the_data_and_runs_a_tutorial(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "pyproject.toml", src)
    shutil.copy(ROOT / "README.md", src)
    shutil.copytree(ROOT / "cxlab", src / "cxlab", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", venv])
    python = venv / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", "--no-deps", src])
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    deps = Path(_run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    (site / "deps.pth").write_text(f"{deps}\n")

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    env.pop("CXLAB_ROOT", None)
    out = _run([python, "-c", "import cxlab, cxlab.datasets as d\n"
                "print(cxlab.__file__); print(d.data_dir())\n"
                "print({n: d.load_dataset(n).shape for n in d.DATASETS}); print(','.join(d.reference_names()))"],
               cwd=work, env=env)
    file, data, shapes, refs = out.splitlines()
    assert Path(file).is_relative_to(site) and Path(data) == site / "cxlab" / "data_files"
    assert "'bfi': (2800, 28)" in shapes and "'holzinger_swineford': (301, " in shapes
    assert {"hs_cfa", "poldem_sem", "bfi_efa"} <= set(refs.split(","))

    tutorial = work / "t1.py"
    shutil.copy(ROOT / "notebooks" / "tutorials" / "t1_cfa_holzinger_swineford.py", tutorial)
    _run([python, tutorial], cwd=work, env=env)
