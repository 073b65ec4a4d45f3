"""The README's newcomer commands, run exactly as written, give a report of one's own study."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess

import pytest

from conftest import DEMO, ROOT

pytestmark = pytest.mark.slow


def newcomer_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- newcomer:start -->\s*```sh\n(.*?)```\s*<!-- newcomer:end -->", text, re.S)
    assert block, "README.md lost its newcomer block"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_mentions_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert "make report" in text and "make test" in text


def test_newcomer_flow_from_readme(tmp_path, demo_contacts):
    # A copy of the project as a fresh clone has it after `make report` (.venv shared).
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    shutil.copytree(DEMO, tmp_path / "data" / "raw" / "demo")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    env = {**os.environ, "CXLAB_ROOT": str(tmp_path)}
    commands = newcomer_commands()
    assert len(commands) == 3
    for cmd in commands:
        done = subprocess.run(shlex.split(cmd), cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (cmd, done.stderr[-2000:])
    index = tmp_path / "reports" / "my_study" / "index.html"
    assert index.exists()
    html = index.read_text()
    assert "<code>alpha_level</code></td><td>0.01</td>" in html  # the edited parameter took effect
    assert len(list(index.parent.glob("0*.html"))) == 5
