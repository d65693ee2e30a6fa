"""RFC 9457 problem details: the one shape every error response takes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response
from pydantic import ValidationError

from shared.domain.errors import FieldProblem, field_problems
from shared.domain.language import DEFAULT_LANGUAGE, Language, negotiate
from shared.i18n import N_, translations
from shared.web.field_messages import field_error

PROBLEM_BASE = "https://kaleno.app/problems/"
# Every 503 says when to ask again (RFC 9110 §10.2.3), whoever raised it: a client, Cloud Tasks or Google's
# push then retries after a pause instead of at once or never.
RETRY_AFTER_SECONDS = "2"
PROBLEM_JSON = "application/problem+json"
INVALID_REQUEST = N_("Invalid request")
_INVALID_FIELDS = {"body": N_("The body has invalid fields."), "query": N_("The query has invalid fields.")}


def request_language(accept_language: str | None) -> Language:
    """The language an API request's words are in: its `Accept-Language` (the web client sends its page's)."""
    return negotiate(None, accept_language, None)


class Problem(Exception):
    """An error meant for the client. `kind` becomes the stable `type` URI. Its refused fields are put in words
    when it is answered, in the request's language (as is its title when the catalogue has it)."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str | None = None,
        *,
        problems: Sequence[FieldProblem] = (),  # refused fields: `errors` (field_messages.field_error)
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, object] | None = None,  # more members of the body: anything json.dumps takes
    ) -> None:
        super().__init__(kind)
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.problems = list(problems)
        self.headers = dict(headers or {})
        if status == 503:
            self.headers.setdefault("Retry-After", RETRY_AFTER_SECONDS)
        self.extra = dict(extra or {})

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.kind

    def errors(self, language: Language = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:  # Any: JSON
        return [field_error(problem, language) for problem in self.problems]

    def to_dict(self, language: Language = DEFAULT_LANGUAGE) -> dict[str, object]:
        words = translations(language, "messages")
        body: dict[str, object] = {"type": self.type_uri, "title": words.gettext(self.title), "status": self.status}
        if self.detail:
            body["detail"] = words.gettext(self.detail)
        if self.problems:
            body["errors"] = self.errors(language)
        body.update(self.extra)
        return body

    def to_response(self, language: Language = DEFAULT_LANGUAGE) -> Response:
        """The answer, in `language` (see `request_language`): types and codes stay the same in every language."""
        response = Response(json.dumps(self.to_dict(language)), status=self.status, mimetype=PROBLEM_JSON)
        response.vary.add("Accept-Language")  # its words are the request's language
        if language != DEFAULT_LANGUAGE:
            response.headers["Content-Language"] = language
        for name, value in self.headers.items():
            response.headers[name] = value
        return response


def validation_problem(error: ValidationError, where: str = "body", more: Sequence[FieldProblem] = ()) -> Problem:
    """422 naming each offending field in plain words (`more`: fields refused beyond the model's own checks);
    the offending input is never echoed back (it may be a secret)."""
    problems = [problem if problem.field else problem._replace(field=where) for problem in field_problems(error)]
    named = {problem.field for problem in problems}
    problems += [problem for problem in more if problem.field not in named]  # one sentence per field is enough
    return field_problem(problems, _INVALID_FIELDS.get(where, f"The {where} has invalid fields."))


def field_problem(problems: Sequence[FieldProblem], detail: str) -> Problem:
    """The one 422 for refused fields: each with its field path, stable code and sentence."""
    return Problem(422, "validation-error", INVALID_REQUEST, detail, problems=problems)


INTERNAL = Problem(500, "internal-error", "Internal error", "Something went wrong on our side; it has been logged.")
