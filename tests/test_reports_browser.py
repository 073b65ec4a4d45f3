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
