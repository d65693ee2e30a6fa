"""OpenAPI 3.1 document generated from the route tables and their pydantic models."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NotRequired, TypedDict

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.web.endpoints import PATH_PARAMETERS, Endpoints, JsonSchema, Route

_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


class MediaType(TypedDict):
    schema: JsonSchema


class Answer(TypedDict):
    description: str
    content: NotRequired[dict[str, MediaType]]


class RequestBody(TypedDict):
    required: bool
    content: dict[str, MediaType]


# "in" is a keyword: the functional form names it.
Parameter = TypedDict(
    "Parameter",
    {"name": str, "in": str, "required": bool, "schema": JsonSchema, "description": NotRequired[str]},
)


class Operation(TypedDict):
    tags: list[str]
    summary: str
    operationId: str
    responses: dict[str, Answer]
    parameters: NotRequired[list[Parameter]]
    requestBody: NotRequired[RequestBody]
    security: NotRequired[list[dict[str, list[str]]]]  # any one of the listed alternatives suffices


class Components(TypedDict):
    schemas: dict[str, JsonSchema]
    securitySchemes: dict[str, dict[str, str]]


class OpenApiDocument(TypedDict):
    openapi: str
    info: dict[str, str]
    servers: list[dict[str, str]]
    paths: dict[str, dict[str, Operation]]
    components: Components


# Each model's schema where an operation names it: a reference to it in components/schemas.
References = Mapping[type, JsonSchema]

_PROBLEM: Answer = {
    "description": "Problem (RFC 9457)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def build_openapi(tables: Mapping[str, Endpoints], server_url: str) -> OpenApiDocument:
    models = {
        m
        for table in tables.values()
        for route in table.routes
        for m in (route.body, route.query, route.response, *(model for _, model in route.other_responses))
        if m is not None
    }
    refs, defs = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    references: References = {model: reference for (model, _), reference in refs.items()}  # all "validation"
    schemas: dict[str, JsonSchema] = dict(defs.get("$defs", {}))
    schemas["Problem"] = {
        "type": "object",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "challenge": {
                "type": "object",
                "description": "With `proof-required` only: an ALTCHA proof-of-work challenge. Find `number` in "
                "[0, maxNumber] such that the SHA-256 hex of `salt` + `number` is `challenge`, then send the same "
                "request again with header `Kaleno-Proof`: base64 of the JSON "
                "{algorithm, challenge, number, salt, signature}. Expires after a few minutes; single use.",
                "required": ["algorithm", "challenge", "maxNumber", "salt", "signature"],
                "properties": {
                    "algorithm": {"type": "string", "const": "SHA-256"},
                    "challenge": {"type": "string"},
                    "maxNumber": {"type": "integer"},
                    "salt": {"type": "string"},
                    "signature": {"type": "string"},
                },
            },
            "errors": {
                "type": "array",
                "description": "For validation: each invalid field, its stable code and a sentence for people.",
                "items": {
                    "type": "object",
                    "required": ["field", "code", "message"],
                    "properties": {
                        "field": {"type": "string", "examples": ["invitee.email"]},
                        "code": {"type": "string", "examples": ["email-invalid"]},
                        "message": {"type": "string", "examples": ["Enter an email address such as name@example.com"]},
                    },
                },
            },
        },
    }
    paths: dict[str, dict[str, Operation]] = {}
    operation_ids: set[str] = set()
    for name, table in tables.items():
        for route in table.routes:
            path = "/" + name + _PARAM.sub(r"{\1}", route.rule).rstrip("/")
            for method in route.methods:
                operation = _operation(name, route, references)
                operation["operationId"] = _unique(operation["operationId"], method, operation_ids)
                paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kaleno API",
            "version": "1.0.0",
            "description": "Booking and scheduling on top of the host's Google Calendar.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "kaleno_session"},
                "manageToken": {"type": "http", "scheme": "bearer"},
                # From POST /privacy/address-proofs/redeem: rights over every booking made with a mailed address.
                "addressGrant": {"type": "http", "scheme": "bearer", "bearerFormat": "proof-of-address grant"},
                "googleOidc": {"type": "http", "scheme": "bearer", "bearerFormat": "Google OIDC JWT"},
                "channelToken": {"type": "apiKey", "in": "header", "name": "X-Goog-Channel-Token"},
            },
        },
    }


def _unique(operation_id: str, method: str, taken: set[str]) -> str:
    """OpenAPI wants every operationId once: a view serving several methods (or sharing a name with another
    view, as generated views do) gets the method, then a number, appended."""
    candidate, number = operation_id, 1
    while candidate in taken:
        number += 1
        candidate = f"{operation_id}_{method.lower()}" + (f"_{number}" if number > 2 else "")
    taken.add(candidate)
    return candidate


def _query_parameters(model: type[BaseModel]) -> list[Parameter]:
    """Each field of a query model as a parameter with its own schema (format, pattern, bounds)."""
    properties = model.model_json_schema(by_alias=True)["properties"]
    parameters: list[Parameter] = []
    for field_name, info in model.model_fields.items():
        name = info.alias or field_name
        schema = {key: value for key, value in properties[name].items() if key not in ("title", "description")}
        # An optional parameter is simply left out: a query string has no null to send.
        branches = [branch for branch in schema.pop("anyOf", [schema]) if branch != {"type": "null"}]
        schema = {key: value for key, value in {**schema, **branches[0]}.items() if key != "default"}
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": info.is_required(),
                "schema": schema,
                "description": info.description or "",
            }
        )
    return parameters


def _operation(function: str, route: Route, refs: References) -> Operation:
    operation: Operation = {
        "tags": [function],
        "summary": route.summary,
        "operationId": f"{function}.{route.view.__name__}",
        "responses": {"default": _PROBLEM},
    }
    params: list[Parameter] = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string", "pattern": PATH_PARAMETERS[p]}}
        for p in _PARAM.findall(route.rule)
    ]
    if route.query is not None:
        params += _query_parameters(route.query)
    params += [
        {"name": name, "in": "header", "required": False, "schema": dict(schema), "description": description}
        for name, schema, description in route.headers
    ]
    if params:
        operation["parameters"] = params
    if route.body is not None:
        operation["requestBody"] = {
            # A body whose fields are all optional may be left out: the server reads no body as `{}`.
            "required": any(info.is_required() for info in route.body.model_fields.values()),
            "content": {"application/json": {"schema": refs[route.body]}},
        }
    elif route.uploads:
        binary: MediaType = {"schema": {"type": "string", "format": "binary", "maxLength": route.max_body_bytes}}
        operation["requestBody"] = {"required": True, "content": dict.fromkeys(route.uploads, binary)}
    ok: Answer = {"description": "Success"}
    if route.response is not None:
        ok["content"] = {"application/json": {"schema": refs[route.response]}}
    elif route.produces is not None:
        ok["content"] = {route.produces: {"schema": {"type": "string"}}}
    operation["responses"][str(route.status)] = ok
    for status, model in route.other_responses:
        operation["responses"][str(status)] = {
            "description": "Success",
            "content": {"application/json": {"schema": refs[model]}},
        }
    for status, description in route.problems:
        operation["responses"][str(status)] = {**_PROBLEM, "description": description}
    if route.guard is not None:
        operation["security"] = [{scheme: []} for scheme in route.guard.security]
    return operation
