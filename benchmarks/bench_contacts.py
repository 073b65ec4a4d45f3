"""Per-customer contact features on a 10-million-row contact log: cxlab (Ibis on DuckDB) vs pandas.

Usage: .venv/bin/python benchmarks/bench_contacts.py [--rows 10_000_000] [--repeat 3]

The log is the demo contact log replicated with fresh customer, issue and contact ids
(deterministic), written once to benchmarks/.cache/contacts_<rows>.parquet. Each run is a
fresh process, so wall time includes reading the file, and peak memory is that process's
maximum resident set size; runs of the engines alternate and the median is reported
(this machine's timings vary by +-20 % from run to run). The pandas version is the
independent reference implementation of the test suite
(tests/test_contacts.py::pandas_features), computing the same columns; it runs twice:
reading the whole file (plain ``pd.read_parquet``) and reading only the columns it needs.
The benchmark checks that every engine returns the same features.
Target (issue 3): at least 5x faster than pandas and under 2 GB peak. Writes
benchmarks/contacts_results.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from cxlab.contacts import _FEATURE_COLUMNS

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


def make_log(rows: int) -> Path:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from cxlab.synth import ensure_demo_contacts

    path = HERE / ".cache" / f"contacts_{rows}.parquet"
    if path.exists():
        return path
    path.parent.mkdir(exist_ok=True)
    base = pq.read_table(ensure_demo_contacts(ROOT / "data" / "raw" / "demo"))
    copies = -(-rows // base.num_rows)
    with pq.ParquetWriter(path, base.schema) as writer:
        for k in range(copies):
            t = base
            t = t.set_column(t.schema.get_field_index("customer_id"), "customer_id",
                             pc.binary_join_element_wise(t["customer_id"], pa.scalar(f"-{k:03d}", t["customer_id"].type), pa.scalar("", t["customer_id"].type)))
            for col, step in (("issue_id", 10**8), ("contact_id", 10**8)):
                i = t.schema.get_field_index(col)
                t = t.set_column(i, col, pc.add(t[col], np.int64(k * step)))
            writer.write_table(t.slice(0, min(t.num_rows, rows - k * base.num_rows)))
    return path


def measure(code: tuple[str, str], path: Path, result: Path) -> tuple[float, float]:
    """Wall seconds and peak MB of one fresh process; its features go to ``result``."""
    setup, run = code
    script = (f"import time, resource; PATH = {str(path)!r}; {setup}; t0 = time.perf_counter(); {run}; "
              "print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); "
              f"out.to_parquet({str(result)!r})")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(done.stderr)
    seconds, kb = done.stdout.split()[-2:]
    return float(seconds), int(kb) / 1024


def same_features(a: Path, b: Path) -> None:
    import numpy as np
    import pandas as pd

    x, y = pd.read_parquet(a), pd.read_parquet(b)
    assert list(x.index) == list(y.index) and list(x.columns) == list(y.columns), "different customers or columns"
    for col in x.columns:
        np.testing.assert_allclose(x[col].to_numpy(float), y[col].to_numpy(float), rtol=1e-9, err_msg=col)


def main() -> None:
    import statistics

    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = make_log(args.rows)
    print(f"{args.rows:,} contacts, {path.stat().st_size / 1e6:.0f} MB Parquet; {args.repeat} runs each, alternating")
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in RUN}
    results = {name: HERE / ".cache" / f"features_{i}.parquet" for i, name in enumerate(RUN)}
    for _ in range(args.repeat):
        for name, code in RUN.items():
            runs[name].append(measure(code, path, results[name]))
    first, *others = results.values()
    for other in others:
        same_features(first, other)
    customers = len(__import__("pandas").read_parquet(first))
    summary = {name: {"seconds": statistics.median(s for s, _ in r), "seconds_all": [round(s, 2) for s, _ in r],
                      "peak_mb": max(m for _, m in r)} for name, r in runs.items()}
    ours = summary["cxlab (Ibis/DuckDB)"]["seconds"]
    for name, r in summary.items():
        r["speedup"] = r["seconds"] / ours
        print(f"  {name:<24} median {r['seconds']:6.2f} s (runs {', '.join(map(str, r['seconds_all']))})  "
              f"peak {r['peak_mb']:6.0f} MB  cxlab is {r['speedup']:.1f}x faster")
    print(f"  same features from every engine ({customers:,} customers)")
    (HERE / "contacts_results.json").write_text(json.dumps({"rows": args.rows, "customers": customers, **summary},
                                                           indent=2))


if __name__ == "__main__":
    main()
