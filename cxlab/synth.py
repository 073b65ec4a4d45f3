"""Synthetic data for the demo study, drawn from a documented model with known effects.

The demo study is a two-wave SERVQUAL survey of about 2,000 customers plus a contact log
of about 200,000 contacts (respondents and non-respondents).  Every number a notebook
should recover - factor loadings, driver effects, contact levers, the change between
waves - is *planted* here, in the constants block below, and written to ``truth.yaml``
next to the data, so there is one source for both.

The generating model in brief:

1. **Customers** get a segment and a contact propensity; their *issues* arrive over 2025
   and each issue produces one or more contacts (repeat contacts, channel switches,
   abandoned calls, callbacks, transfers, escalations from digital channels to agents).
   From 1 July 2025 phone queues are shorter (the one planted operational change).
2. **Respondents** are a random sample of customers, surveyed in June (wave 1) or
   November 2025 (wave 2).  Their contact experience is summarised over the 90 days
   before the survey date (`CONTACT_FEATURES`).
3. Five correlated **perception** latents and five **expectation** latents drive the 44
   SERVQUAL items (``item = loading * latent + noise``, rounded onto 1-7).  In wave 2
   the responsiveness perception is 0.35 SD higher (the planted change in perception).
4. **Satisfaction** = ``BETA . perceptions + GAMMA . contact features + segment + noise``;
   **loyalty** (intention to stay) = satisfaction + a direct effect of abandoned contacts;
   **NPS** from satisfaction and loyalty; **CES** mainly from contact effort; the
   **Temkin** items from satisfaction and the contact experience.
5. Realistic mess: speeders, straight-liners, "don't know" (99) codes and blank cells.
6. **Six Pillars** items (``pil_*``) and **customer-sacrifice** pairs (``wanted_*``,
   ``settled_*``) from their own random stream (`PILLAR_STREAM`), so the columns above do
   not change with them: the pillar latents are drawn given the recommend and loyalty
   latents so that each outcome's population regression on the pillars has the planted
   `PILLAR_COEF`; each attribute's sacrifice is the difference of two rounded answers.

True population values per wave (NPS, CSAT, ...) are computed by running the same model
on a large simulated population (`POPULATION_SEED`, `POPULATION_CUSTOMERS`).

What the contact-log columns mean (one row per contact):

- ``issue_id``: contacts about the same issue share it, numbered by first contact;
  a repeat contact is any contact after the first of its issue.
- ``queue_wait_sec``: seconds in the queue for phone, and for chats escalated from the
  virtual assistant to a live agent; NaN otherwise.  A caller who accepts a callback
  waited only for the announcement (20-45 s).
- ``abandoned``: hung up in the queue (phone or escalated chat); nobody handled it.
- ``callback_offered`` / ``_accepted`` / ``_kept``: phone only; offered when the predicted
  wait exceeds `CALLBACK_OFFER_WAIT_SEC`.  A callback not kept is not handled.
- ``escalated_to_agent``: a chat, web or social contact handed from self-service to a live
  agent (even if the customer then abandoned the agent queue).
- ``agent_id`` / ``team_id``: the agent who handled it; null when nobody did (abandoned,
  callback not kept) and for chat, web and social contacts that stayed in self-service.
- ``handle_time_sec``: agent or self-service session time; NaN when nobody handled it.
- ``resolved_first_contact``: contact-level first-contact resolution: this contact
  resolved the issue, so no further contact about it followed.
- ``qa_score``: handle quality, the contact's quality-assurance score (0-100, the share of
  the evaluation form met, as automated speech and text analytics score every agent-handled
  contact); NaN when no agent handled it.  Team engagement raises it and the quality of a
  respondent's attributing contact raises their satisfaction (the Service Profit Chain).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import math
import os
import tempfile
from statistics import NormalDist
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ._validation import check_bool, check_int

__all__ = ["DemoData", "generate_demo", "write_demo", "ensure_demo_contacts", "chain_sample"]

# =====================================================================================
# The planted truth: every constant of the generating model, in one place.
# All of it is copied into truth.yaml by `_truth`.
# =====================================================================================

DEFAULT_SEED = 20261123

# --- Survey design -------------------------------------------------------------------
SEGMENTS = ("consumer", "small_business", "premium")
SEGMENT_SHARES = (0.60, 0.30, 0.10)
FIELDWORK = {1: ("2025-06-02", 26), 2: ("2025-11-03", 26)}  # wave: (first day, n days)
WINDOW_DAYS = 90  # contact history that shapes a respondent's answers

# --- Measurement model: SERVQUAL ------------------------------------------------------
DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
DIMENSION_PREFIX = {"tangibles": "tan", "reliability": "rel", "responsiveness": "res",
                    "assurance": "ass", "empathy": "emp"}
# Loadings of the items on their latent (latent and item response both unit variance).
PERCEPTION_LOADINGS = {
    "tangibles": (0.70, 0.76, 0.67, 0.72),
    "reliability": (0.82, 0.85, 0.79, 0.77, 0.83),
    "responsiveness": (0.80, 0.76, 0.83, 0.74),
    "assurance": (0.73, 0.79, 0.70, 0.76),
    "empathy": (0.71, 0.78, 0.81, 0.68, 0.75),
}
EXPECTATION_LOADINGS = {
    "tangibles": (0.68, 0.73, 0.65, 0.70),
    "reliability": (0.78, 0.81, 0.75, 0.74, 0.80),
    "responsiveness": (0.77, 0.72, 0.79, 0.71),
    "assurance": (0.70, 0.76, 0.68, 0.73),
    "empathy": (0.69, 0.75, 0.78, 0.66, 0.72),
}
# Correlations between the perception latents (order of DIMENSIONS).
PERCEPTION_CORR = (
    (1.00, 0.40, 0.42, 0.45, 0.40),
    (0.40, 1.00, 0.60, 0.55, 0.50),
    (0.42, 0.60, 1.00, 0.50, 0.55),
    (0.45, 0.55, 0.50, 1.00, 0.58),
    (0.40, 0.50, 0.55, 0.58, 1.00),
)
EXPECTATION_CORR_OFFDIAG = 0.50  # between any two expectation latents
PE_CORR_SAME = 0.25  # perception and expectation of the same dimension
PE_CORR_OTHER = 0.10  # perception and expectation of different dimensions
# Item response y (unit variance) becomes a 1-7 answer: clip(round(centre + spread*y)).
ITEM_SPREAD = 1.25
PERCEPTION_CENTRE = {"tangibles": 5.3, "reliability": 4.8, "responsiveness": 4.7,
                     "assurance": 5.2, "empathy": 5.0}
EXPECTATION_CENTRE = {"tangibles": 5.5, "reliability": 6.2, "responsiveness": 5.8,
                      "assurance": 5.9, "empathy": 5.7}

# --- Contact features (per respondent, contacts in the WINDOW_DAYS before survey_date) --
CONTACT_FEATURES = {
    "repeat_contacts": "contacts that follow an earlier contact about the same issue_id",
    "long_waits": "contacts with queue_wait_sec > 300",
    "abandoned": "contacts with abandoned == True (phone or chat)",
    "transfers": "sum of transfers",
    "escalations": "contacts with escalated_to_agent == True",
}
LONG_WAIT_SEC = 300

# --- Structural model ---------------------------------------------------------------
# Satisfaction (raw) = BETA . perception latents + GAMMA . contact features
#                      + SEGMENT_EFFECT + N(0, SAT_NOISE_SD); then standardised with
# SAT_REFERENCE (wave-1 population mean and SD) before it drives items and outcomes.
SAT_BETA = {"tangibles": 0.02, "reliability": 0.46, "responsiveness": 0.33,
            "assurance": 0.09, "empathy": 0.21}
SAT_GAMMA = {"repeat_contacts": -0.25, "long_waits": -0.50, "abandoned": -0.10,
             "transfers": -0.08, "escalations": -0.05}
SAT_SEGMENT_EFFECT = {"consumer": 0.0, "small_business": 0.0, "premium": 0.40}
SAT_NOISE_SD = 0.55
SAT_REFERENCE = (-0.24, 1.18)  # (mean, sd) of raw satisfaction in the wave-1 population
EXPECTATION_EFFECT_ON_SAT = 0.0  # expectations have no direct effect (SERVPERF suffices)
SAT_LOADINGS = (0.88, 0.85, 0.78)  # sat1, sat2, sat3 (sat3 reverse-keyed in the file)
SAT_CENTRE = 5.1
# Loyalty (intention to stay) = LOY_SAT * satisfaction + LOY_GAMMA . features + noise.
LOY_SAT = 0.75
LOY_GAMMA = {"abandoned": -0.15}
LOY_NOISE_SD = 0.66
STAY_LOADINGS = (0.86, 0.83, 0.80)
STAY_CENTRE = 5.3
# Recommendation latent = NPS_SAT * satisfaction + NPS_LOY * loyalty + noise, cut into 0-10
# at NPS_CUTS (the normal quantiles of a wave-1 answer distribution with NPS about +13).
NPS_SAT = 0.50
NPS_LOY = 0.40
NPS_NOISE_SD = 0.40
# Share answering 0..k in the wave-1 population (k = 0..9): NPS = 100 * (0.39 - 0.25) = +14.
NPS_WAVE1_CUMULATIVE = (0.015, 0.025, 0.04, 0.06, 0.09, 0.15, 0.25, 0.42, 0.61, 0.79)
NPS_REFERENCE = (0.0, 0.94)  # (mean, sd) of the recommend latent in the wave-1 population
NPS_CUTS = tuple(round(NPS_REFERENCE[0] + NPS_REFERENCE[1] * NormalDist().inv_cdf(p), 4)
                 for p in NPS_WAVE1_CUMULATIVE)
# CES ("easy to handle my request", 1-7) and Temkin items (1-7): single-item answers
# clip(round(centre + spread * (sat_weight*satisfaction + GAMMA . features + noise))).
SINGLE_ITEM_SPREAD = 1.20
SINGLE_ITEMS = {
    "ces": {"centre": 5.3, "satisfaction": 0.05, "noise_sd": 0.90,
            "contact": {"long_waits": -0.30, "transfers": -0.30, "repeat_contacts": -0.25,
                        "abandoned": -0.10}},
    "temkin_useful": {"centre": 5.0, "satisfaction": 0.65, "noise_sd": 0.70,
                      "contact": {"repeat_contacts": -0.10}},
    "temkin_easy": {"centre": 4.9, "satisfaction": 0.35, "noise_sd": 0.80,
                    "contact": {"long_waits": -0.25, "transfers": -0.20,
                                "repeat_contacts": -0.20}},
    "temkin_enjoyable": {"centre": 4.4, "satisfaction": 0.55, "noise_sd": 0.80,
                         "contact": {"abandoned": -0.10}},
}

# --- The planted change between waves -------------------------------------------------
WAVE2_RESPONSIVENESS_SHIFT = 0.35  # SD of the responsiveness perception latent
CHANGE_DATE = "2025-07-01"  # from this date phone queues are shorter

# --- Contact log ----------------------------------------------------------------------
PERIOD = ("2025-01-01", "2026-01-01")  # contacts start in [first, last)
CHANNELS = ("phone", "email", "chat", "web", "social")
FIRST_CHANNEL_MIX = (0.36, 0.24, 0.17, 0.15, 0.08)  # channel of an issue's first contact
RETRY_CHANNEL_MIX = (0.50, 0.20, 0.15, 0.10, 0.05)  # when a repeat contact switches
RETRY_SAME_CHANNEL = {"abandoned": 0.70, "unresolved": 0.50}
RETRY_PROB = {"abandoned": 0.85, "unresolved": 0.70}  # else the customer gives up
RETRY_GAP_HOURS = {"abandoned": 3.0, "unresolved": 36.0}  # mean (exponential)
MAX_CONTACTS_PER_ISSUE = 5
CONTACTS_PER_ISSUE = 1.32  # expected, used to turn n_contacts into an issue rate
PROPENSITY_SHAPE = 1.0  # gamma heterogeneity in contact rates; some customers never call
SEGMENT_CONTACT_RATE = {"consumer": 1.0, "small_business": 1.3, "premium": 1.2}
HOUR_WEIGHTS = (1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 3, 6, 9, 10, 10,
                9, 9, 9, 8, 8, 7, 6, 5, 4, 3, 2, 1.5)
# Queues: phone always; chat only once escalated from the virtual assistant to an agent.
MEAN_WAIT_SEC = {"phone": (240.0, 120.0), "chat": (70.0, 70.0)}  # before/after CHANGE_DATE
SMALL_BUSINESS_WAIT_FACTOR = 1.5
# Patience in the queue: a mixture of impatient callers (short exponential patience) and
# patient ones, so the hang-up hazard is front-loaded (~60 % of abandons within 60 s).
PATIENCE = {"impatient_share": 0.06, "impatient_mean_sec": 30.0, "patient_mean_sec": 2500.0}
CALLBACK_OFFER_WAIT_SEC = 360  # a callback is offered when the predicted wait exceeds this
CALLBACK_ACCEPT = 0.60
CALLBACK_KEPT = 0.90
CALLBACK_ANNOUNCE_SEC = (20, 45)  # time in the queue before accepting a callback
ESCALATION_PROB = {"chat": 0.45, "web": 0.28, "social": 0.25}  # digital -> live agent
TRANSFER_RATE = {"phone": 0.25, "email": 0.05, "chat": 0.12, "web": 0.10, "social": 0.10}
RESOLUTION_LOGIT = {"phone": 1.40, "email": 0.80, "chat": 1.00, "web": 0.90, "social": 0.60}
SELF_SERVICE_RESOLUTION = 0.60  # digital contacts that stay with the bot / web pages
TRANSFER_RESOLUTION_LOGIT = -0.50  # per transfer
HANDLE_MEDIAN_SEC = {"phone": 360, "email": 480, "chat": 600, "web": 180, "social": 300}
N_TEAMS, AGENTS_PER_TEAM = 20, 10
TEAM_SD, AGENT_SD = 0.35, 0.25  # resolution logit shifts of teams and agents

# --- Survey mess ----------------------------------------------------------------------
SPEEDER_SHARE = 0.03  # duration under 150 s, random answers on the SERVQUAL grid
STRAIGHTLINER_SHARE = 0.01  # same answer on every p_ item
DONT_KNOW_SHARE = 0.01  # SERVQUAL cells coded 99
DONT_KNOW_CODE = 99
BLANK_SHARE = 0.015  # empty cells over all 1-7 items
NPS_BLANK_SHARE = 0.004
DURATION_MEDIAN_SEC = 540

# --- Population used for the true values in truth.yaml -------------------------------
POPULATION_SEED = 1
POPULATION_CUSTOMERS = 200_000  # all of them respond, half in each wave
# A wave-to-wave change at least this large counts as "practically changed" in truth.yaml.
PRACTICAL_CHANGE = {"nps_or_pct": 3.0, "mean_1_to_7": 0.075}

# Derived names -----------------------------------------------------------------------
SERVQUAL_ITEMS = {d: [f"{DIMENSION_PREFIX[d]}{i + 1}" for i in range(len(PERCEPTION_LOADINGS[d]))]
                  for d in DIMENSIONS}
E_ITEMS = [f"e_{item}" for d in DIMENSIONS for item in SERVQUAL_ITEMS[d]]
P_ITEMS = [f"p_{item}" for d in DIMENSIONS for item in SERVQUAL_ITEMS[d]]
SAT_ITEMS = ["sat1", "sat2", "sat3"]
STAY_ITEMS = ["stay1", "stay2", "stay3"]
SURVEY_COLUMNS = (["respondent_id", "customer_id", "email", "segment", "wave", "survey_date",
                   "duration_sec"] + E_ITEMS + P_ITEMS + SAT_ITEMS + STAY_ITEMS
                  + ["nps", "ces", "temkin_useful", "temkin_easy", "temkin_enjoyable"])
# Six Pillars and customer sacrifice (see `_pillars_and_sacrifice`; own random stream) --
PILLAR_STREAM = 16  # spawn key of their stream: the other columns do not change with them
PILLAR_PREFIX = {"personalisation": "per", "integrity": "int", "expectations": "exp",
                 "resolution": "res", "time_and_effort": "tim", "empathy": "emp"}
PILLAR_LOADINGS = (0.80, 0.77, 0.74)  # three items per pillar
PILLAR_CENTRE = {"personalisation": 4.6, "integrity": 5.3, "expectations": 5.0,
                 "resolution": 4.8, "time_and_effort": 4.4, "empathy": 5.2}
PILLAR_CORR = 0.45  # between any two pillar latents
# Standardised coefficients of the (standardised) outcome latents on the pillar latents:
# recommend (NPS) and loyalty (intention to stay). E[outcome | pillars] = coef . pillars.
PILLAR_COEF = {
    "nps": {"integrity": 0.34, "personalisation": 0.22, "expectations": 0.12,
            "resolution": 0.06, "time_and_effort": 0.02, "empathy": 0.0},
    "intention_to_stay": {"resolution": 0.32, "time_and_effort": 0.20, "integrity": 0.10,
                          "empathy": 0.05, "personalisation": 0.02, "expectations": 0.0},
}
# Customer sacrifice: per attribute (wanted centre, settled centre) on 1-7, both answers
# round(centre + ITEM_SPREAD * y) clipped, (y_wanted, y_settled) normal with correlation
# SACRIFICE_CORR.
SACRIFICE = {"opening_hours": ("hours", 6.0, 4.5), "response_time": ("speed", 6.2, 4.9),
             "channel_choice": ("channel", 5.4, 5.2), "plan_fit": ("plan", 5.8, 4.9)}
SACRIFICE_CORR = 0.40
PILLAR_ITEMS = {p: [f"pil_{x}{i + 1}" for i in range(len(PILLAR_LOADINGS))] for p, x in PILLAR_PREFIX.items()}
SACRIFICE_ITEMS = {a: {"wanted": f"wanted_{x}", "settled": f"settled_{x}"} for a, (x, _, _) in SACRIFICE.items()}
CX_BLOCK_COLUMNS = ([c for items in PILLAR_ITEMS.values() for c in items]
                    + [c for pair in SACRIFICE_ITEMS.values() for c in pair.values()])
SURVEY_COLUMNS = SURVEY_COLUMNS + CX_BLOCK_COLUMNS
CONTACT_COLUMNS = ["contact_id", "customer_id", "issue_id", "channel", "started_at",
                   "queue_wait_sec", "abandoned", "callback_offered", "callback_accepted",
                   "callback_kept", "handle_time_sec", "resolved_first_contact", "transfers",
                   "escalated_to_agent", "qa_score", "agent_id", "team_id"]
FEATURES = tuple(CONTACT_FEATURES)
_DAY = 86_400
_FIRST_NAMES = ("anna", "bram", "daan", "emma", "eva", "fleur", "floor", "jan", "jesse",
                "julia", "lars", "lisa", "lotte", "luuk", "maud", "milan", "noor", "pieter",
                "roos", "ruben", "sanne", "sem", "sophie", "thijs", "tess", "tim", "vera",
                "wouter", "yara", "zoe")
_LAST_NAMES = ("bakker", "bos", "dekker", "dijkstra", "degroot", "dejong", "deboer",
               "devries", "dewit", "hendriks", "jansen", "janssen", "kok", "koster",
               "meijer", "mulder", "peters", "smit", "smits", "vandam", "vandijk",
               "vanleeuwen", "vermeulen", "visser", "vos", "willems")


@dataclass(frozen=True)
class DemoData:
    """The demo study's data and the truth it was drawn from.

    Attributes
    ----------
    survey : pandas.DataFrame
        One row per respondent, columns as in ``survey.csv``.
    contacts : pandas.DataFrame
        One row per contact, columns as in ``contacts.parquet``.
    truth : dict
        The planted model and the true population values, as in ``truth.yaml``.
    employees : pandas.DataFrame
        One row per responding agent, columns as in ``employee_survey.csv``.
    """

    survey: pd.DataFrame
    contacts: pd.DataFrame
    truth: dict
    employees: pd.DataFrame | None = None


# =====================================================================================
# Public API
# =====================================================================================


def generate_demo(*, seed=DEFAULT_SEED, n_respondents=2000, n_customers=20000,
                  n_contacts=200000):
    """Generate the demo survey, contact log and planted truth in one deterministic pass.

    Parameters
    ----------
    seed : int, default=20261123
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same data on
        every machine (for the pinned numpy version).
    n_respondents : int, default=2000
        Survey respondents, split evenly over two cross-sectional waves.
    n_customers : int, default=20000
        Customers in the contact log (respondents are a random sample of them).
    n_contacts : int, default=200000
        Expected number of contacts; the realised number varies by a few per cent
        (194,564 for the default seed).

    Returns
    -------
    DemoData
        ``survey`` (one row per respondent), ``contacts`` (one row per contact, sorted
        by ``started_at``) and ``truth`` (a plain dict, the content of ``truth.yaml``).

    Notes
    -----
    The model and its constants are described in the module docstring and in
    ``truth.yaml``.  The true population values in ``truth["population"]`` do not
    depend on `seed` or the sizes: they come from one large simulated population.

    Examples
    --------
    >>> from cxlab.synth import generate_demo
    >>> demo = generate_demo(seed=7, n_respondents=100, n_customers=500, n_contacts=4000)
    >>> demo.survey.shape
    (100, 88)
    >>> sorted(demo.survey["wave"].unique().tolist())
    [1, 2]
    >>> demo.truth["expected"]["driver_ranking"][0]
    'reliability'
    """
    caller = "generate_demo"
    check_int(seed, "seed", caller, low=0)
    check_int(n_respondents, "n_respondents", caller, low=50)
    check_int(n_customers, "n_customers", caller, low=n_respondents,
              must=f"an int >= n_respondents ({n_respondents})")
    check_int(n_contacts, "n_contacts", caller, low=0)

    world = _simulate(seed, n_customers=n_customers, n_contacts=n_contacts,
                      n_respondents=n_respondents)
    survey, careless = _survey_frame(world, _streams(seed)["mess"])
    contacts = _contacts_frame(world)
    truth = _truth(seed, n_respondents, n_customers, n_contacts, len(contacts),
                   world, careless)
    employees, engagement = _employee_survey(world, seed)  # the Service Profit Chain
    truth["service_profit_chain"] = _chain_truth(engagement, _population()["chain"])
    blocks, truth["pillars"], truth["sacrifice"] = _pillars_and_sacrifice(seed, world)
    survey = pd.concat([survey, blocks], axis=1)
    return DemoData(survey=survey, contacts=contacts, truth=truth, employees=employees)


def write_demo(directory, *, seed=DEFAULT_SEED, contacts=True):
    """Write the demo study's raw files into `directory`, each one atomically.

    Parameters
    ----------
    directory : str or path-like
        Target folder; created if missing.
    seed : int, default=20261123
        Passed to :func:`generate_demo` (with the default sizes).
    contacts : bool, default=True
        Also write ``contacts.parquet`` (about 200,000 rows; not kept in git).

    Returns
    -------
    dict of str to pathlib.Path
        ``{"survey": .../survey.csv, "truth": .../truth.yaml, "readme": .../README.md,
        "employees": .../employee_survey.csv}``
        plus ``"contacts"`` when `contacts` is True.

    Examples
    --------
    >>> import tempfile
    >>> from cxlab.synth import write_demo
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sorted(write_demo(tmp, contacts=False))
    ['employees', 'readme', 'survey', 'truth']
    """
    check_bool(contacts, "contacts", "write_demo")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    demo = generate_demo(seed=seed)
    paths = {
        "survey": _write_bytes(directory / "survey.csv", survey_csv_bytes(demo.survey)),
        "truth": _write_bytes(directory / "truth.yaml", truth_yaml_bytes(demo.truth)),
        "readme": _write_bytes(directory / "README.md", readme_bytes(demo.truth)),
        "employees": _write_bytes(directory / EMPLOYEE_FILE, employee_csv_bytes(demo.employees)),
    }
    if contacts:
        paths["contacts"] = _write_parquet(directory / "contacts.parquet", demo.contacts)
    return paths


def ensure_demo_contacts(directory, *, seed=DEFAULT_SEED):
    """Return the path of the demo contact log, generating it first if it is missing.

    The contact log is too large for git; every machine regenerates the same rows
    from the same seed.  An existing file is left untouched unless it lacks a column of
    the current generator (a log written by an older version, e.g. before ``qa_score``).

    Parameters
    ----------
    directory : str or path-like
        The demo study's raw-data folder.
    seed : int, default=20261123
        Passed to :func:`generate_demo` (with the default sizes).

    Returns
    -------
    pathlib.Path
        ``directory / "contacts.parquet"``.
    """
    path = Path(directory) / "contacts.parquet"
    if not path.exists() or not set(CONTACT_COLUMNS) <= set(_parquet_columns(path)):
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_parquet(path, generate_demo(seed=seed).contacts)
    return path


def _parquet_columns(path):
    """Column names of a Parquet file (none when it cannot be read)."""
    import pyarrow.parquet as pq

    try:
        return pq.read_schema(path).names
    except (OSError, ValueError):
        return []


def survey_csv_bytes(survey):
    """Serialise a survey frame exactly as ``survey.csv`` is written (UTF-8, ``\\n``)."""
    text = survey.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
    return text.encode("utf-8")


def truth_yaml_bytes(truth):
    """Serialise the truth dict exactly as ``truth.yaml`` is written (plain YAML)."""
    header = ("# Planted truth of the cxlab demo study, written by cxlab.synth.write_demo.\n"
              "# Do not edit: regenerate with `python -m cxlab.synth data/raw/demo`.\n")
    body = yaml.safe_dump(truth, sort_keys=False, allow_unicode=True, width=92,
                          default_flow_style=None)
    return (header + body).encode("utf-8")


# =====================================================================================
# Simulation
# =====================================================================================


def _simulate(seed, *, n_customers, n_contacts, n_respondents, sort_contacts=True,
              n_teams=N_TEAMS):
    """Customers, contacts, respondents and their clean answers as numpy arrays."""
    streams = _streams(seed)
    rng_customers, rng_contacts, rng_survey = (streams[k] for k in ("customers", "contacts",
                                                                     "survey"))
    segment = rng_customers.choice(len(SEGMENTS), size=n_customers, p=SEGMENT_SHARES)
    contacts = _simulate_contacts(rng_contacts, segment, n_contacts, sort=sort_contacts,
                                  n_teams=n_teams)

    # Respondents: a random sample of customers, half per wave, ordered by date.
    customer = rng_survey.choice(n_customers, size=n_respondents, replace=False)
    wave = np.where(np.arange(n_respondents) < n_respondents // 2, 1, 2)
    day = np.empty(n_respondents, dtype=np.int64)
    for w, (first, n_days) in FIELDWORK.items():
        at = wave == w
        day[at] = _days(first) + rng_survey.integers(0, n_days, size=at.sum())
    order = np.lexsort((np.arange(n_respondents), day, wave))
    customer, wave, day = customer[order], wave[order], day[order]
    features = _window_features(contacts, customer, day * _DAY, n_customers)
    world = {"segment": segment, "contacts": contacts, "customer": customer, "wave": wave,
             "day": day, "features": features}
    quality = _handle_quality(seed, world)  # own stream: the survey's draws do not change
    answers = _simulate_answers(rng_survey, segment[customer], wave, features, quality=quality)
    return {**world, **answers}


def _streams(seed):
    """Independent random streams of one seed, so each part can change on its own."""
    names = ("customers", "contacts", "survey", "mess")
    return dict(zip(names, np.random.default_rng(seed).spawn(len(names))))


def _simulate_contacts(rng, segment, n_contacts, *, sort=True, n_teams=N_TEAMS):
    """Issues and their contacts, vectorised over issues (one loop step per attempt)."""
    n_customers = len(segment)
    rate = np.asarray([SEGMENT_CONTACT_RATE[s] for s in SEGMENTS])
    mean_rate = float(np.dot(rate, SEGMENT_SHARES))
    propensity = rng.gamma(PROPENSITY_SHAPE, 1 / PROPENSITY_SHAPE, n_customers)
    issues_per_customer = n_contacts / CONTACTS_PER_ISSUE / n_customers / mean_rate
    n_issues = rng.poisson(propensity * rate[segment] * issues_per_customer)
    cust = np.repeat(np.arange(n_customers), n_issues)
    n = len(cust)
    start, end = _days(PERIOD[0]) * _DAY, _days(PERIOD[1]) * _DAY
    hour_p = np.asarray(HOUR_WEIGHTS) / np.sum(HOUR_WEIGHTS)
    t = (start + rng.integers(0, (end - start) // _DAY, n) * _DAY
         + rng.choice(24, size=n, p=hour_p) * 3600 + rng.integers(0, 3600, n))
    order = np.lexsort((cust, t))
    cust, t = cust[order], t[order]

    # Fixed agent skills (logit shift on resolution): team part plus agent part.
    n_agents = n_teams * AGENTS_PER_TEAM
    team_effect = rng.normal(0, TEAM_SD, n_teams)
    skill = np.repeat(team_effect, AGENTS_PER_TEAM) + rng.normal(0, AGENT_SD, n_agents)

    change = _days(CHANGE_DATE) * _DAY
    phone, chat = CHANNELS.index("phone"), CHANNELS.index("chat")
    esc_p, transfer_rate = _by_channel(ESCALATION_PROB), _by_channel(TRANSFER_RATE)
    res_logit, handle_median = _by_channel(RESOLUTION_LOGIT), _by_channel(HANDLE_MEDIAN_SEC)
    wait_factor = np.where(segment == SEGMENTS.index("small_business"),
                           SMALL_BUSINESS_WAIT_FACTOR, 1.0)

    # Attempt k of every issue still open: arrays shrink as issues close.
    issue = np.arange(n)
    channel = rng.choice(len(CHANNELS), size=n, p=FIRST_CHANNEL_MIX)
    slots = []
    for k in range(MAX_CONTACTS_PER_ISSUE):
        m = len(issue)
        digital = channel >= chat
        escalated = digital & (rng.random(m) < np.nan_to_num(esc_p[channel]))
        queued = (channel == phone) | ((channel == chat) & escalated)
        mean_wait = np.where(channel == phone,
                             np.where(t < change, *MEAN_WAIT_SEC["phone"]),
                             np.where(t < change, *MEAN_WAIT_SEC["chat"]))
        wait = rng.exponential(1.0, m) * mean_wait * wait_factor[cust[issue]]
        patience = rng.exponential(1.0, m) * np.where(
            rng.random(m) < PATIENCE["impatient_share"], PATIENCE["impatient_mean_sec"],
            PATIENCE["patient_mean_sec"])
        offered = (channel == phone) & (wait > CALLBACK_OFFER_WAIT_SEC)
        accepted = offered & (rng.random(m) < CALLBACK_ACCEPT)
        kept = accepted & (rng.random(m) < CALLBACK_KEPT)
        abandoned = queued & ~accepted & (patience < wait)
        announce = rng.integers(CALLBACK_ANNOUNCE_SEC[0], CALLBACK_ANNOUNCE_SEC[1] + 1, m)
        queue_wait = np.where(queued, np.where(accepted, announce,
                                               np.round(np.minimum(patience, wait))), np.nan)
        no_contact = abandoned | (accepted & ~kept)  # nobody handled it
        agent_handled = ~no_contact & (~digital | escalated)
        transfers = np.where(agent_handled, rng.poisson(transfer_rate[channel]), 0)
        agent = rng.integers(0, n_agents, m)
        p_agent = _expit(res_logit[channel] + skill[agent]
                         + TRANSFER_RESOLUTION_LOGIT * transfers)
        p_resolve = np.where(agent_handled, p_agent,
                             np.where(no_contact, 0.0, SELF_SERVICE_RESOLUTION))
        resolved = rng.random(m) < p_resolve
        handle = np.where(no_contact, np.nan,
                          np.round(handle_median[channel] * rng.lognormal(0, 0.5, m)
                                   * (1 + 0.4 * transfers) * np.where(escalated, 2.0, 1.0)))
        slots.append({"issue": issue, "attempt": np.full(m, k), "customer": cust[issue],
                      "t": t, "channel": channel, "queue_wait": queue_wait,
                      "abandoned": abandoned, "offered": offered, "accepted": accepted,
                      "kept": kept, "handle": handle, "resolved": resolved,
                      "transfers": transfers, "escalated": escalated,
                      "agent": np.where(agent_handled, agent, -1)})
        # Unresolved: the customer tries again (maybe in another channel) or gives up.
        retry = rng.random(m) < np.where(no_contact, RETRY_PROB["abandoned"],
                                         RETRY_PROB["unresolved"])
        same = rng.random(m) < np.where(no_contact, RETRY_SAME_CHANNEL["abandoned"],
                                        RETRY_SAME_CHANNEL["unresolved"])
        switch_to = rng.choice(len(CHANNELS), size=m, p=RETRY_CHANNEL_MIX)
        gap = rng.exponential(1.0, m) * 3600 * np.where(
            no_contact, RETRY_GAP_HOURS["abandoned"], RETRY_GAP_HOURS["unresolved"])
        t_next = (t + np.nan_to_num(queue_wait) + np.nan_to_num(handle)
                  + np.round(gap)).astype(np.int64)
        go_on = ~resolved & retry & (t_next < end)
        issue, t = issue[go_on], t_next[go_on]
        channel = np.where(same, channel, switch_to)[go_on]

    # Stack the attempts and sort them chronologically.
    cols = {key: np.concatenate([s[key] for s in slots]) for key in slots[0]}
    if sort:
        order = np.lexsort((cols["attempt"], cols["issue"], cols["t"]))
        cols = {key: v[order] for key, v in cols.items()}
    cols["team_effect"] = team_effect
    return cols


def _window_features(contacts, customer, survey_t, n_customers):
    """Per respondent: CONTACT_FEATURES over the WINDOW_DAYS before the survey date."""
    respondent_of = np.full(n_customers, -1)
    respondent_of[customer] = np.arange(len(customer))
    r = respondent_of[contacts["customer"]]
    t = contacts["t"]
    inside = r >= 0
    inside[inside] = ((t[inside] >= survey_t[r[inside]] - WINDOW_DAYS * _DAY)
                      & (t[inside] < survey_t[r[inside]]))
    counts = {
        "repeat_contacts": contacts["attempt"] > 0,
        "long_waits": np.nan_to_num(contacts["queue_wait"]) > LONG_WAIT_SEC,
        "abandoned": contacts["abandoned"],
        "transfers": contacts["transfers"],
        "escalations": contacts["escalated"],
    }
    out = np.empty((len(customer), len(FEATURES)))
    for j, name in enumerate(FEATURES):
        out[:, j] = np.bincount(r[inside], weights=counts[name][inside].astype(float),
                                minlength=len(customer))
    return out


def _latent_corr():
    """10 x 10 correlation of (perceptions, expectations), in DIMENSIONS order."""
    k = len(DIMENSIONS)
    pe = np.full((k, k), PE_CORR_OTHER) + (PE_CORR_SAME - PE_CORR_OTHER) * np.eye(k)
    ee = np.full((k, k), EXPECTATION_CORR_OFFDIAG) + (1 - EXPECTATION_CORR_OFFDIAG) * np.eye(k)
    return np.block([[np.asarray(PERCEPTION_CORR), pe], [pe.T, ee]])


def _simulate_answers(rng, segment, wave, features, quality=None):
    """Latents and clean (careful, complete) answers of every respondent.

    ``quality``: per respondent the handle-quality latent of the contact that attributes
    them to a team (0 for respondents without one), see `_handle_quality`.
    """
    n, k = len(segment), len(DIMENSIONS)
    chol = np.linalg.cholesky(_latent_corr())
    z = rng.standard_normal((n, 2 * k))
    latent = np.zeros((n, 2 * k))
    for i in range(2 * k):  # explicit sums: bit-identical on every machine
        for j in range(i + 1):
            latent[:, i] += chol[i, j] * z[:, j]
    latent[:, DIMENSIONS.index("responsiveness")] += WAVE2_RESPONSIVENESS_SHIFT * (wave == 2)
    perception, expectation = latent[:, :k], latent[:, k:]

    items = {}
    blocks = (("p", perception, PERCEPTION_LOADINGS, PERCEPTION_CENTRE),
              ("e", expectation, EXPECTATION_LOADINGS, EXPECTATION_CENTRE))
    for prefix, lat, loadings, centre in blocks:
        for d, dim in enumerate(DIMENSIONS):
            for name, lam in zip(SERVQUAL_ITEMS[dim], loadings[dim]):
                items[f"{prefix}_{name}"] = _item(rng, lat[:, d], lam, centre[dim])

    feat = dict(zip(FEATURES, features.T))
    sat_raw = rng.normal(0, SAT_NOISE_SD, n) + np.asarray(
        [SAT_SEGMENT_EFFECT[s] for s in SEGMENTS])[segment]
    for d, dim in enumerate(DIMENSIONS):
        sat_raw = sat_raw + SAT_BETA[dim] * perception[:, d]
    for name, g in SAT_GAMMA.items():
        sat_raw = sat_raw + g * feat[name]
    if quality is not None:  # a deterministic term: every random draw above is unchanged
        sat_raw = sat_raw + SAT_QUALITY * quality
    sat = (sat_raw - SAT_REFERENCE[0]) / SAT_REFERENCE[1]
    loyalty = LOY_SAT * sat + rng.normal(0, LOY_NOISE_SD, n)
    for name, g in LOY_GAMMA.items():
        loyalty = loyalty + g * feat[name]
    recommend = NPS_SAT * sat + NPS_LOY * loyalty + rng.normal(0, NPS_NOISE_SD, n)

    for i, lam in enumerate(SAT_LOADINGS):
        items[SAT_ITEMS[i]] = _item(rng, sat, lam, SAT_CENTRE)
    items["sat3"] = 8 - items["sat3"]  # reverse-keyed: "I regret choosing this company"
    for i, lam in enumerate(STAY_LOADINGS):
        items[STAY_ITEMS[i]] = _item(rng, loyalty, lam, STAY_CENTRE)
    items["nps"] = np.searchsorted(np.asarray(NPS_CUTS), recommend).astype(np.int64)
    for name, spec in SINGLE_ITEMS.items():
        y = spec["satisfaction"] * sat + rng.normal(0, spec["noise_sd"], n)
        for f, g in spec["contact"].items():
            y = y + g * feat[f]
        items[name] = _scale(spec["centre"] + SINGLE_ITEM_SPREAD * y)
    return {"perception": perception, "expectation": expectation, "sat_raw": sat_raw,
            "sat": sat, "loyalty": loyalty, "recommend": recommend, "items": items}


def _pillars_and_sacrifice(seed, world):
    """Six Pillars items and customer-sacrifice pairs, with their truth (own random stream).

    The pillar latents are drawn given the respondents' loyalty and recommend latents
    (standardised in the sample), from the joint normal model in which both outcomes
    are ``PILLAR_COEF . pillars + residual`` with equicorrelated pillars (``PILLAR_CORR``):
    ``pillars | outcomes ~ N(S B R^-1 o, S - S B R^-1 B' S)`` with ``S`` the pillar
    correlation, ``B`` the coefficients and ``R`` the outcomes' correlation. So the
    population regression of each outcome on the pillars has the planted coefficients,
    and the rest of the survey is untouched.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PILLAR_STREAM,)))
    names = list(PILLAR_PREFIX)
    k, n = len(names), len(world["customer"])
    sigma = np.full((k, k), PILLAR_CORR) + (1 - PILLAR_CORR) * np.eye(k)
    coef = np.array([[PILLAR_COEF[o][p] for o in PILLAR_COEF] for p in names])  # k x 2
    outcomes = np.column_stack([world["recommend"], world["loyalty"]])
    outcomes = (outcomes - outcomes.mean(axis=0)) / outcomes.std(axis=0)
    r = np.corrcoef(outcomes, rowvar=False)
    a = sigma @ coef @ np.linalg.inv(r)
    residual = sigma - a @ r @ a.T
    latent = outcomes @ a.T + rng.standard_normal((n, k)) @ np.linalg.cholesky(residual).T
    columns = {}
    for j, p in enumerate(names):
        for item, lam in zip(PILLAR_ITEMS[p], PILLAR_LOADINGS):
            columns[item] = _item(rng, latent[:, j], lam, PILLAR_CENTRE[p])
    pair = np.linalg.cholesky(np.array([[1.0, SACRIFICE_CORR], [SACRIFICE_CORR, 1.0]]))
    for attribute, (_, wanted, settled) in SACRIFICE.items():
        y = rng.standard_normal((n, 2)) @ pair.T
        columns[SACRIFICE_ITEMS[attribute]["wanted"]] = _scale(wanted + ITEM_SPREAD * y[:, 0])
        columns[SACRIFICE_ITEMS[attribute]["settled"]] = _scale(settled + ITEM_SPREAD * y[:, 1])
    frame = pd.DataFrame({c: pd.arrays.IntegerArray(v, rng.random(n) < BLANK_SHARE) for c, v in columns.items()})

    pillars_truth = {
        "model": "pillars | (recommend, loyalty) latents ~ N(S B R^-1 o, S - S B R^-1 B' S): the outcomes' "
                 "population regression on the pillar latents has the coefficients below",
        "items": {p: list(v) for p, v in PILLAR_ITEMS.items()}, "loadings": list(PILLAR_LOADINGS),
        "centre": dict(PILLAR_CENTRE),
        "latent_correlation": PILLAR_CORR,
        "outcome_correlation_in_sample": _r(float(r[0, 1])),
        "coefficients": {o: dict(v) for o, v in PILLAR_COEF.items()},
        "latent_r2": {o: _r(coef[:, i] @ sigma @ coef[:, i]) for i, o in enumerate(PILLAR_COEF)},
        "latent_importance": {o: dict(zip(names, map(_r, _lmg(sigma, sigma @ coef[:, i], 1.0) / (
            coef[:, i] @ sigma @ coef[:, i])))) for i, o in enumerate(PILLAR_COEF)},
    }
    pillars_truth["ranking"] = {o: sorted(v, key=lambda p: -v[p]) for o, v in pillars_truth["latent_importance"].items()}
    sacrifice_truth = {
        "model": "wanted, settled = clip(round(centre + spread * y), 1, 7), y bivariate normal",
        "correlation": SACRIFICE_CORR, "items": {a: dict(v) for a, v in SACRIFICE_ITEMS.items()},
        "centre": {a: {"wanted": w, "settled": s} for a, (_, w, s) in SACRIFICE.items()},
        "population_sacrifice": {a: _r(_rounded_mean(w) - _rounded_mean(s)) for a, (_, w, s) in SACRIFICE.items()},
    }
    return frame, pillars_truth, sacrifice_truth


