"""A draft study from a researcher's own survey file (``cxlab new NAME --survey FILE``).

The survey is read as it is (:func:`cxlab.data.read_table`: CSV, Excel, SPSS, Parquet) and
everything a codebook needs is inferred from its column names and answers. Every guess is
written into the draft ``study.yaml`` with a comment saying what was inferred and why, for
the user to confirm or edit:

- **scales**: numbered items grouped by their stem (``IMAG1..IMAG5`` -> ``IMAG``,
  ``csor_1..csor_5`` -> ``csor``; separator ``_``, ``.`` or none; case kept). An
  unnumbered column beside a group (``csor_global``) is a single item, not part of the
  scale; so is a group of one. A numbered group whose answers take fewer than three
  values (yes/no indicators) is not a scale;
- **ranges**: lowest..highest valid answer, rounded to a usual scale (1-5, 1-7, 0-10,
  1-10) when at most two points short of it;
- **missing codes**: numbers such as -99, 99, 999 or -9 lying far outside a column's other
  answers (unless they are ordinary answers of another item), words such as "don't know",
  "n/a" or "weet niet" among numbers, and SPSS codes labelled so;
- **reverse-keyed items** (suggested in a comment only): items of a scale of three or more
  whose answers correlate negatively with the rest of the scale;
- **roles**: respondent id, customer id, segment, wave, date and duration columns by name
  and values; demographics (age, gender, education, ...) are never items;
- **metrics**: columns named like NPS (0-10), CES or CSAT become the single items ``nps``,
  ``ces`` and ``csat``;
- **models**: a measurement model in lavaan syntax, one factor per scale of two or more
  items, and a commented template for the structural model;
- **read options**: decimal commas in a CSV file, an Excel header over two rows.

Columns left out (text, demographics, yes/no indicators) are listed with the reason. The
output is deterministic: the same file gives the same YAML text.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"resp_id": ["r1", "r2", "r3", "r4"],
...                    "IMAG1": ["1", "5", "7", "4"], "IMAG2": ["2", "6", "7", "-99"],
...                    "IMAG_global": ["3", "5", "6", "2"], "gender": ["m", "f", "f", "m"]})
>>> d = infer_draft(df)
>>> d.respondent_id, d.segment, d.missing_codes
('resp_id', 'gender', (-99,))
>>> [(s.name, s.items, s.range) for s in d.scales]
[('IMAG', ('IMAG1', 'IMAG2'), (1, 7))]
>>> [(s.name, s.range) for s in d.single_items]
[('IMAG_global', (1, 7))]
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import yaml

from ._validation import check_identifier
from .readers import DataError, Table, read_table
from .study import load_study

__all__ = ["DraftScale", "DraftItem", "Draft", "item_stem", "usual_range", "infer_draft", "render_study",
           "draft_study", "new_study_from_survey"]

#: Response ranges a draft rounds to (when the answers found fall at most two points short).
USUAL_RANGES = ((1, 5), (1, 7), (0, 10), (1, 10))
#: Numbers that code "missing" when they lie far outside a column's other answers.
NUMERIC_CODES = (-999, -99, -98, -9, 98, 99, 999, 9999)
#: Answers that mean "missing" (compared without case).
TEXT_CODES = ("don't know", "don’t know", "dont know", "do not know", "dk", "n/a", "na", "n.a.", "#n/a",
              "not applicable", "no answer", "refused", "prefer not to say", "weet niet", "weet ik niet",
              "n.v.t.", "nvt", "geen mening", "geen antwoord", "weiß nicht", "keine angabe", "ne sais pas")

_STEM = re.compile(r"^(?P<stem>.*?[^\W\d_])(?P<sep>[_.]?)(?P<num>\d+)$")
_LAVAAN_NAME = re.compile(r"[A-Za-z_][\w.]*")

_ID_NAMES = {"id", "respondent_id", "respondentid", "resp_id", "respid", "respondent", "response_id", "responseid",
             "record_id", "recordid", "case_id", "caseid", "interview_id", "participant_id", "participantid",
             "serial", "uuid", "lfdn", "respnum", "sys_respnum"}
_CUSTOMER_NAMES = {"customer_id", "customerid", "cust_id", "custid", "client_id", "clientid", "klant_id", "klantid",
                   "klantnummer", "account_id", "accountid", "customer_number", "customer_no", "kundennummer",
                   "member_id"}
_WAVE_NAMES = {"wave", "survey_wave", "golf", "meting", "round", "ronde", "welle", "vague"}
_DATE_NAMES = ("date", "survey_date", "datum", "timestamp", "recordeddate", "recorded_date", "enddate",
               "end_date", "submitdate", "submitted", "completed", "startdate", "start_date")
_DURATION_WORDS = ("duration", "duur", "time_taken", "completion_time", "response_time", "interview_length",
                   "seconds", "loi")
# Segment-like names, by priority (first match wins; then column order).
_SEGMENT_RULES = (
    lambda n, t: "segment" in n,
    lambda n, t: n in {"servicetype", "service_type", "customertype", "customer_type", "klanttype",
                       "contracttype", "contract_type"},
    lambda n, t: n.endswith("type") or "type" in t,
    lambda n, t: bool({"group", "groep", "cluster"} & t),
    lambda n, t: bool({"provider", "serviceprovider", "brand", "merk", "plan", "tier", "channel", "kanaal",
                       "region", "regio", "branch", "store", "country", "land"} & t) or n.endswith("provider"),
    lambda n, t: bool({"gender", "sex", "geslacht"} & t),
)
_DEMOGRAPHIC_WORDS = {"age", "leeftijd", "gender", "sex", "geslacht", "education", "educ", "opleiding",
                      "occupation", "beroep", "job", "income", "inkomen", "region", "regio", "country", "land",
                      "city", "zip", "postcode", "postal", "province", "state", "nphh", "household", "hh",
                      "marital", "children", "child", "kids", "language", "taal", "ethnicity", "employment",
                      "sample", "weight", "gewicht", "provider", "serviceprovider", "type", "group", "segment"}
# Words that may join a demographic word in a name (age_group, hh_size) and keep it demographic.
_DEMOGRAPHIC_JOINERS = {"group", "cat", "category", "class", "band", "level", "code", "size", "no", "nr", "num",
                        "of", "years"}
_IDENTIFIER_NAMES = {"email", "e_mail", "email_address", "e_mail_address", "phone", "phone_number", "telephone",
                     "telefoon", "telefoonnummer", "mobile_number", "name", "full_name", "naam", "first_name",
                     "last_name", "firstname", "lastname", "voornaam", "achternaam", "address", "adres",
                     "ip_address", "ipaddress"}
_METRICS = {  # single-item metric -> (name test, range test)
    "nps": (lambda n: "nps" in n or "recommend" in n or "aanbevel" in n, lambda lo, hi: lo >= 0 and hi <= 10),
    "ces": (lambda n: n == "ces" or n.startswith("ces_") or "effort" in n, lambda lo, hi: True),
    "csat": (lambda n: "csat" in n, lambda lo, hi: True),
}
_OUTCOME_HINTS = ("sat", "cusa", "csat", "tevreden")
_LOYALTY_HINTS = ("loy", "cusl", "loyal", "stay", "retent", "intent", "repurch", "trouw")


# ============================================================================ results
@dataclass(frozen=True)
class DraftScale:
    """A scale found in the survey: its items, range and why."""

    name: str
    items: tuple[str, ...]
    range: tuple[int, int]
    observed: tuple[int, int]
    note: str = ""


@dataclass(frozen=True)
class DraftItem:
    """A single item found in the survey (``name`` is its codebook key, ``column`` its column)."""

    name: str
    column: str
    range: tuple[int, int]
    observed: tuple[int, int]
    note: str = ""


@dataclass(frozen=True)
class Draft:
    """Everything inferred from a survey table, with a reason for each guess.

    ``notes`` maps a codebook key (``respondent_id``, ``segment``, ``missing_codes`` ...) to
    the reason shown beside it in the YAML; ``unused`` lists the columns left out with why.
    """

    n_rows: int
    columns: tuple[str, ...]
    respondent_id: str | None
    customer_id: str | None
    segment: str | None
    segment_labels: Mapping[Any, str] | None
    segment_codes: tuple
    wave: str | None
    wave_labels: Mapping[Any, str] | None
    date: str | None
    duration: str | None
    identifiers: tuple[str, ...]
    missing_codes: tuple
    scales: tuple[DraftScale, ...]
    single_items: tuple[DraftItem, ...]
    metrics: Mapping[str, str]
    notes: Mapping[str, str] = field(default_factory=dict)
    unused: Mapping[str, str] = field(default_factory=dict)
    reverse_keyed_hint: tuple[str, ...] = ()
    outcome_hint: str | None = None
    loyalty_hint: str | None = None
    duplicates: tuple[tuple[str, str, str], ...] = ()  # (item, by, kind): cxlab.quality.determined_items


# ============================================================================ small inferences
def item_stem(column: str) -> tuple[str, int] | None:
    """Stem and number of a numbered item name, or None if the name ends in no number.

    The stem must end in a letter; the separator (``_``, ``.`` or none) is dropped.

    >>> item_stem("IMAG1"), item_stem("csor_5"), item_stem("q.12"), item_stem("csor_global"), item_stem("x_1_a")
    (('IMAG', 1), ('csor', 5), ('q', 12), None, None)
    """
    m = _STEM.match(column)
    return (m.group("stem"), int(m.group("num"))) if m else None


def usual_range(lo: int, hi: int) -> tuple[int, int]:
    """The usual response range for answers found between ``lo`` and ``hi``.

    The usual range (1-5, 1-7, 0-10, 1-10) that contains ``lo..hi`` with the fewest points
    unused, if at most two are; otherwise ``(lo, hi)`` itself.

    >>> usual_range(1, 10), usual_range(2, 7), usual_range(0, 9), usual_range(1, 5), usual_range(20, 100)
    ((1, 10), (1, 7), (0, 10), (1, 5), (20, 100))
    """
    fits = [(slo, shi) for slo, shi in USUAL_RANGES if slo <= lo and hi <= shi and (lo - slo) + (shi - hi) <= 2]
    return min(fits, key=lambda r: (lo - r[0]) + (r[1] - hi)) if fits else (int(lo), int(hi))


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def _tokens(name: str) -> set[str]:
    return set(_norm(name).split("_"))


def _value_labels(col: _Column) -> dict:
    """The SPSS value labels of a column, without those of missing codes."""
    return {_num(k): str(v) for k, v in sorted(col.labels.items()) if _num(k) not in col.codes}


def _demographic(name: str) -> bool:
    """Named like a demographic or grouping variable: age, sample_type, hh_size (not job_satisfaction).

    >>> _demographic("age"), _demographic("age_group"), _demographic("sample_type"), _demographic("job_satisfaction")
    (True, True, True, False)
    """
    tokens = _tokens(name)
    return bool(tokens & _DEMOGRAPHIC_WORDS) and tokens <= _DEMOGRAPHIC_WORDS | _DEMOGRAPHIC_JOINERS


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


@dataclass
class _Column:
    """One column read for inference: its cells as text, its numbers and the codes found in it."""

    name: str
    text: pd.Series                 # stripped text, NA for empty cells
    numbers: pd.Series | None       # float, NaN where missing; None if the column is not numeric
    text_codes: list[str]           # spellings of missing words found
    codes: set                      # numeric missing codes of this column
    labels: Mapping[Any, str]       # SPSS value labels

    def valid(self) -> pd.Series:
        v = self.numbers.dropna()
        return v[~v.isin(list(self.codes))]

    @property
    def n_distinct_text(self) -> int:
        return int(self.text.dropna().nunique())


def _as_text(s: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(s):  # SPSS and Parquet numbers: 5.0 -> "5"
        s = s.map(lambda v: pd.NA if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
    out = s.astype("string").str.strip()
    return out.mask(out == "")


def _numeric_codes(values: pd.Series) -> set:
    """Candidate codes that lie far outside the column's other answers."""
    present = set(values.unique()) & set(NUMERIC_CODES)
    rest = values[~values.isin(list(NUMERIC_CODES))]
    if not present or rest.empty:
        return set()
    lo, hi = float(rest.min()), float(rest.max())
    return {_num(v) for v in present if (v > 0 and v > max(2 * hi, hi + 2)) or (v < 0 and (lo >= 0 or v < 2 * lo))}


