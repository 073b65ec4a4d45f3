"""Studies: one YAML file describing data, codebook, models and analysis parameters.

A study is validated once, on load, and every problem is reported together: unknown
keys, wrong types, out-of-range values and missing files each give one message that
names the key. The result is a frozen :class:`Study` that the runner hands to every
notebook (as the YAML path plus the validated parameter overrides).

Examples
--------
>>> from cxlab.study import load_study, demo_study_path
>>> study = load_study(demo_study_path(), overrides={"seed": 7})
>>> study.name, study.parameters["seed"]
('demo', 7)
"""

from __future__ import annotations

import collections.abc
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

import yaml

from ._validation import check_identifier, param_error

__all__ = [
    "PARAMETERS",
    "SCHEMA",
    "schema_text",
    "model_columns",
    "Codebook",
    "Study",
    "StudyError",
    "SURVEY_POLICIES",
    "demo_study_path",
    "load_study",
    "new_study",
    "parse_override",
]


class StudyError(ValueError):
    """A study file (or its overrides) failed validation.

    ``problems`` lists every problem found, each naming the key at fault.
    """

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s) found:\n{lines}")


# --------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Param:
    """Declared analysis parameter: default, accepted type and constraint."""

    default: Any
    kind: str  # "int", "float", "str", "bool", "int_list", "str_or_none", "int_or_none"
    help: str
    check: Callable[[Any], bool] | None = None
    allowed: str = ""  # human-readable constraint, used in messages


def _in(*options):
    return dict(check=lambda v: v in options, allowed="one of " + ", ".join(map(repr, options)))


def _between(lo, hi, *, lo_open=False, hi_open=False):
    def check(v):
        return (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)

    lb, rb = ("(" if lo_open else "["), (")" if hi_open else "]")
    return dict(check=check, allowed=f"in {lb}{lo}, {hi}{rb}")


#: Every analysis parameter a study may set (under ``parameters:``) or a run may
#: override (``cxlab run -p NAME=VALUE``), with its default.
PARAMETERS: dict[str, Param] = {
    "outcome": Param(None, "str_or_none", "main outcome: a codebook scale or single item (null = none)"),
    "loyalty": Param(None, "str_or_none", "loyalty outcome: a codebook scale or single item (null = none)"),
    "waves": Param(None, "int_list", "waves to analyse (null = all waves in the data)"),
    "baseline_wave": Param(None, "int_or_none", "wave the monitoring compares against (null = first)"),
    "alpha_level": Param(0.05, "float", "significance level of tests", **_between(0, 0.5, lo_open=True)),
    "ci_level": Param(0.95, "float", "confidence level of intervals", **_between(0.5, 1, hi_open=True)),
    "bootstrap": Param(200, "int", "bootstrap resamples (0 = none)", **_between(0, 100_000)),
    "seed": Param(2026, "int", "random seed for bootstrap, parallel analysis and simulation", **_between(0, 2**32 - 1)),
    "min_cell_size": Param(10, "int", "smallest group shown in a segment table", **_between(1, 10_000)),
    "contact_window_days": Param(90, "int", "days before the survey date whose contacts are linked", **_between(1, 730)),
    "drivers": Param(None, "str_list", "scales or single items that drive the outcome (null = the outcome's "
                     "predictors in the structural model, else every other scale)"),
    "estimator": Param("ML", "str", "SEM estimator", **_in("ML", "MLR", "WLSMV")),
    "missing": Param("listwise", "str", "SEM missing-data handling", **_in("listwise", "fiml")),
    "n_factors": Param(None, "int_or_none", "EFA factors (null = parallel analysis decides)", **_between(1, 50)),
    "efa_method": Param("minres", "str", "EFA extraction", **_in("minres", "ml", "pa")),
    "rotation": Param("oblimin", "str", "EFA rotation", **_in("none", "varimax", "promax", "oblimin")),
    "loading_cutoff": Param(0.3, "float", "loadings below this are hidden in tables", **_between(0, 1, lo_open=True, hi_open=True)),
    "importance_method": Param("shapley", "str", "driver importance method", **_in("shapley", "relative_weights")),
    "pls": Param(True, "bool", "report 03 also estimates the structural model by PLS path modelling beside CB-SEM"),
}

_KIND_NAMES = {
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "int_list": "a list of integers or null",
    "str_list": "a list of names or null",
    "int_or_none": "an integer or null",
    "str_or_none": "a string or null",
}


def _type_ok(kind: str, v: Any) -> bool:
    is_int = isinstance(v, int) and not isinstance(v, bool)
    return {
        "int": is_int,
        "float": (is_int or isinstance(v, float)),
        "str": isinstance(v, str),
        "bool": isinstance(v, bool),
        "int_list": v is None or (isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v)),
        "str_list": v is None or (isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v)),
        "int_or_none": v is None or is_int,
        "str_or_none": v is None or isinstance(v, str),
    }[kind]


