"""The teaching track: every tutorial runs top to bottom and its reference comparison passes.

Each tutorial (``notebooks/tutorials/t*.py``) ends with a cell tagged ``reference-check``
whose last expression is :func:`cxlab.datasets.comparison_summary` and which asserts that
every difference is within its stated tolerance, so a failing comparison fails the run.
The tests execute the tutorials with papermill (two at a time) and read that table back
from the executed notebook. ``cxlab.datasets`` itself is unit-tested below.
"""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor

import jupytext
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from cxlab import datasets as ds
from cxlab import sem
from cxlab.runner import execute_notebook, load_notebook

from conftest import ROOT

TUTORIAL_DIR = ROOT / "notebooks" / "tutorials"
TUTORIALS = sorted(p.stem for p in TUTORIAL_DIR.glob("t[0-9]*.py"))

#: What each tutorial must compare (the ``comparison`` column of its check table).
EXPECTED = {
    "t1_cfa_holzinger_swineford": {"fit measures", "estimates", "modification indices"},
    "t2_sem_political_democracy": {"fit measures", "estimates", "modification indices"},
    "t3_efa_bfi": {"adequacy (KMO, Bartlett)", "KMO per item", "eigenvalues", "suggested factors",
                   "loadings", "communalities", "factor correlations", "variance", "alpha"},
    "t4_servqual_demo": {"gap (P - E)", "loadings", "findings"},
    "t5_nps_uncertainty": {"SE: simulated / formula", "CI coverage", "power at the MDC"},
    "t6_pls_ecsi": {"PLS paths (SmartPLS 2)", "CB-SEM estimates (lavaan)"},
}
#: Tutorials that read ``../shared/data/external`` (skipped where it is absent).
NEEDS_SHARED = {"t6_pls_ecsi"}
SHARED = ROOT.parent / "shared" / "data" / "external"


def test_every_tutorial_is_tested():
    assert TUTORIALS == sorted(EXPECTED)


# ------------------------------------------------------------------------ running the tutorials
@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Execute every tutorial with its default parameters; name -> notebook or exception."""
    out = tmp_path_factory.mktemp("tutorials")

    def run(name):
        if name in NEEDS_SHARED and not SHARED.exists():
            return None
        try:
            return execute_notebook(load_notebook(f"tutorials/{name}"), out / f"{name}.ipynb",
                                    parameters={}, cwd=TUTORIAL_DIR, timeout=300)
        except Exception as exc:  # noqa: BLE001 - reported by the test of that tutorial
            return exc

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(TUTORIALS, pool.map(run, TUTORIALS)))


def _check_table(nb) -> pd.DataFrame:
    """The comparison_summary table shown by the cell tagged ``reference-check``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and "reference-check" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell must be tagged reference-check"
    html = next(o["data"]["text/html"] for o in cells[0].outputs if "text/html" in o.get("data", {}))
    table = BeautifulSoup(html, "html.parser").find("table")
    header = [th.get_text(strip=True) for th in table.find("thead").find_all("tr")[0].find_all("th")][1:]
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    frame = pd.DataFrame(rows, columns=header)
    for col in ("n", "max_abs_difference", "tolerance"):
        frame[col] = frame[col].astype(float)
    frame["within"] = frame["within"].map({"True": True, "False": False})
    return frame


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_runs_and_matches_its_reference(executed, name):
    nb = executed[name]
    if nb is None:
        pytest.skip(f"{name} needs ../shared/data/external, which is not present")
    if isinstance(nb, Exception):
        pytest.fail(f"{name} failed: {type(nb).__name__}: {nb}")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    check = _check_table(nb)
    assert EXPECTED[name] <= set(check["comparison"])
    assert check["within"].all(), check[~check["within"]]
    assert (check["max_abs_difference"] <= check["tolerance"]).all()
    assert (check["n"] >= 1).all()


def test_software_comparisons_are_tight(executed):
    """Against R (tutorials 1-3) the deterministic results agree far inside 1e-4."""
    for name in ("t1_cfa_holzinger_swineford", "t2_sem_political_democracy", "t3_efa_bfi"):
        if isinstance(executed[name], Exception):
            pytest.skip(f"{name} failed (reported by its own test)")
        check = _check_table(executed[name])
        exact = check[~check["statistic"].isin(["fa_simulated"])
                      & ~check["comparison"].isin(["modification indices"])]
        assert exact["max_abs_difference"].max() < 1e-4, name


# ------------------------------------------------------------------------ what a tutorial must have
@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_structure(name):
    nb = jupytext.read(TUTORIAL_DIR / f"{name}.py")
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, "one cell tagged parameters"
    # literals only: papermill injects values there; a student edits them
    for line in params[0].source.splitlines():
        assert re.match(r"^[a-z_][a-z0-9_]* = .+  # .+", line), line
    assert code.index(params[0]) == 0, "parameters come before any other code"
    assert not any(re.search(r"^\s*(def|class) ", c.source, re.M) for c in code), "keep notebooks thin"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert markdown.startswith("# Tutorial")
    exercises = markdown.split("## Exercises", 1)[1]
    assert 2 <= len(re.findall(r"^# ?\d\. |^\d\. ", exercises, re.M)) <= 4
    assert nb.cells[-1].cell_type == "markdown" and "## Exercises" in nb.cells[-1].source


