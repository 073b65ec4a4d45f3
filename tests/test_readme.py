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


def newcomer_commands(tag: str = "newcomer") -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(rf"<!-- {tag}:start -->\s*```sh\n(.*?)```\s*<!-- {tag}:end -->", text, re.S)
    assert block, f"README.md lost its {tag} block"
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


def test_newcomer_flow_with_own_survey(tmp_path):
    # The README's draft-from-your-survey flow, in a project with ../shared beside it.
    from conftest import SHARED

    if not (SHARED / "data" / "external").is_dir():
        pytest.skip("../shared/data/external is not here")
    project = tmp_path / "cxlab"
    shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    (project / "data" / "raw").mkdir(parents=True)
    (project / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "shared").symlink_to(SHARED)
    env = {**os.environ, "CXLAB_ROOT": str(project)}
    commands = newcomer_commands("newcomer-survey")
    assert len(commands) == 3 and "--survey" in commands[0]
    outputs = []
    for cmd in commands:
        done = subprocess.run(shlex.split(cmd), cwd=project, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (cmd, done.stderr[-2000:])
        outputs.append(done.stdout)
    assert "03_sem_drivers: skipped — no structural model" in outputs[1]
    reports = project / "reports" / "mobi"
    assert sorted(p.name for p in reports.glob("0*.html")) == ["01_data_quality.html", "02_servqual_factors.html"]
    assert "skipped" in (reports / "index.html").read_text()
    assert not (project / "data" / "raw" / "mobi" / "truth.yaml").exists()  # nothing of the demo copied