def _check_parameters(values: Mapping[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        spec = PARAMETERS.get(key)
        if spec is None:
            problems.append(f"{where}.{key}: unknown parameter (known: {', '.join(sorted(PARAMETERS))})")
            continue
        if not _type_ok(spec.kind, value):
            problems.append(f"{where}.{key}: must be {_KIND_NAMES[spec.kind]}; got {value!r}")
            continue
        if spec.kind == "float":
            value = float(value)
        if value is not None and spec.check is not None and not spec.check(value):
            problems.append(f"{where}.{key}: must be {spec.allowed}; got {value!r}")
            continue
        out[key] = value
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """Parse one ``NAME=VALUE`` run override; VALUE is read as a YAML scalar or list.

    >>> parse_override("seed=7"), parse_override("waves=[1, 2]"), parse_override("estimator=MLR")
    (('seed', 7), ('waves', [1, 2]), ('estimator', 'MLR'))
    """
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise StudyError("-p", [f"{text!r}: expected NAME=VALUE, e.g. -p seed=7"])
    if len(raw) > 10_000:
        raise StudyError("-p", [f"{name.strip()}: the value is {len(raw):,} characters; at most 10,000"])
    try:
        value = _parse_yaml(raw, "-p") if raw.strip() else None
    except StudyError as exc:
        raise StudyError("-p", [f"{name.strip()}: cannot read value {raw!r} ({exc.problems[0]})"]) from None
    return name.strip(), value


# --------------------------------------------------------------------------- codebook
@dataclass(frozen=True)
class Codebook:
    """What the survey's columns mean.

    Attributes
    ----------
    respondent_id, customer_id : str or None
        Key columns. Without ``respondent_id`` respondents are keyed by their row in the
        file. ``customer_id`` links survey answers to contacts; both are direct
        identifiers and never leave the data layer unpseudonymised.
    identifiers : tuple of str
        Further direct identifiers (names, e-mail addresses, phone numbers, free text).
    segment, wave, date, duration : str or None
        Column names of the segment, the survey wave, the survey date and the
        completion time in seconds.
    missing_codes : tuple
        Answer codes that mean "missing" (e.g. 99, "don't know").
    reverse_keyed : tuple of str
        Items recoded as ``lo + hi - x`` on their scale's range.
    scales : mapping
        Scale name -> ``{"items": (...), "range": (lo, hi)}``; includes the SERVQUAL
        dimensions as ``e_<dimension>`` and ``p_<dimension>``.
    single_items : mapping
        Name -> ``{"column": str, "range": (lo, hi)}`` (e.g. NPS 0-10, CES 1-7).
    servqual : mapping or None
        ``{"range", "expectation_prefix", "perception_prefix", "dimensions"}``.
    on_invalid : mapping
        Handling of each survey problem (see :data:`SURVEY_POLICIES`, whose first
        handling is the default): ``error`` (stop, naming file, column, rows and count),
        ``drop`` (leave the row out; for ``undeclared_identifier``, the column) or
        ``set_missing`` (the answer becomes missing). What was dropped or set missing
        is counted in the data-quality table. In the YAML one word sets every problem
        where it applies; a mapping sets them one by one.
    free_text : tuple of str
        Open answers. They are kept, but e-mail addresses, phone numbers and the
        respondent's own identifiers are removed from them before anything is written.
    segment_labels, wave_labels : mapping
        Display label of each segment / wave code (``{1: "Postpaid"}``); codes without a
        label are shown as they are.
    labels : mapping
        Display label of any scale, single item, latent variable or column; scales and
        single items may also carry their own ``label``. See :meth:`label`.
    metrics : mapping
        Headline metrics the survey carries: ``nps``, ``csat``, ``ces``,
        ``intention_to_stay`` -> a coded column; ``temkin`` -> a scale of three items.
    pillars : mapping or None
        KPMG Nunwood's Six Pillars: ``{"range": (lo, hi), "items": {pillar: (columns)}}``
        with pillar names from :data:`cxlab.pillars.PILLARS`.
    sacrifice : mapping or None
        Pine & Gilmore's customer sacrifice: ``{"range": (lo, hi), "attributes":
        {attribute: {"wanted": column, "settled": column}}}``.
    """

    respondent_id: str | None
    customer_id: str | None
    identifiers: tuple[str, ...]
    segment: str | None
    wave: str | None
    date: str | None
    duration: str | None
    missing_codes: tuple
    reverse_keyed: tuple[str, ...]
    scales: Mapping[str, Mapping[str, Any]]
    single_items: Mapping[str, Mapping[str, Any]]
    servqual: Mapping[str, Any] | None
    on_invalid: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(
        {k: v[0] for k, v in SURVEY_POLICIES.items()}))
    free_text: tuple[str, ...] = ()
    segment_labels: Mapping[Any, str] = field(default_factory=dict)
    wave_labels: Mapping[Any, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, str] = field(default_factory=dict)
    pillars: Mapping[str, Any] | None = None
    sacrifice: Mapping[str, Any] | None = None

    def label(self, name: str) -> str:
        """Display label of a scale, single item, latent variable or column (the name itself if none).

        >>> cb = Codebook(None, None, (), None, None, None, None, (), (),
        ...               {"CUSA": {"items": ("a",), "range": (1, 10), "label": "Satisfaction"}}, {}, None)
        >>> cb.label("CUSA"), cb.label("IMAG")
        ('Satisfaction', 'IMAG')
        """
        if name in self.labels:
            return self.labels[name]
        for block in (self.scales, self.single_items):
            if name in block and block[name].get("label"):
                return block[name]["label"]
        if self.pillars and name in self.pillars["items"]:
            from .pillars import PILLAR_LABELS

            return PILLAR_LABELS[name]
        # the item groups of the two blocks (item_groups): "pillar_<pillar>", "sacrifice_<attribute>"
        if self.pillars and name.startswith("pillar_") and name[7:] in self.pillars["items"]:
            return f"{self.label(name[7:])} (pillar)"
        if self.sacrifice and name.startswith("sacrifice_") and name[10:] in self.sacrifice["attributes"]:
            return f"{self.label(name[10:])} (sacrifice)"
        return name

    def metric_specs(self) -> dict[str, Any]:
        """The codebook's headline metrics in the form of :func:`cxlab.measures.summarise`'s ``metrics``.

        >>> cb = Codebook(None, None, (), None, None, None, None, (), (), {}, {"ltr": {"column": "q9",
        ...               "range": (0, 10)}}, None, metrics={"nps": "q9"})
        >>> cb.metric_specs()
        {'nps': 'q9'}
        """
        ranges = self.item_ranges()
        out: dict[str, Any] = {}
        for name, target in self.metrics.items():
            if name == "nps":
                out["nps"] = target
            elif name == "temkin":
                out["temkin_xi"] = list(self.scales[target]["items"])
            else:
                out[name] = {"column": target, "scale": tuple(ranges[target])}
        return out

    def columns_of(self, name: str) -> list[str]:
        """The item columns of a scale or single item, ``[]`` when the name is neither."""
        if name in self.scales:
            return list(self.scales[name]["items"])
        if name in self.single_items:
            return [self.single_items[name]["column"]]
        return []

    def item_ranges(self) -> dict[str, tuple[int, int]]:
        """Response range of every coded item, ``{column: (lo, hi)}``."""
        out = {}
        for scale in self.scales.values():
            out.update({item: tuple(scale["range"]) for item in scale["items"]})
        for single in self.single_items.values():
            out[single["column"]] = tuple(single["range"])
        out.update({c: rng for c, (_, rng) in self.block_items().items()})
        return out

    def block_items(self) -> dict[str, tuple[str, tuple[int, int]]]:
        """Columns of the ``pillars`` and ``sacrifice`` blocks: ``{column: (where declared, range)}``."""
        out = {}
        if self.pillars:
            for name, items in self.pillars["items"].items():
                out.update({c: (f"codebook.pillars.items.{name}", tuple(self.pillars["range"])) for c in items})
        if self.sacrifice:
            for name, pair in self.sacrifice["attributes"].items():
                out.update({c: (f"codebook.sacrifice.attributes.{name}.{side}", tuple(self.sacrifice["range"]))
                            for side, c in pair.items()})
        return out

    def block_of(self, column: str) -> str | None:
        """Where a column of the ``pillars`` or ``sacrifice`` block is declared (None for other columns).

        >>> cb = Codebook(None, None, (), None, None, None, None, (), (), {}, {}, None,
        ...               pillars={"range": (1, 7), "items": {"empathy": ("pe1", "pe2")}})
        >>> cb.block_of("pe2"), cb.block_of("nps")
        ('codebook.pillars.items.empathy', None)
        """
        found = self.block_items().get(column)
        return found[0] if found else None

    def servqual_items(self, kind: str = "p") -> dict[str, list[str]]:
        """SERVQUAL columns per dimension; ``kind`` is ``"e"`` (expectation) or ``"p"``."""
        if not self.servqual:
            return {}
        prefix = self.servqual["expectation_prefix" if kind == "e" else "perception_prefix"]
        if prefix is None:
            return {}
        return {dim: [prefix + i for i in items] for dim, items in self.servqual["dimensions"].items()}

    def item_groups(self, *, labelled: bool = False) -> dict[str, list[str]]:
        """Every scale's items and every single item, ``{name: [columns]}`` (for missingness tables).

        With ``labelled=True`` the keys are the display labels (:meth:`label`).
        """
        groups = {name: list(scale["items"]) for name, scale in self.scales.items()}
        groups.update({name: [s["column"]] for name, s in self.single_items.items()})
        if self.pillars:
            groups.update({f"pillar_{name}": list(items) for name, items in self.pillars["items"].items()})
        if self.sacrifice:
            groups.update({f"sacrifice_{name}": [pair["wanted"], pair["settled"]]
                           for name, pair in self.sacrifice["attributes"].items()})
        return {self.label(k): v for k, v in groups.items()} if labelled else groups

    def score_ranges(self, names) -> dict[str, tuple[int, int]]:
        """Response range of each named scale, single item or SERVQUAL dimension (scores share the items' range)."""
        out = {}
        for name in names:
            if name in self.scales:
                out[name] = tuple(self.scales[name]["range"])
            elif name in self.single_items:
                out[name] = tuple(self.single_items[name]["range"])
            elif self.servqual and name in self.servqual["dimensions"]:
                out[name] = tuple(self.servqual["range"])
            else:
                raise param_error("names", "score_ranges",
                                  "hold scales, single items or SERVQUAL dimensions", name)
        return out

    @property
    def direct_identifiers(self) -> tuple[str, ...]:
        """Every column that identifies a person directly."""
        keys = (self.respondent_id, self.customer_id, *self.identifiers)
        return tuple(dict.fromkeys(k for k in keys if k))


_CODEBOOK_KEYS = {
    "respondent_id", "customer_id", "identifiers", "segment", "wave", "date", "duration",
    "missing_codes", "reverse_keyed", "scales", "single_items", "servqual", "on_invalid", "free_text",
    "labels", "metrics", "pillars", "sacrifice",
}
#: Headline metrics a codebook may declare under ``metrics:``, and what each needs.
METRICS = {
    "nps": "a 0-10 likelihood-to-recommend column",
    "csat": "a satisfaction column (top-two-box share)",
    "ces": "a customer-effort column (mean)",
    "intention_to_stay": "an intention-to-stay column (top-two-box share)",
    "temkin": "a scale of three items: useful, easy, enjoyable",
}

#: Problems a survey file can have, and the handlings each accepts (the first is the default).
SURVEY_POLICIES: dict[str, tuple[str, ...]] = {
    "non_numeric": ("error", "drop", "set_missing"),
    "out_of_range": ("error", "drop", "set_missing"),
    "duplicate_id": ("error", "drop"),
    "missing_id": ("error", "drop"),
    # identifiers outside the declared identifier columns: undeclared columns are dropped, labels redacted
    "undeclared_identifier": ("drop", "error"),
}


def _policies(raw: Any, where: str, table: Mapping[str, tuple[str, ...]], problems: list[str]) -> dict[str, str]:
    """``on_invalid`` as {problem: handling}: one word for all (where it applies) or a mapping."""
    chosen = {k: v[0] for k, v in table.items()}
    if raw is None:
        return chosen
    words = sorted({w for v in table.values() for w in v})
    if isinstance(raw, str):
        if raw not in words:
            problems.append(f"{where}: must be one of {', '.join(map(repr, words))} or a mapping "
                            f"of {', '.join(table)}; got {raw!r}")
            return chosen
        return {k: (raw if raw in ok else chosen[k]) for k, ok in table.items()}
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be one of {', '.join(map(repr, words))} or a mapping; got {raw!r}")
        return chosen
    for key, value in raw.items():
        if key not in table:
            problems.append(f"{where}.{key}: unknown problem (known: {', '.join(table)})")
        elif value not in table[key]:
            problems.append(f"{where}.{key}: must be one of {', '.join(map(repr, table[key]))}; got {value!r}")
        else:
            chosen[key] = value
    return chosen
_SERVQUAL_KEYS = {"range", "expectation_prefix", "perception_prefix", "dimensions"}
_SACRIFICE_SIDES = ("wanted", "settled")


def _block(raw, where: str, inner: str, must: str, problems: list[str]) -> tuple[tuple | None, dict | None]:
    """The ``range`` and the inner mapping of a ``{range, <inner>: {...}}`` codebook block (None where invalid)."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with 'range' and {inner!r}; got {raw!r}")
        return None, None
    for key in sorted(set(raw) - {"range", inner}):
        problems.append(f"{where}.{key}: unknown key (known: {inner}, range)")
    rng = _range(raw.get("range"), f"{where}.range", problems)
    body = raw.get(inner)
    if not isinstance(body, dict) or not body:
        problems.append(f"{where}.{inner}: must {must}; got {body!r}")
        return rng, None
    return rng, body


def _pillars(raw, problems) -> dict | None:
    """``codebook.pillars``: ``{range, items: {pillar: [columns]}}`` with known pillar names."""
    from .pillars import PILLARS

    if raw is None:
        return None
    where = "codebook.pillars"
    rng, items = _block(raw, where, "items", f"map each pillar ({', '.join(PILLARS)}) to its item columns", problems)
    if items is None:
        return None
    out = {}
    for name, cols in items.items():
        if name not in PILLARS:
            problems.append(f"{where}.items.{name}: unknown pillar (known: {', '.join(PILLARS)})")
            continue
        cols = _str_list(cols, f"{where}.items.{name}", problems)
        if not cols and isinstance(items[name], list):
            problems.append(f"{where}.items.{name}: must name at least one item column")
        if cols:
            out[name] = cols
    _no_repeats({n: c for n, c in out.items()}, where + ".items", problems)
    return {"range": rng, "items": MappingProxyType(out)} if rng and out else None


def _sacrifice(raw, problems) -> dict | None:
    """``codebook.sacrifice``: ``{range, attributes: {name: {wanted: column, settled: column}}}``."""
    if raw is None:
        return None
    where = "codebook.sacrifice"
    rng, attributes = _block(raw, where, "attributes", "map each attribute to {wanted: COLUMN, settled: COLUMN}",
                             problems)
    if attributes is None:
        return None
    out = {}
    for name, pair in attributes.items():
        at = f"{where}.attributes.{name}"
        if not isinstance(pair, dict):
            problems.append(f"{at}: must be {{wanted: COLUMN, settled: COLUMN}}; got {pair!r}")
            continue
        for key in sorted(set(pair) - set(_SACRIFICE_SIDES)):
            problems.append(f"{at}.{key}: unknown key (known: {', '.join(_SACRIFICE_SIDES)})")
        missing = [side for side in _SACRIFICE_SIDES if not isinstance(pair.get(side), str) or not pair[side].strip()]
        for side in missing:
            problems.append(f"{at}.{side}: required (the column of what the customer "
                            f"{'wants exactly' if side == 'wanted' else 'settles for'}); got {pair.get(side)!r}")
        if not missing:
            out[name] = MappingProxyType({side: pair[side] for side in _SACRIFICE_SIDES})
    _no_repeats({n: tuple(p.values()) for n, p in out.items()}, where + ".attributes", problems)
    return {"range": rng, "attributes": MappingProxyType(out)} if rng and out else None


def _no_repeats(blocks: Mapping[str, tuple], where: str, problems: list[str]) -> None:
    """A column may belong to one pillar or one side of one attribute only."""
    seen: dict[str, str] = {}
    for name, cols in blocks.items():
        for c in cols:
            if c in seen:
                problems.append(f"{where}.{name}: column {c!r} is already used by {seen[c]}")
            else:
                seen[c] = name


def _range(value, where, problems):
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        problems.append(f"{where}: must be a list of two integers [low, high]; got {value!r}")
        return None
    if value[0] >= value[1]:
        problems.append(f"{where}: low must be below high; got {value!r}")
        return None
    return tuple(value)


def _str_list(value, where, problems):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: must be a list of column names; got {value!r}")
        return ()
    return tuple(value)


def _label(value, where, problems) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: must be a display label (text); got {value!r}")
        return None
    return value.strip()


def _labelled_column(value, where, problems) -> tuple[str | None, dict]:
    """``segment`` / ``wave``: a column name, or ``{column: ..., labels: {code: label}}``."""
    if value is None:
        return None, {}
    if isinstance(value, str) and value.strip():
        return value, {}
    if isinstance(value, dict) and "column" in value and set(value) <= {"column", "labels"}:
        column, labels = value["column"], value.get("labels") or {}
        if not isinstance(column, str) or not column.strip():
            problems.append(f"{where}.column: must be a column name; got {column!r}")
            return None, {}
        if not isinstance(labels, dict) or not all(isinstance(v, str) and v.strip() for v in labels.values()):
            problems.append(f"{where}.labels: must map each code to a label, e.g. {{1: Postpaid}}; got {labels!r}")
            return column, {}
        return column, {k: v.strip() for k, v in labels.items()}
    problems.append(f"{where}: must be a column name, {{column: NAME, labels: {{code: label}}}} or null; got {value!r}")
    return None, {}


def _declared_items(raw_scales) -> set:
    """Item names of every scale as written, valid or not (their problems are reported already)."""
    if not isinstance(raw_scales, dict):
        return set()
    return {i for spec in raw_scales.values() if isinstance(spec, dict) and isinstance(spec.get("items"), list)
            for i in spec["items"] if isinstance(i, str)}


def _metrics(raw, scales, singles, problems, *, declared=frozenset()) -> dict[str, str]:
    """``metrics:`` validated; without the block, single items named like a metric are taken."""
    columns = {i for s in scales.values() for i in s["items"]} | {s["column"] for s in singles.values()}
    columns |= set(declared)
    if raw is None:
        found = {m: singles[m]["column"] for m in ("nps", "csat", "ces") if m in singles}
        if "temkin" in scales and len(scales["temkin"]["items"]) == 3:
            found["temkin"] = "temkin"
        return found
    if not isinstance(raw, dict):
        problems.append(f"codebook.metrics: must map metric names ({', '.join(METRICS)}) to columns; got {raw!r}")
        return {}
    out = {}
    for name, target in raw.items():
        where = f"codebook.metrics.{name}"
        if name not in METRICS:
            problems.append(f"{where}: unknown metric (known: {', '.join(METRICS)})")
        elif name == "temkin":
            if target not in scales or len(scales[target]["items"]) != 3:
                problems.append(f"{where}: must name a codebook scale of three items (useful, easy, enjoyable); "
                                f"got {target!r}")
            else:
                out[name] = target
        elif target in singles:
            out[name] = singles[target]["column"]
        elif target in columns:
            out[name] = target
        else:
            problems.append(f"{where}: {target!r} is neither a single item nor an item of a codebook scale "
                            f"(it must be {METRICS[name]})")
    return out


def _frozen(block: dict | None):
    return MappingProxyType(block) if block else None


def _parse_codebook(raw: Any, problems: list[str]) -> Codebook | None:
    if not isinstance(raw, dict):
        problems.append(f"codebook: must be a mapping; got {type(raw).__name__}")
        return None
    for key in sorted(set(raw) - _CODEBOOK_KEYS):
        problems.append(f"codebook.{key}: unknown key (known: {', '.join(sorted(_CODEBOOK_KEYS))})")

    def opt_str(key, required=False):
        v = raw.get(key)
        if v is None:
            if required:
                problems.append(f"codebook.{key}: required (the column name)")
            return None
        if not isinstance(v, str) or not v.strip():
            problems.append(f"codebook.{key}: must be a column name, or null when the survey has none; got {v!r}")
            return None
        return v

    scales: dict[str, dict] = {}
    for name, spec in (raw.get("scales") or {}).items():
        where = f"codebook.scales.{name}"
        if not isinstance(spec, dict) or set(spec) - {"items", "range", "label"} or "items" not in spec:
            problems.append(f"{where}: must be a mapping with 'items', 'range' and optionally 'label'; got {spec!r}")
            continue
        rng = _range(spec.get("range"), f"{where}.range", problems)
        items = _str_list(spec["items"], f"{where}.items", problems)
        label = _label(spec.get("label"), f"{where}.label", problems)
        if rng and items:
            scales[name] = {"items": items, "range": rng, **({"label": label} if label else {})}

    singles: dict[str, dict] = {}
    for name, spec in (raw.get("single_items") or {}).items():
        where = f"codebook.single_items.{name}"
        if not isinstance(spec, dict) or not {"column", "range"} <= set(spec) <= {"column", "range", "label"}:
            problems.append(f"{where}: must be a mapping with 'column', 'range' and optionally 'label'; got {spec!r}")
            continue
        rng = _range(spec["range"], f"{where}.range", problems)
        label = _label(spec.get("label"), f"{where}.label", problems)
        if rng:
            singles[name] = {"column": str(spec["column"]), "range": rng, **({"label": label} if label else {})}

    servqual = raw.get("servqual")
    if servqual is not None:
        if not isinstance(servqual, dict):
            problems.append("codebook.servqual: must be a mapping")
            servqual = None
        else:
            for key in sorted(set(servqual) - _SERVQUAL_KEYS):
                problems.append(f"codebook.servqual.{key}: unknown key (known: {', '.join(sorted(_SERVQUAL_KEYS))})")
            rng = _range(servqual.get("range"), "codebook.servqual.range", problems)
            dims = servqual.get("dimensions")
            if not isinstance(dims, dict) or not dims:
                problems.append("codebook.servqual.dimensions: must map each dimension to its item stems")
                dims = {}
            dims = {d: _str_list(items, f"codebook.servqual.dimensions.{d}", problems) for d, items in dims.items()}
            servqual = {
                "range": rng,
                # null: the survey asks perceptions only (SERVPERF), no expectations
                "expectation_prefix": (None if servqual.get("expectation_prefix", "e_") is None
                                       else str(servqual["expectation_prefix"] if "expectation_prefix" in servqual
                                                else "e_")),
                "perception_prefix": str(servqual.get("perception_prefix", "p_")),
                "dimensions": dims,
            }
            for kind in ("expectation", "perception"):
                prefix = servqual[f"{kind}_prefix"]
                for dim, stems in dims.items() if prefix is not None else ():
                    scales[f"{prefix}{dim}"] = {"items": tuple(prefix + s for s in stems), "range": rng}

    missing = raw.get("missing_codes", [])
    if not isinstance(missing, list) or not all(isinstance(v, (int, float, str)) for v in missing):
        problems.append(f"codebook.missing_codes: must be a list of numbers or strings; got {missing!r}")
        missing = []

    segment, segment_labels = _labelled_column(raw.get("segment"), "codebook.segment", problems)
    wave, wave_labels = _labelled_column(raw.get("wave"), "codebook.wave", problems)
    labels = raw.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(v, str) and v.strip() for v in labels.values()):
        problems.append(f"codebook.labels: must map names to display labels (text); got {labels!r}")
        labels = {}
    cb = Codebook(
        respondent_id=opt_str("respondent_id"),
        customer_id=opt_str("customer_id"),
        identifiers=_str_list(raw.get("identifiers", []), "codebook.identifiers", problems),
        segment=segment,
        wave=wave,
        date=opt_str("date"),
        duration=opt_str("duration"),
        missing_codes=tuple(missing),
        reverse_keyed=_str_list(raw.get("reverse_keyed", []), "codebook.reverse_keyed", problems),
        scales=MappingProxyType(scales),
        single_items=MappingProxyType(singles),
        servqual=MappingProxyType(servqual) if servqual else None,
        on_invalid=MappingProxyType(_policies(raw.get("on_invalid"), "codebook.on_invalid", SURVEY_POLICIES,
                                              problems)),
        free_text=_str_list(raw.get("free_text", []), "codebook.free_text", problems),
        segment_labels=MappingProxyType(segment_labels),
        wave_labels=MappingProxyType(wave_labels),
        labels=MappingProxyType({str(k): v.strip() for k, v in labels.items()}),
        metrics=MappingProxyType(_metrics(raw.get("metrics"), scales, singles, problems,
                                          declared=_declared_items(raw.get("scales")))),
        pillars=_frozen(_pillars(raw.get("pillars"), problems)),
        sacrifice=_frozen(_sacrifice(raw.get("sacrifice"), problems)),
    )
    elsewhere = {i for s in scales.values() for i in s["items"]} | {s["column"] for s in singles.values()}
    for column, (where, _) in cb.block_items().items():
        if column in elsewhere:
            problems.append(f"{where}: column {column!r} is also a scale item or single item of the codebook")
    in_scales = {i for s in scales.values() for i in s["items"]}
    for item in cb.reverse_keyed:
        if item not in in_scales:
            problems.append(f"codebook.reverse_keyed: {item!r} is in no scale, so its range is unknown")
    return cb


# --------------------------------------------------------------------------- schema
#: Every key of a study file: (key, type, default, meaning). ``cxlab schema`` prints it;
#: only ``name``, ``data.survey`` and the items the models use are required.
SCHEMA: tuple[tuple[str, str, str, str], ...] = (
    ("name", "text", "required", "short name (letters, digits, _ and -): names reports/<name> and data/processed/<name>"),
    ("title", "text", "the name", "title shown on the reports"),
    ("description", "text", "''", "a paragraph shown on the overview page"),
    ("data.survey", "path or mapping", "required", "the survey file (CSV, Excel, SPSS .sav, Parquet), relative to the "
     "YAML; as a mapping: path, delimiter, decimal, encoding, sheet, header_rows"),
    ("data.contacts", "path or mapping", "none", "the contact log (Parquet/CSV file, or database + table, or "
     "spark (a master such as local[2] or sc://host:15002) + table or path, spark_conf; columns, timezone, channels, "
     "on_invalid, max_duration_sec); optional: reports 04 and 05 gain contact sections; optional log columns "
     "agent_id, team_id and qa_score (quality-assurance score 0-100, a mediator of the Service Profit Chain)"),
    ("data.truth", "path", "none", "planted effects of a synthetic study (the demo)"),
    ("data.employees", "mapping", "none", "an employee survey (one row per agent): path, agent_id and team_id "
     "(columns, default agent_id/team_id), items (a work-engagement scale such as UWES-9) and range (default "
     "[0, 6]); agent ids are pseudonymised; with a contact log, report 04 gains the Service Profit Chain"),
    ("codebook.respondent_id", "column or null", "null", "respondent id; without it respondents are keyed by row"),
    ("codebook.customer_id", "column or null", "null", "customer id linking answers to the contact log"),
    ("codebook.identifiers", "list of columns", "[]", "further direct identifiers (names, e-mails, phones): pseudonymised"),
    ("codebook.free_text", "list of columns", "[]", "open answers: kept, with e-mails, phones and identifiers removed"),
    ("codebook.segment", "column, {column, labels} or null", "null", "customer segment; labels: {code: label}"),
    ("codebook.wave", "column, {column, labels} or null", "null", "survey wave (whole numbers); labels: {code: label}"),
    ("codebook.date", "column or null", "null", "survey date (needed for contact windows and weekly charts)"),
    ("codebook.duration", "column or null", "null", "completion time in seconds (speeder check)"),
    ("codebook.missing_codes", "list", "[]", "answer codes that mean missing, e.g. [-99, 99, \"don't know\"]"),
    ("codebook.reverse_keyed", "list of columns", "[]", "items recoded as low + high - answer"),
    ("codebook.scales.NAME", "{items, range, label}", "none", "a multi-item scale: item columns, [low, high], display label"),
    ("codebook.single_items.NAME", "{column, range, label}", "none", "a single-item construct or outcome"),
    ("codebook.servqual", "{range, expectation_prefix, perception_prefix, dimensions}", "none",
     "SERVQUAL items; expectation_prefix: null when the survey asks perceptions only"),
    ("codebook.pillars", "{range, items: {pillar: [columns]}}", "none",
     "KPMG Nunwood's Six Pillars: personalisation, integrity, expectations, resolution, time_and_effort, empathy"),
    ("codebook.sacrifice", "{range, attributes: {name: {wanted, settled}}}", "none",
     "customer sacrifice (Pine & Gilmore): per attribute the column of what the customer wants exactly and of "
     "what they settle for, on one scale"),
    ("codebook.labels", "{name: label}", "{}", "display labels for latent variables of the models (and any name)"),
    ("codebook.metrics", "{metric: column}", "single items named nps, csat, ces; scale temkin",
     "headline metrics for monitoring: nps, csat, ces, intention_to_stay (a column), temkin (a 3-item scale)"),
    ("codebook.on_invalid", "word or mapping", "error", "handling of non_numeric, out_of_range, duplicate_id, "
     "missing_id: error, drop or set_missing"),
    ("models.measurement", "lavaan syntax", "none", "the measurement model (CFA, validity); optional"),
    ("models.structural", "lavaan syntax", "none", "the structural model (report 03); optional"),
    ("notebooks", "list", "all five", "the reports to consider (each still needs what it declares)"),
)


def schema_text() -> str:
    """The study schema (:data:`SCHEMA` and :data:`PARAMETERS`) as aligned plain text.

    >>> print(schema_text().splitlines()[0])
    Study file keys (see README, "Your own data"):
    """
    lines = ["Study file keys (see README, \"Your own data\"):"]
    for key, kind, default, meaning in SCHEMA:
        lines.append(f"  {key:<30} {kind}\n  {'':<30} default: {default}. {meaning}")
    lines.append("\nAnalysis parameters (parameters: NAME: value, or cxlab run -p NAME=VALUE):")
    for key, spec in PARAMETERS.items():
        allowed = f" ({spec.allowed})" if spec.allowed else ""
        lines.append(f"  {key:<30} {_KIND_NAMES[spec.kind]}{allowed}\n  {'':<30} default: {spec.default!r}. {spec.help}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- study
_TOP_KEYS = {"name", "title", "description", "data", "codebook", "models", "parameters", "notebooks"}
_DATA_KEYS = {"survey", "contacts", "truth", "employees"}
#: Options a ``data:`` entry may give as a mapping instead of a bare path.
_READ_KEYS = {
    "survey": {"path", "delimiter", "decimal", "encoding", "sheet", "header_rows"},
    "contacts": {"path", "database", "spark", "spark_conf", "table", "columns", "timezone", "channels", "on_invalid",
                 "max_duration_sec"},
    "truth": {"path"},
    "employees": {"path", "agent_id", "team_id", "items", "range", "delimiter", "decimal", "encoding", "sheet"},
}


def _spark_entry(spec: dict, base: Path, opts: dict[str, Any], problems: list[str]) -> None:
    """Validate ``data.contacts`` read through Spark; its ``path`` (Parquet) is Spark's to read, kept in opts."""
    where = "data.contacts"
    if "database" in spec:
        problems.append(f"{where}: give either 'database' or 'spark', not both")
    if not isinstance(spec["spark"], str) or not spec["spark"]:
        problems.append(f"{where}.spark: must be a Spark master such as local[2], spark://host:7077, yarn or "
                        f"sc://host:15002 (Spark Connect); got {spec['spark']!r}")
    conf = spec.get("spark_conf", {})
    if not (isinstance(conf, dict) and all(isinstance(v, (str, int, float, bool)) for v in conf.values())):
        problems.append(f"{where}.spark_conf: must map Spark settings to values; got {conf!r}")
    path, table = spec.get("path"), spec.get("table")
    if (path is None) == (table is None):
        problems.append(f"{where}: with 'spark' give either 'table' (a table in Spark's catalog) or 'path' "
                        "(Parquet files Spark reads), one of them")
    elif not isinstance(path if table is None else table, str):
        which = "path" if table is None else "table"
        problems.append(f"{where}.{which}: must be text; got {spec[which]!r}")
    elif path is not None:
        opts["path"] = path if "://" in path else str((base / path).resolve())


def _data_entry(key: str, spec: Any, base: Path, problems: list[str]) -> tuple[str | None, dict[str, Any]]:
    """Validate one ``data:`` entry; return (relative path or None, read options)."""
    import codecs

    where = f"data.{key}"
    if key == "employees" and isinstance(spec, str):
        problems.append(f"{where}: must be a mapping with path and items (the engagement items); got {spec!r}")
        return None, {}
    if isinstance(spec, str):
        return spec, {}
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be a file path or a mapping with 'path' and read options; got {spec!r}")
        return None, {}
    for k in sorted(set(spec) - _READ_KEYS[key]):
        problems.append(f"{where}.{k}: unknown key (known: {', '.join(sorted(_READ_KEYS[key]))})")
    opts = {k: v for k, v in spec.items() if k in _READ_KEYS[key] and k != "path"}
    path = spec.get("path")
    if key == "contacts" and "spark" in spec:
        path = _spark_entry(spec, base, opts, problems)
    elif key == "contacts" and "database" in spec:
        if path is not None:
            problems.append(f"{where}: give either 'path' (a file) or 'database' + 'table', not both")
        if not isinstance(spec.get("database"), str):
            problems.append(f"{where}.database: must be a DuckDB file path or a connection URL; got {spec.get('database')!r}")
        if not isinstance(spec.get("table"), str):
            problems.append(f"{where}.table: required with 'database' (the table name); got {spec.get('table')!r}")
    elif not isinstance(path, str):
        problems.append(f"{where}.path: required (the file path); got {path!r}")
        path = None
    elif "table" in spec:
        problems.append(f"{where}.table: only with 'database' or 'spark'")
    if "spark_conf" in spec and "spark" not in spec:
        problems.append(f"{where}.spark_conf: only with 'spark'")
    if "delimiter" in opts and (not isinstance(opts["delimiter"], str) or len(opts["delimiter"]) != 1):
        problems.append(f"{where}.delimiter: must be one character such as ';' or ','; got {opts['delimiter']!r}")
    if "decimal" in opts and opts["decimal"] not in (".", ","):
        problems.append(f"{where}.decimal: must be '.' or ','; got {opts['decimal']!r}")
    if "encoding" in opts:
        try:
            codecs.lookup(str(opts["encoding"]))
        except LookupError:
            problems.append(f"{where}.encoding: unknown encoding {opts['encoding']!r} (e.g. utf-8, windows-1252)")
    if "sheet" in opts and not isinstance(opts["sheet"], (str, int)):
        problems.append(f"{where}.sheet: must be a sheet name or number; got {opts['sheet']!r}")
    if "header_rows" in opts and not (isinstance(opts["header_rows"], int) and 1 <= opts["header_rows"] <= 10):
        problems.append(f"{where}.header_rows: must be an integer in [1, 10]; got {opts['header_rows']!r}")
    if "columns" in opts and not (isinstance(opts["columns"], dict)
                                  and all(isinstance(v, str) for v in opts["columns"].values())):
        problems.append(f"{where}.columns: must map cxlab column names to the log's; got {opts['columns']!r}")
    if "timezone" in opts:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(str(opts["timezone"]))
        except (KeyError, ValueError):
            problems.append(f"{where}.timezone: unknown time zone {opts['timezone']!r} (e.g. Europe/Amsterdam)")
    if "channels" in opts and not (isinstance(opts["channels"], list) and opts["channels"]
                                   and all(isinstance(c, str) for c in opts["channels"])):
        problems.append(f"{where}.channels: must be a list of channel names; got {opts['channels']!r}")
    if "max_duration_sec" in opts and not (isinstance(opts["max_duration_sec"], (int, float))
                                           and not isinstance(opts["max_duration_sec"], bool)
                                           and opts["max_duration_sec"] > 0):
        problems.append(f"{where}.max_duration_sec: must be a positive number; got {opts['max_duration_sec']!r}")
    if "on_invalid" in opts:
        from .contacts import POLICIES

        opts["on_invalid"] = _policies(opts["on_invalid"], f"{where}.on_invalid", POLICIES, problems)
    if key == "contacts" and isinstance(spec.get("database"), str) and "://" not in spec["database"]:
        opts["database"] = str((base / spec["database"]).resolve())
    if key == "employees":
        from .employees import check_spec

        opts = check_spec(opts, problems, where)
    return path, opts
NOTEBOOKS = ("01_data_quality", "02_servqual_factors", "03_sem_drivers", "04_contact_levers", "05_monitoring")


class Parameters(collections.abc.Mapping):
    """A study's parameters, read-only; records the names read when ``CXLAB_PARAMETER_LOG`` is set.

    The runner sets that variable in each report's kernel to learn which parameters the
    report read (see :mod:`cxlab.cache`). Iterating over the names records nothing;
    reading a value (``p[name]``, ``p.get(name)``, ``p.items()``) records its name.

    Examples
    --------
    >>> p = Parameters({"seed": 1})
    >>> p["seed"], dict(p)
    (1, {'seed': 1})
    """

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)
        self._log = os.environ.get("CXLAB_PARAMETER_LOG")
        self._seen: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        value = self._values[name]
        if self._log and name not in self._seen:
            self._seen.add(name)
            with open(self._log, "a", encoding="utf-8") as fh:
                fh.write(name + "\n")
        return value

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Parameters({self._values!r})"


