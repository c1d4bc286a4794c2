"""The layout of ``graph/`` shows the architecture: parts import only downwards, no cycles, small modules.

See ``docs/architecture.md`` for the picture these ranks encode.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
GRAPH = ROOT / "graph"

#: A part may import from parts of a lower rank only (and from itself).
RANK = {
    "core": 0,
    "safeio": 1,
    "validation": 1,
    "queries": 1,
    "store": 2,
    "importers": 3,
    "index": 3,
    "sandbox": 3,
    "explore": 3,
    "inventory": 4,
    "endpoint": 4,
    "coverage": 5,
    "cli": 6,
}
MAX_MODULES_PER_FOLDER = 12
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every ``graph`` module that ``path`` imports, at module level or inside functions."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "graph" or target.startswith("graph."):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("graph."))
    return found


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in GRAPH.rglob("*.py")}


def _part(module: str) -> str | None:
    bits = module.split(".")
    return bits[1] if len(bits) > 1 and bits[1] in RANK else None


def test_every_folder_of_graph_is_a_ranked_part() -> None:
    folders = {p.name for p in GRAPH.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(RANK), "a new part of graph/ needs a rank here and a place in docs/architecture.md"
    top = {p.name for p in GRAPH.glob("*.py")}
    assert top == {"__init__.py", "__main__.py"}, "modules belong in a part, not at the top of graph/"


def test_parts_import_only_downwards() -> None:
    modules = _modules()
    wrong: list[str] = []
    for name, path in modules.items():
        src = _part(name)
        if src is None:
            continue
        for target in _imports(path):
            if target not in modules:
                continue
            dst = _part(target)
            if dst is not None and dst != src and RANK[dst] >= RANK[src]:
                wrong.append(f"{name} -> {target}")
    assert not wrong, "imports that run against the flow:\n" + "\n".join(sorted(wrong))


def test_no_import_cycle_between_modules() -> None:
    modules = _modules()
    g = nx.DiGraph()
    for name, path in modules.items():
        for target in _imports(path):
            if target in modules and target != name and not name.startswith(target + "."):
                g.add_edge(name, target)
    cycles = [c for c in nx.simple_cycles(g) if len(c) > 1]
    assert not cycles, cycles[:5]


@pytest.mark.parametrize("folder", sorted(RANK))
def test_folders_stay_small(folder: str) -> None:
    modules = [p for p in (GRAPH / folder).glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= MAX_MODULES_PER_FOLDER, f"graph/{folder}/ holds {len(modules)} modules"


def test_modules_stay_small() -> None:
    long: dict[str, int] = {}
    for p in [*GRAPH.rglob("*.py"), *(ROOT / "app_pages").glob("*.py")]:
        n = len(p.read_text().splitlines())
        if n > MAX_LINES:
            long[str(p.relative_to(ROOT))] = n
    assert not long, long


def test_the_library_never_imports_streamlit() -> None:
    users = [
        str(p.relative_to(ROOT))
        for p in GRAPH.rglob("*.py")
        if any(n.split(".")[0] == "streamlit" for n in _all_imports(p))
    ]
    assert not users, users


def _all_imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out
