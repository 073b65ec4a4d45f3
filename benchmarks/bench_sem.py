"""Time cxlab.sem.fit on every SEM reference case beside lavaan's recorded time, and a bootstrap.

Usage: .venv/bin/python benchmarks/bench_sem.py [--repeat N] [--bootstrap B]

Each reference model is fitted ``N`` times (after one warm-up fit) in this process with
one BLAS thread (``OPENBLAS_NUM_THREADS=1`` etc. are set before numpy is imported); the
median wall time is compared with lavaan's median ``timing_seconds`` from the reference
JSON (the bare ``cfa()``/``sem()`` call, R 4.2.2, lavaan 0.6-14, same hardware class).
Then the mediation model is bootstrapped with ``B`` resamples on all cores and on one;
the ECSI mobile-phone model (``../shared/data/external/ecsi_mobi``, when present) with
``B`` resamples on all cores, with its failure count and the CPU time of the workers; and
a fit is timed in fresh processes with the default BLAS threads (as shipped: the engine
pins BLAS to one thread), with one BLAS thread from the environment, and with the default
threads and the pinning switched off (as before issue 13), interleaved.
Prints a table and writes ``benchmarks/sem_results.json``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
MOBI = ROOT.parent / "shared" / "data" / "external" / "ecsi_mobi" / "mobi.csv"


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
    out += [
        ("hs_second_order", hs, {}, ref["hs_second_order"]["timing_seconds"]["cfa_call"]["median"]),
        ("wlsmv_6f", pd.read_csv(DATA / "ordinal_6f.csv"),
         {"estimator": "WLSMV", "ordered": ref["wlsmv_6f"]["data"]["items"]},
         ref["wlsmv_6f"]["timing_seconds"]["cfa_call"]["median"]),
    ]
    out += [
        ("hs_mimic_mlr", hs, {"estimator": "MLR"}, ref["hs_mimic_mlr"]["timing_seconds"]["sem_call"]["median"]),
        ("dwls_6f", pd.read_csv(DATA / "ordinal_6f.csv"),
         {"estimator": "DWLS", "ordered": ref["dwls_6f"]["data"]["items"]},
         ref["dwls_6f"]["timing_seconds"]["cfa_call"]["median"]),
    ]
    if MOBI.exists():
        out.append(("ecsi_mobi", pd.read_csv(MOBI, index_col=0), {},
                    ref["ecsi_mobi"]["timing_seconds"]["sem_call"]["median"]))
    rows = [{"case": n, "data": d, "model": ref[n]["model_syntax"], "options": o, "lavaan_s": t} for n, d, o, t in out]
    ls = ref["hs_uls_gls"]  # lavaan timed the GLS fit
    rows.append({"case": "hs_uls_gls:gls", "data": hs, "model": ls["model_syntax"], "options": {"estimator": "GLS"},
                 "lavaan_s": ls["timing_seconds"]["cfa_gls"]["median"]})
    grp = ref["wlsmv_groups"]  # ordinal multigroup, configural (lavaan timed under load; see the R script)
    rows.append({"case": "wlsmv_groups:configural", "data": bfi, "model": grp["model_syntax"],
                 "options": {"estimator": "WLSMV", "ordered": grp["data"]["items"], "group": grp["data"]["group"]},
                 "lavaan_s": grp["timing_seconds"]["configural"]["median"]})
    mimic = pd.read_csv(DATA / "ordinal_mimic.csv")  # WLSMV with covariates (conditional.x)
    for name in ("wlsmv_mimic", "wlsmv_covariate_sem"):
        rows.append({"case": name, "data": mimic, "model": ref[name]["model_syntax"],
                     "options": {"estimator": "WLSMV", "ordered": ref[name]["data"]["items"]},
                     "lavaan_s": ref[name]["timing_seconds"]["sem_call"]["median"]})
    form = ref["formative"]  # formative constructs (<~); lavaan timed under load (see r/33_formative.R)
    for name, options in (("hs", {}), ("hs_groups", {"group": "school"}), ("hs_mlr", {"estimator": "MLR"})):
        rows.append({"case": f"formative:{name}", "data": hs, "model": form[name]["model_syntax"], "options": options,
                     "lavaan_s": form[name]["timing_seconds"]["median"]})
    if MOBI.exists():
        rows.append({"case": "formative:ecsi", "data": pd.read_csv(MOBI, index_col=0),
                     "model": form["ecsi"]["model_syntax"], "options": {},
                     "lavaan_s": form["ecsi"]["timing_seconds"]["median"]})
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
    res = fit(data, model, n_boot=n_boot, seed=1)
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
    eff = effects_table(fit(data, with_effects(model.split("\nind")[0]), n_boot=n_boot, seed=1))
    out["effects_table_all_cores_s"] = time.perf_counter() - t0
    row = eff.set_index(["driver", "outcome", "effect"]).loc[("visual_sum", "speed", "indirect")]
    out["effects_table_ind_ci"] = [float(row["ci_lower"]), float(row["ci_upper"])]
    return out


def time_ecsi_bootstrap(n_boot: int) -> dict | None:
    """``n_boot`` resamples of the ECSI model on all cores: wall time, failures, worker CPU time."""
    if not MOBI.exists():
        return None
    from cxlab.sem import fit

    ref = json.loads((DATA / "ecsi_mobi.json").read_text())
    data = pd.read_csv(MOBI, index_col=0)
    load0 = os.getloadavg()[0]
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    t0 = time.perf_counter()
    res = fit(data, ref["model_syntax"], n_boot=n_boot, seed=1)
    wall = time.perf_counter() - t0
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu0
    info = res.bootstrap_info
    return {"case": "ecsi_mobi bootstrap", "resamples": n_boot, "cores": info.n_jobs, "wall_s": wall,
            "resamples_s": info.seconds, "worker_cpu_s": cpu, "cpu_per_core_s": cpu / info.n_jobs,
            "n_ok": info.n_ok, "n_failed": info.n_failed, "load_average_before": load0,
            "load_average_after": os.getloadavg()[0],
            "lavaan_200_resamples": ref["lavaan_bootstrap_200"]}


_BLAS_SCRIPT = """
import json, statistics, sys, time, contextlib
import pandas as pd
from cxlab.sem import fit
from cxlab.sem import engine
data_dir, pin, case, csv = sys.argv[1:5]
if pin == "off":
    engine.blas_pinned = contextlib.nullcontext
