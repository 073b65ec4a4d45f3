"""The data layer: raw survey files in, clean pseudonymous Parquet out.

``data/raw/<study>/`` is read, never written; :func:`prepare` writes
``data/processed/<study>/`` atomically: ``survey.parquet`` (coded, reverse-keyed,
missing codes as missing, identifiers replaced by keyed pseudonyms),
``dictionary.csv`` (one row per column) and ``fingerprint.json`` (sha256 of inputs).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .paths import replace_dir
from .privacy import load_secret, pseudonymise

__all__ = ["DataError", "Prepared", "read_columns", "read_table", "clean_survey", "prepare", "sha256"]


class DataError(ValueError):
    """Bad input data; the message names file, column, rows and count."""


def sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_columns(path: str | Path) -> list[str] | None:
    """Column names of a CSV or Parquet file, reading only its header."""
    path = Path(path)
    if path.suffix == ".csv":
        return list(pd.read_csv(path, nrows=0, sep=None, engine="python").columns)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    return None


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file as it is (all CSV columns as text-tolerant objects)."""
    path = Path(path)
    if path.suffix == ".csv":
        return pd.read_csv(path, sep=None, engine="python", keep_default_na=False, dtype=str)
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    raise DataError(f"{path}: unsupported file type {path.suffix!r} (use .csv or .parquet)")


def _rows(mask: pd.Series, limit: int = 5) -> str:
    # File row numbers: header is row 1, so data row i (0-based) is row i + 2.
    idx = np.flatnonzero(mask.to_numpy())
    shown = ", ".join(str(i + 2) for i in idx[:limit])
    return shown + (", ..." if len(idx) > limit else "")


def clean_survey(raw: pd.DataFrame, codebook, *, source: str = "survey") -> pd.DataFrame:
    """Code a raw survey table as the codebook says.

    Missing-value codes and empty cells become missing; every coded item must be a
    whole number within its response range; reverse-keyed items are recoded as
    ``lo + hi - x``. Identifier columns are kept (pseudonymise them before writing).

    Raises
    ------
    DataError
        Naming the file, column, first few row numbers and the count of bad values, for
        non-numeric answers, values out of range and duplicate respondent ids.
    """
    df = raw.copy()
    codes = {str(c).strip().lower() for c in codebook.missing_codes} | {""}
    problems = []
    for col, (lo, hi) in codebook.item_ranges().items():
        text = df[col].astype("string").str.strip()
        is_missing = text.isna() | text.str.lower().isin(codes)
        num = pd.to_numeric(text.where(~is_missing), errors="coerce")
        bad_text = num.isna() & ~is_missing
        if bad_text.any():
            problems.append(f"{source}, column {col!r}: {int(bad_text.sum())} non-numeric answer(s) "
                            f"at row(s) {_rows(bad_text)} (e.g. {text[bad_text].iloc[0]!r})")
        out_of_range = num.notna() & ((num < lo) | (num > hi) | (num != num.round()))
        if out_of_range.any():
            problems.append(f"{source}, column {col!r}: {int(out_of_range.sum())} value(s) outside {lo}..{hi} "
                            f"at row(s) {_rows(out_of_range)} (e.g. {num[out_of_range].iloc[0]:g})")
        df[col] = num.astype("Float64")
    rid = codebook.respondent_id
    dup = df[rid].duplicated(keep=False) & df[rid].notna()
    if dup.any():
        problems.append(f"{source}, column {rid!r}: {int(dup.sum())} rows share a respondent id "
                        f"at row(s) {_rows(dup)}")
    if problems:
        raise DataError("\n".join(problems))
    for item in codebook.reverse_keyed:
        lo, hi = codebook.item_ranges()[item]
        df[item] = lo + hi - df[item]
    if codebook.wave:
        df[codebook.wave] = pd.to_numeric(df[codebook.wave], errors="raise").astype("Int64")
    if codebook.duration:
        df[codebook.duration] = pd.to_numeric(df[codebook.duration], errors="coerce")
    if codebook.date:
        df[codebook.date] = pd.to_datetime(df[codebook.date])
    return df


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


