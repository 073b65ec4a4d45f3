"""Time cxlab.pls.fit and a 5,000-resample bootstrap on the ECSI mobile-phone model.

Usage: .venv/bin/python benchmarks/bench_pls.py [--repeat N] [--bootstrap B] [--n-jobs J ...] [--other PYTHON]

Needs ``../shared/data/external/ecsi_mobi/mobi.csv``. The fit (path weighting scheme) is timed
``N`` times after a warm-up and the median reported; then one bootstrap of ``B`` resamples
(percentile intervals) per ``--n-jobs`` value (default: 1 and every core; the draws are the
same, which is checked), and PLSpredict (10 folds, 10 repetitions). The load average is
recorded before and after (the machine may be shared). With ``--other PYTHON`` (an interpreter that has the PyPI packages
``plspm`` and/or ``seminr``, kept out of cxlab's dependencies; may be given twice, e.g. plspm
0.5.7 needs pandas < 2.2 while the seminr port wants pandas 3), the same model is fitted by
those packages in a subprocess and their times are reported beside cxlab's, with the largest
difference of the path coefficients. One BLAS thread throughout. Prints a table and writes
``benchmarks/pls_results.json``.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MOBI = ROOT.parent / "shared" / "data" / "external" / "ecsi_mobi" / "mobi.csv"
MODEL = json.loads((ROOT / "tests" / "data" / "pls_ecsi_smartpls2.json").read_text())["model_syntax"]

# Run in the other interpreter: fits the ECSI model with plspm (Python) and seminr (Python port),
# prints JSON {package: {"fit_seconds": median, "boot_seconds": ..., "paths": {"from -> to": est}}}.
OTHER = r'''
import json, statistics, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
mobi, model, repeat, boot = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = pd.read_csv(mobi, index_col=0)
blocks, paths = {}, []
for line in model.splitlines():
    if "=~" in line:
        lhs, rhs = line.split("=~")
        blocks[lhs.strip()] = [t.strip() for t in rhs.split("+")]
    elif "~" in line:
        lhs, rhs = line.split("~")
        paths += [(t.strip(), lhs.strip()) for t in rhs.split("+")]
out = {}
def timed(fn):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return statistics.median(times)
try:
    import plspm.config as c
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme
    from plspm.mode import Mode
    names = list(blocks)
    def config():
        structure = c.Structure()
        for frm, to in paths:
            structure.add_path([frm], [to])
        cfg = c.Config(structure.path(), scaled=True)
        for name, items in blocks.items():
            cfg.add_lv(name, Mode.A, *[c.MV(i) for i in items])
        return cfg
    cfg = config()
    fit = lambda: Plspm(data, cfg, Scheme.PATH)
    res = {"fit_seconds": timed(fit), "version": __import__("importlib.metadata").metadata.version("plspm")}
    pc = fit().path_coefficients()
    res["paths"] = {f"{f} -> {t}": float(pc.loc[t, f]) for f, t in paths}
    t = time.perf_counter(); Plspm(data, cfg, Scheme.PATH, bootstrap=True, bootstrap_iterations=boot, processes=1)
    res["boot_seconds"] = time.perf_counter() - t
    out["plspm"] = res
except Exception as exc:
    out["plspm"] = {"error": repr(exc)[:300]}
try:
    import seminr
    mm = seminr.constructs(*[seminr.composite(n, items) for n, items in blocks.items()])
    sm = seminr.relationships(*[seminr.paths(from_=f, to=t) for f, t in paths])
    fit = lambda: seminr.estimate_pls(data, mm, sm)
    res = {"fit_seconds": timed(fit), "version": __import__("importlib.metadata").metadata.version("seminr")}
    pc = fit().path_coef
    res["paths"] = {f"{f} -> {t}": pc.get(f, t) for f, t in paths}
    model_fit = fit()
    t = time.perf_counter(); seminr.bootstrap_model(model_fit, nboot=boot, seed=1, cores=1)
    res["boot_seconds"] = time.perf_counter() - t
    out["seminr"] = res
except Exception as exc:
    out["seminr"] = {"error": repr(exc)[:300]}
print(json.dumps(out))
'''


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--bootstrap", type=int, default=5000)
    ap.add_argument("--n-jobs", type=int, action="append", default=[], help="bootstrap processes (repeatable)")
    ap.add_argument("--other", action="append", default=[], help="python interpreter with plspm / seminr")
    args = ap.parse_args(argv)
    if not MOBI.exists():
        sys.exit(f"{MOBI} is not present: the benchmark needs ../shared/data/external/ecsi_mobi/mobi.csv")
    from cxlab import pls

    data = pd.read_csv(MOBI, index_col=0)
    pls.fit(data, MODEL)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        res = pls.fit(data, MODEL)
        times.append(time.perf_counter() - t)
    load_before = os.getloadavg()[0]
    boot_s, first = {}, None
    for n_jobs in args.n_jobs or [1, os.cpu_count() or 1]:
        t = time.perf_counter()
        boot = pls.fit(data, MODEL, bootstrap=args.bootstrap, seed=1, n_jobs=n_jobs)
        boot_s[n_jobs] = time.perf_counter() - t
        first = boot if first is None else first
        same = boot.estimates.equals(first.estimates)
        print(f"cxlab.pls  bootstrap {args.bootstrap} resamples, n_jobs={n_jobs}: {boot_s[n_jobs]:.1f} s "
              f"({boot.n_boot} converged; estimates identical to the first run: {same})")
    t = time.perf_counter()
    prediction = pls.predict(data, MODEL, n_folds=10, n_repeats=10, seed=1)
    predict_s = time.perf_counter() - t
    load_after = os.getloadavg()[0]
    ours = {f"{r.rhs} -> {r.lhs}": r.est for r in res.estimates.query("op == '~'").itertuples()}
    result = {"date": time.strftime("%Y-%m-%d"), "python": platform.python_version(), "cores": os.cpu_count(),
              "load_average": [round(load_before, 2), round(load_after, 2)],
              "cxlab": {"fit_seconds": statistics.median(times), "boot_seconds": boot_s,
                        "bootstrap": args.bootstrap, "boot_converged": boot.n_boot, "iterations": res.iterations,
                        "predict_10x10_seconds": predict_s, "predictive_power": prediction.predictive_power}}
    print(f"cxlab.pls  fit {result['cxlab']['fit_seconds']:.4f} s (median of {args.repeat}); PLSpredict 10 folds x 10 "
          f"repetitions {predict_s:.1f} s; load average {load_before:.1f} -> {load_after:.1f}")
    others = {}
    for python in args.other:
        run = subprocess.run([python, "-c", OTHER, str(MOBI), MODEL, str(args.repeat), str(args.bootstrap)],
                             capture_output=True, text=True, timeout=3600)
        try:
            found = json.loads(run.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            found = {python: {"error": (run.stderr or run.stdout)[-500:]}}
        for name, rec in found.items():       # keep a package's successful run over a failed one
            if "error" not in rec or name not in others:
                others[name] = rec
    if others:
        for name, rec in others.items():
            if isinstance(rec, dict) and "paths" in rec:
                rec["max_path_diff"] = max(abs(rec["paths"][k] - ours[k]) for k in ours)
                print(f"{name:<10} fit {rec['fit_seconds']:.4f} s; bootstrap {rec.get('boot_seconds', float('nan')):.1f} s; "
                      f"max |path diff| vs cxlab {rec['max_path_diff']:.1e}")
            else:
                print(f"{name}: {rec}")
        result["others"] = others
    (Path(__file__).parent / "pls_results.json").write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
