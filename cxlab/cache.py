"""Reuse a report when nothing it depends on changed: the incremental run.

A report's executed notebook is stored under ``data/processed/.report-cache/<study>/``,
keyed by the sha256 of everything its result depends on:

- the notebook as it runs (its cells after :func:`cxlab.plan.prune`),
- the code that computes it (cxlab's version and a digest of its source files, and the
  versions of the numerical packages and of Python),
- the study without its parameters (codebook, models, data blocks: labels and models
  change the reports but not the processed data),
- what the processed data were made from (the sha256 of each raw input, the secret's
  keyed digest, the contact window and the read options), and
- the values of the parameters the notebook declares in its ``cxlab`` header.

The declaration is checked at run time too: a kernel records the parameters its
notebook read (``CXLAB_PARAMETER_LOG``, see :class:`cxlab.study.Parameters`); the
cache stores their values and a stored report is reused only when those values are
unchanged as well, so a notebook that reads a parameter it forgot to declare is rerun
rather than shown stale. The executed notebook is stored, not its HTML: a reused
report is rendered again, in the run's mode (code shown or hidden).

Examples
--------
>>> import nbformat, tempfile
>>> from pathlib import Path
>>> cache = ReportCache(Path(tempfile.mkdtemp()))
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
>>> cache.get("0" * 64, {}) is None
True
>>> cache.put("0" * 64, nb, reads={"seed": 1})
>>> cache.get("0" * 64, {"seed": 1}).cells[0].source
'1 + 1'
>>> cache.get("0" * 64, {"seed": 2}) is None  # a parameter it read has changed
True
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

import nbformat

__all__ = ["ReportCache", "report_key", "code_digest", "read_parameter_log", "PARAMETER_LOG_ENV"]

#: Environment variable naming the file where a kernel records the parameters it read.
PARAMETER_LOG_ENV = "CXLAB_PARAMETER_LOG"

#: Packages whose versions enter the key (they compute the numbers or render the page).
KEY_PACKAGES = ("numpy", "scipy", "pandas", "statsmodels", "pingouin", "matplotlib", "seaborn", "duckdb",
                "pyarrow", "nbconvert", "papermill")

#: Folder of the caches inside ``data/processed/`` (one subfolder per study).
CACHE_DIR = ".report-cache"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code behind a report: cxlab's source and templates, package versions.

    Computed once per process. An editable install changes it whenever a source file
    changes, so a developer's edit reruns the reports as a new release does.
    """
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".tpl", ".css", ".j2", ".json", ".yaml"} \
                and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    versions = {}
    for name in ("cxlab", *KEY_PACKAGES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    h.update(_canonical({"versions": versions, "python": platform.python_version()}).encode())
    return h.hexdigest()


def _notebook_digest(nb: nbformat.NotebookNode) -> str:
    cells = [(c.cell_type, c.source, sorted(c.get("metadata", {}).get("tags", []))) for c in nb.cells]
    return _sha(_canonical(cells))


def _data_identity(study) -> dict:
    """What the processed data were made from (``fingerprint.json`` of :func:`cxlab.data.prepare`).

    The study file's own digest is left out: its parameters enter the key one by one and
    the rest of it as the study specification. Files a report writes into the processed
    folder (e.g. the follow-up list) are outputs, not inputs, and do not enter the key.
    """
    try:
        inputs = json.loads((study.processed_dir / "fingerprint.json").read_text(encoding="utf-8"))["inputs"]
    except (OSError, ValueError, KeyError):
        return {"unprepared": True}
    return {k: v for k, v in inputs.items() if k != "study"}


def _study_spec(study) -> str:
    # the study as loaded, without its parameters: titles, codebook (labels), models, data blocks
    return _sha(_canonical({"title": study.title, "description": study.description,
                            "codebook": repr(study.codebook), "models": dict(study.models),
                            "data": {k: str(v) for k, v in study.data.items()},
                            "options": repr(getattr(study, "data_options", {})),
                            "notebooks": list(study.notebooks)}))


def report_key(nb: nbformat.NotebookNode, study, parameters: Mapping[str, Any]) -> str:
    """The cache key of one report: sha256 of all it depends on (see the module documentation).

    Parameters
    ----------
    nb : NotebookNode
        The notebook as it will run (after pruning).
    study : Study
        The study, with its processed data prepared.
    parameters : mapping
        The declared parameters and their values in this run.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    return _sha(_canonical({
        "notebook": _notebook_digest(nb),
        "code": code_digest(),
        "study": _study_spec(study),
        "study_file": str(study.path),
        "data": _data_identity(study),
        "parameters": dict(parameters),
    }))


def read_parameter_log(path: Path) -> list[str]:
    """The parameter names a kernel recorded in ``path`` (empty when it recorded none)."""
    try:
        return sorted({line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()})
    except FileNotFoundError:
        return []


class ReportCache:
    """Executed notebooks stored by key, with the values of the parameters they read.

    Parameters
    ----------
    directory : Path
        Where entries live (created on the first :meth:`put`).
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @classmethod
    def for_study(cls, study) -> "ReportCache":
        """The cache of a study: ``data/processed/.report-cache/<study>/``.

        Beside the processed data rather than in it, since :func:`cxlab.data.prepare`
        replaces that folder whole when the inputs change.
        """
        return cls(study.processed_dir.parent / CACHE_DIR / study.name)

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.directory / f"{key}.ipynb", self.directory / f"{key}.json"

    def get(self, key: str, parameters: Mapping[str, Any]) -> nbformat.NotebookNode | None:
        """The stored notebook of ``key``, or None when there is none or a parameter it read has changed.

        ``parameters`` are the run's parameter values (all of them).
        """
        nb_path, meta_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            nb = nbformat.read(nb_path, as_version=4)
        except (OSError, ValueError, nbformat.reader.NotJSONError):
            return None
        reads = meta.get("reads", {})
        if any(_canonical(parameters.get(k)) != _canonical(v) for k, v in reads.items()):
            return None
        return nb

    def put(self, key: str, nb: nbformat.NotebookNode, *, reads: Mapping[str, Any]) -> None:
        """Store an executed notebook and the parameter values it read (each file written atomically)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        nb_path, meta_path = self._paths(key)
        for path, text in ((nb_path, nbformat.writes(nb)), (meta_path, _canonical({"reads": dict(reads)}))):
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