def _column(name: str, s: pd.Series, labels: Mapping[Any, str]) -> _Column:
    text = _as_text(s)
    lower = text.str.lower()
    is_code = lower.isin(TEXT_CODES).fillna(False).astype(bool)
    spellings = sorted(set(text[is_code]), key=lambda t: (t.lower(), t))
    rest = text.mask(is_code)
    numbers = pd.to_numeric(rest, errors="coerce").astype("float64")
    numeric = bool(numbers.notna().sum()) and not bool((numbers.isna() & rest.notna()).any())
    codes: set = set()
    if numeric:
        codes = {_num(k) for k, v in labels.items() if str(v).strip().lower() in TEXT_CODES}
        codes |= _numeric_codes(numbers.dropna()[~numbers.dropna().isin(list(codes))])
    return _Column(name, text, numbers if numeric else None, spellings, codes, labels)


def _item_like(col: _Column) -> bool:
    """Whole-number answers on a short scale (at most 11 values between -10 and 100)."""
    if col.numbers is None:
        return False
    v = col.valid()
    return (not v.empty and bool((v == v.round()).all()) and v.min() >= -10 and v.max() <= 100
            and v.nunique() <= 11)


def _unique_key(col: _Column, n: int) -> bool:
    t = col.text
    return bool(t.notna().all()) and t.nunique() == n and n > 1


