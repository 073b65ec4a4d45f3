"""Open rendered reports in headless Chromium (Debian's ``chromium``): tests, screenshots, PDFs.

Playwright drives the system browser (``/usr/bin/chromium``); it never downloads one.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["find_chromium", "ensure_chromium", "PageCheck", "check_pages", "screenshot", "print_pdfs",
           "PAGE_MARGINS"]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium() -> str:
    """Chromium's path, installing Debian's ``chromium`` package first if it is missing.

    Raises RuntimeError (with the reason) when it cannot be installed here (not root,
    no apt-get, or the install failed).
    """
    path = find_chromium()
    if path:
        return path
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise RuntimeError("Chromium is not installed and cannot be installed here "
                           "(needs root and apt-get): run 'sudo apt-get install chromium'.")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"'{' '.join(cmd)}' failed: {done.stderr.strip()[-500:]}")
    path = find_chromium()
    if not path:
        raise RuntimeError("apt-get installed chromium but no executable was found on PATH")
    return path


@dataclass(frozen=True)
class PageCheck:
    """What a page did when opened: console errors, failed requests, broken images, overflow."""

    path: str
    title: str
    console_errors: tuple[str, ...]
    failed_requests: tuple[str, ...]
    images: int
    broken_images: tuple[str, ...]
    scroll_width: int
    viewport_width: int

    @property
    def overflows(self) -> bool:
        return self.scroll_width > self.viewport_width


def check_pages(paths: list[Path], *, width: int = 1280, chromium: str | None = None) -> list[PageCheck]:
    """Open each local HTML file in headless Chromium and record what happened."""
    from playwright.sync_api import sync_playwright

    chromium = chromium or ensure_chromium()
    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        try:
            for path in paths:
                page = browser.new_page(viewport={"width": width, "height": 900})
                errors: list[str] = []
                failed: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("requestfailed", lambda r: failed.append(r.url))
                page.goto(Path(path).resolve().as_uri(), wait_until="load")
                info = page.evaluate("""() => ({
                    title: document.title,
                    images: Array.from(document.images).map(i => [i.currentSrc.slice(0, 60), i.complete && i.naturalWidth > 0]),
                    scroll: document.documentElement.scrollWidth,
                    inner: window.innerWidth })""")
                results.append(PageCheck(
                    path=str(path), title=info["title"], console_errors=tuple(errors),
                    failed_requests=tuple(failed), images=len(info["images"]),
                    broken_images=tuple(src for src, ok in info["images"] if not ok),
                    scroll_width=info["scroll"], viewport_width=info["inner"]))
                page.close()
        finally:
            browser.close()
    return results


def screenshot(path: Path, out: Path, *, width: int = 1280, height: int = 900, full_page: bool = False) -> Path:
    """Save a PNG screenshot of a local HTML file."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=ensure_chromium(), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        page.screenshot(path=str(out), full_page=full_page)
        browser.close()
    return out


#: Margins of a printed report page (A4); ``report.css`` declares the same ``@page`` for browsers.
PAGE_MARGINS = {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}
_A4_MM = (210, 297)
_FOOTER = ('<div style="font: 8px system-ui, sans-serif; color: #666; width: 100%; text-align: center;">'
           '<span class="title"></span> · <span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def _px(mm: float) -> float:
    return mm / 25.4 * 96


def print_pdfs(paths: list[Path], out: Path, *, chromium: str | None = None,
               root: Path | None = None) -> list[Path]:
    """Print local HTML reports to PDF (A4, print CSS) with headless Chromium.

    Each ``<name>.html`` becomes ``out/<name>.pdf``; with ``root``, a page keeps its place
    under it (``root/teams/T01.html`` becomes ``out/teams/T01.pdf``). A page is printed at its natural
    size unless something in it (a wide table) is wider than the printed page: then the
    whole page is scaled down to fit (never below 50 %), so nothing is cut off. Each PDF is
    written to a temporary file beside its place and moved there when complete, so a
    ``.pdf`` is never half-written, even when the run is interrupted.

    Parameters
    ----------
    paths : list of Path
        HTML files (self-contained: nothing is fetched from the network).
    out : Path
        Folder of the PDFs (made if missing).
    chromium : str, optional
        Chromium's executable; found (or installed) by :func:`ensure_chromium` if omitted.
    root : Path, optional
        The folder the ``paths`` lie under; their sub-folders are kept under ``out``
        (default: every PDF directly in ``out``).

    Returns
    -------
    list of Path
        The PDFs written, in the order of ``paths``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "note.html").write_text("<h1>Note</h1><p>One page.</p>")
    >>> [p.name for p in print_pdfs([folder / "note.html"], folder / "pdf")]  # doctest: +SKIP
    ['note.pdf']
    """
    from playwright.sync_api import sync_playwright

    chromium = chromium or ensure_chromium()
    out.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    width = _px(_A4_MM[0]) - sum(_px(float(PAGE_MARGINS[k][:-2])) for k in ("left", "right"))
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        try:
            for path in paths:
                page = browser.new_page(viewport={"width": math.floor(width), "height": 1000})
                page.emulate_media(media="print")
                page.goto(Path(path).resolve().as_uri(), wait_until="load")
                wide = page.evaluate("document.documentElement.scrollWidth")
                scale = max(0.5, min(1.0, width / max(wide, 1)))
                place = Path(path).resolve().parent.relative_to(Path(root).resolve()) if root is not None else Path()
                target = out / place / f"{Path(path).stem}.pdf"
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".part", dir=target.parent)
                os.close(fd)
                try:
                    page.pdf(path=tmp, format="A4", margin=PAGE_MARGINS, print_background=True, scale=scale,
                             display_header_footer=True, header_template="<span></span>", footer_template=_FOOTER)
                    os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would differ from the HTML beside it
                    os.replace(tmp, target)
                finally:
                    Path(tmp).unlink(missing_ok=True)
                page.close()
                written.append(target)
        finally:
            browser.close()
    return written
