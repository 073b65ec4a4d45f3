"""BLAS threads pinned inside the engine (threadpoolctl).

The matrices of a SEM are small (tens of variables), where multi-threaded BLAS spends more
time starting and synchronising threads than computing: with the default thread count a
fit in a notebook took several times longer than with one thread. :func:`blas_pinned`
limits BLAS to one thread for the duration of a fit (and restores the previous limits);
:func:`single_blas_thread` does it for the rest of a bootstrap worker process.

Examples
--------
>>> from cxlab.sem.threads import blas_pinned
>>> with blas_pinned():
...     pass
"""

from __future__ import annotations

from contextlib import contextmanager

__all__ = ["blas_pinned", "single_blas_thread"]

_CONTROLLER = None
_PROCESS_LIMIT = None


def _controller():
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


@contextmanager
def blas_pinned(limit: int = 1):
    """Limit BLAS (OpenBLAS, MKL, BLIS) to ``limit`` threads inside the block."""
    with _controller().limit(limits=limit, user_api="blas"):
        yield


def single_blas_thread() -> None:
    """Limit BLAS to one thread for the rest of this process (bootstrap workers)."""
    global _PROCESS_LIMIT
    _PROCESS_LIMIT = _controller().limit(limits=1, user_api="blas")
