"""Plots are functions of results, with one theme, so every report looks the same.

Call :func:`set_theme` once (the notebooks do); every function returns the matplotlib
``Figure`` it drew.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ._validation import param_error

__all__ = ["PALETTE", "set_theme", "bar_chart", "distribution_chart", "scree_chart", "gap_chart",
           "importance_chart", "interval_chart", "pillar_importance_chart", "pillar_ipma_chart",
           "sacrifice_relation_chart", "abandonment_chart", "trend_chart", "path_chart", "fit_warnings"]

#: Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def _table(result) -> pd.DataFrame:
    """The table of a result object (``.table``, e.g. ``levers.LeverRanking``), or the DataFrame given."""
    return result.table if hasattr(result, "table") and isinstance(result.table, pd.DataFrame) else result


def set_theme() -> None:
    """Apply cxlab's seaborn theme: white grid, colour-blind-safe palette, page-sized figures.

    Labels from the data are shown as they are: ``$`` in a segment or item name is not
    read as mathematics, and styled tables (``df.style``) escape HTML like plain ones.
    """
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook",
                  rc={"figure.figsize": (8, 4.2), "figure.dpi": 96, "savefig.dpi": 96,
                      "axes.titleweight": "bold", "axes.spines.top": False, "axes.spines.right": False,
                      "text.parse_math": False})
    pd.set_option("styler.format.escape", "html")


def bar_chart(table: pd.DataFrame, *, x: str, y: str, hue: str | None = None, title: str = "",
              xlabel: str | None = None, ylabel: str | None = None, percent: bool = False):
    """Horizontal-friendly bar chart of a tidy table; returns the Figure."""
    fig, ax = plt.subplots()
    sns.barplot(data=table, x=x, y=y, hue=hue, ax=ax)
    ax.set(title=title, xlabel=xlabel if xlabel is not None else x, ylabel=ylabel if ylabel is not None else y)
    if percent:
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    fig.tight_layout()
    return fig


def distribution_chart(survey: pd.DataFrame, items: Sequence[str], *, title: str = ""):
    """Stacked shares of each answer per item (a compact Likert distribution)."""
    counts = pd.DataFrame({i: survey[i].value_counts(normalize=True) for i in items}).T.fillna(0)
    counts = counts[sorted(counts.columns)]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(items) + 1.2))
    counts.plot.barh(stacked=True, ax=ax, width=0.8,
                     color=sns.color_palette("RdYlBu", n_colors=len(counts.columns)))
    ax.invert_yaxis()
    ax.set(title=title, xlabel="share of answers", xlim=(0, 1))
    ax.legend(title="answer", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def scree_chart(eigenvalues: pd.DataFrame, *, title: str = ""):
    """Observed vs simulated reduced eigenvalues (``parallel_analysis(...).eigenvalues``)."""
    fig, ax = plt.subplots()
    x = eigenvalues.index
    ax.plot(x, eigenvalues["fa_observed"], "o-", label="observed (factor analysis)")
    ax.plot(x, eigenvalues["fa_simulated"], "s--", label="random data (mean)")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(title=title, xlabel="factor", ylabel="eigenvalue")
    ax.legend()
    fig.tight_layout()
    return fig


def gap_chart(gaps: pd.DataFrame, *, title: str = ""):
    """SERVQUAL gaps (P − E) with their confidence intervals, one bar per dimension."""
    fig, ax = plt.subplots()
    y = range(len(gaps))
    err = [gaps["gap"] - gaps["ci_lower"], gaps["ci_upper"] - gaps["gap"]]
    colors = [PALETTE[3] if g < 0 else PALETTE[2] for g in gaps["gap"]]
    ax.barh(list(y), gaps["gap"], xerr=err, color=colors, capsize=3)
    ax.set_yticks(list(y), gaps.index)
    ax.axvline(0, color="black", lw=0.8)
    ax.invert_yaxis()
    ax.set(title=title, xlabel="gap: perception − expectation (scale points)")
    fig.tight_layout()
    return fig


def importance_chart(importance, *, title: str = ""):
    """Driver importance shares (``levers.driver_importance`` or its ``_result``), with bootstrap intervals if present."""
    t = _table(importance).sort_values("importance", ascending=True)
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(t) + 1.2))
    xerr = None
    if {"ci_lower", "ci_upper"} <= set(t.columns):
        xerr = [t["importance"] - t["ci_lower"], t["ci_upper"] - t["importance"]]
    ax.barh(t.index.astype(str), t["importance"], xerr=xerr, color=PALETTE[0], capsize=3)
    ax.set(title=title, xlabel="share of R² (importance)")
    fig.tight_layout()
    return fig


def interval_chart(table: pd.DataFrame, *, value: str, title: str = "", xlabel: str = "", labels=None,
                   zero: bool = False, origin: float = 0.0):
    """One bar per row of ``table`` (``value`` with its ``ci_lower`` / ``ci_upper``), in the table's order.

    Used for pillar scores and customer-sacrifice gaps. ``labels`` maps a row name to its
    display label; with ``zero`` a line marks 0 and bars above it are coloured as a shortfall.
    Bars start at ``origin`` (the low end of a response scale for mean scores).
    """
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(table) + 1.3))
    y = list(range(len(table)))
    err = [table[value] - table["ci_lower"], table["ci_upper"] - table[value]]
    colors = [PALETTE[3] if zero and v > 0 else PALETTE[0] for v in table[value]]
    ax.barh(y, table[value] - origin, left=origin, xerr=err, color=colors, capsize=3)
    ax.set_yticks(y, [str(labels(i) if labels else i) for i in table.index])
    if origin:
        ax.set_xlim(left=origin)
    if zero:
        ax.axvline(0, color="black", lw=0.8)
    ax.invert_yaxis()
    ax.set(title=title, xlabel=xlabel)
    fig.tight_layout()
    return fig


def pillar_importance_chart(importance: pd.DataFrame, *, title: str = "", labels=None):
    """Share of each outcome's explained variance per pillar (``cxlab.pillars.pillar_importance``), grouped bars.

    Error bars are the bootstrap interval of the importance divided by the outcome's R² (on
    the share scale; the R² itself varies over resamples, so they approximate the share's interval).
    """
    outcomes = list(dict.fromkeys(importance.index.get_level_values("outcome")))
    pillars = list(dict.fromkeys(importance.index.get_level_values("pillar")))
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(pillars) + 1.5))
    height = 0.8 / len(outcomes)
    for i, outcome in enumerate(outcomes):
        t = importance.loc[outcome].reindex(pillars)
        r2 = t["importance"].sum()
        xerr = None
        if {"ci_lower", "ci_upper"} <= set(t.columns):
            xerr = [(t["importance"] - t["ci_lower"]) / r2, (t["ci_upper"] - t["importance"]) / r2]
        ax.barh(np.arange(len(pillars)) + (i - (len(outcomes) - 1) / 2) * height, t["share"], height=height,
                xerr=xerr, capsize=2, color=PALETTE[i % len(PALETTE)],
                label=str(labels(outcome) if labels else outcome))
    ax.set_yticks(range(len(pillars)), [str(labels(p) if labels else p) for p in pillars])
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set(title=title, xlabel="share of the outcome's explained variance (R²)")
    fig.tight_layout()
    return fig


def pillar_ipma_chart(table: pd.DataFrame, *, title: str = "", labels=None):
    """Importance-performance map of the pillars (``cxlab.pillars.pillar_ipma``): one panel per outcome.

    Each pillar at its performance (0–100) and importance (total effect on the 0–100
    outcome), with its bootstrap interval when present; dashed lines at the quadrant cuts;
    the *concentrate here* pillars (fix first) in the warning colour.
    """
    outcomes = list(dict.fromkeys(table.index.get_level_values("outcome")))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(8, 4.4), sharey=True, squeeze=False)
    for ax, outcome in zip(axes[0], outcomes):
        t = table.loc[outcome]
        colours = [PALETTE[3] if q == "concentrate here" else PALETTE[0] for q in t["quadrant"]]
        if {"importance_ci_lower", "importance_ci_upper"} <= set(t.columns):
            ax.errorbar(t["performance"], t["importance"], fmt="none", ecolor="#999999", capsize=2, zorder=2,
                        yerr=[(t["importance"] - t["importance_ci_lower"]).clip(lower=0),
                              (t["importance_ci_upper"] - t["importance"]).clip(lower=0)])
        ax.scatter(t["performance"], t["importance"], s=45, color=colours, zorder=3)
        for pillar, row in t.iterrows():
            ax.annotate(str(labels(pillar) if labels else pillar), (row["performance"], row["importance"]),
                        xytext=(4, 3), textcoords="offset points", fontsize=9)
        ax.axvline(t["performance_cut"].iloc[0], color="grey", ls="--", lw=1)
        ax.axhline(t["importance_cut"].iloc[0], color="grey", ls="--", lw=1)
        xlo, xhi = ax.get_xlim()
        ax.set_xlim(xlo, xhi + 0.25 * (xhi - xlo))
        lo, hi = ax.get_xlim()
        ax.set_xticks([v for v in plt.MaxNLocator(4).tick_values(lo, hi) if lo <= v <= hi])  # none off the axis
        ax.text(0.02, 0.98, "concentrate here", transform=ax.transAxes, va="top", fontsize=9, color="#666666",
                style="italic")
        ax.set(title=str(labels(outcome) if labels else outcome), xlabel="performance (0–100)")
    axes[0][0].set_ylabel("importance (total effect, 0–100)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def sacrifice_relation_chart(table: pd.DataFrame, *, title: str = "", labels=None):
    """Correlation of each attribute's sacrifice with each outcome (``cxlab.sacrifice.sacrifice_relations``).

    Grouped bars of r with their Fisher-z intervals, one colour per outcome, a line at 0.
    """
    outcomes = list(dict.fromkeys(table.index.get_level_values("outcome")))
    attributes = list(dict.fromkeys(table.index.get_level_values("attribute")))
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(attributes) * max(1, len(outcomes) / 2) + 2.2))
    height = 0.8 / len(outcomes)
    for i, outcome in enumerate(outcomes):
        t = table.loc[outcome].reindex(attributes)
        ax.barh(np.arange(len(attributes)) + (i - (len(outcomes) - 1) / 2) * height, t["r"], height=height,
                xerr=[(t["r"] - t["ci_lower"]).clip(lower=0), (t["ci_upper"] - t["r"]).clip(lower=0)],
                capsize=2, color=PALETTE[i % len(PALETTE)], label=str(labels(outcome) if labels else outcome))
    ax.axvline(0, color="black", lw=0.8)
    reach = float(np.nanmax(np.abs(table[["ci_lower", "ci_upper"]].to_numpy()))) if len(table) else 0.1
    ax.set_xlim(-1.1 * reach, 1.1 * reach)
    ax.set_xticks([v for v in plt.MaxNLocator(5, symmetric=True).tick_values(-reach, reach) if abs(v) <= 1.1 * reach])
    ax.set_yticks(range(len(attributes)), [str(labels(a) if labels else a) for a in attributes])
    ax.invert_yaxis()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(len(outcomes), 2), fontsize=9,
              frameon=False)
    ax.set(title=title, xlabel="correlation of the respondent's sacrifice with the outcome (r)")
    fig.tight_layout()
    return fig


def abandonment_chart(curve: pd.DataFrame, *, title: str = ""):
    """Cumulative share of abandoned calls by queue wait (``contacts.wait_abandonment``)."""
    fig, ax = plt.subplots()
    ax.step(curve["wait_sec"], curve["cumulative_share"], where="post", color=PALETTE[0])
    ax.axvline(60, color=PALETTE[3], ls="--", lw=1)
    ax.text(62, 0.05, "1 minute", color=PALETTE[3])
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set(title=title, xlabel="queue wait before hanging up (s)", ylabel="cumulative share", ylim=(0, 1.02))
    fig.tight_layout()
    return fig


def trend_chart(table: pd.DataFrame, *, group: str, title: str = ""):
    """One small panel per metric: estimate per period with its confidence band."""
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(2.3 * len(metrics) + 1, 3.2), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        t = table[(table["metric"] == metric) & (table[group].astype(str) != "all")]
        x = t[group].astype(str)
        ax.errorbar(x, t["value"], yerr=[t["value"] - t["ci_lower"], t["ci_upper"] - t["value"]],
                    fmt="o-", capsize=4, color=PALETTE[0])
        ax.set(title=metric, xlabel="")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def path_chart(fit, *, title: str = "", alpha: float = 0.05, labels=None):
    """Path diagram of the structural part: standardised coefficients on the arrows.

    The layout fits any model size. Variables are placed in layers by the model's graph
    (exogenous drivers left, final outcomes right); within a layer their heights are
    chosen so that arrows pass no other box, and a path that cannot run straight
    (skipping a layer, or both ways between two variables) is drawn as an arc. Each
    coefficient label is placed along its arrow where it overlaps no box, no other label
    and, where possible, no other arrow. The figure is sized to what it holds (at most
    :data:`REPORT_WIDTH_IN` wide when the model allows), so arcs are never clipped and
    text is drawn at 9 pt or more at the size the report shows it (check with
    :func:`text_problems`).

    Latent variables are drawn as rounded boxes and observed ones as square boxes.
    Arrow labels are the standardised coefficients (``std_all``) with ``*`` p < .05,
    ``**`` p < .01, ``***`` p < .001; paths not significant at ``alpha`` are dashed and
    grey, negative ones orange; the arrow width grows with the coefficient (up to ±1).
    Endogenous variables carry their R² below the box. For a multigroup fit the first
    group is drawn. Pure matplotlib (networkx for the graph), no graphviz.

    Parameters
    ----------
    fit : SEMResult
        A fitted model (:func:`cxlab.sem.fit`) with at least one structural path (``~``).
    title : str, optional
        Drawn above the diagram.
    alpha : float, default=0.05
        Paths with p ≥ ``alpha`` are dashed and grey.
    labels : mapping or callable, optional
        Display names of the variables (e.g. ``study.codebook.label``); long names wrap.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cxlab import sem
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=300); m = 0.6 * x + rng.normal(size=300)
    >>> y = 0.5 * m + 0.2 * x + rng.normal(size=300)
    >>> res = sem.fit(pd.DataFrame({"x": x, "m": m, "y": y}), "m ~ x\\ny ~ m + x")
    >>> fig = path_chart(res, title="Mediation")
    >>> text_problems(fig)
    []
    >>> plt.close(fig)
    """
    import networkx as nx
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    est, r2, group_note = fit.estimates, fit.r2, ""
    if "group" in est.columns:
        first = est["group"].iloc[0]
        est = est[est["group"] == first]
        r2 = r2.loc[first] if isinstance(r2.index, pd.MultiIndex) else r2
        group_note = f" (group {first})"
    latent = set(est.loc[est["op"] == "=~", "lhs"])
    g = nx.DiGraph()
    for row in est[est["op"] == "~"].itertuples(index=False):
        g.add_edge(row.rhs, row.lhs, std=float(row.std_all), p=float(row.pvalue))
    if not len(g):
        raise param_error("fit", "path_chart", "have a structural path ('~') to draw", fit, got="a model without one",
                          instead=False)
    name = labels if callable(labels) else (lambda v: (labels or {}).get(v, v))

    fig = plt.figure(figsize=(REPORT_WIDTH_IN, 4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    renderer = fig.canvas.get_renderer()

    def size(text) -> tuple[float, float]:  # inches
        box = text.get_window_extent(renderer)
        return box.width / fig.dpi, box.height / fig.dpi

    nodes = {}
    for v in g.nodes:
        shown = "\n".join(textwrap.wrap(str(name(v)), 14, break_long_words=False)) or str(v)
        t = ax.text(0, 0, shown, ha="center", va="center", fontsize=_PT["node"], zorder=4)
        w, h = size(t)
        r2_text = None
        if v in r2.index and g.in_degree(v) > 0:  # inside the box: arrows stop at its edge
            r2_text = ax.text(0, 0, "R² = " + f"{r2[v]:.2f}".replace("0.", ".", 1).replace("-", "−"), ha="center", va="center", fontsize=_PT["r2"],
                              color="#333333", zorder=4)
        rw, rh = size(r2_text) if r2_text is not None else (0.0, 0.0)
        nodes[v] = _Node(v, t, r2_text, max(w, rw) + 0.24, h + (rh + 0.03 if rh else 0.0) + 0.18, h, rh)
    layer = _layers(g)
    pos = _place(g, nodes, layer, REPORT_WIDTH_IN - 0.6, label=0.8)
    routes = _route(g, nodes, pos)
    for v, (x, y) in pos.items():
        node = nodes[v]
        node.text.set_position((x, y + node.h / 2 - 0.09 - node.name_h / 2))
        style = "round,pad=0,rounding_size=0.12" if v in latent else "square,pad=0"
        node.patch = FancyBboxPatch((x - node.w / 2, y - node.h / 2), node.w, node.h, boxstyle=style,
                                    fc="#e8f1fa", ec=PALETTE[0], lw=1.3, zorder=3, clip_on=False)
        ax.add_patch(node.patch)
        if node.r2 is not None:
            node.r2.set_position((x, y - node.h / 2 + 0.09 + node.r2_h / 2))
    boxes = [nodes[v].box(*pos[v]) for v in pos]
    coef = {}
    for (u, v), rad in routes.items():
        d = g.edges[u, v]
        sig = bool(d["p"] < alpha)
        colour = "#999999" if not sig else PALETTE[0] if d["std"] >= 0 else PALETTE[3]
        ax.add_patch(FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>", mutation_scale=14,
                                     lw=0.8 + 2.2 * min(abs(d["std"]), 1.0), color=colour, ls="-" if sig else "--",
                                     zorder=2, connectionstyle=f"arc3,rad={rad}", clip_on=False,
                                     patchA=nodes[u].patch, patchB=nodes[v].patch, shrinkA=1, shrinkB=1))
        stars = "***" if d["p"] < 0.001 else "**" if d["p"] < 0.01 else "*" if d["p"] < 0.05 else ""
        coef[u, v] = ax.text(0, 0, f"{d['std']:.2f}{stars}".replace("-", "−"), ha="center", va="center", fontsize=_PT["coef"],
                             color=colour if sig else "#666666", fontweight="bold" if sig else "normal", zorder=5,
                             bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none", alpha=0.92))
    curves = {e: _bezier(pos[e[0]], pos[e[1]], rad) for e, rad in routes.items()}
    placed = _place_labels(curves, {e: size(t) for e, t in coef.items()}, boxes)
    for e, (x, y, w, h) in placed.items():
        coef[e].set_position((x, y))

    # the figure is sized to everything drawn: arcs and labels included, nothing clipped
    points = np.vstack([np.array([[b[0], b[1]], [b[2], b[3]]]) for b in [*boxes, *(
        (x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y, w, h in placed.values())]] + list(curves.values()))
    margin = 0.2
    x0, y0 = points.min(axis=0) - margin
    x1, y1 = points.max(axis=0) + margin
    width = max(x1 - x0, 6.0)
    note = fig.text(0, 0, "", fontsize=_PT["note"], color="#555555", va="bottom", ha="left")
    _wrap_measured(f"Standardised coefficients{group_note}; * p < .05, ** p < .01, *** p < .001; dashed grey: "
                   f"not significant at α = {alpha:g}; orange: negative. Rounded boxes: latent variables.",
                   note, width - 2 * margin, size)
    note_h = size(note)[1] + margin
    head = None
    if title:
        head = fig.suptitle(title, fontsize=_PT["title"], fontweight="bold", va="top")
        _wrap_measured(title, head, width - 2 * margin, size)
    title_h = (size(head)[1] + 0.15) if head is not None else 0.0
    height = (y1 - y0) + note_h + title_h
    fig.set_size_inches(width, height)
    ax.set_position((0, note_h / height, 1, (y1 - y0) / height))
    pad = (width - (x1 - x0)) / 2
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0, y1)
    note.set_position((margin / width, 0.08 / height))
    if head is not None:
        head.set_y(1 - 0.08 / height)
    return fig


def fit_warnings(fit, *, labels=None):
    """An HTML box: the model's warnings and the problems of :func:`cxlab.sem.judge.interpretation_gate`
    in red, or a green note that the solution is proper and no warning was raised."""
    from html import escape

    from IPython.display import HTML

    from .sem.judge import interpretation_gate

    gate = interpretation_gate(fit, labels=labels)
    problems = [p.text()[:1].upper() + p.text()[1:] + "." for p in gate.problems if p.kind != "convergence"]
    if not fit.converged or fit.warnings or problems:
        items = "".join(f"<li>{escape(w)}</li>" for w in [*fit.warnings, *problems]) or "<li>did not converge</li>"
        head = ("The model did not converge: do not interpret these estimates." if not fit.converged
                else "The solution is improper: do not interpret these estimates." if problems
                else "Check before interpreting:")
        return HTML(f'<div class="cx-warning"><strong>{head}</strong><ul>{items}</ul></div>')
    return HTML('<div class="cx-ok">The model converged; no Heywood case, non-positive-definite '
                'matrix, standardised coefficient beyond ±1 or small-sample warning was raised.</div>')


# ------------------------------------------------------------ levers (cxlab.levers)
__all__ += ["ipa_chart", "lever_chart"]


def ipa_chart(result, *, title: str = "", xlabel: str = "performance", ylabel: str = "importance"):
    """Importance-performance quadrant chart (``levers.ipma_result`` / ``importance_performance_result``).

    One labelled point per lever; dashed lines at the result's cut points (for a bare
    table of ``levers.ipma``, the means, which are the default cuts) and the quadrant
    names in the corners.
    """
    table = _table(result)
    fig, ax = plt.subplots(figsize=(8, 5.2))
    x_cut = getattr(result, "performance_cut", float(table["performance"].mean()))
    y_cut = getattr(result, "importance_cut", float(table["importance"].mean()))
    colours = {"concentrate here": PALETTE[3], "keep up the good work": PALETTE[2],
               "low priority": "#888888", "possible overkill": PALETTE[1]}
    for quadrant, part in table.groupby("quadrant", sort=False):
        ax.scatter(part["performance"], part["importance"], s=60, color=colours.get(quadrant, PALETTE[0]),
                   label=quadrant, zorder=3)
    for lever, row in table.iterrows():
        ax.annotate(str(lever), (row["performance"], row["importance"]), xytext=(6, 4),
                    textcoords="offset points", fontsize=9)
    ax.axvline(x_cut, color="grey", ls="--", lw=1)
    ax.axhline(y_cut, color="grey", ls="--", lw=1)
    xlo, xhi = ax.get_xlim()
    pad = 0.12 * (xhi - xlo)
    ax.set_xlim(xlo, xhi + pad)
    ylo, yhi = ax.get_ylim()
    ax.set_ylim(ylo, yhi + 0.08 * (yhi - ylo))
    xlo, xhi = ax.get_xlim()
    ylo, yhi = ax.get_ylim()
    corner = dict(fontsize=8, color="#666666", style="italic")
    ax.text(xlo, yhi, " concentrate here", va="top", ha="left", **corner)
    ax.text(xhi, yhi, "keep up the good work ", va="top", ha="right", **corner)
    ax.text(xlo, ylo, " low priority", va="bottom", ha="left", **corner)
    ax.text(xhi, ylo, "possible overkill ", va="bottom", ha="right", **corner)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), title="quadrant")
    fig.tight_layout()
    return fig


def lever_chart(ranking, *, title: str = ""):
    """Ranked levers (``levers.rank_levers_result``): priority per lever with its bootstrap interval.

    Bars are coloured by kind (driver / contact); each label carries the lever's reach.
    The x axis names the ranking's outcome (just "outcome" for a bare ``rank_levers`` table).
    """
    t = _table(ranking).sort_values("rank", ascending=False)
    column = "gain_per_cost" if t["cost"].notna().all() else "expected_gain"
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(t) + 1.4))
    colours = [PALETTE[0] if k == "driver" else PALETTE[1] for k in t["kind"]]
    xerr = None
    lo, hi = f"{column}_ci_lower", f"{column}_ci_upper"
    if {lo, hi} <= set(t.columns) and t[lo].notna().all():
        xerr = [(t[column] - t[lo]).clip(lower=0), (t[hi] - t[column]).clip(lower=0)]
    labels = [f"{lever} (reach {reach:.0%})" for lever, reach in zip(t.index.astype(str), t["reach"])]
    ax.barh(labels, t[column], xerr=xerr, color=colours, capsize=3)
    ax.axvline(0, color="black", lw=0.8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=PALETTE[0]), plt.Rectangle((0, 0), 1, 1, color=PALETTE[1])]
    ax.legend(handles, ["driver", "contact"], loc="lower right", fontsize=8)
    outcome = getattr(ranking, "outcome", "outcome")
    label = f"expected gain in mean {outcome}" + (" per unit of cost" if column == "gain_per_cost" else "")
    ax.set(title=title, xlabel=label, ylabel="")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- monitoring
def trend_band_chart(table: pd.DataFrame, *, title: str = "", group: str = "all"):
    """One panel per metric: estimate per period with a shaded confidence band.

    ``table`` is a :func:`cxlab.monitor.trends` table; rows of ``group`` are drawn
    (suppressed cells leave a gap).
    """
    t = table[table["group"] == group]
    metrics = list(dict.fromkeys(t["metric"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(2.4 * len(metrics) + 1, 3.2), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        m = t[t["metric"] == metric]
        x = range(len(m))
        ax.fill_between(x, m["ci_lower"], m["ci_upper"], color=PALETTE[0], alpha=0.2, lw=0)
        ax.plot(x, m["value"], "o-", color=PALETTE[0])
        ax.set_xticks(list(x), m["period"].astype(str), rotation=45 if len(m) > 4 else 0,
                      ha="right" if len(m) > 4 else "center")
        ax.set(title=metric, xlabel="")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def control_chart_plot(chart: pd.DataFrame, *, title: str = "", ylabel: str = "NPS"):
    """A :func:`cxlab.monitor.control_chart` table drawn: centre, limits, signals in red."""
    fig, ax = plt.subplots()
    x = list(range(len(chart)))
    ax.plot(x, chart["value"], "o-", color=PALETTE[0], label="period estimate")
    ax.step(x, chart["ucl"], where="mid", color=PALETTE[3], ls="--", lw=1, label="control limits")
    ax.step(x, chart["lcl"], where="mid", color=PALETTE[3], ls="--", lw=1)
    ax.axhline(chart["centre"].iloc[0], color="grey", lw=1, label="baseline centre")
    sig = chart["signal"].to_numpy()
    ax.plot([i for i in x if sig[i]], chart["value"][sig], "o", ms=11, mfc="none",
            mec=PALETTE[3], mew=2, label="signal")
    base = [i for i in x if chart["phase"].iloc[i] == "baseline"]
    if base:
        ax.axvspan(min(base) - 0.5, max(base) + 0.5, color="grey", alpha=0.1, lw=0)
        ax.text(min(base) - 0.4, ax.get_ylim()[1], "baseline", va="top", fontsize=8, color="grey")
    ax.set_xticks(x, chart["period"].astype(str), rotation=45, ha="right")
    ax.set(title=title, xlabel="", ylabel=ylabel)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


__all__ += ["trend_band_chart", "control_chart_plot"]


# ------------------------------------------------------------ SERVQUAL criticism (cxlab.servqual)
__all__ += ["difference_reliability_chart", "variance_explained_chart"]


def difference_reliability_chart(table: pd.DataFrame, *, title: str = "", threshold: float = 0.7):
    """Alpha of perception, expectation and gap items per dimension (``servqual.gap_reliability``).

    The dashed line marks the usual 0.70 threshold.
    """
    cols = {"alpha_perception": "perceptions (SERVPERF)", "alpha_expectation": "expectations",
            "alpha_gap": "gaps P − E (SERVQUAL)"}
    long = (table[list(cols)].rename(columns=cols).rename_axis("dimension").reset_index()
            .melt(id_vars="dimension", var_name="items", value_name="alpha"))
    fig, ax = plt.subplots()
    sns.barplot(long, x="dimension", y="alpha", hue="items", ax=ax,
                palette=[PALETTE[0], PALETTE[5], PALETTE[3]])
    ax.axhline(threshold, color="black", ls="--", lw=1)
    ax.set(title=title, xlabel="", ylabel="Cronbach's alpha", ylim=(0, 1))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize="small", frameon=False)
    fig.tight_layout()
    return fig


def variance_explained_chart(models: pd.DataFrame, *, title: str = ""):
    """R² and adjusted R² per model (``servqual.compare_servqual_servperf(...).models``)."""
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(models) + 1.4))
    y = range(len(models))
    ax.barh([i + 0.2 for i in y], models["r2"], height=0.4, color=PALETTE[0], label="R²")
    ax.barh([i - 0.2 for i in y], models["adj_r2"], height=0.4, color=PALETTE[1], label="adjusted R²")
    for i, (r2, adj) in enumerate(zip(models["r2"], models["adj_r2"])):
        ax.text(r2 + 0.005, i + 0.2, f"{r2:.3f}", va="center", fontsize=8)
        ax.text(adj + 0.005, i - 0.2, f"{adj:.3f}", va="center", fontsize=8)
    ax.set_yticks(list(y), models.index)
    ax.invert_yaxis()
    ax.set(title=title, xlabel="share of variance explained", xlim=(0, min(1, models["r2"].max() * 1.6 + 0.02)))
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig


# ------------------------------------------------------------ path diagrams: layout and text checks
#: Widest figure (inches, at 96 dpi) a report shows at its natural size; wider ones are scaled down.
REPORT_WIDTH_IN = 10.0
#: Font sizes (pt) of the path diagram: every text is 9 pt or more at the size shown.
_PT = {"node": 11, "coef": 10, "r2": 9.5, "note": 9, "title": 12.5}
_RADS = (0.0, 0.18, -0.18, 0.32, -0.32, 0.48, -0.48)  # arc3 bends tried for an arrow, straight first
_T = np.linspace(0.0, 1.0, 41)


@dataclass
class _Node:
    """A variable of the diagram: its name and R² texts, its box size and their heights (inches)."""

    name: str
    text: Any
    r2: Any
    w: float
    h: float
    name_h: float
    r2_h: float
    patch: Any = None

    def box(self, x: float, y: float) -> tuple[float, float, float, float]:
        """The node's box centred at (x, y): (x0, y0, x1, y1)."""
        return x - self.w / 2, y - self.h / 2, x + self.w / 2, y + self.h / 2