@dataclass(frozen=True)
class Study:
    """A validated study. Build it with :func:`load_study`.

    Attributes
    ----------
    name : str
        Short name (letters, digits, ``_`` and ``-``); names the report folder.
    title, description : str
    path : Path
        The YAML file.
    root : Path
        Project root: ``data/processed/<name>`` and ``reports/<name>`` live under it.
    data : mapping
        ``survey``, ``contacts``, ``truth`` -> absolute paths (only those given as files).
    data_options : mapping
        ``survey`` / ``contacts`` -> their read options from the YAML (``delimiter``,
        ``decimal``, ``encoding``, ``sheet``, ``header_rows``; for contacts ``database``
        and ``table``, ``columns``, ``timezone``, ``channels``, ``on_invalid``,
        ``max_duration_sec``). Empty when the entry is a bare path.
    codebook : Codebook
    models : mapping
        Model name -> lavaan syntax.
    parameters : mapping
        Every parameter of :data:`PARAMETERS`, defaults filled in, overrides applied.
    overrides : mapping
        The overrides given on top of the file (what a run changed).
    notebooks : tuple of str
        Notebooks to run, in order.
    """

    name: str
    title: str
    description: str
    path: Path
    root: Path
    data: Mapping[str, Path]
    codebook: Codebook
    models: Mapping[str, str]
    parameters: Mapping[str, Any]
    overrides: Mapping[str, Any] = field(default_factory=dict)
    notebooks: tuple[str, ...] = NOTEBOOKS
    data_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def processed_dir(self) -> Path:
        """``<root>/data/processed/<name>``: derived, pseudonymous data."""
        return self.root / "data" / "processed" / self.name

    @property
    def reports_dir(self) -> Path:
        """``<root>/reports/<name>``: rendered HTML reports."""
        return self.root / "reports" / self.name

    def measurement_blocks(self) -> dict[str, list[str]]:
        """Factors and their items, for reliability and factor analysis.

        The measurement model's ``=~`` lines (factors with at least two items); without
        one, the SERVQUAL perception dimensions, else every scale with two or more items
        (expectation scales left out).
        """
        model = self.models.get("measurement", "")
        if model.strip():
            from .sem.syntax import parse_model

            blocks: dict[str, list[str]] = {}
            for lhs, op, rhs, _ in parse_model(model).formulas:
                if op == "=~":
                    blocks.setdefault(lhs, []).append(rhs)
            return {k: v for k, v in blocks.items() if len(v) >= 2}
        cb = self.codebook
        if cb.servqual:
            return cb.servqual_items("p")
        e = cb.servqual["expectation_prefix"] if cb.servqual else None
        return {n: list(s["items"]) for n, s in cb.scales.items()
                if len(s["items"]) >= 2 and not (e and n.startswith(e))}

    def input_files(self) -> dict[str, Path]:
        """Files whose content determines the results (for provenance)."""
        return {"study": self.path, **dict(self.data)}


