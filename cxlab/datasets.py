"""Public teaching data sets, their published reference results, and comparisons with them.

The tutorials in ``notebooks/tutorials/`` reproduce published analyses of classic public
data: the Holzinger & Swineford (1939) CFA and Bollen's (1989) political democracy SEM
from lavaan's tutorial, and the SAPA ``bfi`` personality items from psych. The data and
the R results (lavaan 0.6-14, psych 2.2.9, semTools 0.5-6; see each file's ``software``)
ship inside the package (``cxlab/data_files/``, package data found with
:mod:`importlib.resources`), so the tutorials run from an installed cxlab as well as from a
checkout; ``tests/data/`` links to the same files, so the tests, the tutorials and these
helpers read one copy.

``load_dataset`` reads a data set, ``load_reference`` one reference result (the JSON that
R wrote), ``reference_table`` and ``reference_values`` turn parts of it into pandas objects
in cxlab's vocabulary (lavaan's ``ci.lower`` becomes ``ci_lower``), and
``compare_to_reference`` / ``comparison_summary`` put cxlab's numbers beside R's with the
difference.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ._validation import check_choice, check_float, param_error

__all__ = [
    "DATASETS",
    "data_dir",
    "load_dataset",
    "load_reference",
    "reference_names",
    "reference_table",
    "reference_values",
    "compare_to_reference",
    "comparison_summary",
]

#: Data set name -> (file in the data folder, description).
DATASETS = {
    "holzinger_swineford": (
        "HolzingerSwineford1939.csv",
        "Mental ability tests of 301 seventh- and eighth-grade children (Holzinger & Swineford 1939), "
        "as in lavaan: x1-x3 visual, x4-x6 textual, x7-x9 speed.",
    ),
    "holzinger_swineford_missing": (
        "HolzingerSwineford1939_missing.csv",
        "The same with values removed: x1 if id % 7 == 0, x5 if id % 11 == 0, x9 if id % 13 == 0.",
    ),
    "political_democracy": (
        "PoliticalDemocracy.csv",
        "Industrialisation (x1-x3, 1960) and political democracy (y1-y4 in 1960, y5-y8 in 1965) "
        "of 75 developing countries (Bollen 1989), as in lavaan.",
    ),
    "bfi": (
        "bfi.csv",
        "25 Big Five personality items (A, C, E, N, O; 1-6) of 2,800 SAPA respondents with "
        "gender, education and age, as in psych.",
    ),
}


def data_dir() -> Path:
    """The folder holding the teaching data and the reference results (package data).

    The installed package's ``data_files`` folder, wherever cxlab is installed (a checkout,
    an editable or a regular install); it does not depend on the repository tree.

    Returns
    -------
    Path

    Examples
    --------
    >>> (data_dir() / "hs_cfa.json").exists()
    True
    """
    return Path(str(resources.files("cxlab") / "data_files"))


def load_dataset(name: str) -> pd.DataFrame:
    """Read one of the public teaching data sets.

    Parameters
    ----------
    name : {"holzinger_swineford", "holzinger_swineford_missing", "political_democracy", "bfi"}
        See :data:`DATASETS` for what each holds.

    Returns
    -------
    DataFrame
        The data as R's packages ship it (column names unchanged, missing values NaN).

    Raises
    ------
    ValueError
        For an unknown ``name``.

    Examples
    --------
    >>> hs = load_dataset("holzinger_swineford")
    >>> hs.shape
    (301, 15)
    >>> load_dataset("political_democracy").columns[:4].tolist()
    ['y1', 'y2', 'y3', 'y4']
    """
    check_choice(name, "name", "load_dataset", list(DATASETS))
    return pd.read_csv(data_dir() / DATASETS[name][0])


def reference_names() -> list[str]:
    """Names of the stored reference results (for :func:`load_reference`).

    Examples
    --------
    >>> "hs_cfa" in reference_names()
    True
    """
    return sorted(p.stem for p in data_dir().glob("*.json"))


def load_reference(name: str) -> dict:
    """Read a stored R reference result (lavaan, psych or semTools output as JSON).

    Parameters
    ----------
    name : str
        One of :func:`reference_names`, e.g. ``"hs_cfa"``, ``"poldem_sem"``, ``"bfi_efa"``.

    Returns
    -------
    dict
        The JSON as written by R: the model syntax or call, the options, the results and
        the software versions (``software``). Parts of it become pandas objects with
        :func:`reference_table` and :func:`reference_values`.

    Raises
    ------
    ValueError
        For an unknown ``name``.

    Examples
    --------
    >>> ref = load_reference("hs_cfa")
    >>> print(ref["model_syntax"])
    visual  =~ x1 + x2 + x3
    textual =~ x4 + x5 + x6
    speed   =~ x7 + x8 + x9
    >>> ref["software"]["lavaan"]
    '0.6.14'
    """
    check_choice(name, "name", "load_reference", reference_names())
    return json.loads((data_dir() / f"{name}.json").read_text(encoding="utf-8"))


def _part(reference, path: str, caller: str):
    if not isinstance(reference, Mapping):
        raise param_error("reference", caller,
                          "be a dict from load_reference", None,
                          got=f"{type(reference).__name__}")
    node = reference
    for i, key in enumerate(path.split("/") if isinstance(path, str) else [path]):
        if not isinstance(node, Mapping) or key not in node:
            where = "/".join(path.split("/")[:i]) or "the top level"
            known = ", ".join(map(repr, node)) if isinstance(node, Mapping) else "nothing"
            raise param_error("path", caller,
                              f"name a part of the reference; {key!r} is not in {where} "
                              f"(it holds {known})", path)
        node = node[key]
    return node


def _snake(name) -> str:
    return str(name).replace(".", "_")


def reference_table(reference: Mapping, path: str) -> pd.DataFrame:
    """A table of a reference result as a DataFrame in cxlab's column names.

    Parameters
    ----------
    reference : dict
        From :func:`load_reference`.
    path : str
        Where the table is, with ``/`` between nested keys: ``"parameters"`` or
        ``"modindices_top10"`` (lists of records: one row per record) or
        ``"fa_minres_oblimin/loadings"`` (a matrix with ``rownames``, ``colnames`` and
        ``values``).

    Returns
    -------
    DataFrame
        Records: one row each, with ``.`` in column names written ``_`` (lavaan's
        ``ci.lower``, ``std.all`` become ``ci_lower``, ``std_all``) and missing values
        (R's ``NA``) as NaN. Matrices: indexed by the row names, columns as in R.

    Raises
    ------
    ValueError
        When ``path`` does not lead to a table.

    Examples
    --------
    >>> ref = load_reference("hs_cfa")
    >>> est = reference_table(ref, "parameters")
    >>> est.loc[1, ["lhs", "op", "rhs", "est", "se", "std_all"]]
    lhs          visual
    op               =~
    rhs              x2
    est        0.553500
    se         0.099665
    std_all    0.423601
    Name: 1, dtype: object
    >>> reference_table(load_reference("bfi_efa"), "fa_minres_oblimin/Phi").shape
    (5, 5)
    """
    caller = "reference_table"
    node = _part(reference, path, caller)
    if isinstance(node, list) and all(isinstance(r, Mapping) for r in node):
        table = pd.DataFrame.from_records(node)
        table.columns = [_snake(c) for c in table.columns]
        return table.fillna(np.nan).infer_objects()
    if isinstance(node, Mapping) and {"rownames", "colnames", "values"} <= set(node):
        return pd.DataFrame(np.asarray(node["values"], dtype=float), index=node["rownames"],
                            columns=node["colnames"])
    raise ValueError(
        f"The 'path' parameter of {caller} must lead to a list of records or a matrix "
        f"(rownames, colnames, values). Got {path!r}, which holds a {type(node).__name__}."
    )


def reference_values(reference: Mapping, path: str) -> pd.Series:
    """Named numbers of a reference result (fit measures, KMO per item, ...) as a Series.

    Parameters
    ----------
    reference : dict
        From :func:`load_reference`.
    path : str
        Where the values are, with ``/`` between nested keys: ``"fit_all"`` (all of
        lavaan's ``fitMeasures``), ``"kmo/MSAi"``, ``"alpha/agree/total"``.

    Returns
    -------
    Series
        Float values indexed by name, ``.`` written ``_`` (lavaan's ``rmsea.ci.lower``
        becomes ``rmsea_ci_lower``, as in :attr:`cxlab.sem.SemResult.fit_measures`);
        entries that are not numbers are left out.

    Raises
    ------
    ValueError
        When ``path`` does not lead to a mapping of names to values.

    Examples
    --------
    >>> fm = reference_values(load_reference("hs_cfa"), "fit_all")
    >>> fm[["chisq", "df", "cfi", "rmsea_ci_lower"]].round(4)
    chisq             85.3055
    df                24.0000
    cfi                0.9306
    rmsea_ci_lower     0.0714
    dtype: float64
    """
    caller = "reference_values"
    node = _part(reference, path, caller)
    if not isinstance(node, Mapping):
        raise ValueError(
            f"The 'path' parameter of {caller} must lead to a mapping of names to numbers. "
            f"Got {path!r}, which holds a {type(node).__name__}."
        )
    values = {_snake(k): (np.nan if v is None else float(v)) for k, v in node.items()
              if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))}
    return pd.Series(values, dtype=float)


def _as_frame(obj, keys, caller: str, param: str) -> pd.DataFrame:
    if isinstance(obj, pd.Series):
        frame = obj.to_frame(name=obj.name if obj.name is not None else "value")
        frame.index = frame.index.rename("name")
        return frame.reset_index()
    if isinstance(obj, pd.DataFrame):
        if not keys:
            frame = obj.copy()
            frame.index = frame.index.rename("name")
            return frame.reset_index()
        missing = [k for k in keys if k not in obj.columns]
        if missing:
            raise ValueError(
                f"The 'keys' parameter of {caller} must name columns of {param}. "
                f"Got {missing} instead (its columns: {list(obj.columns)})."
            )
        return obj.reset_index(drop=True)
    raise param_error(param, caller,
                      "be a DataFrame or Series", None,
                      got=f"{type(obj).__name__}")


def compare_to_reference(ours, reference, *, keys: Sequence[str] | None = None,
                         columns: Sequence[str] | None = None) -> pd.DataFrame:
    """cxlab's numbers beside the reference software's, with the difference.

    Parameters
    ----------
    ours : DataFrame or Series
        cxlab's results.
    reference : DataFrame or Series
        The reference results (e.g. from :func:`reference_table`), same names.
    keys : list of str, optional
        Columns that identify a row in both tables (``["lhs", "op", "rhs"]`` for SEM
        parameters). Without keys, rows are matched on the index. Series are always
        matched on the index.
    columns : list of str, optional
        The statistics to compare (DataFrames only). Default: every numeric column of
        ``reference`` that ``ours`` also has, keys excepted.

    Returns
    -------
    DataFrame
        One row per compared row and statistic (long format), in the reference's row
        order: the key columns (``name`` when matched on the index), ``statistic``,
        ``ours``, ``reference`` and ``difference`` (``ours - reference``). When both
        values are missing (the z value of a fixed parameter) ``difference`` is 0; when
        only one is, it is NaN, which :func:`comparison_summary` counts as a failure.
        Rows of ``ours`` that the reference lacks are left out.

    Raises
    ------
    ValueError
        When ``keys`` or ``columns`` name absent columns, when keys are not unique, or
        when ``ours`` lacks rows of the reference (they are named).

    Examples
    --------
    >>> import pandas as pd
    >>> ours = pd.DataFrame({"lhs": ["f", "f"], "rhs": ["a", "b"], "est": [1.0, 0.5501],
    ...                      "se": [0.0, 0.1]})
    >>> ref = pd.DataFrame({"lhs": ["f", "f"], "rhs": ["a", "b"], "est": [1.0, 0.55],
    ...                     "se": [0.0, 0.1]})
    >>> compare_to_reference(ours, ref, keys=["lhs", "rhs"], columns=["est"])
      lhs rhs statistic    ours  reference  difference
    0   f   a       est  1.0000       1.00      0.0000
    1   f   b       est  0.5501       0.55      0.0001
    >>> compare_to_reference(pd.Series({"cfi": 0.9306}), pd.Series({"cfi": 0.9306}))
      name statistic    ours  reference  difference
    0  cfi     value  0.9306     0.9306         0.0
    """
    caller = "compare_to_reference"
    keys = [keys] if isinstance(keys, str) else list(keys or [])
    series = isinstance(ours, pd.Series) and isinstance(reference, pd.Series)
    if series:
        ours = ours.rename("value")
        reference = reference.rename("value")
        keys = []
    a = _as_frame(ours, keys, caller, "ours")
    b = _as_frame(reference, keys, caller, "reference")
    keys = keys or ["name"]
    if columns is None:
        columns = [c for c in b.columns if c not in keys and c in a.columns
                   and pd.api.types.is_numeric_dtype(b[c])]
    else:
        columns = [columns] if isinstance(columns, str) else list(columns)
        absent = [c for c in columns if c not in a.columns or c not in b.columns]
        if absent:
            raise param_error("columns", caller,
                              "name columns of both tables", None,
                              got=f"{absent}")
    if not columns:
        raise ValueError(f"The 'columns' parameter of {caller} selects nothing to compare. Got {columns!r}.")
    for name, frame in (("ours", a), ("reference", b)):
        dup = frame.duplicated(keys, keep=False)
        if dup.any():
            raise ValueError(
                f"The 'keys' parameter of {caller} must identify the rows of {name} uniquely. "
                f"Got {keys} with repeated rows {frame.loc[dup, keys].drop_duplicates().values.tolist()[:5]}."
            )
    merged = b[keys + columns].merge(a[keys + columns], on=keys, how="left", suffixes=("_ref", "_ours"),
                                     indicator=True)
    lacking = merged["_merge"] == "left_only"
    if lacking.any():
        rows = merged.loc[lacking, keys].values.tolist()
        raise ValueError(
            f"The 'ours' parameter of {caller} lacks {int(lacking.sum())} row(s) of the reference: "
            f"{rows[:5]}{' ...' if len(rows) > 5 else ''}."
        )
    parts = []
    for col in columns:
        o = pd.to_numeric(merged[f"{col}_ours"], errors="coerce").astype(float)
        r = pd.to_numeric(merged[f"{col}_ref"], errors="coerce").astype(float)
        diff = (o - r).where(~(o.isna() & r.isna()), 0.0)
        part = merged[keys].copy()
        part["statistic"] = col
        part["ours"], part["reference"], part["difference"] = o.to_numpy(), r.to_numpy(), diff.to_numpy()
        part["_row"] = np.arange(len(part))
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["_stat"] = out["statistic"].map({c: i for i, c in enumerate(columns)})
    return out.sort_values(["_row", "_stat"], kind="stable").drop(columns=["_row", "_stat"]).reset_index(drop=True)


def comparison_summary(comparisons: pd.DataFrame | Mapping[str, pd.DataFrame], *,
                       tolerance: float | Mapping[str, float]) -> pd.DataFrame:
    """The largest difference per statistic, against a stated tolerance.

    Parameters
    ----------
    comparisons : DataFrame or mapping of name -> DataFrame
        Output(s) of :func:`compare_to_reference`. With a mapping, the names label the
        rows (e.g. ``{"estimates": ..., "fit measures": ...}``).
    tolerance : float or mapping
        Largest acceptable absolute difference: one number for all, or per statistic
        (``{"est": 1e-4, "se": 1e-4}``); with a mapping of comparisons, the keys may be
        comparison names or statistics, and ``"default"`` covers the rest.

    Returns
    -------
    DataFrame
        One row per comparison and statistic: ``comparison`` (with a mapping),
        ``statistic``, ``n`` (values compared), ``max_abs_difference`` (infinite when
        one side is missing a value the other has), ``tolerance`` and ``within``
        (bool).

    Raises
    ------
    ValueError
        For a negative or missing tolerance.

    Examples
    --------
    >>> import pandas as pd
    >>> cmp = compare_to_reference(pd.Series({"cfi": 0.93061, "tli": 0.896}),
    ...                            pd.Series({"cfi": 0.93060, "tli": 0.896}))
    >>> comparison_summary({"fit": cmp}, tolerance=1e-4)
      comparison statistic  n  max_abs_difference  tolerance  within
    0        fit     value  2             0.00001     0.0001    True
    """
    caller = "comparison_summary"
    if isinstance(comparisons, pd.DataFrame):
        named = {None: comparisons}
    elif isinstance(comparisons, Mapping) and comparisons and all(
            isinstance(v, pd.DataFrame) for v in comparisons.values()):
        named = dict(comparisons)
    else:
        raise param_error("comparisons", caller,
                          "be a DataFrame from compare_to_reference or a non-empty mapping of "
                          "name to such DataFrames", None,
                          got=f"{type(comparisons).__name__}")

    def tol_for(name, stat) -> float:
        if isinstance(tolerance, Mapping):
            for key in (name, stat, "default"):
                if key is not None and key in tolerance:
                    value = tolerance[key]
                    break
            else:
                raise ValueError(
                    f"The 'tolerance' parameter of {caller} must cover every comparison or statistic "
                    f"(or give a 'default'). Got {dict(tolerance)!r}, which has nothing for "
                    f"{name or stat!r}."
                )
        else:
            value = tolerance
        return float(check_float(value, "tolerance", caller, low=0, closed="left", must="a non-negative number"))

    rows = []
    for name, table in named.items():
        need = {"statistic", "difference"}
        if not need <= set(table.columns):
            raise ValueError(
                f"The 'comparisons' parameter of {caller} must hold tables from compare_to_reference "
                f"(with 'statistic' and 'difference'). Got columns {list(table.columns)}"
                f"{'' if name is None else f' for {name!r}'}."
            )
        for stat, grp in table.groupby("statistic", sort=False):
            diff = grp["difference"].abs().fillna(math.inf)
            worst = float(diff.max()) if len(diff) else 0.0
            tol = tol_for(name, stat)
            row = {"statistic": stat, "n": int(len(grp)), "max_abs_difference": worst, "tolerance": tol,
                   "within": bool(worst <= tol)}
            rows.append(row if name is None else {"comparison": name, **row})
    return pd.DataFrame(rows)
