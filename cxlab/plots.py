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
    """Apply cxlab's seaborn theme: white grid, colour-blind-safe palette, page-sized figures."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook",
                  rc={"figure.figsize": (8, 4.2), "figure.dpi": 96, "savefig.dpi": 96,
                      "axes.titleweight": "bold", "axes.spines.top": False, "axes.spines.right": False})


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

    Significant paths (p < ``alpha``) are drawn solid and marked with ``*``; the others
    dashed. Drawn with matplotlib and networkx, so no system package (graphviz) is needed.
    """
    import networkx as nx

    paths = fit.estimates[fit.estimates["op"] == "~"]
    g = nx.DiGraph()
    for _, row in paths.iterrows():
        g.add_edge(row["rhs"], row["lhs"], std=row["std_all"], p=row["pvalue"])
    layers = {}
    for node in nx.topological_sort(g):
        preds = list(g.predecessors(node))
        layers[node] = 0 if not preds else 1 + max(layers[q] for q in preds)
    for node, layer in layers.items():
        g.nodes[node]["layer"] = layer
    pos = nx.multipartite_layout(g, subset_key="layer", align="vertical")
    fig, ax = plt.subplots(figsize=(9, 0.55 * max(len(g), 4) + 1))
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=2600, node_color="#e8f1fa", edgecolors=PALETTE[0])
    nx.draw_networkx_labels(g, pos, ax=ax, font_size=8)
    for u, v, d in g.edges(data=True):
        sig = d["p"] < alpha
        nx.draw_networkx_edges(g, pos, edgelist=[(u, v)], ax=ax, node_size=2600, arrowsize=14,
                               width=1 + 3 * abs(d["std"]), style="solid" if sig else "dashed",
                               edge_color=PALETTE[0] if d["std"] >= 0 else PALETTE[3])
    labels = {(u, v): f"{d['std']:.2f}{'*' if d['p'] < alpha else ''}" for u, v, d in g.edges(data=True)}
    nx.draw_networkx_edge_labels(g, pos, edge_labels=labels, ax=ax, font_size=8, label_pos=0.35)
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    return fig


def fit_warnings(fit):
    """An HTML box: the model's warnings in red, or a green note that none were raised."""
    from html import escape

    from IPython.display import HTML

    if not fit.converged or fit.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in fit.warnings) or "<li>did not converge</li>"
        head = "The model did not converge: do not interpret these estimates." if not fit.converged \
            else "Check before interpreting:"
        return HTML(f'<div class="cx-warning"><strong>{head}</strong><ul>{items}</ul></div>')
    return HTML('<div class="cx-ok">The model converged; no Heywood case, non-positive-definite '
                'matrix or small-sample warning was raised.</div>')
