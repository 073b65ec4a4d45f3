"""Every report opens in headless Chromium: renders, no console errors, images loaded, and reads
like a publication (no stderr, no traceback, no pandas index, headers in words, every table and
figure captioned: :mod:`cxlab.report_checks`, whose checks are shown to fail on bad pages here too)."""

from __future__ import annotations

import pytest

from conftest import DEMO

pytestmark = pytest.mark.slow
DEMO_STUDY = DEMO / "study.yaml"


@pytest.fixture(scope="module")
def chromium():
    from cxlab.browser import ensure_chromium

    try:
        return ensure_chromium()
    except RuntimeError as exc:  # pragma: no cover - only where apt-get cannot run
        pytest.skip(f"headless Chromium unavailable: {exc}")


def test_every_report_renders_in_chromium(demo_run, chromium):
    from cxlab.browser import check_pages

    out, _ = demo_run
    pages = [out / "index.html", *sorted(p for p in out.glob("*.html") if p.name != "index.html")]
    assert len(pages) == 6
    for check in check_pages(pages, chromium=chromium):
        name = check.path.rsplit("/", 1)[-1]
        assert check.title, name
        assert check.console_errors == (), (name, check.console_errors)
        assert check.failed_requests == (), (name, check.failed_requests)
        assert check.broken_images == (), (name, check.broken_images)
        if name != "index.html":
            assert check.images >= 1, f"{name} shows no figure"
        assert not check.overflows, (name, check.scroll_width)


def test_long_tables_sort_on_header_click(demo_run, chromium):
    from playwright.sync_api import sync_playwright

    from cxlab.browser import ARGS

    out, _ = demo_run
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        page = browser.new_page()
        page.goto((out / "01_data_quality.html").as_uri())
        header = page.locator("th.cx-sortable", has_text="Missing (share)").first
        column = """() => { const th = document.querySelector('th.cx-sortable[data-dir]');
            const table = th.closest('table'); const i = Array.from(th.parentNode.cells).indexOf(th);
            return Array.from(table.tBodies[0].rows).map(r => parseFloat(r.cells[i].textContent)); }"""
        header.click()
        ascending = page.evaluate(column)
        header.click()
        descending = page.evaluate(column)
        browser.close()
    assert len(ascending) >= 8
    assert ascending == sorted(ascending) and descending == sorted(ascending, reverse=True)


def _labelled():
    """Whether a header name has words to show instead: the demo codebook's label or the glossary's."""
    from cxlab.study import load_study
    from cxlab.tables import GLOSSARY

    codebook = load_study(DEMO_STUDY).codebook
    return lambda name: name in GLOSSARY or codebook.label(name) != name


def test_every_demo_report_reads_like_a_publication(demo_run, chromium):
    from cxlab.report_checks import check_reports

    out, _ = demo_run
    pages = sorted(out.glob("0*.html"))
    assert len(pages) == 5
    problems = check_reports(pages, labelled=_labelled(), chromium=chromium)
    assert problems == {p.name: [] for p in pages}


# A report page as nbconvert writes it: each output in a .jp-OutputArea-child, captions as outputs.
_OUT = '<div class="jp-OutputArea-child"><div class="jp-OutputArea-output" {attrs}>{body}</div></div>'
_GOOD_TABLE = ('<table><thead><tr><th>Outcome</th><th>B</th></tr></thead>'
               '<tbody><tr><td>Satisfaction</td><td>0.41</td></tr></tbody></table>')


def _page(*outputs) -> str:
    body = "".join(_OUT.format(attrs=a, body=b) for a, b in outputs)
    return f'<html><body><div class="jp-OutputArea">{body}</div></body></html>'


def _caption(kind, n, title="A title."):
    return "", f'<p class="cx-caption cx-caption-{kind.lower()}"><strong>{kind} {n}.</strong> {title}</p>'


@pytest.mark.parametrize("outputs, expected", [
    ([_caption("Table", 1), ("", _GOOD_TABLE), ("", '<img src="data:image/png;base64,iVBO">'),
      _caption("Figure", 1)], []),
    ([("data-mime-type=\"application/vnd.jupyter.stderr\"", "/tmp/ipykernel_1/2.py:1: UserWarning: x")],
     ["stderr output area", "a traceback or error output"]),
    ([("", "<pre>Traceback (most recent call last):\n  File x</pre>")], ["a traceback"]),
    ([_caption("Table", 1), ("", _GOOD_TABLE.replace("<th>Outcome</th>", "<th></th>"))], ["an empty header cell"]),
    ([_caption("Table", 1), ("", "<table><thead><tr><th>x</th></tr></thead><tbody><tr><th>0</th><td>1</td></tr>"
                                 "</tbody></table>")], ["row headers"]),
    ([_caption("Table", 1), ("", "<table><thead><tr><th>n</th><th>Outcome</th></tr></thead><tbody>"
                                 "<tr><td>0</td><td>a</td></tr><tr><td>1</td><td>b</td></tr>"
                                 "<tr><td>2</td><td>c</td></tr></tbody></table>")], ["first column 0, 1, 2"]),
    ([_caption("Table", 1), ("", _GOOD_TABLE.replace("<th>B</th>", "<th>mean_wait_sec</th>"))],
     ["snake_case header(s) with a label: ['mean_wait_sec']"]),
    ([("", _GOOD_TABLE)], ["no caption 'Table n. title'"]),
    ([_caption("Table", 1, title=""), ("", _GOOD_TABLE)], ["no caption 'Table n. title'"]),
    ([("", '<img src="data:image/png;base64,iVBO">')], ["no caption 'Figure n. title'"]),
    ([_caption("Table", 2), ("", _GOOD_TABLE)], ["tables are not numbered 1, 2, 3"]),
])
def test_each_publication_check_fails_on_a_bad_page(chromium, outputs, expected):
    from playwright.sync_api import sync_playwright

    from cxlab.browser import ARGS
    from cxlab.report_checks import page_problems

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        page = browser.new_page()
        page.set_content(_page(*outputs))
        problems = page_problems(page, labelled=lambda name: name == "mean_wait_sec")
        browser.close()
    assert len(problems) == len(expected), problems
    for problem, words in zip(problems, expected):
        assert words in problem, problems
