"""Time exact Shapley (LMG) driver importance for 10, 15, 20 and 25 drivers on 10,000 respondents.

Usage: OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_levers.py [--repeat N]
Target (issue 6): under 2 s for 20 drivers on this 2-core machine. Writes
benchmarks/levers_results.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.levers import driver_importance


def data(p: int, n: int = 10_000, seed: int = 1) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    cov = 0.4 * np.ones((p, p)) + 0.6 * np.eye(p)
    x = rng.multivariate_normal(np.zeros(p), cov, size=n)
    beta = np.linspace(1.0, 0.05, p)
    y = x @ beta + rng.normal(scale=2.0, size=n)
    drivers = [f"d{i:02d}" for i in range(p)]
    return pd.DataFrame(x, columns=drivers).assign(y=y), drivers


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    out = {}
    for p in (10, 15, 20, 25):
        df, drivers = data(p)
        times = []
        for _ in range(args.repeat if p < 25 else 1):
            t0 = time.perf_counter()
            driver_importance(df, "y", drivers, method="shapley")
            times.append(time.perf_counter() - t0)
        out[p] = statistics.median(times)
        print(f"shapley, {p:2d} drivers, n=10,000: {out[p]:7.3f} s (median of {len(times)})")
    df, drivers = data(20)
    t0 = time.perf_counter()
    driver_importance(df, "y", drivers, method="relative_weights")
    out["relative_weights_20"] = time.perf_counter() - t0
    print(f"relative weights, 20 drivers: {out['relative_weights_20']:.3f} s")
    Path(__file__).with_name("levers_results.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
