"""Per-customer contact features on a 10-million-row contact log: cxlab (Ibis on DuckDB) vs pandas.

Usage: .venv/bin/python benchmarks/bench_contacts.py [--rows 10_000_000]

The log is the demo contact log replicated with fresh customer, issue and contact ids
(deterministic), written once to benchmarks/.cache/contacts_<rows>.parquet. Each engine
runs in its own process, so wall time includes reading the file, and peak memory is that
process's maximum resident set size. The pandas version is the independent reference
implementation of the test suite (tests/test_contacts.py::pandas_features).
Target (issue 3): at least 5x faster than pandas and under 2 GB peak. Writes
benchmarks/contacts_results.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# engine -> (imports, aggregation); only the aggregation (file read included) is timed.
RUN = {
    "cxlab (Ibis/DuckDB)": ("from cxlab.contacts import customer_features as f", "out = f(PATH)"),
    "pandas": ("import sys, pandas as pd; sys.path.insert(0, 'tests'); from test_contacts import pandas_features",
               "out = pandas_features(pd.read_parquet(PATH))"),
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


def measure(code: tuple[str, str], path: Path) -> dict:
    setup, run = code
    script = (f"import time, resource; PATH = {str(path)!r}; {setup}; t0 = time.perf_counter(); {run}; "
              "print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(out))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(done.stderr)
    seconds, kb, customers = done.stdout.split()[-3:]
    return {"seconds": float(seconds), "peak_mb": int(kb) / 1024, "customers": int(customers)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    args = ap.parse_args()
    path = make_log(args.rows)
    print(f"{args.rows:,} contacts, {path.stat().st_size / 1e6:.0f} MB Parquet")
    results = {name: measure(code, path) for name, code in RUN.items()}
    for name, r in results.items():
        print(f"  {name:<22} {r['seconds']:7.2f} s  peak {r['peak_mb']:7.0f} MB  ({r['customers']:,} customers)")
    speedup = results["pandas"]["seconds"] / results["cxlab (Ibis/DuckDB)"]["seconds"]
    print(f"  speed-up over pandas: {speedup:.1f}x")
    (HERE / "contacts_results.json").write_text(json.dumps({"rows": args.rows, **results, "speedup": speedup}, indent=2))


if __name__ == "__main__":
    main()
