"""The OpenAPI document generated from the route tables is valid OpenAPI 3.1 and constrains every parameter."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from flask import Response
from openapi_spec_validator import validate

from functions.main import ROUTE_TABLES
from shared.web.endpoints import PATH_PARAMETERS, Endpoints
from shared.web.openapi import OpenApiDocument, build_openapi


def served(document: OpenApiDocument) -> dict[str, Any]:
    """The document as a client reads it (devstack serves `json.dumps` of it)."""
    parsed: dict[str, Any] = json.loads(json.dumps(document))
    return parsed


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return served(build_openapi(ROUTE_TABLES, "http://127.0.0.1:8080"))


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)  # raises with the first violation

    assert document["openapi"] == "3.1.0"


def test_every_operation_id_is_used_once(document: dict[str, Any]) -> None:
    counts = Counter(op["operationId"] for _, _, op in _operations(document))

    assert [op_id for op_id, n in counts.items() if n > 1] == []


def test_views_sharing_a_name_still_get_distinct_operation_ids() -> None:
    table = Endpoints("twins")
    for rule in ("/a", "/b"):

        def view(request: Any) -> Any:
            raise NotImplementedError

        table.public(rule, methods=("GET", "POST"))(view)

    document = served(build_openapi({"twins": table}, "http://127.0.0.1:8080"))

    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(set(ids)) == len(ids) == 4
    validate(document)


def test_every_path_and_query_parameter_has_a_pattern_or_a_format(document: dict[str, Any]) -> None:
    loose = [
        (path, method, parameter["name"])
        for path, method, op in _operations(document)
        for parameter in op.get("parameters", [])
        if not {"pattern", "format", "enum"} & set(parameter["schema"])
        and "maxLength" not in parameter["schema"]
        and not {"minimum", "maximum"} <= set(parameter["schema"])  # a bounded integer (a page size)
    ]

    assert loose == []


def test_dates_zones_slugs_and_ids_are_described_as_they_are_checked(document: dict[str, Any]) -> None:
    slots = document["paths"]["/bookings/pages/{host_slug}/{event_type_slug}/slots"]["get"]
    by_name = {parameter["name"]: parameter["schema"] for parameter in slots["parameters"]}

    assert by_name["from"]["format"] == by_name["to"]["format"] == "date"
    assert re.search(by_name["from"]["pattern"], "2031-02-28")
    assert not re.search(by_name["from"]["pattern"], "9999-12-31")
    assert re.search(by_name["tz"]["pattern"], "America/Argentina/Buenos_Aires")
    assert by_name["host_slug"]["pattern"] == PATH_PARAMETERS["host_slug"]
    assert {p["name"] for p in slots["parameters"] if p["in"] == "query" and p["required"]} == {"from", "to", "tz"}


def test_optional_query_parameters_are_strings_not_nullable(document: dict[str, Any]) -> None:
    start = document["paths"]["/oauth/start"]["get"]["parameters"]

    assert all(parameter["schema"]["type"] == "string" for parameter in start)
    assert not any(parameter["required"] for parameter in start)


def test_a_rule_naming_an_unknown_path_parameter_fails_at_import() -> None:
    table = Endpoints("strays")

    with pytest.raises(LookupError, match="widget_id"):
        table.public("/widgets/<widget_id>")(lambda request, widget_id: Response())


def test_schedules_and_the_new_event_type_fields_are_described(document: dict[str, Any]) -> None:
    paths, schemas = document["paths"], document["components"]["schemas"]

    assert set(paths["/hosts/me/schedules"]) == {"get", "post"}
    assert set(paths["/hosts/me/schedules/{schedule_id}"]) == {"get", "put", "patch", "delete"}
    assert "/hosts/me/schedule" in paths  # the default schedule's own route stays
    fields = schemas["EventType"]["properties"]
    assert {"schedule_id", "daily_minutes_limit", "weekly_minutes_limit"} <= set(fields)
    assert re.search(fields["schedule_id"]["anyOf"][0]["pattern"], "sc0123456789")


def test_each_operation_states_who_may_call_it_as_its_routes_decorator_says(document: dict[str, Any]) -> None:
    schemes = {
        (path, method): [name for requirement in op.get("security", []) for name in requirement]
        for path, method, op in _operations(document)
    }

    assert {name for names in schemes.values() for name in names} <= set(document["components"]["securitySchemes"])
    assert schemes[("/bookings", "post")] == []  # public
    assert schemes[("/hosts/me", "get")] == ["session"]  # host
    assert schemes[("/bookings/{booking_id}", "get")] == ["manageToken"]  # invitee
    assert schemes[("/privacy/export", "get")] == ["session", "manageToken", "addressGrant"]  # rights holder
    assert schemes[("/privacy/tasks/policy-notices", "post")] == ["googleOidc"]  # queue
    assert {tuple(names) for names in schemes.values()} == {
        (),
        ("session",),
        ("manageToken",),
        ("session", "manageToken", "addressGrant"),
        ("googleOidc",),
    }
