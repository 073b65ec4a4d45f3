"""BLAS threads pinned inside the engine (issue 13; :mod:`cxlab.sem.threads`).

Measured by ``benchmarks/bench_sem.py`` (ECSI model, fresh processes, interleaved, on a
shared 2-core machine): default BLAS threads 0.36 s, one thread 0.40 s (0.92x); with the
pinning switched off the default threads took 3.1 s (7.8x), the slowdown the issue reported.
"""

import pandas as pd
import threadpoolctl

from cxlab.sem import engine, fit

from conftest import DATA



def _blas_threads():
    return {i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"}


def test_fit_runs_with_one_blas_thread_and_restores_the_limit(monkeypatch):
    seen = []
    original = engine.fit_ml

    def spy(*args, **kwargs):
        seen.append(_blas_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "fit_ml", spy)
    before = _blas_threads()
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        inside = _blas_threads()
        res = fit(pd.read_csv(DATA / "HolzingerSwineford1939.csv"), "f =~ x1 + x2 + x3")
        assert _blas_threads() == inside
    assert res.converged and seen == [{1}]
    assert _blas_threads() == before
