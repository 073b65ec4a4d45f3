"""HTML reports: executed notebooks to self-contained HTML, and the study's index page."""

from __future__ import annotations

import datetime as dt
import html
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Iterable, Mapping

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from ._text import md
from ._validation import check_choice
from .data import sha256
from .plan import sem_resamples
from .quality import MIN_PAIRS

__all__ = ["render_notebook", "write_index", "provenance", "summary_text", "methods_section", "warning_notes",
           "TEMPLATES"]

#: Cells tagged ``summary`` hold a report's executive summary: computed at the end of
#: the notebook (when the results exist), shown at the top of the report and on the index.
SUMMARY_TAG = "summary"

TEMPLATES = Path(__file__).parent / "templates"

#: Packages whose versions a report records: the ones that computed its numbers (cxlab's own
#: estimators on numpy/scipy/pandas, statsmodels' regressions, the contact aggregation in
#: DuckDB through Ibis). Packages that only draw, run or render the notebooks are left out.
TRACKED = ("cxlab", "numpy", "scipy", "pandas", "statsmodels", "duckdb", "ibis-framework")


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


#: A warning as ``warnings.formatwarning`` writes it: ``path:line: Category: message``.
_WARNING_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<category>[A-Za-z_][\w.]*): (?P<message>.*)$")
#: Categories worth naming for a reader (a user warning is the method's own note: no label).
_CATEGORY_WORDS = {"RuntimeWarning": "numerical", "FutureWarning": "library change", "DeprecationWarning":
                   "library change", "ConvergenceWarning": "convergence"}


def warning_notes(text: str) -> list[str]:
    r"""Readable notes from a cell's stderr: the messages of its warnings, no paths or code.

    Each warning (``path:line: Category: message`` and the source line under it) becomes
    its message, with the kind in brackets unless it is a plain ``UserWarning``; other
    non-empty lines are kept as they are, progress-bar redraws (carriage returns) are
    dropped, and repeated notes are shown once.

    Examples
    --------
    >>> warning_notes("/tmp/ipykernel_1/153.py:1: UserWarning: contact_effects dropped 1 of 2000 rows\n"
    ...               "  effects = levers.contact_effects(data)\n")
    ['contact_effects dropped 1 of 2000 rows']
    >>> warning_notes("/x/y.py:9: RuntimeWarning: divide by zero\n  a / b\n")
    ['divide by zero (numerical)']
    """
    notes, skip_source = [], False
    for line in text.split("\n"):
        if "\r" in line or not line.strip():
            continue
        m = _WARNING_LINE.match(line)
        if m:
            category = m.group("category").rsplit(".", 1)[-1]
            kind = _CATEGORY_WORDS.get(category, "" if category == "UserWarning" else category)
            notes.append(m.group("message").strip() + (f" ({kind})" if kind else ""))
            skip_source = True
        elif skip_source and line.startswith((" ", "\t")):
            skip_source = False  # the source line the warning points at
        else:
            skip_source = False
            notes.append(line.strip())
    return list(dict.fromkeys(notes))


class NotesPreprocessor(Preprocessor):
    """Turn every stderr output of a cell into a short "Notes" box (what happened, no paths)."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            outputs, notes = [], []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    text = out.get("text", "")
                    notes += warning_notes(text if isinstance(text, str) else "".join(text))
                else:
                    outputs.append(out)
            if notes:
                items = "".join(f"<li>{html.escape(n)}</li>" for n in dict.fromkeys(notes))
                outputs.insert(0, nbformat.v4.new_output("display_data", data={"text/html": (
                    f'<div class="cx-notes"><strong>Notes</strong><ul>{items}</ul></div>')}))
            cell.outputs = outputs
        return nb, resources


def render_notebook(nb: nbformat.NotebookNode, *, name: str, study, code: bool = False) -> tuple[str, str]:
    """Render an executed notebook to one self-contained HTML page.

    Publication mode (``code=False``) hides every code cell's input; teaching mode shows
    code and markdown. Cells tagged ``remove-cell`` are dropped, ``remove-input`` cells
    show only their output; ``summary`` cells move to the top, under the title; warnings a
    cell wrote to stderr become a "Notes" box (:func:`warning_notes`). Images are embedded as data URIs; no script is loaded from
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
    exporter.register_preprocessor(NotesPreprocessor(enabled=True), enabled=True)
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


