"""Report rendering: captions and numbering, summaries on top, methods written from parameters."""

from __future__ import annotations

import nbformat
import pytest

from cxlab.report import methods_section, render_notebook, summary_text
from cxlab.study import load_study
from conftest import DEMO


@pytest.fixture(scope="module")
def study():
    return load_study(DEMO / "study.yaml", overrides={"estimator": "MLR", "bootstrap": 500})


def executed_notebook():
    v4 = nbformat.v4
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    cells = [
        v4.new_markdown_cell("# A report\n\nIntro."),
        v4.new_code_cell("table", metadata={"caption": "Sample per wave."},
                         outputs=[v4.new_output("execute_result", data={"text/html": "<table><tr><td>1</td></tr></table>"},
                                                execution_count=1)]),
        v4.new_code_cell("plot", outputs=[v4.new_output("display_data", data={"image/png": png})]),
        v4.new_markdown_cell("## Summary"),
        v4.new_code_cell("Markdown(...)", metadata={"tags": ["summary"]},
                         outputs=[v4.new_output("display_data", data={"text/markdown": "**NPS rose.**"})]),
    ]
    return v4.new_notebook(cells=cells)


def test_captions_numbering_and_summary_first(study):
    nb = executed_notebook()
    html, title = render_notebook(nb, name="x", study=study)
    assert title == "A report"
    assert "<strong>Table 1.</strong> Sample per wave." in html
    assert "<strong>Figure 1.</strong>" in html
    assert html.index("NPS rose") < html.index("Table 1.")  # the summary moved under the title
    assert summary_text(nb) == "**NPS rose.**"
    assert 'class="jp-CodeMirrorEditor' not in html  # publication mode
    assert 'class="jp-CodeMirrorEditor' in render_notebook(nb, name="x", study=study, code=True)[0]


def test_methods_section_is_written_from_parameters(study):
    text = methods_section(study, "sem")
    assert "estimated by MLR" in text and "bootstrap percentile intervals (500 resamples" in text
    assert "Hu, L., & Bentler, P. M. (1999)" in text
    with pytest.raises(ValueError, match="The 'topic' parameter of methods_section must be one of"):
        methods_section(study, "astrology")
