"""Import structure of the package: no cycles, no private names across modules, SEM stages point down.

Every module of ``cxlab/`` is parsed with :mod:`ast` (imports at the top level and inside
functions alike); nothing is imported. The checks:

* **cycles** among cxlab's own modules (an import of ``cxlab.x.y`` counts as an edge to
  ``cxlab.x.y``; importing a package's name counts as an edge to its ``__init__``);
* **private names across modules**: ``from cxlab.x import _y`` / ``from .x import _y`` where
  ``_y`` is not itself a module (``from cxlab import _text`` is fine, ``from .factor import _smc``
  is not), and ``x._y`` where ``x`` is an imported cxlab module (``from cxlab import factor as f;
  f._smc``);
* **cxlab.sem stages**: an import from one module of ``cxlab.sem`` to another must point to
  the same or an earlier stage of the table in ``cxlab/sem/__init__.py``'s docstring, and
  every module of ``cxlab.sem`` must be in that table.

The checker is run on two small synthetic packages too, so that it is seen to fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "cxlab"


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under the package ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Absolute name of ``from <level dots><target> import ...`` written in ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _bindings(module: str, tree: ast.Module, files, top: str, is_package: bool):
    """``(line, imported module, imported name or None, local name, module bound to it or None)`` of every
    import of a package module in ``tree``, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == top or alias.name.startswith(top + "."):
                    target = alias.name
                    while target not in files and "." in target:
                        target = target.rsplit(".", 1)[0]
                    local = alias.asname or alias.name.split(".")[0]
                    yield node.lineno, target, None, local, target if alias.asname else top
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, is_package, node.level, node.module)
            if source != top and not source.startswith(top + "."):
                continue
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                local = alias.asname or alias.name
                if sub in files:  # from package import submodule
                    yield node.lineno, sub, None, local, sub
                else:
                    yield node.lineno, source, alias.name, local, None


def _parsed(root: Path):
    """``(module, tree, bindings)`` of every module of the package ``root``."""
    files = module_files(root)
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        yield module, tree, list(_bindings(module, tree, files, root.name, path.name == "__init__.py"))


def imports(root: Path) -> list[tuple[str, str, str | None, int]]:
    """Every import of a package module by a package module: ``(importer, imported, name, line)``.

    ``name`` is the imported name of ``from m import name`` when it is not a module (else None).
    """
    return [(module, target, name, line) for module, _, bindings in _parsed(root)
            for line, target, name, _, _ in bindings if target != module]


def private_attributes(root: Path) -> list[str]:
    """``module:line uses _name of mod`` for every private attribute of an imported package module."""
    files = module_files(root)
    out = []
    for module, tree, bindings in _parsed(root):
        alias = {local: bound for _, _, _, local, bound in bindings if bound}  # names are not reused across scopes
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.endswith("__")):
                continue
            parts, value = [], node.value
            while isinstance(value, ast.Attribute):
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in alias:
                target = ".".join([alias[value.id]] + parts[::-1])
                if target in files and target != module:
                    out.append(f"{module}:{node.lineno} uses {node.attr} of {target}")
    return sorted(out)


def find_cycles(edges) -> list[list[str]]:
    """Strongly connected components with more than one module (each is an import cycle)."""
    graph: dict[str, set[str]] = {}
    for src, dst, _, _ in edges:
        graph.setdefault(src, set()).add(dst)
        graph.setdefault(dst, set())
    index, low, stack, on_stack, comps = {}, {}, [], set(), []

    def visit(v):  # Tarjan; the graph is small, recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return comps


def private_imports(edges) -> list[str]:
    """``importer:line imports _name from module`` for every private name imported across modules."""
    return [f"{src}:{line} imports {name} from {dst}" for src, dst, name, line in edges
            if name and name.startswith("_") and not (name.startswith("__") and name.endswith("__"))]


def stage_table(init: Path) -> list[tuple[str, list[str]]]:
    """The stage table of a package docstring: rows ``stage  mod, mod`` between ``====`` rules."""
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    rows, rules = [], 0
    for line in doc.splitlines():
        if line.startswith("===="):
            rules += 1
            continue
        if rules == 2 and line.strip():  # between the header rule and the closing rule
            stage, _, modules = line.strip().partition(" ")
            rows.append((stage, [m.strip() for m in modules.split(",") if m.strip()]))
    return rows