def _rounded_mean(centre, low=1, high=7):
    """Exact mean of clip(round(centre + ITEM_SPREAD * y), low, high) for y ~ N(0, 1)."""
    cdf = NormalDist(centre, ITEM_SPREAD).cdf
    cuts = [cdf(v + 0.5) for v in range(low, high)]  # P(answer <= v)
    return high - sum(cuts)


def _lmg(phi, cov_xy, var_y):
    """Exact LMG (Shapley) decomposition of R² from the predictors' covariance ``phi`` and ``cov_xy``."""
    k = len(cov_xy)

    def r2(subset):
        if not subset:
            return 0.0
        s = list(subset)
        return float(cov_xy[s] @ np.linalg.solve(phi[np.ix_(s, s)], cov_xy[s]) / var_y)

    lmg = np.zeros(k)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        for size in range(k):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for subset in itertools.combinations(others, size):
                lmg[j] += weight * (r2(subset + (j,)) - r2(subset))
    return lmg


def _item(rng, latent, loading, centre):
    """One 1-7 item: round(centre + spread * (loading * latent + noise)), clipped."""
    y = loading * latent + math.sqrt(1 - loading**2) * rng.standard_normal(len(latent))
    return _scale(centre + ITEM_SPREAD * y)


def _scale(x, low=1, high=7):
    return np.clip(np.rint(x), low, high).astype(np.int64)


