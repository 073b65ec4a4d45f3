"""What a study can feed: the reports that run, the ones skipped and why, and their parameters.

Every notebook declares, in its jupytext header, what it needs from a study and which
analysis parameters it uses::

    # ---
    # jupyter:
    #   cxlab:
    #     needs: [drivers]
    #     parameters: {outcome: null, bootstrap: null, contact_window_days: contacts}
    # ---

``needs`` are the names of :func:`capabilities`; a parameter maps to ``null`` (always
used), to the capability under which it is used, or to a list of capabilities (used when
the study has any of them). Cells tagged ``needs-<capability>``
are dropped before the notebook runs when the study lacks that capability, and cells
tagged ``unless-<capability>`` when it has it, so a report shows only the sections its
study can feed. The runner turns all of this into a :class:`Plan`: ``cxlab check``
prints it, ``cxlab run`` skips what it cannot run, and the index lists the skipped
reports with the reason and only the parameters the run used.

Examples
--------
>>> from cxlab.study import load_study, demo_study_path
>>> study = load_study(demo_study_path())
>>> caps = capabilities(study)
>>> caps["contacts"] is None, caps["structural_model"] is None
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import nbformat
import pandas as pd

__all__ = ["not_run", "CAPABILITIES", "Plan", "PlannedReport", "capabilities", "notebook_spec", "plan", "prune",
           "sem_resamples", "sem_options"]

#: What a study may offer a report, and what the plan says when it does not.
CAPABILITIES = {
    "scales": "no scale with two or more items in the codebook",
    "measurement_model": "no measurement model (models.measurement) in the study",
    "structural_model": "no structural model (models.structural) in the study",
    "several_factors": "the measurement model has fewer than two factors",
    "outcome": "no outcome (parameters.outcome) chosen",
    "drivers": "no outcome (parameters.outcome) with at least one other scale or single item to act as a driver",
    "loyalty": "no loyalty outcome (parameters.loyalty) chosen",
    "servqual": "no SERVQUAL block in the codebook",
    "expectations": "no SERVQUAL expectation items in the codebook",
    "pillars": "no Six Pillars block (codebook.pillars) in the codebook",
    "pillar_outcomes": "no Six Pillars block with two or more pillars and an NPS item or a loyalty outcome",
    "sacrifice": "no customer-sacrifice block (codebook.sacrifice) in the codebook",
    "contacts": "no contact log (data.contacts) linked through codebook.customer_id and codebook.date",
    "employees": "no employee survey (data.employees) with a contact log to attribute respondents to teams",
    "segment": "no segment column in the codebook",
    "wave": "no wave column in the codebook",
    "waves": "fewer than two waves in the codebook's wave column",
    "date": "no survey date column in the codebook",
    "duration": "no completion-time column in the codebook",
    "metrics": "no NPS, CSAT, CES, intention-to-stay or Temkin items in the codebook (codebook.metrics)",
    "nps": "no NPS item in the codebook",
    "ml_estimator": ("modification indices are not computed under WLSMV for a model with observed covariates "
                     "(parameters.estimator)"),
}


def drivers(study) -> list[str]:
    """The drivers of the study's outcome, as names of :func:`cxlab.data.respondent_table` columns.

    The ``drivers`` parameter when given; else the outcome's predictors in the structural
    model that are scales, single items or SERVQUAL dimensions; else every other scale
    and single item (SERVQUAL perception dimensions standing for their items; outcomes,
    expectation scales and the headline metrics' items are not drivers).
    """
    cb, p = study.codebook, study.parameters
    outcome = p["outcome"]
    if not outcome:
        return []
    if p.get("drivers"):
        return list(p["drivers"])
    dims = list(cb.servqual_items("p"))
    scored = [*dims, *cb.scales, *cb.single_items]
    structural = study.models.get("structural", "")
    if structural.strip():
        from .sem.syntax import parse_model

        rhs = [r for lhs, op, r, _ in parse_model(structural).formulas if op == "~" and lhs == outcome]
        return list(dict.fromkeys(r for r in rhs if r in scored))
    sq = cb.servqual
    prefixes = tuple(x for x in ((sq["expectation_prefix"], sq["perception_prefix"]) if sq else ()) if x)
    metric_items = set(cb.metrics.values())
    names = [n for n in cb.scales if not (prefixes and n.startswith(prefixes)) and n not in metric_items]
    names += [n for n in cb.single_items if cb.single_items[n]["column"] not in metric_items]
    return dims + [n for n in names if n not in (outcome, p["loyalty"])]


def sem_options(parameters) -> dict:
    """The options of :func:`cxlab.sem.fit` for the study's ``estimator`` and ``missing``: under
    WLSMV every observed variable of the model is an ordinal item (``ordered=True``; observed
    exogenous covariates stay continuous, lavaan's ``conditional.x``).

    >>> sem_options({"estimator": "WLSMV", "missing": "listwise"})
    {'estimator': 'WLSMV', 'missing': 'listwise', 'ordered': True}
    """
    out = {"estimator": parameters["estimator"], "missing": parameters["missing"]}
    if parameters["estimator"] == "WLSMV":
        out["ordered"] = True
    return out


def sem_resamples(parameters) -> int:
    """The bootstrap resamples of the SEM report's structural model: the study's ``bootstrap``,
    none under WLSMV (each resample would need its own polychoric correlations and weights;
    the indirect effects then get delta-method intervals from the robust covariance).

    >>> sem_resamples({"estimator": "MLR", "bootstrap": 200}), sem_resamples({"estimator": "WLSMV", "bootstrap": 200})
    (200, 0)
    """
    return 0 if parameters["estimator"] == "WLSMV" else int(parameters["bootstrap"])


def capabilities(study, survey=None) -> dict[str, str | None]:
    """Each capability of :data:`CAPABILITIES`: ``None`` when the study has it, else the reason it has not.

    With the processed ``survey`` a model whose columns no method can use (no answers,
    or the same answer from everyone) counts as missing, with the columns named.
    """
    cb, p, models = study.codebook, study.parameters, study.models
    sq = cb.servqual
    has = {
        "scales": any(len(s["items"]) >= 2 for s in cb.scales.values()),
        "measurement_model": bool(models.get("measurement", "").strip()),
        "structural_model": bool(models.get("structural", "").strip()),
        "several_factors": len(study.measurement_blocks()) >= 2 and bool(models.get("measurement", "").strip()),
        "outcome": bool(p["outcome"]),
        "drivers": bool(drivers(study)),
        "loyalty": bool(p["loyalty"]),
        "servqual": bool(sq),
        "expectations": bool(sq and sq.get("expectation_prefix")),
        "pillars": bool(cb.pillars),
        "pillar_outcomes": bool(cb.pillars and len(cb.pillars["items"]) >= 2
                                and ("nps" in cb.metrics or p["loyalty"])),
        "sacrifice": bool(cb.sacrifice),
        "contacts": _has_contacts(study),
        "employees": "employees" in study.data and _has_contacts(study),
        "segment": bool(cb.segment),
        "wave": bool(cb.wave),
        "waves": bool(cb.wave) and (not p["waves"] or len(p["waves"]) > 1),
        "date": bool(cb.date),
        "duration": bool(cb.duration),
        "metrics": bool(cb.metrics),
        "nps": "nps" in cb.metrics,
        "ml_estimator": not (p["estimator"] == "WLSMV" and _observed_covariates(models.get("structural", ""))),
    }
    out = {k: (None if has[k] else CAPABILITIES[k]) for k in CAPABILITIES}
    if survey is not None:
        for key in ("measurement_model", "structural_model"):
            if out[key] is None:
                out[key] = _unusable_columns(models[key.removesuffix("_model")], survey, key)
        if out["measurement_model"] is not None:
            out["several_factors"] = out["measurement_model"]
    return out


def _unusable_columns(model: str, survey, key: str) -> str | None:
    """Why a model cannot be fitted to ``survey`` (its degenerate columns), or None."""
    from .factor import drop_degenerate_items
    from .study import model_columns

    cols = [c for c in sorted(model_columns(model)) if c in survey.columns]
    if not cols:
        return None
    frame = pd.DataFrame({c: pd.to_numeric(survey[c], errors="coerce").astype(float) for c in cols})
    notes = drop_degenerate_items(frame).notes
    if notes is None or notes.empty:
        return None
    what = "; ".join(f"{r.item}: {r.reason}" for r in notes.itertuples())
    return f"the {key.replace('_', ' ')} uses columns no model can use ({what})"


def _observed_covariates(model: str) -> list[str]:
    """The observed exogenous covariates of a lavaan model (lavaan's ``ov.x``)."""
    from .sem.syntax import build_partable, parse_model

    if not model.strip():  # a study without the model
        return []
    try:
        return build_partable(parse_model(model), fixed_x=True)[1]["ov.x"]
    except ValueError:  # a model that does not parse is reported where it is fitted
        return []


def _has_contacts(study) -> bool:
    opts = study.data_options.get("contacts", {})
    source = "contacts" in study.data or "database" in opts or "spark" in opts
    return bool(source and study.codebook.customer_id and study.codebook.date)


@dataclass(frozen=True)
class NotebookSpec:
    """What a notebook declares: the capabilities it needs and the parameters it uses (with their condition)."""

    needs: tuple[str, ...]
    parameters: Mapping[str, str | tuple[str, ...] | None]

    def uses(self, parameter: str, caps: Mapping[str, Any]) -> bool:
        """Whether the report uses ``parameter`` for a study of capabilities ``caps``."""
        cond = self.parameters[parameter]
        return cond is None or any(caps[c] is None for c in ((cond,) if isinstance(cond, str) else cond))


def notebook_spec(nb: nbformat.NotebookNode) -> NotebookSpec:
    """Read a notebook's ``cxlab`` metadata (see the module documentation)."""
    meta = nb.metadata.get("cxlab", {}) or {}
    needs = tuple(meta.get("needs", ()) or ())
    params = {k: (tuple(v) if isinstance(v, list) else v) for k, v in dict(meta.get("parameters", {}) or {}).items()}
    conditions = [c for v in params.values() if v for c in ((v,) if isinstance(v, str) else v)]
    unknown = [n for n in (*needs, *conditions) if n not in CAPABILITIES]
    if unknown:
        raise ValueError(f"Notebook metadata names unknown capabilities {unknown} (known: {', '.join(CAPABILITIES)})")
    return NotebookSpec(needs, params)


@dataclass(frozen=True)
class PlannedReport:
    """One report of a plan: run it, or skip it with the reason."""

    name: str
    run: bool
    reason: str = ""
    parameters: tuple[str, ...] = ()

    def line(self) -> str:
        return f"  {self.name}: " + ("runs" if self.run else f"skipped — {self.reason}")


@dataclass(frozen=True)
class Plan:
    """The reports a study's run will write and the ones it skips."""

    reports: tuple[PlannedReport, ...]

    @property
    def to_run(self) -> list[str]:
        return [r.name for r in self.reports if r.run]

    @property
    def skipped(self) -> list[PlannedReport]:
        return [r for r in self.reports if not r.run]

    @property
    def parameters(self) -> list[str]:
        """Parameters used by the reports that run, in the order of :data:`cxlab.study.PARAMETERS`."""
        from .study import PARAMETERS

        used = {p for r in self.reports if r.run for p in r.parameters}
        return [p for p in PARAMETERS if p in used]

    def __str__(self) -> str:
        return "plan:\n" + "\n".join(r.line() for r in self.reports)


def plan(study, notebooks: Mapping[str, nbformat.NotebookNode], survey=None) -> Plan:
    """Which of ``notebooks`` (name -> notebook) run for ``study`` (and its processed ``survey``), which are skipped and why."""
    caps = capabilities(study, survey)
    out = []
    for name, nb in notebooks.items():
        spec = notebook_spec(nb)
        missing = [caps[n] for n in spec.needs if caps[n]]
        used = tuple(p for p in spec.parameters if spec.uses(p, caps))
        out.append(PlannedReport(name, not missing, "; ".join(missing), used))
    return Plan(tuple(out))


def prune(nb: nbformat.NotebookNode, caps: Mapping[str, Any]) -> nbformat.NotebookNode:
    """A copy of ``nb`` without the cells the study cannot feed (``needs-X`` / ``unless-X`` tags)."""
    nb = nbformat.from_dict(nb)
    keep = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        needs = [t[len("needs-"):] for t in tags if t.startswith("needs-")]
        unless = [t[len("unless-"):] for t in tags if t.startswith("unless-")]
        for t in (*needs, *unless):
            if t not in caps:
                raise ValueError(f"Cell tag names an unknown capability {t!r} (known: {', '.join(caps)})")
        if all(caps[t] is None for t in needs) and all(caps[t] is not None for t in unless):
            keep.append(cell)
    nb.cells = keep
    return nb


def not_run(what: str, study, capability: str, survey=None) -> str:
    """A sentence for a report: ``what`` was not done, and why (the capability's reason).

    >>> from cxlab.study import load_study, demo_study_path
    >>> not_run("The monitoring", load_study(demo_study_path()), "metrics")
    ''
    """
    from ._text import md

    reason = capabilities(study, survey)[capability]
    return f"{what} is not shown: {md(reason)}." if reason else ""
