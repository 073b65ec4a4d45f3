"""Path diagrams read at any model size: no text overlaps another or the title, all lies inside
the figure, type is 9 pt or more at the size a report shows it, and no arrow is clipped.

Models: 3 constructs; the demo study's structural model; the ECSI mobile-phone model
(7 constructs, paths skipping up to five layers) on simulated data and, when
``../shared`` is present, on the public data; 10 constructs with 14 paths. The checks
measure every text with matplotlib's renderer (:func:`cxlab.plots.text_problems`), and
a deliberately broken figure shows that they fail when they should.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

from conftest import SHARED, load_reference

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxlab import load_study, plots, sem  # noqa: E402
from cxlab.study import demo_study_path  # noqa: E402
from test_reports_browser import chromium  # noqa: E402,F401 - the fixture: headless Chromium, or skip

ECSI = load_reference("ecsi_mobi")["model_syntax"]


def simulate(syntax: str, n: int = 400, seed: int = 3) -> pd.DataFrame:
    """Data for a model's structure: each latent is 0.4 × its predictors + noise, items = latent + noise."""
    rng = np.random.default_rng(seed)
    g, items = nx.DiGraph(), {}
    for line in syntax.splitlines():
        if "=~" in line:
            lhs, rhs = line.split("=~")
            items[lhs.strip()] = [i.strip() for i in rhs.split("+")]
            g.add_node(lhs.strip())
        elif "~" in line:
            lhs, rhs = line.split("~")
            g.add_edges_from((r.strip(), lhs.strip()) for r in rhs.split("+"))
    eta = {}
    for v in nx.topological_sort(g):
        eta[v] = sum(0.4 * eta[u] for u in g.predecessors(v)) + rng.normal(size=n)
    return pd.DataFrame({i: eta[v] + rng.normal(scale=0.6, size=n) for v, its in items.items() for i in its})


def structural(paths: dict[str, list[str]]) -> str:
    """A model with three items per construct and the given paths (outcome: predictors)."""
    names = dict.fromkeys([*paths, *(p for ps in paths.values() for p in ps)])
    return "\n".join([*(f"{v} =~ {v}_1 + {v}_2 + {v}_3" for v in names),
                      *(f"{v} ~ {' + '.join(ps)}" for v, ps in paths.items())])


MODELS = {
    "three constructs": structural({"B": ["A"], "C": ["A", "B"]}),
    "demo": load_study(demo_study_path()).models["structural"],
    "ECSI (simulated data)": ECSI,
    "ten constructs": structural({"VAL": ["Q1", "Q2", "PRICE"], "SAT": ["Q1", "Q2", "Q3", "VAL"],
                                  "TRUST": ["Q3"], "LOY": ["SAT", "TRUST", "VAL"], "WOM": ["SAT", "LOY", "Q1"]}),
}


def clipped(fig) -> list[str]:
    """Arrows and boxes that leave the figure (they would be cut off)."""
    fig.canvas.draw()
    renderer, frame = fig.canvas.get_renderer(), fig.bbox
    out = []
    for patch in fig.axes[0].patches:
        box = patch.get_window_extent(renderer)
        if box.x0 < frame.x0 - 1 or box.y0 < frame.y0 - 1 or box.x1 > frame.x1 + 1 or box.y1 > frame.y1 + 1:
            out.append(f"{type(patch).__name__} at {box.bounds}")
    return out


def check(fig, n_paths: int) -> None:
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum(t.rstrip("*").replace("−", "-").replace(".", "", 1).lstrip("-").isdigit() for t in texts) == n_paths
    assert plots.text_problems(fig) == []
    assert clipped(fig) == []
    assert fig.get_figwidth() <= plots.REPORT_WIDTH_IN  # shown at its natural size: 9 pt stays 9 pt


@pytest.mark.parametrize("name", list(MODELS))
def test_path_diagram_reads(name):
    syntax = MODELS[name]
    res = sem.fit(simulate(syntax), syntax)
    fig = plots.path_chart(res, title="Standardised paths of the structural model")
    try:
        check(fig, n_paths=int((res.estimates["op"] == "~").sum()))
    finally:
        plt.close(fig)


