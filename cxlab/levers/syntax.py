"""lavaan syntax for a structural model with contact features as observed predictors."""

from __future__ import annotations

from collections.abc import Sequence

from .._validation import param_error

__all__ = ["contact_sem_model"]

def contact_sem_model(model: str, *, outcome: str, contact_features: Sequence[str]) -> str:
    r"""Add contact features to a structural model as observed exogenous predictors of ``outcome``.

    The result is lavaan syntax for :func:`cxlab.sem.fit`: the contact features enter as
    fixed exogenous covariates (lavaan's ``fixed.x``), so their effects on the outcome are
    adjusted for the model's latent drivers. They remain associations: contact
    experience is not randomised.

    Parameters
    ----------
    model : str
        lavaan syntax with ``outcome`` as a latent or observed variable.
    outcome : str
        The variable the contact features predict.
    contact_features : sequence of str
        Column names (per-respondent contact features).

    Examples
    --------
    >>> m = "sat =~ s1 + s2 + s3\nsat ~ rel"
    >>> print(contact_sem_model(m, outcome="sat", contact_features=["repeat_contacts", "long_waits"]))
    sat =~ s1 + s2 + s3
    sat ~ rel
    sat ~ repeat_contacts + long_waits
    """
    import re

    names = set(re.findall(r"[A-Za-z_][\w.]*", model))
    if outcome not in names:
        raise param_error("outcome", "contact_sem_model", "name a variable of the model", outcome)
    if not contact_features:
        raise param_error("contact_features", "contact_sem_model", "name at least one column", contact_features)
    return model.rstrip("\n") + f"\n{outcome} ~ " + " + ".join(contact_features)
