"""The employee side of a study: an employee survey, and customers attributed to teams.

A study may declare an employee survey beside its customer survey (``data.employees`` in
the study file): one row per agent with the agent's id, the team's id and the items of a
work-engagement scale (for instance UWES-9 or UWES-3, answered 0-6)::

    data:
      employees:
        path: employee_survey.csv
        agent_id: agent_id          # column names (these two are the defaults)
        team_id: team_id
        items: [vigour1, vigour2, vigour3, dedication1, dedication2, dedication3,
                absorption1, absorption2, absorption3]
        range: [0, 6]

It is read and checked like the customer survey (bad cells named by file, column and
row), and agent ids are replaced by keyed pseudonyms (``a_...``) before anything is
written: no agent id reaches the processed data or a report. Team ids stay: they name
the team reports.

**Attribution rule.** Customers meet agents through contacts. A respondent is
attributed to the team (and agent) that handled their *first agent-handled contact in
the contact window* before the survey date: the contacts with an ``agent_id`` started in
``[survey date - contact_window_days, survey date)``, the earliest first (ties by
``contact_id``). That contact's ``resolved_first_contact`` is the respondent's
first-contact resolution (``fcr``, 0/1) and, when the log has the optional column
``qa_score`` (handle quality: the contact's quality-assurance score, 0-100), its score is
the respondent's handle quality (``qa_score``). Respondents without such a contact (no
contacts, or only self-service and unanswered ones) are not attributed: they are in no
team's numbers and not in the multilevel analysis. The first contact is chosen, not the
last, because whether a later contact happens depends on the first one's resolution.

Examples
--------
>>> import pandas as pd
>>> emp = pd.DataFrame({"agent_id": ["A1", "A2", "A3"], "team_id": ["T1", "T1", "T2"],
...                     "q1": [4, 5, 2], "q2": [5, 5, 3]})
>>> team_engagement(engagement_scores(emp, ["q1", "q2"]))
  team_id  agents  engagement
0      T1       2        4.75
1      T2       1        2.50
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .readers import DataError, read_columns, read_table, show_numbers

__all__ = ["SPEC_KEYS", "ATTRIBUTION_RULE", "check_spec", "missing_columns", "load_employee_survey",
           "engagement_scores", "team_engagement", "attribute_respondents", "describe_attribution", "chain_mediators"]

#: Keys of the ``data.employees`` mapping of a study file.
SPEC_KEYS = {"path", "agent_id", "team_id", "items", "range", "delimiter", "decimal", "encoding", "sheet"}

#: The attribution rule in one sentence, for report text.
ATTRIBUTION_RULE = ("each respondent is attributed to the team (and agent) that handled their first "
                    "agent-handled contact in the contact window before the survey date (earliest first, "
                    "ties by contact id); that contact's first-contact resolution (and handle-quality score, "
                    "when the log has one) is the respondent's. "
                    "Respondents without such a contact are not attributed")

_READ_OPTIONS = ("delimiter", "decimal", "encoding", "sheet")


def check_spec(spec: Mapping[str, Any], problems: list[str], where: str = "data.employees") -> dict[str, Any]:
    """Validate the options of a ``data.employees`` entry; append problems; return them with defaults.

    Examples
    --------
    >>> problems = []
    >>> check_spec({"items": ["q1"], "range": [0, 6]}, problems)["agent_id"], problems
    ('agent_id', [])
    >>> _ = check_spec({"items": [], "range": [6, 0]}, problems)
    >>> for problem in problems:
    ...     print(problem)
    data.employees.items: must be a non-empty list of column names; got []
    data.employees.range: must be [low, high] whole numbers with low < high; got [6, 0]
    """
    out = {"agent_id": spec.get("agent_id", "agent_id"), "team_id": spec.get("team_id", "team_id"),
           "items": spec.get("items"), "range": spec.get("range", [0, 6])}
    for key in ("agent_id", "team_id"):
        if not isinstance(out[key], str) or not out[key]:
            problems.append(f"{where}.{key}: must be a column name; got {out[key]!r}")
    items = out["items"]
    if not (isinstance(items, list) and items and all(isinstance(i, str) and i for i in items)):
        problems.append(f"{where}.items: must be a non-empty list of column names; got {items!r}")
    elif len(set(items)) < len(items):
        problems.append(f"{where}.items: names a column twice; got {items!r}")
    rng = out["range"]
    if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                            for v in rng) and rng[0] < rng[1]):
        problems.append(f"{where}.range: must be [low, high] whole numbers with low < high; got {rng!r}")
    out.update({k: spec[k] for k in _READ_OPTIONS if k in spec})
    return out


def missing_columns(path: Path, spec: Mapping[str, Any]) -> list[str]:
    """Problems with the header of the employee survey: declared columns it lacks."""
    columns = read_columns(path, **{k: spec[k] for k in _READ_OPTIONS if k in spec})
    if columns is None:
        return []
    wanted = [spec["agent_id"], spec["team_id"], *(spec["items"] or [])]
    missing = [c for c in wanted if isinstance(c, str) and c not in columns]
    if not missing:
        return []
    return [f"data.employees: column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} not in "
            f"{path.name} (it has {', '.join(columns)})"]


def _rows(numbers: np.ndarray, mask) -> str:
    mask = np.asarray(mask, bool)
    return f"row{'s' if mask.sum() > 1 else ''} {show_numbers(numbers[mask])}"


def load_employee_survey(path: str | Path, *, items: Sequence[str], agent_id: str = "agent_id",
                         team_id: str = "team_id", range: Sequence[int] = (0, 6), **read_options) -> pd.DataFrame:
    """Read and check an employee survey; one row per agent with its engagement score.

    Parameters
    ----------
    path : str or Path
        CSV, Excel, SPSS or Parquet file (see :func:`cxlab.readers.read_table`).
    items : sequence of str
        The engagement items.
    agent_id, team_id : str
        The id columns.
    range : (int, int)
        The items' answer range (UWES: 0-6).
    **read_options
        ``delimiter``, ``decimal``, ``encoding``, ``sheet``.

    Returns
    -------
    DataFrame
        ``agent_id``, ``team_id`` (text), the items (``Int64``) and ``engagement`` (mean of
        the answered items, missing when fewer than half are answered).

    Raises
    ------
    DataError
        Naming the file, column and rows: a missing column, an empty or repeated agent
        id, an empty team id, an answer that is not a whole number or is outside ``range``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "emp.csv"
    >>> _ = p.write_text("agent_id,team_id,q1\\nA1,T1,4\\nA2,T1,9\\n")
    >>> load_employee_survey(p, items=["q1"])
    Traceback (most recent call last):
    ...
    cxlab.readers.DataError: emp.csv: column 'q1' has 1 answer(s) outside 0..6 in row 3 (9)
    """
    path = Path(path)
    read = read_table(path, **read_options)
    raw, name, numbers = read.data, path.name, np.asarray(read.row_numbers)
    wanted = [agent_id, team_id, *items]
    missing = [c for c in wanted if c not in raw.columns]
    if missing:
        raise DataError(f"{name}: column(s) {', '.join(map(repr, missing))} missing "
                        f"(the file has {', '.join(map(str, raw.columns))})")
    problems = []
    ids = {}
    for col in (agent_id, team_id):
        text = raw[col].astype("string").str.strip()
        blank = text.isna() | (text == "")
        if blank.any():
            problems.append(f"{name}: column {col!r} is empty in {_rows(numbers, blank)}")
        ids[col] = text
    dup = ids[agent_id].duplicated(keep=False) & ids[agent_id].notna() & (ids[agent_id] != "")
    if dup.any():
        problems.append(f"{name}: column {agent_id!r} repeats an agent in {_rows(numbers, dup)} "
                        "(one row per agent)")
    low, high = range
    answers = {}
    for col in items:
        text = raw[col].astype("string").str.strip().fillna("")
        given = (text != "").to_numpy(bool)
        value = pd.to_numeric(text.astype(object).where(given), errors="coerce").astype(float)
        bad = given & value.isna().to_numpy()
        if bad.any():
            problems.append(f"{name}: column {col!r} has {int(bad.sum())} non-numeric answer(s) in "
                            f"{_rows(numbers, bad)} ({show_numbers(text[bad])})")
        frac = value.notna() & (value != value.round())
        out = value.notna() & ~frac & ((value < low) | (value > high))
        for mask, what in ((frac, "non-whole"), (out, f"outside {low}..{high}")):
            if mask.any():
                shown = show_numbers(value[mask].map(lambda v: f"{v:g}"))
                problems.append(f"{name}: column {col!r} has {int(mask.sum())} answer(s) {what} in "
                                f"{_rows(numbers, mask)} ({shown})")
        answers[col] = value.where(~(frac | out)).round().astype("Int64")
    if problems:
        raise DataError("\n".join(problems))
    frame = pd.DataFrame({"agent_id": ids[agent_id].astype(str), "team_id": ids[team_id].astype(str), **answers})
    return engagement_scores(frame, list(items))


def engagement_scores(frame: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """Add ``engagement``: each agent's mean answered item, missing below half the items answered."""
    block = frame[list(items)].astype(float)
    answered = block.notna().sum(axis=1)
    out = frame.copy()
    out["engagement"] = block.mean(axis=1).where(answered * 2 >= len(items))
    return out


