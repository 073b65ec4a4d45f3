"""Time `cxlab run` on the demo study: cold, rerun unchanged, rerun with one parameter, floor.

Usage: .venv/bin/python benchmarks/bench_run.py [--repeat N] [--jobs J] [--cold-only]

Prints a table and writes benchmarks/results.json (``--cold-only``: results_cold.json).
Each repeat is a run into a temporary reports folder (processed data is reused after the
first run, as in practice):

- cold: ``--force``, every notebook executed (the report cache is bypassed);
- rerun, nothing changed: every report reused from the cache and rendered again;
- rerun with ``-p alpha_level=0.01``: only the reports that declare ``alpha_level`` rerun
  (which ones is recorded).

The floor is one kernel started the way the runner starts it, executing only the notebooks'
own import lines: no executed notebook can cost less than that. The warm floor is measured
once the template has also imported its later modules (``kernels.PRELOAD_LATER``), as the
kernels after the first of a run find it.

Beside them, the naive command line on the same notebooks in the same session: for each
notebook, ``papermill`` (a fresh kernel) then ``jupyter nbconvert --to html --no-input``,
one after the other (the notebooks converted to .ipynb by jupytext beforehand, untimed).

Beside each wall time, the CPU time (user + sys) of every process the command started
(the runner, the warm-kernel template, the kernels and their bootstrap workers; sampled
from /proc, see :class:`TreeCPU`), and each notebook alone (``--only NAME --jobs 1``): on
a shared machine the wall time follows the load, the CPU time much less. The load
average is recorded beside the figures. ``--cold-only``: only the cold runs and the
notebooks alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
#: every import line of the report notebooks
IMPORTS = "\n".join(sorted({line for nb in sorted(NOTEBOOKS.glob("0*.py")) for line in nb.read_text().splitlines()
                            if line.startswith(("import ", "from "))}))
#: seconds for the template's later imports once it is ready (it imports one whenever no kernel is asked for)
LATER_IMPORTS_S = 4.0


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
        time.sleep(LATER_IMPORTS_S)
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


def naive_cli() -> tuple[float, dict[str, float]]:
    """The naive command line on every report notebook: papermill, then nbconvert; (total, per notebook)."""
    bin_ = Path(sys.executable).parent
    per = {}
    with tempfile.TemporaryDirectory() as tmp:
        for nb in sorted(NOTEBOOKS.glob("0*.py")):
            src, out = Path(tmp) / f"{nb.stem}.ipynb", Path(tmp) / f"{nb.stem}.out.ipynb"
            subprocess.run([bin_ / "jupytext", "--to", "ipynb", "-o", src, nb], check=True, capture_output=True)
            t0 = time.perf_counter()
            subprocess.run([bin_ / "papermill", src, out, "-k", "python3", "--cwd", NOTEBOOKS, "--log-level", "ERROR"],
                           check=True, capture_output=True)
            subprocess.run([bin_ / "jupyter", "nbconvert", "--to", "html", "--no-input", out], check=True,
                           capture_output=True)
            per[nb.stem] = time.perf_counter() - t0
    return sum(per.values()), per


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_table() -> dict[int, tuple[int, float]]:
    """{pid: (parent pid, own CPU seconds user + sys)} of every process /proc shows."""
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        out[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK)
    return out


class TreeCPU:
    """CPU seconds (user + sys) of a process and all its descendants, sampled from /proc.

    Kernels forked from the warm template are reaped by nobody who waits for them (the
    template ignores SIGCHLD), so ``getrusage(RUSAGE_CHILDREN)`` misses them; sampling
    every ``every`` seconds sees every process of the tree (kernels, bootstrap workers)
    and keeps the last value each showed. What a process spends after its last sample
    is missed (at most ``every`` seconds each). Linux only; ``seconds`` is NaN elsewhere.
    """

    def __init__(self, root: int, every: float = 0.1):
        import threading

        self.root, self.every, self.last = root, every, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        if os.path.isdir("/proc"):
            self._thread.start()

    def _sample(self) -> None:
        table = _process_table()
        tree, frontier = {self.root}, [self.root]
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        while frontier:
            for kid in children.get(frontier.pop(), ()):
                if kid not in tree:
                    tree.add(kid)
                    frontier.append(kid)
        for pid in tree & table.keys():
            self.last[pid] = table[pid][1]  # a pid is not reused within one short run

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        if not self._thread.is_alive() and not self.last:
            return float("nan")
        self._thread.join()
        return sum(self.last.values())


def cli_run(jobs: int | None, *extra: str) -> tuple[float, dict, float]:
    """One `cxlab run` as a user types it: wall seconds, per-notebook times from the progress lines, CPU seconds."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "cxlab.cli", "run", "--out", out, *extra] + (["--jobs", str(jobs)] if jobs else [])
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        cpu = TreeCPU(proc.pid)
        stdout, stderr = proc.communicate()
        total = time.perf_counter() - t0
        cpu_seconds = cpu.stop()
    if proc.returncode:
        sys.exit(stderr)
    per = {}
    for line in stderr.splitlines():
        for how in (": done in ", ": reused (unchanged) in "):
            if how in line:
                name, _, rest = line.split("] ", 1)[1].partition(how)
                per[name] = {"seconds": float(rest.split()[0]), "reused": "reused" in how}
    return total, per, cpu_seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--cold-only", action="store_true", help="only the cold runs and each notebook alone")
    args = ap.parse_args()
    load_start = os.getloadavg()
    cli_run(args.jobs)  # warm-up: generates the contact log and processed data once
    floors = [] if args.cold_only else [kernel_floor(warm=False) for _ in range(args.repeat)]
    warm_floors = [] if args.cold_only else [kernel_floor(warm=True) for _ in range(args.repeat)]
    cold, loads = [], []
    for _ in range(args.repeat):
        loads.append(os.getloadavg()[0])
        cold.append(cli_run(args.jobs, "--force"))
    names = list(cold[0][1])
    solo = {name: [cli_run(1, "--force", "--only", name) for _ in range(args.repeat)] for name in names}
    unchanged, one_param, naive = [], [], []
    if not args.cold_only:
        naive = [naive_cli() for _ in range(args.repeat)]
        unchanged = [cli_run(args.jobs) for _ in range(args.repeat)]
        for i in range(args.repeat):  # a new value each time, so the reports that use it rerun
            cli_run(args.jobs)  # back to the study's own parameters (cached)
            # a value no earlier session cached (the report cache outlives the benchmark)
            one_param.append(cli_run(args.jobs, "-p", f"alpha_level={0.01 + i / 1000 + random.random() / 1e6:.9f}"))

    def summary(runs):
        totals = [t for t, _, _ in runs]
        return {"median": statistics.median(totals), "all": totals,
                "cpu_median": statistics.median(c for _, _, c in runs), "cpu_all": [c for _, _, c in runs],
                "per_notebook_s": {n: statistics.median(r[1][n]["seconds"] for r in runs) for n in names},
                "reran": sorted(n for n, v in runs[-1][1].items() if not v["reused"])}

    med = statistics.median
    result = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "load_average": {"start": load_start, "before_each_cold_run": loads, "end": os.getloadavg()},
        "repeat": args.repeat, "jobs": args.jobs or "default",
        "cxlab_run_total_s": summary(cold),
        # each notebook alone (--only, --jobs 1): wall of the whole command and CPU of everything it started
        "alone_s": {n: {"wall": med(t for t, _, _ in runs), "cpu": med(c for _, _, c in runs)}
                    for n, runs in solo.items()},
    }
    if not args.cold_only:
        result.update({
            "kernel_plus_imports_s": {"median": med(floors), "all": floors},
            "warm_kernel_plus_imports_s": {"median": med(warm_floors), "all": warm_floors},
            "rerun_unchanged_s": summary(unchanged),
            "rerun_alpha_level_s": summary(one_param),
            # the naive way: papermill + nbconvert per notebook, one after the other, a fresh kernel each
            "naive_papermill_nbconvert_s": {"median": med(t for t, _ in naive), "all": [t for t, _ in naive],
                                            "per_notebook_s": {n: med(p[n] for _, p in naive) for n in naive[0][1]}},
        })
    name = "results_cold.json" if args.cold_only else "results.json"
    (ROOT / "benchmarks" / name).write_text(json.dumps(result, indent=2))
    print(f"load average: {load_start[0]:.1f} at the start, {', '.join(f'{v:.1f}' for v in loads)} before the cold "
          f"runs, {result['load_average']['end'][0]:.1f} at the end")
    if not args.cold_only:
        print(f"kernel start + imports, ordinary kernel:     {result['kernel_plus_imports_s']['median']:.1f} s")
        print(f"kernel start + imports, warm (forked) kernel: {result['warm_kernel_plus_imports_s']['median']:.1f} s")
    for key, what in (("cxlab_run_total_s", "cold run (--force)"), ("rerun_unchanged_s", "rerun, nothing changed"),
                      ("rerun_alpha_level_s", "rerun, -p alpha_level changed")):
        if key not in result:
            continue
        r = result[key]
        print(f"{what:<44} {r['median']:6.1f} s wall, {r['cpu_median']:6.1f} s CPU  reran: {', '.join(r['reran']) or 'none'}")
        for n, sec in r["per_notebook_s"].items():
            print(f"  {n:<24} {sec:6.1f} s")
    if "naive_papermill_nbconvert_s" in result:
        r = result["naive_papermill_nbconvert_s"]
        print(f"{'naive: papermill + nbconvert per notebook':<44} {r['median']:6.1f} s wall")
        for n, sec in r["per_notebook_s"].items():
            print(f"  {n:<24} {sec:6.1f} s")
    print("each notebook alone (cxlab run --force --only NAME --jobs 1; wall, CPU of all its processes):")
    for n, v in result["alone_s"].items():
        print(f"  {n:<24} {v['wall']:6.1f} s wall, {v['cpu']:6.1f} s CPU")


if __name__ == "__main__":
    main()