def prepare(study) -> Prepared:
    """Write the study's processed data (atomically) and return its paths.

    Reuses the existing processed data when the input fingerprint is unchanged.
    """
    cb = study.codebook
    inputs = {k: sha256(p) for k, p in study.input_files().items() if Path(p).exists()}
    inputs["contact_window_days"] = study.parameters["contact_window_days"]
    target = study.processed_dir
    fp_path = target / "fingerprint.json"
    if fp_path.exists() and json.loads(fp_path.read_text()).get("inputs") == inputs:
        return Prepared(target, target / "survey.parquet", target / "dictionary.csv", fp_path)

    survey_path = study.data["survey"]
    survey = clean_survey(read_table(survey_path), cb, source=survey_path.name)
    secret = load_secret()
    features, linkage = None, None
    if "contacts" in study.data and cb.customer_id and cb.date:
        features, linkage = _link_contacts(survey, study)
        features.insert(0, "respondent_key", pseudonymise(features.pop(cb.respondent_id), secret=secret, prefix="r_"))
    keys = {cb.respondent_id: "respondent_key", cb.customer_id: "customer_key"}
    for col, key in keys.items():
        if col:
            survey.insert(0, key, pseudonymise(survey.pop(col), secret=secret, prefix=key[0] + "_"))
    survey = survey.drop(columns=[c for c in cb.identifiers if c in survey.columns])

    ranges = cb.item_ranges()
    dictionary = pd.DataFrame({
        "column": survey.columns,
        "dtype": [str(t) for t in survey.dtypes],
        "range": [f"{ranges[c][0]}..{ranges[c][1]}" if c in ranges else "" for c in survey.columns],
        "reverse_keyed": [c in cb.reverse_keyed for c in survey.columns],
        "missing": [int(survey[c].isna().sum()) for c in survey.columns],
        "note": ["keyed pseudonym (HMAC-SHA256)" if c in keys.values() else "" for c in survey.columns],
    })

    def write(tmp: Path) -> None:
        survey.to_parquet(tmp / "survey.parquet", index=False)
        dictionary.to_csv(tmp / "dictionary.csv", index=False)
        (tmp / "fingerprint.json").write_text(json.dumps({"inputs": inputs}, indent=2))
        if features is not None:
            features.to_parquet(tmp / "contact_features.parquet", index=False)
            (tmp / "linkage.json").write_text(json.dumps(linkage, indent=2))

    _atomic_dir_write(target, write)
    return Prepared(target, target / "survey.parquet", target / "dictionary.csv", fp_path)


def _link_contacts(survey: pd.DataFrame, study) -> tuple[pd.DataFrame, dict]:
    """Contact features per respondent over the window before the survey, and a linkage report."""
    import duckdb

    from .contacts import respondent_features

    cb, window = study.codebook, study.parameters["contact_window_days"]
    path = study.data["contacts"]
    feats = respondent_features(survey, path, customer=cb.customer_id, respondent=cb.respondent_id,
                                date=cb.date, window_days=window)
    con = duckdb.connect()
    con.register("s", survey[[cb.customer_id]].rename(columns={cb.customer_id: "customer_id"}))
    src = f"read_parquet('{path}')" if path.suffix == ".parquet" else f"read_csv_auto('{path}')"
    total, linked = con.execute(
        f"SELECT count(DISTINCT customer_id), count(DISTINCT customer_id) FILTER "
        f"(WHERE customer_id IN (SELECT customer_id FROM s)) FROM {src}").fetchone()
    in_log = int(survey[cb.customer_id].isin(
        con.execute(f"SELECT DISTINCT customer_id FROM {src}").df()["customer_id"]).sum())
    linkage = {
        "window_days": window,
        "respondents": len(survey),
        "respondents_with_contacts_in_window": int((feats["contacts"] > 0).sum()),
        "respondents_in_contact_log": in_log,
        "respondents_not_in_contact_log": len(survey) - in_log,
        "customers_in_contact_log": int(total),
        "customers_in_log_not_surveyed": int(total - linked),
    }
    return feats, linkage


def load_contact_features(study) -> pd.DataFrame:
    """Per-respondent contact features (keyed by ``respondent_key``) of the study."""
    return pd.read_parquet(prepare(study).directory / "contact_features.parquet")


def load_linkage(study) -> dict:
    """The linkage report written by :func:`prepare`."""
    return json.loads((prepare(study).directory / "linkage.json").read_text())


def load_processed_survey(study) -> pd.DataFrame:
    """The study's processed survey (prepared first if needed)."""
    return pd.read_parquet(prepare(study).survey)