def _report_item(r) -> str:
    esc = html.escape
    if getattr(r, "failed", ""):
        return (f'<li class="failed"><strong>{esc(r.name)}: failed</strong> — {esc(r.failed)} '
                f'<span class="muted">(the executed notebook: <a href="{esc(r.html)}">{esc(r.html)}</a>)</span></li>')
    how = "reused: nothing it depends on changed" if getattr(r, "reused", False) else f"{r.seconds:.1f} s"
    return (f'<li><a href="{esc(r.html)}">{esc(r.title)}</a> <span class="muted">({esc(r.name)}, {how})</span>'
            + (f'<div class="headline">{_summary_html(r.summary)}</div>' if r.summary else "") + "</li>")


def write_index(path: Path, *, study, runs: Iterable, seconds: float, code: bool, plan=None,
                teams: Iterable = ()) -> None:
    """Write the study overview page linking every report, with the run's provenance.

    With the run's ``plan`` (:class:`cxlab.plan.Plan`), the reports it skipped are listed
    with the reason, and only the parameters of the reports that ran are shown. ``teams``
    (the runs of ``cxlab run --by team``) are linked in a section of their own, each with
    its one-line summary (:func:`cxlab.teams.describe_team`: a suppressed team's is its
    suppression notice).
    """
    prov = provenance(study)
    esc = html.escape

    rows = "\n".join(_report_item(r) for r in runs)
    if plan is not None and plan.skipped:
        rows += "\n" + "\n".join(f'<li class="skipped muted">{esc(r.name)}: skipped — {esc(r.reason)}</li>'
                                  for r in plan.skipped)
    used = plan.parameters if plan is not None else list(prov["parameters"])
    params = "\n".join(
        f"<tr><td><code>{esc(k)}</code></td><td>{esc(repr(prov['parameters'][k]))}</td>"
        f"<td>{'run override' if k in prov['overrides'] else ''}</td></tr>"
        for k in used)
    inputs = "\n".join(
        f"<tr><td>{esc(k)}</td><td>{esc(v['file'])}</td><td><code>{v['sha256']}</code></td></tr>"
        for k, v in prov["inputs"].items())
    versions = ", ".join(f"{esc(k)} {esc(v)}" for k, v in prov["versions"].items())
    teams = list(teams)
    team_rows = "\n".join(f'<li><a href="{esc(r.html)}">Team {esc(r.name)}</a>'
                          + (f'<div class="headline">{_summary_html(r.summary)}</div>' if r.summary else "") + "</li>"
                          for r in teams)
    team_section = ("<h2>Team reports</h2>\n<p>One short report per team: its key figures against the "
                    "organisation's, its first levers and its close-the-loop counts. Under each link, its "
                    "summary; a team with too few respondents shows the suppression notice instead.</p>\n"
                    f'<ul class="teams">\n{team_rows}\n</ul>') if teams else ""
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
{team_section}
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
    "heskett": "Heskett, J. L., Jones, T. O., Loveman, G. W., Sasser, W. E., & Schlesinger, L. A. (1994). "
               "Putting the service-profit chain to work. Harvard Business Review, 72(2), 164–174.",
    "preacher_hayes": "Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for assessing "
                      "and comparing indirect effects in multiple mediator models. Behavior Research Methods, 40(3), "
                      "879–891.",
    "holm": "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal "
            "of Statistics, 6(2), 65–70.",
    "montgomery": "Montgomery, D. C. (2019). Introduction to statistical quality control (8th ed.). Wiley.",
    "kpmg_nunwood": "KPMG Nunwood (2016–2019). Customer Experience Excellence analyses (yearly reports of the "
                    "Customer Experience Excellence Centre: the Six Pillars). KPMG Nunwood.",
    "pine_gilmore": "Pine, B. J., & Gilmore, J. H. (2000). Satisfaction, sacrifice, surprise: Three small steps "
                    "create one giant leap into the experience economy. Strategy & Leadership, 28(1), 18–23.",
    "meade_craig": "Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data. "
                   "Psychological Methods, 17(3), 437–455.",
}

