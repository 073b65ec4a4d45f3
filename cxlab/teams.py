"""Team reports: what each team needs to know, against the organisation ("every team gets its own").

``cxlab run --by team`` writes one short report per team beside the organisation's
(``notebooks/team_report.py``, parameterised by ``team``). Its numbers come from here:

- **who is the team's**: respondents attributed to the team by the rule of
  :mod:`cxlab.employees` (first agent-handled contact in the window before the survey);
  the team's contacts are those in the log with its ``team_id``;
- :func:`team_kpis`: NPS, CSAT and intention to stay of its respondents (intervals from
  :mod:`cxlab.measures`), first-contact resolution, queue wait and escalations of its
  contacts, each beside the organisation's value;
- :func:`team_levers`: the levers ranked on its respondents (:func:`cxlab.levers.rank_levers`);
- :func:`team_follow_up`: its close-the-loop counts (:func:`cxlab.monitor.follow_up_counts`).

Small cells are suppressed: a team with fewer attributed respondents than the study's
``min_cell_size`` gets a notice instead of survey numbers (:func:`suppressed`), and
counts below it are not shown. No agent or customer id is used or shown; teams are
named by their ``team_id``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ._text import md, number

#: The survey KPIs of a team report (codebook metrics), with their row labels.
SURVEY_KPIS = {"nps": "NPS (−100 to 100)", "csat": "CSAT: top-2 share (%)", "ces": "CES: mean score",
               "intention_to_stay": "Intention to stay: top-2 share (%)"}

__all__ = ["team_ids", "team_respondents", "chain_data", "suppressed", "suppression_notice", "team_kpis", "team_levers",
           "team_follow_up", "describe_team", "describe_kpis"]


def team_ids(study) -> list[str]:
    """The teams of the study's contact log (handled contacts with a ``team_id``), sorted."""
    from .contacts import team_features
    from .data import load_contacts

    return [str(t) for t in team_features(load_contacts(study))["team_id"]]


def team_respondents(study, team: str) -> pd.Index:
    """The ``respondent_key`` of every respondent attributed to ``team``."""
    from .data import load_attribution

    att = load_attribution(study)
    return pd.Index(att.loc[att["team_id"] == team, "respondent_key"].unique())


def chain_data(study, *, covariates: Sequence[str] = ("long_waits", "abandoned", "transfers", "escalations"),
               ) -> pd.DataFrame:
    """One row per attributed respondent, ready for :mod:`cxlab.multilevel` (the Service Profit Chain).

    Columns: ``respondent_key``, ``team_id``, ``agent_key`` (pseudonym), ``fcr``, ``qa_score``
    (handle quality of the attributing contact, when the contact log has it), ``team_engagement`` (the team's mean engagement, :func:`cxlab.employees.team_engagement`;
    teams without employee answers are left out), the study's ``outcome`` and ``loyalty``
    scores and the contact ``covariates``; rows with a missing value in any of them are dropped
    (a missing ``qa_score`` is kept: quality assurance may score a sample of contacts only).
    """
    from .data import load_attribution, load_employees, respondent_table
    from .employees import team_engagement

    p = study.parameters
    teams = team_engagement(load_employees(study)).rename(columns={"engagement": "team_engagement"})
    data = load_attribution(study).merge(teams[["team_id", "team_engagement"]], on="team_id")
    table = respondent_table(study)
    keep = ["respondent_key", *dict.fromkeys(c for c in (p["outcome"], p["loyalty"], *covariates) if c)]
    data = data.merge(table[keep], on="respondent_key")
    return data.dropna(subset=[c for c in data.columns if c != "qa_score"]).reset_index(drop=True)


def suppressed(n: int, min_n: int) -> bool:
    """Whether a team of ``n`` attributed respondents is below the minimum cell size ``min_n``.

    >>> suppressed(9, 10), suppressed(10, 10)
    (True, False)
    """
    return n < min_n


