"""Numbers in report sentences, written one way everywhere (typographic minus, p-values)."""

from __future__ import annotations

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
