"""The shape issue 27 set, kept by counting: use cases take (command, deps) and nothing public in the services
takes more than 4 parameters; no port is a grab bag (at most 10 methods per Protocol); and `Any` in type hints
stays rare, each one saying why it is there."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_PARAMETERS = 4
MAX_PROTOCOL_METHODS = 10
MAX_ANY = 40


def _python_files(*packages: str) -> Iterator[Path]:
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def test_no_public_service_function_takes_more_than_four_parameters() -> None:
    """A use case is `name(command, deps)`; a helper composed inside one groups what it needs."""
    crowded = []
    for path in _python_files("shared/services"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                count = len(node.args.posonlyargs) + len(node.args.args) + len(node.args.kwonlyargs)
                if count > MAX_PARAMETERS:
                    crowded.append(f"{_where(path, node)} {node.name} takes {count}")
    assert crowded == []


def _is_protocol(node: ast.ClassDef) -> bool:
    return any(isinstance(base, ast.Name) and base.id == "Protocol" for base in node.bases)


def _is_property(node: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)


def test_no_protocol_has_more_than_ten_methods() -> None:
    """Ports are split by job. A unit of work's repositories and the ports bundle are attributes (properties),
    not methods: they name the small ports, they add no behaviour."""
    large = []
    for path in _python_files("shared", "functions"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and _is_protocol(node):
                methods = [f for f in node.body if isinstance(f, ast.FunctionDef) and not _is_property(f)]
                if len(methods) > MAX_PROTOCOL_METHODS:
                    large.append(f"{_where(path, node)} {node.name} has {len(methods)}")
    assert large == []


def _any_lines(path: Path) -> list[int]:
    """Lines naming `Any` (its import aside): in hints, aliases and casts alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sorted({node.lineno for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "Any"})


def test_any_is_rare_and_each_says_why() -> None:
    """`Any` is left only where a library hands us untyped values (Google's JSON, protobuf, Flask's view
    arguments) or a JSON document is handed out whole; `# Any: why` stands on its line or just above it."""
    found: list[str] = []
    unexplained: list[str] = []
    for path in _python_files("shared", "functions"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number in _any_lines(path):
            where = f"{path.relative_to(ROOT)}:{number}"
            found.append(where)
            above = lines[number - 2].strip() if number > 1 else ""
            if "# Any:" not in lines[number - 1] and not above.startswith("# Any:"):
                unexplained.append(where)
    assert len(found) <= MAX_ANY, found
    assert unexplained == []