def _layers(g) -> dict:
    """Longest-path layer of every node (0 = exogenous); paths closing a cycle are ignored for it."""
    import networkx as nx

    dag = g.copy()
    while not nx.is_directed_acyclic_graph(dag):
        u, v = nx.find_cycle(dag)[-1][:2]
        dag.remove_edge(u, v)
    layer: dict = {}
    for v in nx.topological_sort(dag):
        layer[v] = max((layer[u] + 1 for u in dag.predecessors(v)), default=0)
    return layer


def _bezier(p0, p1, rad: float) -> np.ndarray:
    """Points of matplotlib's ``arc3`` connection from p0 to p1 (equal x and y scales)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    dx, dy = p1 - p0
    c = (p0 + p1) / 2 + rad * np.array([dy, -dx])
    t = _T[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t ** 2 * p1


def _hits(points: np.ndarray, boxes: np.ndarray, inflate: float = 0.08) -> int:
    """How many boxes (rows x0, y0, x1, y1) the polyline's points enter."""
    if not len(boxes):
        return 0
    x, y = points[:, 0:1], points[:, 1:2]
    inside = ((x > boxes[:, 0] - inflate) & (x < boxes[:, 2] + inflate)
              & (y > boxes[:, 1] - inflate) & (y < boxes[:, 3] + inflate))
    return int(inside.any(axis=0).sum())


