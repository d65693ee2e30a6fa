"""The `fields` partial-response parameter of Google's JSON APIs.

Syntax (as Google documents it): a comma-separated list of selections; `a/b` selects `b` inside `a`;
`a(b,c)` selects `b` and `c` inside `a` (and inside every element when `a` is an array); `*` is every
key. Selections are checked against the response's schema from the discovery document, so a field the
resource does not have is 400 `invalidParameter` "Invalid field selection x", as Google answers.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.errors import GoogleApiError

# A parsed selection: name -> sub-selection, where None selects the whole value.
Selection = dict[str, "Selection | None"]


def _invalid(text: str) -> GoogleApiError:
    return GoogleApiError(
        400, "invalidParameter", f"Invalid field selection {text}", location="fields", location_type="parameter"
    )


def _merge_into(target: Selection, name: str, sub: Selection | None) -> None:
    if name not in target:
        target[name] = sub
        return
    current = target[name]
    if current is None or sub is None:
        target[name] = None  # the whole value wins over a part of it
        return
    for key, value in sub.items():
        _merge_into(current, key, value)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> Selection:
        selection = self._list()
        if self.pos != len(self.text):
            raise _invalid(self.text[self.pos :] or self.text)
        return selection

    def _list(self) -> Selection:
        selection: Selection = {}
        while True:
            path, sub = self._item()
            # `a/b/c(d)` is `a(b(c(d)))`.
            for name in reversed(path[1:]):
                sub = {name: sub}
            _merge_into(selection, path[0], sub)
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                continue
            return selection

    def _item(self) -> tuple[list[str], Selection | None]:
        path = [self._name()]
        while self.pos < len(self.text) and self.text[self.pos] == "/":
            self.pos += 1
            path.append(self._name())
        sub: Selection | None = None
        if self.pos < len(self.text) and self.text[self.pos] == "(":
            self.pos += 1
            sub = self._list()
            if self.pos >= len(self.text) or self.text[self.pos] != ")":
                raise _invalid(self.text)
            self.pos += 1
        return path, sub

    def _name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",/()":
            self.pos += 1
        name = self.text[start : self.pos].strip()
        if not name:
            raise _invalid(self.text)
        return name


def parse_fields(text: str) -> Selection:
    return _Parser(text.strip()).parse()


def check_fields(selection: Selection, schema: dict[str, Any], schemas: dict[str, Any], prefix: str = "") -> None:
    """Every selected name must exist in the (discovery) schema of the value it selects from."""
    schema = _resolve(schema, schemas)
    if schema.get("type") == "array":
        check_fields(selection, schema.get("items", {}), schemas, prefix)
        return
    properties: dict[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    for name, sub in selection.items():
        if name == "*" or name in properties:
            child = extra if name == "*" and extra is not None else properties.get(name, {})
        elif extra is not None:
            child = extra
        elif not properties and schema.get("type") in (None, "any"):
            child = {}  # free-form: anything goes
        else:
            raise _invalid(prefix + name)
        if sub is not None:
            check_fields(sub, child, schemas, f"{prefix}{name}/")


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"]]
    return schema


def select(value: Any, selection: Selection | None) -> Any:
    """The partial response: only the selected fields (absent ones stay absent)."""
    if selection is None:
        return value
    if isinstance(value, list):
        return [select(item, selection) for item in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for name, sub in selection.items():
        if name == "*":
            for key, item in value.items():
                result[key] = select(item, _combined(sub, selection.get(key, sub)))
        elif name in value and name not in result:
            result[name] = select(value[name], sub)
    return result


def _combined(a: Selection | None, b: Selection | None) -> Selection | None:
    if a is None or b is None:
        return None
    merged = copy.deepcopy(a)
    for key, sub in copy.deepcopy(b).items():
        _merge_into(merged, key, sub)
    return merged