def team_engagement(employees: pd.DataFrame, *, team: str = "team_id") -> pd.DataFrame:
    """Per team: responding ``agents`` (with a score) and mean ``engagement`` (the team's score)."""
    scored = employees.dropna(subset=["engagement"])
    g = scored.groupby(team, sort=True)["engagement"]
    return pd.DataFrame({"agents": g.size(), "engagement": g.mean()}).reset_index()


def attribute_respondents(survey: pd.DataFrame, contacts: Any, *, customer: str, respondent: str, date: str,
                          window_days: int = 90, columns: Mapping[str, str] | None = None,
                          timezone: str | None = None) -> pd.DataFrame:
    """Attribute respondents to the team and agent of their first agent-handled contact (the module's rule).

    Parameters
    ----------
    survey : DataFrame
        With the ``respondent``, ``customer`` and ``date`` columns (raw ids: run before
        pseudonymisation, in :func:`cxlab.data.prepare`).
    contacts : DataFrame, path, (database, table) pair or Ibis table
        The contact log (see :mod:`cxlab.contacts`); the join runs in its engine.
    window_days : int
        The contact window before the survey date.

    Returns
    -------
    DataFrame
        One row per attributed respondent: ``respondent``, ``team_id``, ``agent_id``,
        ``fcr`` (1.0 when that contact resolved the issue, else 0.0) and, when the log has the
        optional ``qa_score`` column, ``qa_score`` (that contact's handle-quality score).

    Examples
    --------
    >>> log = pd.DataFrame({"contact_id": [1, 2, 3], "customer_id": ["c1", "c1", "c2"],
    ...     "started_at": pd.to_datetime(["2025-05-01", "2025-05-20", "2025-05-02"], utc=True),
    ...     "agent_id": ["A1", "A2", None], "team_id": ["T1", "T2", None],
    ...     "resolved_first_contact": [False, True, True]})
    >>> sv = pd.DataFrame({"rid": ["r1", "r2"], "cid": ["c1", "c2"],
    ...                    "day": pd.to_datetime(["2025-06-01", "2025-06-01"])})
    >>> attribute_respondents(sv, log, customer="cid", respondent="rid", date="day")
      rid team_id agent_id  fcr
    0  r1      T1       A1  0.0
    """
    import ibis

    from .contacts import contacts_table

    t = contacts_table(contacts, columns=columns, timezone=timezone)
    links = survey[[respondent, customer, date]].rename(columns={respondent: "respondent", customer: "cust",
                                                                 date: "survey_date"})
    links.attrs = {}
    links["survey_date"] = pd.to_datetime(links["survey_date"], utc=True)
    links["respondent"] = links["respondent"].astype(str)
    links["cust"] = links["cust"].astype("string").astype(object)
    lk = ibis.memtable(links.dropna(subset=["cust", "survey_date"]))
    t = t.filter(t.customer_id.notnull() & t.agent_id.notnull() & t.team_id.notnull())
    j = lk.join(t, (lk.cust == t.customer_id) & (t.started_at < lk.survey_date)
                & (t.started_at >= lk.survey_date - ibis.interval(days=int(window_days))))
    w = ibis.window(group_by=j.respondent, order_by=[j.started_at, j.contact_id])
    j = j.mutate(_n=ibis.row_number().over(w))
    quality = {"qa_score": j.qa_score.cast("float64")} if "qa_score" in t.columns else {}
    j = j.filter(j._n == 0).select("respondent", "team_id", "agent_id",
                                   fcr=j.resolved_first_contact.cast("float64"), **quality)
    out = j.to_pyarrow().to_pandas()  # one row per attributed respondent
    out = links[["respondent"]].merge(out, on="respondent", how="inner")
    out["team_id"] = out["team_id"].astype(str)
    out["agent_id"] = out["agent_id"].astype(str)
    return out.rename(columns={"respondent": respondent}).reset_index(drop=True)


