"""Type hints say what a value is (issue 27): in the adapters, the domain and the wiring an `Any` is left only
where a library hands over something untyped (Google's JSON, protobuf messages), and says so beside it; and
no Protocol there asks for more than ten methods."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TYPED = [
    *sorted((ROOT / "shared" / "adapters").rglob("*.py")),
    *sorted((ROOT / "shared" / "domain").glob("*.py")),
    ROOT / "shared" / "bootstrap.py",
    ROOT / "shared" / "config.py",
]
MOST_METHODS = 10


def _any_lines(tree: ast.Module) -> list[int]:
    """Lines using the name `Any` (its import aside)."""
    return sorted({node.lineno for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "Any"})


def _gives_a_reason(lines: list[str], number: int) -> bool:
    """`# Any: why` on the line itself or in the comment just above it."""
    here, above = lines[number - 1], lines[number - 2].strip() if number > 1 else ""
    return "# Any:" in here or above.startswith("# Any:")


def test_every_any_left_in_the_adapters_domain_and_wiring_says_why() -> None:
    unexplained = []

    for path in TYPED:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for number in _any_lines(ast.parse(source)):
            if not _gives_a_reason(lines, number):
                unexplained.append(f"{path.relative_to(ROOT)}:{number}")

    assert unexplained == []


def test_no_protocol_in_the_adapters_domain_and_wiring_asks_for_more_than_ten_methods() -> None:
    too_big = {}

    for path in TYPED:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            protocol = isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id == "Protocol" for base in node.bases
            )
            if isinstance(node, ast.ClassDef) and protocol:
                methods = [item for item in node.body if isinstance(item, ast.FunctionDef)]
                if len(methods) > MOST_METHODS:
                    too_big[f"{path.relative_to(ROOT)}::{node.name}"] = len(methods)

    assert too_big == {}


def test_the_firestore_unit_is_its_reading_and_its_writing_side() -> None:
    """Unit composes two small Protocols: a repository that only reads could ask for UnitReads alone."""
    tree = ast.parse((ROOT / "shared" / "adapters" / "firestore" / "unit.py").read_text(encoding="utf-8"))
    (unit,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Unit"]

    assert [base.id for base in unit.bases if isinstance(base, ast.Name)] == ["UnitReads", "UnitWrites", "Protocol"]
