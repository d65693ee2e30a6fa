"""No documented path answers a redirect (only the sign-in flow redirects, by design): a 308 on a POST costs
a round trip and breaks naive clients."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from functions.main import ROUTE_TABLES

DESIGNED_REDIRECTS = {("oauth", "/start"), ("oauth", "/callback")}


def documented() -> list[tuple[str, str, str]]:
    """(function, method, path) of every route, with placeholders filled and with and without a trailing
    slash."""
    found = []
    for name, table in ROUTE_TABLES.items():
        for route in table.routes:
            if (name, route.rule) in DESIGNED_REDIRECTS:
                continue
            path = route.rule.replace("<path:rest>", "x")
            for placeholder in ("<host_slug>", "<event_type_slug>", "<booking_id>", "<event_type_id>", "<erasure_id>"):
                path = path.replace(placeholder, "abc")
            base = f"/{name}{'' if path == '/' else path}"
            for method in route.methods:
                found += [(name, method, base), (name, method, base.rstrip("/") + "/")]
    return sorted(set(found))


@pytest.mark.parametrize(("function", "method", "path"), documented())
def test_a_documented_path_answers_without_redirect(api: str, function: str, method: str, path: str) -> None:
    kwargs: dict[str, Any] = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}

    response = requests.request(method, f"{api}{path}", allow_redirects=False, timeout=10, **kwargs)

    assert response.status_code not in (301, 302, 303, 307, 308), (method, path, response.headers.get("Location"))
