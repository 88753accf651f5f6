"""The house's layers: file → `etl/` → `schemas/` → `indicators/` → `dashboard/` and the CLI, over one core
package (`osservatorio`) that none of them needs Streamlit or typer to import."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("osservatorio", "etl", "schemas", "indicators", "dashboard")
# Who may import what: a front end's library only inside that front end.
ALLOWED = {"typer": ("osservatorio/cli/", "dashboard/"), "click": ("osservatorio/cli/",),
           "streamlit": ("dashboard/",)}

LIBRARY = ("etl.loader", "indicators.catalog", "schemas.db", "osservatorio.accounts", "osservatorio.pages",
           "osservatorio.roles", "osservatorio.settings", "osservatorio.exports", "osservatorio.charts.common",
           "osservatorio.charts.impact", "osservatorio.charts.evaluation", "osservatorio.charts.budget",
           "osservatorio.reports.impact", "osservatorio.reports.labs", "osservatorio.demo")


def imported_modules(names: tuple[str, ...]) -> set[str]:
    """Top-level packages in `sys.modules` of a fresh interpreter after importing `names`."""
    code = ("import importlib, json, sys\n"
            f"for name in {list(names)!r}:\n    importlib.import_module(name)\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_library_imports_without_streamlit_or_typer():
    loaded = imported_modules(LIBRARY)
    assert "etl" in loaded and "indicators" in loaded and "plotly" in loaded  # the imports really ran
    assert {"streamlit", "typer", "click"}.isdisjoint(loaded), loaded & {"streamlit", "typer", "click"}


def test_the_cli_imports_without_streamlit():
    loaded = imported_modules(("osservatorio.cli",))
    assert "typer" in loaded
    assert "streamlit" not in loaded


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
                  if "migrations" not in p.parts)


@pytest.mark.parametrize("front_end", sorted(ALLOWED))
def test_front_end_libraries_stay_in_their_front_end(front_end):
    allowed = ALLOWED[front_end]
    offenders = [str(p.relative_to(ROOT)) for p in _sources() if front_end in _imports(p)
                 and not str(p.relative_to(ROOT).as_posix()).startswith(allowed)]
    assert offenders == []


def test_lower_layers_never_import_the_front_ends():
    """`etl`, `schemas` and `indicators` import neither the dashboard nor the command line."""
    offenders = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("etl/", "schemas/", "indicators/")):
            text = path.read_text(encoding="utf-8")
            if "dashboard" in _imports(path) or "osservatorio.cli" in text or "osservatorio.reports" in text:
                offenders.append(rel)
    assert offenders == []
