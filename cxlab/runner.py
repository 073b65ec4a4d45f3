"""Run a study: every notebook it can feed through papermill, then nbconvert to self-contained HTML.

First the plan (:mod:`cxlab.plan`): reports whose needs the study does not meet are
skipped with the reason, and the others lose the sections their study cannot feed.
The run is atomic. Reports are built in a temporary folder beside ``reports/<study>``
and swapped in only when every notebook succeeded. When one fails, the others still
finish; the previous reports stay exactly as they were, and the new run's finished
reports, its index and the executed notebook that failed are kept together in
``reports/<study>.incomplete/``; :class:`RunError` names the notebook, the cell and
that folder.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from . import kernels

kernels.import_lean("nbformat")  # before jupytext and papermill import it: 1.5 s less (see kernels.UNUSED_OPTIONAL)

import jupytext  # noqa: E402
import nbformat  # noqa: E402
from jupyter_client.kernelspec import KernelSpec  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

from . import safety  # noqa: E402
from .cache import PARAMETER_LOG_ENV, ReportCache, read_parameter_log, report_key  # noqa: E402
from .data import load_processed_survey, prepare  # noqa: E402
from .paths import is_demo_generated, notebooks_dir, replace_dir  # noqa: E402
from .plan import Plan, capabilities, notebook_spec, plan as make_plan, prune  # noqa: E402
from .progress import ENV as progress_env  # noqa: E402
from .study import Study, load_study, demo_study_path  # noqa: E402

__all__ = ["RunError", "RunResult", "NotebookRun", "run_study", "study_plan", "execute_notebook", "load_notebook",
           "write_pdfs", "pdf_study"]

#: One BLAS thread per kernel: notebooks run side by side on few cores.
THREAD_ENV = kernels.THREAD_ENV


class RunError(RuntimeError):
    """A study run failed; the message names the notebook and the cell's error."""

    def __init__(self, message: str, *, notebook: str | None = None, failed_path: Path | None = None):
        super().__init__(message)
        self.notebook = notebook
        self.failed_path = failed_path