def _methods_data_quality(study, p, caps) -> tuple[list[str], list[str]]:
    cb = study.codebook
    text = [f"Answers coded as missing ({', '.join(md(c) for c in cb.missing_codes) or 'none declared'}) are treated "
            "as missing."]
    if cb.reverse_keyed:
        text.append("Reverse-keyed items are recoded as low + high − answer.")
    if cb.direct_identifiers:
        text.append("Direct identifiers are replaced by keyed pseudonyms (HMAC-SHA256) before any analysis.")
    text.append(f"Groups smaller than {p['min_cell_size']} respondents are suppressed in tables.")
    text.append("Straight-lining" + (" and speeding are" if caps["duration"] is None else " is")
                + " flagged, not removed.")
    text.append("An item is flagged as a copy or recode of another item when each answer to the other goes "
                f"with a single answer to it, among respondents who answered both (at least {MIN_PAIRS} beyond "
                "the first respondent of each answer).")
    if caps["contacts"] is None:
        text.append(f"Contacts in the {p['contact_window_days']} days before each respondent's survey date are "
                    "linked through the pseudonymous customer key.")
    return text, ["meade_craig"]


def _methods_measurement(study, p, caps):
    text = ["Sampling adequacy by Kaiser–Meyer–Olkin and Bartlett's test; the number of factors "
            + (f"set to {p['n_factors']} (parallel analysis shown for comparison, seed {p['seed']})"
               if p["n_factors"] else f"by parallel analysis (seed {p['seed']})")
            + f"; exploratory factor analysis with {p['efa_method']} extraction and {p['rotation']} rotation "
            f"(loadings below {p['loading_cutoff']} hidden); reliability as Cronbach's alpha with Feldt intervals "
            f"({_pct(p['ci_level'])} %) and McDonald's omega (one factor per construct"
            + (f", percentile bootstrap intervals from {p['bootstrap']} resamples, seed {p['seed']})."
               if p["bootstrap"] else ").")]
    refs = ["horn", "revelle"]
    if caps["measurement_model"] is None:
        text.append(f"Confirmatory factor analysis by {p['estimator']} with missing data handled {p['missing']}; "
                    "composite reliability and AVE; discriminant validity by Fornell–Larcker and HTMT (0.85 / 0.90). "
                    "Fit cut-offs: CFI and TLI ≥ 0.95, RMSEA ≤ 0.06, SRMR ≤ 0.08.")
        refs += ["fornell_larcker", "henseler", "hu_bentler"]
    if caps["expectations"] is None:
        text.append(f"SERVQUAL gaps (perception − expectation) with paired t intervals ({_pct(p['ci_level'])} %) and "
                    "SERVPERF scores; reliability of difference scores by Johns' formula"
                    + (f"; SERVQUAL and SERVPERF compared by nested F tests at α = {p['alpha_level']}."
                       if caps["outcome"] is None else "."))
        refs = ["pzb", "cronin_taylor", *refs]
    if caps["pillars"] is None:
        text.append("Six Pillars (KPMG Nunwood) scored as the mean of each pillar's items (at least half answered), "
                    "with t intervals of the mean, Cronbach's alpha (Feldt) and McDonald's omega"
                    + (f" (bootstrap, {p['bootstrap']} resamples)" if p["bootstrap"] else "") + ".")
        refs.append("kpmg_nunwood")
    if caps["sacrifice"] is None:
        text.append("Customer sacrifice (Pine & Gilmore) per attribute: the mean of what the respondent wants "
                    f"exactly minus what they settle for, with a paired t interval ({_pct(p['ci_level'])} %).")
        refs.append("pine_gilmore")
    text.append("Results are checked against R's psych and lavaan.")
    return text, refs