def _crossings(segments: list) -> int:
    """Proper crossings between straight segments ((p, q) pairs) that share no end."""
    def side(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    n = 0
    for i, (a, b) in enumerate(segments):
        for c, d in segments[i + 1:]:
            if {a, b} & {c, d}:
                continue
            if side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0:
                n += 1
    return n


def _best_route(u, v, pos, nodes, reciprocal: bool) -> tuple[float, float]:
    """(cost, rad) of the best bend for the arrow u → v: no box crossed, as straight as possible."""
    others = np.array([nodes[k].box(*pos[k]) for k in pos if k not in (u, v)]).reshape(-1, 4)
    best = (np.inf, 0.0)
    for rad in _RADS:
        if reciprocal and rad <= 0:  # u → v and v → u: both bend, to opposite sides
            continue
        hits = _hits(_bezier(pos[u], pos[v], rad)[2:-2], others)
        best = min(best, (10 * hits + 3 * abs(rad), rad))
        if not hits:  # the bends are tried from straight to strongest: no better one follows
            break
    return best


def _free_length(a, b, node_a: _Node, node_b: _Node) -> float:
    """Length of the straight line between two box centres that lies outside both boxes (inches)."""
    d = np.subtract(b, a, dtype=float)
    length = float(np.hypot(*d))
    if length == 0:
        return 0.0
    ux, uy = np.abs(d) / length

    def inside(node: _Node) -> float:
        return min(node.w / 2 / ux if ux else np.inf, node.h / 2 / uy if uy else np.inf)

    return max(0.0, length - inside(node_a) - inside(node_b))


def _place(g, nodes: dict, layer: dict, budget: float, label: float) -> dict:
    """Centre (inches) of every node: columns by layer, heights by a small deterministic search.

    Each node may sit on half-row steps; the search moves one node at a time to the height
    that lowers the cost (arrows through boxes, bends, straight arrows too short to carry
    a ``label`` inches wide between their boxes, crossings, slopes, total height).
    """
    columns: dict = {}
    for v in g.nodes:  # insertion order = order of the model
        columns.setdefault(layer[v], []).append(v)
    widths = [max(nodes[v].w for v in columns[k]) for k in sorted(columns)]
    gap = float(np.clip((budget - sum(widths)) / max(len(widths) - 1, 1), 0.65, 1.6))
    xs = np.cumsum([0.0] + [widths[i] / 2 + gap + widths[i + 1] / 2 for i in range(len(widths) - 1)])
    row = max(nodes[v].h for v in g.nodes) + 0.55
    slots = max(len(c) for c in columns.values()) + 1
    heights = [row * s / 2 for s in range(2 * slots - 1)]
    pos = {}
    for k, col in columns.items():
        top = (slots - 1 - (len(col) - 1)) / 2
        for m, v in enumerate(col):
            pos[v] = (float(xs[k]), row * (slots - 1 - top - m))

    def cost(p: dict) -> float:
        total = 0.0
        for u, v in g.edges:
            bend, rad = _best_route(u, v, p, nodes, g.has_edge(v, u))
            total += bend + (2 * max(0.0, 1 - _free_length(p[u], p[v], nodes[u], nodes[v]) / label) if rad == 0 else 0)
        ys = [y for _, y in p.values()]
        total += 2 * _crossings([(p[u], p[v]) for u, v in g.edges])
        total += 0.3 * sum(abs(p[u][1] - p[v][1]) for u, v in g.edges) / row
        return total + 0.5 * (max(ys) - min(ys)) / row

    current = cost(pos)
    for _ in range(6):
        improved = False
        for k in sorted(columns):
            for v in columns[k]:
                for y in heights:
                    if y == pos[v][1] or any(abs(y - pos[w][1]) < row - 1e-9 for w in columns[k] if w != v):
                        continue
                    trial = {**pos, v: (pos[v][0], y)}
                    c = cost(trial)
                    if c < current - 1e-9:
                        pos, current, improved = trial, c, True
        if not improved:
            break
    return pos


def _route(g, nodes: dict, pos: dict) -> dict:
    """The bend (``arc3`` rad) of every arrow."""
    return {(u, v): _best_route(u, v, pos, nodes, g.has_edge(v, u))[1] for u, v in g.edges}


def _overlap(a, b) -> float:
    """Overlap area of two boxes (x0, y0, x1, y1)."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _place_labels(curves: dict, sizes: dict, boxes: list) -> dict:
    """Centre and size (x, y, w, h) of each arrow's label: on its arrow, clear of boxes and labels.

    Candidates run from the middle of the arrow outwards, on it and then just beside it;
    the first that overlaps no box or label and covers no other arrow wins, else the one
    that overlaps least.
    """
    placed: dict = {}
    order = sorted(curves, key=lambda e: np.linalg.norm(np.diff(curves[e], axis=0), axis=1).sum())
    for e in order:
        w, h = sizes[e]
        w, h = w + 0.09, h + 0.07  # the white pad around the text
        pts = curves[e]
        others = [c for f, c in curves.items() if f != e]
        best = None
        for rank, (t, shift) in enumerate((t, s) for s in (0.0, 0.8, -0.8) for t in
                                          (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.2, 0.8)):
            i = int(round(t * (len(pts) - 1)))
            tangent = pts[min(i + 1, len(pts) - 1)] - pts[max(i - 1, 0)]
            normal = np.array([-tangent[1], tangent[0]]) / (np.linalg.norm(tangent) or 1.0)
            x, y = pts[i] + shift * h * normal
            box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            area = sum(_overlap(box, b) for b in boxes) + sum(
                _overlap(box, (px - pw / 2, py - ph / 2, px + pw / 2, py + ph / 2)) for px, py, pw, ph in placed.values())
            covered = sum(_hits(c[3:-3], np.array([box]), inflate=0.0) for c in others)
            score = (round(area, 4), covered, rank)
            if best is None or score < best[0]:
                best = (score, (float(x), float(y), w, h))
        placed[e] = best[1]
    return placed


def _wrap_measured(words: str, text, width: float, size) -> None:
    """Set ``text`` to ``words`` in lines no wider than ``width`` inches, as it is drawn."""
    lines: list = []
    for word in words.split():
        trial = f"{lines[-1]} {word}" if lines else word
        text.set_text(trial)
        if lines and size(text)[0] <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    text.set_text("\n".join(lines))


def text_problems(fig, *, min_size: float = 9.0, max_width: float | None = REPORT_WIDTH_IN) -> list[str]:
    """What makes a figure's text hard to read: overlaps, text over a title or outside, small type.

    Every visible, non-empty text of the figure is measured with matplotlib's renderer
    (its drawn extent in pixels). A problem is reported when two texts overlap (by more
    than one pixel each way), when a text leaves the figure, or when a text is smaller
    than ``min_size`` points at the size the report shows it (a figure wider than
    ``max_width`` inches is scaled down to that width in the report).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    min_size : float, default=9.0
        Smallest readable font size (pt) at the size shown.
    max_width : float or None, default=REPORT_WIDTH_IN
        Width (inches) above which the report scales the figure down; None: never scaled.

    Returns
    -------
    list of str
        One sentence per problem; empty when the text reads.

    Examples
    --------
    >>> fig = plt.figure(figsize=(3, 2))
    >>> _ = fig.suptitle("Title", fontsize=12)
    >>> _ = fig.text(0.1, 0.4, "first", fontsize=10)
    >>> _ = fig.text(0.15, 0.4, "second", fontsize=10)
    >>> _ = fig.text(0.1, 0.1, "tiny", fontsize=6)
    >>> for problem in text_problems(fig):
    ...     print(problem)
    'tiny' is 6.0 pt at the size shown (less than 9 pt)
    'first' overlaps 'second'
    >>> plt.close(fig)
    """
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hidden = set()
    for ax in fig.axes:
        if not ax.axison:
            hidden |= {id(t) for t in ax.xaxis.findobj(Text) + ax.yaxis.findobj(Text)}
    texts, seen = [], set()
    for t in fig.findobj(Text):
        if id(t) in seen or id(t) in hidden or not t.get_visible() or not t.get_text().strip():
            continue
        seen.add(id(t))
        texts.append((t, t.get_window_extent(renderer)))
    titles = {id(t) for t in [fig._suptitle, *(a.title for a in fig.axes)] if t is not None}
    scale = min(1.0, max_width / fig.get_figwidth()) if max_width else 1.0
    frame = fig.bbox
    problems = []
    for t, box in texts:
        shown = t.get_fontsize() * scale
        if shown < min_size - 1e-9:
            problems.append(f"{t.get_text()!r} is {shown:.1f} pt at the size shown (less than {min_size:g} pt)")
        if box.x0 < frame.x0 - 1 or box.y0 < frame.y0 - 1 or box.x1 > frame.x1 + 1 or box.y1 > frame.y1 + 1:
            problems.append(f"{t.get_text()!r} lies (partly) outside the figure")
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if dx > 1 and dy > 1:
                first, second = (b, a) if id(a) in titles else (a, b)
                what = "the title " if id(second) in titles else ""
                problems.append(f"{first.get_text()!r} overlaps {what}{second.get_text()!r}")
    return problems


__all__ += ["REPORT_WIDTH_IN", "text_problems"]