class ThisPythonKernelManager(AsyncKernelManager):
    """Start kernels on the interpreter cxlab runs in, whatever kernels are registered.

    papermill looks kernels up by name ("No such kernel" in virtual environments);
    this manager ignores the name and launches ``sys.executable -m ipykernel_launcher``.
    """

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python (cxlab)", language="python",
            )
        return self._kernel_spec

    #: Extra environment of the kernel (e.g. its progress file), set per notebook by :func:`execute_notebook`.
    extra_env: dict = {}

    def __init__(self, **kw: Any):
        # Unix sockets in a private folder, not TCP ports: a port picked free can be taken by
        # another process before the kernel binds it ("Address already in use", kernel died).
        self._ipc_dir = tempfile.mkdtemp(prefix="cxlab-kernel-")
        super().__init__(transport="ipc", ip=os.path.join(self._ipc_dir, "k"), **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    async def _async_pre_start_kernel(self, **kw: Any):
        kw.setdefault("env", {**os.environ, **{k: os.environ.get(k, v) for k, v in THREAD_ENV.items()},
                              **self.extra_env})
        return await super()._async_pre_start_kernel(**kw)

    #: The warm-kernel template of the current run (:mod:`cxlab.kernels`), if any.
    template: kernels.Template | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        safety.kernels_may_start()  # none after SIGINT/SIGTERM
        forked = None
        if ThisPythonKernelManager.template is not None:
            try:
                forked = ThisPythonKernelManager.template.spawn(kernel_cmd, env=kw.get("env") or os.environ,
                                                                 cwd=kw.get("cwd") or os.getcwd())
            except OSError:
                forked = None  # an ordinary start below
        if forked is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        else:
            prov = self.provisioner
            prov.process, prov.pid, prov.pgid = forked, forked.pid, forked.pid  # its own session
            prov.cwd = kw.get("cwd") or os.getcwd()
            self._reconcile_connection_info(prov.connection_info)
        safety.track_kernel(self)  # killed (with its process group) on SIGINT/SIGTERM


@dataclass(frozen=True)
class NotebookRun:
    """One executed and rendered notebook."""

    name: str
    seconds: float
    html: str
    title: str
    summary: str = ""
    failed: str = ""  # the cell's error when the notebook failed
    reused: bool = False  # taken from the report cache: nothing it depends on changed
    parameters_read: tuple[str, ...] = ()  # the study parameters the notebook read (when it ran)


@dataclass(frozen=True)
class RunResult:
    """A finished study run."""

    study: Study
    directory: Path
    notebooks: tuple[NotebookRun, ...]
    seconds: float
    plan: Plan | None = None
    pdfs: tuple[Path, ...] = ()


def study_plan(study: Study, only: list[str] | None = None, survey=None) -> Plan:
    """The plan of a study's run: which of its notebooks (or of ``only``) run, which are skipped and why.

    With the study's (processed) ``survey``, models whose columns no method can use are
    found too (see :func:`cxlab.plan.capabilities`).
    """
    names = list(only or study.notebooks)
    for name in names:
        if name not in study.notebooks:
            raise RunError(f"--only: {name!r} is not a notebook of this study ({', '.join(study.notebooks)})")
    return make_plan(study, {name: load_notebook(name) for name in names}, survey)


def load_notebook(name: str) -> nbformat.NotebookNode:
    """Read ``notebooks/<name>.py`` (jupytext percent format) as a notebook."""
    path = notebooks_dir() / f"{name}.py"
    if not path.exists():
        raise RunError(f"Notebook not found: {path}", notebook=name)
    nb = jupytext.read(path)
    for i, cell in enumerate(nb.cells):  # stable ids: the same notebook renders to the same HTML
        cell.id = f"cell-{i}"
    # jupytext files carry no kernelspec and papermill refuses such notebooks.
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python (cxlab)", "language": "python"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    return nb


def execute_notebook(nb: nbformat.NotebookNode, output: Path, *, parameters: Mapping[str, Any],
                     cwd: Path, timeout: int = 1800, env: Mapping[str, str] | None = None) -> nbformat.NotebookNode:
    """Execute a notebook with papermill on this interpreter; write it to ``output``.

    ``env`` adds to the kernel's environment. Raises ``papermill.PapermillExecutionError``
    when a cell fails (the partial notebook is written to ``output`` first).
    """
    import papermill as pm

    manager = ThisPythonKernelManager
    if env:
        manager = type("KernelManager", (ThisPythonKernelManager,), {"extra_env": dict(env)})
    return pm.execute_notebook(
        nb, str(output), parameters=dict(parameters), cwd=str(cwd), progress_bar=False,
        kernel_name="python3", kernel_manager_class=manager,
        execution_timeout=timeout, request_save_on_cell_execute=False,
        # the kernel's own start-up chatter (e.g. the TCP-on-loopback notice) is noise here
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )


#: Seconds of each notebook's last execution, beside a study's report cache: the next run starts the longest first.
SECONDS_FILE = "seconds.json"


def _write_seconds(path: Path, seconds: Mapping[str, float]) -> None:
    """Record the notebooks' execution times (a scheduling hint: never fails the run)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(dict(sorted(seconds.items()))), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def _cell_error(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    count = getattr(exc, "exec_count", None)
    where = f"cell [{count}]" if count is not None else "a cell"
    return f"{where}: {ename}: {evalue}"


def _watch_progress(tmp: Path, names, done, stop: threading.Event, progress, every: float = 5.0) -> None:
    """Print what running notebooks report of their long steps (see :mod:`cxlab.progress`)."""
    from .progress import read

    shown: dict[str, str] = {}
    while not stop.wait(every):
        for name in names:
            if name in done:
                continue
            line = read(tmp / f".{name}.progress")
            if line and shown.get(name) != line:
                shown[name] = line
                progress(f"  {name}: {line}")


def _template_stopped(func: Callable) -> Callable:
    """Stop the run's warm-kernel template however ``func`` ends (it may start it before its ``try``)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            if ThisPythonKernelManager.template is not None:
                ThisPythonKernelManager.template.stop()
                ThisPythonKernelManager.template = None

    return wrapper


def _warm_template() -> None:
    """Start the run's warm-kernel template (:mod:`cxlab.kernels`) unless it is running already."""
    if ThisPythonKernelManager.template is None:
        ThisPythonKernelManager.template = kernels.take_early() or kernels.start_template(
            {k: os.environ.get(k, v) for k, v in THREAD_ENV.items()})


def _longest_first(names: list[str], seconds: Mapping[str, float], reused: set[str]) -> list[str]:
    """The order to start notebooks in: the longest by their last execution first, reused ones last.

    With a few notebooks on a few cores the run ends when its longest notebook does, so
    it must not start last. Notebooks never timed keep their place before the timed ones.

    >>> _longest_first(["a", "b", "c", "d"], {"a": 5.0, "b": 20.0, "c": 9.0}, {"c"})
    ['d', 'b', 'a', 'c']
    """
    rank = {n: i for i, n in enumerate(names)}
    return sorted(names, key=lambda n: (n in reused, -seconds.get(n, float("inf")), rank[n]))


@_template_stopped
@safety.interruptible
def run_study(study_file: str | Path | None = None, *, overrides: Mapping[str, Any] | None = None,
              out: str | Path | None = None, code: bool = False, jobs: int | None = None,
              only: list[str] | None = None, force: bool = False, pdf: bool = False, by: str | None = None,
              progress: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr, flush=True)) -> RunResult:
    """Run a study end to end and write its reports.

    Parameters
    ----------
    study_file : str or Path, optional
        The study YAML; the bundled demo study when omitted.
    overrides : mapping, optional
        Parameter overrides (``-p NAME=VALUE``), validated before anything runs.
    out : str or Path, optional
        Reports root; the study's reports go to ``<out>/<study name>/``
        (default ``<project>/reports``).
    code : bool, default=False
        Teaching mode: show code cells in the HTML. Publication mode hides them.
    jobs : int, optional
        Notebooks run side by side (default: the number of cores, at most 4).
    only : list of str, optional
        Run only these notebooks (the index then links just these).
    force : bool, default=False
        Rerun every notebook. Otherwise a report whose notebook, code, study, processed
        data and declared parameters are unchanged is reused from the cache
        (:mod:`cxlab.cache`) and only rendered again.
    pdf : bool, default=False
        Also print every report (the index too) to ``<study>/pdf/<name>.pdf`` with headless
        Chromium (:func:`write_pdfs`), once the new reports are in place; team reports
        (``by="team"``) to ``<study>/pdf/teams/<team>.pdf``.
    by : {"team"}, optional
        Also write one short report per team of the contact log
        (``notebooks/team_report.py``) into ``<study>/teams/<team>.html``, linked from the
        index; needs a contact log (see :mod:`cxlab.teams`).

    Returns
    -------
    RunResult

    Raises
    ------
    StudyError
        Bad study file or parameters, or its name is another study's (nothing is run).
    OutputError
        ``out`` breaks an output-folder rule or cannot be written (nothing is run).
    RunError
        A notebook failed; previous reports are untouched. Or, with ``pdf``, printing
        failed: the new HTML reports are in place, ``cxlab pdf`` prints them again.
    ValueError
        ``pdf`` is asked for and Chromium is missing and cannot be installed (nothing is run).
    Interrupted
        SIGINT or SIGTERM: kernels killed, temporary folders removed, previous reports
        untouched.
    """
    from . import report
    from .synth import ensure_demo_contacts

    started = time.perf_counter()
    if force:  # kernels are surely needed: the template imports while the study is read and checked
        _warm_template()
    study = load_study(study_file or demo_study_path(), overrides=overrides)
    study_plan(study, only)  # a wrong --only fails before any work

    reports_root = safety.reports_root(study, out)  # the output-folder rules, before any work
    final = reports_root / study.name
    safety.check_study_name(study, final)
    chromium = _pdf_browser() if pdf else None
    if by not in (None, "team"):
        raise ValueError(f"--by: only 'team' is supported; got {by!r}")
    if by and capabilities(study)["contacts"] is not None:
        raise ValueError(f"--by team: {capabilities(study)['contacts']}")

    cache = ReportCache.for_study(study)
    if not any(cache.directory.glob("*.ipynb")):  # kernels are needed: the template imports meanwhile
        _warm_template()
    contacts = study.data.get("contacts")
    if contacts is not None and not contacts.exists() and is_demo_generated(contacts):
        progress(f"generating the demo contact log {contacts} (first run only)")
        ensure_demo_contacts(contacts.parent)
    progress(f"preparing data for study '{study.name}'")
    prepare(study)
    survey = load_processed_survey(study)
    the_plan = study_plan(study, only, survey)
    for skipped in the_plan.skipped:
        progress(f"{skipped.name}: skipped — {skipped.reason}")
    names = the_plan.to_run
    if not names:
        raise RunError("no report can run for this study:\n" + str(the_plan))
    caps = capabilities(study, survey)
    notebooks = {name: prune(load_notebook(name), caps) for name in names}

    reports_root.mkdir(parents=True, exist_ok=True)
    tmp = safety.temporary_dir(prefix=f".{study.name}.tmp-", dir=reports_root)
    params = {"study_file": str(study.path), "parameters": dict(study.overrides)}
    jobs = max(1, min(jobs or min(os.cpu_count() or 1, 4), len(names)))
    progress(f"running {len(names)} notebook(s), {jobs} at a time, into {final}")

    values = dict(study.parameters)
    keys = {name: report_key(nb, study, {k: values[k] for k in notebook_spec(nb).parameters})
            for name, nb in notebooks.items()}

    cached = {name: None if force else cache.get(keys[name], values) for name in names}
    team_jobs = _team_jobs(study, cache, values, force) if by else {}
    kernels_needed = any(nb is None for nb in cached.values()) or any(job[2] is None for job in team_jobs.values())
    if kernels_needed:  # kernels to start: fork them from the template
        _warm_template()
    seconds_file = cache.directory / SECONDS_FILE
    try:
        seconds = {str(k): float(v) for k, v in json.loads(seconds_file.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, TypeError, AttributeError):
        seconds = {}

    def one(name: str) -> NotebookRun:
        t0 = time.perf_counter()
        executed = cached[name]
        reused, reads = executed is not None, ()
        if reused:  # the parameter cell shows this run's overrides, as a fresh run would
            from papermill.parameterize import parameterize_notebook

            executed = parameterize_notebook(executed, params, kernel_name="python3", language="python")
        else:
            log = tmp / f".{name}.params"
            executed = execute_notebook(notebooks[name], tmp / f"{name}.ipynb", parameters=params,
                                        cwd=notebooks_dir(), env={progress_env: str(tmp / f".{name}.progress"),
                                                                  PARAMETER_LOG_ENV: str(log)})
            reads = tuple(read_parameter_log(log))
            cache.put(keys[name], executed, reads={k: values[k] for k in reads if k in values})
            seconds[name] = round(time.perf_counter() - t0, 2)
        for cell in executed.cells:  # papermill's cell gets a random id: the same report renders the same HTML
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.id = "injected-parameters"
        html, title = report.render_notebook(executed, name=name, study=study, code=code)
        (tmp / f"{name}.html").write_text(html, encoding="utf-8")
        return NotebookRun(name=name, seconds=time.perf_counter() - t0, html=f"{name}.html", title=title,
                           summary=report.summary_text(executed), reused=reused, parameters_read=reads)

    done: dict[str, NotebookRun] = {}
    failures: list[tuple[str, Exception]] = []
    stop_watch = threading.Event()
    watcher = threading.Thread(target=_watch_progress, args=(tmp, names, done, stop_watch, progress), daemon=True)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            order = _longest_first(names, dict(seconds), {n for n in names if cached[n] is not None})
            futures = {pool.submit(one, name): name for name in order}
            for fut in as_completed(futures):
                name = futures[fut]
                try:
                    done[name] = fut.result()
                    how = "reused (unchanged)" if done[name].reused else "done"
                    progress(f"  [{len(done) + len(failures)}/{len(names)}] {name}: {how} in {done[name].seconds:.1f} s")
                except Exception as exc:  # noqa: BLE001 - reported below, with the cell
                    failures.append((name, exc))
                    progress(f"  [{len(done) + len(failures)}/{len(names)}] {name}: FAILED ({_cell_error(exc)})")
        stop_watch.set()
        _write_seconds(seconds_file, seconds)
        for pattern in (".*.progress*", ".*.params"):  # the kernels' own files are not part of the reports
            for leftover in tmp.glob(pattern):
                leftover.unlink(missing_ok=True)
        seconds = time.perf_counter() - started
        if failures:
            failed = [NotebookRun(name=n, seconds=0.0, html=f"{n}.ipynb", title=n, failed=_cell_error(e))
                      for n, e in failures]
            runs = tuple(done[n] for n in names if n in done) + tuple(failed)
            report.write_index(tmp / "index.html", study=study, runs=runs, seconds=seconds, code=code,
                               plan=the_plan)
            for name in done:
                (tmp / f"{name}.ipynb").unlink(missing_ok=True)
            incomplete = final.with_name(f"{final.name}.incomplete")
            safety.mark_run(tmp, study)
            with safety.critical():
                replace_dir(tmp, incomplete)
            name, exc = failures[0]
            more = f" (and {len(failures) - 1} more notebook(s))" if len(failures) > 1 else ""
            raise RunError(
                f"notebook {name} failed in {_cell_error(exc)}{more}. This run's {len(done)} finished report(s) "
                f"and the executed notebook that failed are kept in {incomplete}; the previous reports in "
                f"{final} are untouched.",
                notebook=name, failed_path=incomplete / f"{name}.ipynb",
            )
        runs = tuple(done[n] for n in names)
        team_runs = _run_teams(team_jobs, tmp, params, code, study, min(os.cpu_count() or 1, 4), progress)
        seconds = time.perf_counter() - started
        report.write_index(tmp / "index.html", study=study, runs=runs, seconds=seconds, code=code, plan=the_plan,
                           teams=team_runs)
        for name in names:  # executed notebooks are build products; HTML is the report
            (tmp / f"{name}.ipynb").unlink(missing_ok=True)
        safety.mark_run(tmp, study)
        with safety.critical():  # a signal must not fall between the two renames
            replace_dir(tmp, final)
        shutil.rmtree(final.with_name(f"{final.name}.incomplete"), ignore_errors=True)
    finally:
        stop_watch.set()
        if ThisPythonKernelManager.template is not None:
            ThisPythonKernelManager.template.stop()
            ThisPythonKernelManager.template = None
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    progress(f"wrote {final / 'index.html'} in {seconds:.1f} s")
    pdfs: list[Path] = []
    if pdf:
        progress(f"printing {len(runs) + len(team_runs) + 1} report(s) to PDF into {final / 'pdf'}")
        try:
            pdfs = write_pdfs(final, chromium=chromium)
        except RunError as exc:  # the HTML reports stand
            raise RunError(f"{exc}. The HTML reports are in place; print them again with: cxlab pdf {study.path}"
                           + (f" --out {out}" if out is not None else "")) from exc
    return RunResult(study=study, directory=final, notebooks=runs, seconds=seconds, plan=the_plan, pdfs=tuple(pdfs))


#: The notebook of a team report (:mod:`cxlab.teams`), run once per team by ``--by team``.
TEAM_NOTEBOOK = "team_report"


def _team_file(team: str, taken: set) -> str:
    """A file name for a team's report: its id with unsafe characters replaced, unique in the run."""
    import re

    stem = re.sub(r"[^A-Za-z0-9_-]", "_", team)[:60] or "team"
    name, i = stem, 1
    while name.lower() in taken:
        i += 1
        name = f"{stem}_{i}"
    taken.add(name.lower())
    return f"{name}.html"


def _team_jobs(study: Study, cache: ReportCache, values: Mapping[str, Any], force: bool) -> dict:
    """Per team: (notebook with the team in its title, cache key, cached executed notebook or None)."""
    from ._text import md
    from .teams import team_ids

    base = load_notebook(TEAM_NOTEBOOK)
    declared = {k: values[k] for k in notebook_spec(base).parameters}
    jobs = {}
    for team in team_ids(study):
        nb = nbformat.from_dict(base)
        nb.cells[0].source = nb.cells[0].source.replace("# Team report", f"# Team report: {md(team)}", 1)
        key = report_key(nb, study, {**declared, "team": team})
        jobs[team] = (nb, key, None if force else cache.get(key, values))
    return jobs


def _run_teams(jobs: Mapping[str, tuple], tmp: Path, params: Mapping[str, Any], code: bool, study: Study,
               workers: int, progress: Callable[[str], None]) -> tuple[NotebookRun, ...]:
    """Execute (or reuse) and render every team report into ``tmp/teams/``; a failure is a RunError."""
    from . import report

    if not jobs:
        return ()
    out = tmp / "teams"
    out.mkdir()
    cache, taken = ReportCache.for_study(study), set()
    files = {team: _team_file(team, taken) for team in jobs}
    values = dict(study.parameters)

    def one(team: str) -> NotebookRun:
        t0 = time.perf_counter()
        nb, key, executed = jobs[team]
        reused = executed is not None
        if not reused:
            log = out / f".{files[team]}.params"
            executed = execute_notebook(nb, out / f".{files[team]}.ipynb", parameters={**params, "team": team},
                                        cwd=notebooks_dir(), env={PARAMETER_LOG_ENV: str(log)})
            cache.put(key, executed, reads={k: values[k] for k in read_parameter_log(log) if k in values})
            log.unlink(missing_ok=True)
        html, title = report.render_notebook(executed, name=f"team {team}", study=study, code=code)
        html = html.replace('<a href="index.html">', '<a href="../index.html">', 1)  # the overview is one up
        (out / files[team]).write_text(html, encoding="utf-8")
        (out / f".{files[team]}.ipynb").unlink(missing_ok=True)
        return NotebookRun(name=team, seconds=time.perf_counter() - t0, html=f"teams/{files[team]}", title=title,
                           summary=report.summary_text(executed), reused=reused)

    progress(f"writing {len(jobs)} team report(s) into teams/")
    runs: dict[str, NotebookRun] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(one, team): team for team in jobs}
        for fut in as_completed(futures):
            team = futures[fut]
            try:
                runs[team] = fut.result()
            except Exception as exc:  # noqa: BLE001 - named with the team
                raise RunError(f"the team report of {team} failed in {_cell_error(exc)}; the previous reports "
                               "are untouched", notebook=TEAM_NOTEBOOK) from exc
    return tuple(runs[t] for t in jobs)