def describe_attribution(chain: pd.DataFrame, *, respondents: int, employees: pd.DataFrame | None = None,
                         range: Sequence[int] = (0, 6)) -> str:
    """A paragraph (Markdown) on who enters the chain analysis: the attribution rule and the counts.

    Examples
    --------
    >>> chain = pd.DataFrame({"team_id": ["T1", "T1", "T2"], "team_engagement": [4.0, 4.0, 3.5]})
    >>> print(describe_attribution(chain, respondents=5))  # doctest: +ELLIPSIS
    **Who is in the chain.** 3 of 5 respondents (60 %) are attributed to 2 teams: each respondent ...
    """
    from ._text import number

    n, teams = len(chain), chain["team_id"].nunique()
    share = number(100 * n / respondents, 0) if respondents else "0"
    out = [f"**Who is in the chain.** {n} of {respondents} respondents ({share} %) are attributed to {teams} "
           f"teams: {ATTRIBUTION_RULE}."]
    if employees is not None:
        scored = employees["engagement"].notna()
        out.append(f"{int(scored.sum())} agents answered the employee survey; a team's engagement is the mean "
                   f"of its agents' scores ({range[0]}–{range[1]}).")
    eng = chain.drop_duplicates("team_id")["team_engagement"]
    out.append(f"Team engagement ranges from {number(eng.min(), 2)} to {number(eng.max(), 2)} over the teams.")
    return " ".join(out)


def chain_mediators(chain: pd.DataFrame) -> list[str]:
    """The mediators of the Service Profit Chain a study can estimate: ``fcr``, and ``qa_score`` when it has scores.

    Examples
    --------
    >>> chain_mediators(pd.DataFrame({"fcr": [1.0], "qa_score": [float("nan")]}))
    ['fcr']
    >>> chain_mediators(pd.DataFrame({"fcr": [1.0], "qa_score": [88.0]}))
    ['fcr', 'qa_score']
    """
    return ["fcr", *(["qa_score"] if "qa_score" in chain and chain["qa_score"].notna().any() else [])]
