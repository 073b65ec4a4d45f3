"""HTML reports: executed notebooks to self-contained HTML, and the study's index page."""

from __future__ import annotations

import datetime as dt
import html
import platform
from importlib import metadata
from pathlib import Path
from typing import Iterable

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from .data import sha256

__all__ = ["render_notebook", "write_index", "provenance", "summary_text", "TEMPLATES"]

#: Cells tagged ``summary`` hold a report's executive summary: computed at the end of
#: the notebook (when the results exist), shown at the top of the report and on the index.
SUMMARY_TAG = "summary"

TEMPLATES = Path(__file__).parent / "templates"

#: Packages whose versions a report records.
TRACKED = ("cxlab", "numpy", "scipy", "pandas", "semopy", "pingouin", "factor-analyzer", "scikit-learn",
           "statsmodels", "matplotlib", "seaborn", "duckdb", "papermill", "nbconvert")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance(study) -> dict:
    """What a run depended on: parameters, input fingerprints, versions and time."""
    return {
        "time": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "parameters": dict(study.parameters),
        "overrides": dict(study.overrides),
        "inputs": {k: {"file": Path(p).name, "sha256": sha256(p)} for k, p in study.input_files().items()
                   if Path(p).exists()},
        "versions": {name: _version(name) for name in TRACKED},
        "python": platform.python_version(),
    }


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _is_summary(cell) -> bool:
    return SUMMARY_TAG in cell.get("metadata", {}).get("tags", [])


def summary_text(nb: nbformat.NotebookNode) -> str:
    """The Markdown (or plain text) that the notebook's ``summary`` cells displayed."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "code" and _is_summary(cell):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                text = data.get("text/markdown") or data.get("text/plain") or out.get("text", "")
                if text:
                    parts.append(text if isinstance(text, str) else "".join(text))
    return "\n\n".join(parts).strip()


def _summary_first(nb: nbformat.NotebookNode) -> None:
    """Move ``summary`` cells (and the markdown heading just before each) after the title."""
    cells = nb.cells
    moved = []
    for i, cell in enumerate(cells):
        if _is_summary(cell):
            if i > 0 and cells[i - 1].cell_type == "markdown" and cells[i - 1].source.lstrip().startswith("#"):
                moved.append(i - 1)
            moved.append(i)
    if not moved:
        return
    keep = [c for i, c in enumerate(cells) if i not in moved]
    first = next((i for i, c in enumerate(keep) if c.cell_type == "markdown"), -1)
    nb.cells = keep[:first + 1] + [cells[i] for i in moved] + keep[first + 1:]


def render_notebook(nb: nbformat.NotebookNode, *, name: str, study, code: bool = False) -> tuple[str, str]:
    """Render an executed notebook to one self-contained HTML page.

    Publication mode (``code=False``) hides every code cell's input; teaching mode shows
    code and markdown. Cells tagged ``remove-cell`` are dropped, ``remove-input`` cells
    show only their output; ``summary`` cells move to the top, under the title. Images are embedded as data URIs; no script is loaded from
    the network.

    Returns
    -------
    (html, title)
    """
    nb = nbformat.from_dict(nb)
    _summary_first(nb)
    title = _title(nb, name)
    nb.metadata["title"] = f"{title} — {study.title}"
    exporter = HTMLExporter(template_name="cxlab", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=not code, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    exporter.register_preprocessor(TagRemovePreprocessor(
        remove_cell_tags={"remove-cell"}, remove_input_tags={"remove-input"}, enabled=True), enabled=True)
    stamp = f"{study.name} · {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}"
    body, _ = exporter.from_notebook_node(nb, resources={"cxlab_provenance": stamp})
    return body, title


def write_index(path: Path, *, study, runs: Iterable, seconds: float, code: bool) -> None:
    """Write the study overview page linking every report, with the run's provenance."""
    prov = provenance(study)
    esc = html.escape
    from nbconvert.filters import markdown2html

    rows = "\n".join(
        f'<li><a href="{esc(r.html)}">{esc(r.title)}</a> <span class="muted">({esc(r.name)}, {r.seconds:.1f} s)</span>'
        + (f'<div class="headline">{markdown2html(r.summary)}</div>' if r.summary else "") + "</li>"
        for r in runs)
    params = "\n".join(
        f"<tr><td><code>{esc(k)}</code></td><td>{esc(repr(v))}</td><td>{'run override' if k in prov['overrides'] else ''}</td></tr>"
        for k, v in prov["parameters"].items())
    inputs = "\n".join(
        f"<tr><td>{esc(k)}</td><td>{esc(v['file'])}</td><td><code>{v['sha256']}</code></td></tr>"
        for k, v in prov["inputs"].items())
    versions = ", ".join(f"{esc(k)} {esc(v)}" for k, v in prov["versions"].items())
    css = (TEMPLATES / "cxlab" / "index.css").read_text()
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(study.title)} — cxlab</title><style>{css}</style></head>
<body><main>
<h1>{esc(study.title)}</h1>
<p class="lead">{esc(study.description)}</p>
<h2>Reports and headline findings</h2>
<ol class="reports">
{rows}
</ol>
<p class="muted">Mode: {'teaching (code shown)' if code else 'publication (code hidden)'} ·
run finished {esc(prov['time'])} in {seconds:.1f} s.</p>
<h2>Run provenance</h2>
<h3>Parameters</h3>
<table><thead><tr><th>name</th><th>value</th><th></th></tr></thead><tbody>
{params}
</tbody></table>
<h3>Inputs</h3>
<table><thead><tr><th>role</th><th>file</th><th>sha256</th></tr></thead><tbody>
{inputs}
</tbody></table>
<h3>Software</h3>
<p class="muted">Python {esc(prov['python'])}; {versions}.</p>
</main></body></html>
"""
    path.write_text(page, encoding="utf-8")
