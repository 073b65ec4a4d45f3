"""JupyterLab on the project: jupytext notebooks open as notebooks, the cxlab kernel is there."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_serves_notebooks_with_parameters_and_the_cxlab_kernel(tmp_path):
    # what `make lab` does, without opening a browser; the kernel goes into a temporary prefix
    env = {**os.environ, "JUPYTER_DATA_DIR": str(tmp_path / "data"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(tmp_path / "prefix"),
                    "--name", "cxlab", "--display-name", "Python (cxlab)"], check=True, capture_output=True, env=env)
    env["JUPYTER_PATH"] = str(tmp_path / "prefix" / "share" / "jupyter")
    port, token = free_port(), "cxlab-test"
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}"] + (["--allow-root"] if os.geteuid() == 0 else [])
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    def get(path):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    try:
        for _ in range(120):
            try:
                get("/api/status")
                break
            except OSError:
                time.sleep(0.5)
        kernels = get("/api/kernelspecs")["kernelspecs"]
        assert "cxlab" in kernels
        for name in ("notebooks/01_data_quality.py", "notebooks/tutorials/t1_cfa_holzinger_swineford.py"):
            model = get(f"/api/contents/{name}?type=notebook&content=1")
            assert model["type"] == "notebook"
            tagged = [c for c in model["content"]["cells"] if "parameters" in c["metadata"].get("tags", [])]
            assert len(tagged) == 1 and "=" in tagged[0]["source"]
    finally:
        server.terminate()
        server.wait(timeout=20)
