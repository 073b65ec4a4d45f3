"""Warm kernels: each notebook's kernel is forked from a process that has imported its libraries.

Starting a Python kernel and importing pandas, SciPy, matplotlib and cxlab costs about
four seconds of CPU per notebook, more than some notebooks' own work. A run therefore
starts one *template* process (:func:`start_template`) while the data are prepared; it
imports the libraries the notebooks use and then waits. Each kernel is a fork of it: a
new process, in its own session, with the template's imported modules but nothing of its
state beyond them (no notebook ever ran there), so every notebook still runs in a fresh,
isolated kernel and writes the same outputs.

The kernel manager of :mod:`cxlab.runner` asks the template for a kernel
(:meth:`Template.spawn`) and falls back to an ordinary start when there is none. Set
``CXLAB_WARM_KERNELS=0`` to switch warm kernels off.

The template is a child of the run and ends with it (and by itself when the run's
process is gone).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Mapping, Sequence

__all__ = ["Template", "ForkedKernel", "start_template", "start_early", "take_early", "ENV", "PRELOAD", "PRELOAD_LATER",
           "THREAD_ENV", "UNUSED_OPTIONAL", "import_lean"]

#: One BLAS thread per kernel: notebooks run side by side on few cores.
THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

#: Environment variable that switches warm kernels off when set to ``0``.
ENV = "CXLAB_WARM_KERNELS"

#: Modules the template imports before it is ready: what most notebooks import, heaviest first. Only
#: what they use: the first kernel waits for these (``statsmodels.api`` and ``pingouin``, which no
#: cxlab module imports, cost 0.5-1 s of CPU there).
PRELOAD = (
    "numpy", "pandas", "scipy.stats", "scipy.optimize", "scipy.linalg", "matplotlib", "matplotlib.pyplot",
    "seaborn", "pyarrow.parquet", "IPython", "ipykernel.kernelapp",
    "ipykernel.ipkernel", "ipykernel.debugger",  # the debugger imports debugpy when a kernel starts: 0.3 s each
    "cxlab", "cxlab.study", "cxlab.data", "cxlab.plots", "cxlab.tables", "cxlab.report", "cxlab.sem",
    "cxlab.factor", "cxlab.reliability", "cxlab.measures", "cxlab.levers", "cxlab.monitor", "cxlab.servqual",
    "cxlab.quality", "cxlab.plan",
)

#: Modules of a few notebooks (the contact log through Ibis and DuckDB, mixed models), imported once the
#: template is ready, one at a time whenever no kernel has been asked for in 0.3 s: the first kernels
#: (the longest notebooks, asked for at once) do not wait for them, and later ones find them loaded (a
#: kernel forked before imports them itself, as an ordinary kernel would).
PRELOAD_LATER = ("duckdb", "cxlab.contacts", "statsmodels.regression.mixed_linear_model")

#: Optional modules that a library imports eagerly if installed, for a feature neither the runner nor a
#: kernel uses: jsonschema (under nbformat) compiles 39 grammars of ``rfc3987_syntax`` at import (1.5 s
#: of CPU) only to check the ``iri`` string format, which nbformat's schema does not use.
UNUSED_OPTIONAL = ("rfc3987_syntax",)


def import_lean(*names: str) -> None:
    """Import modules as usual but with :data:`UNUSED_OPTIONAL` hidden (as if not installed).

    The hiding lasts only while ``names`` are imported: code that imports one of those
    optional modules itself later gets it. A module already imported is left as it is.

    Examples
    --------
    >>> import_lean("json")
    >>> "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None
    False
    """
    hidden = [m for m in UNUSED_OPTIONAL if m not in sys.modules]
    for m in hidden:
        sys.modules[m] = None  # an import of it raises ImportError, which the library expects
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        for m in hidden:
            if sys.modules.get(m, 0) is None:
                del sys.modules[m]


#: What ipykernel sets for inline figures; set before matplotlib is imported so it holds in the forks.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class ForkedKernel:
    """The handle of a forked kernel, with the part of :class:`subprocess.Popen` that jupyter_client uses.

    The template, not this process, is the kernel's parent and reaps it, so the exit
    code is not known here: a kernel that has ended reports 0.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:  # pragma: no cover - the pid was reused by another user's process
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Template:
    """A running template process (see :func:`start_template`)."""

    def __init__(self, process: subprocess.Popen, address: str, folder: str):
        self.process = process
        self.address = address
        self._folder = folder

    def ready(self, timeout: float = 60.0) -> bool:
        """Wait until the template has imported everything; False if it failed or timed out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if os.path.exists(self.address):
                return True
            time.sleep(0.05)
        return False

    def spawn(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: str | os.PathLike) -> ForkedKernel:
        """Fork a kernel: ``argv`` is the kernel command (``python -m ipykernel_launcher -f ...``)."""
        if not self.ready():
            raise OSError("the warm-kernel template is not running")
        request = json.dumps({"argv": list(argv), "env": dict(env), "cwd": str(cwd)}).encode() + b"\n"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(30)
            s.connect(self.address)
            s.sendall(request)
            reply = _read_message(s)
        if "pid" not in reply:
            raise OSError(f"the warm-kernel template could not start a kernel: {reply.get('error', 'no answer')}")
        return ForkedKernel(int(reply["pid"]))

    def stop(self) -> None:
        """End the template (kernels already forked live on until their manager stops them)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            os.unlink(self.address)
        with contextlib.suppress(OSError):
            os.rmdir(self._folder)