def _pdf_browser() -> str:
    from .browser import ensure_chromium

    try:
        return ensure_chromium()
    except RuntimeError as exc:
        raise ValueError(f"PDF reports need headless Chromium: {exc}") from None


def write_pdfs(folder: Path, *, chromium: str | None = None) -> list[Path]:
    """Print every HTML report of a study's report folder (index first) to ``folder/pdf/<name>.pdf``.

    Team reports (``folder/teams/<team>.html``, ``cxlab run --by team``) go to
    ``folder/pdf/teams/<team>.pdf``, after the others.

    A4 pages with the reports' print CSS (no table, figure or box cut by a page break;
    headings kept with what follows); each PDF is written through a temporary file, so
    none is ever half-written. See :func:`cxlab.browser.print_pdfs`.

    Parameters
    ----------
    folder : Path
        ``<reports root>/<study name>``, as written by :func:`run_study`.
    chromium : str, optional
        Chromium's executable (default: found, or installed, by :func:`cxlab.browser.ensure_chromium`).

    Returns
    -------
    list of Path
        The PDFs, index first, team reports last.

    Raises
    ------
    RunError
        Chromium failed to print a report (PDFs already printed stay; none is half-written).

    Examples
    --------
    >>> write_pdfs(Path("reports/demo"))  # doctest: +SKIP
    [PosixPath('reports/demo/pdf/index.pdf'), PosixPath('reports/demo/pdf/01_data_quality.pdf'), ...]
    """
    from .browser import print_pdfs

    pages = [folder / "index.html", *sorted(p for p in folder.glob("*.html") if p.name != "index.html"),
             *sorted((folder / "teams").glob("*.html"))]
    if not pages[0].exists():
        raise FileNotFoundError(f"{folder} holds no index.html: not a folder of cxlab reports")
    try:
        return print_pdfs(pages, folder / "pdf", chromium=chromium, root=folder)
    except Exception as exc:  # noqa: BLE001 - Chromium's own errors, as one line
        raise RunError(f"printing the reports in {folder} to PDF failed: {exc}") from exc


