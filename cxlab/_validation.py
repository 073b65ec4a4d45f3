"""Parameter checks shared by every cxlab module: one message style, one place.

Every message reads like scikit-learn's::

    The 'ci' parameter of driver_importance must be a float in (0, 1). Got 1.5 instead.

so a user sees the parameter, the function and the value at once. The checks raise
``ValueError`` (``TypeError`` only where a DataFrame was expected); they never ``assert``.

:func:`renamed_parameters` keeps old keyword names working for one release with a
``DeprecationWarning`` (the glossary in ``docs/glossary.md`` lists the current names).

Examples
--------
>>> check_int(5, "n_boot", "f", low=0)
5
>>> try:
...     check_probability(1.5, "ci", "f")
... except ValueError as e:
...     print(e)
The 'ci' parameter of f must be a float in (0, 1). Got 1.5 instead.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd

__all__ = [
    "param_error",
    "check_frame",
    "check_int",
    "check_float",
    "check_probability",
    "check_ci",
    "check_choice",
    "check_bool",
    "check_identifier",
    "check_columns",
    "check_column_list",
    "renamed_parameters",
]


def param_error(name: str, func: str, must: str, value, *, exc: type[Exception] = ValueError,
                got: str | None = None, instead: bool = True) -> Exception:
    """The standard error: ``The 'name' parameter of func must <must>. Got <value> instead.``

    ``must`` is the predicate after "must" ("be an int >= 1", "name at least one column").
    ``got`` replaces the ``repr`` of ``value`` when a description reads better (a type name,
    a list of bad columns); ``instead=False`` drops the closing "instead" where the value
    is not a replacement ("Got duplicates ['a']."). Returns the exception; the caller raises it.

    Examples
    --------
    >>> str(param_error("top", "f", "be an int >= 1", 0))
    "The 'top' parameter of f must be an int >= 1. Got 0 instead."
    """
    shown = repr(value) if got is None else got
    return exc(f"The {name!r} parameter of {func} must {must}. Got {shown}{' instead' if instead else ''}.")


def check_frame(data, func: str, name: str = "data") -> pd.DataFrame:
    """Raise ``TypeError`` unless ``data`` is a pandas DataFrame; return it.

    Examples
    --------
    >>> check_frame([1, 2], "f")
    Traceback (most recent call last):
    TypeError: The 'data' parameter of f must be a pandas DataFrame. Got list instead.
    """
    if not isinstance(data, pd.DataFrame):
        raise param_error(name, func, "be a pandas DataFrame", data, exc=TypeError, got=type(data).__name__)
    return data


def _is_int(value) -> bool:
    return isinstance(value, Integral | np.integer) and not isinstance(value, bool | np.bool_)


def _is_real(value) -> bool:
    return isinstance(value, Real | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def _int_range(low, high) -> str:
    if low is not None and high is not None:
        return f"an int in the range [{low}, {high}]"
    if low is not None:
        return f"an int >= {low}"
    if high is not None:
        return f"an int <= {high}"
    return "an int"


def check_int(value, name: str, func: str, *, low: int | None = None, high: int | None = None,
              allow_none: bool = False, must: str | None = None):
    """An int (not a bool) in ``[low, high]``; ``None`` passes when ``allow_none``.

    ``must`` replaces the generated description ("an int >= 1") when the range needs words.

    Examples
    --------
    >>> check_int(0, "top", "f", low=1)
    Traceback (most recent call last):
    ValueError: The 'top' parameter of f must be an int >= 1. Got 0 instead.
    >>> check_int(None, "n_jobs", "f", low=1, allow_none=True) is None
    True
    """
    if value is None and allow_none:
        return None
    if _is_int(value) and (low is None or value >= low) and (high is None or value <= high):
        return value
    what = must or _int_range(low, high)
    raise param_error(name, func, f"be None or {what}" if allow_none and must is None else f"be {what}", value)


def check_float(value, name: str, func: str, *, low: float | None = None, high: float | None = None,
                closed: str = "neither", allow_none: bool = False, must: str | None = None):
    """A real number (int or float, not a bool) in an interval; returns it unchanged.

    ``closed`` is one of ``"neither"`` (``(low, high)``), ``"both"`` (``[low, high]``),
    ``"left"`` (``[low, high)``) or ``"right"`` (``(low, high]``). With ``low`` only the
    check is ``> low`` (or ``>= low`` when the left end is closed).

    Examples
    --------
    >>> check_float(0.0, "cutoff", "f", low=0, high=1, closed="left")
    0.0
    >>> check_float(-1, "sigma", "f", low=0)
    Traceback (most recent call last):
    ValueError: The 'sigma' parameter of f must be a float > 0. Got -1 instead.
    """
    if value is None and allow_none:
        return None
    left = closed in ("both", "left")
    right = closed in ("both", "right")
    ok = _is_real(value) and not (isinstance(value, float) and np.isnan(value))
    if ok and low is not None:
        ok = value >= low if left else value > low
    if ok and high is not None:
        ok = value <= high if right else value < high
    if ok:
        return value
    if must is None:
        if low is not None and high is not None:
            must = f"a float in {'[' if left else '('}{low}, {high}{']' if right else ')'}"
        elif low is not None:
            must = f"a float {'>=' if left else '>'} {low}"
        elif high is not None:
            must = f"a float {'<=' if right else '<'} {high}"
        else:
            must = "a float"
        if allow_none:
            must = f"None or {must}"
    raise param_error(name, func, f"be {must}", value)


def check_probability(value, name: str, func: str, *, closed: str = "neither") -> float:
    """A float in ``(0, 1)`` (or with closed ends, see :func:`check_float`).

    Examples
    --------
    >>> check_probability(0.05, "alpha", "f")
    0.05
    """
    return check_float(value, name, func, low=0, high=1, closed=closed)


def check_ci(ci, func: str, name: str = "ci") -> float:
    """A confidence level: a float in ``(0, 1)``.

    Examples
    --------
    >>> check_ci(95, "f")
    Traceback (most recent call last):
    ValueError: The 'ci' parameter of f must be a float in (0, 1). Got 95 instead.
    """
    return check_probability(ci, name, func)


def check_choice(value, name: str, func: str, options: Iterable):
    """One of ``options`` (compared by equality; unhashable values fail cleanly).

    Examples
    --------
    >>> check_choice("sum", "method", "f", ("mean", "median"))
    Traceback (most recent call last):
    ValueError: The 'method' parameter of f must be one of 'mean', 'median'. Got 'sum' instead.
    """
    options = tuple(options)
    try:
        ok = not isinstance(value, bool) and value in options
    except (TypeError, ValueError):  # e.g. an array compared element-wise
        ok = False
    if not ok:
        raise param_error(name, func, "be one of " + ", ".join(map(repr, options)), value)
    return value


def check_bool(value, name: str, func: str) -> bool:
    """``True`` or ``False`` (numpy bools too), nothing else.

    Examples
    --------
    >>> check_bool("yes", "acov", "f")
    Traceback (most recent call last):
    ValueError: The 'acov' parameter of f must be a bool. Got 'yes' instead.
    """
    if not isinstance(value, bool | np.bool_):
        raise param_error(name, func, "be a bool", value)
    return bool(value)


def check_identifier(value, name: str, func: str) -> str:
    """A name made of letters, digits, ``_`` and ``-`` (a study or folder name).

    Examples
    --------
    >>> check_identifier("my study", "name", "new_study")
    Traceback (most recent call last):
    ValueError: The 'name' parameter of new_study must use letters, digits, '_' and '-' only. Got 'my study' instead.
    """
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        raise param_error(name, func, "use letters, digits, '_' and '-' only", value)
    return value


def check_column_list(value, name: str, func: str, *, allow_empty: bool = True,
                      allow_str: bool = True) -> list[str]:
    """A list of column names (a single string counts as one when ``allow_str``).

    Examples
    --------
    >>> check_column_list("a", "drivers", "f")
    ['a']
    >>> check_column_list([], "drivers", "f", allow_empty=False)
    Traceback (most recent call last):
    ValueError: The 'drivers' parameter of f must name at least one column. Got [] instead.
    """
    if isinstance(value, str) and allow_str:
        value = [value]
    if isinstance(value, str) or not isinstance(value, Sequence | pd.Index | np.ndarray):
        raise param_error(name, func, "be a list of column names", value)
    value = list(value)
    if not value and not allow_empty:
        raise param_error(name, func, "name at least one column", value)
    return value


def check_columns(data: pd.DataFrame, columns: Iterable[str], func: str, name: str | None = None, *,
                  numeric: Iterable[str] | bool = (), show: int = 20) -> list[str]:
    """Every name in ``columns`` is a column of ``data``; those in ``numeric`` are numeric.

    ``numeric=True`` means all of ``columns``. The message names the missing columns and the
    first ``show`` available ones; with ``name`` it names the parameter too.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1], "b": ["x"]})
    >>> check_columns(frame, ["a", "c"], "f", "items")
    Traceback (most recent call last):
    ValueError: The 'items' parameter of f names columns not in the data: ['c']. Available: ['a', 'b'].
    >>> check_columns(frame, ["c"], "f")
    Traceback (most recent call last):
    ValueError: Columns ['c'] passed to f are not in 'data'. Available columns: ['a', 'b'].
    >>> check_columns(frame, ["b"], "f", numeric=True)
    Traceback (most recent call last):
    ValueError: Columns ['b'] passed to f must be numeric. Got dtypes ['str'].
    """
    columns = list(columns)
    absent = [c for c in columns if c not in data.columns]
    if absent:
        avail = list(data.columns)[:show]
        if name is None:
            raise ValueError(f"Columns {absent} passed to {func} are not in 'data'. Available columns: {avail}.")
        raise ValueError(f"The {name!r} parameter of {func} names columns not in the data: {absent}. "
                         f"Available: {avail}.")
    numeric = columns if numeric is True else list(numeric or ())
    bad = [c for c in numeric if not (pd.api.types.is_numeric_dtype(data[c])
                                      or pd.api.types.is_bool_dtype(data[c]))]
    if bad:
        raise ValueError(f"Columns {bad} passed to {func} must be numeric. "
                         f"Got dtypes {[str(data[c].dtype) for c in bad]}.")
    return columns


def renamed_parameters(renames: Mapping[str, str], *, since: str = "0.2") -> Callable:
    """Accept old keyword names for one release, with a ``DeprecationWarning``.

    ``renames`` maps old name -> new name. Passing both raises ``TypeError``.

    Examples
    --------
    >>> @renamed_parameters({"alpha_level": "alpha"})
    ... def f(*, alpha=0.05):
    ...     return alpha
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     f(alpha_level=0.01), w[0].category.__name__
    (0.01, 'DeprecationWarning')
    """
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{func.__name__} got both {old!r} (deprecated) and {new!r}; "
                                        f"pass {new!r} only.")
                    warnings.warn(f"The {old!r} parameter of {func.__name__} is renamed {new!r} "
                                  f"(since cxlab {since}); {old!r} will stop working in the next "
                                  "release.", DeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)
        wrapper.__renamed_parameters__ = dict(renames)
        return wrapper
    return decorate
