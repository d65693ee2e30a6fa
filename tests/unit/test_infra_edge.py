"""infra/edge.tf: Cloud Armor holds the same per-client limits the functions apply, in front of every
public function and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2

from shared.config import Settings
from shared.web.endpoints import HSTS

EDGE = Path(__file__).resolve().parents[2] / "infra" / "edge.tf"


def edge() -> dict[str, Any]:
    with EDGE.open() as handle:
        parsed: dict[str, Any] = hcl2.load(handle)
    return parsed


def test_cloud_armor_limits_match_the_functions_limits() -> None:
    limits = edge()["locals"][0]["client_limits"]

    configured = Settings.model_fields["client_limits"].default
    assert {kind.strip('"'): (rule["count"], float(rule["interval"])) for kind, rule in limits.items()} == configured


def test_every_limit_is_a_throttle_answering_429_per_client_ip() -> None:
    (policy,) = [
        body
        for block in edge()["resource"]
        for kind, named in block.items()
        if kind.strip('"') == "google_compute_security_policy"
        for body in named.values()
    ]

    (throttle,) = policy["dynamic"][0]['"rule"']["content"]
    options = throttle["rate_limit_options"][0]
    assert policy["dynamic"][0]['"rule"']["for_each"] == "${local.client_limits}"
    assert throttle["action"].strip('"') == "throttle"
    assert options["exceed_action"].strip('"') == "deny(429)"
    assert options["enforce_on_key"].strip('"') == "IP"


def test_every_answer_through_the_edge_carries_the_functions_hsts() -> None:
    (backend,) = [
        body
        for block in edge()["resource"]
        for kind, named in block.items()
        if kind.strip('"') == "google_compute_backend_service"
        for body in named.values()
    ]

    declared = [header.strip('"') for header in backend["custom_response_headers"]]
    assert declared == [f"Strict-Transport-Security: {HSTS}"]
    assert "preload" in HSTS
    assert "includeSubDomains" in HSTS
    assert int(HSTS.split("max-age=")[1].split(";")[0]) >= 31536000  # the preload list asks for a year or more


def test_the_policy_pages_reach_the_privacy_routes_that_render_them() -> None:
    from functions.privacy import api as privacy

    rewrites = {page.strip('"'): target.strip('"') for page, target in edge()["locals"][0]["policy_pages"].items()}

    rendered = {f"/privacy{route.rule}" for route in privacy.routes if route.produces == "text/html"}
    assert rewrites == {"/privacy-policy": "/privacy/policy", "/cookie-policy": "/privacy/cookie-policy"}
    assert set(rewrites.values()) == rendered