def _by_channel(table):
    """Array over CHANNELS of a {channel: value} table (NaN where absent)."""
    return np.asarray([table.get(c, np.nan) for c in CHANNELS], dtype=float)


def _expit(x):
    return 1 / (1 + np.exp(-x))


def _days(iso):
    """Days since 1970-01-01 of an ISO date."""
    return int(np.datetime64(iso, "D").astype(np.int64))


# =====================================================================================
# Frames: clean answers -> the survey file with its realistic mess; the contact log
# =====================================================================================


def _survey_frame(world, rng):
    """The survey as fielded: ids, e-mail, durations, careless answers, gaps."""
    items = {k: v.copy() for k, v in world["items"].items()}
    n = len(world["customer"])
    servqual = E_ITEMS + P_ITEMS

    # Careless respondents, drawn as exact counts: speeders and (other) straight-liners.
    who = rng.permutation(n)
    n_speed, n_straight = round(SPEEDER_SHARE * n), round(STRAIGHTLINER_SHARE * n)
    speeders, straight = np.sort(who[:n_speed]), np.sort(who[n_speed:n_speed + n_straight])
    duration = np.rint(DURATION_MEDIAN_SEC * rng.lognormal(0, 0.35, n)).astype(np.int64)
    duration = np.maximum(duration, 150)
    duration[speeders] = rng.integers(60, 150, len(speeders))
    for col in servqual:
        items[col][speeders] = rng.integers(1, 8, len(speeders))
    line = rng.choice([4, 5, 6, 7], size=len(straight), p=[0.15, 0.3, 0.3, 0.25])
    for col in P_ITEMS:
        items[col][straight] = line

    # "Don't know" (99) on SERVQUAL cells, then blank cells over all 1-7 items.
    frame = {}
    protect = np.zeros(n, dtype=bool)
    protect[straight] = True
    for col in servqual:
        dont_know = rng.random(n) < DONT_KNOW_SHARE
        if col.startswith("p_"):
            dont_know &= ~protect
        items[col] = np.where(dont_know, DONT_KNOW_CODE, items[col])
    for col in servqual + SAT_ITEMS + STAY_ITEMS + list(SINGLE_ITEMS):
        blank = rng.random(n) < BLANK_SHARE
        if col.startswith("p_"):
            blank &= ~protect
        frame[col] = pd.arrays.IntegerArray(items[col], blank)
    nps_blank = np.zeros(n, dtype=bool)
    nps_blank[rng.choice(n, size=max(1, round(NPS_BLANK_SHARE * n)), replace=False)] = True
    frame["nps"] = pd.arrays.IntegerArray(items["nps"], nps_blank)

    ids = [f"R{i + 1:05d}" for i in range(n)]
    survey = pd.DataFrame({
        "respondent_id": pd.array(ids, dtype="str"),
        "customer_id": pd.array(_customer_ids(world["customer"]), dtype="str"),
        "email": pd.array(_emails(rng, n), dtype="str"),
        "segment": pd.array(np.asarray(SEGMENTS, dtype=object)[world["segment"][world["customer"]]],
                            dtype="str"),
        "wave": world["wave"].astype(np.int64),
        "survey_date": pd.to_datetime(world["day"], unit="D"),
        "duration_sec": duration,
        **frame,
    })[[c for c in SURVEY_COLUMNS if c not in CX_BLOCK_COLUMNS]]
    careless = {"speeders": [ids[i] for i in speeders],
                "straightliners": [ids[i] for i in straight]}
    return survey, careless


