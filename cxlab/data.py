"""The data layer: raw survey files in, clean pseudonymous Parquet out.

``data/raw/<study>/`` is read, never written; :func:`prepare` writes
``data/processed/<study>/`` atomically (a failure leaves the previous folder as it was):

- ``survey.parquet``: coded answers (missing codes missing, reverse-keyed items recoded),
  direct identifiers replaced by keyed pseudonyms (``respondent_key``, ``customer_key``,
  ``<identifier>_key``), free text with e-mail addresses (also written ``name(at)example``),
  phone numbers, IBANs, customer numbers and any value of an identifier column removed,
  and the quality flags ``straightliner`` and ``speeder`` (flagged, never removed).
  A column the codebook does not declare that holds such identifiers is dropped, and a
  segment label holding one is redacted, each with a row in ``quality.csv``
  (``codebook.on_invalid.undeclared_identifier: error`` refuses the file instead);
- ``dictionary.csv``: one row per column (``column, meaning, type, source, range,
  reverse_keyed, missing, note``);
- ``quality.csv``: the data-quality table (what was dropped, set missing or flagged, why,
  where, how often);
- ``fingerprint.json``: sha256 of every input file plus the options that shape the
  output, the study file that owns the folder and a keyed digest of the secret (never the
  secret: a new secret re-pseudonymises); an unchanged fingerprint means the folder is reused;
- with a contact log: ``contact_features.parquet`` (per respondent, over the window
  before the survey date), ``linkage.json`` (matched and unmatched on each side) and
  ``contact_problems.csv``.

Text cells of the CSV files that a spreadsheet would run as formulas get a leading ``'``
(:func:`cxlab._text.write_csv`). A contact log is validated before it is used
(:func:`cxlab.contacts.validate_contacts`).

Survey files may be CSV (any delimiter, decimal commas, UTF-8 with or without BOM, or
Windows-1252), Excel ``.xlsx`` (one or more header rows), SPSS ``.sav`` (value labels
become categories) or Parquet. Every problem is reported as a :class:`DataError`
naming file, column, the first few row numbers (the header is row 1) and the count.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"id": ["r1", "r2", "r3"], "q1": ["5", "99", "9"]})
>>> from cxlab.study import Codebook
>>> cb = Codebook("id", None, (), None, None, None, None, (99,), (), {"s": {"items": ("q1",), "range": (1, 7)}},
...               {}, None, on_invalid={"out_of_range": "set_missing"})
>>> clean = clean_survey(raw, cb, source="survey.csv")
>>> clean.data["q1"].tolist()
[5.0, <NA>, <NA>]
>>> clean.quality[["problem", "column", "count", "rows", "handling"]]
        problem column  count rows     handling
0  out_of_range     q1      1    4  set_missing
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._text import write_csv
from .paths import replace_dir, study_file_id
from .privacy import (KINDS, find_identifiers, identifier_rules, load_secret, pseudonymise, redact_text,
                      secret_digest)
from .readers import SURVEY_FORMATS, DataError, Table, cell_text, read_columns, read_table, show_numbers

__all__ = ["DataError", "Prepared", "SURVEY_FORMATS", "Table", "CleanedSurvey", "SurveyData", "read_columns",
           "read_table", "clean_survey", "load_survey",
           "survey_flags", "duplicated_items", "prepare", "contact_log_problems", "sha256", "load_processed_survey",
           "load_contact_features", "load_contacts", "respondent_table", "has_contact_features", "load_linkage",
           "Linkage", "load_quality"]

def sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as fh:
    ...     _ = fh.write(b"abc")
    >>> sha256(fh.name)[:12]
    'ba7816bf8f01'
    >>> os.remove(fh.name)
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ============================================================================ cleaning
_QUALITY_COLUMNS = ["problem", "column", "count", "rows", "handling"]


def _row_numbers(raw: Table) -> np.ndarray:
    if len(raw.row_numbers) != len(raw.data):  # rows added or removed since reading
        return np.arange(len(raw.data)) + 2  # a CSV-like table: header is row 1
    return np.asarray(raw.row_numbers, dtype=int)


@dataclass(frozen=True, eq=False)
class CleanedSurvey:
    """A survey coded as its codebook says (:func:`clean_survey`) and what was done to get there.

    Attributes
    ----------
    data : DataFrame
        The coded survey, one row per kept respondent.
    quality : DataFrame
        The data-quality table: ``problem``, ``column``, ``count``, ``rows`` (the first
        few file rows) and ``handling`` of every problem that was dropped or set missing
        (empty when none).
    row_numbers : tuple of int
        The file row of every row of ``data``.
    source : str
        The file name.

    Examples
    --------
    >>> c = CleanedSurvey(pd.DataFrame({"q1": [5.0]}), pd.DataFrame(columns=_QUALITY_COLUMNS), (2,), "s.csv")
    >>> c.to_frame()["q1"].tolist(), c.quality.empty
    ([5.0], True)
    """

    data: pd.DataFrame
    quality: pd.DataFrame
    row_numbers: tuple[int, ...]
    source: str

    def to_frame(self) -> pd.DataFrame:
        """A copy of the coded survey."""
        return self.data.copy()


def _rows(mask: pd.Series, numbers: np.ndarray | None = None, limit: int = 5) -> str:
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    numbers = np.arange(len(mask)) + 2 if numbers is None else numbers
    return show_numbers((int(numbers[i]) for i in idx), limit)


def _codebook_columns(cb) -> list[str]:
    cols = [cb.respondent_id, cb.customer_id, cb.segment, cb.wave, cb.date, cb.duration,
            *cb.identifiers, *getattr(cb, "free_text", ()), *cb.item_ranges()]
    return list(dict.fromkeys(c for c in cols if c))


def _apply_labels(codes: pd.Series, labels: Mapping) -> pd.Categorical:
    """Codes as a categorical of their display labels (labelled codes first, in the labels' order)."""
    by_code = {cell_text(k): str(v) for k, v in labels.items()}
    shown = codes.map(lambda v: by_code.get(v, v) if pd.notna(v) else pd.NA)
    order = list(dict.fromkeys([*by_code.values(), *sorted(shown.dropna().unique(), key=str)]))
    return pd.Categorical(shown, categories=order)


def clean_survey(raw: Table | pd.DataFrame, codebook, *, source: str | None = None,
                 on_invalid: Mapping[str, str] | None = None) -> CleanedSurvey:
    """Code a raw survey table as the codebook says.

    Missing-value codes (numbers or words, any case) and empty cells become missing;
    every coded item must be a whole number within its response range; SPSS value
    labels that are missing codes become missing and labelled non-item columns become
    categories; reverse-keyed items are recoded as ``lo + hi - x``. Identifier columns
    are kept (pseudonymise them before writing). Identifiers outside them (e-mail, phone,
    IBAN, customer number, a value of an identifier column; see
    :func:`cxlab.privacy.find_identifiers`) are handled as ``undeclared_identifier`` says:
    a column the codebook does not declare is dropped, a segment label redacted (noted in
    the data-quality table), or, with ``error``, the file is refused.

    Parameters
    ----------
    raw : Table or DataFrame
        As :func:`read_table` returns it (its row numbers and SPSS value labels are
        used), or the cells alone (rows numbered 2, 3, ... as in a CSV file).
    codebook : Codebook
    source : str, optional
        The file name used in messages. Default: the table's ``source`` (``"survey"``
        for a DataFrame).
    on_invalid : mapping, optional
        Handling per problem (``non_numeric``, ``out_of_range``, ``duplicate_id``,
        ``missing_id``, ``undeclared_identifier``): ``error``, ``drop`` or ``set_missing``.
        Default: the codebook's.

    Returns
    -------
    CleanedSurvey
        ``data`` (the coded survey), ``quality`` (the data-quality table: ``problem``,
        ``column``, ``count``, ``rows`` and ``handling`` of every problem that was dropped
        or set missing), ``row_numbers`` (the file row of every kept row) and ``source``.

    Raises
    ------
    DataError
        Naming the file, column, first few row numbers and the count of bad values: for
        missing columns, non-numeric answers, values out of range, duplicate or missing
        respondent ids (unless the policy drops them or sets them missing) and
        unreadable dates or waves. Every problem is listed, one per line.
    """
    from .study import SURVEY_POLICIES

    policy = {k: v[0] for k, v in SURVEY_POLICIES.items()}
    policy.update(dict(getattr(codebook, "on_invalid", {}) or {}))
    policy.update(dict(on_invalid or {}))
    raw = raw if isinstance(raw, Table) else Table(raw)
    source = raw.source if source is None else source
    numbers = _row_numbers(raw)
    missing_cols = [c for c in _codebook_columns(codebook) if c not in raw.data.columns]
    if missing_cols:
        raise DataError(f"{source}: {len(missing_cols)} column(s) named by the codebook not found: "
                        f"{', '.join(map(repr, missing_cols))} (the file has {len(raw.data.columns)} columns: "
                        f"{show_numbers(map(repr, raw.data.columns), 8)})")
    df = raw.data.copy().reset_index(drop=True)
    labels = dict(raw.value_labels)
    codes = {str(c).strip().lower() for c in codebook.missing_codes} | {""}
    ranges = codebook.item_ranges()
    problems: list[str] = []
    quality: list[dict] = []
    drop = pd.Series(False, index=df.index)

    def handle(kind: str, col: str, mask: pd.Series, message: str) -> pd.Series:
        """Error, drop or set missing; returns the mask of cells to set missing."""
        nonlocal drop
        how = policy[kind]
        if how == "error":
            problems.append(message)
        else:
            quality.append({"problem": kind, "column": col, "count": int(mask.sum()),
                            "rows": _rows(mask, numbers), "handling": how})
            if how == "drop":
                drop |= mask
                return pd.Series(False, index=mask.index)
        return mask if how == "set_missing" else pd.Series(False, index=mask.index)

    def as_text(col: str) -> pd.Series:
        s = df[col]
        lab = labels.get(col, {})
        text = s.astype("string").str.strip()
        if pd.api.types.is_float_dtype(s):  # SPSS and Parquet numbers: 5.0 -> "5"
            text = s.map(lambda v: pd.NA if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
            text = text.astype("string")
        if lab:  # a code whose label is a missing code ("weet niet") is missing
            missing_by_label = {cell_text(k) for k, v in lab.items() if str(v).strip().lower() in codes}
            text = text.mask(text.isin(missing_by_label))
        return text

    def numeric(col: str, lo=None, hi=None, whole=True, missing_codes=True) -> pd.Series:
        text = as_text(col)
        block = getattr(codebook, "block_of", lambda c: None)(col)  # a pillars / sacrifice item: say where
        name = f"column {col!r}" + (f" ({block})" if block else "")
        is_missing = text.isna() | text.str.lower().isin(codes if missing_codes else {""})
        num = pd.to_numeric(text.where(~is_missing), errors="coerce")
        bad_text = (num.isna() & ~is_missing).fillna(False).astype(bool)
        if bad_text.any():
            msg = (f"{source}, {name}: {int(bad_text.sum())} non-numeric answer(s) "
                   f"at row(s) {_rows(bad_text, numbers)} (e.g. {text[bad_text].iloc[0]!r})")
            num = num.mask(handle("non_numeric", col, bad_text, msg))
        if lo is not None:
            out = (num.notna() & ((num < lo) | (num > hi) | ((num != num.round()) if whole else False))).fillna(False)
            out = out.astype(bool)
            if out.any():
                span = f"{lo}..{hi}" if hi != np.inf else f">= {lo}"
                msg = (f"{source}, {name}: {int(out.sum())} value(s) outside {span} "
                       f"at row(s) {_rows(out, numbers)} (e.g. {num[out].iloc[0]:g})")
                num = num.mask(handle("out_of_range", col, out, msg))
        return num.astype("Float64")

    for col, (lo, hi) in ranges.items():
        df[col] = numeric(col, lo, hi)
    if codebook.duration:
        df[codebook.duration] = numeric(codebook.duration, 0, np.inf, whole=False, missing_codes=False).astype("float64")

    rid = codebook.respondent_id
    ids = df[rid] if rid else pd.Series(numbers, index=df.index)  # no id column: the file's row number
    ids = ids if pd.api.types.is_numeric_dtype(ids) else ids.astype("string").str.strip()
    no_id = ids.isna() | (ids.astype("string") == "")
    if no_id.any():
        handle("missing_id", rid, no_id, f"{source}, column {rid!r}: {int(no_id.sum())} row(s) without a respondent id "
                                         f"at row(s) {_rows(no_id, numbers)}")
    dup_all = ids.duplicated(keep=False) & ~no_id
    if dup_all.any():
        if policy["duplicate_id"] == "drop":
            later = ids.duplicated(keep="first") & ~no_id  # keep the first answer of each respondent
            handle("duplicate_id", rid, later, "")
        else:
            problems.append(f"{source}, column {rid!r}: {int(dup_all.sum())} rows share a respondent id "
                            f"at row(s) {_rows(dup_all, numbers)} (e.g. {ids[dup_all].iloc[0]!r})")

    if codebook.wave:
        text = as_text(codebook.wave)
        w = pd.to_numeric(text, errors="coerce")
        bad = ((w.isna() & text.notna() & (text != "")) | (w.notna() & (w != w.round()))).fillna(False) & ~drop
        if bad.any():
            problems.append(f"{source}, column {codebook.wave!r}: {int(bad.sum())} value(s) that are not a "
                            f"whole-number wave at row(s) {_rows(bad, numbers)} (e.g. {text[bad].iloc[0]!r})")
        df[codebook.wave] = w.where(~bad).round().astype("Int64")
    if codebook.date:
        text = as_text(codebook.date)
        dates = pd.to_datetime(text, errors="coerce", format="mixed")
        bad = dates.isna() & text.notna() & (text != "") & ~drop
        if bad.any():
            problems.append(f"{source}, column {codebook.date!r}: {int(bad.sum())} value(s) that are not dates "
                            f"at row(s) {_rows(bad, numbers)} (e.g. {text[bad].iloc[0]!r})")
        df[codebook.date] = dates
    outside = _undeclared_identifiers(df, codebook, as_text, policy["undeclared_identifier"], source, numbers)
    problems.extend(outside["problems"])
    quality.extend(outside["quality"])
    if problems:
        raise DataError("\n".join(problems))
    df = df.drop(columns=outside["drop"])

    # Labelled non-item columns (SPSS) become categories in code order.
    for col, lab in labels.items():
        if col in df.columns and col not in ranges and col not in (codebook.wave, codebook.duration, rid):
            order = [lab[k] for k in sorted(lab)]
            df[col] = pd.Categorical(df[col].map(lambda v: lab.get(v, pd.NA) if pd.notna(v) else pd.NA),
                                     categories=list(dict.fromkeys(order)))
    for col in (codebook.segment, codebook.customer_id, rid, *codebook.identifiers, *getattr(codebook, "free_text", ())):
        if col and not isinstance(df[col].dtype, pd.CategoricalDtype) and not pd.api.types.is_numeric_dtype(df[col]):
            df[col] = df[col].astype("string").str.strip().replace("", pd.NA).astype("str")
    if codebook.segment and getattr(codebook, "segment_labels", None):
        df[codebook.segment] = _apply_labels(as_text(codebook.segment), codebook.segment_labels)
    for item in codebook.reverse_keyed:
        lo, hi = ranges[item]
        df[item] = lo + hi - df[item]

    keep = ~drop.to_numpy()
    df = df.loc[keep].reset_index(drop=True)
    return CleanedSurvey(df, pd.DataFrame(quality, columns=_QUALITY_COLUMNS), tuple(int(n) for n in numbers[keep]),
                         source)


def _undeclared_identifiers(df: pd.DataFrame, codebook, as_text, how: str, source: str, numbers) -> dict:
    """Identifiers outside the declared identifier columns: in undeclared columns and in segment labels.

    With ``how="drop"`` such a column is dropped and a label has the identifier redacted,
    each with a row in the data-quality table; with ``"error"`` each is a problem. The
    message names the column, the kind of identifier and the rows, never the value.
    """
    rules = identifier_rules(df, codebook.direct_identifiers, id_column=codebook.customer_id)
    declared = set(_codebook_columns(codebook))
    out: dict[str, list] = {"problems": [], "quality": [], "drop": []}
    scan = [c for c in df.columns if c not in declared] + [c for c in (codebook.segment,) if c]
    for col in scan:
        text = as_text(col)
        values = pd.Series(text.dropna().unique(), dtype="string")
        found = find_identifiers(values, rules=rules).set_axis(values.tolist())
        hits = found.any(axis=1)
        if not hits.any():
            continue
        kinds = [k for k in KINDS if found.loc[hits, k].any()]
        mask = text.isin(hits.index[hits]).fillna(False).astype(bool)
        label = col == codebook.segment
        what = "segment label(s)" if label else "value(s) in a column the codebook does not declare"
        if how == "error":
            out["problems"].append(
                f"{source}, column {col!r}: {int(mask.sum())} {what} holding {' and '.join(kinds)} at row(s) "
                f"{_rows(mask, numbers)}. Declare the column under codebook.identifiers (pseudonymised) or "
                f"codebook.free_text (redacted), remove it, or set codebook.on_invalid.undeclared_identifier: drop")
            continue
        out["quality"].append({"problem": f"undeclared_identifier ({', '.join(kinds)})", "column": col,
                               "count": int(mask.sum()), "rows": _rows(mask, numbers),
                               "handling": "redact" if label else "drop column"})
        if label:
            df[col] = df[col].astype("string").mask(mask, redact_text(df[col].astype("string"), rules=rules))
        else:
            out["drop"].append(col)
    return out


def survey_flags(survey: pd.DataFrame, codebook, *, min_answered: int = 5) -> pd.DataFrame:
    """Careless-responding flags of a cleaned survey: ``straightliner`` and ``speeder``.

    Uses :func:`cxlab.quality.straightliners` on the SERVQUAL perception items (all scale
    items when there is no SERVQUAL block) and :func:`cxlab.quality.speeders` on the
    duration column (all False without one). Flags, never drops.

    >>> from cxlab.study import Codebook
    >>> cb = Codebook("id", None, (), None, None, None, "sec", (), (),
    ...               {"s": {"items": ("a", "b"), "range": (1, 5)}}, {}, None)
    >>> df = pd.DataFrame({"a": [3, 1, 2], "b": [3, 5, 2], "sec": [300, 320, 40]})
    >>> survey_flags(df, cb, min_answered=2).values.tolist()
    [[True, False], [False, False], [True, True]]
    """
    from .quality import speeders, straightliners

    items = [i for v in codebook.servqual_items("p").values() for i in v] if codebook.servqual else \
        list(dict.fromkeys(i for s in codebook.scales.values() for i in s["items"]))
    flags = pd.DataFrame({"straightliner": straightliners(survey, items, min_answered=min_answered)})
    flags["speeder"] = (speeders(survey, codebook.duration).fillna(False) if codebook.duration
                        else pd.Series(False, index=survey.index))
    return flags.astype(bool)


@dataclass(frozen=True, eq=False)
class SurveyData:
    """A cleaned survey, its data-quality table and its careless-responding flags (:func:`load_survey`).

    Attributes
    ----------
    data : DataFrame
        The cleaned survey (see :func:`clean_survey`).
    quality : DataFrame
        One row per problem handled and per flag: ``problem, column, count, rows, handling``.
    flags : DataFrame
        ``straightliner`` and ``speeder`` per row of ``data`` (see :func:`survey_flags`).
    row_numbers : tuple of int
        The file row of every row of ``data``.

    Examples
    --------
    >>> s = SurveyData(pd.DataFrame({"q1": [5.0]}), pd.DataFrame(), pd.DataFrame({"speeder": [False]}), (2,))
    >>> s.to_frame().columns.tolist()
    ['q1', 'speeder']
    """

    data: pd.DataFrame
    quality: pd.DataFrame
    flags: pd.DataFrame
    row_numbers: tuple[int, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The cleaned survey with its flags, side by side."""
        return pd.concat([self.data, self.flags], axis=1)


def load_survey(path: str | Path, codebook, *, on_invalid: Mapping[str, str] | None = None,
                **options) -> SurveyData:
    """Read and clean a survey file (:func:`read_table` + :func:`clean_survey` + flags).

    Parameters
    ----------
    path : str or Path
    codebook : Codebook
    on_invalid : mapping, optional
        Overrides the codebook's handling of problems.
    **options
        Read options of :func:`read_table` (``delimiter``, ``decimal``, ``encoding``,
        ``sheet``, ``header_rows``).

    Returns
    -------
    SurveyData
        ``data`` (the cleaned survey), ``quality`` (one row per problem handled and per
        flag: ``problem, column, count, rows, handling``), ``flags`` and ``row_numbers``.
    """
    path = Path(path)
    clean = clean_survey(read_table(path, **options), codebook, source=path.name, on_invalid=on_invalid)
    data, handled = clean.data, clean.quality
    flags = survey_flags(data, codebook)
    dropped = int(handled.loc[handled["handling"] == "drop", "count"].sum())
    rows = [*handled.to_dict("records")]
    if dropped:
        rows.append({"problem": "rows dropped", "column": "", "count": dropped, "rows": "", "handling": "drop"})
    for flag in flags.columns:
        if flag == "speeder" and not codebook.duration:
            continue  # not checked: no completion times
        rows.append({"problem": flag, "column": "", "count": int(flags[flag].sum()),
                     "rows": _rows(flags[flag], np.asarray(clean.row_numbers)), "handling": "flagged"})
    rows += [{"problem": _DETERMINED[d.kind].format(by=d.by), "column": d.item, "count": d.pairs, "rows": "",
              "handling": "flagged"} for d in duplicated_items(data, codebook).itertuples()]
    quality = pd.DataFrame(rows, columns=_QUALITY_COLUMNS)
    return SurveyData(data, quality, flags, clean.row_numbers)


#: How the data-quality table names an item determined by another (:func:`cxlab.quality.determined_items`).
_DETERMINED = {"same answers": "same answers as {by}", "one-to-one recode": "one-to-one recode of {by}",
               "recode": "recode of {by}"}


def duplicated_items(survey: pd.DataFrame, codebook) -> pd.DataFrame:
    """:func:`cxlab.quality.determined_items` over the codebook's coded items found in ``survey``.

    >>> from cxlab.study import Codebook
    >>> cb = Codebook(None, None, (), None, None, None, None, (), (),
    ...               {"s": {"items": ("a", "b"), "range": (1, 5)}}, {}, None)
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 20, "b": [1, 1, 2, 2, 3] * 20})
    >>> duplicated_items(df, cb)[["item", "by", "kind"]].values.tolist()
    [['b', 'a', 'recode']]
    """
    from .quality import determined_items

    return determined_items(survey, [c for c in codebook.item_ranges() if c in survey.columns])


# ============================================================================ processed data
@dataclass(frozen=True)
class Prepared:
    """Paths of a study's processed data."""

    directory: Path
    survey: Path
    dictionary: Path
    fingerprint: Path


def _atomic_dir_write(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        write(tmp)
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _contact_source(study):
    """The study's contact log as the ``contacts`` argument of :mod:`cxlab.contacts`, or None."""
    opts = dict(study.data_options.get("contacts", {})) if hasattr(study, "data_options") else {}
    if "database" in opts:
        return (opts["database"], opts["table"])
    if "spark" in opts:
        from .contacts import spark_backend

        spark = spark_backend(opts["spark"], opts.get("spark_conf"))
        if "table" in opts:
            return (spark, opts["table"])
        view = "cxlab_contacts_" + hashlib.sha256(opts["path"].encode()).hexdigest()[:12]
        spark.read_parquet(opts["path"], table_name=view)
        return (spark, view)
    return study.data.get("contacts")


def contact_log_problems(study) -> list[str]:
    """Problems of the study's contact log (:func:`cxlab.contacts.validate_contacts`); none without one.

    The demo's contact log, generated on its first run, is not a problem while it does
    not exist yet.
    """
    from .contacts import validate_contacts
    from .paths import DEMO_GENERATED_FILES
    from .study import demo_study_path

    source = _contact_source(study)
    if source is None:
        return []
    if (isinstance(source, Path) and not source.exists() and source.name in DEMO_GENERATED_FILES
            and Path(study.path).resolve() == demo_study_path().resolve()):
        return []
    opts = dict(getattr(study, "data_options", {}).get("contacts", {}))
    return validate_contacts(source, columns=opts.get("columns"), timezone=opts.get("timezone"))


def _check_contact_log(study) -> None:
    problems = contact_log_problems(study)
    if problems:
        raise DataError("\n".join(problems))


def _fingerprint_inputs(study) -> dict:
    inputs: dict[str, Any] = {k: sha256(p) for k, p in study.input_files().items() if Path(p).exists()}
    # which study file owns data/processed/<name> (a second study with the same name is refused)
    inputs["study_file"] = study_file_id(study.path, study.root)
    # a keyed digest of the secret, never the secret: a new secret re-pseudonymises
    inputs["secret"] = secret_digest(load_secret())
    inputs["contact_window_days"] = study.parameters["contact_window_days"]
    inputs["team_attribution"] = 1  # processed data before attribution.parquet existed are made again
    options = {k: dict(v) for k, v in getattr(study, "data_options", {}).items() if v}
    if options:
        inputs["data_options"] = json.loads(json.dumps(options, default=str))
    cb = study.codebook
    inputs["on_invalid"] = dict(getattr(cb, "on_invalid", {}))
    if {"database", "spark"} & set(options.get("contacts", {})):  # a table: its size and newest contact
        from .contacts import contacts_table

        t = contacts_table(_contact_source(study))
        count, last = t.aggregate(n=t.count(), last=t.started_at.max()).to_pandas().iloc[0]
        inputs["contacts_table"] = {"rows": int(count), "last_started_at": str(last)}
    return inputs


def _meaning(col: str, cb) -> str:
    for name, scale in cb.scales.items():
        if col in scale["items"]:
            return f"item of scale {name!r}"
    for name, single in cb.single_items.items():
        if col == single["column"]:
            return f"single item {name!r}"
    return {cb.segment: "segment", cb.wave: "survey wave", cb.date: "survey date",
            cb.duration: "completion time (seconds)",
            "respondent_key": "respondent (keyed pseudonym)" if cb.respondent_id else
                              "respondent (row number in the survey file; the survey has no id column)",
            "customer_key": "customer (keyed pseudonym)", "straightliner": "flag: same answer to every item",
            "speeder": "flag: faster than a third of the median completion time"}.get(col, "")


def prepare(study) -> Prepared:
    """Write the study's processed data (atomically) and return its paths.

    Reads the survey with the study's read options, cleans it as its codebook says,
    flags careless responding, links the contact log over the window before each survey
    date, replaces identifiers by keyed pseudonyms and redacts free text, and only then
    writes ``data/processed/<study>/`` (see the module documentation). Reuses the
    existing processed data when the input fingerprint is unchanged.
    """
    cb = study.codebook
    in_database = isinstance(_contact_source(study), tuple)
    if in_database:  # the fingerprint itself queries the table
        _check_contact_log(study)
    inputs = _fingerprint_inputs(study)
    target = study.processed_dir
    fp_path = target / "fingerprint.json"
    if fp_path.exists() and json.loads(fp_path.read_text()).get("inputs") == inputs:
        return Prepared(target, target / "survey.parquet", target / "dictionary.csv", fp_path)
    if not in_database:  # a file that changed (its sha256 is in the fingerprint)
        _check_contact_log(study)

    survey_path = study.data["survey"]
    loaded = load_survey(survey_path, cb, **dict(getattr(study, "data_options", {}).get("survey", {})))
    survey = loaded.to_frame()
    rid = cb.respondent_id or ROW_ID
    if cb.respondent_id is None:  # no id column: respondents are known by their row in the file
        survey.insert(0, ROW_ID, [f"row_{n}" for n in loaded.row_numbers])
    secret = load_secret()
    features = linkage = problems = None
    contacts = _contact_source(study)
    if contacts is not None and cb.customer_id and cb.date:
        features, linkage, problems = _link_contacts(survey, study, contacts)
        features.insert(0, "respondent_key", _respondent_keys(features.pop(rid), cb, secret))
    employees = attribution = None
    if features is not None:  # respondents attributed to teams (cxlab.employees), keyed
        attribution = _attribution(study, survey, contacts, rid, secret)
    if "employees" in study.data:  # the employee survey, agent ids keyed
        employees = _employees(study, secret)

    # Privacy: free text is redacted while the identifiers it may contain are still known.
    rules = identifier_rules(survey, cb.direct_identifiers, id_column=cb.customer_id)
    for col in getattr(cb, "free_text", ()):
        known = survey[[c for c in cb.direct_identifiers if c in survey.columns]].astype("string")
        survey[col] = redact_text(survey[col], known=known, rules=rules)
    keys = {cb.customer_id: "customer_key"}
    keys.update({c: f"{c}_key" for c in cb.identifiers})
    sources = {}
    for col, key in reversed(list(keys.items())):
        if col and col in survey.columns:
            prefix = "c_" if key == "customer_key" else "k_"
            survey.insert(0, key, pseudonymise(survey.pop(col), secret=secret, prefix=prefix))
            sources[key] = col
    survey.insert(0, "respondent_key", _respondent_keys(survey.pop(rid), cb, secret))
    if cb.respondent_id:
        sources["respondent_key"] = cb.respondent_id

    ranges = cb.item_ranges()
    dictionary = pd.DataFrame({
        "column": survey.columns,
        "meaning": [_meaning(c, cb) or (f"keyed pseudonym of {sources[c]!r}" if c in sources else "")
                    for c in survey.columns],
        "type": [str(t) for t in survey.dtypes],
        "source": [f"{survey_path.name}: {sources.get(c, c)}" if c not in ("straightliner", "speeder")
                   else "cxlab.quality" for c in survey.columns],
        "range": [f"{ranges[c][0]}..{ranges[c][1]}" if c in ranges else "" for c in survey.columns],
        "reverse_keyed": [c in cb.reverse_keyed for c in survey.columns],
        "missing": [int(survey[c].isna().sum()) for c in survey.columns],
        "note": ["keyed pseudonym (HMAC-SHA256)" if c in sources else
                 ("free text: e-mails, phone numbers, IBANs, customer numbers and identifiers removed" if c in getattr(cb, "free_text", ())
                  else "") for c in survey.columns],
    })

    def write(tmp: Path) -> None:
        survey.to_parquet(tmp / "survey.parquet", index=False)
        write_csv(dictionary, tmp / "dictionary.csv")
        write_csv(loaded.quality, tmp / "quality.csv")
        if features is not None:
            features.to_parquet(tmp / "contact_features.parquet", index=False)
            (tmp / "linkage.json").write_text(json.dumps(linkage, indent=2))
            write_csv(problems, tmp / "contact_problems.csv")
        if attribution is not None:
            attribution.to_parquet(tmp / "attribution.parquet", index=False)
        if employees is not None:
            employees.to_parquet(tmp / "employees.parquet", index=False)
        (tmp / "fingerprint.json").write_text(json.dumps({"inputs": inputs}, indent=2, default=str))

    _atomic_dir_write(target, write)
    return Prepared(target, target / "survey.parquet", target / "dictionary.csv", fp_path)


def _employees(study, secret) -> pd.DataFrame:
    """The employee survey (:mod:`cxlab.employees`) with agent ids replaced by keyed pseudonyms."""
    from .employees import load_employee_survey

    employees = load_employee_survey(study.data["employees"], **dict(study.data_options.get("employees", {})))
    employees.insert(0, "agent_key", pseudonymise(employees.pop("agent_id"), secret=secret, prefix="a_"))
    return employees


def _attribution(study, survey, contacts, rid, secret) -> pd.DataFrame:
    """Respondents attributed to teams (:func:`cxlab.employees.attribute_respondents`), ids keyed."""
    from .employees import attribute_respondents

    cb, opts = study.codebook, dict(study.data_options.get("contacts", {}))
    attribution = attribute_respondents(survey, contacts, customer=cb.customer_id, respondent=rid, date=cb.date,
                                        window_days=study.parameters["contact_window_days"],
                                        columns=opts.get("columns"), timezone=opts.get("timezone"))
    attribution.insert(0, "respondent_key", _respondent_keys(attribution.pop(rid), cb, secret))
    attribution["agent_key"] = pseudonymise(attribution.pop("agent_id"), secret=secret, prefix="a_")
    return attribution


#: The respondent column of a survey without an id column (the file's row number).
ROW_ID = "_row"


def _respondent_keys(ids: pd.Series, cb, secret: bytes) -> list:
    """Keyed pseudonyms of respondent ids; without an id column the row labels stay as they are."""
    return list(ids) if cb.respondent_id is None else pseudonymise(ids, secret=secret, prefix="r_")


def _link_contacts(survey: pd.DataFrame, study, source) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """Contact features per respondent over the window before the survey, a linkage report and log problems."""
    import ibis

    from .contacts import CHANNELS, MAX_DURATION_SEC, contact_problems, contacts_table, respondent_features

    cb, window = study.codebook, study.parameters["contact_window_days"]
    opts = dict(getattr(study, "data_options", {}).get("contacts", {}))
    table = contacts_table(source, columns=opts.get("columns"), timezone=opts.get("timezone"))
    rules = dict(channels=tuple(opts.get("channels", CHANNELS)), max_duration_sec=opts.get("max_duration_sec",
                                                                                          MAX_DURATION_SEC))
    on_invalid = opts.get("on_invalid")
    problems = contact_problems(table, on_invalid=on_invalid, **rules)
    feats = respondent_features(survey, table, customer=cb.customer_id, respondent=cb.respondent_id or ROW_ID,
                                date=cb.date, window_days=window, on_invalid=on_invalid)
    ids = survey[cb.customer_id].astype("string")
    surveyed = ibis.memtable(pd.DataFrame({"customer_id": ids.dropna().unique().astype(object)}))
    t = table.filter(table.customer_id.notnull())
    in_log_ids = set(t.select("customer_id").distinct().join(surveyed, "customer_id").to_pandas()["customer_id"])
    total = int(t.customer_id.nunique().to_pandas())
    in_log = ids.isin(in_log_ids).fillna(False)
    with_contacts = int((feats["contacts"] > 0).sum())
    linkage = {
        "window_days": window,
        "respondents": len(survey),
        "respondents_without_customer_id": int(ids.isna().sum()),
        "respondents_in_contact_log": int(in_log.sum()),
        "respondents_not_in_contact_log": int((~in_log).sum()),
        "respondents_with_contacts_in_window": with_contacts,
        "respondents_in_log_without_contacts_in_window": int(in_log.sum()) - with_contacts,
        "contacts_linked_in_window": int(feats["contacts"].sum()),
        "customers_in_contact_log": total,
        "customers_in_log_surveyed": len(in_log_ids),
        "customers_in_log_not_surveyed": total - len(in_log_ids),
        "contacts_without_customer": int(problems.set_index("problem")["contacts"].get("missing_customer", 0)),
    }
    return feats, linkage, problems


def load_contact_features(study) -> pd.DataFrame:
    """Per-respondent contact features (keyed by ``respondent_key``) of the study."""
    return pd.read_parquet(prepare(study).directory / "contact_features.parquet")


def load_employees(study) -> pd.DataFrame:
    """The processed employee survey (:mod:`cxlab.employees`): ``agent_key`` (pseudonym), ``team_id``, items,
    ``engagement``."""
    return pd.read_parquet(prepare(study).directory / "employees.parquet")


def load_attribution(study) -> pd.DataFrame:
    """Respondents attributed to teams (:func:`cxlab.employees.attribute_respondents`): ``respondent_key``,
    ``team_id``, ``agent_key``, ``fcr`` and, when the contact log has it, ``qa_score``."""
    return pd.read_parquet(prepare(study).directory / "attribution.parquet")


def load_contacts(study):
    """The study's contact log as an Ibis table in the engine that holds it (file or database).

    Column renames and the time zone from the study's ``data.contacts`` options are applied;
    pass the result to any function of :mod:`cxlab.contacts`. Raises ValueError when the
    study has no contact log.
    """
    from .contacts import contacts_table

    source = _contact_source(study)
    if source is None:
        raise ValueError(f"Study '{study.name}' has no contact log: add data.contacts to {study.path}.")
    opts = dict(getattr(study, "data_options", {}).get("contacts", {}))
    return contacts_table(source, columns=opts.get("columns"), timezone=opts.get("timezone"))


def has_contact_features(study) -> bool:
    """Whether the study links a contact log to its respondents (see :func:`cxlab.plan.capabilities`)."""
    from .plan import capabilities

    return capabilities(study)["contacts"] is None


def respondent_table(study, *, scores: bool = True) -> pd.DataFrame:
    """One row per respondent, ready for driver analysis.

    With ``scores=True`` (the default): ``respondent_key``, segment and wave, every single
    item (named by its codebook name), the score of every scale (mean of answered items,
    at least half; named by the scale) and of every SERVQUAL perception dimension (named by
    the dimension), then — where the study has a contact log — the contact features over
    the window before the survey. With ``scores=False``: the whole processed survey (item
    answers, for SEM) with the contact features.
    """
    from .quality import scale_scores

    survey = load_processed_survey(study)
    features = load_contact_features(study) if has_contact_features(study) else None
    if not scores:
        return survey if features is None else survey.merge(features, on="respondent_key")
    cb = study.codebook
    keep = ["respondent_key", *(c for c in (cb.segment, cb.wave) if c)]
    singles = pd.DataFrame({name: survey[s["column"]] for name, s in cb.single_items.items()}, index=survey.index)
    scales = {name: list(s["items"]) for name, s in cb.scales.items() if name not in singles}
    dims = {d: items for d, items in cb.servqual_items("p").items() if d not in scales and d not in singles}
    table = pd.concat([survey[keep], singles, scale_scores(survey, {**scales, **dims})], axis=1)
    return table if features is None else table.merge(features, on="respondent_key")


@dataclass(frozen=True)
class Linkage:
    """How survey respondents were linked to the contact log (``linkage.json`` of :func:`prepare`).

    Matched and unmatched counts on each side; ``link["name"]`` reads a count as the dict this
    replaces did. ``to_frame()`` gives the table the reports show.

    Examples
    --------
    >>> link = Linkage(**dict.fromkeys(Linkage.__dataclass_fields__, 0))
    >>> link.to_frame().shape, link["respondents"]
    ((12, 1), 0)
    """

    window_days: int
    respondents: int
    respondents_without_customer_id: int
    respondents_in_contact_log: int
    respondents_not_in_contact_log: int
    respondents_with_contacts_in_window: int
    respondents_in_log_without_contacts_in_window: int
    contacts_linked_in_window: int
    customers_in_contact_log: int
    customers_in_log_surveyed: int
    customers_in_log_not_surveyed: int
    contacts_without_customer: int

    def __getitem__(self, name: str) -> int:
        return getattr(self, name)

    def to_frame(self) -> pd.DataFrame:
        """One row per count (index: the count's name), column ``count``."""
        return pd.Series(vars(self), name="count").to_frame()


def load_linkage(study) -> Linkage:
    """The linkage report written by :func:`prepare`: matched and unmatched on each side."""
    return Linkage(**json.loads((prepare(study).directory / "linkage.json").read_text()))


def load_quality(study) -> pd.DataFrame:
    """The data-quality table written by :func:`prepare`: what was dropped, set missing or flagged."""
    return pd.read_csv(prepare(study).directory / "quality.csv", dtype={"rows": str}, keep_default_na=False)


def load_processed_survey(study) -> pd.DataFrame:
    """The study's processed survey (prepared first if needed), restricted to the study's ``waves``.

    Every report reads the survey through this function, so the ``waves`` parameter
    applies to all of them alike.
    """
    survey = pd.read_parquet(prepare(study).survey)
    waves, wave = study.parameters.get("waves"), study.codebook.wave
    if waves and wave:
        survey = survey[survey[wave].isin(waves)].reset_index(drop=True)
        if survey.empty:
            raise DataError(f"parameters.waves: none of the waves {waves} is in the data of study '{study.name}'")
    return survey
