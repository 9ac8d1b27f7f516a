"""The layout holds: import-linter's contracts pass, an upward import breaks them, no module
imports itself round a circle, and no module grows past 600 lines.

The layers and contracts are in pyproject.toml ([tool.importlinter]) and docs/architecture.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 600


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():
        pytest.skip("lint-imports is not installed (pip install -e '.[dev]')")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_contract_is_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "readerstudy",
        tmp_path / "readerstudy",
        ignore=shutil.ignore_patterns("__pycache__", "templates", "static"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    "module,line,contract",
    [
        # The base layer reaching up into reading.
        (
            "studies/models/study.py",
            "import readerstudy.reading.models",
            "Apps import only downward",
        ),
        # The pure statistics importing Django.
        ("analysis/stats/icc.py", "import django.db", "Pure analysis"),
        # The demo used by the coordinator's console.
        ("coordinator/views/home.py", "import readerstudy.demo.studies", "do not know each other"),
    ],
)
def test_an_import_against_the_layers_fails_the_build(tmp_path, module, line, contract):
    copy = _copy_of_the_package(tmp_path)
    path = copy / "readerstudy" / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    result = _lint_imports(copy)
    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if "BROKEN" in row]
    assert any(contract in row for row in broken), result.stdout


def _modules() -> tuple[grimp.ImportGraph, list[str]]:
    graph = grimp.build_graph("readerstudy")
    return graph, sorted(m for m in graph.modules if ".migrations" not in m)


def _cycles(graph, modules: list[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def imported_by(module: str):
        return iter(sorted(graph.find_modules_directly_imported_by(module)))

    for root in modules:
        if root in index:
            continue
        work = [(root, imported_by(root))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next((c for c in children if ".migrations" not in c), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_round_a_circle():
    graph, modules = _modules()
    assert _cycles(graph, modules) == []


def test_the_circle_finder_finds_a_circle():
    class Graph:
        edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

        def find_modules_directly_imported_by(self, module):
            return self.edges.get(module, set())

    assert _cycles(Graph(), ["a", "b", "c", "d"]) == [["a", "b", "c"]]


def test_no_module_is_longer_than_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "readerstudy").rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
