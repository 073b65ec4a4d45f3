"""One validator and one vocabulary: shared checks and the renamed parameters (issue 18)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from cxlab import contacts, levers, measures, monitor, quality, servqual
from cxlab._validation import (check_choice, check_ci, check_columns, check_float, check_frame, check_int,
                               renamed_parameters)


def test_messages_share_one_style():
    cases = [
        (lambda: check_int(True, "n", "f", low=0), "The 'n' parameter of f must be an int >= 0. Got True instead."),
        (lambda: check_int(5, "n", "f", low=1, high=3), "The 'n' parameter of f must be an int in the range [1, 3]. Got 5 instead."),
        (lambda: check_int(0, "n_jobs", "f", low=1, allow_none=True), "The 'n_jobs' parameter of f must be None or an int >= 1. Got 0 instead."),
        (lambda: check_float(float("nan"), "x", "f", low=0, high=1, closed="both"), "The 'x' parameter of f must be a float in [0, 1]. Got nan instead."),
        (lambda: check_ci(1, "f"), "The 'ci' parameter of f must be a float in (0, 1). Got 1 instead."),
        (lambda: check_ci(True, "f"), "The 'ci' parameter of f must be a float in (0, 1). Got True instead."),
        (lambda: check_choice(["a"], "m", "f", ("a", "b")), "The 'm' parameter of f must be one of 'a', 'b'. Got ['a'] instead."),
    ]
    for call, message in cases:
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message
    with pytest.raises(TypeError, match="The 'corr' parameter of f must be a pandas DataFrame. Got ndarray instead."):
        check_frame(np.eye(2), "f", "corr")
    assert check_int(np.int64(3), "n", "f", low=0) == 3
    assert check_columns(pd.DataFrame({"a": [1]}), ["a"], "f", numeric=True) == ["a"]


def test_renamed_parameter_warns_and_passes_the_value():
    @renamed_parameters({"old": "new"})
    def f(*, new=1):
        return new

    with pytest.warns(DeprecationWarning, match="The 'old' parameter of f is renamed 'new'"):
        assert f(old=5) == 5
    with pytest.raises(TypeError, match="got both 'old' \\(deprecated\\) and 'new'"):
        f(old=1, new=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(new=3) == 3


def _survey(n=120, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"wave": np.repeat([1, 2], n // 2), "seg": rng.choice(["a", "b"], n),
                         "ltr": rng.integers(0, 11, n), "q1": rng.integers(1, 6, n).astype(float),
                         "q2": rng.integers(1, 6, n).astype(float)})


@pytest.mark.parametrize("call_old, call_new", [
    (lambda s: measures.summarise(s, metrics={"nps": "ltr"}, by="seg"),
     lambda s: measures.summarise(s, metrics={"nps": "ltr"}, group="seg")),
    (lambda s: monitor.trends(s, metrics={"nps": "ltr"}, by="seg"),
     lambda s: monitor.trends(s, metrics={"nps": "ltr"}, group="seg")),
    (lambda s: quality.sample_overview(s, by=["seg"]), lambda s: quality.sample_overview(s, group=["seg"])),
    (lambda s: quality.missingness(s, groups={"q": ["q1", "q2"]}),
     lambda s: quality.missingness(s, item_groups={"q": ["q1", "q2"]})),
])
def test_old_names_give_the_same_result_with_a_warning(call_old, call_new):
    s = _survey()
    with pytest.warns(DeprecationWarning):
        old = call_old(s)
    pd.testing.assert_frame_equal(old, call_new(s))


def test_old_names_of_levers_servqual_contacts_and_quality_text():
    s = _survey()
    s["sat"] = s["q1"] + s["q2"] + np.random.default_rng(1).normal(size=len(s))
    with pytest.warns(DeprecationWarning, match="'bootstrap' parameter of driver_importance"):
        levers.driver_importance(s, "sat", ["q1", "q2"], bootstrap=0)
    with pytest.warns(DeprecationWarning) as record:
        old = levers.rank_levers(s, "sat", ["q1", "q2"], segment="seg", min_segment_size=10, bootstrap=0)
    assert {str(w.message).split("'")[1] for w in record} == {"segment", "min_segment_size", "bootstrap"}
    pd.testing.assert_frame_equal(old, levers.rank_levers(s, "sat", ["q1", "q2"], group="seg", min_n=10, n_boot=0))
    gaps = pd.DataFrame({"gap": [-0.9], "ci_lower": [-1.0], "ci_upper": [-0.8]},
                        index=pd.Index(["reliability"], name="dimension"))
    with pytest.warns(DeprecationWarning, match="'alpha_level' parameter of describe"):
        assert servqual.describe(gaps=gaps, alpha_level=0.01) == servqual.describe(gaps=gaps, alpha=0.01)
    missing = quality.missingness(s, {"q": ["q1"]})
    flags = quality.flags_summary({"speeder": pd.Series(False, index=s.index)})
    with pytest.warns(DeprecationWarning, match="'segment' parameter of describe_quality"):
        text = quality.describe_quality(s, missing=missing, flags=flags, wave="wave", segment="seg")
    assert "2 segments" in text
    log = pd.DataFrame({"customer_id": ["a", "b"], "team_id": ["T1", "T2"], "agent_id": ["A1", "A2"],
                        "resolved_first_contact": [True, False], "handle_time_sec": [100.0, 300.0],
                        "transfers": [0, 1], "escalated_to_agent": [False, False]})
    with pytest.warns(DeprecationWarning, match="'by' parameter of team_features"):
        assert len(contacts.team_features(log, by="agent_id")) == 2


def test_messages_of_the_other_modules_in_the_same_style():
    """Messages once written by hand in other shapes ("ci must be in (0, 1), got 1.5")."""
    from types import SimpleNamespace

    from cxlab import multilevel, plots, privacy, sem, tables
    from cxlab.sem.ordinal_groups import fit_wlsmv_groups

    est = pd.DataFrame({"lhs": ["f"], "op": ["=~"], "rhs": ["a"], "est": [1.0], "se": [0.0], "pvalue": [np.nan],
                        "std_all": [0.7]})
    cases = [
        (lambda: multilevel.design_effect(0.1, 0.5),
         ValueError, "The 'cluster_size' parameter of design_effect must be a float >= 1. Got 0.5 instead."),
        (lambda: multilevel.simulate_chain(n_teams=0),
         ValueError, "The 'n_teams' parameter of simulate_chain must be an int >= 1. Got 0 instead."),
        (lambda: multilevel.nested_icc(pd.DataFrame(), "y", team="t", agent="a", ci=0),
         ValueError, "The 'ci' parameter of nested_icc must be a float in (0, 1). Got 0 instead."),
        (lambda: multilevel.anova_icc([1], "y", "team"),
         TypeError, "The 'data' parameter of anova_icc must be a pandas DataFrame. Got list instead."),
        (lambda: sem.fit(pd.DataFrame({"x": [1.0]}), " "),
         ValueError, "The 'model' parameter of fit must be a non-empty lavaan model string. Got ' ' instead."),
        (lambda: sem.modification_indices(None, top=0),
         ValueError, "The 'top' parameter of modification_indices must be None or an int >= 1. Got 0 instead."),
        (lambda: fit_wlsmv_groups(pd.DataFrame({"q": [1, 2]}), "f =~ q", group="g", identification="delta"),
         ValueError, "The 'identification' parameter of fit_wlsmv_groups must be one of 'lavaan', 'wu_estabrook'. "
                     "Got 'delta' instead."),
        (lambda: sem.effects_table(SimpleNamespace(estimates=est, partable=None, vcov=None)),
         ValueError, "The 'fit' parameter of effects_table must be a result of cxlab.sem.fit. "
                     "Got one without its parameter table."),
        (lambda: plots.path_chart(SimpleNamespace(estimates=est, r2=pd.Series(dtype=float))),
         ValueError, "The 'fit' parameter of path_chart must have a structural path ('~') to draw. "
                     "Got a model without one."),
        (lambda: privacy.suppress_small_cells(pd.DataFrame({"m": [1]}), n_column="count"),
         ValueError, "The 'n_column' parameter of suppress_small_cells must name a column of 'table'. "
                     "Got 'count' instead."),
        (lambda: tables.loadings_table(pd.DataFrame({"x": [1]})),
         ValueError, "The 'fit' parameter of loadings_table must be a cxlab.sem fit or its estimates table "
                     "(columns ['est', 'lhs', 'op', 'pvalue', 'rhs', 'se']). Got DataFrame instead."),
        (lambda: tables.paths_table(est, predictors="x"),
         ValueError, "The 'predictors' parameter of paths_table must be a list of variable names. Got 'x' instead."),
        (lambda: tables.fit_apa(est),
         ValueError, "The 'table' parameter of fit_apa must be the result of cxlab.sem.fit_table. Got DataFrame instead."),
        (lambda: levers.contact_family(est),
         ValueError, "The 'effects' parameter of contact_family must be the result of contact_effects. "
                     "Got DataFrame instead."),
    ]
    for call, exc, message in cases:
        with pytest.raises(exc) as err:
            call()
        assert str(err.value) == message


def test_pls_and_contacts_messages_in_the_same_style():
    """cxlab.pls and cxlab.contacts once said "The 'ci' parameter must be between 0 and 1" (no function)."""
    from cxlab import pls

    data = pd.DataFrame({"x1": [1.0, 2, 3, 4, 5, 6], "x2": [2.0, 1, 4, 3, 6, 5], "y1": [1.0, 3, 2, 5, 4, 6]})
    model = "a =~ x1 + x2\nb =~ y1\nb ~ a"
    log = pd.DataFrame({"customer_id": ["c1"], "started_at": pd.to_datetime(["2025-01-01"])})
    cases = [
        (lambda: pls.fit(data, " "),
         ValueError, "The 'model' parameter of fit must be a non-empty model string. Got ' ' instead."),
        (lambda: pls.fit(data, model, ci=95),
         ValueError, "The 'ci' parameter of fit must be a float in (0, 1). Got 95 instead."),
        (lambda: pls.fit(data, model, bootstrap=-1),
         ValueError, "The 'bootstrap' parameter of fit must be an int >= 0. Got -1 instead."),
        (lambda: pls.fit(data, model, n_jobs=0),
         ValueError, "The 'n_jobs' parameter of fit must be None or an int >= 1. Got 0 instead."),
        (lambda: pls.fit(data, model, scheme="mode"),
         ValueError, "The 'scheme' parameter of fit must be one of 'path', 'factorial', 'centroid'. Got 'mode' instead."),
        (lambda: pls.fit(data, model, boot_ci="bc"),
         ValueError, "The 'boot_ci' parameter of fit must be one of 'percentile', 'bca'. Got 'bc' instead."),
        (lambda: pls.fit(data, model, missing="drop"),
         ValueError, "The 'missing' parameter of fit must be one of 'listwise', 'mean'. Got 'drop' instead."),
        (lambda: pls.fit(data, model, modes={"a": "C"}),
         ValueError, "The 'modes' parameter of fit must give each construct the mode 'A' or 'B'. Got 'C' for 'a'."),
        (lambda: pls.fit(data, model, modes={"nope": "A"}),
         ValueError, "The 'modes' parameter of fit must name constructs of the model (a, b). Got 'nope' instead."),
        (lambda: pls.fit(data, model, scale_range=(5, 1)),
         ValueError, "The 'scale_range' parameter of fit must have min < max. Got (5, 1) instead."),
        (lambda: pls.fit([1], model),
         TypeError, "The 'data' parameter of fit must be a pandas DataFrame. Got list instead."),
        (lambda: pls.predict(data, model, n_folds=1),
         ValueError, "The 'n_folds' parameter of predict must be an int >= 2. Got 1 instead."),
        (lambda: pls.predict(data, model, approach="late"),
         ValueError, "The 'approach' parameter of predict must be one of 'earliest', 'direct'. Got 'late' instead."),
        (lambda: pls.predict(data, model, n_folds=7),
         ValueError, "The 'n_folds' parameter of predict must be at most the number of cases (6). Got 7 instead."),
        (lambda: pls.ipma("fit", "b"),
         TypeError, "The 'result' parameter of ipma must be a PlsResult from cxlab.pls.fit. Got str instead."),
        (lambda: pls.compare_sem(None, None),
         TypeError, "The 'result' parameter of compare_sem must be a PlsResult from cxlab.pls.fit. Got NoneType instead."),
        (lambda: contacts.customer_features(42),
         TypeError, "The 'contacts' parameter of customer_features must be a DataFrame, a file path, a (database, "
                    "table) pair or an Ibis table. Got int instead."),
        (lambda: contacts.channel_overview((42, "log")),
         TypeError, "The 'contacts' parameter of channel_overview must pair a table name with a DuckDB connection, "
                    "an Ibis backend, a DuckDB file or a URL. Got int as its database."),
        (lambda: contacts.contact_problems(log, on_invalid={"late": "drop"}),
         ValueError, "The 'on_invalid' parameter of contact_problems must name contact problems "
                     f"({', '.join(contacts.POLICIES)}). Got 'late' instead."),
        (lambda: contacts.service_levels(log, on_invalid={"bad_duration": "ignore"}),
         ValueError, "The 'on_invalid.bad_duration' parameter of service_levels must be one of "
                     f"{', '.join(map(repr, contacts.POLICIES['bad_duration']))}. Got 'ignore' instead."),
    ]
    for call, exc, message in cases:
        with pytest.raises(exc) as err:
            call()
        assert str(err.value) == message
