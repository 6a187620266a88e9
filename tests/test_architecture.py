"""The layout holds: the import layers (import-linter), no pickle, functions that fit on a screen.

These read the source, not behaviour: they fail when a change breaks a rule ARCHITECTURE.md states.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "specbuild"
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_import_layers_hold() -> None:
    """pyproject.toml's import-linter contracts: the layers, and one importer per third-party library."""
    lint = pytest.importorskip("importlinter.cli")
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)  # the contracts are read from pyproject.toml there
    try:
        with contextlib.redirect_stdout(out):
            code = lint.lint_imports(no_cache=True, no_logo=True)
    finally:
        os.chdir(cwd)
    assert code == 0, out.getvalue()


def test_no_module_imports_pickle() -> None:
    """State files are data (specbuild.learn.state): loading one must never be able to run code."""
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("pickle", "cPickle", "dill", "shelve", "marshal") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_functions_fit_on_a_screen() -> None:
    """A function's body, from its first statement: a signature is a declaration (a typer command lists
    every option it takes, one per line), not logic to follow."""
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.body[0].lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []
