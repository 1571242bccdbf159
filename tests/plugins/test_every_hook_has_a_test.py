"""Meta-test: every hookspec must be named by a test's @pytest.mark.hook("…") marker."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from lms_core.plugins import hookspecs

TESTS = Path(__file__).resolve().parents[1]


def _declared_hooks() -> set[str]:
    return {name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("truongso_")}


def _tested_hooks() -> set[str]:
    found: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "hook"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def test_every_hook_has_a_test() -> None:
    missing = _declared_hooks() - _tested_hooks()
    assert not missing, f"hooks without a test marked @pytest.mark.hook(name): {sorted(missing)}"


def test_markers_name_only_declared_hooks() -> None:
    unknown = _tested_hooks() - _declared_hooks()
    assert not unknown, f"tests mark hooks that do not exist: {sorted(unknown)}"