def demo_study_path() -> Path:
    """Path of the bundled demo study, ``data/raw/demo/study.yaml`` in the project."""
    from .paths import project_root

    return project_root() / "data" / "raw" / "demo" / "study.yaml"


def _root_for(path: Path) -> Path:
    # <root>/data/raw/<study>/study.yaml -> <root>; anything else: the YAML's folder.
    parts = path.parent.parts
    if len(parts) >= 3 and parts[-3:-1] == ("data", "raw"):
        return path.parent.parent.parent.parent
    return path.parent


def _survey_columns(path: Path, options: Mapping[str, Any] | None = None) -> list[str] | None:
    """Column names of a survey file, reading only its header (None if unreadable here)."""
    from .readers import read_columns

    try:
        return read_columns(path, **dict(options or {}))
    except (ValueError, LookupError):  # DataError, or a bad read option reported already
        return None


#: A study file is a page or two of YAML; anything far larger is refused unread.
MAX_YAML_BYTES = 1_000_000
#: Most values (mappings, lists and scalars) a study file may hold once aliases are expanded.
MAX_YAML_NODES = 100_000
#: Deepest nesting of values accepted (a study file needs about five levels).
MAX_YAML_DEPTH = 50


class _Refused(Exception):
    """A study file whose node tree is unsafe to build."""