def stage_violations(edges, package: str, table) -> list[str]:
    """Imports between modules of ``package`` that point to a later stage, and modules not in the table."""
    rank = {f"{package}.{m}": i for i, (_, mods) in enumerate(table) for m in mods}
    names = {f"{package}.{m}": stage for stage, mods in table for m in mods}
    out = []
    members = {e[0] for e in edges} | {e[1] for e in edges}
    for mod in sorted(m for m in members if m.startswith(package + ".") and m not in rank):
        out.append(f"{mod} is in no stage of the table in {package}/__init__.py")
    for src, dst, _, line in edges:
        if src in rank and dst in rank and rank[dst] > rank[src]:
            out.append(f"{src}:{line} ({names[src]}) imports {dst} ({names[dst]}), a later stage")
    return sorted(set(out))


# ---- the package


def test_stage_table_lists_every_sem_module():
    table = stage_table(ROOT / "sem" / "__init__.py")
    listed = [m for _, mods in table for m in mods]
    assert len(table) >= 5 and len(listed) == len(set(listed))
    actual = {p.stem for p in (ROOT / "sem").glob("*.py")} - {"__init__"}
    assert set(listed) == actual, f"not in the table: {sorted(actual - set(listed))}; " \
                                  f"not a module: {sorted(set(listed) - actual)}"


def test_no_import_cycles():
    cycles = find_cycles(imports(ROOT))
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_private_names_across_modules():
    bad = private_imports(imports(ROOT)) + private_attributes(ROOT)
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


def test_sem_imports_point_down_the_stages():
    bad = stage_violations(imports(ROOT), "cxlab.sem", stage_table(ROOT / "sem" / "__init__.py"))
    assert not bad, "imports against the stage order of cxlab/sem/__init__.py:\n" + "\n".join(bad)


# ---- the checker fails where it should


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


STAGED_INIT = '''"""Stages.

=====  =======
stage  modules
=====  =======
low    a, b
high   c
=====  =======
"""
'''


def test_checker_finds_a_cycle_through_a_function_level_import(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from .b import g\n\ndef f():\n    return g()\n",
        "b.py": "def g():\n    from pkg import a\n    return a\n",
        "c.py": "import pkg.a\n",
    })
    edges = imports(root)
    assert find_cycles(edges) == [["pkg.a", "pkg.b"]]
    assert private_imports(edges) == []


def test_checker_finds_a_private_name_but_not_a_private_module(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "from . import _text\n",
        "_text.py": "def md(x):\n    return x\n",
        "a.py": "from pkg._text import md\nfrom . import _text as t\n\ndef _helper():\n    return t.md(1)\n",
        "sub/__init__.py": "",
        "sub/b.py": "def f():\n    from ..a import _helper\n    return _helper\n",
        "sub/c.py": "from pkg import a as _a\nimport pkg.sub.b\n\ndef g():\n    return _a._helper(), pkg.sub.b._x, _a.__name__\n",
    })
    edges = imports(root)
    assert find_cycles(edges) == []
    assert private_imports(edges) == ["pkg.sub.b:2 imports _helper from pkg.a"]
    assert private_attributes(root) == ["pkg.sub.c:5 uses _helper of pkg.a", "pkg.sub.c:5 uses _x of pkg.sub.b"]


def test_checker_finds_an_import_up_the_stages(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": STAGED_INIT,
        "a.py": "from .b import x\n",
        "b.py": "x = 1\n\ndef f():\n    from .c import y\n    return y\n",
        "c.py": "from .a import x\ny = x\n",
        "d.py": "",
    })
    table = stage_table(root / "__init__.py")
    assert table == [("low", ["a", "b"]), ("high", ["c"])]
    assert stage_violations(imports(root), "pkg", table) == ["pkg.b:4 (low) imports pkg.c (high), a later stage"]
    edges = imports(root) + [("pkg.d", "pkg.a", None, 1)]
    assert "pkg.d is in no stage of the table in pkg/__init__.py" in stage_violations(edges, "pkg", table)
