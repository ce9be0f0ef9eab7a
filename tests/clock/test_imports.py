"""The core's imports run one way: no circles between modules or packages, wherever imported.

An import inside a function counts like one at the top: hiding a circle in a function
is still a circle. The clock sits above the commands, and the time reckoning below both.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _modules() -> dict[str, Path]:
    found = {}
    for path in (ROOT / "bot").rglob("*.py"):
        if "migrations" in path.parts:
            continue  # Alembic loads these by path; they are not part of the import graph
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module of ``bot`` that ``name`` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
                break
    return targets


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle in ``graph`` (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _child_of(package: str, module: str) -> str | None:
    """The direct child of ``package`` that ``module`` is or lies inside."""
    if not module.startswith(package + "."):
        return None
    return package + "." + module[len(package) + 1 :].split(".")[0]


def test_no_module_of_the_core_imports_itself_back_round_a_circle():
    assert _cycle(GRAPH) is None


@pytest.mark.parametrize(
    "package", sorted({n.rpartition(".")[0] for n in MODULES if "." in n} | {"bot"})
)
def test_no_two_parts_of_a_package_import_each_other(package):
    # e.g. in ``bot``: bot.clock -> bot.huddle -> bot.commands must never lead back to bot.clock.
    parts: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        source = _child_of(package, module)
        if source is None:
            continue
        for target in targets:
            destination = _child_of(package, target)
            if destination is not None and destination != source:
                parts[source].add(destination)
    assert _cycle(parts) is None


def _reaches(module: str) -> set[str]:
    seen, todo = set(), [module]
    while todo:
        for target in GRAPH.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_commands_never_import_the_clock():
    commands = [m for m in MODULES if m == "bot.commands" or m.startswith("bot.commands.")]
    assert commands
    for module in commands:
        assert not any(t.startswith("bot.clock") for t in GRAPH[module]), module


def test_what_is_due_when_knows_neither_the_clock_nor_the_commands():
    reached = _reaches("bot.scheduling")
    assert not [m for m in reached if m.startswith(("bot.clock", "bot.commands", "bot.huddle"))]


def test_the_graph_is_read_from_the_real_imports():
    # The checks above mean something only if the graph sees imports at all.
    assert "bot.clock.engine" in GRAPH["bot.clock.jobs.monday_meeting"]
    assert "bot.scheduling" in GRAPH["bot.commands.schedule"]
    assert "bot.clock.scheduler" in GRAPH["bot.clock.cli"]  # imported inside a function
