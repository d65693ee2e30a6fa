"""RFC 9457 problem details: the one shape every error response takes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from flask import Response
from pydantic import ValidationError

from shared.domain.errors import FieldProblem, field_problems
from shared.web.field_messages import field_error

PROBLEM_BASE = "https://kaleno.app/problems/"
# Every 503 says when to ask again (RFC 9110 §10.2.3), whoever raised it: a client, Cloud Tasks or Google's
# push then retries after a pause instead of at once or never.
RETRY_AFTER_SECONDS = "2"
PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An error meant for the client. `kind` becomes the stable `type` URI."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str | None = None,
        *,
        errors: Sequence[Mapping[str, str]] | None = None,  # field_messages.field_error: field, code, message
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, object] | None = None,  # more members of the body: anything json.dumps takes
    ) -> None:
        super().__init__(kind)
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.errors = list(errors or [])
        self.headers = dict(headers or {})
        if status == 503:
            self.headers.setdefault("Retry-After", RETRY_AFTER_SECONDS)
        self.extra = dict(extra or {})

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.kind

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"type": self.type_uri, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body

    def to_response(self) -> Response:
        response = Response(json.dumps(self.to_dict()), status=self.status, mimetype=PROBLEM_JSON)
        for name, value in self.headers.items():
            response.headers[name] = value
        return response


def validation_problem(error: ValidationError, where: str = "body", more: Sequence[FieldProblem] = ()) -> Problem:
    """422 naming each offending field in plain words (`more`: fields refused beyond the model's own checks);
    the offending input is never echoed back (it may be a secret)."""
    problems = [problem if problem.field else problem._replace(field=where) for problem in field_problems(error)]
    named = {problem.field for problem in problems}
    problems += [problem for problem in more if problem.field not in named]  # one sentence per field is enough
    return field_problem(problems, f"The {where} has invalid fields.")


def field_problem(problems: Sequence[FieldProblem], detail: str) -> Problem:
    """The one 422 for refused fields: each with its field path, stable code and sentence."""
    errors = [field_error(problem) for problem in problems]
    return Problem(422, "validation-error", "Invalid request", detail, errors=errors)


INTERNAL = Problem(500, "internal-error", "Internal error", "Something went wrong on our side; it has been logged.")
