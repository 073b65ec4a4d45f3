"""Plots are functions of results, with one theme, so every report looks the same.

Call :func:`set_theme` once (the notebooks do); every function returns the matplotlib
``Figure`` it drew.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

__all__ = ["PALETTE", "set_theme", "bar_chart", "distribution_chart", "scree_chart", "gap_chart",
           "importance_chart", "abandonment_chart", "trend_chart", "path_chart", "fit_warnings"]

#: Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


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


def importance_chart(importance: pd.DataFrame, *, title: str = ""):
    """Driver importance shares (``driver_importance``), with bootstrap intervals if present."""
    t = importance.sort_values("importance", ascending=True)
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(t) + 1.2))
    xerr = None
    if {"ci_lower", "ci_upper"} <= set(t.columns):
        xerr = [t["importance"] - t["ci_lower"], t["ci_upper"] - t["importance"]]
    ax.barh(t.index.astype(str), t["importance"], xerr=xerr, color=PALETTE[0], capsize=3)
    ax.set(title=title, xlabel="share of R² (importance)")
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


def path_chart(fit, *, title: str = "", alpha: float = 0.05):
    """Path diagram of the structural part: standardised coefficients on the arrows.

    Variables are placed in columns by their position in the causal order (drivers left,
    final outcomes right); latent variables are drawn as rounded boxes and observed ones
    as square boxes, each sized to its label. Arrow labels are the standardised
    coefficients (``std_all``) with ``*`` p < .05, ``**`` p < .01, ``***`` p < .001;
    paths not significant at ``alpha`` are dashed and grey, negative ones orange; the
    arrow width grows with the coefficient. Endogenous variables carry their R² below
    the box. For a multigroup fit the first group is drawn. Pure matplotlib (networkx
    for the ordering), so no system package such as graphviz is needed.
    """
    import networkx as nx
    from matplotlib.patches import FancyArrowPatch

    est = fit.estimates
    r2 = fit.r2
    group_note = ""
    if "group" in est.columns:
        first = est["group"].iloc[0]
        est = est[est["group"] == first]
        r2 = r2.loc[first] if isinstance(r2.index, pd.MultiIndex) else r2
        group_note = f" (group {first})"
    paths = est[est["op"] == "~"]
    latent = set(est.loc[est["op"] == "=~", "lhs"])
    g = nx.DiGraph()
    for row in paths.itertuples(index=False):
        g.add_edge(row.rhs, row.lhs, std=row.std_all, p=row.pvalue)
    if not len(g):
        raise ValueError("The 'fit' parameter of path_chart has no structural path ('~') to draw.")
    layer = {}
    for node in nx.topological_sort(g):
        preds = list(g.predecessors(node))
        layer[node] = 0 if not preds else 1 + max(layer[q] for q in preds)
    columns: dict = {}
    for node in g.nodes:  # insertion order = order of the model
        columns.setdefault(layer[node], []).append(node)
    height = max(len(v) for v in columns.values())
    pos = {}
    for k, nodes in columns.items():
        offset = (height - len(nodes)) / 2
        for m, node in enumerate(nodes):
            pos[node] = (k * 3.0, height - 1 - (offset + m))
    n_cols = max(columns) + 1
    skips = any(layer[v] - layer[u] > 1 for u, v in g.edges)  # drawn as arcs above the columns
    headroom = 0.9 if skips else 0.0
    fig, ax = plt.subplots(figsize=(max(7.5, 3.2 * n_cols + 1.5), 0.85 * (height + headroom) + 1.6))
    ax.set_xlim(-1.4, 3.0 * (n_cols - 1) + 1.4)
    ax.set_ylim(-1.0, height - 0.2 + headroom)
    ax.axis("off")
    boxes = {}
    for node, (x, y) in pos.items():
        style = "round,pad=0.5,rounding_size=0.8" if node in latent else "square,pad=0.5"
        boxes[node] = ax.text(x, y, node, ha="center", va="center", fontsize=10, zorder=3,
                              bbox=dict(boxstyle=style, fc="#e8f1fa", ec=PALETTE[0], lw=1.3))
        if node in r2.index and g.in_degree(node) > 0:
            ax.text(x, y - 0.36, f"R² = {r2[node]:.2f}", ha="center", va="top", fontsize=8.5, color="#333333")
    fig.canvas.draw()  # size the boxes so the arrows stop at their edges
    for u, v, d in g.edges(data=True):
        sig = bool(d["p"] < alpha)
        colour = ("#999999" if not sig else PALETTE[0] if d["std"] >= 0 else PALETTE[3])
        rad = -0.22 if layer[v] - layer[u] > 1 else 0.0
        arrow = FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>", mutation_scale=14, lw=0.8 + 3 * abs(d["std"]),
                                color=colour, ls="-" if sig else "--", zorder=2, connectionstyle=f"arc3,rad={rad}",
                                patchA=boxes[u].get_bbox_patch(), patchB=boxes[v].get_bbox_patch(),
                                shrinkA=1, shrinkB=1)
        ax.add_patch(arrow)
        stars = "***" if d["p"] < 0.001 else "**" if d["p"] < 0.01 else "*" if d["p"] < 0.05 else ""
        (x0, y0), (x1, y1) = ax.transData.transform(pos[u]), ax.transData.transform(pos[v])
        # a straight arrow: 42 % of the way; an arc (quadratic Bezier, display space): its midpoint
        t = 0.42 if rad == 0 else 0.5
        lx, ly = x0 + t * (x1 - x0) + 0.5 * rad * (y1 - y0), y0 + t * (y1 - y0) - 0.5 * rad * (x1 - x0)
        lx, ly = ax.transData.inverted().transform((lx, ly))
        ax.text(lx, ly, f"{d['std']:.2f}{stars}", ha="center", va="center",
                fontsize=9, color=colour if sig else "#666666", zorder=4, fontweight="bold" if sig else "normal",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))
    ax.text(0.0, 0.0, f"Standardised coefficients{group_note}; * p < .05, ** p < .01, *** p < .001; dashed grey: "
            f"not significant at α = {alpha:g}; orange: negative. Rounded boxes: latent variables.",
            transform=ax.transAxes, fontsize=8, color="#555555", va="bottom")
    ax.set_title(title)
    fig.tight_layout()
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


def ipa_chart(table: pd.DataFrame, *, title: str = "", xlabel: str = "performance",
              ylabel: str = "importance"):
    """Importance-performance quadrant chart (``levers.importance_performance`` / ``ipma``).

    One labelled point per lever; dashed lines at the table's cut points
    (``attrs``; the means if absent) and the quadrant names in the corners.
    """
    fig, ax = plt.subplots(figsize=(8, 5.2))
    x_cut = table.attrs.get("performance_cut", float(table["performance"].mean()))
    y_cut = table.attrs.get("importance_cut", float(table["importance"].mean()))
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


def lever_chart(table: pd.DataFrame, *, title: str = ""):
    """Ranked levers (``levers.rank_levers``): priority per lever with its bootstrap interval.

    Bars are coloured by kind (driver / contact); each label carries the lever's reach.
    """
    t = table.sort_values("rank", ascending=False)
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
    outcome = table.attrs.get("outcome", "outcome")
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
