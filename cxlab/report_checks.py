"""What a published report must not show, checked on the page a reader sees (headless Chromium).

:func:`page_problems` reads an open page's DOM and lists every breach of the publication
rules: a stderr output area, a traceback, a pandas index column (an empty header cell, row
headers, or a first column 0, 1, 2, ...), a snake_case header where a label exists, and a
table or figure without a numbered caption that has a title ("Table 3. Fit of ...").
:func:`check_reports` opens rendered reports and runs it on each.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable

__all__ = ["page_problems", "check_reports", "SNAKE_CASE"]

#: A header that is a variable name rather than words.
SNAKE_CASE = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+")
_CAPTION = re.compile(r"^(Table|Figure) (\d+)\.\s+\S")

# One pass over the DOM: what each output table and figure looks like and what is around it.
_READ_PAGE = """() => {
  const text = el => (el ? el.textContent.replace(/\\s+/g, " ").trim() : "");
  const captionNear = (el, kind) => {
    const child = el.closest(".jp-OutputArea-child") || el.parentElement;
    let sib = kind === "table" ? child.previousElementSibling : child.nextElementSibling;
    const found = sib && sib.querySelector(".cx-caption-" + kind);
    return found ? text(found) : "";
  };
  const outputs = Array.from(document.querySelectorAll(".jp-OutputArea-output"));
  const tables = outputs.flatMap(o => Array.from(o.querySelectorAll("table")))
    .filter(t => !t.parentElement.closest("table"))
    .map(t => ({
      headers: Array.from(t.tHead ? t.tHead.querySelectorAll("th") : t.querySelectorAll("tr:first-child th"))
               .map(text),
      rowHeaders: t.tBodies.length ? t.tBodies[0].querySelectorAll("th").length : 0,
      firstColumn: t.tBodies.length ? Array.from(t.tBodies[0].rows).map(r => text(r.cells[0])) : [],
      caption: captionNear(t, "table"),
    }));
  const figures = outputs.flatMap(o => Array.from(o.querySelectorAll("img, :scope > svg")))
    .filter(f => !f.closest("table"))
    .map(f => ({src: (f.getAttribute("src") || "svg").slice(0, 40), caption: captionNear(f, "figure")}));
  return {
    stderr: document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]').length,
    errors: document.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]').length,
    text: document.body ? document.body.innerText : "",
    tables, figures,
  };
}"""


def _index_column(table: dict) -> str:
    if any(h == "" for h in table["headers"]):
        return "an empty header cell"
    if table["rowHeaders"]:
        return "row headers in the body"
    first = table["firstColumn"]
    if len(first) >= 2 and first == [str(i) for i in range(len(first))]:
        return "a first column 0, 1, 2, …"
    return ""


def page_problems(page, *, labelled: Callable[[str], bool] | None = None) -> list[str]:
    """Every breach of the publication rules on an open Playwright page.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A page showing a rendered report.
    labelled : callable, optional
        ``labelled(name)`` is true when the variable or statistic ``name`` has a display
        label (the codebook's or the table glossary's); a snake_case header with one is a
        breach. Default: every snake_case header is a breach.

    Returns
    -------
    list of str
        One sentence per problem (empty for a clean page).
    """
    info = page.evaluate(_READ_PAGE)
    problems = []
    if info["stderr"]:
        problems.append(f"{info['stderr']} stderr output area(s)")
    if info["errors"] or "Traceback (most recent call last)" in info["text"] or "ipykernel_" in info["text"]:
        problems.append("a traceback or error output")
    labelled = labelled or (lambda name: True)
    numbers = {"Table": [], "Figure": []}
    for k, table in enumerate(info["tables"], start=1):
        where = f"table {k} ({table['caption'][:40] or ', '.join(table['headers'][:3])})"
        reason = _index_column(table)
        if reason:
            problems.append(f"{where}: a pandas index column ({reason})")
        snake = [h for h in table["headers"] if SNAKE_CASE.fullmatch(h) and labelled(h)]
        if snake:
            problems.append(f"{where}: snake_case header(s) with a label: {snake}")
        m = _CAPTION.match(table["caption"])
        if not m or m.group(1) != "Table":
            problems.append(f"{where}: no caption 'Table n. title' above it")
        else:
            numbers["Table"].append(int(m.group(2)))
    for k, figure in enumerate(info["figures"], start=1):
        m = _CAPTION.match(figure["caption"])
        if not m or m.group(1) != "Figure":
            problems.append(f"figure {k} ({figure['src']}): no caption 'Figure n. title' below it")
        else:
            numbers["Figure"].append(int(m.group(2)))
    for kind, seen in numbers.items():
        if seen != list(range(1, len(seen) + 1)):
            problems.append(f"{kind.lower()}s are not numbered 1, 2, 3, …: {seen}")
    return problems


def check_reports(paths: Iterable[Path], *, labelled: Callable[[str], bool] | None = None,
                  chromium: str | None = None) -> dict[str, list[str]]:
    """Open each rendered report in headless Chromium: ``{file name: page_problems(...)}``."""
    from playwright.sync_api import sync_playwright

    from .browser import ARGS, ensure_chromium

    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium or ensure_chromium(), headless=True, args=ARGS)
        try:
            page = browser.new_page()
            for path in paths:
                page.goto(Path(path).resolve().as_uri(), wait_until="load")
                out[Path(path).name] = page_problems(page, labelled=labelled)
        finally:
            browser.close()
    return out