def _customer_ids(index):
    return [f"C{i + 1:06d}" for i in index]


def _emails(rng, n):
    """Unique fake addresses like ``anna.devries123@example.com``."""
    first = rng.integers(0, len(_FIRST_NAMES), n)
    last = rng.integers(0, len(_LAST_NAMES), n)
    number = rng.integers(1, 1000, n)
    seen, out = set(), []
    for i, j, num in zip(first, last, number):
        address = f"{_FIRST_NAMES[i]}.{_LAST_NAMES[j]}{num}"
        suffix = 0
        while address in seen:  # rare; deterministic
            suffix += 1
            address = f"{_FIRST_NAMES[i]}.{_LAST_NAMES[j]}{num}{suffix}"
        seen.add(address)
        out.append(f"{address}@example.com")
    return out


def _contacts_frame(world):
    c = world["contacts"]
    n = len(c["t"])
    has_agent = c["agent"] >= 0
    agent_ids = np.asarray([f"A{i + 1:04d}" for i in range(N_TEAMS * AGENTS_PER_TEAM)],
                           dtype=object)
    team_ids = np.asarray([f"T{i + 1:02d}" for i in range(N_TEAMS)], dtype=object)
    agent = np.where(has_agent, agent_ids[np.maximum(c["agent"], 0)], None)
    team = np.where(has_agent, team_ids[np.maximum(c["agent"], 0) // AGENTS_PER_TEAM], None)
    customer_ids = np.asarray(_customer_ids(range(len(world["segment"]))), dtype=object)
    return pd.DataFrame({
        "contact_id": np.arange(1, n + 1, dtype=np.int64) + 10_000_000,
        "customer_id": pd.array(customer_ids[c["customer"]], dtype="str"),
        "issue_id": c["issue"].astype(np.int64) + 5_000_001,  # issues numbered by first contact
        "channel": pd.array(np.asarray(CHANNELS, dtype=object)[c["channel"]], dtype="str"),
        "started_at": pd.to_datetime(c["t"], unit="s", utc=True),
        "queue_wait_sec": c["queue_wait"].astype(float),
        "abandoned": c["abandoned"],
        "callback_offered": c["offered"],
        "callback_accepted": c["accepted"],
        "callback_kept": c["kept"],
        "handle_time_sec": c["handle"].astype(float),
        "resolved_first_contact": c["resolved"],
        "transfers": c["transfers"].astype(np.int64),
        "escalated_to_agent": c["escalated"],
        "qa_score": c["qa_score"].astype(float),
        "agent_id": pd.array(agent, dtype="str"),
        "team_id": pd.array(team, dtype="str"),
    })


# =====================================================================================
# Truth
# =====================================================================================


def _truth(seed, n_respondents, n_customers, n_contacts, n_contacts_realised, world, careless):
    """The planted model and the true population values, as plain YAML-able data."""
    pop = _population()
    corr = _latent_corr()
    k = len(DIMENSIONS)
    team_effect = world["contacts"]["team_effect"]
    return {
        "generator": "cxlab.synth.generate_demo",
        "seed": seed,
        "sizes": {"n_respondents": n_respondents, "n_customers": n_customers,
                  "n_contacts_expected": n_contacts, "n_contacts": n_contacts_realised},
        "survey_design": {
            "segments": dict(zip(SEGMENTS, SEGMENT_SHARES)),
            "waves": {f"wave_{w}": {"first_day": first, "n_days": d}
                      for w, (first, d) in FIELDWORK.items()},
            "contact_window_days": WINDOW_DAYS,
        },
        "measurement": {
            "item_scale": ("answer = clip(round(centre + spread * y), 1, 7) with "
                           "y = loading * latent + sqrt(1 - loading^2) * noise"),
            "item_spread": ITEM_SPREAD,
            "perception": {d: {"items": [f"p_{i}" for i in SERVQUAL_ITEMS[d]],
                               "loadings": list(PERCEPTION_LOADINGS[d]),
                               "centre": PERCEPTION_CENTRE[d]} for d in DIMENSIONS},
            "expectation": {d: {"items": [f"e_{i}" for i in SERVQUAL_ITEMS[d]],
                                "loadings": list(EXPECTATION_LOADINGS[d]),
                                "centre": EXPECTATION_CENTRE[d]} for d in DIMENSIONS},
            "perception_factor_correlations": _labelled(corr[:k, :k]),
            "expectation_factor_correlations": _labelled(corr[k:, k:]),
            "perception_expectation_correlation": {"same_dimension": PE_CORR_SAME,
                                                   "other_dimension": PE_CORR_OTHER},
            "satisfaction": {"items": SAT_ITEMS, "loadings": list(SAT_LOADINGS),
                             "centre": SAT_CENTRE, "reverse_keyed": ["sat3"]},
            "stay": {"items": STAY_ITEMS, "loadings": list(STAY_LOADINGS),
                     "centre": STAY_CENTRE},
        },
        "satisfaction": {
            "equation": ("sat_raw = sum(beta * perception) + sum(gamma * contact_feature) "
                         "+ handle_quality_effect * q + segment_effect + N(0, noise_sd) (q: handle "
                         "quality latent of the attributing contact, 0 without one); "
                         "satisfaction = (sat_raw - reference_mean) / reference_sd"),
            "beta": dict(SAT_BETA),
            "beta_standardised": pop["beta_standardised"],
            "expectation_effect": EXPECTATION_EFFECT_ON_SAT,
            "contact_effects": dict(SAT_GAMMA),
            "contact_effects_standardised": pop["gamma_standardised"],
            "handle_quality_effect": SAT_QUALITY,
            "segment_effects": dict(SAT_SEGMENT_EFFECT),
            "noise_sd": SAT_NOISE_SD,
            "reference_mean": SAT_REFERENCE[0], "reference_sd": SAT_REFERENCE[1],
            "r2_perceptions_latent": pop["r2_perceptions"],
        },
        "loyalty": {"equation": "loyalty = satisfaction_effect * satisfaction "
                                "+ sum(direct_contact_effects * feature) + N(0, noise_sd)",
                    "satisfaction_effect": LOY_SAT, "direct_contact_effects": dict(LOY_GAMMA),
                    "noise_sd": LOY_NOISE_SD},
        "nps": {"equation": "recommend = sat_effect * satisfaction + loyalty_effect * loyalty "
                            "+ N(0, noise_sd); nps = number of cuts below recommend",
                "satisfaction_effect": NPS_SAT, "loyalty_effect": NPS_LOY,
                "noise_sd": NPS_NOISE_SD, "cuts": list(NPS_CUTS)},
        "single_items": {"equation": ("answer = clip(round(centre + spread * (satisfaction_effect"
                                      " * satisfaction + sum(contact * feature) + noise)), 1, 7)"),
                         "spread": SINGLE_ITEM_SPREAD,
                         **{name: {"centre": s["centre"], "satisfaction_effect": s["satisfaction"],
                                   "noise_sd": s["noise_sd"], "contact": dict(s["contact"])}
                            for name, s in SINGLE_ITEMS.items()}},
        "contact_features": dict(CONTACT_FEATURES),
        "contact_model": {
            "period": list(PERIOD),
            "channels": list(CHANNELS),
            "first_channel_mix": dict(zip(CHANNELS, FIRST_CHANNEL_MIX)),
            "retry_channel_mix": dict(zip(CHANNELS, RETRY_CHANNEL_MIX)),
            "retry_same_channel": dict(RETRY_SAME_CHANNEL),
            "retry_probability": dict(RETRY_PROB),
            "retry_gap_hours": dict(RETRY_GAP_HOURS),
            "max_contacts_per_issue": MAX_CONTACTS_PER_ISSUE,
            "propensity_gamma_shape": PROPENSITY_SHAPE,
            "segment_contact_rate": dict(SEGMENT_CONTACT_RATE),
            "mean_queue_wait_sec": {c: {"before_change": b, "after_change": a}
                                    for c, (b, a) in MEAN_WAIT_SEC.items()},
            "small_business_wait_factor": SMALL_BUSINESS_WAIT_FACTOR,
            "patience": dict(PATIENCE),
            "callback": {"offered_when_wait_over_sec": CALLBACK_OFFER_WAIT_SEC,
                         "accept": CALLBACK_ACCEPT, "kept": CALLBACK_KEPT},
            "escalation_probability": dict(ESCALATION_PROB),
            "transfer_rate": dict(TRANSFER_RATE),
            "agent_resolution_logit": dict(RESOLUTION_LOGIT),
            "self_service_resolution": SELF_SERVICE_RESOLUTION,
            "transfer_resolution_logit": TRANSFER_RESOLUTION_LOGIT,
            "handle_median_sec": dict(HANDLE_MEDIAN_SEC),
            "teams": {"n_teams": N_TEAMS, "agents_per_team": AGENTS_PER_TEAM,
                      "team_sd": TEAM_SD, "agent_sd": AGENT_SD,
                      "team_resolution_logit": {f"T{i + 1:02d}": _r(v)
                                                for i, v in enumerate(team_effect)}},
            "observed_in_population": pop["contacts"],
        },
        "wave_change": {
            "responsiveness_perception_shift_sd": WAVE2_RESPONSIVENESS_SHIFT,
            "phone_mean_wait_sec": {"before": MEAN_WAIT_SEC["phone"][0],
                                    "after": MEAN_WAIT_SEC["phone"][1]},
            "change_date": CHANGE_DATE,
            "everything_else": "unchanged (no direct wave effect on any latent)",
        },
        "expected": pop["expected"],
        "population": pop["waves"],
        "careless": {"speeders": careless["speeders"],
                     "straightliners": careless["straightliners"]},
        "missing": {"blank_share": BLANK_SHARE, "dont_know_share": DONT_KNOW_SHARE,
                    "dont_know_code": DONT_KNOW_CODE, "nps_blank_share": NPS_BLANK_SHARE},
    }


@functools.lru_cache(maxsize=1)
def _population():
    """True values from one large simulated population (all customers respond)."""
    n = POPULATION_CUSTOMERS
    world = _simulate(POPULATION_SEED, n_customers=n, n_contacts=10 * n, n_respondents=n,
                      sort_contacts=False)  # order is irrelevant for population values
    k = len(DIMENSIONS)
    items, wave, feat = world["items"], world["wave"], world["features"]
    sd_sat = float(np.std(world["sat_raw"][wave == 1]))
    beta_std = {d: _r(SAT_BETA[d] / sd_sat) for d in DIMENSIONS}
    gamma_std = {f: _r(SAT_GAMMA[f] * np.std(feat[wave == 1, j]) / sd_sat)
                 for j, f in enumerate(FEATURES)}

    # Exact LMG (Shapley) shares of the latent perceptions in satisfaction (wave 1).
    phi = _latent_corr()[:k, :k]
    beta = np.asarray([SAT_BETA[d] for d in DIMENSIONS])
    cov_xy = phi @ beta
    var_y = sd_sat**2

    lmg = _lmg(phi, cov_xy, var_y)
    lmg_share = {d: _r(lmg[j] / lmg.sum()) for j, d in enumerate(DIMENSIONS)}
    driver_ranking = [DIMENSIONS[j] for j in np.argsort(-lmg, kind="stable")]
    lever_ranking = sorted(FEATURES, key=lambda f: gamma_std[f])

    waves = {f"wave_{w}": _headline(items, wave == w, feat[wave == w]) for w in (1, 2)}
    w1, w2 = waves["wave_1"], waves["wave_2"]
    waves["change"] = {key: ({d: _r(w2[key][d] - v) for d, v in value.items()}
                             if isinstance(value, dict) else _r(w2[key] - value))
                       for key, value in w1.items()}
    # Which headline metrics move between the waves by a practically relevant amount.
    changed, unchanged = [], []
    for key, value in _flat(waves["change"]):
        if key.endswith("_per_respondent"):
            continue  # contact-log rates, not survey metrics
        limit = PRACTICAL_CHANGE["mean_1_to_7"] if key.endswith("_mean") or "." in key \
            else PRACTICAL_CHANGE["nps_or_pct"]
        (changed if abs(value) >= limit else unchanged).append(key)
    waves["practically_changed"] = changed
    waves["practically_unchanged"] = unchanged
    waves["practical_thresholds"] = dict(PRACTICAL_CHANGE)
    waves["note"] = (f"True values: the same model on {n:,} simulated respondents (seed "
                     f"{POPULATION_SEED}), clean answers (no careless, blank or 99 answers).")

    contacts = world["contacts"]
    first_half = contacts["t"] < _days(CHANGE_DATE) * _DAY
    return {
        "beta_standardised": beta_std,
        "gamma_standardised": gamma_std,
        "r2_perceptions": _r(lmg.sum()),
        "expected": {
            "driver_ranking": driver_ranking,
            "driver_lmg_share_latent": lmg_share,
            "contact_lever_ranking": lever_ranking,
            "top_contact_levers": lever_ranking[:2],
            "servperf_vs_servqual": ("perceptions alone (SERVPERF) predict satisfaction at "
                                     "least as well as gaps P - E (SERVQUAL): expectations "
                                     "have no direct effect"),
        },
        "contacts": {"before_change": _contact_stats(contacts, first_half),
                     "after_change": _contact_stats(contacts, ~first_half)},
        "waves": waves,
        "chain": _chain_population(world),
    }


def _headline(items, at, feat):
    """Headline metrics of the clean answers of one wave."""
    nps = items["nps"][at]
    sat_scale = (items["sat1"][at] + items["sat2"][at] + (8 - items["sat3"][at])) / 3
    stay_scale = sum(items[c][at] for c in STAY_ITEMS) / 3
    out = {
        "nps": _r(100 * (np.mean(nps >= 9) - np.mean(nps <= 6))),
        "promoters_pct": _r(100 * np.mean(nps >= 9)),
        "detractors_pct": _r(100 * np.mean(nps <= 6)),
        "csat_top2_pct": _r(100 * np.mean(items["sat1"][at] >= 6)),
        "satisfaction_mean": _r(np.mean(sat_scale)),
        "stay_mean": _r(np.mean(stay_scale)),
        "ces_mean": _r(np.mean(items["ces"][at])),
        "ces_top2_pct": _r(100 * np.mean(items["ces"][at] >= 6)),
    }
    for name in ("temkin_useful", "temkin_easy", "temkin_enjoyable"):
        out[f"{name}_mean"] = _r(np.mean(items[name][at]))
    for j, f in enumerate(FEATURES):
        out[f"{f}_per_respondent"] = _r(np.mean(feat[:, j]))
    out["perception_mean"] = {d: _r(np.mean([items[f"p_{i}"][at] for i in SERVQUAL_ITEMS[d]]))
                              for d in DIMENSIONS}
    out["expectation_mean"] = {d: _r(np.mean([items[f"e_{i}"][at] for i in SERVQUAL_ITEMS[d]]))
                               for d in DIMENSIONS}
    out["gap_mean"] = {d: _r(out["perception_mean"][d] - out["expectation_mean"][d])
                       for d in DIMENSIONS}
    return out


def _contact_stats(c, at):
    phone = at & (c["channel"] == CHANNELS.index("phone"))
    digital = at & (c["channel"] >= CHANNELS.index("chat"))
    abandoned = phone & c["abandoned"]
    offered = phone & c["offered"]
    return {
        "channel_share": {ch: _r(np.mean(c["channel"][at] == i)) for i, ch in enumerate(CHANNELS)},
        "phone_mean_queue_wait_sec": _r(np.nanmean(c["queue_wait"][phone])),
        "phone_abandonment_rate": _r(np.mean(c["abandoned"][phone])),
        "abandoned_within_60s_share": _r(np.mean(c["queue_wait"][abandoned] <= 60)),
        "callback_offer_rate": _r(np.mean(c["offered"][phone])),
        "callback_accept_rate": _r(np.mean(c["accepted"][offered])),
        "digital_escalation_rate": _r(np.mean(c["escalated"][digital])),
        "first_contact_resolution_rate": _r(np.mean(c["resolved"][at])),
    }


def _flat(metrics):
    """(name, value) pairs with nested dicts flattened to 'outer.inner'."""
    for key, value in metrics.items():
        if isinstance(value, dict):
            yield from ((f"{key}.{k}", v) for k, v in value.items())
        else:
            yield key, value


def _labelled(matrix):
    return {a: {b: _r(matrix[i, j]) for j, b in enumerate(DIMENSIONS) if j != i}
            for i, a in enumerate(DIMENSIONS)}


def _r(x, digits=4):
    """A plain float rounded for YAML (stable across machines)."""
    return round(float(x), digits)


# =====================================================================================
# The employee side: a planted Service Profit Chain (Heskett et al. 1994)
# =====================================================================================
#
# Every agent of the contact log is asked the UWES-9 work-engagement scale (Schaufeli,
# Bakker & Salanova 2006: vigour, dedication, absorption; 0 = never .. 6 = always).
# The chain has two mediators.  (1) A team's engagement raises its agents' first-contact
# resolution; a contact left unresolved brings repeat contacts, which lower satisfaction.
# (2) It raises their handle quality (the contact log's ``qa_score``), and the quality of the
# contact that attributes a respondent to a team raises that respondent's satisfaction.
# Satisfaction carries intention to stay.  The contact log is not redrawn: a team's latent
# engagement E is drawn given its resolution shift tau (already in the log) so that jointly
#     tau = ENGAGEMENT_RESOLUTION_CORR * TEAM_SD * E + TEAM_SD * sqrt(1 - corr^2) * u,
# E, u ~ N(0, 1): the same joint law as drawing E first (the planted direction).  Handle
# quality comes from its own stream (QUALITY_STREAM), so the survey's random draws and the
# other contact-log columns stay as they were; satisfaction gains the term SAT_QUALITY * q.
EMPLOYEE_FILE = "employee_survey.csv"
ENGAGEMENT_RESOLUTION_CORR = 0.95  # corr(team engagement, team resolution logit shift)
# Handle quality: latent q of an agent-handled contact (SD 1 over contacts)
#     q = QA_ENGAGEMENT_LOADING * E[team] + sqrt(QA_AGENT_SHARE) * agent + sqrt(rest) * noise,
# scored qa_score = clip(round(QA_CENTRE + QA_SPREAD * q), 0, 100).  Sizes and reasons:
# - QA scores in contact centres sit in the 80s with an SD near 8-10 points (the form's
#   share met; auto-QA scores every contact) -> centre 84, spread 8 (2 % score 100).
# - Engagement is among the best-supported predictors of unit-level service performance
#   (Harter, Schmidt & Hayes 2002: business-unit engagement with customer outcomes
#   r about .2-.3; Salanova, Agut & Peiro 2005: unit engagement -> employee performance as
#   customers see it -> loyalty).  Here team engagement explains 16 % of a contact's quality
#   (loading 0.40) and agents a further 15 %; the rest is the contact's own.
# - A contact's handling (courtesy, knowledge, ownership) drives satisfaction beyond
#   resolution (Dixon, Freeman & Toman 2010 for effort; agent quality is a top driver in
#   transactional CSAT studies).  For the relationship survey a single contact is one part
#   of the experience: 0.20 raw satisfaction per SD of quality (0.17 SD; r about .15,
#   about 2 % of satisfaction's variance), smaller than a long wait's -0.50.
# Power (benchmarks/bench_chain_power.py, 100 demo-sized worlds, 199 team resamples): the
# total indirect effect engagement -> satisfaction excludes 0 in 1.00 of them, through handle
# quality 1.00, through resolution 0.59 (its b path, set by the repeat-contact effect, 0.65).
QUALITY_STREAM = 17  # spawn key of the handle-quality stream (16 is the employee survey's)
QA_ENGAGEMENT_LOADING = 0.40
QA_AGENT_SHARE = 0.15
QA_CENTRE, QA_SPREAD = 84.0, 8.0
QA_RANGE = (0, 100)
SAT_QUALITY = 0.20  # raw satisfaction per SD of the attributing contact's quality latent
UWES_ITEMS = ("vigour1", "vigour2", "vigour3", "dedication1", "dedication2", "dedication3",
              "absorption1", "absorption2", "absorption3")
UWES_LOADINGS = (0.78, 0.82, 0.74, 0.85, 0.83, 0.80, 0.72, 0.76, 0.70)
UWES_RANGE = (0, 6)
UWES_CENTRE, UWES_SPREAD = 3.9, 1.1  # answer = clip(round(centre + spread * y), 0, 6)
ENGAGEMENT_TEAM_SHARE = 0.7  # share of an agent's engagement variance that is the team's
EMPLOYEE_RESPONSE_RATE = 0.9  # agents who answered the employee survey
EMPLOYEE_BLANK_SHARE = 0.01  # items left blank
CHAIN_COVARIATES = ("long_waits", "abandoned", "transfers", "escalations")
ATTRIBUTION_RULE = ("a respondent is attributed to the team (and agent) that handled their first "
                    "agent-handled contact (a contact with an agent) in the contact window before "
                    "the survey date, earliest start first, ties by contact_id; that contact's "
                    "resolved_first_contact is the respondent's first-contact resolution (0/1). "
                    "Respondents without such a contact are not attributed.")
EMPLOYEE_COLUMNS = ["agent_id", "team_id", *UWES_ITEMS]


def _employee_rng(seed):
    # its own stream (spawn key 16), so the survey and contact log stay as they are
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(16,)))


