"""Serve a Google gRPC service from plain functions over the client library's proto-plus types.

Every RPC is counted as `<prefix>.<snake_case_rpc>` and can be failed by an injected fault; handlers
raise RpcFailure for Google's error codes. The wire format comes from the same proto-plus classes the
official client uses, so the client needs no changes beyond its channel.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

from sandbox.errors import RpcFailure, grpc_code_for
from sandbox.state import SandboxState


@dataclass(frozen=True)
class Rpc:
    name: str  # as in the proto, e.g. "AccessSecretVersion"
    request_type: Any  # a proto-plus message class
    response_type: Any  # a proto-plus message class, or a protobuf class (Empty)
    impl: Callable[[Any], Any]


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _serializer(message_type: Any) -> Callable[[Any], bytes]:
    if hasattr(message_type, "serialize"):  # proto-plus
        serialize: Callable[[Any], bytes] = message_type.serialize
        return serialize
    return lambda message: bytes(message.SerializeToString())


def method_names(prefix: str, rpcs: list[Rpc]) -> list[str]:
    return [f"{prefix}.{snake_case(rpc.name)}" for rpc in rpcs]


def generic_handler(service: str, prefix: str, rpcs: list[Rpc], state: SandboxState) -> Any:
    def wrap(rpc: Rpc) -> Callable[[Any, Any], Any]:
        method = f"{prefix}.{snake_case(rpc.name)}"

        def handle(request: Any, context: Any) -> Any:
            fault = state.register_call(method)
            if fault is not None:
                context.abort(grpc_code_for(fault.status), f"Injected fault: HTTP {fault.status}")
            try:
                return rpc.impl(request)
            except RpcFailure as failure:
                context.abort(failure.code, failure.message)

        return handle

    handlers = {
        rpc.name: grpc.unary_unary_rpc_method_handler(
            wrap(rpc),
            request_deserializer=rpc.request_type.deserialize,
            response_serializer=_serializer(rpc.response_type),
        )
        for rpc in rpcs
    }
    return grpc.method_handlers_generic_handler(service, handlers)
