"""lavaan model syntax: parsing and lavaan's default parameter table."""

import pytest

from cxlab.sem.syntax import build_partable, parse_model


def _rows(model):
    pt, _ = build_partable(parse_model(model))
    return pt


def test_hs_partable_order_and_defaults():
    pt = _rows("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9")
    triples = [tuple(r) for r in pt[["lhs", "op", "rhs"]].values]
    assert triples[:3] == [("visual", "=~", "x1"), ("visual", "=~", "x2"), ("visual", "=~", "x3")]
    assert triples[9:12] == [("x1", "~~", "x1"), ("x2", "~~", "x2"), ("x3", "~~", "x3")]
    assert triples[-3:] == [("visual", "~~", "textual"), ("visual", "~~", "speed"), ("textual", "~~", "speed")]
    assert pt.loc[0, "free"] == 0 and pt.loc[0, "fixed"] == 1.0
    assert pt["free"].max() == 21


def test_multiline_comments_semicolons_and_multiple_lhs():
    pt = _rows("# comment\nf =~ x1 +\n  x2 + x3 ! other comment\ny1 + y2 ~ f; y1 ~~ y2")
    triples = [tuple(r) for r in pt[["lhs", "op", "rhs"]].values]
    assert triples[:6] == [("f", "=~", "x1"), ("f", "=~", "x2"), ("f", "=~", "x3"),
                           ("y1", "~", "f"), ("y2", "~", "f"), ("y1", "~~", "y2")]


def test_labels_fixed_values_and_free_first_loading():
    pt = _rows("f =~ NA*x1 + a*x2 + a*x3 + 0.5*x4\nf ~~ 1*f")
    r = pt.set_index(["lhs", "op", "rhs"])
    assert r.loc[("f", "=~", "x1"), "free"] > 0
    assert r.loc[("f", "=~", "x2"), "free"] == r.loc[("f", "=~", "x3"), "free"]
    assert r.loc[("f", "=~", "x2"), "label"] == "a"
    assert r.loc[("f", "=~", "x4"), "free"] == 0 and r.loc[("f", "=~", "x4"), "fixed"] == 0.5
    assert r.loc[("f", "~~", "f"), "free"] == 0 and r.loc[("f", "~~", "f"), "fixed"] == 1.0


def test_exogenous_covariates_fixed_x_rows():
    pt = _rows("y ~ x1 + x2")
    exo = pt[pt["exo"]]
    assert [tuple(r) for r in exo[["lhs", "rhs"]].values] == [("x1", "x1"), ("x1", "x2"), ("x2", "x2")]
    assert (exo["free"] == 0).all()


def test_dependent_latents_get_residual_covariance():
    pt = _rows("f1 =~ a1 + a2 + a3\nf2 =~ b1 + b2 + b3\nf3 =~ c1 + c2 + c3\nf2 ~ f1\nf3 ~ f1")
    triples = {tuple(r) for r in pt[["lhs", "op", "rhs"]].values}
    assert ("f2", "~~", "f3") in triples
    assert ("f1", "~~", "f2") not in triples


def test_defined_parameters_are_parsed():
    pm = parse_model("y ~ a*x\nz ~ b*y\nind := a * b")
    assert pm.defined == (("ind", "a*b"),)


@pytest.mark.parametrize("model,exc,match", [
    ("", ValueError, "'model' parameter"),
    ("f =~ x1 + 2x", ValueError, "Invalid variable name"),
    ("a > b", NotImplementedError, "constraints"),
    ("f =~ x1 + x2\na == (b", ValueError, "Cannot parse the constraint"),
    ("u | t1", NotImplementedError, "Thresholds"),
    ("f =~ c(a, b)*x1 + x2", ValueError, "has 2 values but the model has 1 group"),
    ("f =~ c(a, )*x1 + x2", ValueError, "Cannot parse the group-specific modifier"),
    ("f =~ x1 + start(c(1, 2))*x2", ValueError, "Cannot parse the start value"),
    ("just words", ValueError, "No operator"),
])
def test_syntax_errors(model, exc, match):
    with pytest.raises(exc, match=match):
        build_partable(parse_model(model))
