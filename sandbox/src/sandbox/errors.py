"""Google-shaped errors: the JSON body of googleapis.com REST errors and the gRPC status codes.

One table maps an HTTP status to the reason, message and canonical status Google uses for it, so an
injected fault (`POST /_sandbox/faults`) looks like the real thing on both HTTP and gRPC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc


@dataclass(frozen=True)
class StatusShape:
    reason: str
    message: str
    status: str
    domain: str = "global"


STATUS_SHAPES: dict[int, StatusShape] = {
    400: StatusShape("badRequest", "Bad Request", "INVALID_ARGUMENT"),
    401: StatusShape("authError", "Invalid Credentials", "UNAUTHENTICATED"),
    403: StatusShape("rateLimitExceeded", "Rate Limit Exceeded", "PERMISSION_DENIED", "usageLimits"),
    404: StatusShape("notFound", "Not Found", "NOT_FOUND"),
    409: StatusShape("conflict", "Conflict", "ABORTED"),
    410: StatusShape("deleted", "Resource has been deleted", "NOT_FOUND"),
    412: StatusShape("conditionNotMet", "Precondition Failed", "FAILED_PRECONDITION"),
    429: StatusShape("rateLimitExceeded", "Rate Limit Exceeded", "RESOURCE_EXHAUSTED", "usageLimits"),
    500: StatusShape("backendError", "Backend Error", "INTERNAL"),
    502: StatusShape("backendError", "Bad Gateway", "UNAVAILABLE"),
    503: StatusShape("backendError", "Backend Error", "UNAVAILABLE"),
    504: StatusShape("backendError", "Deadline Exceeded", "DEADLINE_EXCEEDED"),
}

GRPC_CODE_FOR_HTTP: dict[int, grpc.StatusCode] = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ABORTED,
    412: grpc.StatusCode.FAILED_PRECONDITION,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    500: grpc.StatusCode.INTERNAL,
    501: grpc.StatusCode.UNIMPLEMENTED,
    503: grpc.StatusCode.UNAVAILABLE,
    504: grpc.StatusCode.DEADLINE_EXCEEDED,
}


def shape_for(status: int) -> StatusShape:
    if status in STATUS_SHAPES:
        return STATUS_SHAPES[status]
    return StatusShape("backendError", "Backend Error", "UNKNOWN") if status >= 500 else STATUS_SHAPES[400]


def grpc_code_for(status: int) -> grpc.StatusCode:
    return GRPC_CODE_FOR_HTTP.get(status, grpc.StatusCode.INTERNAL if status >= 500 else grpc.StatusCode.UNKNOWN)


class GoogleApiError(Exception):
    """Raised by a REST handler; rendered as Google's `{"error": {...}}` body."""

    def __init__(
        self,
        code: int,
        reason: str | None = None,
        message: str | None = None,
        *,
        domain: str | None = None,
        location: str | None = None,
        location_type: str | None = None,
        retry_after: float | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        shape = shape_for(code)
        self.code = code
        self.reason = reason or shape.reason
        self.message = message or shape.message
        self.domain = domain or shape.domain
        self.status = shape.status
        self.location = location
        self.location_type = location_type
        self.retry_after = retry_after
        self.details = details
        super().__init__(f"{code} {self.reason}: {self.message}")

    def body(self) -> dict[str, Any]:
        item: dict[str, Any] = {"domain": self.domain, "reason": self.reason, "message": self.message}
        if self.location:
            item["locationType"] = self.location_type or "parameter"
            item["location"] = self.location
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "errors": [item],
            "status": self.status,
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


class RpcFailure(Exception):
    """Raised by a gRPC handler; turned into `context.abort(code, message)`."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code.name}: {message}")
