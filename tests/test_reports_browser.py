"""Every report opens in headless Chromium: renders, no console errors, images loaded."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


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
        header = page.locator("th.cx-sortable", has_text="missing_share").first
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