def _methods_sem(study, p, caps):
    text = [f"Structural equation model estimated by {p['estimator']} (missing data: {p['missing']}), "
            "marker-variable identification (first loading fixed to 1) as in lavaan; standardised coefficients "
            "are lavaan's std.all; indirect and total effects with "
            + (f"bootstrap percentile intervals ({p['bootstrap']} resamples, seed {p['seed']})"
               if sem_resamples(p) else "delta-method standard errors"
               + (" (no bootstrap under WLSMV)" if p["bootstrap"] and p["estimator"] == "WLSMV" else ""))
            + f". Significance level {p['alpha_level']}. Fit cut-offs: CFI and TLI ≥ 0.95, RMSEA ≤ 0.06, "
            "SRMR ≤ 0.08."]
    if caps["segment"] is None:
        text.append("Segments are compared after testing measurement invariance (configural, metric, scalar), "
                    "with loadings held equal and each path tested for equality by a chi-square difference test; "
                    "a path is said to differ only when the test of all paths at once is significant and its own "
                    "Holm-adjusted p-value is below the significance level.")
    return text, ["rosseel", "hu_bentler"] + (["holm"] if caps["segment"] is None else [])


def _methods_levers(study, p, caps):
    text = [f"Driver importance by {p['importance_method']}"
            + (f" with bootstrap intervals ({p['bootstrap']} resamples, seed {p['seed']}, {_pct(p['ci_level'])} %)"
               if p["bootstrap"] else "")
            + "; importance–performance map on a 0–100 scale; levers ranked by expected gain"
            + (" with bootstrap intervals of impact, gain and rank" if p["bootstrap"] else "")
            + f"; a lever's gain is claimed only when its HC3 test survives Holm's correction over all levers "
              f"(α = {1 - p['ci_level']:g}, one minus the interval level)."]
    if caps["contacts"] is None:
        text.append(f"Contacts in the {p['contact_window_days']} days before each respondent's survey date are "
                    "linked through the pseudonymous customer key; effects of contact factors by OLS with HC3 "
                    "robust standard errors (associations, not causes), judged as one family with Holm's correction"
                    + (f", and in the structural model estimated by {p['estimator']} (missing data: {p['missing']})."
                       if caps["structural_model"] is None else "."))
    refs = ["lmg", "johnson", "ringle_sarstedt", "holm"]
    if caps.get("employees") is None:
        from .multilevel import chain_resamples  # here: the runner renders reports without SciPy's stats

        text.append("Service Profit Chain: respondents are attributed to the team of their first agent-handled "
                    "contact in the window; intraclass correlations and random-intercept models by team (REML, "
                    "Wald intervals), the indirect effects of team engagement on the outcome through first-contact "
                    "resolution and, when the contact log has a quality-assurance score (qa_score), through handle "
                    "quality (parallel mediators, each a·b, and their sum, the total indirect effect; Preacher & "
                    f"Hayes 2008) with a cluster bootstrap over teams ({chain_resamples(p['bootstrap'])} resamples, "
                    f"seed {p['seed']}, {_pct(p['ci_level'])} % percentile intervals).")
        refs += ["heskett", "preacher_hayes"]
    if caps["pillar_outcomes"] is None:
        text.append("Importance of the Six Pillars (pillar scores as drivers) for NPS (0–10) and for the loyalty "
                    "outcome by the same method, each outcome on its own, on the respondents with every pillar score "
                    "and the outcome. Importance–performance map of the pillars: pillar scores and outcomes rescaled "
                    "to 0–100 with their scales' ranges, performance the mean rescaled score (t interval), importance "
                    "the total effect on the rescaled outcome (OLS on all pillars"
                    + (f", bootstrap percentile intervals from {p['bootstrap']} resamples, seed {p['seed']}"
                       if p["bootstrap"] else "")
                    + "), quadrants split at the means over the pillars; a pillar's potential is importance × "
                      "(100 − performance).")
        refs.append("kpmg_nunwood")
    if caps["sacrifice"] is None:
        text.append("Customer sacrifice per respondent and attribute: what they want exactly minus what they settle "
                    f"for; its Pearson correlation with each outcome with a Fisher-z interval ({_pct(p['ci_level'])} %), "
                    "p-values Holm-adjusted over every attribute and outcome (a relation is claimed below "
                    f"α = {1 - p['ci_level']:g}), and the gaps' importance for each outcome by {p['importance_method']}"
                    + (f" with bootstrap intervals ({p['bootstrap']} resamples)" if p["bootstrap"] else "")
                    + " on the respondents with every gap and the outcome.")
        refs.append("pine_gilmore")
    return text, refs


