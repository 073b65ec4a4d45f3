"""`cxlab pdf` and `cxlab run --pdf`: every report of a run printed to A4 PDF by headless Chromium.

The PDFs exist for every report (the index too), nothing half-written is left, each has
about as many pages as its print layout is tall (a few more, where page breaks move a
table or figure whole to the next page) and contains every heading of its report: text
read back twice, with pypdf (pure Python) and with poppler's ``pdftotext`` (installed from
Debian's ``poppler-utils`` by the test setup when missing), ligatures normalised.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import apt_install, cxlab_cmd
from test_reports_browser import chromium  # noqa: F401 - the fixture: headless Chromium, or skip

pytestmark = pytest.mark.slow

#: A4 printed area in CSS pixels (96 per inch) with cxlab's margins: 186 mm × 267 mm.
PAGE_WIDTH_PX, PAGE_HEIGHT_PX = 703, 1009


class _Headings(HTMLParser):
    """The text of every h1–h3 of a page."""

    def __init__(self):
        super().__init__()
        self.depth, self.found, self.parts = 0, [], []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-3]", tag):
            self.depth, self.parts = self.depth + 1, []

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-3]", tag) and self.depth:
            self.depth -= 1
            self.found.append(normal("".join(self.parts)))

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def normal(text: str) -> str:
    """Text as compared: ligatures (ﬁ) unfolded, anchor marks dropped, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).replace("¶", "").split())


def headings(html: Path) -> list[str]:
    parser = _Headings()
    parser.feed(html.read_text(encoding="utf-8"))
    return [h for h in parser.found if h]


def print_heights(pages: list[Path], chromium: str) -> dict[str, float]:
    """Height of each page's print layout, in printed pages."""
    from playwright.sync_api import sync_playwright

    from cxlab.browser import ARGS

    heights = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        for path in pages:
            page = browser.new_page(viewport={"width": PAGE_WIDTH_PX, "height": PAGE_HEIGHT_PX})
            page.emulate_media(media="print")
            page.goto(path.resolve().as_uri(), wait_until="load")
            heights[path.stem] = page.evaluate("document.documentElement.scrollHeight") / PAGE_HEIGHT_PX
            page.close()
        browser.close()
    return heights


def pdftotext() -> str | None:
    """poppler's ``pdftotext``, installing Debian's ``poppler-utils`` first where it is missing and root can."""
    apt_install("poppler-utils", present=lambda: shutil.which("pdftotext"))
    return shutil.which("pdftotext")


def check_pdfs(folder: Path, chromium: str) -> dict[str, int]:
    """Assert the PDFs of a report folder; return the page count of each."""
    from pypdf import PdfReader

    pages = sorted(folder.glob("*.html"))
    pdf_dir = folder / "pdf"
    files = sorted(p.name for p in pdf_dir.iterdir() if p.is_file())
    assert files == sorted(f"{p.stem}.pdf" for p in pages)  # no .part left
    teams = sorted(folder.glob("teams/*.html"))  # team reports (run --by team): pdf/teams/, checked in test_teams
    assert sorted(p.name for p in (pdf_dir / "teams").glob("*")) == [f"{p.stem}.pdf" for p in teams]
    tall = print_heights(pages, chromium)
    poppler = pdftotext()
    counts = {}
    for html in pages:
        reader = PdfReader(pdf_dir / f"{html.stem}.pdf")
        n = counts[html.stem] = len(reader.pages)
        expected = math.ceil(tall[html.stem])
        # a figure or table moves whole to the next page when it does not fit (break-inside:
        # avoid), so a report of many blocks (04: 8 figures, 17 tables) prints up to ~40 % more
        # pages than its screen height; what must not happen is an empty page
        assert expected - 1 <= n <= expected + max(2, math.ceil(0.4 * expected)), (html.name, n, tall[html.stem])
        words = [len(page.extract_text().split()) for page in reader.pages]
        assert min(words) >= 10, (html.name, words)  # a figure's page still has its caption
        box = reader.pages[0].mediabox  # A4 in points
        assert float(box.width) == pytest.approx(595.3, abs=1.5) and float(box.height) == pytest.approx(841.9, abs=1.5)
        text = normal(" ".join(page.extract_text() for page in reader.pages))
        wanted = headings(html)
        assert len(wanted) >= 3, html.name
        assert [h for h in wanted if h not in text] == [], html.name
        if poppler:  # the same headings in poppler's reading of the file
            out = subprocess.run([poppler, "-enc", "UTF-8", str(pdf_dir / f"{html.stem}.pdf"), "-"],
                                 capture_output=True, text=True, check=True).stdout
            assert [h for h in wanted if h not in normal(out)] == [], (html.name, "pdftotext")
    return counts


def test_cxlab_pdf_prints_every_report(demo_run, chromium, tmp_path):
    out, _ = demo_run
    root = tmp_path / "reports"
    shutil.copytree(out.parent, root)  # the session's run stays as other tests expect it
    done = cxlab_cmd("pdf", "--out", root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(root / "demo" / "pdf")
    counts = check_pdfs(root / "demo", chromium)
    assert len(counts) == 6 and counts["index"] >= 1
    assert sum(counts.values()) >= 20  # five full reports: several pages each


def test_run_with_pdf_flag(tmp_path, chromium, demo_contacts):
    done = cxlab_cmd("run", "--only", "01_data_quality", "--pdf", "--out", tmp_path / "r")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "r" / "demo"
    assert done.stdout.split() == [str(folder / "index.html"), str(folder / "pdf")]
    assert "printing 2 report(s) to PDF" in done.stderr
    check_pdfs(folder, chromium)


def test_pdf_of_a_study_never_run(tmp_path):
    done = cxlab_cmd("pdf", "--out", tmp_path / "empty")
    assert done.returncode == 2
    assert "no reports of study 'demo'" in done.stderr and "cxlab run" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "empty").exists()


def test_print_pdfs_writes_whole_files_only(tmp_path, chromium):
    """A small page: one A4 page, its text, mode as the HTML beside it, no temporary file left."""
    from pypdf import PdfReader

    from cxlab.browser import print_pdfs

    html = tmp_path / "note.html"
    html.write_text("<!DOCTYPE html><html><head><title>Note</title></head><body><h1>A short note</h1>"
                    "<table><tr><th>segment</th><th>n</th></tr><tr><td>Private</td><td>412</td></tr></table>"
                    "</body></html>", encoding="utf-8")
    written = print_pdfs([html], tmp_path / "pdf", chromium=chromium)
    assert written == [tmp_path / "pdf" / "note.pdf"]
    assert [p.name for p in (tmp_path / "pdf").iterdir()] == ["note.pdf"]
    assert (written[0].stat().st_mode & 0o777) == (html.stat().st_mode & 0o777)
    reader = PdfReader(written[0])
    assert len(reader.pages) == 1
    assert "A short note" in normal(reader.pages[0].extract_text())