def start_template(env: Mapping[str, str] | None = None) -> Template | None:
    """Start the template process in the background (it imports while the caller goes on).

    Returns None when warm kernels are switched off (``CXLAB_WARM_KERNELS=0``) or the
    platform cannot fork.
    """
    if os.environ.get(ENV, "1") == "0" or not hasattr(os, "fork") or not hasattr(socket, "AF_UNIX"):
        return None
    folder = tempfile.mkdtemp(prefix="cxlab-kernels-")
    address = os.path.join(folder, "template.sock")
    full_env = {**os.environ, **(env or {}), "MPLBACKEND": INLINE_BACKEND}
    process = subprocess.Popen([sys.executable, "-m", "cxlab.kernels", address, str(os.getpid())],
                               env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               start_new_session=True)
    return Template(process, address, folder)


_EARLY: list = []  # a template started by start_early, until a run takes it


def start_early() -> None:
    """Start the template now, before the caller's own imports, for a run that surely needs kernels.

    ``cxlab run --force`` calls this first thing: the template's imports (seconds) then
    overlap the command's own instead of following them. The run takes it with
    :func:`take_early`; one never taken is stopped when the process exits.
    """
    if not _EARLY:
        template = start_template({k: os.environ.get(k, v) for k, v in THREAD_ENV.items()})
        if template is not None:
            _EARLY.append(template)
            atexit.register(lambda: _EARLY and _EARLY.pop().stop())


def take_early() -> Template | None:
    """The template :func:`start_early` started, handed over to the caller (None if there is none)."""
    return _EARLY.pop() if _EARLY else None


def _read_message(sock: socket.socket) -> dict:
    """One JSON line from ``sock`` (both ends speak one line each way); {} when it is not one."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    try:
        message = json.loads(data)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


# --- the template process -------------------------------------------------------------


def _child(request: dict, listener: socket.socket, conn: socket.socket) -> None:
    """In the forked child: become the kernel the request asks for (never returns)."""
    try:
        listener.close()
        conn.close()
        os.setsid()  # its own process group, as the runner's ordinary kernels
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
        argv = request["argv"]
        args = argv[3:] if argv[1:3] == ["-m", "ipykernel_launcher"] else argv[1:]
        sys.argv = ["ipykernel_launcher", *args]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001 - the kernel's own error, shown on stderr
        import traceback

        traceback.print_exc()
        code = 1
    os._exit(code)


def _preload(name: str) -> None:
    """Import a module in the template (and the names of a package that loads them lazily); never fails."""
    with contextlib.redirect_stderr(io.StringIO()), contextlib.suppress(Exception):  # e.g. debugpy's notes
        import_lean(name)
        module = sys.modules[name]
        for public in getattr(module, "__all__", ()):
            getattr(module, public, None)


def _serve(address: str, parent: int) -> None:
    for name in PRELOAD:
        _preload(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked kernels are reaped by the system
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # nothing to clean up but the socket (stop() does)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = address + ".tmp"
    listener.bind(tmp)
    listener.listen(8)
    os.replace(tmp, address)  # the address appears once the template is ready
    later = list(PRELOAD_LATER)
    while os.getppid() == parent:
        listener.settimeout(0.3 if later else 1.0)
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            if later:  # no kernel asked for a while (the first ones come at once): import the next one
                _preload(later.pop(0))
            continue
        with conn:
            conn.settimeout(30)
            request = _read_message(conn)
            try:
                if not request:
                    raise ValueError("not a kernel request")
                pid = os.fork()
            except Exception as exc:  # noqa: BLE001 - answered to the runner, which falls back
                conn.sendall(json.dumps({"error": str(exc)}).encode() + b"\n")
                continue
            if pid == 0:
                _child(request, listener, conn)
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    Path(address).unlink(missing_ok=True)


if __name__ == "__main__":  # the template process: python -m cxlab.kernels ADDRESS PARENT_PID
    _serve(sys.argv[1], int(sys.argv[2]))