# ============================================================================ the draft
def infer_draft(table: Table | pd.DataFrame, *, value_labels: Mapping[str, Mapping[Any, str]] | None = None) -> Draft:
    """Infer a study's codebook and measurement model from a survey table.

    Parameters
    ----------
    table : Table or DataFrame
        The survey as :func:`cxlab.data.read_table` returns it (text cells, or numbers for
        SPSS and Parquet), or its cells alone.
    value_labels : mapping, optional
        SPSS value labels per column (default: the table's ``value_labels``); codes
        labelled like "don't know" are missing codes and a segment's labels are kept.

    Returns
    -------
    Draft

    Raises
    ------
    DataError
        If no column holds item-like answers (whole numbers on a short scale).
    """
    read = table if isinstance(table, Table) else Table(table)
    labels_all = dict(value_labels if value_labels is not None else read.value_labels)
    source, row_index, table = read.source, read.dropped_row_index, read.data
    cols = {str(c): _column(str(c), table[c], labels_all.get(c, {})) for c in table.columns}
    notes: dict[str, str] = {}
    unused: dict[str, str] = {}
    claimed: set[str] = set()
    if row_index:
        notes["row_index"] = "its unnamed first column, R's row numbers 1..n, was ignored"
    missing = _missing_codes(cols, notes)
    roles = _roles(cols, len(table), claimed, notes, unused)
    scales, singles, metrics, reverse = _items(cols, claimed, unused)
    if not scales and not singles:
        raise DataError(f"{source}: no item-like columns (whole-number answers on a short scale such as 1-5 or 0-10) "
                        f"among its {len(cols)} column(s): {_few(list(cols), 8)}; a draft study needs at least one")
    names = [s.name for s in scales] + [s.name for s in singles]
    outcome = next((x for x in names if any(h in _norm(x) for h in _OUTCOME_HINTS)), None)
    loyalty = next((x for x in names if x != outcome and any(h in _norm(x) for h in _LOYALTY_HINTS)), None)
    order = {name: i for i, name in enumerate(cols)}
    return Draft(n_rows=len(table), columns=tuple(cols), **roles, missing_codes=missing, scales=scales,
                 single_items=singles, metrics=metrics, notes=notes,
                 unused={k: unused[k] for k in sorted(unused, key=order.__getitem__)},
                 reverse_keyed_hint=reverse, outcome_hint=outcome, loyalty_hint=loyalty,
                 duplicates=_duplicates(cols, [i for s in scales for i in s.items] + [s.column for s in singles]))