def _agent_answers(rng, team_engagement, agents_per_team):
    """Clean UWES answers (agents x items) of agents in teams with latent engagement E."""
    eta = (math.sqrt(ENGAGEMENT_TEAM_SHARE) * np.repeat(team_engagement, agents_per_team)
           + math.sqrt(1 - ENGAGEMENT_TEAM_SHARE) * rng.standard_normal(len(team_engagement)
                                                                         * agents_per_team))
    answers = np.empty((len(eta), len(UWES_ITEMS)), dtype=np.int64)
    for j, lam in enumerate(UWES_LOADINGS):
        y = lam * eta + math.sqrt(1 - lam**2) * rng.standard_normal(len(eta))
        answers[:, j] = _scale(UWES_CENTRE + UWES_SPREAD * y, *UWES_RANGE)
    return answers


def _team_engagement(rng, tau):
    """Latent team engagement E given the teams' resolution shifts (the first employee draws)."""
    rho = ENGAGEMENT_RESOLUTION_CORR
    return rho * tau / TEAM_SD + math.sqrt(1 - rho**2) * rng.standard_normal(len(tau))


def _handle_quality(seed, world):
    """Handle quality of every agent-handled contact; per respondent that of the attributing contact.

    Adds ``quality`` (latent, NaN without an agent), ``qa_score`` (0-100, NaN without an
    agent) and ``engagement`` (latent team engagement, as `_employee_survey` draws it) to
    ``world["contacts"]``, ``attributed_contact`` (`_first_agent_contact`) to ``world`` and
    returns the respondents' quality term (0 for those without an attributing contact).
    """
    c = world["contacts"]
    engagement = _team_engagement(_employee_rng(seed), c["team_effect"])
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(QUALITY_STREAM,)))
    agent_part = rng.standard_normal(len(engagement) * AGENTS_PER_TEAM)
    handled = c["agent"] >= 0
    a = c["agent"][handled]
    rest = math.sqrt(1 - QA_ENGAGEMENT_LOADING**2 - QA_AGENT_SHARE)
    latent = np.full(len(c["agent"]), np.nan)
    latent[handled] = (QA_ENGAGEMENT_LOADING * engagement[a // AGENTS_PER_TEAM]
                       + math.sqrt(QA_AGENT_SHARE) * agent_part[a] + rest * rng.standard_normal(len(a)))
    score = _scale(QA_CENTRE + QA_SPREAD * np.nan_to_num(latent), *QA_RANGE).astype(float)
    c["quality"], c["qa_score"], c["engagement"] = latent, np.where(handled, score, np.nan), engagement
    pick = world["attributed_contact"] = _first_agent_contact(world)
    return np.where(pick >= 0, latent[np.maximum(pick, 0)], 0.0)


def _employee_survey(world, seed):
    """The employee survey of the demo and the team engagement behind it."""
    rng = _employee_rng(seed)
    engagement = _team_engagement(rng, world["contacts"]["team_effect"])
    answers = _agent_answers(rng, engagement, AGENTS_PER_TEAM)
    n = len(answers)
    answered = rng.random(n) < EMPLOYEE_RESPONSE_RATE
    blank = rng.random(answers.shape) < EMPLOYEE_BLANK_SHARE
    agent = np.arange(n)
    frame = pd.DataFrame({
        "agent_id": pd.array([f"A{i + 1:04d}" for i in agent], dtype="str"),
        "team_id": pd.array([f"T{i // AGENTS_PER_TEAM + 1:02d}" for i in agent], dtype="str"),
        **{item: pd.arrays.IntegerArray(answers[:, j], blank[:, j])
           for j, item in enumerate(UWES_ITEMS)},
    })
    return frame[answered].reset_index(drop=True)[EMPLOYEE_COLUMNS], engagement


def _engagement_attenuation(n_teams=20_000, seed=POPULATION_SEED):
    """Slope of latent team engagement on the measured team mean (UWES points).

    The regression of first-contact resolution on the *measured* team engagement is the
    regression on the latent one times this factor (errors in the measure are
    independent of everything else).
    """
    rng = _employee_rng(seed)
    latent = rng.standard_normal(n_teams)
    answers = _agent_answers(rng, latent, AGENTS_PER_TEAM).astype(float)
    answered = rng.random(len(answers)) < EMPLOYEE_RESPONSE_RATE
    team = np.repeat(np.arange(n_teams), AGENTS_PER_TEAM)
    score = answers.mean(axis=1)
    sums = np.bincount(team[answered], weights=score[answered], minlength=n_teams)
    counts = np.bincount(team[answered], minlength=n_teams)
    ok = counts > 0
    measured = sums[ok] / counts[ok]
    return float(np.cov(latent[ok], measured)[0, 1] / np.var(measured, ddof=1))


def _first_agent_contact(world):
    """Per respondent: the index of the contact that attributes it (ATTRIBUTION_RULE), or -1."""
    c = world["contacts"]
    n = len(world["customer"])
    respondent_of = np.full(len(world["segment"]), -1)
    respondent_of[world["customer"]] = np.arange(n)
    r = respondent_of[c["customer"]]
    end = world["day"] * _DAY
    ok = (r >= 0) & (c["agent"] >= 0)
    idx = np.flatnonzero(ok)
    rr = r[idx]
    inside = (c["t"][idx] >= end[rr] - WINDOW_DAYS * _DAY) & (c["t"][idx] < end[rr])
    idx, rr = idx[inside], rr[inside]
    order = np.lexsort((idx, c["t"][idx], rr))
    idx, rr = idx[order], rr[order]
    first = np.r_[True, rr[1:] != rr[:-1]] if len(rr) else np.zeros(0, bool)
    out = np.full(n, -1)
    out[rr[first]] = idx[first]
    return out


def _ols(y, columns):
    x = np.column_stack([np.ones(len(y)), *columns])
    return np.linalg.lstsq(x, y, rcond=None)[0]


def _chain_population(world):
    """Population values of the chain, in the units the driver report estimates them."""
    c = world["contacts"]
    pick = world["attributed_contact"]
    who = pick >= 0
    at = pick[who]
    fcr = c["resolved"][at].astype(float)
    qa = c["qa_score"][at]
    feat = dict(zip(FEATURES, world["features"][who].T))
    items = world["items"]
    sat = (items["sat1"][who] + items["sat2"][who] + (8 - items["sat3"][who])) / 3
    stay = sum(items[s][who] for s in STAY_ITEMS) / 3
    cov = [feat[f] for f in CHAIN_COVARIATES]
    b_fcr, b_qa = _ols(sat, [fcr, qa, *cov])[1:3]
    c_stay = _ols(stay, [sat, fcr, qa, *cov])[1]
    # a for quality (Stein's lemma): d E[qa_score] / d E = loading * E[h'(q)], q ~ N(0, 1),
    # h(q) = clip(round(centre + spread * q), 0, 100) steps up by 1 where q crosses q_v
    cuts = (np.arange(QA_RANGE[0], QA_RANGE[1]) + 0.5 - QA_CENTRE) / QA_SPREAD
    qa_slope = float(np.sum(np.exp(-cuts**2 / 2)) / math.sqrt(2 * math.pi))
    # a (Stein's lemma): d E[fcr] / d E = corr * TEAM_SD * E[p (1 - p)], the mean over the
    # attributed contacts and over agents' skill ~ N(0, TEAM_SD^2 + AGENT_SD^2)
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    skill = math.sqrt(TEAM_SD**2 + AGENT_SD**2) * nodes
    logit = (_by_channel(RESOLUTION_LOGIT)[c["channel"][at]]
             + TRANSFER_RESOLUTION_LOGIT * c["transfers"][at])
    p = _expit(logit[:, None] + skill[None, :])
    slope = float(np.mean((p * (1 - p)) @ (weights / weights.sum())))
    return {"p_dp": slope, "qa_slope": qa_slope, "b": float(b_fcr), "b_qa": float(b_qa),
            "c": float(c_stay), "attributed_share": float(who.mean())}


def _chain_truth(engagement, pop):
    """The ``service_profit_chain`` block of truth.yaml."""
    rho = ENGAGEMENT_RESOLUTION_CORR
    kappa = _engagement_attenuation()
    a = rho * TEAM_SD * pop["p_dp"] * kappa
    a_qa = QA_ENGAGEMENT_LOADING * pop["qa_slope"] * kappa
    via_fcr, via_qa = a * pop["b"], a_qa * pop["b_qa"]
    return {
        "employee_survey": {
            "file": EMPLOYEE_FILE, "scale": "UWES-9 (vigour, dedication, absorption)",
            "items": list(UWES_ITEMS), "range": list(UWES_RANGE), "loadings": list(UWES_LOADINGS),
            "centre": UWES_CENTRE, "spread": UWES_SPREAD,
            "team_share_of_engagement_variance": ENGAGEMENT_TEAM_SHARE,
            "response_rate": EMPLOYEE_RESPONSE_RATE, "blank_share": EMPLOYEE_BLANK_SHARE},
        "planted": {
            "equation": ("team resolution logit shift = corr * team_sd * E + team_sd * sqrt(1 - corr^2)"
                         " * u; E = latent team engagement (SD 1); agent engagement = "
                         "sqrt(team_share) * E + sqrt(1 - team_share) * noise"),
            "engagement_resolution_corr": rho,
            "resolution_logit_per_sd_team_engagement": _r(rho * TEAM_SD),
            "team_engagement_latent": {f"T{i + 1:02d}": _r(v) for i, v in enumerate(engagement)},
            "resolution_to_satisfaction": ("an unresolved contact brings repeat contacts "
                                           f"({SAT_GAMMA['repeat_contacts']:+} raw satisfaction each)"),
            "handle_quality": {
                "column": "qa_score",
                "equation": ("q = loading * E + sqrt(agent_share) * agent + sqrt(1 - loading^2 - agent_share)"
                             " * noise (agent-handled contacts); qa_score = clip(round(centre + spread * q), "
                             "0, 100); sat_raw += satisfaction_effect * q of the respondent's attributing "
                             "contact"),
                "engagement_loading": QA_ENGAGEMENT_LOADING, "agent_share": QA_AGENT_SHARE,
                "centre": QA_CENTRE, "spread": QA_SPREAD, "range": list(QA_RANGE),
                "satisfaction_effect": SAT_QUALITY},
            "satisfaction_to_stay": LOY_SAT,
            "direct_engagement_to_satisfaction": 0.0,
        },
        "attribution": ATTRIBUTION_RULE,
        "covariates": list(CHAIN_COVARIATES),
        "expected": {
            "a_fcr_per_engagement_point": _r(a),
            "a_qa_per_engagement_point": _r(a_qa),
            "b_satisfaction_per_fcr": _r(pop["b"]),
            "b_satisfaction_per_qa_point": _r(pop["b_qa"]),
            "c_stay_per_satisfaction": _r(pop["c"]),
            "indirect_via_fcr": _r(via_fcr),
            "indirect_via_qa": _r(via_qa),
            "indirect_engagement_satisfaction": _r(via_fcr + via_qa),
            "indirect_engagement_stay": _r((via_fcr + via_qa) * pop["c"]),
            "direct_engagement_satisfaction": 0.0,
            "engagement_attenuation": _r(kappa),
            "note": ("population values of the observed-score regressions report 04 fits, not of "
                     "the latent variables (the planted satisfaction_to_stay between latents is "
                     f"{LOY_SAT}; the scale means carry measurement error, rounding and clipping): "
                     "fcr (0/1) and qa_score (0-100) of the attributing contact per point of measured "
                     "team engagement (mean UWES score, 0-6), satisfaction and stay scale means (1-7) "
                     "by OLS on the population's clean answers with fcr, qa_score and covariates "
                     + ", ".join(CHAIN_COVARIATES)
                     + "; indirect_engagement_satisfaction is the total indirect effect (via fcr plus "
                     "via qa); a of fcr by Stein's lemma over agent skill, a of qa by Stein's lemma over "
                     "the rounded, clipped score, each times the attenuation of the measured "
                     f"team mean ({pop['attributed_share']:.0%} of population respondents are "
                     "attributed). Checked against the report's random-intercept estimates on "
                     "large worlds (synth.chain_sample, tests/test_chain_truth.py); careless "
                     "respondents, kept by the report, pull c about 0.005 lower"),
        },
    }


def chain_sample(seed=DEFAULT_SEED, *, n_respondents=2000, n_teams=N_TEAMS):
    """The Service Profit Chain's analysis data as report 04 sees it, from a world of any size.

    The demo's generator with ``n_respondents`` respondents, ten customers per respondent,
    ten contacts per customer (the demo's ratios) and ``n_teams`` teams: the survey as
    fielded (careless answers kept, "don't know" and blanks missing), scale scores as
    :func:`cxlab.quality.scale_scores` makes them, the employee survey scored as
    :mod:`cxlab.employees` does, respondents attributed by the attribution rule. With the
    default sizes and seed it is the demo's own chain sample; large ones give the values the
    report's estimators converge to (the checks of ``truth.yaml``'s chain values).

    Parameters
    ----------
    seed : int, default=20261123
        Seed of the world (the demo's by default).
    n_respondents : int, default=2000
        Survey respondents (the demo has 2,000).
    n_teams : int, default=20
        Teams of ten agents (the demo has 20).

    Returns
    -------
    DataFrame
        One row per attributed respondent with complete data: ``team`` (0-based),
        ``team_engagement`` (mean UWES score of the team's responding agents, 0-6),
        ``fcr`` (0/1), ``qa_score`` (handle quality, 0-100), ``satisfaction`` and
        ``intention_to_stay`` (1-7) and the covariates ``long_waits``, ``abandoned``,
        ``transfers`` and ``escalations``.

    Examples
    --------
    >>> from cxlab.synth import chain_sample
    >>> data = chain_sample(n_respondents=200)
    >>> data.columns.tolist()[:6]
    ['team', 'team_engagement', 'fcr', 'qa_score', 'satisfaction', 'intention_to_stay']
    """
    caller = "chain_sample"
    check_int(seed, "seed", caller, low=0)
    check_int(n_respondents, "n_respondents", caller, low=50)
    check_int(n_teams, "n_teams", caller, low=2)
    n_customers = 10 * n_respondents
    world = _simulate(seed, n_customers=n_customers, n_contacts=10 * n_customers,
                      n_respondents=n_respondents, n_teams=n_teams)
    survey, _ = _survey_frame(world, _streams(seed)["mess"])
    employees, _ = _employee_survey(world, seed)

    def score(frame, items, low, high):
        x = frame[items].astype(float).to_numpy()
        x[(x < low) | (x > high)] = np.nan  # "don't know" (99)
        answered = np.sum(~np.isnan(x), axis=1)
        with np.errstate(invalid="ignore"):
            mean = np.nansum(np.nan_to_num(x), axis=1) / answered
        return np.where(2 * answered >= len(items), mean, np.nan)

    survey = survey.assign(sat3=8 - survey["sat3"])  # reverse-keyed
    engagement = score(employees, list(UWES_ITEMS), *UWES_RANGE)
    team_of = employees["team_id"].str[1:].astype(int).to_numpy() - 1
    ok = ~np.isnan(engagement)
    team_mean = (np.bincount(team_of[ok], engagement[ok], n_teams)
                 / np.bincount(team_of[ok], minlength=n_teams).clip(1))
    team_mean[np.bincount(team_of[ok], minlength=n_teams) == 0] = np.nan
    pick = world["attributed_contact"]
    who = pick >= 0
    c = world["contacts"]
    team = c["agent"][pick[who]] // AGENTS_PER_TEAM
    data = pd.DataFrame({
        "team": team, "team_engagement": team_mean[team],
        "fcr": c["resolved"][pick[who]].astype(float), "qa_score": c["qa_score"][pick[who]],
        "satisfaction": score(survey, SAT_ITEMS, 1, 7)[who],
        "intention_to_stay": score(survey, STAY_ITEMS, 1, 7)[who],
        **{f: world["features"][who, FEATURES.index(f)] for f in CHAIN_COVARIATES}})
    return data.dropna().reset_index(drop=True)


def _employee_readme_rows(truth):
    """The README's line on the employee survey (none for a truth without one)."""
    chain = truth.get("service_profit_chain")
    if not chain:
        return []
    exp = chain["expected"]
    return [f"| `{EMPLOYEE_FILE}` | yes | UWES-9 work engagement of the agents (0-6); planted "
            f"chain team engagement -> first-contact resolution (+{exp['a_fcr_per_engagement_point']:.3f}"
            f" per point; {exp['b_satisfaction_per_fcr']:+.3f} satisfaction per resolved contact) and "
            f"handle quality (`qa_score` in the contact log, +{exp['a_qa_per_engagement_point']:.2f} QA "
            f"points per point; {exp['b_satisfaction_per_qa_point']:+.4f} satisfaction per QA point) -> "
            f"satisfaction (total indirect {exp['indirect_engagement_satisfaction']:+.3f} per point) -> "
            f"intention to stay ({exp['c_stay_per_satisfaction']:+.3f}) |"]


def employee_csv_bytes(frame):
    """Serialise the employee survey exactly as ``employee_survey.csv`` is written."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


# =====================================================================================
# Helpers: validation, atomic writes, README, command line
# =====================================================================================


def _write_bytes(path, data):
    """Write `data` to `path` atomically: temp file in the same folder, then replace."""
    return _atomic(path, lambda tmp: Path(tmp).write_bytes(data))


def _write_parquet(path, frame):
    return _atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))


def _atomic(path, write):
    """Call ``write(tmp)`` on a temp file beside `path`, then move it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def readme_bytes(truth):
    """The human-readable description of the demo data (``README.md``) from the truth."""
    pop, exp = truth["population"], truth["expected"]
    w1, w2, ch = pop["wave_1"], pop["wave_2"], pop["change"]
    beta = truth["satisfaction"]["beta"]
    gamma = truth["satisfaction"]["contact_effects"]
    cm = truth["contact_model"]["observed_in_population"]
    seg = truth["satisfaction"]["segment_effects"]
    loy_direct = truth["loyalty"]["direct_contact_effects"]
    r_p = [v for row in truth["measurement"]["perception_factor_correlations"].values()
           for v in row.values()]
    lines = [
        "# Demo study: synthetic CX data with a known generating model",
        "",
        "Generated by `cxlab.synth` (`python -m cxlab.synth data/raw/demo`). Every effect",
        "below is planted; `truth.yaml` holds all numbers. Nothing here is real customer data.",
        "",
        "| file | in git | content |",
        "|---|---|---|",
        f"| `survey.csv` | yes | {truth['sizes']['n_respondents']:,} respondents, two "
        "cross-sectional waves (June and November 2025) |",
        "| `truth.yaml` | yes | the generating model and the true population values |",
        *_employee_readme_rows(truth),
        f"| `contacts.parquet` | no | {truth['sizes']['n_contacts']:,} contacts of "
        f"{truth['sizes']['n_customers']:,} customers in 2025; regenerate with "
        "`cxlab.synth.ensure_demo_contacts` |",
        "",
        "## The model",
        "",
        "1. **Contacts.** Customers raise issues through 2025; an issue gets one or more "
        "contacts (phone, email, chat, web, social) until it is resolved or the customer "
        "gives up. Phone callers wait in a queue (front-loaded hang-ups; callbacks offered "
        "on long waits), digital contacts start self-service and may escalate to a live "
        f"agent. Agents sit in teams of {AGENTS_PER_TEAM} whose resolution rates differ. "
        f"Small-business customers wait {SMALL_BUSINESS_WAIT_FACTOR} times longer.",
        f"2. **SERVQUAL.** Five correlated perception latents (r = {min(r_p):.2f}-{max(r_p):.2f})"
        " and five "
        "expectation latents drive the 22 `p_` and 22 `e_` items (loadings 0.65-0.85, "
        "answers rounded onto 1-7). Expectations exceed perceptions, most for reliability "
        f"(true wave-1 gap {w1['gap_mean']['reliability']:+.2f}).",
        "3. **Satisfaction** (`sat1`-`sat3`, `sat3` reverse-keyed) = "
        + ", ".join(f"{beta[d]:.2f} x {d}" for d in sorted(beta, key=lambda d: -beta[d]))
        + f" + contact experience in the {WINDOW_DAYS} days before the interview ("
        + ", ".join(f"{g:+.2f} per {f}" for f, g in gamma.items())
        + f") {seg['premium']:+.2f} for premium customers + noise. Expectations have no "
        "direct effect.",
        f"4. **Loyalty** (`stay1`-`stay3`) = {truth['loyalty']['satisfaction_effect']:.2f} x "
        "satisfaction " + " ".join(f"{g:+.2f} per {f}" for f, g in loy_direct.items())
        + " contact + noise; **NPS** from satisfaction and "
        "loyalty; **CES** mainly from waits, transfers and repeat contacts; **Temkin** "
        "items from satisfaction and the contact experience.",
        f"5. **Mess.** {SPEEDER_SHARE:.0%} speeders (under 150 s, random SERVQUAL answers), "
        f"{STRAIGHTLINER_SHARE:.0%} straight-liners on the `p_` items, about "
        f"{DONT_KNOW_SHARE:.0%} `{DONT_KNOW_CODE}` = don't know on SERVQUAL, about "
        f"{BLANK_SHARE:.1%} blank cells, a few blank `nps`. Their ids are in `truth.yaml`.",
        "",
        "## What an analysis should find",
        "",
        "- Driver importance: " + " > ".join(exp["driver_ranking"]) + ".",
        "- Top contact levers: " + " and ".join(exp["top_contact_levers"])
        + " (ranking: " + " > ".join(exp["contact_lever_ranking"]) + ").",
        f"- Between the waves responsiveness perception rises by "
        f"{truth['wave_change']['responsiveness_perception_shift_sd']} SD and phone queues "
        f"shorten (mean wait {cm['before_change']['phone_mean_queue_wait_sec']:.0f} s -> "
        f"{cm['after_change']['phone_mean_queue_wait_sec']:.0f} s).",
        "",
        "| true population value | wave 1 | wave 2 | change |",
        "|---|---|---|---|",
    ]
    for key in ("nps", "csat_top2_pct", "satisfaction_mean", "stay_mean", "ces_mean",
                "temkin_easy_mean"):
        lines.append(f"| {key} | {w1[key]:.2f} | {w2[key]:.2f} | {ch[key]:+.2f} |")
    for d in truth["measurement"]["perception"]:
        lines.append(f"| perception_mean.{d} | {w1['perception_mean'][d]:.2f} | "
                     f"{w2['perception_mean'][d]:.2f} | {ch['perception_mean'][d]:+.2f} |")
    lines += ["", "Practically changed: " + ", ".join(pop["practically_changed"]) + ".",
              "Practically unchanged: " + ", ".join(pop["practically_unchanged"]) + ".", ""]
    lines += _readme_blocks(truth)
    return "\n".join(lines).encode("utf-8")


def _readme_blocks(truth):
    """README lines on the Six Pillars and customer-sacrifice blocks (empty when the truth has none)."""
    if "pillars" not in truth:
        return []
    pil, sac = truth["pillars"], truth["sacrifice"]
    lines = ["## Six Pillars and customer sacrifice", "",
             f"- **Six Pillars** (`pil_*`, three items each, loadings {min(pil['loadings'])}-{max(pil['loadings'])}, "
             f"pillar latents correlated {pil['latent_correlation']}): drawn given the respondents' recommend and "
             "loyalty latents so that, in the population, each outcome's regression on the pillars has the planted "
             "coefficients."]
    for outcome, ranking in pil["ranking"].items():
        coef = pil["coefficients"][outcome]
        lines.append(f"- Pillar importance for {outcome} (latent Shapley shares): "
                     + " > ".join(f"{p} ({pil['latent_importance'][outcome][p]:.2f}; b = {coef[p]:.2f})"
                                  for p in ranking) + ".")
    lines.append("- **Customer sacrifice** (what customers want exactly minus what they settle for, both on 1-7): "
                 + ", ".join(f"{a} {g:+.2f}" for a, g in sac["population_sacrifice"].items())
                 + " scale points in the population.")
    return lines + [""]


def main(argv=None):
    """Command line: ``python -m cxlab.synth OUTDIR [--seed N] [--no-contacts]``."""
    parser = argparse.ArgumentParser(prog="python -m cxlab.synth", description=main.__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-contacts", action="store_true")
    args = parser.parse_args(argv)
    for name, path in write_demo(args.outdir, seed=args.seed,
                                 contacts=not args.no_contacts).items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
