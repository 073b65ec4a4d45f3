"""Where a notebook's time goes: wall and CPU time of every cell, in one process.

Usage: .venv/bin/python benchmarks/profile_notebooks.py [NAME ...] [--top N] [--json FILE]

Each demo notebook (all five by default) is read as the runner reads it (pruned to what
the demo study can feed, its parameters as papermill injects them) and its code cells are
executed one after another in a fresh namespace of an IPython shell in this process, with
one BLAS thread and the inline matplotlib backend, outputs formatted as in a kernel. Per cell: wall time, CPU time of this
process (user + sys) and CPU time of the child processes it waited for (bootstrap
workers). The kernel's start-up and the runner's rendering are not included (see
``bench_run.py``); the one-off imports are charged to the first cell. The load average is
printed beside the figures: on a shared machine wall time depends on it, CPU time much
less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

for _k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_k, "1")
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

NAMES = ("01_data_quality", "02_servqual_factors", "03_sem_drivers", "04_contact_levers", "05_monitoring")


def _cpu() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _shell():
    """One IPython shell for every notebook (reset between them), as a kernel has."""
    from IPython.core.interactiveshell import InteractiveShell

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):  # inline figures need no GUI event loop
            pass

    return InteractiveShell.instance() if InteractiveShell.initialized() else Shell.instance()


def profile(name: str) -> list[dict]:
    """Wall, own CPU and children's CPU seconds of every code cell of notebook ``name``."""
    from cxlab.data import load_processed_survey, prepare
    from cxlab.paths import notebooks_dir
    from cxlab.plan import capabilities, prune
    from cxlab.runner import load_notebook
    from cxlab.study import demo_study_path, load_study

    from cxlab.synth import ensure_demo_contacts

    study = load_study(demo_study_path())
    ensure_demo_contacts(Path(demo_study_path()).parent)
    prepare(study)
    nb = prune(load_notebook(name), capabilities(study, load_processed_survey(study)))
    from IPython.utils.capture import capture_output

    shell = _shell()
    shell.reset(new_session=True)
    shell.enable_matplotlib("inline")  # figures drawn to PNG after each cell, as in a kernel
    os.chdir(notebooks_dir())
    params = f"study_file = {str(study.path)!r}\nparameters = {{}}\n"
    rows = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = params if "parameters" in cell.metadata.get("tags", []) else cell.source
        w0, (c0, k0) = time.perf_counter(), _cpu()
        with capture_output():  # outputs are formatted (every MIME type, as a kernel does), not printed
            result = shell.run_cell(source, store_history=False, silent=False)
        w1, (c1, k1) = time.perf_counter(), _cpu()
        if result.error_in_exec is not None or result.error_before_exec is not None:
            raise RuntimeError(f"{name} cell {i} failed: {result.error_in_exec or result.error_before_exec}")
        first = source.strip().splitlines()[0] if source.strip() else ""
        rows.append({"cell": i, "wall": w1 - w0, "cpu": c1 - c0, "children_cpu": k1 - k0, "first_line": first[:70]})
    shell.reset(new_session=True)
    import matplotlib.pyplot as plt

    plt.close("all")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", default=list(NAMES))
    ap.add_argument("--top", type=int, default=6, help="cells shown per notebook (the slowest)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    out = {"load_average_start": os.getloadavg(), "notebooks": {}}
    for name in args.names:
        load0 = os.getloadavg()[0]
        rows = profile(name)
        wall = sum(r["wall"] for r in rows)
        cpu = sum(r["cpu"] + r["children_cpu"] for r in rows)
        out["notebooks"][name] = {"wall": wall, "cpu": cpu, "load_average": [load0, os.getloadavg()[0]], "cells": rows}
        print(f"{name}: wall {wall:5.1f} s, CPU {cpu:5.1f} s (load average {load0:.1f} -> {os.getloadavg()[0]:.1f})")
        for r in sorted(rows, key=lambda r: -(r["cpu"] + r["children_cpu"]))[:args.top]:
            print(f"  [{r['cell']:2d}] wall {r['wall']:5.2f}  cpu {r['cpu']:5.2f} + children {r['children_cpu']:5.2f}"
                  f"  {r['first_line']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    sys.exit(main())