def _duplicates(cols: Mapping[str, _Column], items: list[str]) -> tuple[tuple[str, str, str], ...]:
    """Items whose answers another item fixes (:func:`cxlab.quality.determined_items`), missing codes left out."""
    from .quality import determined_items

    answers = pd.DataFrame({c: cols[c].numbers.where(~cols[c].numbers.isin(list(cols[c].codes))) for c in items})
    return tuple(determined_items(answers, items).drop(columns="pairs").itertuples(index=False, name=None))


def _missing_codes(cols: Mapping[str, _Column], notes: dict[str, str]) -> tuple:
    """The survey's missing codes: numbers far outside a column's answers, unless they are ordinary answers
    in another item-like column (then listed in the note only), and words such as "don't know" in
    columns of numbers."""
    code_cols: dict[Any, list[str]] = {}
    for c in cols.values():
        for v in c.codes:
            code_cols.setdefault(v, []).append(c.name)
    conflicts = {}
    for v in list(code_cols):
        clash = [c.name for c in cols.values() if c.numbers is not None and v not in c.codes
                 and (c.numbers == v).any() and _item_like(c)]
        if clash:  # still left out of the ranges where it is a code: `cxlab check` shows it there
            conflicts[v] = (clash, code_cols.pop(v))
    words: dict[str, str] = {}
    where: dict[str, list[str]] = {}
    for c in cols.values():
        if c.numbers is None:  # a word in a text column is an answer, not a code
            c.text_codes = []
        for t in c.text_codes:
            words.setdefault(t.lower(), t)
            where.setdefault(t.lower(), []).append(c.name)
    parts = [f"{v} in {_few(code_cols[v])}" for v in sorted(code_cols)]
    parts += [f"{words[k]!r} in {_few(where[k])}" for k in sorted(words)]
    notes["missing_codes"] = ("found: " + "; ".join(parts)) if parts else "none found"
    if conflicts:
        notes["missing_codes"] += "; NOT listed, as they are ordinary answers elsewhere: " + "; ".join(
            f"{v} (an answer in {_few(answer)}; out of range in {_few(code)})"
            for v, (answer, code) in sorted(conflicts.items()))
    return tuple(sorted(code_cols)) + tuple(words[k] for k in sorted(words))


def _is_date(c: _Column) -> bool:
    t = c.text.dropna()
    if c.numbers is not None or t.empty:
        return False
    return bool(pd.to_datetime(t, errors="coerce", format="mixed").notna().mean() >= 0.9)


