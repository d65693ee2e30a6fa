"""infra/ parses as HCL and agrees with the code it deploys (no Terraform binary is reachable here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2

from functions.main import FUNCTIONS
from shared.adapters.firestore.collections import LINK_CLAIMS, LINKS
from shared.adapters.firestore.expiring import EXPIRING
from shared.adapters.firestore.links import PURGE_FIELD

INFRA = Path(__file__).resolve().parents[2] / "infra"


def load(name: str) -> dict[str, Any]:
    with (INFRA / name).open() as handle:
        parsed: dict[str, Any] = hcl2.load(handle)
    return parsed


def resources(kind: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for block in load("main.tf")["resource"]:
        for block_kind, named in block.items():
            if block_kind.strip('"') == kind:
                found.update({name.strip('"'): body for name, body in named.items()})
    return found


def test_every_terraform_file_parses() -> None:
    parsed = [load(path.name) for path in sorted(INFRA.glob("*.tf"))]

    assert len(parsed) >= 4


def test_every_function_in_main_py_is_deployed_and_only_those() -> None:
    deployed = load("main.tf")["locals"][0]["functions"]

    assert set(deployed) == set(FUNCTIONS)


def test_ttl_policies_cover_exactly_what_the_purge_deletes() -> None:
    ttl = resources("google_firestore_field")["ttl"]["for_each"]

    assert set(re.findall(r'"([a-z_]+)"', ttl)) == set(EXPIRING)


def test_single_use_links_have_a_ttl_policy_on_the_field_the_purge_reads() -> None:
    link_ttl = resources("google_firestore_field")["link_ttl"]

    assert set(re.findall(r'"([a-z_]+)"', link_ttl["for_each"])) == {LINKS, LINK_CLAIMS}
    assert link_ttl["field"].strip('"') == PURGE_FIELD


def test_scheduler_jobs_call_the_scheduler_targets_with_oidc() -> None:
    jobs = resources("google_cloud_scheduler_job")["sweep"]

    assert set(jobs["for_each"]) == {"channel_renewal", "retention_purge"}
    assert "oidc_token" in jobs["http_target"][0]


def test_deployment_is_pinned_to_the_us_and_https() -> None:
    variables = {name.strip('"'): body for block in load("variables.tf")["variable"] for name, body in block.items()}

    assert variables["region"]["default"].strip('"').startswith("us-")
    assert "https://" in variables["base_url"]["validation"][0]["condition"]


INTERNAL = {"calendar_sync", "notifications", "channel_renewal", "retention_purge", "webhook_delivery"}


def test_internal_functions_take_internal_traffic_only_and_public_ones_come_through_the_edge() -> None:
    deployed = load("main.tf")["locals"][0]["functions"]
    ingress = resources("google_cloudfunctions2_function")["fn"]["service_config"][0]["ingress_settings"]

    assert {name for name, fn in deployed.items() if not fn["public"]} == INTERNAL
    # Evaluated per function: the condition picks by `public`; ALLOW_ALL is never an option.
    assert ingress == '${each.value.public ? "ALLOW_INTERNAL_AND_GCLB" : "ALLOW_INTERNAL_ONLY"}'


def test_scheduler_calls_each_target_at_its_own_url_and_names_that_url_as_audience() -> None:
    target = resources("google_cloud_scheduler_job")["sweep"]["http_target"][0]
    own_url = '${replace(local.internal_url_template, "{name}", replace(each.key, "_", "-"))}'

    assert target["uri"] == own_url
    assert target["oidc_token"][0]["audience"] == own_url


def test_the_functions_know_the_internal_url_template_the_scheduler_uses() -> None:
    from shared.config import Settings

    local = load("main.tf")["locals"][0]
    template = local["internal_url_template"].strip('"').replace("${data.google_project.this.number}", "123")
    settings = Settings(internal_url_template=template.replace("${var.region}", "us-central1"))

    assert local["env"]["KALENO_INTERNAL_URL_TEMPLATE"] == "${local.internal_url_template}"
    assert settings.target_url("calendar_sync") == "https://calendar-sync-123.us-central1.run.app"
    assert Settings().target_url("calendar_sync") == Settings().function_url("calendar_sync")  # the local stack


def test_the_edge_routes_only_public_functions() -> None:
    with (INFRA / "edge.tf").open() as handle:
        edge = hcl2.load(handle)

    public = edge["locals"][0]["public_functions"]

    assert "if fn.public" in public


def test_production_reads_the_client_where_the_edge_load_balancer_puts_it_and_ingress_admits_only_it() -> None:
    from shared.config import Settings

    env = load("main.tf")["locals"][0]["env"]
    function = resources("google_cloudfunctions2_function")["fn"]

    shape = Settings(client_address_from=env["KALENO_CLIENT_ADDRESS_FROM"].strip('"')).client_address_from
    assert shape == "google-load-balancer"
    assert "ALLOW_INTERNAL_AND_GCLB" in str(function["service_config"][0]["ingress_settings"])


def test_webhook_deliveries_have_their_own_queue_called_only_by_the_tasks_identity() -> None:
    from shared.config import Settings

    queue = resources("google_cloud_tasks_queue")["webhooks"]
    invoker = resources("google_cloud_run_service_iam_member")["tasks_invoke_webhooks"]
    env = load("main.tf")["locals"][0]["env"]

    assert queue["name"].strip('"') == Settings().webhooks_queue == Settings().queue_for("webhook_delivery")
    assert queue["retry_config"][0]["max_attempts"] == Settings().webhooks_max_attempts
    assert env["KALENO_WEBHOOKS_QUEUE"] == "${google_cloud_tasks_queue.webhooks.name}"
    assert invoker["service"] == '${google_cloudfunctions2_function.fn["webhook_delivery"].service_config[0].service}'
    assert invoker["member"].strip('"') == "serviceAccount:${google_service_account.tasks.email}"
    enqueuer = resources("google_cloud_tasks_queue_iam_member")["runtime_enqueues_webhooks"]
    assert enqueuer["role"].strip('"') == "roles/cloudtasks.enqueuer"


def test_the_webhook_signing_key_is_an_app_secret_generated_by_terraform() -> None:
    from shared.config import Settings

    local = load("main.tf")["locals"][0]
    generated = resources("random_password")["keys"]["for_each"]

    assert f'"{Settings().webhook_key_secret_name}"' in local["app_secrets"]
    assert Settings().webhook_key_secret_name in generated


def test_the_policy_notice_is_scheduled_at_the_privacy_route_with_the_functions_url_as_audience() -> None:
    from functions.privacy import api as privacy
    from shared.web.endpoints import QUEUES
    from shared.web.principals import BOTH

    job = resources("google_cloud_scheduler_job")["policy_notices"]["http_target"][0]
    own_url = '${replace(local.internal_url_template, "{name}", "privacy")}'

    assert job["uri"].strip('"') == f"{own_url}/tasks/policy-notices"
    assert job["oidc_token"][0]["audience"] == own_url
    (route,) = [route for route in privacy.routes if route.rule == "/tasks/policy-notices"]
    assert route.guard is QUEUES[BOTH]