class _StudyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing deep nesting (slow to scan); :func:`_read_yaml` checks aliases."""

    _depth = 0

    def fetch_flow_collection_start(self, token_class):
        if self.flow_level >= MAX_YAML_DEPTH:
            raise _Refused(f"values nest more than {MAX_YAML_DEPTH} levels deep")
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(f"values nest more than {MAX_YAML_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(node: yaml.Node, limit: int) -> int:
    """Values in ``node`` with every alias expanded; stops early past ``limit``; refuses cycles."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(n: yaml.Node) -> int:
        if id(n) in sizes:
            return sizes[id(n)]
        if id(n) in open_:
            raise _Refused("an alias refers to a value that contains it (a recursive alias)")
        open_.add(id(n))
        children = ([c for pair in n.value for c in pair] if isinstance(n, yaml.MappingNode)
                    else n.value if isinstance(n, yaml.SequenceNode) else [])
        total = 1
        for c in children:
            total += size(c)
            if total > limit:
                break
        open_.discard(id(n))
        sizes[id(n)] = total
        return total

    return size(node)


def _read_yaml(path: Path) -> Any:
    """Parse a study file safely: size capped, aliases expanded only up to a small tree.

    A "billion laughs" file (aliases of aliases) is refused as a :class:`StudyError`
    before any value is built.
    """
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise StudyError(str(path), [f"the file is {size:,} bytes; a study file may be at most "
                                     f"{MAX_YAML_BYTES:,} bytes"])
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StudyError(str(path), [f"not UTF-8 text (byte {exc.start}): save the file as UTF-8"]) from None
    return _parse_yaml(text, str(path))