def test_ecsi_public_data():
    """The real ECSI fit: improper (paths of 3.27 and −2.45), arcs over and under the chain."""
    if not SHARED.exists():
        pytest.skip("../shared (external data) is not present")
    mobi = pd.read_csv(SHARED / "data" / "external" / "ecsi_mobi" / "mobi.csv", index_col=0)
    res = sem.fit(mobi, ECSI)
    fig = plots.path_chart(res, title="Standardised paths of the structural model", labels={"IMAG": "Image"})
    try:
        check(fig, n_paths=12)
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert "Image" in texts and "3.27*" in texts and "−2.45" in texts
    finally:
        plt.close(fig)


def test_the_check_fails_on_a_broken_figure():
    """Overlapping texts, a label over the title, text outside the figure, small or scaled-down type."""
    res = sem.fit(simulate(ECSI), ECSI)
    fig = plots.path_chart(res, title="Standardised paths of the structural model")
    try:
        assert plots.text_problems(fig) == []
        ax = fig.axes[0]
        labels = [t for t in ax.texts if t.get_text().rstrip("*")[-1:].isdigit() and "R²" not in t.get_text()]
        labels[0].set_position(labels[1].get_position())  # two coefficients on one spot
        title = fig._suptitle
        fig.canvas.draw()
        x, y = fig.transFigure.inverted().transform(title.get_window_extent().get_points().mean(axis=0))
        labels[2].set_transform(fig.transFigure)
        labels[2].set_position((x, y))  # a coefficient over the title
        fig.text(1.02, 0.5, "outside")
        fig.text(0.5, 0.02, "tiny", fontsize=7)
        problems = plots.text_problems(fig)
        assert any(p.startswith(f"{labels[0].get_text()!r} overlaps {labels[1].get_text()!r}")
                   or p.startswith(f"{labels[1].get_text()!r} overlaps {labels[0].get_text()!r}") for p in problems)
        assert f"{labels[2].get_text()!r} overlaps the title {title.get_text()!r}" in problems
        assert "'outside' lies (partly) outside the figure" in problems
        assert "'tiny' is 7.0 pt at the size shown (less than 9 pt)" in problems
        fig.set_size_inches(1.25 * plots.REPORT_WIDTH_IN, fig.get_figheight())  # scaled to 80 % in a report
        assert any("is 8.0 pt at the size shown" in p for p in plots.text_problems(fig))
    finally:
        plt.close(fig)
    arrow = plt.figure(figsize=(3, 2))
    try:
        ax = arrow.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, 1)
        ax.annotate("", (1.3, 0.5), (0.2, 0.5), arrowprops=dict(arrowstyle="->"))
        ax.add_patch(plt.Rectangle((0.9, 0.4), 0.4, 0.2, clip_on=False))
        assert len(clipped(arrow)) == 1
    finally:
        plt.close(arrow)


@pytest.mark.slow
def test_demo_report_shows_the_diagram_at_its_natural_size(demo_run, chromium):
    """In the rendered report the diagram is not scaled down: 9 pt in the figure is 9 pt on screen."""
    from playwright.sync_api import sync_playwright

    from cxlab.browser import ARGS

    out, _ = demo_run
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((out / "03_sem_drivers.html").as_uri(), wait_until="load")
        shown = page.evaluate("""() => Array.from(document.querySelectorAll('.cx-caption-figure')).filter(
            c => c.textContent.includes('Path diagram')).map(c => {
                const img = c.closest('.jp-OutputArea').querySelector('img');
                return [img.naturalWidth, img.clientWidth, img.naturalHeight, img.clientHeight]; })""")
        browser.close()
    assert len(shown) == 1
    natural_w, client_w, natural_h, client_h = shown[0]
    assert (client_w, client_h) == (natural_w, natural_h)
    assert natural_w <= plots.REPORT_WIDTH_IN * 96
