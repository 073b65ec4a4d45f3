"""Keyed pseudonyms, free-text redaction and small-cell suppression."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from cxlab import privacy
from cxlab.privacy import load_secret, pseudonymise, redact_text, suppress_small_cells


def test_same_secret_same_keys_other_secret_other_keys():
    ids = ["C000001", "C000002", None]
    a = pseudonymise(ids, secret=b"one", prefix="c_")
    assert a == pseudonymise(ids, secret=b"one", prefix="c_")
    b = pseudonymise(ids, secret=b"two", prefix="c_")
    assert a[2] is None and b[2] is None
    assert a[0] != b[0] and a[1] != b[1] and a[0] != a[1]
    assert all(k.startswith("c_") and len(k) == 18 and "C00000" not in k for k in a[:2])


def test_secret_from_environment_or_private_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CXLAB_SECRET", "from-env-" + "x" * 32)
    assert load_secret() == b"from-env-" + b"x" * 32
    monkeypatch.delenv("CXLAB_SECRET")
    monkeypatch.setattr(privacy, "SECRET_FILE", tmp_path / "cfg" / "secret")
    first = load_secret()
    assert len(first) == 64 and load_secret() == first                       # created once, then reused
    assert stat.S_IMODE(os.stat(tmp_path / "cfg" / "secret").st_mode) == 0o600


def test_free_text_redaction():
    texts = pd.Series(["Bel 06-12345678 of +31 20 123 4567", "mail: A.B@example.nl, klantnr C000042", None,
                       "3 stars, 2025-06-01"])
    known = pd.DataFrame({"customer_id": ["C000041", "C000042", "C000043", "C000044"]})
    out = redact_text(texts, known=known)
    assert out.tolist()[:2] == ["Bel [phone] of [phone]", "mail: [e-mail], klantnr [identifier]"]
    assert pd.isna(out.iloc[2]) and out.iloc[3] == "3 stars, 2025-06-01"   # dates and small numbers stay
    with pytest.raises(ValueError, match=r"The 'known' parameter of redact_text must have one row per text \(4\)"):
        redact_text(texts, known=known.iloc[:2])


def test_small_cells_suppressed_default_10():
    t = pd.DataFrame({"segment": ["a", "b", "c"], "n": [10, 9, 30], "mean": [5.0, 6.0, 4.0]})
    out = suppress_small_cells(t)
    assert out["suppressed"].tolist() == [False, True, False]
    assert out["mean"].isna().tolist() == [False, True, False] and out["n"].tolist() == [10, 9, 30]
    with pytest.raises(ValueError, match="The 'n_column' parameter of suppress_small_cells must name a column"):
        suppress_small_cells(t, n_column="count")
