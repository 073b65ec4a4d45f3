"""What a run may write, and how it stops: output-folder rules, study ownership, signals.

- **Output folders.** Reports never land in ``data/raw`` (or any folder inside one), in
  ``data/processed``, inside a study's folder, or on a non-empty folder that cxlab did
  not make (it carries :data:`ROOT_MARKER`). Each rule names the folder; every check
  runs, and the folder is made and probed for writing, before any work.
- **Ownership.** ``reports/<name>/`` records the study file that wrote it
  (:data:`RUN_MARKER`), ``data/processed/<name>/`` does so in its fingerprint; a second
  study file claiming the same ``name:`` is refused with both files named.
- **Signals.** :func:`interruptible` turns SIGINT and SIGTERM into :class:`Interrupted`
  after killing every notebook kernel of the run, so the runner's clean-up removes its
  temporary folders and the command prints one line and exits 130 / 143.

Examples
--------
>>> Interrupted(15).exit_code
143
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import Any, Callable, Iterator

from .paths import inside_raw, project_root, study_file_id

__all__ = ["ROOT_MARKER", "RUN_MARKER", "Interrupted", "OutputError", "check_study_name", "critical",
           "interruptible", "kernels_may_start", "mark_run", "reports_root", "temporary_dir", "track_kernel"]

#: In a reports root: the folder holds cxlab reports and cxlab may write into it.
ROOT_MARKER = ".cxlab-reports"
#: In ``<reports root>/<study>/``: which study file wrote these reports.
RUN_MARKER = ".cxlab-run.json"
#: Entries that do not make a folder "non-empty" (version-control placeholders).
_PLACEHOLDERS = {".gitkeep", ".keep", ".DS_Store", ROOT_MARKER}


class OutputError(ValueError):
    """An output folder breaks a rule; the message names the folder and the rule."""


# ------------------------------------------------------------------ output folders
def _within(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def reports_root(study, out: str | Path | None = None) -> Path:
    """Check a run's reports root against the output rules, create it, mark it and probe it.

    Parameters
    ----------
    study : Study
    out : str or Path, optional
        ``--out``; the default is ``<project>/reports``, always cxlab's own.

    Returns
    -------
    Path
        The resolved reports root (it exists, carries :data:`ROOT_MARKER` and is writable).

    Raises
    ------
    OutputError
        Naming the folder and the rule it breaks (nothing is written then).
    """
    default = (study.root / "reports").resolve()
    root = Path(out).expanduser().resolve() if out is not None else default
    final = root / study.name
    what = f"--out {root}" if out is not None else f"the reports folder {root}"

    def refuse(rule: str) -> OutputError:
        return OutputError(f"{what}: {rule}. Choose a new or empty folder elsewhere with --out"
                           + (f" (or leave --out out: reports then go to {default})." if out is not None else "."))

    if inside_raw(root) or inside_raw(final):
        raise refuse("it is inside a data/raw folder: raw data are read-only, no output may land there")
    for project in {study.root.resolve(), project_root()}:
        for area in ("raw", "processed"):
            if _within(root, (project / "data" / area).resolve()):
                raise refuse(f"it is inside {project / 'data' / area}: no reports may land among the study data")
    study_folders = {study.path.parent, *(Path(p).parent for p in study.data.values())}
    for folder in sorted(study_folders):
        if root != default and _within(root, folder):
            raise refuse(f"it is inside the study folder {folder} (the study file or its data live there)")
        if _within(folder, final):
            raise refuse(f"the reports would replace {final}, which holds the study folder {folder}")
    if root.exists() and not root.is_dir():
        raise refuse("it is a file, not a folder")
    if root.is_dir() and root != default and not (root / ROOT_MARKER).exists():
        foreign = sorted(p.name for p in root.iterdir() if p.name not in _PLACEHOLDERS)
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise refuse(f"it already holds files cxlab did not write ({shown}); cxlab writes only "
                         f"into new or empty folders, or folders with its {ROOT_MARKER} marker")
    try:
        root.mkdir(parents=True, exist_ok=True)
        marker = root / ROOT_MARKER
        if not marker.exists():
            marker.write_text("This folder holds reports written by cxlab; cxlab may replace "
                              "the report folders in it.\n", encoding="utf-8")
        os.rmdir(tempfile.mkdtemp(prefix=".cxlab-probe-", dir=root))
    except OSError as exc:
        raise OutputError(f"{what}: cannot write there ({exc.strerror or exc}). Choose a folder you can "
                          "write to.") from None
    return root


# ------------------------------------------------------------------ study ownership
def _owner_of_reports(folder: Path) -> str | None:
    try:
        return json.loads((folder / RUN_MARKER).read_text(encoding="utf-8")).get("study_file")
    except (OSError, ValueError, AttributeError):
        return None


def _owner_of_processed(folder: Path) -> str | None:
    try:
        inputs = json.loads((folder / "fingerprint.json").read_text(encoding="utf-8")).get("inputs", {})
        return inputs.get("study_file")
    except (OSError, ValueError, AttributeError):
        return None


def check_study_name(study, reports: Path | None = None) -> None:
    """Refuse a study whose ``name:`` is already used by another study file.

    Looks at ``data/processed/<name>/`` (its fingerprint) and the reports folder
    ``reports`` (default ``<project>/reports/<name>``); outputs from no recorded study
    file (older cxlab versions) are accepted.

    Raises
    ------
    StudyError
        Naming both study files.
    """
    from .study import StudyError

    me = study_file_id(study.path, study.root)
    reports = reports if reports is not None else study.reports_dir
    for folder, owner in ((study.processed_dir, _owner_of_processed(study.processed_dir)),
                          (reports, _owner_of_reports(reports))):
        if owner is not None and owner != me:
            other = owner if Path(owner).is_absolute() else str(study.root / owner)
            raise StudyError(str(study.path), [
                f"name: {study.name!r} is already used by another study file, {other}, whose outputs are in "
                f"{folder}; they are not overwritten by {study.path}. Give this study another name: "
                f"(or delete {folder} if {other} is gone)"])


def mark_run(folder: Path, study) -> None:
    """Record in a report folder which study file wrote it (read by :func:`check_study_name`)."""
    record = {"study_file": study_file_id(study.path, study.root), "study": study.name,
              "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (folder / RUN_MARKER).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ signals
class Interrupted(BaseException):
    """The run was stopped by SIGINT or SIGTERM (kernels killed, temporary folders removed).

    A ``BaseException``, like ``KeyboardInterrupt``: ``except Exception`` must not swallow it.
    """

    def __init__(self, signum: int, message: str = ""):
        self.signum = signum
        name = signal.Signals(signum).name
        super().__init__(message or f"interrupted by {name}: notebooks stopped, unfinished reports removed")

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as shells report it (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + self.signum


class _State:
    """The run in progress in this process (one at a time: runs happen in the main thread)."""

    kernels: "weakref.WeakSet[Any]" = weakref.WeakSet()
    lock = threading.Lock()
    stopping: int | None = None  # the signal that stopped the run
    deferred: int | None = None  # a signal received inside a critical section
    in_critical = 0
    temporary: list[Path] = []  # folders removed when the run ends, however it ends


def track_kernel(manager) -> None:
    """Register a started kernel manager; kill it at once if the run is already stopping."""
    with _State.lock:
        _State.kernels.add(manager)
    if _State.stopping is not None:
        _kill(manager)


def kernels_may_start() -> None:
    """Raise :class:`RuntimeError` if the run is stopping (no new kernel then)."""
    if _State.stopping is not None:
        raise RuntimeError("the run was interrupted; no new kernel is started")


def _kill(manager) -> None:
    proc = getattr(getattr(manager, "provisioner", None), "process", None)
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # kernels lead their own process group (new session)
    except OSError:
        with contextlib.suppress(OSError):
            proc.kill()


def _kill_all() -> None:
    with _State.lock:
        managers = list(_State.kernels)
    for manager in managers:
        _kill(manager)


def _handler(signum: int, frame) -> None:
    if _State.in_critical:
        _State.deferred = signum
        return
    if _State.stopping is not None:  # a second signal while cleaning up: cleaning up continues
        _kill_all()
        return
    _State.stopping = signum
    logging.disable(logging.CRITICAL)  # dying kernels make libraries log; the one line is ours
    _kill_all()
    raise Interrupted(signum)


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """A section a signal must not cut in two (e.g. swapping report folders): it is deferred to the end."""
    _State.in_critical += 1
    try:
        yield
    finally:
        _State.in_critical -= 1
    if not _State.in_critical and _State.deferred is not None:
        signum, _State.deferred = _State.deferred, None
        _handler(signum, None)


def temporary_dir(*, prefix: str, dir: Path) -> Path:
    """``tempfile.mkdtemp``, registered so that the run removes it however it ends (signals too)."""
    with critical():
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=dir))
        _State.temporary.append(path)
    return path


def interruptible(func: Callable) -> Callable:
    """Run ``func`` with SIGINT and SIGTERM handled as :class:`Interrupted` (main thread only).

    On a signal every tracked kernel is killed (its whole process group) and no new one
    starts; the exception then unwinds ``func`` so its ``finally`` clauses remove
    temporary folders. The previous handlers are restored afterwards.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            return func(*args, **kwargs)
        previous = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
        logging_disabled = logging.root.manager.disable
        _State.stopping = _State.deferred = None
        try:
            return func(*args, **kwargs)
        finally:
            with critical():
                if _State.stopping is not None:
                    _kill_all()  # kernels launched while unwinding
                while _State.temporary:
                    shutil.rmtree(_State.temporary.pop(), ignore_errors=True)
            for s, h in previous.items():
                signal.signal(s, h)
            logging.disable(logging_disabled)

    return wrapper