def pdf_study(study_file: str | Path | None = None, *, out: str | Path | None = None,
              progress: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr, flush=True)) -> list[Path]:
    """Print the reports of a study's last run to PDF (``cxlab pdf``), without running anything.

    Parameters
    ----------
    study_file : str or Path, optional
        The study YAML; the bundled demo study when omitted.
    out : str or Path, optional
        The reports root the study was run into (``cxlab run --out``); default ``<project>/reports``.

    Returns
    -------
    list of Path
        The PDFs written into ``<out>/<study>/pdf/``, index first.

    Raises
    ------
    FileNotFoundError
        The study has no reports there yet (run it first), or they are not cxlab's.
    StudyError
        Another study file wrote those reports.
    ValueError
        Chromium is missing and cannot be installed.
    RunError
        Chromium failed to print a report.

    Examples
    --------
    >>> pdf_study()  # doctest: +SKIP
    [PosixPath('.../reports/demo/pdf/index.pdf'), ...]
    """
    study = load_study(study_file or demo_study_path())
    root = Path(out).expanduser().resolve() if out is not None else (study.root / "reports").resolve()
    folder = root / study.name
    if not (folder / "index.html").exists() or not (folder / safety.RUN_MARKER).exists():
        again = f"cxlab run {study.path}" + (f" --out {out}" if out is not None else "")
        raise FileNotFoundError(f"there are no reports of study '{study.name}' in {folder} to print: run '{again}' first "
                       "(or add --pdf to that run)")
    safety.check_study_name(study, folder)
    chromium = _pdf_browser()
    progress(f"printing the reports in {folder} to PDF")
    return write_pdfs(folder, chromium=chromium)
