"""The folders show the architecture (docs/ARCHITECTURE.md): feature packages that import
each other in one direction only, small modules, and a core that never imports the window.

The import graph is read from the source with ``ast`` (every ``import`` and ``from``
statement, those inside functions too), so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
import statistics
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOPS = ("annotator", "ui")
MAX_DIRECT = {"annotator": 8, "ui": 4}  # modules directly in the folder, besides __init__/__main__
MAX_LINES = 600
MEDIAN_LINES = 200


def _modules() -> dict[str, Path]:
    found = {}
    for top in TOPS:
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def package_of(module: str, modules: dict[str, Path]) -> str:
    """The feature package a module belongs to: ``ui.tagging``, ``annotator.io``; a module
    directly in ``ui/`` or ``annotator/`` belongs to the top itself."""
    parts = module.split(".")
    if len(parts) >= 2 and (ROOT / parts[0] / parts[1]).is_dir():
        return ".".join(parts[:2])
    return parts[0]


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def package_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        source = package_of(name, modules)
        for target in _imported(path):
            if target in modules:
                other = package_of(target, modules)
                # The top modules (cli.py, app.py, main_window.py) wire everything together.
                if other != source and other not in TOPS:
                    graph[source].add(other)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_package_import_graph_has_no_cycle() -> None:
    graph = package_graph()
    assert {"annotator.store", "annotator.io", "ui.tagging", "ui.review"} <= set(graph)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None


def test_no_module_cycle_inside_a_package() -> None:
    """Modules of one package import each other in one direction too (at load or lazily)."""
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target in _imported(path):
            if target in modules and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_core_never_imports_the_window() -> None:
    graph = package_graph()
    for package, targets in graph.items():
        if package.startswith("annotator"):
            assert not {t for t in targets if t.startswith("ui")}, package
    for path in (ROOT / "annotator").rglob("*.py"):
        roots = {name.split(".")[0] for name in _imported(path)}
        assert not roots & {"PySide6", "shiboken6", "ui"}, path


def test_few_modules_directly_in_the_top_folders() -> None:
    for top, most in MAX_DIRECT.items():
        direct = [p.name for p in (ROOT / top).glob("*.py")
                  if p.name not in ("__init__.py", "__main__.py")]
        assert len(direct) <= most, (top, sorted(direct))


def test_every_package_says_what_lives_there_and_what_it_may_import() -> None:
    for top in TOPS:
        for init in (ROOT / top).rglob("__init__.py"):
            if "migrations" in init.parts:
                continue
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            assert doc, init
            assert "import" in doc.lower(), f"{init}: say what the package may import"


def test_modules_are_small() -> None:
    sizes = {}
    for top in TOPS:
        for path in (ROOT / top).rglob("*.py"):
            if path.name != "__init__.py" and "versions" not in path.parts:
                sizes[path] = len(path.read_text(encoding="utf-8").splitlines())
    too_big = {str(p.relative_to(ROOT)): n for p, n in sizes.items() if n > MAX_LINES}
    assert not too_big
    assert statistics.median(sizes.values()) < MEDIAN_LINES


def test_pyproject_ships_every_package() -> None:
    """A new package must be listed in pyproject.toml, or the wheel leaves it out."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for top in TOPS for p in (ROOT / top).rglob("__init__.py")}
    assert on_disk <= listed, sorted(on_disk - listed)


def test_the_docs_name_paths_that_exist() -> None:
    """README.md, ARCHITECTURE.md and GLOSSARY.md name files and folders as they are."""
    import re

    named = re.compile(r"`((?:annotator|ui|tests|benchmarks|scripts|resources|docs)/[\w./-]*)`")
    missing = []
    for doc in ("README.md", "docs/ARCHITECTURE.md", "docs/GLOSSARY.md"):
        for path in named.findall((ROOT / doc).read_text(encoding="utf-8")):
            if not (ROOT / path.rstrip("/")).exists():
                missing.append(f"{doc}: {path}")
    assert not missing
