"""Survey files as they come: formats, encodings and a suite of bad inputs.

Every bad input gives its documented error (naming file, column, rows and count) or
handling, and the raw file is byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from cxlab.data import DataError, clean_survey, load_survey, prepare, read_columns, read_table
from cxlab.study import Codebook

HEADER = ["id", "klant", "segment", "wave", "date", "dur", "q1", "q2", "q3", "q4", "q5", "nps"]
ROWS = [
    ["r1", "C1", "a", "1", "2025-06-02", "400", "4", "5", "3", "4", "2", "8"],
    ["r2", "C2", "b", "1", "2025-06-03", "380", "3", "3", "3", "3", "3", "7"],     # straight-liner
    ["r3", "C3", "a", "2", "2025-09-01", "90", "2", "weet niet", "4", "5", "1", "10"],  # speeder, missing code
    ["r4", "C4", "b", "2", "2025-09-02", "420", "5", "4", "99", "2", "3", "0"],
    ["r5", "C5", "a", "2", "2025-09-03", "410", "1", "2", "", "4", "5", "6"],
]


def codebook(**change) -> Codebook:
    base = dict(respondent_id="id", customer_id="klant", identifiers=(), segment="segment", wave="wave",
                date="date", duration="dur", missing_codes=(99, "weet niet", "n.v.t."), reverse_keyed=("q5",),
                scales={"s": {"items": ("q1", "q2", "q3", "q4", "q5"), "range": (1, 5)}},
                single_items={"nps": {"column": "nps", "range": (0, 10)}}, servqual=None)
    base.update(change)
    return Codebook(**base)


def csv_text(rows=ROWS, header=HEADER, sep=",") -> str:
    return "\n".join(sep.join(r) for r in [header, *rows]) + "\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fails(path: Path, message: str, *, cb=None, **options) -> None:
    """Loading ``path`` raises DataError with exactly ``message``; the file is unchanged."""
    before = digest(path)
    with pytest.raises(DataError) as info:
        load_survey(path, cb or codebook(), **options)
    assert str(info.value) == message
    assert digest(path) == before


def loads(path: Path, *, cb=None, **options):
    before = digest(path)
    out = load_survey(path, cb or codebook(), **options)
    assert digest(path) == before
    return out


def put(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return p


# ------------------------------------------------------------------ files that load
def test_plain_csv_codes_missing_reverse_keys_and_flags(tmp_path):
    s = loads(put(tmp_path, "s.csv", csv_text()))
    d = s.data
    assert d["q2"].isna().tolist() == [False, False, True, False, False]      # "weet niet"
    assert d["q3"].isna().tolist() == [False, False, False, True, True]       # 99 and empty
    assert d["q5"].tolist() == [4, 3, 5, 3, 1]                                 # reverse-keyed 1..5
    assert d["wave"].dtype == "Int64" and str(d["date"].dtype).startswith("datetime64")
    assert s.flags["straightliner"].tolist() == [False, True, False, False, False]
    assert s.flags["speeder"].tolist() == [False, False, True, False, False]
    q = s.quality.set_index("problem")
    assert q.loc["straightliner", "rows"] == "3" and q.loc["speeder", "rows"] == "4"
    assert set(q["handling"]) == {"flagged"}


def test_semicolon_decimal_comma_windows_1252(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[0][5] = "400,5"
    rows[1][2] = "bedrijf é"
    p = put(tmp_path, "nl.csv", csv_text(rows, sep=";"), encoding="windows-1252")
    d = loads(p, decimal=",").data
    assert d["dur"].tolist()[:2] == [400.5, 380.0]
    assert d["segment"].tolist()[1] == "bedrijf é"
    table = read_table(p)
    assert (table.encoding, table.delimiter, table.source) == ("windows-1252", ";", "nl.csv")
    assert read_columns(p) == HEADER


def test_bom_and_tab_delimiter(tmp_path):
    p = put(tmp_path, "bom.csv", b"\xef\xbb\xbf" + csv_text(sep="\t").encode())
    assert read_columns(p)[0] == "id"
    assert len(loads(p).data) == 5


def test_excel_one_and_two_header_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "answers"
    ws.append(HEADER)
    for r in ROWS:
        ws.append([float(v) if v.isdigit() else v for v in r])
    p = tmp_path / "s.xlsx"
    wb.save(p)
    d = loads(p, sheet="answers").data
    assert d["q1"].tolist() == [4, 3, 2, 5, 1] and d["id"].tolist()[0] == "r1"

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Respondent", None, None, None, None, None, "Satisfaction", None, None, None, None, "NPS"])
    ws.append([None] * 6 + ["q1", "q2", "q3", "q4", "q5", None])
    ws.merge_cells("G1:K1")
    ws.merge_cells("A1:A2")
    for c, name in enumerate(HEADER[1:6], start=2):
        ws.cell(row=2, column=c, value=name)
    ws.cell(row=1, column=12).value = "nps"
    for r in ROWS:
        ws.append(r)
    ws.cell(row=1, column=1).value = "id"
    merged = tmp_path / "merged.xlsx"
    wb.save(merged)
    fails(merged, "merged.xlsx, sheet 'Sheet': header row 1 has merged cells (A1:A2, G1:K1); the sheet seems to "
                  "have more than one header row: set the survey's 'header_rows' (e.g. header_rows: 2) so the "
                  "column names are read from the last one")
    s = loads(merged, header_rows=2)
    assert list(s.data.columns) == HEADER
    assert s.row_numbers == (3, 4, 5, 6, 7) and not s.data.attrs


def test_spss_value_labels_become_categories(tmp_path):
    import pyreadstat

    df = pd.DataFrame({"id": ["r1", "r2", "r3"], "klant": ["C1", "C2", "C3"], "segment": [1.0, 2.0, 1.0],
                       "wave": [1.0, 1.0, 2.0], "date": ["2025-06-02", "2025-06-02", "2025-09-01"],
                       "dur": [400.0, 300.0, 350.0], "q1": [4.0, 9.0, 2.0], "q2": [1.0, 2.0, 3.0],
                       "q3": [5.0, 5.0, 5.0], "q4": [1.0, 1.0, 2.0], "q5": [2.0, 2.0, 2.0], "nps": [7.0, 8.0, 9.0]})
    p = tmp_path / "s.sav"
    pyreadstat.write_sav(df, p, variable_value_labels={
        "segment": {1: "premium", 2: "standard"},
        "q1": {1: "very bad", 5: "very good", 9: "weet niet"}})
    d = loads(p).data
    assert d["segment"].tolist() == ["premium", "standard", "premium"]
    assert list(d["segment"].cat.categories) == ["premium", "standard"]
    assert d["q1"].isna().tolist() == [False, True, False]                     # label "weet niet" = missing


def test_parquet_survey(tmp_path):
    p = tmp_path / "s.parquet"
    pd.DataFrame(ROWS, columns=HEADER).to_parquet(p)
    assert len(loads(p).data) == 5 and read_columns(p) == HEADER


# ------------------------------------------------------------------ the bad-input suite
def test_empty_file(tmp_path):
    fails(put(tmp_path, "s.csv", ""), "s.csv: the file is empty (0 bytes)")


def test_header_only_file(tmp_path):
    fails(put(tmp_path, "s.csv", ",".join(HEADER) + "\n"), "s.csv: the file has a header but no data rows")


def test_truncated_file(tmp_path):
    text = csv_text()
    fails(put(tmp_path, "s.csv", text[:-3]),  # the last row cut short
          "s.csv: 1 row(s) do not have the header's 12 fields at line(s) 6 (e.g. 11 fields; a truncated file? "
          "The delimiter used was ','.)")


def test_unclosed_quote(tmp_path):
    fails(put(tmp_path, "s.csv", csv_text() + 'r9,"C9,a,1\n'),
          "s.csv: cannot read line 7: unexpected end of data (a truncated file or an unclosed quote?)")


def test_repeated_column(tmp_path):
    header = HEADER[:-1] + ["q2"]
    fails(put(tmp_path, "s.csv", csv_text(header=header)),
          "s.csv: column 'q2' appears 2 times (columns 8, 12); every column needs a unique name")


def test_unnamed_first_column_1_to_n_is_an_r_row_index(tmp_path):
    # R's write.csv(row.names = TRUE): an unnamed first column "1".."n" is dropped, not an error
    p = put(tmp_path, "s.csv", '"","q1","q2"\n"1",5,4\n"2",3,3\n"3",1,2\n')
    table = read_table(p)
    df = table.data
    assert list(df.columns) == ["q1", "q2"] and df["q1"].tolist() == ["5", "3", "1"]
    assert table.dropped_row_index is True and table.row_numbers == (2, 3, 4) and not df.attrs
    assert read_table(put(tmp_path, "t.csv", "q1,q2\n5,4\n")).dropped_row_index is False
    for body in ('"1",5\n"3",3\n', '"2",5\n"3",3\n', '"a",5\n"b",3\n'):  # not exactly 1..n: still an error
        with pytest.raises(DataError, match=r"^u\.csv: column\(s\) 1 have values but no name in the header$"):
            read_table(put(tmp_path, "u.csv", '"","q1"\n' + body))
    with pytest.raises(DataError, match=r"column\(s\) 2 have values but no name"):  # only the first column
        read_table(put(tmp_path, "v.csv", 'q1,""\n5,1\n3,2\n'))


def test_missing_column(tmp_path):
    rows = [r[:-1] for r in ROWS]
    fails(put(tmp_path, "s.csv", csv_text(rows, header=HEADER[:-1])),
          "s.csv: 1 column(s) named by the codebook not found: 'nps' (the file has 11 columns: 'id', 'klant', "
          "'segment', 'wave', 'date', 'dur', 'q1', 'q2', ...)")


def test_mixed_encodings(tmp_path):
    data = csv_text().encode()
    data = data.replace(b"r2,C2,b", "r2,C2,café".encode("utf-8")).replace(b"r4,C4,b", "r4,C4,bé".encode("cp1252"))
    fails(put(tmp_path, "s.csv", data), "s.csv: mixed encodings: line(s) 3 are UTF-8 but line(s) 5 (1 line(s)) are "
                                        "not; re-export the file in one encoding")


def test_declared_encoding_that_does_not_fit(tmp_path):
    p = put(tmp_path, "s.csv", csv_text().replace("r4,C4,b", "r4,C4,bé"), encoding="cp1252")
    fails(p, "s.csv: not valid utf-8 at line(s) 5 (1 line(s)); set the survey's 'encoding' to the file's "
             "encoding (e.g. windows-1252)", encoding="utf-8")


BAD_CELLS = {  # (row, column) -> value planted in ROWS, and the exact message
    "non-numeric and out of range": ({(0, "q1"): "goed", (2, "q1"): "vier", (3, "nps"): "12"},
                                     "s.csv, column 'q1': 2 non-numeric answer(s) at row(s) 2, 4 (e.g. 'goed')\n"
                                     "s.csv, column 'nps': 1 value(s) outside 0..10 at row(s) 5 (e.g. 12)"),
    "duplicate and missing ids": ({(3, "id"): "r1", (4, "id"): ""},
                                  "s.csv, column 'id': 1 row(s) without a respondent id at row(s) 6\n"
                                  "s.csv, column 'id': 2 rows share a respondent id at row(s) 2, 5 (e.g. 'r1')"),
    "bad dates and waves": ({(1, "date"): "gisteren", (2, "wave"): "1.5"},
                            "s.csv, column 'wave': 1 value(s) that are not a whole-number wave at row(s) 4 "
                            "(e.g. '1.5')\n"
                            "s.csv, column 'date': 1 value(s) that are not dates at row(s) 3 (e.g. 'gisteren')"),
}


@pytest.mark.parametrize("case", list(BAD_CELLS))
def test_bad_cells_name_file_column_rows_count(tmp_path, case):
    cells, message = BAD_CELLS[case]
    rows = [r[:] for r in ROWS]
    for (i, col), value in cells.items():
        rows[i][HEADER.index(col)] = value
    fails(put(tmp_path, "s.csv", csv_text(rows)), message)


def test_first_few_rows_then_dots(tmp_path):
    rows = [[f"r{i}", f"C{i}", "a", "1", "2025-06-02", "400", "7", "1", "1", "1", "1", "5"] for i in range(8)]
    fails(put(tmp_path, "s.csv", csv_text(rows)),
          "s.csv, column 'q1': 8 value(s) outside 1..5 at row(s) 2, 3, 4, 5, 6, ... (e.g. 7)")


def test_wrong_delimiter_declared(tmp_path):
    p = put(tmp_path, "s.csv", csv_text(sep=";"))
    fails(p, "s.csv: 1 column(s) named by the codebook not found: 'klant' (the file has 1 columns: "
             "'id;klant;segment;wave;date;dur;q1;q2;q3;q4;q5;nps')", cb=codebook(respondent_id="id;klant;segment;"
                                                                                   "wave;date;dur;q1;q2;q3;q4;q5;nps",
                                                                     segment=None, wave=None, date=None, duration=None,
                                                                     scales={}, single_items={}, reverse_keyed=()),
          delimiter=",")


def test_truncated_excel_and_unsupported_type(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    full = tmp_path / "full.xlsx"
    wb.save(full)
    cut = put(tmp_path, "cut.xlsx", full.read_bytes()[:300])
    with pytest.raises(DataError, match=r"^cut.xlsx: not a readable .xlsx workbook \(BadZipFile: "):
        load_survey(cut, codebook())
    fails(full, "full.xlsx, sheet 'Sheet': the file has a header but no data rows")
    fails(put(tmp_path, "s.json", "{}"), "s.json: unsupported file type '.json' (use .csv, .txt, .xlsx, .sav, .parquet)")
    fails(full, "full.xlsx: no sheet 'Antwoorden' (sheets: 'Sheet')", sheet="Antwoorden")


# ------------------------------------------------------------------ policies: drop / set missing
def test_policies_drop_and_set_missing_are_counted(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[0][6], rows[3][11] = "goed", "12"
    rows.append(rows[1][:])                                   # r2 again: a duplicate
    p = put(tmp_path, "s.csv", csv_text(rows))
    s = loads(p, on_invalid={"non_numeric": "set_missing", "out_of_range": "drop", "duplicate_id": "drop"})
    assert s.data["id"].tolist() == ["r1", "r2", "r3", "r5"]
    assert pd.isna(s.data["q1"].iloc[0])
    q = s.quality[["problem", "column", "count", "rows", "handling"]]
    assert q.iloc[:4].to_dict("records") == [
        {"problem": "non_numeric", "column": "q1", "count": 1, "rows": "2", "handling": "set_missing"},
        {"problem": "out_of_range", "column": "nps", "count": 1, "rows": "5", "handling": "drop"},
        {"problem": "duplicate_id", "column": "id", "count": 1, "rows": "7", "handling": "drop"},
        {"problem": "rows dropped", "column": "", "count": 2, "rows": "", "handling": "drop"},
    ]
    # the codebook's policy is the default
    s2 = load_survey(p, codebook(on_invalid={"non_numeric": "drop", "out_of_range": "set_missing",
                                             "duplicate_id": "drop", "missing_id": "error"}))
    assert s2.data["id"].tolist() == ["r2", "r3", "r4", "r5"] and pd.isna(s2.data["nps"].iloc[2])


def test_clean_survey_keeps_the_cli_signature():
    raw = pd.DataFrame(ROWS, columns=HEADER, dtype="str")
    out = clean_survey(raw, codebook(), source="x.csv")
    assert len(out.data) == 5 and out.quality.empty and out.row_numbers == (2, 3, 4, 5, 6)
    assert out.source == "x.csv" and not out.data.attrs


# ------------------------------------------------------------------ processed data
@pytest.fixture()
def mini_study(tmp_path, monkeypatch):
    """A small study (survey + contact log) in its own project folder."""
    from cxlab.study import load_study

    monkeypatch.setenv("CXLAB_SECRET", "test-secret-" + "x" * 32)
    raw = tmp_path / "data" / "raw" / "mini"
    raw.mkdir(parents=True)
    header = HEADER + ["email", "phone", "comment"]
    rows = [r + [f"p{r[0]}@example.com", f"+31 6 1234 56{i}0", f"call me on 06-123456{i}0 or p{r[0]}@example.com"]
            for i, r in enumerate(ROWS)]
    (raw / "survey.csv").write_text(csv_text(rows, header=header))
    log = pd.DataFrame({"contact_id": range(6), "customer_id": ["C1", "C1", "C3", None, "C9", "C2"],
                        "issue_id": [1, 1, 2, 3, 4, 5], "channel": ["phone", "chat", "fax", "phone", "email", "web"],
                        "started_at": pd.to_datetime(["2025-05-20", "2025-05-25", "2025-09-15", "2025-05-01",
                                                      "2025-05-01", "2024-01-01"], utc=True),
                        "queue_wait_sec": [30.0, -4.0, None, 10.0, 20.0, None], "abandoned": False,
                        "callback_offered": False, "callback_accepted": False, "callback_kept": False,
                        "handle_time_sec": 100.0, "resolved_first_contact": True, "transfers": 0,
                        "escalated_to_agent": False, "agent_id": "A", "team_id": "T"})
    log.to_parquet(raw / "contacts.parquet")
    (raw / "study.yaml").write_text(json.dumps({
        "name": "mini", "data": {"survey": "survey.csv", "contacts": "contacts.parquet"},
        "codebook": {"respondent_id": "id", "customer_id": "klant", "identifiers": ["email", "phone"],
                     "free_text": ["comment"], "segment": "segment", "wave": "wave", "date": "date",
                     "duration": "dur", "missing_codes": [99, "weet niet"], "reverse_keyed": ["q5"],
                     "scales": {"s": {"items": ["q1", "q2", "q3", "q4", "q5"], "range": [1, 5]},
                                "satisfaction": {"items": ["q1"], "range": [1, 5]},
                                "intention_to_stay": {"items": ["q2"], "range": [1, 5]}},
                     "single_items": {"nps": {"column": "nps", "range": [0, 10]}}},
        "parameters": {"contact_window_days": 30}}))
    return load_study(raw / "study.yaml")


def test_prepare_writes_pseudonymous_processed_data_and_linkage(mini_study):
    from cxlab.data import load_linkage, load_quality

    raw_files = {p: digest(p) for p in mini_study.path.parent.iterdir()}
    out = prepare(mini_study)
    assert {p: digest(p) for p in mini_study.path.parent.iterdir()} == raw_files
    names = sorted(p.name for p in out.directory.iterdir())
    assert names == ["attribution.parquet", "contact_features.parquet", "contact_problems.csv", "dictionary.csv",
                     "fingerprint.json", "linkage.json", "quality.csv", "survey.parquet"]
    survey = pd.read_parquet(out.survey)
    assert {"respondent_key", "customer_key", "email_key", "phone_key", "straightliner", "speeder"} <= set(survey)
    assert not {"id", "klant", "email", "phone"} & set(survey)
    assert survey["comment"].iloc[0] == "call me on [phone] or [e-mail]"
    # nothing identifying in any processed file
    blob = b"".join(p.read_bytes() for p in out.directory.iterdir())
    for r in ROWS:
        for value in (r[0] + "@example.com", f"p{r[0]}@", r[1].encode() and f'"{r[1]}"'):
            assert value.encode() not in blob
    assert b"+31 6 1234" not in blob and b"06-123456" not in blob
    assert not (set(pd.read_parquet(out.directory / "contact_features.parquet")["respondent_key"])
                & {r[0] for r in ROWS})
    dictionary = pd.read_csv(out.dictionary)
    assert list(dictionary.columns[:4]) == ["column", "meaning", "type", "source"]
    assert dictionary.set_index("column").loc["customer_key", "source"] == "survey.csv: klant"
    # linkage: C1 has 2 contacts in the 30 days before 2025-06-02 (one with an impossible wait),
    # C3's contact is after its survey, C9 and the customer-less contact are not surveyed.
    link = load_linkage(mini_study)
    assert link["respondents_in_contact_log"] == 3 and link["respondents_not_in_contact_log"] == 2
    assert link["respondents_with_contacts_in_window"] == 1 and link["contacts_linked_in_window"] == 2
    assert link["customers_in_log_not_surveyed"] == 1 and link["contacts_without_customer"] == 1
    problems = pd.read_csv(out.directory / "contact_problems.csv").set_index("problem")["contacts"].to_dict()
    assert problems == {"missing_customer": 1, "missing_timestamp": 0, "bad_duration": 1, "unknown_channel": 1}
    feats = pd.read_parquet(out.directory / "contact_features.parquet")
    assert feats["mean_wait_sec"].dropna().tolist() == [30.0]   # the -4 s wait set missing
    assert set(load_quality(mini_study)["problem"]) == {"straightliner", "speeder"}


def test_prepare_reuses_and_failure_keeps_previous_folder(mini_study, monkeypatch):
    import cxlab.data as data

    out = prepare(mini_study)
    before = {p.name: digest(p) for p in out.directory.iterdir()}
    stamp = out.fingerprint.stat().st_mtime_ns
    assert prepare(mini_study).fingerprint.stat().st_mtime_ns == stamp    # reused: unchanged inputs
    survey = mini_study.path.parent / "survey.csv"
    survey.write_text(survey.read_text().replace("r1,C1,a,1", "r1,C1,b,1"))  # inputs change ...

    def broken(self, *a, **k):                                            # ... and the write fails halfway
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        data.prepare(mini_study)
    assert {p.name: digest(p) for p in out.directory.iterdir()} == before
    assert not [p for p in out.directory.parent.iterdir() if p.name.startswith(".mini")]
