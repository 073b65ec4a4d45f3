"""environment.yml mirrors pyproject.toml: the same pinned packages for conda users."""

import re
import tomllib

import yaml

from conftest import ROOT


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    have = {p for p in pip if not p.startswith("-e")}
    assert have == wanted
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert re.match(r"python=3\.11", python)


def test_every_public_module_is_reachable_as_an_attribute():
    # notebooks write cxlab.<module>.<name>: the lazy loader must know every public module
    import pkgutil

    import cxlab

    public = {m.name for m in pkgutil.iter_modules(cxlab.__path__) if not m.name.startswith("_")}
    missing = sorted(m for m in public - {"cli", "screenshot"} if not hasattr(cxlab, m))
    assert not missing, missing