def _roles(cols: Mapping[str, _Column], n: int, claimed: set[str], notes: dict[str, str],
           unused: dict[str, str]) -> dict[str, Any]:
    """Respondent and customer id, direct identifiers, segment, wave, date and duration, by name and values."""

    def by_name(names, test=None) -> str | None:
        return next((c.name for c in cols.values() if _norm(c.name) in names and c.name not in claimed
                     and (test is None or test(c))), None)

    def claim(key: str, column: str | None, found: str, none: str) -> str | None:
        notes[key] = found if column else none
        if column:
            claimed.add(column)
        return column

    customer = claim("customer_id", by_name(_CUSTOMER_NAMES), "named like a customer number",
                     "none found; the column that links answers to a contact log")
    rid = claim("respondent_id", by_name(_ID_NAMES, lambda c: _unique_key(c, n)),
                "named like an id, every value unique", "")
    ids = [c.name for c in cols.values() if c.name not in claimed and _norm(c.name) in _IDENTIFIER_NAMES
           and not _item_like(c)]
    claimed.update(ids)
    if not rid:
        named = by_name(_ID_NAMES)
        if named:
            unused[named] = "named like an id but its values are not unique (or some are empty)"
            claimed.add(named)
        rid = claim("respondent_id", next((c.name for c in cols.values() if c.name not in claimed
                                           and c.numbers is None and _unique_key(c, n)
                                           and not c.text.str.contains(r"\s", regex=True).any()
                                           and not _is_date(c)), None),
                    "every value unique, no spaces", "no id column found: respondents are numbered by row")

    def low_cardinality(c: _Column) -> bool:
        k = c.n_distinct_text
        return 2 <= k <= 12 and k <= max(2, n // 2) and (c.numbers is None or _item_like(c))

    candidates = []
    for pos, c in enumerate(cols.values()):
        if c.name in claimed or not low_cardinality(c):
            continue
        prio = next((i for i, rule in enumerate(_SEGMENT_RULES) if rule(_norm(c.name), _tokens(c.name))), None)
        if prio is None and c.numbers is None and item_stem(c.name) is None:
            prio = len(_SEGMENT_RULES)  # any other short list of words
        if prio is not None:
            candidates.append((prio, pos, c.name))
    segment, seg_labels, seg_codes = None, None, ()
    if candidates:
        segment = min(candidates)[2]
        others = [name for _, _, name in sorted(candidates)[1:]]
        c = cols[segment]
        if c.numbers is not None:
            values = [_num(v) for v in sorted(c.valid().unique())]
        else:
            values = sorted(set(c.text.dropna()) - set(c.text_codes))
        if c.labels:
            seg_labels = _value_labels(c)
        elif c.numbers is not None:
            seg_codes = tuple(values)
    claim("segment", segment, f"a grouping column by its name, {len(values)} values ({_few(values)})"
          + (f"; other candidates: {_few(others)}" if others else "") if segment else "",
          "no segment-like column found")

    wave = claim("wave", by_name(_WAVE_NAMES, lambda c: c.numbers is not None
                                 and bool((c.valid() == c.valid().round()).all())),
                 "named like a wave, whole numbers", "no wave column found")
    date = next((d for want in _DATE_NAMES if (d := by_name({want}, _is_date))), None) or next(
        (c.name for c in cols.values() if c.name not in claimed and "date" in _norm(c.name) and _is_date(c)), None)
    date = claim("date", date, "named like a date, values read as dates", "no date column found")
    duration = claim("duration", next((c.name for c in cols.values() if c.name not in claimed
                                       and c.numbers is not None and any(w in _norm(c.name) for w in _DURATION_WORDS)
                                       and c.valid().min() >= 0), None),
                     "named like a completion time (check that it is in seconds)",
                     "no completion-time column found (speeders cannot be checked)")
    return dict(respondent_id=rid, customer_id=customer, identifiers=tuple(ids), segment=segment,
                segment_labels=seg_labels, segment_codes=seg_codes, wave=wave,
                wave_labels=_value_labels(cols[wave]) if wave and cols[wave].labels else None,
                date=date, duration=duration)


def _items(cols: Mapping[str, _Column], claimed: set[str], unused: dict[str, str]):
    """Scales (numbered groups), single items and metrics among the unclaimed columns, and reverse-keyed hints."""
    groups: dict[str, list[tuple[int, int, str]]] = {}
    for pos, c in enumerate(cols.values()):
        stem = item_stem(c.name)
        if c.name not in claimed and stem and not _demographic(stem[0]):
            groups.setdefault(stem[0], []).append((stem[1], pos, c.name))
    scales: list[DraftScale] = []
    reverse: list[str] = []
    single_cols: list[tuple[str, str]] = []  # (column, why)
    for stem, members in groups.items():
        names = [name for _, _, name in sorted(members)]
        items = [m for m in names if _item_like(cols[m])]
        claimed.update(names)
        unused.update({m: "numbered like an item but its answers are not whole numbers on a short scale"
                       for m in names if m not in items})
        if not items:
            continue
        pooled = pd.concat([cols[m].valid() for m in items])
        if pooled.nunique() < 3:
            unused.update({m: f"group {stem}: answers take only {pooled.nunique()} values (yes/no indicators?)"
                           for m in items})
        elif len(items) == 1:
            single_cols.append((items[0], f"the only item numbered like {stem}"))
        else:
            lo, hi = int(pooled.min()), int(pooled.max())
            scales.append(DraftScale(stem, tuple(items), usual_range(lo, hi), (lo, hi),
                                     f"items {names[0]}..{names[-1]} share the stem {stem!r}"))
            reverse += _negatively_related({m: cols[m].numbers.where(~cols[m].numbers.isin(list(cols[m].codes)))
                                            for m in items})
    stems = [s.name for s in scales]
    for c in cols.values():
        if c.name in claimed:
            continue
        if _demographic(c.name):
            unused[c.name] = "named like a demographic or grouping variable"
        elif not _item_like(c):
            unused[c.name] = "text" if c.numbers is None else "numbers, not whole-number answers on a short scale"
        elif c.valid().nunique() < 3:
            unused[c.name] = f"only {c.valid().nunique()} distinct answers (a yes/no or grouping variable?)"
        else:
            beside = next((s for s in stems if re.fullmatch(re.escape(s) + r"[_.][^\W\d_]+", c.name)), None)
            single_cols.append((c.name, f"not numbered like the items of {beside}: a global item, kept out of "
                                        "that scale" if beside else "an item without a number"))
    order = {name: i for i, name in enumerate(cols)}
    singles: list[DraftItem] = []
    metrics: dict[str, str] = {}
    used_keys = set(stems)
    for column, note in sorted(single_cols, key=lambda x: order[x[0]]):
        v = cols[column].valid()
        lo, hi = int(v.min()), int(v.max())
        key, rng = column, usual_range(lo, hi)
        metric = next((m for m, (name_test, range_test) in _METRICS.items()
                       if m not in metrics and name_test(_norm(column)) and range_test(lo, hi)), None)
        if metric:
            key, metrics[metric], note = metric, metric, f"named like {metric.upper()}"
            rng = (0, 10) if metric == "nps" else rng
        if key in used_keys:
            key = f"{column}_item"
        used_keys.add(key)
        singles.append(DraftItem(key, column, rng, (lo, hi), note))
    temkin = next((s for s in stems if "temkin" in _norm(s)), None)
    if temkin:
        metrics["temkin"] = temkin
    return tuple(scales), tuple(singles), metrics, tuple(reverse)


def _negatively_related(items: Mapping[str, pd.Series]) -> list[str]:
    """Items of a scale (of three or more) whose answers correlate negatively with the mean of the others.

    >>> import pandas as pd
    >>> a = pd.Series([1., 2, 3, 4, 5, 2]); b = pd.Series([2., 2, 3, 5, 5, 1]); c = 6 - a
    >>> _negatively_related({"a": a, "b": b, "c": c}), _negatively_related({"a": a, "c": c})
    (['c'], [])
    """
    if len(items) < 3:
        return []
    frame = pd.DataFrame(dict(items))
    out = []
    for item in frame.columns:
        rest = frame.drop(columns=item).mean(axis=1)
        r = frame[item].corr(rest)
        if pd.notna(r) and r < 0:
            out.append(item)
    return out


def _few(values, limit: int = 5) -> str:
    values = [str(v) for v in values]
    return ", ".join(values[:limit]) + (f", ... ({len(values)} in all)" if len(values) > limit else "")


# ============================================================================ the YAML
def _y(value) -> str:
    """``value`` as a YAML flow scalar, list or mapping (quoted only where YAML needs it).

    >>> print(_y(["IMAG1", "yes", -99, "don't know"]), _y({"column": "type", "labels": {1: "Postpaid"}}))
    [IMAG1, 'yes', -99, don't know] {column: type, labels: {1: Postpaid}}
    """
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_y(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_y(k)}: {_y(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str) and any(ord(ch) < 32 for ch in value):
        return _q(value)  # YAML's single quotes would fold a line break
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 30)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _q(text: str) -> str:
    """A double-quoted YAML string (JSON's quoting is valid YAML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _line(key: str, value: str, comment: str = "", indent: int = 2, width: int = 30) -> str:
    head = " " * indent + f"{key}: {value}"
    return f"{head.ljust(width)}  # {comment}" if comment else head


def _entries(key: str, entries: list[tuple[DraftScale | DraftItem, dict, str]], empty: str) -> list[str]:
    """A codebook block, one flow mapping per scale or single item with a quoted label and why it was inferred."""
    if not entries:
        return [f"  {key}: {{}}  # {empty}"]
    return [f"  {key}:"] + [f"    {_y(e.name)}: {_y(spec)[:-1]}, label: {_q(label)}}}  # answers found "
                            f"{e.observed[0]}..{e.observed[1]}; {e.note}" for e, spec, label in entries]


def _model(draft: Draft) -> list[str]:
    """Comment and syntax lines of the measurement model (scales whose names lavaan cannot read are left out)."""
    factors = [s for s in draft.scales if all(_LAVAAN_NAME.fullmatch(x) for x in (s.name, *s.items))]
    left_out = [s.name for s in draft.scales if s not in factors]
    if not factors:
        return [f"  {{}}  # no measurement model: {_few(left_out)} ha{'s' if len(left_out) == 1 else 've'} names "
                "lavaan cannot read (rename those columns)" if left_out else
                "  {}  # no scale with two or more items: no measurement model"]
    out = ["  # Measurement model (lavaan syntax): one factor per scale of two or more items.",
           "  # Move an item that belongs elsewhere; drop one that measures something else."]
    two = [s.name for s in factors if len(s.items) == 2]
    if two and len(factors) == 1:
        out.append(f"  # {two[0]} has only two items: a one-factor model of two items is not identified; "
                   "add an item or a factor.")
    elif two:
        out.append(f"  # {', '.join(two)} ha{'s' if len(two) == 1 else 've'} only two items: identified only "
                   "together with the other factors (keep them in the model).")
    if left_out:
        out.append(f"  # Left out: {', '.join(left_out)} (names lavaan cannot read: rename those columns).")
    what = {"same answers": "has the same answers as", "one-to-one recode": "is a one-to-one recode of",
            "recode": "is a recode of"}
    out += [f"  # {item} {what[kind]} {by} (each answer to {by} fixes {item}'s): one question counted twice; "
            "keep one of them." for item, by, kind in draft.duplicates]
    width = max(len(s.name) for s in factors)
    return out + ["  measurement: |"] + [f"    {s.name.ljust(width)} =~ {' + '.join(s.items)}" for s in factors]


def render_study(draft: Draft, *, name: str, survey: str, read_options: Mapping[str, Any] | None = None) -> str:
    """The draft ``study.yaml`` text: the inferred codebook and models with comments.

    Parameters
    ----------
    draft : Draft
        From :func:`infer_draft`.
    name : str
        The study's name.
    survey : str
        The survey file's name (relative to the YAML file).
    read_options : mapping, optional
        Read options written beside the survey path (e.g. ``{"decimal": ","}``).

    Returns
    -------
    str
        YAML text; the same inputs always give the same text.
    """
    n = draft.notes
    out = [f"# Draft study made by `cxlab new {name} --survey {survey}` from",
           f"# {survey} ({draft.n_rows} rows, {len(draft.columns)} columns"
           + (f"; {n['row_index']}" if "row_index" in n else "") + ").",
           "# Everything below was inferred from the column names and answers: check each value",
           "# against your questionnaire (the comment beside it says why it was chosen), edit what",
           f"# is wrong, then run: cxlab check data/raw/{name}/study.yaml",
           f"name: {_y(name)}",
           f"title: {_q(name)}  # the reports' title: edit",
           f"description: {_q(f'Survey {survey}: describe who was asked what, when and how (edit).')}",
           "",
           "data:"]
    if read_options:
        out.append(_line("survey", _y({"path": survey, **dict(read_options)}),
                         "relative to this file (a copy of your file); read options inferred"))
    else:
        out.append(_line("survey", _y(survey), "relative to this file (a copy of your file)"))

    out += ["", "codebook:",
            "  # Key columns, guessed from names and values (null = none)."]
    out.append(_line("respondent_id", _y(draft.respondent_id), n["respondent_id"]))
    out.append(_line("customer_id", _y(draft.customer_id),
                     n.get("customer_id", "none found; the column that links answers to a contact log")))
    if draft.segment and draft.segment_labels:
        seg = _y({"column": draft.segment, "labels": dict(draft.segment_labels)})
        out.append(_line("segment", seg, n["segment"] + "; labels from the SPSS file"))
    else:
        out.append(_line("segment", _y(draft.segment), n["segment"]))
        if draft.segment_codes:
            example = {"column": draft.segment, "labels": {k: "..." for k in draft.segment_codes}}
            out.append(f"  # name the segment's codes for the reports: segment: {_y(example)}")
    if draft.wave_labels:
        out.append(_line("wave", _y({"column": draft.wave, "labels": dict(draft.wave_labels)}),
                         n["wave"] + "; labels from the SPSS file"))
    else:
        out.append(_line("wave", _y(draft.wave), n["wave"]))
    out.append(_line("date", _y(draft.date), n["date"]))
    out.append(_line("duration", _y(draft.duration), n["duration"]))
    if draft.identifiers:
        out.append(_line("identifiers", _y(list(draft.identifiers)),
                         "direct identifiers by name: never written outside data/raw"))
    if draft.reverse_keyed_hint:
        out.append(f"  # reverse_keyed: {_y(list(draft.reverse_keyed_hint))}  # uncomment if these items are worded "
                   "the other way round: their answers go against the rest of their scale")
    out.append("  # Answers that mean 'missing' (any case); add every code your survey uses.")
    out.append(_line("missing_codes", _y(list(draft.missing_codes)), n["missing_codes"]))

    out += ["  # Scales: numbered items grouped by their stem (IMAG1..IMAG5 -> IMAG). range: the lowest..highest",
            "  # answer the survey allows (inferred from the answers found, rounded to a usual scale);",
            "  # label: the name shown in reports (edit it, e.g. \"Corporate image\")."]
    out += _entries("scales", [(s, {"items": list(s.items), "range": list(s.range)}, s.name)
                               for s in draft.scales], "no numbered items found")
    out += _entries("single_items", [(s, {"column": s.column, "range": list(s.range)}, s.column)
                                     for s in draft.single_items], "none found")
    out.append(_line("labels", "{}", "display labels of the models' latent variables, e.g. {IMAG: \"Image\"}"))
    metric_note = ("inferred from column names" if draft.metrics else
                   "none found; e.g. {nps: <single item>, csat: <single item or scale>, ces: <single item>, "
                   "temkin: <scale>}")
    out.append(_line("metrics", _y(dict(draft.metrics)), metric_note))
    if draft.unused:
        out.append("  # Columns left out of the codebook (add them if they are items):")
        out += [f"  #   {col}: {why}" for col, why in draft.unused.items()]

    model = _model(draft)
    lines = [line[4:] for line in model if line.startswith("    ")]  # the syntax lines
    out += ["", "models:"] + model
    out += ["  # The structural model, for the SEM and driver reports: uncomment it, keep the",
            "  # measurement lines and write the paths you want to test (outcome ~ drivers), e.g.:",
            "  # structural: |"]
    out += [f"  #   {line}" for line in lines]
    outcome, loyalty = draft.outcome_hint or "<outcome>", draft.loyalty_hint or "<loyalty>"
    drivers = [s.name for s in draft.scales if s.name not in (outcome, loyalty)] or ["<driver>"]
    out.append(f"  #   {outcome} ~ {' + '.join(drivers)}")
    if draft.loyalty_hint or not draft.outcome_hint:
        out.append(f"  #   {loyalty} ~ {outcome}")

    out += ["", "parameters:"]
    looks = {x: f" ({x} looks like one)" for x in (draft.outcome_hint, draft.loyalty_hint) if x}
    out.append(_line("outcome", "null", "set: the scale or single item that is the main outcome"
                     + looks.get(draft.outcome_hint, "")))
    out.append(_line("loyalty", "null", "set: the loyalty outcome" + looks.get(draft.loyalty_hint, "")
                     + "; null if the survey has none"))
    out.append("  # Every other analysis parameter (seed, bootstrap, ci_level, estimator, ...) keeps its default.")
    # Column names with line breaks (Excel headers) must not break a comment line; values are escaped.
    return "\n".join(" ".join(line.splitlines()) for line in out) + "\n"


# ============================================================================ files
_DECIMAL_CELL = re.compile(r"^[-+]?\d+(,\d+)?$")


def _read(path: Path) -> tuple[Table, dict[str, Any]]:
    """The survey table and the read options it needs (decimal commas, a two-row Excel header)."""
    try:
        table = read_table(path)
    except DataError as exc:
        if path.suffix.lower() != ".xlsx" or "header_rows" not in str(exc):
            raise
        return read_table(path, header_rows=2), {"header_rows": 2}  # merged cells above the column names
    if (table.delimiter or ",") != ",":
        for col in table.data.columns:
            cells = table.data[col].astype("string").str.strip().dropna()
            cells = cells[cells != ""]
            if len(cells) and cells.str.contains(",", regex=False).any() and cells.str.match(_DECIMAL_CELL).all():
                return read_table(path, decimal=","), {"decimal": ","}
    return table, {}


def draft_study(survey_path: str | Path, name: str) -> str:
    """The text of a draft ``study.yaml`` for a survey file.

    Parameters
    ----------
    survey_path : str or Path
        The survey: ``.csv`` (any delimiter, decimal commas), ``.xlsx``, ``.sav`` or
        ``.parquet``.
    name : str
        The study's name (letters, digits, ``_`` and ``-``).

    Returns
    -------
    str
        YAML text with the inferred codebook, a measurement model and comments saying
        what was inferred and what to edit (see :func:`infer_draft`); the survey is named
        by its file name, as it will sit beside the YAML file.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    DataError
        If it cannot be read (naming the file and why) or has no item-like columns.

    Examples
    --------
    >>> import pathlib, tempfile, yaml
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "shop.csv"
    >>> _ = p.write_text("id;q1;q2;q3;nps\\nr1;4;5;4;9\\nr2;2;99;3;6\\nr3;5;4;5;10\\nr4;1;2;2;3\\n")
    >>> study = yaml.safe_load(draft_study(p, "shop"))
    >>> study["codebook"]["scales"]["q"]["items"], study["codebook"]["missing_codes"]
    (['q1', 'q2', 'q3'], [99])
    >>> study["codebook"]["single_items"]["nps"], study["models"]["measurement"]
    ({'column': 'nps', 'range': [0, 10], 'label': 'nps'}, 'q =~ q1 + q2 + q3\\n')
    """
    path = Path(survey_path)
    check_identifier(name, "name", "draft_study")
    if not path.is_file():
        raise FileNotFoundError(f"Survey file not found: {path}")
    table, options = _read(path)
    return render_study(infer_draft(table), name=name, survey=path.name, read_options=options)


def new_study_from_survey(name: str, survey: str | Path) -> Path:
    """Create ``data/raw/<name>/`` with a copy of the survey and a draft ``study.yaml``.

    The draft (see :func:`draft_study`) is written into a temporary folder beside the
    target, which is renamed into place only when everything is written: a failure
    leaves nothing behind. No file of the demo study is copied.

    Parameters
    ----------
    name : str
        The new study's name (letters, digits, ``_`` and ``-``); its folder must not exist.
    survey : str or Path
        The survey file; copied under its own name.

    Returns
    -------
    Path
        The new ``study.yaml``.

    Raises
    ------
    ValueError
        If ``name`` is not valid or the study folder exists.
    FileNotFoundError, DataError
        As :func:`draft_study`.
    """
    from .paths import project_root

    check_identifier(name, "name", "new_study_from_survey")
    raw = project_root() / "data" / "raw"
    target = raw / name
    if target.exists():
        raise ValueError(f"The study folder {target} already exists: choose another name or edit that study.")
    survey = Path(survey).resolve()
    text = draft_study(survey, name)  # everything that can fail on the data fails here, before writing
    tmp = raw / f".{name}.draft-{os.getpid()}-{time.time_ns()}"  # mkdtemp's mode 0700 would stay on the study
    tmp.mkdir(parents=True)
    try:
        shutil.copyfile(survey, tmp / survey.name)
        (tmp / "study.yaml").write_text(text, encoding="utf-8")
        load_study(tmp / "study.yaml")  # a draft must be a valid study as it is
        if target.exists():
            raise ValueError(f"The study folder {target} already exists: choose another name or edit that study.")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target / "study.yaml"
