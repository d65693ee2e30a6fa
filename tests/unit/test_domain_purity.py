"""The domain stays pure: no I/O, no web framework, no Google or Firestore client (DESIGN.md)."""

import ast
import sys
from pathlib import Path

import shared.domain

ALLOWED_THIRD_PARTY = {"pydantic", "pydantic_core"}
DOMAIN = Path(shared.domain.__file__).parent


def _imported_top_level_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_modules_import_only_the_standard_library_pydantic_and_the_domain() -> None:
    forbidden_stdlib = {"socket", "subprocess", "urllib", "http", "requests", "sqlite3", "os", "io", "logging"}
    offenders = {}

    for module in sorted(DOMAIN.glob("*.py")):
        imported = _imported_top_level_modules(module) - {"shared", "__future__"}
        bad = {
            name
            for name in imported
            if name in forbidden_stdlib or (name not in sys.stdlib_module_names and name not in ALLOWED_THIRD_PARTY)
        }
        if bad:
            offenders[module.name] = sorted(bad)

    assert offenders == {}


def test_domain_modules_import_only_other_domain_modules_from_the_project() -> None:
    offenders = {}

    for module in sorted(DOMAIN.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        project = [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("shared.")
        ]
        outside = [name for name in project if not name.startswith("shared.domain")]
        if outside:
            offenders[module.name] = outside

    assert offenders == {}