def _methods_monitoring(study, p, caps):
    metrics = study.codebook.metrics
    text = []
    if "nps" in metrics:
        text.append("NPS = % promoters (9–10) − % detractors (0–6) with its trinomial standard error.")
    if set(metrics) - {"nps"}:
        text.append("Shares with Wilson intervals, means with t intervals.")
    text.append(f"Intervals at {_pct(p['ci_level'])} %.")
    if caps["waves"] is None:
        text.append(f"Changes between periods by z-tests with Holm's correction at α = {p['alpha_level']}; a "
                    "segment's change is named only after an omnibus test across the segments is significant.")
    if caps["nps"] is None and caps["date"] is None:
        text.append("Shewhart control chart with limits from the baseline period.")
    if caps["contacts"] is None:
        text.append(f"Respondents are grouped by their main contact channel in the {p['contact_window_days']} "
                    "days before the survey.")
    text.append(f"Groups smaller than {p['min_cell_size']} are suppressed.")
    refs = ["reichheld", "holm", "montgomery"] if caps["waves"] is None else ["reichheld"]
    return text, refs


def _pct(level: float) -> str:
    return f"{100 * level:g}"


_METHODS = {"data_quality": _methods_data_quality, "measurement": _methods_measurement, "sem": _methods_sem,
            "levers": _methods_levers, "monitoring": _methods_monitoring}


class _Escaped(Mapping):
    """A read-only view of parameters whose string values come out Markdown-escaped."""

    def __init__(self, values: Mapping):
        self._values = values

    def __getitem__(self, key):
        value = self._values[key]
        return md(value) if isinstance(value, str) else value

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


def methods_section(study, topic: str) -> str:
    """The methods paragraph and references of a report, written from the study and its parameters.

    Only what the report did for this study is said: a sentence on contacts only with a
    contact log, on SERVQUAL gaps only with expectation items, on waves only with waves.

    Parameters
    ----------
    study : Study
    topic : {"data_quality", "measurement", "sem", "levers", "monitoring"}

    Returns
    -------
    str
        Markdown: one paragraph, then the references as a list.
    """
    from .plan import capabilities

    check_choice(topic, "topic", "methods_section", tuple(_METHODS))
    p = _Escaped(study.parameters)  # read lazily: the kernel records only the parameters used
    text, refs = _METHODS[topic](study, p, capabilities(study))
    if p["waves"] and study.codebook.wave:
        text.append(f"Waves analysed: {', '.join(map(str, p['waves']))}.")
    return " ".join(text) + "\n\n**References**\n\n" + "\n".join(f"- {REFERENCES[k]}" for k in refs)
