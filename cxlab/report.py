"""HTML reports: executed notebooks to self-contained HTML, and the study's index page."""

from __future__ import annotations

import datetime as dt
import html
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Iterable

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from ._text import md
from .data import sha256

__all__ = ["render_notebook", "write_index", "provenance", "summary_text", "methods_section", "TEMPLATES"]

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


class CaptionPreprocessor(Preprocessor):
    """Number every figure and table of a report and give them their captions.

    A figure is an image output, a table an HTML output holding a ``<table>``. The
    caption comes from the cell's ``caption`` metadata (jupytext: ``# %% caption="..."``);
    without one the item is only numbered. Figures are captioned below, tables above.
    """

    def preprocess(self, nb, resources):
        counts = {"Figure": 0, "Table": 0}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            caption = html.escape(str(cell.metadata.get("caption", "")))
            outputs = []
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                text = data.get("text/html", "")
                kind = ("Figure" if ("image/png" in data or "image/svg+xml" in data)
                        else "Table" if "<table" in (text if isinstance(text, str) else "".join(text)) else None)
                if kind is None:
                    outputs.append(out)
                    continue
                counts[kind] += 1
                label = nbformat.v4.new_output("display_data", data={"text/html": (
                    f'<p class="cx-caption cx-caption-{kind.lower()}"><strong>{kind} {counts[kind]}.</strong> {caption}</p>')})
                outputs.extend([out, label] if kind == "Figure" else [label, out])
            cell.outputs = outputs
        return nb, resources


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
    exporter.register_preprocessor(CaptionPreprocessor(enabled=True), enabled=True)
    stamp = html.escape(f"{study.name} · {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}")
    body, _ = exporter.from_notebook_node(nb, resources={"cxlab_provenance": stamp})
    return body, title


def _summary_html(text: str) -> str:
    """A report's summary (Markdown) as HTML for the index: no raw HTML, no script links.

    The ``describe_*`` texts escape data values already; this guards the index against
    a summary cell that did not.
    """
    from nbconvert.filters import markdown2html

    body = markdown2html(text.replace("<", "&lt;"))
    return re.sub(r'href="\s*(?:javascript|vbscript|data):[^"]*"', 'href="#"', body, flags=re.IGNORECASE)


