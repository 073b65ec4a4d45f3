"""What result objects that carry a table share: ``to_frame()`` and a notebook display.

A result of an analysis is a frozen dataclass: its ``table`` (a DataFrame) and the numbers
that describe it (the outcome, n, R², the confidence level...), as fields. pandas'
``DataFrame.attrs`` is not used for those: it is experimental and lost on most operations.

Examples
--------
>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(frozen=True, eq=False)
... class Demo(TableResult):
...     table: pd.DataFrame
...     n: int
>>> d = Demo(pd.DataFrame({"x": [1.0]}), n=3)
>>> d.to_frame().equals(d.table), d.to_frame() is d.table
(True, False)
>>> d._repr_html_().startswith("<p><strong>Demo</strong>: n = 3</p>")
True
"""

from __future__ import annotations

import dataclasses
import html
import warnings

import pandas as pd

__all__ = ["TableResult", "check_result"]


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict | list | tuple) and len(str(value)) > 80:
        return f"{type(value).__name__} of {len(value)}"
    return str(value)


class TableResult:
    """Mixin for a frozen result dataclass with a ``table`` field (a DataFrame)."""

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """A copy of the result's table."""
        return self.table.copy()

    def _repr_html_(self) -> str:
        fields = [f.name for f in dataclasses.fields(self) if f.name != "table"]
        meta = ", ".join(f"{name} = {_short(getattr(self, name))}" for name in fields)
        return f"<p><strong>{type(self).__name__}</strong>: {html.escape(meta)}</p>" + self.table.to_html()


def check_result(value, cls: type, name: str, func: str, *, made_by: str):
    """``value`` if it is a ``cls``; its table with a ``DeprecationWarning`` if a DataFrame; else an error.

    For the ``describe_*`` functions that used to take the bare table: the DataFrame is
    accepted for one release, without the numbers the result object carries.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     check_result(pd.DataFrame(), TableResult, "t", "f", made_by="g") is None
    ...     print(w[0].message)
    True
    Passing a DataFrame as the 't' parameter of f is deprecated; pass the TableResult that g returns.
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, pd.DataFrame):
        warnings.warn(f"Passing a DataFrame as the {name!r} parameter of {func} is deprecated; pass the "
                      f"{cls.__name__} that {made_by} returns.", DeprecationWarning, stacklevel=3)
        return None
    raise TypeError(f"The {name!r} parameter of {func} must be a {cls.__name__} (from {made_by}). "
                    f"Got {type(value).__name__} instead.")
