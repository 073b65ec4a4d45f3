"""cxlab — a Jupyter-based research workbench for customer-experience research.

Method families live in their own modules (``cxlab.sem``, ``cxlab.factor``,
``cxlab.reliability``, ``cxlab.measures``, ``cxlab.levers``, ...); they are imported on
first use, so ``import cxlab`` stays fast.

>>> import cxlab
>>> cxlab.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "browser", "cache", "contacts", "data", "datasets", "draft", "factor", "kernels", "levers", "measures",
    "monitor", "multilevel", "paths", "plan", "plots", "pls", "polychoric", "privacy", "progress", "quality",
    "readers", "reliability", "report", "report_checks", "runner", "safety", "sem", "servqual", "study",
    "synth", "tables",
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'cxlab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)


def load_study(path, **kwargs):
    """Shortcut for :func:`cxlab.study.load_study`."""
    from .study import load_study as _load

    return _load(path, **kwargs)
