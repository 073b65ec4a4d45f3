"""Warm kernels (cxlab.kernels): forked from a template, yet isolated, and the same reports."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from conftest import in_fresh_python
from cxlab import kernels
from cxlab.runner import THREAD_ENV, ThisPythonKernelManager, execute_notebook, run_study


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python", "language": "python"}
    return nb


def _output(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.fixture()
def template():
    t = kernels.start_template(THREAD_ENV)
    assert t is not None and t.ready(), "the template did not start"
    ThisPythonKernelManager.template = t
    yield t
    ThisPythonKernelManager.template = None
    t.stop()


def test_forked_kernels_are_isolated_and_preloaded(template, tmp_path):
    first = execute_notebook(_notebook(
        "import os, sys\nleft_behind = 1\nos.environ['CXLAB_LEAK'] = '1'\n"
        "print(os.getpid(), os.getppid(), 'pandas' in sys.modules, os.environ.get('CXLAB_SEEN'))"),
        tmp_path / "a.ipynb", parameters={}, cwd=tmp_path, env={"CXLAB_SEEN": "yes"})
    second = execute_notebook(_notebook(
        "import os\nprint(os.getpid(), 'left_behind' in globals(), os.environ.get('CXLAB_LEAK'), os.getcwd())"),
        tmp_path / "b.ipynb", parameters={}, cwd=tmp_path)
    pid1, parent, preloaded, seen = _output(first).split()
    pid2, leaked_name, leaked_env, cwd = _output(second).split()
    assert int(parent) == template.process.pid, "the kernel was not forked from the template"
    assert preloaded == "True" and seen == "yes"  # the template's imports, this kernel's environment
    assert pid1 != pid2 and leaked_name == "False" and leaked_env == "None"  # nothing crosses kernels
    assert cwd == str(tmp_path)


def test_template_ends_with_the_run_and_kernels_are_gone(template, tmp_path):
    execute_notebook(_notebook("print(1)"), tmp_path / "c.ipynb", parameters={}, cwd=tmp_path)
    process = template.process
    template.stop()
    assert process.poll() is not None and not os.path.exists(template.address)


def test_switched_off_gives_no_template(monkeypatch):
    monkeypatch.setenv(kernels.ENV, "0")
    assert kernels.start_template() is None


def test_forked_handle_reports_an_ended_process():
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-c", "pass"])
    handle = kernels.ForkedKernel(p.pid)
    p.wait()  # reaped, as the template reaps its kernels
    assert handle.wait(timeout=5) == 0 and handle.poll() == 0


def _unstamped(page: str) -> str:
    return re.sub(r'<span class="cx-provenance">[^<]*</span>', "", page)


def test_warm_and_ordinary_kernels_write_the_same_report(project, monkeypatch):
    monkeypatch.setenv("CXLAB_ROOT", str(project))
    study = project / "data" / "raw" / "demo" / "study.yaml"
    name = "01_data_quality"
    pages = {}
    for warm in ("1", "0"):
        monkeypatch.setenv(kernels.ENV, warm)
        t0 = time.perf_counter()
        result = run_study(study, out=project / f"reports-{warm}", only=[name], force=True, progress=lambda m: None)
        pages[warm] = (_unstamped((result.directory / f"{name}.html").read_text()), time.perf_counter() - t0)
    assert pages["1"][0] == pages["0"][0]
    assert "<img" in pages["1"][0]  # figures drawn with the inline backend in the forked kernel


def test_a_template_that_answers_nonsense_gives_oserror(tmp_path):
    """The runner falls back to an ordinary kernel on OSError: a garbled answer must be one."""
    import socket
    import subprocess
    import sys
    import threading

    address = str(tmp_path / "t.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(address)
    server.listen(1)

    def answer():
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"not json\n")

    threading.Thread(target=answer, daemon=True).start()
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(OSError, match="could not start a kernel"):
            kernels.Template(idle, address, str(tmp_path)).spawn(["python"], env={}, cwd=tmp_path)
    finally:
        idle.kill()
        server.close()


def test_kernels_talk_over_private_unix_sockets_not_tcp_ports():
    """A TCP port picked free can be taken before the kernel binds it ("Address already in
    use", the kernel dies): kernels use Unix sockets in a private folder, removed at shutdown."""
    import asyncio
    import stat

    from cxlab.runner import ThisPythonKernelManager

    km = ThisPythonKernelManager()
    folder = Path(km._ipc_dir)

    async def start_and_stop():
        await km.start_kernel()
        client = km.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        sockets = [p for p in folder.iterdir() if stat.S_ISSOCK(p.stat().st_mode)]
        client.stop_channels()
        info = km.get_connection_info()
        await km.shutdown_kernel(now=True)
        return info, sockets

    info, sockets = asyncio.run(start_and_stop())
    assert info["transport"] == "ipc" and info["ip"].startswith(str(folder))
    assert len(sockets) == 5  # shell, iopub, stdin, control, heartbeat
    assert not folder.exists()


def test_lean_import_skips_only_the_unused_optional_grammars():
    """nbformat imported through import_lean: jsonschema without rfc3987_syntax's grammars, which stays importable."""
    code = ("import sys; from cxlab import kernels; kernels.import_lean('nbformat'); "
            "assert 'nbformat' in sys.modules and 'rfc3987_syntax' not in sys.modules; "
            "import importlib.util; assert importlib.util.find_spec('rfc3987_syntax') is None or "
            "__import__('rfc3987_syntax') is not None")
    in_fresh_python(code)