def suppression_notice(team: str, n: int, min_n: int) -> str:
    """The notice a suppressed team's report shows instead of numbers (its count stays hidden too).

    >>> print(suppression_notice("T07", 4, 10))
    **Suppressed.** Fewer than 10 respondents are attributed to team T07, the study's minimum cell size (min_cell_size): too few to show survey results without risking that a customer is recognised, and too few for stable numbers. Its results count in the organisation's reports.
    """
    return (f"**Suppressed.** Fewer than {min_n} respondents are attributed to team {md(team)}, the study's "
            "minimum cell size (min_cell_size): too few to show survey results without risking that a customer "
            "is recognised, and too few for stable numbers. Its results count in the organisation's reports.")


def _rate_row(label, hits, n, ci):
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(hits, n, alpha=1 - ci, method="wilson") if n else (np.nan, np.nan)
    return label, 100 * hits / n if n else np.nan, 100 * lo, 100 * hi, n


def _mean_row(label, values, ci):
    from scipy import stats

    v = pd.Series(values, dtype=float).dropna()
    n = len(v)
    if n < 2:
        return label, v.mean() if n else np.nan, np.nan, np.nan, n
    half = stats.t.ppf(0.5 + ci / 2, n - 1) * v.std(ddof=1) / np.sqrt(n)
    return label, v.mean(), v.mean() - half, v.mean() + half, n


def _contact_rows(log, ci):
    """FCR, queue wait and escalations of a set of contacts (a pandas frame)."""
    handled = log[log["team_id"].notna()]
    fcr = handled["resolved_first_contact"].fillna(False).astype(bool)
    queued = handled["queue_wait_sec"].dropna()
    esc = handled["escalated_to_agent"].fillna(False).astype(bool)
    return [_rate_row("First-contact resolution (% of handled contacts)", int(fcr.sum()), len(fcr), ci),
            _mean_row("Queue wait before the team answered (seconds)", queued, ci),
            _rate_row("Escalations to the team (% of handled contacts)", int(esc.sum()), len(esc), ci)]


def _contacts_of(study, team: str | None) -> pd.DataFrame:
    from .data import load_contacts

    t = load_contacts(study)
    t = t.filter(t.team_id.notnull()) if team is None else t.filter(t.team_id == team)
    return t.select("team_id", "resolved_first_contact", "queue_wait_sec", "escalated_to_agent").to_pandas()


def team_kpis(study, team: str, *, ci: float | None = None) -> pd.DataFrame:
    """The team's KPIs beside the organisation's, with intervals.

    Survey KPIs (NPS, CSAT, intention to stay, as the codebook's ``metrics`` name them)
    are those of the team's attributed respondents against all respondents; contact KPIs
    (first-contact resolution, queue wait, escalations) those of the team's handled
    contacts against all handled contacts. A team below ``min_cell_size`` respondents
    gets no survey rows (see :func:`suppressed`).

    Returns
    -------
    DataFrame
        Indexed by ``kpi``: ``team``, ``team_ci_lower``, ``team_ci_upper``, ``team_n``,
        ``organisation``, ``org_ci_lower``, ``org_ci_upper``, ``org_n`` and ``source``
        (``survey`` or ``contacts``).
    """
    from .data import load_processed_survey
    from .measures import summarise

    p = study.parameters
    ci = p["ci_level"] if ci is None else ci
    keys = team_respondents(study, team)
    rows = {}
    specs = {k: v for k, v in study.codebook.metric_specs().items() if k in SURVEY_KPIS}
    if specs and not suppressed(len(keys), p["min_cell_size"]):
        survey = load_processed_survey(study)
        mine = survey[survey["respondent_key"].isin(set(keys))]
        both = [summarise(frame, metrics=specs, min_n=p["min_cell_size"], ci=ci).set_index("metric")
                for frame in (mine, survey)]
        for name in specs:
            t, o = (b.loc[name] for b in both)
            rows[SURVEY_KPIS[name]] = (t["value"], t["ci_lower"], t["ci_upper"], t["n"],
                                       o["value"], o["ci_lower"], o["ci_upper"], o["n"], "survey")
    for (label, *t), (_, *o) in zip(_contact_rows(_contacts_of(study, team), ci),
                                     _contact_rows(_contacts_of(study, None), ci)):
        if t[3] < p["min_cell_size"]:  # a small cell: not shown, not even its count
            t = [np.nan] * 4
        rows[label] = (*t, *o, "contacts")
    out = pd.DataFrame.from_dict(rows, orient="index", columns=[
        "team", "team_ci_lower", "team_ci_upper", "team_n", "organisation", "org_ci_lower", "org_ci_upper",
        "org_n", "source"])
    out.index.name = "kpi"
    return out


