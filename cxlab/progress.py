"""Progress of long steps inside a notebook (bootstrap resamples), shown by the runner.

A notebook passes ``progress=cxlab.progress.reporter("bootstrap")`` to a method that
accepts a progress callback; the callback is called with ``(done, total)``. Under
``cxlab run`` the runner gives each kernel a file in ``$CXLAB_PROGRESS`` and prints
what is written there ("03_sem_drivers: bootstrap 120/200, about 40 s left"); in an
ordinary Jupyter session the callback does nothing.

Examples
--------
>>> import os, tempfile
>>> os.environ[ENV] = path = os.path.join(tempfile.mkdtemp(), "p")
>>> tick = reporter("bootstrap")
>>> tick(50, 200)
>>> read(path).startswith("bootstrap 50/200")
True
>>> del os.environ[ENV]
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

__all__ = ["ENV", "reporter", "read"]

#: Environment variable naming the file a kernel writes its progress to.
ENV = "CXLAB_PROGRESS"


def reporter(task: str, *, every: float = 1.0) -> Callable[[int, int], None]:
    """A ``(done, total)`` callback that writes ``task``'s progress and time left (at most every ``every`` s)."""
    path = os.environ.get(ENV)
    start = time.monotonic()
    last = [0.0]

    def report(done: int, total: int) -> None:
        if not path:
            return
        now = time.monotonic()
        if done < total and now - last[0] < every:
            return
        last[0] = now
        elapsed = now - start
        left = elapsed / done * (total - done) if done else float("nan")
        eta = "" if done >= total or left != left else f", about {left:.0f} s left"
        tmp = f"{path}.tmp"
        Path(tmp).write_text(f"{task} {done}/{total}{eta}")
        os.replace(tmp, path)

    return report


def read(path: str | Path) -> str:
    """The last progress line written to ``path`` ("" when none)."""
    try:
        return Path(path).read_text()
    except OSError:
        return ""
