"""Text cxlab writes for readers, written one way everywhere.

Numbers in report sentences (typographic minus, p-values); values from data or the study
made safe where they are written: in Markdown rendered as HTML (:func:`md`) and in CSV
files a spreadsheet may open (:func:`spreadsheet_safe`, :func:`write_csv`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

MINUS = "\u2212"


def number(value: float, digits: int = 2, *, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals, a typographic minus and, with ``sign``, a plus.

    Examples
    --------
    >>> number(-0.014), number(0.35, sign=True), number(-1.5, 1, sign=True)
    ('−0.01', '+0.35', '−1.5')
    """
    return f"{value:{'+' if sign else ''}.{digits}f}".replace("-", MINUS)


def pvalue(p: float) -> str:
    """``p < 0.001`` or ``p = 0.123``.

    Examples
    --------
    >>> pvalue(0.0004), pvalue(0.0312)
    ('p < 0.001', 'p = 0.031')
    """
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


# Markdown that does something: raw HTML and entities (< > &), links and images ([ ]),
# code and emphasis (` * and a "_" that is not inside a word), escapes (\).
_MARKDOWN = re.compile(r"[\\`*\[\]<>&]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def md(value) -> str:
    """A value from data or the study (a label, a name), shown as text in Markdown or HTML.

    Markup in the value is neutralised: ``<`` ``>`` ``&`` become entities, link brackets,
    backticks, asterisks and underscores that could start emphasis are backslash-escaped,
    and line breaks become spaces (so a value cannot start a heading or a new block).
    Use it on every data-derived string that goes into a ``describe_*`` text.

    Examples
    --------
    >>> md("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> md("[a](javascript:alert(1))"), md("small_business"), md("_x_")
    ('\\\\[a\\\\](javascript:alert(1))', 'small_business', '\\\\_x\\\\_')
    """
    text = " ".join(str(value).split())
    return _MARKDOWN.sub(lambda m: _ENTITIES.get(m.group(), "\\" + m.group()), text)


def and_join(items) -> str:
    """Items as an English list: ``a``, ``a and b``, ``a, b and c``.

    >>> and_join(["hours"]), and_join(["hours", "price"]), and_join(["a", "b", "c"])
    ('hours', 'hours and price', 'a, b and c')
    """
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


#: A cell a spreadsheet would run as a formula (OWASP CSV injection): it starts with one of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    OWASP's rule for CSV injection: a text cell that starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading ``'``. Numbers stay numbers
    (``-1.5`` in a float column is written as ``-1.5``); column names are treated the same.

    Examples
    --------
    >>> t = pd.DataFrame({"a": ['=HYPERLINK("http://x")', "ok", "-1"], "b": [-1.5, 2.0, 0.0]})
    >>> spreadsheet_safe(t).values.tolist()
    [['\\'=HYPERLINK("http://x")', -1.5], ['ok', 2.0], ["'-1", 0.0]]
    """
    def safe(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value

    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])
                or pd.api.types.is_datetime64_any_dtype(out[col])):
            out[col] = out[col].map(safe, na_action="ignore")
    out.columns = [safe(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, **options) -> None:
    """Write ``frame`` as CSV with :func:`spreadsheet_safe` text cells (``index=False`` by default).

    Lines end in CRLF as RFC 4180 says, so a cell holding a carriage return is quoted
    and stays one cell.
    """
    options.setdefault("index", False)
    options.setdefault("lineterminator", "\r\n")
    spreadsheet_safe(frame).to_csv(path, **options)
