"""infra/edge.tf: Cloud Armor holds the same per-client limits the functions apply, in front of every
public function and nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2

from devstack.stack import LocalStack
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


# The URL map's path-template variables, as the routes name the same values (shared/web/endpoints.py).
TEMPLATE_VARIABLES = {"host": "host_slug", "type": "event_type_slug", "section": "section"}
SAMPLE_VALUES = {"host": "ada", "type": "intro", "section": "bookings"}


def client_pages() -> dict[str, tuple[str, int]]:
    pages = edge()["locals"][0]["client_pages"]
    return {address.strip('"'): (page["route"].strip('"'), page["priority"]) for address, page in pages.items()}


def as_rule(route: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda found: f"<{TEMPLATE_VARIABLES[found.group(1)]}>", route)


def sample(template: str) -> str:
    return re.sub(r"\{(\w+)(=\*)?\}", lambda found: SAMPLE_VALUES[found.group(1)], template)


def test_each_client_page_address_reaches_a_bookings_route_that_renders_a_page() -> None:
    from functions.bookings import api as bookings

    rendered = {f"/bookings{route.rule}" for route in bookings.routes if route.produces == "text/html"}
    routes = {as_rule(route) for route, _ in client_pages().values()}

    assert routes == rendered
    for address, (route, _) in client_pages().items():
        assert set(re.findall(r"\{(\w+)\}", route)) == set(re.findall(r"\{(\w+)=\*\}", address)), address


def test_the_fixed_addresses_are_tried_before_the_host_slugs_that_would_match_them_too() -> None:
    pages = client_pages()
    priorities = [priority for _, priority in pages.values()]
    templated = [priority for address, (_, priority) in pages.items() if address.startswith("/{host")]

    assert len(set(priorities)) == len(priorities)
    assert min(templated) > max(set(priorities) - set(templated))


def test_the_edge_serves_each_address_the_page_the_local_stack_serves_there(clean_stack: LocalStack) -> None:
    """Both read the host's page for its link preview (none here: the sample host does not exist) from Firestore."""
    from devstack.app import build_app

    local = build_app().test_client()

    for address, (route, _) in client_pages().items():
        at_the_edge = local.get(sample(route))  # the bookings function, mounted at /bookings
        served_locally = local.get(sample(address))
        assert at_the_edge.status_code == served_locally.status_code == 200, address
        assert at_the_edge.get_data() == served_locally.get_data(), address
        assert at_the_edge.headers["Content-Security-Policy"] == served_locally.headers["Content-Security-Policy"]


def test_the_web_clients_files_are_served_with_the_pages_headers_and_hsts() -> None:
    from shared.web.pages import PAGE_HEADERS

    headers = dict(header.strip('"').split(": ", 1) for header in edge()["locals"][0]["web_headers"])

    assert headers == {
        **{name: value for name, value in PAGE_HEADERS.items() if name != "Cache-Control"},
        "Strict-Transport-Security": HSTS,
    }


def test_the_embed_script_is_served_from_the_web_files_at_its_short_address() -> None:
    from devstack.app import build_app

    (url_map,) = [
        body
        for block in edge()["resource"]
        for kind, named in block.items()
        if kind.strip('"') == "google_compute_url_map"
        for body in named.values()
    ]
    (rule,) = [
        rule
        for rule in url_map["path_matcher"][0]["route_rules"]
        if rule["match_rules"][0].get("full_path_match", "").strip('"') == "/embed.js"
    ]
    target = rule["route_action"][0]["url_rewrite"][0]["path_prefix_rewrite"].strip('"')
    local = build_app().test_client()

    assert rule["service"] == "${google_compute_backend_bucket.web.id}"
    assert target == "/web/js/embed.js"
    assert local.get("/embed.js").get_data() == local.get(target).get_data() != b""
