"""Time cxlab.sem.fit on every SEM reference case beside lavaan's recorded time, and a bootstrap.

Usage: .venv/bin/python benchmarks/bench_sem.py [--repeat N] [--bootstrap B]

Each reference model is fitted ``N`` times (after one warm-up fit) in this process with
one BLAS thread (``OPENBLAS_NUM_THREADS=1`` etc. are set before numpy is imported); the
median wall time is compared with lavaan's median ``timing_seconds`` from the reference
JSON (the bare ``cfa()``/``sem()`` call, R 4.2.2, lavaan 0.6-14, same hardware class).
Then the mediation model is bootstrapped with ``B`` resamples on all cores and on one.
Prints a table and writes ``benchmarks/sem_results.json``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def _hs():
    return pd.read_csv(DATA / "HolzingerSwineford1939.csv")


def _hs_med():
    d = _hs()
    d["visual_sum"] = d["x1"] + d["x2"] + d["x3"]
    return d


def cases() -> list[dict]:
    """(name, data, model, fit options, lavaan median seconds) of every reference model."""
    ref = {p.stem: json.loads(p.read_text()) for p in DATA.glob("*.json")}
    hs, hs_miss = _hs(), pd.read_csv(DATA / "HolzingerSwineford1939_missing.csv")
    pol = pd.read_csv(DATA / "PoliticalDemocracy.csv")
    bfi = pd.read_csv(DATA / "bfi.csv")
    out = [
        ("hs_cfa", hs, {}, ref["hs_cfa"]["timing_seconds"]["cfa_call"]["median"]),
        ("hs_cfa_mlr", hs, {"estimator": "MLR"}, ref["hs_cfa_mlr"]["timing_seconds"]["sem_call"]["median"]),
        ("poldem_sem", pol, {}, ref["poldem_sem"]["timing_seconds"]["sem_call"]["median"]),
        ("poldem_sem_mlr", pol, {"estimator": "MLR"}, ref["poldem_sem_mlr"]["timing_seconds"]["sem_call"]["median"]),
        ("hs_missing_fiml", hs_miss, {"missing": "fiml"}, ref["hs_missing_fiml"]["timing_seconds"]["cfa_call"]["median"]),
        ("hs_mediation", _hs_med(), {}, ref["hs_mediation"]["timing_seconds"]["sem_call"]["median"]),
        ("bfi_cfa_ordinal", bfi, {"estimator": "WLSMV", "ordered": ref["bfi_cfa_ordinal"]["data"]["items"]},
         ref["bfi_cfa_ordinal"]["timing_seconds"]["cfa_call"]["median"]),
    ]
    rows = [{"case": n, "data": d, "model": ref[n]["model_syntax"], "options": o, "lavaan_s": t} for n, d, o, t in out]
    inv = ref["hs_invariance"]
    for level, equal in (("configural", ()), ("metric", ("loadings",)), ("scalar", ("loadings", "intercepts"))):
        rows.append({"case": f"hs_invariance:{level}", "data": hs, "model": inv["model_syntax"],
                     "options": {"group": "school", "group_equal": equal},
                     "lavaan_s": inv["timing_seconds"][level]["median"]})
    return rows


def time_fit(case: dict, repeat: int) -> dict:
    from cxlab.sem import fit

    res = fit(case["data"], case["model"], **case["options"])  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = fit(case["data"], case["model"], **case["options"])
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return {"case": case["case"], "cxlab_s": med, "cxlab_min_s": min(times), "lavaan_s": case["lavaan_s"],
            "ratio": med / case["lavaan_s"], "converged": bool(res.converged), "repeat": repeat}


def time_bootstrap(n_boot: int) -> dict:
    from cxlab.sem import effects_table, fit, with_effects
    from cxlab.sem import bootstrap as bs

    ref = json.loads((DATA / "hs_mediation.json").read_text())
    data, model = _hs_med(), ref["model_syntax"]
    out = {"case": "hs_mediation bootstrap", "resamples": n_boot, "cores": os.cpu_count()}
    t0 = time.perf_counter()
    res = fit(data, model, bootstrap=n_boot, seed=1)
    out["all_cores_s"] = time.perf_counter() - t0
    base = fit(data, model)
    ref_ = bs._refitter(data, model, base, missing="listwise", group=None)
    t0 = time.perf_counter()
    bs.bootstrap_draws(ref_, n_boot, 1, n_workers=1)
    out["one_core_s"] = time.perf_counter() - t0
    out["speedup"] = out["one_core_s"] / out["all_cores_s"]
    ind = res.estimates.set_index("lhs").loc["ind"]
    out["ind_est"], out["ind_se_boot"] = float(ind["est"]), float(ind["se"])
    out["ind_ci_percentile"] = [float(ind["ci_lower"]), float(ind["ci_upper"])]
    # the same through with_effects + effects_table (the notebook's route)
    t0 = time.perf_counter()
    eff = effects_table(fit(data, with_effects(model.split("\nind")[0]), bootstrap=n_boot, seed=1))
    out["effects_table_all_cores_s"] = time.perf_counter() - t0
    row = eff.set_index(["driver", "outcome", "effect"]).loc[("visual_sum", "speed", "indirect")]
    out["effects_table_ind_ci"] = [float(row["ci_lower"]), float(row["ci_upper"])]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15, help="fits per model (median reported)")
    ap.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples of the mediation model")
    args = ap.parse_args(argv)
    fits = []
    for case in cases():
        fits.append(time_fit(case, args.repeat))
        r = fits[-1]
        print(f"{r['case']:<26} cxlab {r['cxlab_s']:7.3f} s   lavaan {r['lavaan_s']:7.3f} s   "
              f"ratio {r['ratio']:5.2f}   {'ok' if r['ratio'] <= 1 else 'SLOWER'}", flush=True)
    boot = time_bootstrap(args.bootstrap)
    print(f"\nbootstrap {boot['resamples']} resamples (mediation): {boot['all_cores_s']:.2f} s on {boot['cores']} cores, "
          f"{boot['one_core_s']:.2f} s on one (speed-up {boot['speedup']:.2f}); indirect effect "
          f"{boot['ind_est']:.4f}, bootstrap SE {boot['ind_se_boot']:.4f}, 95 % percentile CI "
          f"[{boot['ind_ci_percentile'][0]:.4f}, {boot['ind_ci_percentile'][1]:.4f}]")
    result = {"python": platform.python_version(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
              "blas_threads": 1, "fits": fits, "bootstrap": boot,
              "generated": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    (ROOT / "benchmarks" / "sem_results.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {ROOT / 'benchmarks' / 'sem_results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