# ------------------------------------------------------------------------ cxlab.datasets
def test_load_dataset():
    hs = ds.load_dataset("holzinger_swineford")
    assert hs.shape == (301, 15) and list(hs.columns[-9:]) == [f"x{i}" for i in range(1, 10)]
    assert ds.load_dataset("political_democracy").shape == (75, 11)
    bfi = ds.load_dataset("bfi")
    assert bfi.shape == (2800, 28) and len(bfi.iloc[:, :25].dropna()) == 2436
    assert ds.load_dataset("holzinger_swineford_missing")["x1"].isna().sum() > 0
    assert set(ds.DATASETS) == {"holzinger_swineford", "holzinger_swineford_missing", "political_democracy", "bfi"}


def test_load_dataset_unknown_name():
    with pytest.raises(ValueError, match=r"The 'name' parameter of load_dataset must be one of "
                                         r"'holzinger_swineford', .*Got 'hs' instead\."):
        ds.load_dataset("hs")
    with pytest.raises(ValueError, match=r"The 'name' parameter of load_reference must be one of .*Got 'nope'"):
        ds.load_reference("nope")


def test_load_reference_and_tables():
    ref = ds.load_reference("hs_cfa")
    assert {"hs_cfa", "poldem_sem", "bfi_efa"} <= set(ds.reference_names())
    est = ds.reference_table(ref, "parameters")
    assert {"lhs", "op", "rhs", "est", "se", "ci_lower", "ci_upper", "std_all"} <= set(est.columns)
    assert len(est) == 24 and est["z"].isna().sum() == 3  # marker loadings: fixed, no test
    assert est["est"].dtype == float
    fm = ds.reference_values(ref, "fit_all")
    assert fm["df"] == 24 and "rmsea_ci_upper" in fm.index and fm.dtype == float
    phi = ds.reference_table(ds.load_reference("bfi_efa"), "fa_minres_oblimin/Phi")
    assert phi.shape == (5, 5) and list(phi.index) == list(phi.columns) and np.allclose(np.diag(phi), 1)
    # non-numeric entries are dropped from value series
    assert "reversed" not in ds.reference_values(ds.load_reference("bfi_efa"), "alpha/agree").index


def test_reference_path_errors():
    ref = ds.load_reference("bfi_efa")
    with pytest.raises(ValueError, match=r"The 'path' parameter of reference_table must name a part of the "
                                         r"reference; 'loadingz' is not in fa_minres_oblimin .*Got "
                                         r"'fa_minres_oblimin/loadingz' instead\."):
        ds.reference_table(ref, "fa_minres_oblimin/loadingz")
    with pytest.raises(ValueError, match=r"The 'path' parameter of reference_table must lead to a list of "
                                         r"records or a matrix .*Got 'kmo', which holds a dict\."):
        ds.reference_table(ref, "kmo")
    with pytest.raises(ValueError, match=r"The 'path' parameter of reference_values must lead to a mapping .*"
                                         r"Got 'parallel/fa_values', which holds a list\."):
        ds.reference_values(ref, "parallel/fa_values")
    with pytest.raises(ValueError, match=r"The 'reference' parameter of reference_values must be a dict "
                                         r"from load_reference\. Got str instead\."):
        ds.reference_values("hs_cfa", "fit_all")


def _frames():
    ours = pd.DataFrame({"lhs": ["f", "f", "g"], "rhs": ["a", "b", "c"], "est": [1.0, 0.5501, 2.0],
                         "z": [np.nan, 5.0, 1.0], "label": ["", "", ""]})
    ref = pd.DataFrame({"lhs": ["f", "f"], "rhs": ["b", "a"], "est": [0.55, 1.0], "z": [4.0, np.nan]})
    return ours, ref


def test_compare_to_reference_frames():
    ours, ref = _frames()
    cmp = ds.compare_to_reference(ours, ref, keys=["lhs", "rhs"])
    assert list(cmp.columns) == ["lhs", "rhs", "statistic", "ours", "reference", "difference"]
    # reference order, statistics in column order; ours' extra row (g, c) left out
    assert cmp[["rhs", "statistic"]].values.tolist() == [["b", "est"], ["b", "z"], ["a", "est"], ["a", "z"]]
    assert cmp["difference"].tolist() == pytest.approx([0.0001, 1.0, 0.0, 0.0])  # both-NaN z counts as 0
    one = ds.compare_to_reference(ours, ref, keys="lhs rhs".split(), columns="est")
    assert one["statistic"].unique().tolist() == ["est"]


