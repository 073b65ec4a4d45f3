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

import functools
import hashlib
import hmac
import itertools
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from ._validation import param_error

__all__ = ["load_secret", "secret_digest", "SecretError", "pseudonymise", "redact_text", "suppress_small_cells",
           "IdentifierRules", "identifier_rules", "find_identifiers", "KINDS"]

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
# Obfuscated e-mail: name(at)example.com, name [at] example [dot] com, name at example dot com.
_AT, _DOT = r"\s*[(\[{]\s*at\s*[)\]}]\s*", r"\s*[(\[{]\s*dot\s*[)\]}]\s*"
_EMAIL_HIDDEN = re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:(?:\.|{_DOT})[\w-]+)*"
                           r"|[\w.+-]+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+", re.IGNORECASE)
# Phone numbers: an optional +, then 8-15 digits with spaces, dots, dashes or brackets between.
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\(?\d(?:[\s().-]*\d){7,14}(?![\w])")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")
# A date with an optional time is never a phone number.
_DATETIME = re.compile(rf"(?:{_DATE.pattern})(?:[ T]\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?)?")
# IBAN: country, check digits, 11-30 letters or digits (grouped by four or not); checksum verified.
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![\w])", re.IGNORECASE)
_TOKEN = re.compile(r"\w+")

#: Kinds of identifier :func:`find_identifiers` reports, in the order they are looked for.
KINDS = ("e-mail", "IBAN", "identifier", "customer id", "phone")


def _phone(match: re.Match) -> str:
    return match.group(0) if _DATE.fullmatch(match.group(0)) else "[phone]"


