"""Policy changes are told: the page carries the version and date; a significant change mails every host
exactly once (a walk the scheduler starts and Cloud Tasks carries on, surviving a relay outage and a re-run
halfway), asks every visitor for their cookie choice again, and each person's export lists the versions
they answered."""

from __future__ import annotations

import os
from collections import Counter

import requests

from shared.adapters.google_clients import tasks_client
from shared.config import get_settings
from tests.support import Browser, Google, unique_email

NEW_VERSION = "2099-01-01"


def run_scheduled_notice(api: str, google: Google) -> requests.Response:
    """As Cloud Scheduler calls it: the privacy function's own URL as the token's audience."""
    settings = get_settings()
    token = google.oidc_token(settings.target_url("privacy"), settings.scheduler_service_account)
    return requests.post(
        f"{api}/privacy/tasks/policy-notices", json={}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def publish(version: str) -> None:
    os.environ["KALENO_PRIVACY_POLICY_VERSION"] = version
    get_settings.cache_clear()


def notices(google: Google) -> list[str]:
    return [mail["to"][0] for mail in google.mail() if mail["subject"] == "Kaleno's privacy policy has changed"]


def test_a_significant_change_mails_every_host_once_even_when_the_walk_is_interrupted_and_run_again(
    api: str, google: Google
) -> None:
    hosts = []
    for _ in range(5):
        email = unique_email()
        google.create_account(email)
        assert Browser(api).sign_in(email).status_code == 302
        hosts.append(email)
    os.environ["KALENO_POLICY_NOTICE_PAGE_SIZE"] = "2"
    unchanged = run_scheduled_notice(api, google)  # signed up under the policy in force: nothing to tell
    google.drain_tasks()
    told_before = notices(google)
    publish(NEW_VERSION)
    settings = get_settings()
    queues = tasks_client(settings)
    queue = f"projects/{settings.project}/locations/{settings.region}/queues/{settings.tasks_queue}"

    queues.pause_queue(name=queue)  # the walk's next page waits in the queue
    first = run_scheduled_notice(api, google)
    told_first = notices(google)
    google.fault("smtp.send", status=451, count=1)  # the relay is down when the next page runs
    rerun = run_scheduled_notice(api, google)  # and the schedule starts the walk again meanwhile
    queues.resume_queue(name=queue)
    google.drain_tasks()
    again = run_scheduled_notice(api, google)  # the next day: everyone was told
    google.drain_tasks()

    assert unchanged.status_code == 200
    assert told_before == []
    assert notices(google)[: len(told_first)] == told_first
    assert first.json()["outcome"] == "continues"
    assert len(told_first) == 2
    assert rerun.status_code == 200  # the re-run skipped who was told and found the next page already queued
    assert again.status_code == 200
    assert Counter(notices(google)) == dict.fromkeys(hosts, 1)
    assert google.state()["calls"]["smtp.send"] == 6  # five notices and the one the relay turned away
    (sample,) = [mail for mail in google.mail() if mail["to"] == [hosts[0]]]
    assert f"{settings.base_url}/privacy-policy" in str(sample["text"])
    assert NEW_VERSION in str(sample["text"])


def test_the_page_carries_the_version_and_a_new_one_asks_again_and_exports_list_the_versions_answered(
    api: str, browser: Browser, google: Google
) -> None:
    google.create_account(email := unique_email())
    browser.sign_in(email)
    old = get_settings().privacy_policy_version
    browser.post("/privacy/consent", json={"analytics": False})
    page_before = browser.get("/privacy-policy").text

    publish(NEW_VERSION)
    asked = browser.get("/privacy/consent").json()
    browser.post("/privacy/consent", json={"analytics": True})
    exported = browser.get("/privacy/export").json()
    page_after = browser.get("/privacy-policy").text

    assert f"Version {old}, in force since" in page_before
    assert f"Version {NEW_VERSION}, in force since 1 January 2099" in page_after
    assert asked["decided"] is False  # a choice under the earlier version no longer counts
    answered = exported["cookie_consent"]["policy_versions_answered"]
    assert [(choice["policy_version"], choice["analytics"]) for choice in answered] == [
        (old, False),
        (NEW_VERSION, True),
    ]
    (profile,) = exported["profile"]
    assert profile["policy_notified"] == old  # signed up under it; the new one is told by the notice
