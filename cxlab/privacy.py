"""Keyed pseudonyms for direct identifiers (HMAC-SHA256 with a study secret).

The secret never lives in the repository: it comes from the ``CXLAB_SECRET``
environment variable or from ``~/.config/cxlab/secret`` (created with a random value,
readable only by the user, the first time it is needed). The same secret gives the
same pseudonym, so survey answers and contacts stay linkable across runs; without the
secret a pseudonym cannot be turned back into an identifier.

Examples
--------
>>> pseudonymise(["C000001", "C000002"], secret=b"k")[:1]
['k_...']
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sys
from pathlib import Path
from typing import Iterable

import pandas as pd

__all__ = ["load_secret", "secret_digest", "SecretError", "pseudonymise", "redact_text", "suppress_small_cells"]

SECRET_FILE = Path("~/.config/cxlab/secret")


#: Shortest secret accepted, in bytes: an HMAC-SHA256 key should be at least as long as its output.
MIN_SECRET_BYTES = 32
_CREATE_SECRET = ("create one with\n"
                  "    mkdir -p ~/.config/cxlab && python -c \"import secrets; print(secrets.token_hex(32))\" "
                  "> ~/.config/cxlab/secret && chmod 600 ~/.config/cxlab/secret\n"
                  "  (or put such a value in $CXLAB_SECRET)")


class SecretError(ValueError):
    """The pseudonymisation secret is empty or too short; the message says how to create one."""


def _checked_secret(value: bytes, where: str) -> bytes:
    if len(value.strip()) < MIN_SECRET_BYTES:
        what = "is empty" if not value.strip() else f"is only {len(value.strip())} bytes long"
        raise SecretError(f"The pseudonymisation secret in {where} {what}; it must be at least "
                          f"{MIN_SECRET_BYTES} random bytes, or anyone could recompute the keys from the ids: "
                          + _CREATE_SECRET)
    return value


def load_secret() -> bytes:
    """The study secret: ``$CXLAB_SECRET``, else ``~/.config/cxlab/secret`` (created if absent).

    A secret shorter than :data:`MIN_SECRET_BYTES` (or empty) is refused with
    :class:`SecretError`. A newly created secret is announced once on stderr, with its
    path: the same secret must be used for every wave, or the keys no longer link.
    """
    env = os.environ.get("CXLAB_SECRET")
    if env is not None:
        return _checked_secret(env.encode(), "$CXLAB_SECRET")
    path = SECRET_FILE.expanduser()
    if not path.exists() and _create_secret(path):
        print(f"cxlab: created a new pseudonymisation secret in {path} (readable only by you). Keep it and "
              "back it up: every wave must be keyed with the same secret, and without it the keys in new "
              "data no longer match earlier waves' (linkage across waves is lost). Never share or commit it.",
              file=sys.stderr, flush=True)
    return _checked_secret(path.read_bytes().strip(), str(path))


def _create_secret(path: Path) -> bool:
    """Write a random secret to ``path`` (mode 600) unless it exists; True if this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        os.link(tmp, path)  # complete file or nothing; another process may have won the race
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


def secret_digest(secret: bytes) -> str:
    """A keyed digest that identifies the secret without revealing it.

    ``HMAC-SHA256(secret, "cxlab-fingerprint")``: recorded in the processed data's
    fingerprint so that a new secret re-pseudonymises, while the secret itself is never
    written anywhere.

    >>> secret_digest(b"k" * 32) == secret_digest(b"k" * 32) != secret_digest(b"j" * 32)
    True
    """
    return hmac.new(secret, b"cxlab-fingerprint", hashlib.sha256).hexdigest()


def pseudonymise(values: Iterable, *, secret: bytes, prefix: str = "k_", length: int = 16) -> list:
    """Replace each value by ``prefix`` + the first ``length`` hex digits of its HMAC.

    Missing values stay missing.
    """
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            out.append(None)
        else:
            digest = hmac.new(secret, str(v).encode(), hashlib.sha256).hexdigest()
            out.append(prefix + digest[:length])
    return out


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone numbers: an optional +, then 8-15 digits with spaces, dots, dashes or brackets between.
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\(?\d(?:[\s().-]*\d){7,14}(?![\w])")


_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def _phone(match: re.Match) -> str:
    return match.group(0) if _DATE.fullmatch(match.group(0)) else "[phone]"


def redact_text(texts: Iterable, *, known: pd.DataFrame | None = None) -> pd.Series:
    """Remove e-mail addresses, phone numbers and known identifiers from free text.

    Parameters
    ----------
    texts : iterable of str
        Open answers (missing values stay missing).
    known : DataFrame, optional
        Same length as ``texts``: each row's own identifiers (customer id, name, ...),
        removed from that row's text wherever they appear (case-insensitive).

    Returns
    -------
    Series of str with ``[e-mail]``, ``[phone]`` and ``[identifier]`` in place of what
    was removed.

    Examples
    --------
    >>> redact_text(["Mail me at jan.kok@example.com or 06-12345678, Jan Kok"],
    ...             known=pd.DataFrame({"name": ["Jan Kok"]})).tolist()
    ['Mail me at [e-mail] or [phone], [identifier]']
    """
    s = pd.Series(list(texts), dtype="string")
    out = []
    rows = known.reset_index(drop=True) if known is not None else None
    if rows is not None and len(rows) != len(s):
        raise ValueError(f"The 'known' parameter of redact_text must have one row per text ({len(s)}); "
                         f"got {len(rows)}.")
    for i, text in enumerate(s):
        if text is pd.NA:
            out.append(pd.NA)
            continue
        text = _EMAIL.sub("[e-mail]", text)
        if rows is not None:
            for value in rows.iloc[i].dropna():
                value = str(value).strip()
                if len(value) >= 3:
                    text = re.sub(re.escape(value), "[identifier]", text, flags=re.IGNORECASE)
        out.append(_PHONE.sub(_phone, text))
    return pd.Series(out, dtype="string", index=texts.index if isinstance(texts, pd.Series) else None)


def suppress_small_cells(table: pd.DataFrame, *, n_column: str = "n", min_n: int = 10) -> pd.DataFrame:
    """Blank every value in rows with fewer than ``min_n`` respondents.

    Returns a copy with a boolean ``suppressed`` column; the ``n`` column is kept so a
    reader sees why a row is empty.

    >>> t = pd.DataFrame({"segment": ["a", "b"], "n": [50, 4], "mean": [5.1, 6.0]})
    >>> suppress_small_cells(t, min_n=10)["mean"].tolist()
    [5.1, nan]
    """
    if n_column not in table.columns:
        raise ValueError(f"The 'n_column' parameter of suppress_small_cells must name a column; got {n_column!r}.")
    out = table.copy()
    small = out[n_column] < min_n
    value_cols = [c for c in out.columns if c != n_column and pd.api.types.is_numeric_dtype(out[c])]
    out[value_cols] = out[value_cols].astype(float)
    out.loc[small, value_cols] = float("nan")
    out["suppressed"] = small
    return out