def test_compare_to_reference_index_and_series():
    a = pd.DataFrame({"x": [1.0, 2.0]}, index=["r1", "r2"])
    b = pd.DataFrame({"x": [1.0, 2.5]}, index=["r2", "r1"])
    cmp = ds.compare_to_reference(a, b)
    assert cmp[["name", "difference"]].values.tolist() == [["r2", 1.0], ["r1", -1.5]]
    s = ds.compare_to_reference(pd.Series({"cfi": 0.9, "tli": np.nan}), pd.Series({"cfi": 0.8, "tli": 0.7}))
    assert s["statistic"].tolist() == ["value", "value"]
    assert s["difference"].iloc[0] == pytest.approx(0.1) and np.isnan(s["difference"].iloc[1])


def test_compare_to_reference_errors():
    ours, ref = _frames()
    with pytest.raises(ValueError, match=r"The 'keys' parameter of compare_to_reference must name columns "
                                         r"of ours\. Got \['op'\] instead"):
        ds.compare_to_reference(ours, ref, keys=["lhs", "op"])
    with pytest.raises(ValueError, match=r"The 'columns' parameter of compare_to_reference must name columns "
                                         r"of both tables\. Got \['se'\] instead\."):
        ds.compare_to_reference(ours, ref, keys=["lhs", "rhs"], columns=["est", "se"])
    with pytest.raises(ValueError, match=r"The 'ours' parameter of compare_to_reference lacks 1 row\(s\) of "
                                         r"the reference: \[\['f', 'z'\]\]\."):
        ds.compare_to_reference(ours, pd.concat([ref, pd.DataFrame({"lhs": ["f"], "rhs": ["z"], "est": [1.0],
                                                                    "z": [1.0]})]), keys=["lhs", "rhs"])
    with pytest.raises(ValueError, match=r"The 'keys' parameter of compare_to_reference must identify the "
                                         r"rows of ours uniquely\. Got \['lhs'\]"):
        ds.compare_to_reference(ours, ref.iloc[:1], keys=["lhs"])
    with pytest.raises(ValueError, match=r"The 'ours' parameter of compare_to_reference must be a DataFrame "
                                         r"or Series\. Got list instead\."):
        ds.compare_to_reference([1.0], ref)


def test_comparison_summary():
    ours, ref = _frames()
    cmp = ds.compare_to_reference(ours, ref, keys=["lhs", "rhs"])
    table = ds.comparison_summary({"est": cmp}, tolerance={"est": 1e-3, "z": 2.0})
    assert table.columns.tolist() == ["comparison", "statistic", "n", "max_abs_difference", "tolerance", "within"]
    assert table["max_abs_difference"].tolist() == pytest.approx([1e-4, 1.0])
    assert table["tolerance"].tolist() == [1e-3, 1e-3]  # the comparison's name wins over the statistic
    assert table["within"].tolist() == [True, False]
    plain = ds.comparison_summary(cmp, tolerance={"est": 1e-3, "default": 0.5})
    assert "comparison" not in plain.columns and plain["within"].tolist() == [True, False]
    # a value present on one side only is a failure, however large the tolerance
    gap = ds.compare_to_reference(pd.Series({"a": np.nan}), pd.Series({"a": 1.0}))
    row = ds.comparison_summary(gap, tolerance=1e9).iloc[0]
    assert math.isinf(row["max_abs_difference"]) and not row["within"]


def test_comparison_summary_errors():
    ours, ref = _frames()
    cmp = ds.compare_to_reference(ours, ref, keys=["lhs", "rhs"])
    with pytest.raises(ValueError, match=r"The 'tolerance' parameter of comparison_summary must cover every "
                                         r"comparison or statistic .*nothing for 'z'\."):
        ds.comparison_summary(cmp, tolerance={"est": 1e-3})
    with pytest.raises(ValueError, match=r"The 'tolerance' parameter of comparison_summary must be a "
                                         r"non-negative number\. Got -1 instead\."):
        ds.comparison_summary(cmp, tolerance=-1)
    with pytest.raises(ValueError, match=r"The 'comparisons' parameter of comparison_summary must be a "
                                         r"DataFrame .*Got list instead\."):
        ds.comparison_summary([cmp], tolerance=1)
    with pytest.raises(ValueError, match=r"must hold tables from compare_to_reference .* for 'bad'\."):
        ds.comparison_summary({"bad": ref}, tolerance=1)


def test_hs_cfa_against_lavaan_through_the_helpers():
    """The comparison tutorial 1 shows, without a kernel: cxlab vs lavaan within 1e-4."""
    ref = ds.load_reference("hs_cfa")
    fit = sem.fit(ds.load_dataset("holzinger_swineford"), ref["model_syntax"])
    cmp = {
        "estimates": ds.compare_to_reference(fit.estimates, ds.reference_table(ref, "parameters"),
                                             keys=["lhs", "op", "rhs"], columns=["est", "se", "std_all"]),
        "fit": ds.compare_to_reference(fit.fit_measures, ds.reference_values(ref, "fit_all")),
    }
    assert ds.comparison_summary(cmp, tolerance=1e-4)["within"].all()