def _parse_yaml(text: str, source: str) -> Any:
    """YAML text to values with the limits of :func:`_read_yaml` (depth, alias expansion)."""
    loader = _StudyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, MAX_YAML_NODES) > MAX_YAML_NODES:
            raise _Refused(f"its aliases (*name) expand to more than {MAX_YAML_NODES:,} values")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise StudyError(source, [f"not valid YAML: {exc}"]) from None
    except _Refused as exc:
        raise StudyError(source, [f"refused: {exc}"]) from None
    finally:
        loader.dispose()


def load_study(path: str | Path, *, overrides: Mapping[str, Any] | None = None,
               check_data: bool = True) -> Study:
    """Read and validate a study YAML file.

    Parameters
    ----------
    path : str or Path
        The study's YAML file.
    overrides : mapping, optional
        Parameter values replacing the file's (as ``cxlab run -p NAME=VALUE`` does).
    check_data : bool, default=True
        Also check that the data files exist and that every column the codebook and the
        models name is in the survey's header.

    Returns
    -------
    Study

    Raises
    ------
    StudyError
        With every problem found, each naming its key.
    FileNotFoundError
        If ``path`` itself does not exist.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"Study file not found: {path}")
    raw = _read_yaml(path)
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise StudyError(str(path), ["the file must hold a mapping of keys (name, data, codebook, ...)"])
    for key in sorted(set(raw) - _TOP_KEYS):
        problems.append(f"{key}: unknown key (known: {', '.join(sorted(_TOP_KEYS))})")

    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", name or ""):
        problems.append(f"name: required; letters, digits, '_' and '-' only; got {name!r}")
        name = "study"
    title = raw.get("title", name)
    description = raw.get("description", "")
    for key, v in (("title", title), ("description", description)):
        if not isinstance(v, str):
            problems.append(f"{key}: must be a string; got {v!r}")

    data: dict[str, Path] = {}
    raw_data = raw.get("data")
    if not isinstance(raw_data, dict) or "survey" not in raw_data:
        problems.append("data: required, with at least 'survey' (path of the survey file)")
        raw_data = raw_data if isinstance(raw_data, dict) else {}
    data_options: dict[str, Mapping[str, Any]] = {}
    for key, spec in raw_data.items():
        if key not in _DATA_KEYS:
            problems.append(f"data.{key}: unknown key (known: {', '.join(sorted(_DATA_KEYS))})")
            continue
        rel, opts = _data_entry(key, spec, path.parent, problems)
        data_options[key] = MappingProxyType(opts)
        if rel is not None:
            p = (path.parent / rel).resolve()
            if check_data and not p.exists() and not _generated_on_demand(p):
                problems.append(f"data.{key}: file not found: {p}")
            data[key] = p
        elif check_data and "database" in opts and "://" not in opts["database"] and not Path(opts["database"]).exists():
            problems.append(f"data.{key}.database: file not found: {opts['database']}")
        elif check_data and "://" not in opts.get("path", "://") and not Path(opts["path"]).exists():
            problems.append(f"data.{key}.path: not found (for Spark to read): {opts['path']}")

    codebook = _parse_codebook(raw.get("codebook"), problems)

    models = raw.get("models") or {}
    if not isinstance(models, dict) or not all(isinstance(v, str) for v in models.values()):
        problems.append("models: must map model names to lavaan syntax strings")
        models = {}

    params_raw = raw.get("parameters") or {}
    if not isinstance(params_raw, dict):
        problems.append("parameters: must be a mapping of NAME: value")
        params_raw = {}
    params = {k: p.default for k, p in PARAMETERS.items()}
    params.update(_check_parameters(params_raw, "parameters", problems))
    over = _check_parameters(dict(overrides or {}), "override", problems)
    params.update(over)

    notebooks = raw.get("notebooks", list(NOTEBOOKS))
    if not isinstance(notebooks, list) or not all(n in NOTEBOOKS for n in notebooks) or not notebooks:
        problems.append(f"notebooks: must be a non-empty list drawn from {', '.join(NOTEBOOKS)}; got {notebooks!r}")
        notebooks = list(NOTEBOOKS)

    if params["estimator"] == "WLSMV" and params["missing"] == "fiml":
        problems.append("parameters.missing: 'fiml' is not available with estimator 'WLSMV' (pairwise polychoric "
                        "correlations need complete cases here); use missing: listwise, or estimator ML or MLR")
    if codebook is not None:
        rawcb = raw.get("codebook") or {}
        declared = set(rawcb.get("scales") or {}) | set(rawcb.get("single_items") or {})  # invalid: reported
        for key in ("outcome", "loyalty"):
            if params[key] is not None and params[key] not in codebook.scales \
                    and params[key] not in codebook.single_items and params[key] not in declared:
                problems.append(f"parameters.{key}: {params[key]!r} is neither a codebook scale nor a single item "
                                f"(scales: {', '.join(codebook.scales) or 'none'}; single items: "
                                f"{', '.join(codebook.single_items) or 'none'})")
        named = {*codebook.scales, *codebook.single_items, *codebook.servqual_items("p"), *declared}
        for d in params["drivers"] or ():
            if d not in named:
                problems.append(f"parameters.drivers: {d!r} is neither a codebook scale, a single item nor a "
                                "SERVQUAL dimension")
        if params["waves"] and not codebook.wave:
            problems.append("parameters.waves: the codebook has no wave column, so there are no waves to choose")
        if params["baseline_wave"] is not None and not codebook.wave:
            problems.append("parameters.baseline_wave: the codebook has no wave column")
        if check_data and "survey" in data and data["survey"].exists():
            _check_columns(data["survey"], codebook, models, problems, data_options.get("survey", {}))
    if check_data and "employees" in data and data["employees"].exists() and data_options["employees"].get("items"):
        from .employees import missing_columns

        problems.extend(missing_columns(data["employees"], data_options["employees"]))

    if problems:
        raise StudyError(str(path), problems)
    return Study(
        name=name, title=title, description=description, path=path, root=_root_for(path),
        data=MappingProxyType(data), codebook=codebook, models=MappingProxyType(dict(models)),
        parameters=Parameters(params), overrides=MappingProxyType(over),
        notebooks=tuple(notebooks), data_options=MappingProxyType(data_options),
    )


def _generated_on_demand(p: Path) -> bool:
    # The demo's contact log is generated on first use, identically on every machine;
    # for any other study a missing file is an error.
    from .paths import is_demo_generated

    return is_demo_generated(p)


_LATENT_RE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*=~")


def model_columns(syntax: str) -> set[str]:
    """Names in a lavaan model that must be data columns (not latents, labels or numbers)."""
    latents = {m.group(1) for line in syntax.splitlines() if (m := _LATENT_RE.match(line))}
    names: set[str] = set()
    for line in syntax.splitlines():
        line = line.split("#", 1)[0]
        if ":=" in line or "==" in line or not line.strip():
            continue
        for term in re.split(r"=~|~~|~|\+", line):
            term = term.strip()
            if "*" in term:
                term = term.rsplit("*", 1)[1].strip()
            if re.fullmatch(r"[A-Za-z_][\w.]*", term):
                names.add(term)
    return names - latents


def _check_columns(survey: Path, codebook: Codebook, models: Mapping[str, str], problems: list[str],
                   options: Mapping[str, Any] | None = None) -> None:
    columns = _survey_columns(survey, options)
    if columns is None:
        return
    have = set(columns)
    optional = "optional: set it to null if the survey has no such column"

    def need(cols, where, hint):
        missing = [c for c in cols if c and c not in have]
        if missing:
            listed = ", ".join(map(repr, missing))
            problems.append(f"{where}: column{'s' if len(missing) > 1 else ''} {listed} not in {survey.name} ({hint})")

    for key in ("respondent_id", "customer_id", "segment", "wave", "date", "duration"):
        need([getattr(codebook, key)], f"codebook.{key}", optional)
    need(codebook.identifiers, "codebook.identifiers", "optional: remove those the survey does not have")
    need(codebook.free_text, "codebook.free_text", "optional: remove those the survey does not have")
    for name, scale in codebook.scales.items():
        need(scale["items"], f"codebook.scales.{name}", "remove the scale if the survey does not ask it")
    for name, single in codebook.single_items.items():
        need([single["column"]], f"codebook.single_items.{name}", "remove it if the survey does not ask it")
    for column, (where, _) in codebook.block_items().items():
        need([column], where, "remove it if the survey does not ask it")
    for name, syntax in models.items():
        for col in sorted(model_columns(syntax) - have):
            problems.append(f"models.{name}: {col!r} is neither a latent variable of the model nor a column of {survey.name}")


def new_study(name: str, *, source: str | Path | None = None) -> Path:
    """Start a study from a copy of another one (by default the demo study).

    Copies the source study's ``study.yaml`` (with ``name:`` set to the new name), its
    ``README.md`` and the data files it names that live in its folder to
    ``<project>/data/raw/<name>/``, and returns the new YAML path. Nothing else is copied
    (no hidden files, keys or other files that happen to sit in the folder). The copy is
    assembled and validated in a temporary folder and moved into place only when it
    loads; on any failure nothing is left under ``data/raw``. The demo's contact log is
    generated first if it is missing.

    Raises
    ------
    ValueError
        If ``name`` is not a valid study name or the folder already exists.
    StudyError
        If the source is not a valid study (or its copy would not be one).
    FileNotFoundError
        If the source does not exist.
    """
    import os
    import shutil
    import tempfile

    from .paths import project_root

    check_identifier(name, "name", "new_study")
    src = Path(source).resolve() if source else demo_study_path()
    if src.is_dir():
        src = src / "study.yaml"
        if not src.is_file():
            raise FileNotFoundError(f"{src.parent} is not a study folder: it has no study.yaml (give the study's "
                                    "YAML file with --from).")
    raw_root = project_root() / "data" / "raw"
    target = raw_root / name
    if target.exists():
        raise ValueError(f"The study folder {target} already exists: choose another name or edit that study.")
    if src.parent == demo_study_path().parent:
        from .synth import ensure_demo_contacts

        ensure_demo_contacts(src.parent)
    original = load_study(src)  # refuses a source that is not a valid study before anything is written
    files = [*original.data.values(), src.parent / "README.md"]
    if "database" in original.data_options.get("contacts", {}):
        files.append(Path(original.data_options["contacts"]["database"]))
    raw_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.new-", dir=raw_root))
    try:
        for f in files:
            f = Path(f)
            if f.is_file() and f.parent.is_relative_to(src.parent) and not f.name.startswith("."):
                (tmp / f.relative_to(src.parent)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, tmp / f.relative_to(src.parent))
        text = src.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^name:\s*\S+", f"name: {name}", text, count=1)
        (tmp / "study.yaml").write_text(text, encoding="utf-8")
        copy = load_study(tmp / "study.yaml")  # the copy must validate as it is
        if copy.name != name:
            raise StudyError(str(src), [f"name: could not set it to {name!r} (write it as a plain 'name: ...' line)"])
        os.rename(tmp, target)  # fails if the folder appeared meanwhile
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target / "study.yaml"
