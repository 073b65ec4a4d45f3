"""Open rendered reports in headless Chromium (Debian's ``chromium``), for tests and screenshots.

Playwright drives the system browser (``/usr/bin/chromium``); it never downloads one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["find_chromium", "ensure_chromium", "PageCheck", "check_pages", "screenshot"]

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