ref = json.loads(open(data_dir + "/" + case + ".json").read())
data = pd.read_csv(csv, index_col=0 if case == "ecsi_mobi" else None)
opts = {"estimator": "WLSMV", "ordered": ref["data"]["items"]} if case == "bfi_cfa_ordinal" else {}
fit(data, ref["model_syntax"], **opts)
ts = []
for _ in range(3):
    t0 = time.perf_counter(); fit(data, ref["model_syntax"], **opts); ts.append(time.perf_counter() - t0)
print(statistics.median(ts))
"""


def time_blas_threads(rounds: int = 5) -> dict:
    """Median fit time in fresh processes: default BLAS threads, one thread, default threads unpinned.

    The ECSI model (24 indicators) when ``../shared`` is present, else the bfi WLSMV model.
    """
    case, csv = ("ecsi_mobi", MOBI) if MOBI.exists() else ("bfi_cfa_ordinal", DATA / "bfi.csv")
    env_default = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                                     "MKL_NUM_THREADS")}
    env_one = dict(env_default, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    configs = {"default_threads": (env_default, "on"), "one_thread": (env_one, "on"),
               "default_threads_unpinned": (env_default, "off")}
    times = {k: [] for k in configs}
    for _ in range(rounds):  # interleaved: the machine's load hits every configuration alike
        for name, (env, pin) in configs.items():
            out = subprocess.run([sys.executable, "-c", _BLAS_SCRIPT, str(DATA), pin, case, str(csv)], env=env,
                                 capture_output=True, text=True, check=True, cwd=ROOT)
            times[name].append(float(out.stdout.strip()))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"case": f"{case} fit, BLAS threads", "rounds": rounds, "median_s": med, "all_s": times,
            "default_over_one": med["default_threads"] / med["one_thread"],
            "unpinned_over_one": med["default_threads_unpinned"] / med["one_thread"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15, help="fits per model (median reported)")
    ap.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples of the mediation model")
    ap.add_argument("--only", nargs="+", metavar="TEXT",
                    help="time only the reference cases whose name contains one of these (no bootstraps, "
                         "no BLAS comparison; sem_results.json is left as it is)")
    args = ap.parse_args(argv)
    fits = []
    for case in cases():
        if args.only and not any(text in case["case"] for text in args.only):
            continue
        fits.append(time_fit(case, args.repeat))
        r = fits[-1]
        print(f"{r['case']:<26} cxlab {r['cxlab_s']:7.3f} s   lavaan {r['lavaan_s']:7.3f} s   "
              f"ratio {r['ratio']:5.2f}   {'ok' if r['ratio'] <= 1 else 'SLOWER'}", flush=True)
    if args.only:
        return 0
    boot = time_bootstrap(args.bootstrap)
    print(f"\nbootstrap {boot['resamples']} resamples (mediation): {boot['all_cores_s']:.2f} s on {boot['cores']} cores, "
          f"{boot['one_core_s']:.2f} s on one (speed-up {boot['speedup']:.2f}); indirect effect "
          f"{boot['ind_est']:.4f}, bootstrap SE {boot['ind_se_boot']:.4f}, 95 % percentile CI "
          f"[{boot['ind_ci_percentile'][0]:.4f}, {boot['ind_ci_percentile'][1]:.4f}]")
    ecsi = time_ecsi_bootstrap(args.bootstrap)
    if ecsi:
        print(f"bootstrap {ecsi['resamples']} resamples (ECSI): {ecsi['resamples_s']:.1f} s on {ecsi['cores']} cores "
              f"(worker CPU {ecsi['worker_cpu_s']:.1f} s = {ecsi['cpu_per_core_s']:.1f} s per core; load average "
              f"{ecsi['load_average_before']:.1f}), {ecsi['n_failed']} failed, {ecsi['n_ok']} converged")
    blas = time_blas_threads()
    m = blas["median_s"]
    print(f"{blas['case']}: default BLAS threads {m['default_threads']:.3f} s, one thread {m['one_thread']:.3f} s "
          f"({blas['default_over_one']:.2f}x), unpinned default threads {m['default_threads_unpinned']:.3f} s "
          f"({blas['unpinned_over_one']:.2f}x)")
    result = {"python": platform.python_version(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
              "blas_threads": 1, "fits": fits, "bootstrap": boot, "ecsi_bootstrap": ecsi, "blas": blas,
              "generated": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    (ROOT / "benchmarks" / "sem_results.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {ROOT / 'benchmarks' / 'sem_results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
