"""Where things live: the project root, notebooks, raw/processed data and reports."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

__all__ = ["project_root", "notebooks_dir", "replace_dir", "DEMO_GENERATED_FILES", "is_demo_generated", "inside_raw",
           "study_file_id"]

#: Files of the demo study that are generated on first use instead of committed
#: (identical on every machine: same generator, same seed).
DEMO_GENERATED_FILES = ("contacts.parquet",)


def project_root() -> Path:
    """The cxlab project folder (holding ``notebooks/``, ``data/`` and ``reports/``).

    ``CXLAB_ROOT`` overrides it; otherwise it is the folder above the installed
    ``cxlab`` package (cxlab is installed in editable mode by ``make``).
    """
    env = os.environ.get("CXLAB_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parent.parent


def inside_raw(path: Path) -> bool:
    """Whether ``path`` is a ``data/raw`` folder or lies inside one (raw data: read-only).

    >>> inside_raw(Path("/p/data/raw/demo/x")), inside_raw(Path("/p/data/processed/demo"))
    (True, False)
    """
    parts = Path(path).parts
    return any(parts[i - 1:i + 1] == ("data", "raw") for i in range(1, len(parts)))


def is_demo_generated(path: Path) -> bool:
    """Whether ``path`` is a demo file generated on first use: ``<project>/data/raw/demo/<file>``.

    Only the bundled demo study (the ``demo`` folder of a project's ``data/raw``) has
    generated files; any other study's missing file is an error.

    >>> is_demo_generated(Path("/p/data/raw/demo/contacts.parquet"))
    True
    >>> is_demo_generated(Path("/p/data/raw/mine/contacts.parquet"))
    False
    """
    path = Path(path)
    return path.name in DEMO_GENERATED_FILES and path.parent.parts[-3:] == ("data", "raw", "demo")


def study_file_id(path: Path, root: Path) -> str:
    """How outputs record the study file that wrote them: relative to the project root if inside it.

    >>> study_file_id(Path("/p/data/raw/demo/study.yaml"), Path("/p"))
    'data/raw/demo/study.yaml'
    """
    path, root = Path(path), Path(root)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def notebooks_dir() -> Path:
    """The folder with the study notebooks (jupytext percent ``.py`` files)."""
    path = project_root() / "notebooks"
    if not path.is_dir():
        raise FileNotFoundError(
            f"Notebook folder not found: {path}. Install cxlab from its project folder "
            "with 'pip install -e .' (make does this) or set CXLAB_ROOT to that folder."
        )
    return path


def replace_dir(new: Path, target: Path) -> None:
    """Put folder ``new`` in place of ``target`` (same file system): two renames, then clean up.

    Readers see either the old folder or the new one, never a half-written mix.
    """
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.time_ns()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