def write_index(path: Path, *, study, runs: Iterable, seconds: float, code: bool) -> None:
    """Write the study overview page linking every report, with the run's provenance."""
    prov = provenance(study)
    esc = html.escape
    rows = "\n".join(
        f'<li><a href="{esc(r.html)}">{esc(r.title)}</a> <span class="muted">({esc(r.name)}, {r.seconds:.1f} s)</span>'
        + (f'<div class="headline">{_summary_html(r.summary)}</div>' if r.summary else "") + "</li>"
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


#: References cited by the methods sections, by key.
REFERENCES = {
    "hu_bentler": "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure "
                  "analysis. Structural Equation Modeling, 6(1), 1–55.",
    "rosseel": "Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. "
               "Journal of Statistical Software, 48(2), 1–36.",
    "pzb": "Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL: A multiple-item scale for "
           "measuring consumer perceptions of service quality. Journal of Retailing, 64(1), 12–40.",
    "cronin_taylor": "Cronin, J. J., & Taylor, S. A. (1992). Measuring service quality: A reexamination and "
                     "extension. Journal of Marketing, 56(3), 55–68.",
    "horn": "Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis. "
            "Psychometrika, 30(2), 179–185.",
    "henseler": "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing discriminant "
                "validity in variance-based structural equation modeling. JAMS, 43(1), 115–135.",
    "fornell_larcker": "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with "
                       "unobservable variables and measurement error. Journal of Marketing Research, 18(1), 39–50.",
    "revelle": "Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality research "
               "(R package version 2.2.9).",
    "lmg": "Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). Introduction to bivariate and multivariate "
           "analysis. Scott, Foresman. (LMG / Shapley decomposition of R²)",
    "johnson": "Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor "
               "variables in multiple regression. Multivariate Behavioral Research, 35(1), 1–19.",
    "ringle_sarstedt": "Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The "
                       "importance-performance map analysis. Industrial Management & Data Systems, 116(9), 1865–1886.",
    "reichheld": "Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review, 81(12), 46–54.",
    "holm": "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal "
            "of Statistics, 6(2), 65–70.",
    "montgomery": "Montgomery, D. C. (2019). Introduction to statistical quality control (8th ed.). Wiley.",
    "meade_craig": "Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data. "
                   "Psychological Methods, 17(3), 437–455.",
}

_METHODS = {
    "data_quality": (
        "Answers coded as missing ({missing_codes}) are treated as missing; reverse-keyed items are recoded as "
        "low + high − answer. Direct identifiers are replaced by keyed pseudonyms (HMAC-SHA256) before any "
        "analysis. Groups smaller than {min_cell_size} respondents are suppressed in tables. Straight-lining and "
        "speeding are flagged, not removed.",
        ["meade_craig"]),
    "measurement": (
        "Sampling adequacy by Kaiser–Meyer–Olkin and Bartlett's test; the number of factors by parallel analysis "
        "(seed {seed}); exploratory factor analysis with {efa_method} extraction and {rotation} rotation "
        "(loadings below {loading_cutoff} hidden); confirmatory factor analysis by {estimator} with missing data "
        "handled {missing}; reliability as Cronbach's alpha with Feldt intervals ({ci_pct} %), composite "
        "reliability and AVE; discriminant validity by Fornell–Larcker and HTMT (0.85 / 0.90). Fit cut-offs: "
        "CFI and TLI ≥ 0.95, RMSEA ≤ 0.06, SRMR ≤ 0.08. Results are checked against R's psych and lavaan.",
        ["pzb", "cronin_taylor", "horn", "revelle", "fornell_larcker", "henseler", "hu_bentler"]),
    "sem": (
        "Structural equation model estimated by {estimator} (missing data: {missing}), marker-variable "
        "identification (first loading fixed to 1) as in lavaan; standardised coefficients are lavaan's std.all; "
        "indirect and total effects with delta-method standard errors (bootstrap: {bootstrap} resamples, seed "
        "{seed}). Significance level {alpha_level}. Fit cut-offs: CFI and TLI ≥ 0.95, RMSEA ≤ 0.06, SRMR ≤ 0.08.",
        ["rosseel", "hu_bentler"]),
    "levers": (
        "Contacts in the {contact_window_days} days before each respondent's survey date are linked through the "
        "pseudonymous customer key. Driver importance by {importance_method}; effects of contact factors by OLS with "
        "HC3 robust standard errors (associations, not causes); importance–performance map on a 0–100 scale; "
        "levers ranked by expected gain with bootstrap intervals ({bootstrap} resamples, seed {seed}).",
        ["lmg", "johnson", "ringle_sarstedt"]),
    "monitoring": (
        "NPS = % promoters (9–10) − % detractors (0–6) with its trinomial standard error; shares with Wilson "
        "intervals; {ci_pct} % intervals; changes between periods by z-tests with Holm's correction at α = "
        "{alpha_level}; Shewhart control chart with limits from the baseline period. Groups smaller than "
        "{min_cell_size} are suppressed.",
        ["reichheld", "holm", "montgomery"]),
}


def methods_section(study, topic: str) -> str:
    """The methods paragraph and references of a report, written from the study's parameters.

    Parameters
    ----------
    study : Study
    topic : {"data_quality", "measurement", "sem", "levers", "monitoring"}

    Returns
    -------
    str
        Markdown: one paragraph, then the references as a list.
    """
    if topic not in _METHODS:
        raise ValueError(f"The 'topic' parameter of methods_section must be one of "
                         f"{', '.join(map(repr, _METHODS))}. Got {topic!r} instead.")
    text, refs = _METHODS[topic]
    p = {k: md(v) if isinstance(v, str) else v for k, v in study.parameters.items()}
    p["ci_pct"] = f"{100 * p['ci_level']:g}"
    p["missing_codes"] = ", ".join(md(c) for c in study.codebook.missing_codes) or "none declared"
    body = text.format(**p)
    return body + "\n\n**References**\n\n" + "\n".join(f"- {REFERENCES[k]}" for k in refs)
