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