def team_levers(study, team: str, *, top: int = 3) -> pd.DataFrame:
    """The ``top`` levers of the study's outcome ranked on the team's respondents (empty when suppressed)."""
    from . import levers, plan

    from .data import respondent_table

    p = study.parameters
    data = respondent_table(study)
    data = data[data["respondent_key"].isin(set(team_respondents(study, team)))].reset_index(drop=True)
    if suppressed(len(data), p["min_cell_size"]) or not p["outcome"]:
        return pd.DataFrame()
    contact = [c for c in ("repeat_contacts", "long_waits", "abandoned", "transfers", "escalations") if c in data]
    ranked = levers.rank_levers(data, p["outcome"], plan.drivers(study), contact, min_n=min(30, len(data)),
                                n_boot=p["bootstrap"], seed=p["seed"], ci=p["ci_level"])
    cols = ["kind", "impact", "impact_ci_lower", "impact_ci_upper", "reach", "expected_gain", "rank"]
    return ranked[cols].head(top)


def team_follow_up(study, team: str) -> pd.DataFrame:
    """Close-the-loop counts of the team's respondents: detractors with a bad contact (counts, small ones hidden)."""
    from . import monitor
    from .data import load_contact_features, load_processed_survey

    p, cb = study.parameters, study.codebook
    survey = load_processed_survey(study)
    survey = survey[survey["respondent_key"].isin(set(team_respondents(study, team)))]
    nps_col = cb.metrics.get("nps")
    follow = monitor.follow_up_list(survey, load_contact_features(study), nps=nps_col, date=cb.date)
    return monitor.follow_up_counts(follow, min_n=p["min_cell_size"])


def _short(kpi: str) -> str:
    """A KPI's row label without its unit in brackets: ``NPS (−100 to 100)`` -> ``NPS``."""
    import re

    return re.sub(r"\s*\([^()]*\)$", "", str(kpi))


def _against(r) -> str:
    """Where the team's value lies against the organisation's: ``above``, ``below`` or ``level``."""
    return ("above" if r["organisation"] < r["team_ci_lower"] else
            "below" if r["organisation"] > r["team_ci_upper"] else "level")