def _iban_ok(text: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    s = re.sub(r"\s", "", text).upper()
    digits = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return 15 <= len(s) <= 34 and int(digits) % 97 == 1


def _shape(value: str) -> str:
    r"""A regular expression for values shaped like ``value``: C018471 -> one letter, six digits."""
    out = []
    for kind, run in ((k, len(list(g))) for k, g in itertools.groupby(
            value, lambda c: "d" if c.isdigit() else "a" if c.isalpha() else c)):
        out.append(rf"\d{{{run}}}" if kind == "d" else rf"[^\W\d_]{{{run}}}" if kind == "a"
                   else re.escape(kind * run))
    return "".join(out)


def _digits(shape: str) -> int:
    return sum(int(n) for n in re.findall(r"\\d\{(\d+)\}", shape))


def _length(shape: str) -> int:
    return sum(int(n) for n in re.findall(r"\{(\d+)\}", shape))


@dataclass(frozen=True)
class IdentifierRules:
    """What counts as an identifier beyond e-mail addresses, phone numbers and IBANs.

    Attributes
    ----------
    values : frozenset of tuple of str
        Known identifiers (names, e-mail addresses, ids from declared identifier columns),
        each as its lower-case words; found wherever those words appear in a row.
    id_pattern : re.Pattern or None
        The shape of the customer ids (e.g. ``C`` + six digits); any word of that shape is
        taken for a customer number.
    """

    values: frozenset = frozenset()
    id_pattern: re.Pattern | None = None

    @functools.cached_property
    def longest(self) -> int:
        """Words in the longest known identifier."""
        return max(map(len, self.values), default=0)


def identifier_rules(survey: pd.DataFrame, columns: Iterable[str], *, id_column: str | None = None,
                     ) -> IdentifierRules:
    """The known identifiers of a survey: every value of its identifier ``columns``, and the
    shape of the ids in ``id_column``.

    Values shorter than 4 characters, and numbers shorter than 6 digits, are not used (they
    would match ordinary words and numbers). The id shape is used when at most 5 shapes
    cover 95 % of the ids and each has at least 4 digits and 5 characters.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["Jan Kok", "An"], "customer_id": ["C018471", "C000002"]})
    >>> rules = identifier_rules(df, ["name", "customer_id"], id_column="customer_id")
    >>> sorted(rules.values)
    [('c000002',), ('c018471',), ('jan', 'kok')]
    >>> rules.id_pattern.sub("#", "klant c123456, order 123456")
    'klant #, order 123456'
    """
    values = set()
    for col in columns:
        if col not in survey.columns:
            continue
        for v in survey[col].dropna().astype(str).unique():
            words = tuple(w.lower() for w in _TOKEN.findall(v))
            joined = "".join(words)
            if len(joined) >= 4 and not (joined.isdigit() and len(joined) < 6):
                values.add(words)
    pattern = None
    if id_column and id_column in survey.columns:
        ids = survey[id_column].dropna().astype(str).str.strip()
        shapes = ids.map(_shape).value_counts()
        top = list(shapes.index[:int((shapes.cumsum() < 0.95 * len(ids)).sum()) + 1])
        if 0 < len(top) <= 5 and all(_digits(s) >= 4 and _length(s) >= 5 for s in top):
            pattern = re.compile(rf"(?<![\w])(?:{'|'.join(top)})(?![\w])")
    return IdentifierRules(frozenset(values), pattern)


def _known_spans(text: str, rules: IdentifierRules) -> list[tuple[int, int]]:
    """Spans of ``text`` whose words are a known identifier (longest match first)."""
    values, longest = rules.values, rules.longest
    if not values:
        return []
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    spans, i = [], 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            if tuple(t[2] for t in tokens[i:i + n]) in values:
                spans.append((tokens[i][0], tokens[i + n - 1][1]))
                i += n
                break
        else:
            i += 1
    return spans


def _replace(text: str, spans: list[tuple[int, int]], mark: str) -> str:
    for a, b in reversed(spans):
        text = text[:a] + mark + text[b:]
    return text


def _sub_phone(text: str) -> str:
    # dates and times are kept as they are; other digit runs of phone length are not
    parts, last = [], 0
    for m in _DATETIME.finditer(text):
        parts.append(_PHONE.sub(_phone, text[last:m.start()]) + m.group())
        last = m.end()
    return "".join(parts) + _PHONE.sub(_phone, text[last:])


def _iban(match: re.Match) -> str:
    """``[IBAN]`` for the longest leading part of the match that passes the checksum."""
    text = match.group()
    for end in range(len(text), 14, -1):
        if text[end - 1] != " " and _iban_ok(text[:end]):
            return "[IBAN]" + text[end:]
    return text


def _steps(rules: IdentifierRules):
    """(kind, redaction) in the order they are applied: each sees the text the ones before left."""
    return [
        ("e-mail", lambda t: _EMAIL_HIDDEN.sub("[e-mail]", _EMAIL.sub("[e-mail]", t))),
        ("IBAN", lambda t: _IBAN.sub(_iban, t)),
        ("identifier", lambda t: _replace(t, _known_spans(t, rules), "[identifier]")),
        ("customer id", lambda t: rules.id_pattern.sub("[customer id]", t) if rules.id_pattern else t),
        ("phone", _sub_phone),
    ]


def _redact_one(text: str, rules: IdentifierRules) -> str:
    for _, step in _steps(rules):
        text = step(text)
    return text


def find_identifiers(texts: Iterable, *, rules: IdentifierRules | None = None) -> pd.DataFrame:
    """Which kinds of identifier each text holds (the rules of :func:`redact_text`).

    Returns
    -------
    DataFrame
        One boolean column per kind in :data:`KINDS` (``e-mail`` includes obfuscated
        forms such as ``name(at)example.com``); missing texts hold none.

    Examples
    --------
    >>> find_identifiers(["jan [at] example [dot] com", "NL91 ABNA 0417 1643 00", "4 stars"]).any(axis=1).tolist()
    [True, True, False]
    """
    steps = _steps(rules or IdentifierRules())
    s = pd.Series(list(texts), dtype="string")
    found = {k: [] for k in KINDS}
    for text in s:
        text = "" if text is pd.NA else str(text)
        for kind, step in steps:
            redacted = step(text)
            found[kind].append(redacted != text)
            text = redacted
    return pd.DataFrame(found, index=texts.index if isinstance(texts, pd.Series) else None)


def redact_text(texts: Iterable, *, known: pd.DataFrame | None = None,
                rules: IdentifierRules | None = None) -> pd.Series:
    """Remove e-mail addresses, phone numbers, IBANs and known identifiers from free text.

    Parameters
    ----------
    texts : iterable of str
        Open answers (missing values stay missing).
    known : DataFrame, optional
        Same length as ``texts``: each row's own identifiers (customer id, name, ...),
        removed from that row's text wherever they appear (case-insensitive).
    rules : IdentifierRules, optional
        Identifiers removed from every row (:func:`identifier_rules`): the values of the
        study's identifier columns (another respondent's name, say) and words shaped like
        its customer ids.

    Returns
    -------
    Series of str with ``[e-mail]`` (also for obfuscated forms such as
    ``name(at)example.com`` or ``name [at] example [dot] com``), ``[IBAN]`` (checksum
    verified), ``[identifier]``, ``[customer id]`` and ``[phone]`` (dates and times are
    kept) in place of what was removed.

    Examples
    --------
    >>> redact_text(["Mail me at jan.kok@example.com or 06-12345678, Jan Kok"],
    ...             known=pd.DataFrame({"name": ["Jan Kok"]})).tolist()
    ['Mail me at [e-mail] or [phone], [identifier]']
    >>> redact_text(["jan(at)example.com, IBAN NL91ABNA0417164300, 2025-06-02 10:15"]).tolist()
    ['[e-mail], IBAN [IBAN], 2025-06-02 10:15']
    """
    rules = rules or IdentifierRules()
    s = pd.Series(list(texts), dtype="string")
    out = []
    rows = known.reset_index(drop=True) if known is not None else None
    if rows is not None and len(rows) != len(s):
        raise param_error("known", "redact_text", f"have one row per text ({len(s)})", known, got=f"{len(rows)} rows")
    for i, text in enumerate(s):
        if text is pd.NA:
            out.append(pd.NA)
            continue
        text = _EMAIL_HIDDEN.sub("[e-mail]", _EMAIL.sub("[e-mail]", text))
        if rows is not None:
            for value in rows.iloc[i].dropna():
                value = str(value).strip()
                if len(value) >= 3:
                    text = re.sub(re.escape(value), "[identifier]", text, flags=re.IGNORECASE)
        out.append(_redact_one(text, rules))
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
        raise param_error("n_column", "suppress_small_cells", "name a column of 'table'", n_column)
    out = table.copy()
    small = out[n_column] < min_n
    value_cols = [c for c in out.columns if c != n_column and pd.api.types.is_numeric_dtype(out[c])]
    out[value_cols] = out[value_cols].astype(float)
    out.loc[small, value_cols] = float("nan")
    out["suppressed"] = small
    return out
