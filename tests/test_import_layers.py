"""The layers of the code, read from every module's imports (including imports inside functions).

``flows`` (measure and judge) and ``dashboard`` (show) never import each other; both read the
published snapshot through ``readmodel`` and share ``core``. ``core`` imports neither
``readmodel`` nor ``dashboard``; ``readmodel`` never imports ``dashboard``. No two modules import
each other, directly or round a longer loop: ``KNOWN_CYCLES``, the older loops this test once
allowed, is empty, and a listed loop that is gone fails too, so that the list stays true.
"""

from __future__ import annotations

import ast
from pathlib import Path

from core.settings import REPO_ROOT

PACKAGES = ("core", "readmodel", "flows", "dashboard")

#: Package -> packages it must never import.
FORBIDDEN = {
    "flows": {"dashboard"},
    "dashboard": {"flows"},
    "readmodel": {"dashboard"},
    "core": {"dashboard", "readmodel"},
}

#: Import loops older than this test (all broken since; a new one fails).
KNOWN_CYCLES: set[frozenset[str]] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO_ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project's modules it imports, anywhere in its body."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {t for a in node.names if (t := _resolve(a.name, modules))}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*parts, base] if base else parts)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    target = _resolve(full if full in modules else base, modules)
                    if target:
                        targets.add(target)
        targets.discard(name)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Every set of modules that import each other round a loop (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_crosses_a_layer() -> None:
    graph = imports(_modules())
    crossing = sorted(
        f"{source} imports {target}"
        for source, targets in graph.items()
        for target in targets
        if target.split(".")[0] in FORBIDDEN[source.split(".")[0]]
    )
    assert not crossing, "imports across layers:\n" + "\n".join(crossing)


def test_no_new_import_cycle() -> None:
    found = cycles(imports(_modules()))
    new = [sorted(c) for c in found - KNOWN_CYCLES]
    gone = [sorted(c) for c in KNOWN_CYCLES - found]
    assert not new, f"modules that import each other: {new}"
    assert not gone, f"these loops are broken: remove them from KNOWN_CYCLES: {gone}"


def test_the_checks_see_an_import_inside_a_function(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f():\n    from b import x\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("import a\n", encoding="utf-8")
    graph = imports({"a": tmp_path / "a.py", "b": tmp_path / "b.py"})
    assert graph == {"a": {"b"}, "b": {"a"}}
    assert cycles(graph) == {frozenset({"a", "b"})}
