"""Per-customer contact features on a 10-million-row contact log: cxlab (Ibis on DuckDB) vs pandas.

Usage: .venv/bin/python benchmarks/bench_contacts.py [--rows 10_000_000 [100_000_000 ...]] [--repeat 3]
       [--large-repeat 1] [--no-pandas] [--out-file] [--data-dir /tmp/...]

The log is the demo contact log replicated with fresh customer, issue and contact ids
(deterministic), written once by DuckDB SQL to benchmarks/.cache/contacts_<rows>.parquet
(git-ignored). Each run is a
fresh process, so wall time includes reading the file, and peak memory is that process's
maximum resident set size; runs of the engines alternate and the median is reported
(this machine's timings vary by +-20 % from run to run). The pandas version is the
independent reference implementation of the test suite
(tests/test_contacts.py::pandas_features), computing the same columns; it runs twice:
reading the whole file (plain ``pd.read_parquet``) and reading only the columns it needs.
The benchmark checks that every engine returns the same features.
Target (issue 3): at least 5x faster than pandas and under 2 GB peak.

Out of core (issue 15): above PANDAS_MAX_ROWS only cxlab runs (pandas would need tens of
GB); cxlab's embedded DuckDB spills to disk beyond its memory limit
(:data:`cxlab.contacts.DUCKDB_MEMORY`) and writes the features to Parquet, which are read
into the DataFrame once the engine has let go of its memory, so 100 million contacts stay
under 2 GB. ``--out-file`` also times ``customer_features(PATH, out=file)`` (no DataFrame).
Above :data:`cxlab.contacts.PART_ROWS` contacts cxlab takes the log in parts of customers, each
aggregated in memory (``parts`` in the results: the number of parts, if none is empty).
Each size's cxlab figures, with the machine's load average and the date, go to ``by_rows`` in
benchmarks/contacts_results.json (merged with earlier runs of other sizes); a run with
every engine also writes the comparison at the top level, as before. ``--data-dir`` puts
the logs and results elsewhere (the 100 M log is 1.5 GB: e.g. under /tmp, deleted after).

``--part-rows N`` sets :data:`cxlab.contacts.PART_ROWS` to N in the measured processes: the
out-of-core route then takes every log of more than N contacts in parts, 10 M included, so
its growth can be measured from 10 M on alone (figures under ``in_parts`` in the results,
by rows; the default route stays under ``by_rows``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from cxlab.contacts import _FEATURE_COLUMNS, PART_ROWS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

PANDAS = "import sys, pandas as pd; sys.path.insert(0, 'tests'); from test_contacts import pandas_features"
COLUMNS = ["customer_id", *_FEATURE_COLUMNS]  # what cxlab's engine reads
# engine -> (imports, aggregation); only the aggregation (file read included) is timed.
RUN = {
    "cxlab (Ibis/DuckDB)": ("from cxlab.contacts import customer_features as f",
                            "out = f(PATH).set_index('customer_id')"),
    "pandas, whole file": (PANDAS, "out = pandas_features(pd.read_parquet(PATH))"),
    "pandas, needed columns": (PANDAS, f"out = pandas_features(pd.read_parquet(PATH, columns={COLUMNS!r}))"),
}
#: ``--out-file``: also time the features written to a Parquet file by the engine (never a DataFrame).
TO_FILE = {"cxlab, out= Parquet file": ("from cxlab.contacts import customer_features as f",
                                        "out = f(PATH, out=RESULT)")}


def make_log(rows: int, folder: Path = HERE / ".cache") -> Path:
    """The demo log replicated to ``rows`` contacts as Parquet, written by DuckDB (streamed, never in memory).

    Copy ``k`` of the demo log gets customer ids ``<id>-<k:03d>`` and issue and contact ids
    shifted by ``k * 10**8``; the last copy is cut at ``rows``.
    """
    import os

    import duckdb

    from cxlab.synth import ensure_demo_contacts

    path = folder / f"contacts_{rows}.parquet"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    base = ensure_demo_contacts(ROOT / "data" / "raw" / "demo")
    con = duckdb.connect(config={"memory_limit": "1GB", "preserve_insertion_order": False, "enable_progress_bar": False,
                                 "temp_directory": str(path.parent / "duckdb_tmp")})
    n = con.execute("SELECT count(*) FROM read_parquet(?)", [str(base)]).fetchone()[0]
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    con.execute(f"""
        COPY (
            SELECT * EXCLUDE (file_row_number, k) REPLACE (
                       customer_id || '-' || lpad(k::VARCHAR, 3, '0') AS customer_id,
                       issue_id + k * 100000000 AS issue_id,
                       contact_id + k * 100000000 AS contact_id)
            FROM read_parquet('{base}', file_row_number = true), range({-(-rows // n)}) AS copies(k)
            WHERE k * {n} + file_row_number < {rows}
        ) TO '{tmp}' (FORMAT parquet, COMPRESSION snappy)""")
    con.close()
    tmp.rename(path)
    return path


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(code: tuple[str, str], path: Path, result: Path, part_rows: int | None = None
            ) -> tuple[float, float, float]:
    """Wall seconds, peak MB and CPU seconds of one fresh process; its features go to ``result``.

    CPU seconds (all threads, the aggregation alone) depend far less on other jobs than
    wall time on a shared machine, so they show how the work grows with the rows.
    """
    setup, run = code
    if part_rows is not None:
        setup += f"; import cxlab.contacts; cxlab.contacts.PART_ROWS = {int(part_rows)}"
    script = (f"import time, resource, sys; sys.path.insert(0, {str(HERE)!r}); from bench_contacts import cpu_seconds; "
              f"PATH, RESULT = {str(path)!r}, {str(result)!r}; {setup}; "
              f"t0, c0 = time.perf_counter(), cpu_seconds(); {run}; "
              "print(cpu_seconds() - c0, time.perf_counter() - t0, "
              "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); "
              "out if isinstance(out, __import__('pathlib').Path) else out.to_parquet(RESULT)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(done.stderr)
    cpu, seconds, kb = done.stdout.split()[-3:]
    return float(seconds), int(kb) / 1024, float(cpu)


def same_features(a: Path, b: Path) -> None:
    import numpy as np
    import pandas as pd

    x, y = (df.set_index("customer_id") if "customer_id" in df.columns else df
            for df in (pd.read_parquet(a), pd.read_parquet(b)))
    assert list(x.index) == list(y.index) and list(x.columns) == list(y.columns), "different customers or columns"
    for col in x.columns:
        np.testing.assert_allclose(x[col].to_numpy(float), y[col].to_numpy(float), rtol=1e-9, err_msg=col)


#: Above this many contacts only cxlab runs: pandas would need tens of GB.
PANDAS_MAX_ROWS = 10_000_000


def load_average() -> str:
    """The 1, 5 and 15-minute load averages (the machine is shared: figures depend on them)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def bench(rows: int, repeat: int, pandas: bool = True, folder: Path = HERE / ".cache", to_file: bool = False,
          large_repeat: int = 1, part_rows: int | None = None) -> dict:
    """Run the engines on a ``rows``-contact log (kept in ``folder``); print and return their figures.

    Above :data:`PANDAS_MAX_ROWS` contacts each engine runs at most ``large_repeat`` times.
    """
    import statistics

    path = make_log(rows, folder)
    repeat = repeat if rows <= PANDAS_MAX_ROWS else min(repeat, large_repeat)
    engines = RUN if pandas and rows <= PANDAS_MAX_ROWS else {k: v for k, v in RUN.items() if k.startswith("cxlab")}
    engines = {**engines, **(TO_FILE if to_file else {})}
    start_load = load_average()
    print(f"{rows:,} contacts, {path.stat().st_size / 1e6:.0f} MB Parquet; {repeat} run(s) each, alternating; "
          f"load average {start_load}" + ("" if set(RUN) <= set(engines) else "; pandas left out")
          + ("" if part_rows is None else f"; cxlab in parts of {part_rows:,} contacts"))
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in engines}
    results = {name: folder / f"features_{i}.parquet" for i, name in enumerate(engines)}
    for _ in range(repeat):
        for name, code in engines.items():
            runs[name].append(measure(code, path, results[name], part_rows if name.startswith("cxlab") else None))
    first, *others = results.values()
    for other in others:
        same_features(first, other)
    customers = len(__import__("pandas").read_parquet(first))
    summary = {name: {"seconds": statistics.median(s for s, _, _ in r), "seconds_all": [round(s, 2) for s, _, _ in r],
                      "cpu_seconds": statistics.median(c for _, _, c in r), "peak_mb": max(m for _, m, _ in r)}
               for name, r in runs.items()}
    ours = summary["cxlab (Ibis/DuckDB)"]["seconds"]
    for name, r in summary.items():
        r["speedup"] = r["seconds"] / ours
        print(f"  {name:<24} median {r['seconds']:6.2f} s (runs {', '.join(map(str, r['seconds_all']))})  "
              f"cpu {r['cpu_seconds']:6.1f} s  peak {r['peak_mb']:6.0f} MB"
              + ("" if name.startswith("cxlab") else f"  cxlab is {r['speedup']:.1f}x faster"))
    if others:
        print(f"  same features from every engine ({customers:,} customers)")
    return {"rows": rows, "customers": customers, "parquet_mb": round(path.stat().st_size / 1e6),
            "load_average_start": start_load, "load_average": load_average(), **summary}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-pandas", action="store_true", help="time cxlab alone (pandas runs only up to 10 M rows)")
    ap.add_argument("--large-repeat", type=int, default=1,
                    help=f"runs per engine above {PANDAS_MAX_ROWS:,} contacts (at most --repeat; 100 M take minutes)")
    ap.add_argument("--out-file", action="store_true", help="also time customer_features(..., out=file.parquet)")
    ap.add_argument("--part-rows", type=int, default=None,
                    help=f"cxlab takes logs of more contacts than this in parts (default {PART_ROWS:,})")
    ap.add_argument("--data-dir", type=Path, default=HERE / ".cache",
                    help="where the logs and results go (100 M rows take ~1.5 GB; e.g. a folder under /tmp)")
    args = ap.parse_args()
    out = HERE / "contacts_results.json"
    saved = json.loads(out.read_text()) if out.exists() else {}
    group = "by_rows" if args.part_rows is None else "in_parts"
    part_rows = PART_ROWS if args.part_rows is None else args.part_rows
    by_rows = saved.get(group, {})
    for rows in args.rows:
        figures = bench(rows, args.repeat, pandas=not args.no_pandas and args.part_rows is None,
                        folder=args.data_dir, to_file=args.out_file, large_repeat=args.large_repeat,
                        part_rows=args.part_rows)
        ours = figures["cxlab (Ibis/DuckDB)"]
        by_rows[str(rows)] = {"seconds": ours["seconds"], "seconds_all": ours["seconds_all"],
                              "cpu_seconds": ours["cpu_seconds"], "peak_mb": ours["peak_mb"],
                              "customers": figures["customers"], "parquet_mb": figures["parquet_mb"],
                              "load_average_start": figures["load_average_start"],
                              "load_average": figures["load_average"], "part_rows": part_rows,
                              "parts": -(-rows // part_rows) if rows > part_rows else 1,
                              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        for name in TO_FILE:
            if name in figures:
                by_rows[str(rows)]["out_file"] = {k: figures[name][k]
                                                  for k in ("seconds", "seconds_all", "cpu_seconds", "peak_mb")}
        if all(name in figures for name in RUN) and args.part_rows is None:  # every engine ran: the comparison, as before
            saved = {k: v for k, v in figures.items() if k not in ("parquet_mb", "load_average")}
    sizes = sorted(by_rows, key=int)
    for small, large in zip(sizes, sizes[1:]):
        a, b = by_rows[small], by_rows[large]
        print(f"  {int(small):,} -> {int(large):,} contacts: {int(large) / int(small):g}x the rows, "
              f"{b['seconds'] / a['seconds']:.1f}x the time"
              + (f" ({b['cpu_seconds'] / a['cpu_seconds']:.1f}x the CPU)" if "cpu_seconds" in a and "cpu_seconds" in b
                 else "")
              + f", peak {a['peak_mb']:.0f} -> {b['peak_mb']:.0f} MB")
    out.write_text(json.dumps({**saved, group: by_rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
