"""core, storage, reports and exchange must work headless: no Qt import, direct or not."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import gridvisit

PACKAGE = Path(gridvisit.__file__).parent
HEADLESS = ("core", "storage", "reports", "exchange")


def _modules(sub: str) -> list[Path]:
    return sorted((PACKAGE / sub).rglob("*.py"))


def test_no_headless_module_mentions_pyside() -> None:
    offenders = []
    for sub in HEADLESS:
        for path in _modules(sub):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(
                    n.split(".")[0] in {"PySide6", "shiboken6", "gridvisit"}
                    and (n.startswith(("PySide6", "shiboken6")) or n.startswith("gridvisit.ui"))
                    for n in names
                ):
                    offenders.append(f"{path.relative_to(PACKAGE)}: {names}")
    assert offenders == []
    assert sum(len(_modules(s)) for s in HEADLESS) > 10  # the scan really saw the code


def test_importing_headless_packages_loads_no_qt() -> None:
    mods = []
    for sub in HEADLESS:
        for path in _modules(sub):
            rel = path.relative_to(PACKAGE.parent).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            if "migrations" in parts:  # alembic scripts run only inside alembic
                continue
            mods.append(".".join(parts))
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print(len(bad)); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# -- the import graph: layers and cycles (docs/architecture.md#layers-and-what-each-may-import)

# Bottom to top; a module may import its own layer and the layers below, never above.
# A module belongs to the layer of its longest matching prefix.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("domain", ("gridvisit", "gridvisit.core")),
    ("storage", ("gridvisit.storage",)),
    ("host", ("gridvisit.paths", "gridvisit.instance", "gridvisit.display")),
    ("exchange", ("gridvisit.exchange",)),
    (
        "services",
        (
            "gridvisit.core.services",
            "gridvisit.core.auth",
            "gridvisit.core.passwords",
            "gridvisit.core.recovery",
            "gridvisit.core.login_plan",
        ),
    ),
    ("outputs", ("gridvisit.reports", "gridvisit.demo")),
    (
        "front ends",
        (
            "gridvisit.ui",
            "gridvisit.app",
            "gridvisit.cli",
            "gridvisit.selftest",
            "gridvisit.console",
            "gridvisit.launcher",
            "gridvisit.__main__",
        ),
    ),
]


def _module_files() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if "migrations" in parts:  # alembic scripts, run only inside alembic
            continue
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Every gridvisit module and the gridvisit modules it imports anywhere in its
    source: at the top, inside functions, under TYPE_CHECKING."""
    modules = _module_files()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from . import x, from .engine import y
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.add(sub if sub in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def layer_of(module: str) -> int:
    best, index = -1, -1
    for i, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (
                prefix != "gridvisit" and module.startswith(prefix + ".")
            )
            if matches and len(prefix) > best:
                best, index = len(prefix), i
    return index


def test_every_module_has_a_layer() -> None:
    graph = import_graph()
    assert len(graph) > 80
    assert [m for m in graph if layer_of(m) < 0] == []


def test_no_upward_import() -> None:
    upward = [
        f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
        for a, targets in sorted(import_graph().items())
        for b in sorted(targets)
        if layer_of(b) > layer_of(a)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    """Function-level imports count: they hide a cycle, they do not break it."""
    graph = import_graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


def test_the_graph_sees_function_level_and_relative_imports() -> None:
    graph = import_graph()
    # Services imports the exchange services when first asked for (inside a property).
    assert "gridvisit.core.services.exchange" in graph["gridvisit.core.services"]
    assert "gridvisit.storage.engine" in graph["gridvisit.storage"]