def describe_team(team: str, kpis: pd.DataFrame, *, n: int, min_n: int, levers: pd.DataFrame | None = None,
                  labels=None) -> str:
    """The team report's one-line summary (Markdown), written from its numbers.

    It heads the team's report and is its line on the study's index. A suppressed team
    (:func:`suppressed`) gets its :func:`suppression_notice` and nothing else: no count,
    no figure. Otherwise: its respondents, its first survey KPI (NPS when the codebook has
    it) against the organisation's, the key figures whose interval lies wholly above or
    below the organisation's value, how many are not distinguishable from it, and its first
    lever (:func:`team_levers`).

    Parameters
    ----------
    team : str
    kpis : DataFrame
        :func:`team_kpis`.
    n : int
        Respondents attributed to the team.
    min_n : int
        The study's minimum cell size.
    levers : DataFrame, optional
        :func:`team_levers`.
    labels : callable, optional
        Display label of a lever name (e.g. ``Codebook.label``).

    Examples
    --------
    >>> k = pd.DataFrame({"team": [21.0, 55.0], "team_ci_lower": [12.0, 50.0], "team_ci_upper": [30.0, 60.0],
    ...                   "team_n": [120, 400], "organisation": [15.0, 62.0], "org_ci_lower": [13.0, 61.0],
    ...                   "org_ci_upper": [17.0, 63.0], "org_n": [2000, 9000], "source": ["survey", "contacts"]},
    ...                  index=pd.Index(["NPS (−100 to 100)", "First-contact resolution (% of handled contacts)"],
    ...                                 name="kpi"))
    >>> print(describe_team("T01", k, n=120, min_n=10))
    **Team T01** (120 respondents): NPS 21.0 against 15.0 for the organisation. Below the organisation: First-contact resolution (55.0 against 62.0); 1 key figure not distinguishable from it.
    >>> print(describe_team("T01", k, n=4, min_n=10))  # doctest: +ELLIPSIS
    **Team T01.** **Suppressed.** Fewer than 10 respondents are attributed to team T01, ...
    """
    if suppressed(n, min_n):
        return f"**Team {md(team)}.** {suppression_notice(team, n, min_n)}"
    shown = kpis[kpis["team"].notna()]
    out = [f"**Team {md(team)}** ({n:,} respondents)"]
    survey = shown[shown["source"] == "survey"]
    if len(survey):
        first, r = survey.index[0], survey.iloc[0]
        out[0] += (f": {md(_short(first))} {number(r['team'], 1)} against {number(r['organisation'], 1)} for the "
                   "organisation")
    out[0] += "."
    where = {kpi: _against(r) for kpi, r in shown.iterrows()}
    for side, word in (("above", "Above"), ("below", "Below")):
        named = [f"{md(_short(k))} ({number(shown.loc[k, 'team'], 1)} against {number(shown.loc[k, 'organisation'], 1)})"
                 for k, w in where.items() if w == side]
        if named:
            out.append(f"{word} the organisation: {', '.join(named)};")
    level = sum(w == "level" for w in where.values())
    if len(out) > 1:
        out[-1] = out[-1][:-1] + (f"; {level} key figure{'s' if level != 1 else ''} not distinguishable from it."
                                  if level else ".")
    elif level:
        out.append(f"All {level} key figures are within their intervals of the organisation's."
                   if level > 1 else "Its key figure is within its interval of the organisation's.")
    if levers is not None and len(levers):
        lab = labels or (lambda x: x)
        out.append(f"First lever: {md(lab(levers.index[0]))}.")
    return " ".join(out)


def describe_kpis(kpis: pd.DataFrame) -> str:
    """Each key figure of :func:`team_kpis` against the organisation's, in words (one sentence each).

    Examples
    --------
    >>> k = pd.DataFrame({"team": [55.0], "team_ci_lower": [50.0], "team_ci_upper": [60.0], "team_n": [400],
    ...                   "organisation": [52.0], "org_ci_lower": [51.0], "org_ci_upper": [53.0],
    ...                   "org_n": [9000], "source": ["contacts"]},
    ...                  index=pd.Index(["First-contact resolution (% of handled contacts)"], name="kpi"))
    >>> print(describe_kpis(k))
    First-contact resolution (% of handled contacts): 55.0 (50.0 to 60.0) against 52.0 for the organisation: not distinguishable from the organisation's (its interval includes it).
    """
    words = {"above": "higher than the organisation's (its interval lies above it)",
             "below": "lower than the organisation's (its interval lies below it)",
             "level": "not distinguishable from the organisation's (its interval includes it)"}
    return " ".join(f"{md(kpi)}: {number(r['team'], 1)} ({number(r['team_ci_lower'], 1)} to "
                    f"{number(r['team_ci_upper'], 1)}) against {number(r['organisation'], 1)} for the organisation: "
                    f"{words[_against(r)]}." for kpi, r in kpis.iterrows() if not np.isnan(r["team"]))
