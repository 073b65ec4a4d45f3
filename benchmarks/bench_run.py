"""Time `cxlab run` on the demo study: cold, rerun unchanged, rerun with one parameter, floor.

Usage: .venv/bin/python benchmarks/bench_run.py [--repeat N] [--jobs J]

Prints a table and writes benchmarks/results.json. Each repeat is a run into a temporary
reports folder (processed data is reused after the first run, as in practice):

- cold: ``--force``, every notebook executed (the report cache is bypassed);
- rerun, nothing changed: every report reused from the cache and rendered again;
- rerun with ``-p alpha_level=0.01``: only the reports that declare ``alpha_level`` rerun
  (which ones is recorded).

The floor is one kernel started the way the runner starts it, executing only the imports
the notebooks need: no executed notebook can cost less than that.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = "import cxlab, pandas, seaborn, matplotlib.pyplot, statsmodels.api, duckdb; from cxlab import plots, sem, factor, levers, measures"


def kernel_floor(warm: bool) -> float:
    """Seconds to start a kernel the way the runner does and run the notebooks' imports.

    ``warm``: the kernel is forked from a ready template (:mod:`cxlab.kernels`), as in a
    run; otherwise an ordinary kernel process starts and imports everything itself.
    """
    import nbformat

    from cxlab import kernels
    from cxlab.runner import THREAD_ENV, ThisPythonKernelManager, execute_notebook

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(IMPORTS)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python", "language": "python"}
    template = kernels.start_template(THREAD_ENV) if warm else None
    if template is not None:
        template.ready()
    ThisPythonKernelManager.template = template
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            execute_notebook(nb, Path(tmp) / "floor.ipynb", parameters={}, cwd=Path(tmp))
            return time.perf_counter() - t0
    finally:
        ThisPythonKernelManager.template = None
        if template is not None:
            template.stop()


def cli_run(jobs: int | None, *extra: str) -> tuple[float, dict]:
    """One `cxlab run` as a user types it; per-notebook times from the progress lines."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "cxlab.cli", "run", "--out", out, *extra] + (["--jobs", str(jobs)] if jobs else [])
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        total = time.perf_counter() - t0
    if done.returncode:
        sys.exit(done.stderr)
    per = {}
    for line in done.stderr.splitlines():
        for how in (": done in ", ": reused (unchanged) in "):
            if how in line:
                name, _, rest = line.split("] ", 1)[1].partition(how)
                per[name] = {"seconds": float(rest.split()[0]), "reused": "reused" in how}
    return total, per


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    cli_run(args.jobs)  # warm-up: generates the contact log and processed data once
    floors = [kernel_floor(warm=False) for _ in range(args.repeat)]
    warm_floors = [kernel_floor(warm=True) for _ in range(args.repeat)]
    cold = [cli_run(args.jobs, "--force") for _ in range(args.repeat)]
    unchanged = [cli_run(args.jobs) for _ in range(args.repeat)]
    one_param = []
    for i in range(args.repeat):  # a new value each time, so the reports that use it rerun
        cli_run(args.jobs)  # back to the study's own parameters (cached)
        one_param.append(cli_run(args.jobs, "-p", f"alpha_level={0.01 + i / 1000}"))
    names = list(cold[0][1])

    def summary(runs):
        totals = [t for t, _ in runs]
        return {"median": statistics.median(totals), "all": totals,
                "per_notebook_s": {n: statistics.median(r[1][n]["seconds"] for r in runs) for n in names},
                "reran": sorted(n for n, v in runs[-1][1].items() if not v["reused"])}

    result = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "repeat": args.repeat, "jobs": args.jobs or "default",
        "kernel_plus_imports_s": {"median": statistics.median(floors), "all": floors},
        "warm_kernel_plus_imports_s": {"median": statistics.median(warm_floors), "all": warm_floors},
        "cxlab_run_total_s": summary(cold),
        "rerun_unchanged_s": summary(unchanged),
        "rerun_alpha_level_s": summary(one_param),
    }
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(result, indent=2))
    print(f"kernel start + imports, ordinary kernel:     {result['kernel_plus_imports_s']['median']:.1f} s")
    print(f"kernel start + imports, warm (forked) kernel: {result['warm_kernel_plus_imports_s']['median']:.1f} s")
    for key, what in (("cxlab_run_total_s", "cold run (--force)"), ("rerun_unchanged_s", "rerun, nothing changed"),
                      ("rerun_alpha_level_s", "rerun, -p alpha_level changed")):
        r = result[key]
        print(f"{what:<44} {r['median']:6.1f} s  reran: {', '.join(r['reran']) or 'none'}")
        for n, sec in r["per_notebook_s"].items():
            print(f"  {n:<24} {sec:6.1f} s")


if __name__ == "__main__":
    main()
