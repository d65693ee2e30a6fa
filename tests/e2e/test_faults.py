"""The fault matrix: each dependency down (or hanging) in turn, measured across the operations people wait on
(booking, slots, consent, sign-in, the event-type save). Each request has one overall deadline
(Settings.request_deadline_seconds, shared/deadlines.py), so no answer takes longer than it plus 0.5 s: a
failure answers 503 problem+json with Retry-After, nothing half-done is stored, and everything recovers as
soon as the dependency is back. Each test prints its measured times (README, "Hardening → Deadlines")."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
import requests

from devstack.emulator import free_port
from devstack.serve import ServerProcess
from devstack.stack import LocalStack
from shared import bootstrap
from shared.adapters.firestore import unit_of_work
from shared.adapters.firestore.deadlines import WriteOptions
from shared.adapters.google_clients import tasks_client
from shared.config import Settings, get_settings
from tests.e2e.test_bookings import EVERY_DAY, booking_body, day_ahead, our_events, post_booking
from tests.e2e.test_http_surface import assert_problem
from tests.support import Browser, Google, host_with_hours, unique_email

Operation = Callable[[], tuple[requests.Response, float]]


def bound(operation: str = "") -> float:
    """What an interactive answer may take at most: its deadline plus half a second (the sign-in callback has a
    longer deadline of its own, Settings.sign_in_deadline_seconds)."""
    settings = get_settings()
    deadline = settings.sign_in_deadline_seconds if operation == "sign-in" else settings.request_deadline_seconds
    return deadline + 0.5


def timed(call: Callable[[], requests.Response]) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def slots_url(api: str, slug: str) -> str:
    day = day_ahead(3, 0).date().isoformat()
    return f"{api}/bookings/pages/{slug}/call/slots?from={day}&to={day}&tz=UTC"


def scheduler_post(google: Google, function: str) -> requests.Response:
    settings = get_settings()
    url = settings.function_url(function)
    token = google.oidc_token(url, settings.scheduler_service_account)
    return requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def signed_in_slowest(api: str, email: str) -> tuple[requests.Response, float]:
    """A sign-in as a browser makes it: our start, Google's consent, our callback. The answer that ends it
    (the first that is not a redirect onwards) and the slowest of our own two answers."""
    browser = Browser(api)
    start, start_seconds = timed(lambda: browser.start_sign_in("/", login_hint=email))
    if start.status_code != 302:
        return start, start_seconds
    callback_url = browser.consent(start.headers["Location"])
    callback, callback_seconds = timed(lambda: browser.session.get(callback_url, allow_redirects=False, timeout=60))
    return callback, max(start_seconds, callback_seconds)


def operations(api: str, browser: Browser, slug: str, newcomer: str) -> dict[str, Operation]:
    """Each operation once, timed: what a visitor, an invitee and a host do."""
    visitor = requests.Session()
    visitor.headers["Origin"] = api
    new_type = {"slug": f"t{uuid.uuid4().hex[:6]}", "title": "Long", "duration_minutes": 30, "booking_window_days": 366}
    return {
        "slots": lambda: timed(lambda: requests.get(slots_url(api, slug), timeout=60)),
        "booking": lambda: timed(lambda: post_booking(api, booking_body(slug, day_ahead(3, 10)))),
        "consent": lambda: timed(lambda: visitor.post(f"{api}/privacy/consent", json={"analytics": False}, timeout=60)),
        "sign-in": lambda: signed_in_slowest(api, newcomer),
        "event-type save": lambda: timed(lambda: browser.post("/hosts/me/event-types", json=new_type, timeout=60)),
    }


def run_each(ops: dict[str, Operation]) -> dict[str, tuple[requests.Response, float]]:
    return {name: operation() for name, operation in ops.items()}


def report(fault: str, answers: dict[str, tuple[requests.Response, float]]) -> None:
    """Prints the figures, then checks each answer came within its operation's bound."""
    worst = max(seconds for _, seconds in answers.values())
    figures = ", ".join(f"{name} {answer.status_code} {seconds:.2f}s" for name, (answer, seconds) in answers.items())
    print(f"\nFAULT {fault}: worst {worst:.2f}s — {figures}")
    late = {name: round(seconds, 2) for name, (_, seconds) in answers.items() if seconds > bound(name)}
    assert not late, f"answered after their bound: {late}"


def assert_unavailable(answers: dict[str, tuple[requests.Response, float]], *names: str) -> None:
    for name in names:
        answer, _ = answers[name]
        assert_problem(answer, 503, "temporarily-unavailable")
        assert answer.headers["Retry-After"]


@pytest.fixture(autouse=True)
def deployed_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deadlines as deployed (the rest of the suite allows its crowded test server more: tests/conftest.py)."""
    for name in ("request_deadline_seconds", "sign_in_deadline_seconds", "task_deadline_seconds"):
        monkeypatch.setenv(f"KALENO_{name.upper()}", str(Settings.model_fields[name].default))
    get_settings.cache_clear()


@pytest.fixture
def host(browser: Browser, google: Google) -> tuple[str, str]:
    """A connected host whose event type looks 60 days ahead: a save with a longer window asks Google."""
    return host_with_hours(browser, google, "UTC", EVERY_DAY, booking_window_days=60)


def test_firestore_frozen_every_operation_answers_503_within_the_bound_and_recovers_at_once(
    clean_stack: LocalStack, api: str, browser: Browser, google: Google, host: tuple[str, str], db: Any
) -> None:
    slug, _ = host
    newcomer = unique_email("newcomer")
    google.create_account(newcomer)
    ops = operations(api, browser, slug, newcomer)
    bookings_before = len(list(db.collection("bookings").stream()))
    assert clean_stack.emulator is not None
    clean_stack.emulator.freeze()
    try:
        answers = run_each(ops)
        answers["healthz"] = timed(lambda: requests.get(f"{api}/healthz", timeout=60))
    finally:
        clean_stack.emulator.thaw()
    after, recovery_seconds = timed(lambda: requests.get(slots_url(api, slug), timeout=60))
    report("firestore frozen", answers)
    print(f"FAULT firestore frozen: recovery {recovery_seconds:.2f}s")

    assert_unavailable(answers, "slots", "booking", "consent", "sign-in", "event-type save")
    assert answers["healthz"][0].status_code == 503
    assert answers["healthz"][0].headers["Retry-After"]
    assert after.status_code == 200
    assert recovery_seconds < 2
    assert len(list(db.collection("bookings").stream())) == bookings_before  # the failed write stored nothing
    assert len(list(db.collection("hosts").stream())) == 1  # the newcomer was not half signed up


def sixteen_together_in_a_freeze(api: str, slug: str, stack: LocalStack) -> tuple[float, list[requests.Response]]:
    """8 bookings and 8 slot reads sent at once while the store is frozen: the slowest answer's time."""
    requests.get(slots_url(api, slug), timeout=30)  # the page is cached, as on a busy instance
    calls: list[Callable[[], requests.Response]] = []
    for number in range(8):
        calls.append(partial(post_booking, api, booking_body(slug, day_ahead(3, 9 + number))))
        calls.append(partial(requests.get, slots_url(api, slug), timeout=60))
    assert stack.emulator is not None
    stack.emulator.freeze()
    try:
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            answers = list(pool.map(timed, calls))
    finally:
        stack.emulator.thaw()
    return max(seconds for _, seconds in answers), [answer for answer, _ in answers]


def test_sixteen_bookings_and_slot_reads_arriving_together_in_a_freeze_all_answer_within_the_bound(
    clean_stack: LocalStack, api: str, host: tuple[str, str]
) -> None:
    worst, answers = sixteen_together_in_a_freeze(api, host[0], clean_stack)
    print(f"\nFAULT firestore frozen, 16 together: worst {worst:.2f}s (bound {bound():.1f}s)")

    for answer in answers:
        assert_problem(answer, 503, "temporarily-unavailable")
        assert answer.headers["Retry-After"]
    assert worst <= bound()


def test_sixteen_together_in_a_freeze_on_the_production_server_with_20_instances(
    clean_stack: LocalStack, host: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `make run` serves them: gunicorn, one worker per instance, 20 instances (devstack/serve.py)."""
    monkeypatch.setenv("KALENO_INSTANCES", "20")
    server = ServerProcess(free_port()).start()
    try:
        worst, answers = sixteen_together_in_a_freeze(server.url, host[0], clean_stack)
    finally:
        server.stop()
    statuses = sorted(answer.status_code for answer in answers)
    print(f"\nFAULT firestore frozen, 16 together, production server: worst {worst:.2f}s, statuses {statuses}")

    for answer in answers:
        assert_problem(answer, 503, "temporarily-unavailable")
        assert answer.headers["Retry-After"]
    assert worst <= bound()


def test_firestore_killed_every_operation_answers_503_within_the_bound_and_recovers_once_it_is_back(
    clean_stack: LocalStack, api: str, browser: Browser, google: Google, host: tuple[str, str]
) -> None:
    slug, _ = host
    newcomer = unique_email("newcomer")
    google.create_account(newcomer)
    ops = operations(api, browser, slug, newcomer)
    emulator = clean_stack.emulator
    assert emulator is not None
    emulator.stop()
    try:
        answers = run_each(ops)
    finally:
        emulator.start()
    recovered = time.monotonic()
    while requests.get(slots_url(api, "nobody"), timeout=60).status_code != 404 and time.monotonic() - recovered < 60:
        time.sleep(0.2)  # the data went with the process: a page that is not there, read from a store that is
    recovery_seconds = time.monotonic() - recovered
    report("firestore killed", answers)
    print(f"FAULT firestore killed: answering again {recovery_seconds:.2f}s after the emulator was back")

    assert_unavailable(answers, "slots", "booking", "consent", "sign-in", "event-type save")
    assert recovery_seconds < 60


def test_secret_manager_down_answers_503_within_the_bound_and_stores_nothing(
    api: str, browser: Browser, google: Google, host: tuple[str, str], db: Any
) -> None:
    slug, _ = host
    bootstrap.reset()  # a fresh instance: the app's keys are not cached yet
    newcomer = unique_email("newcomer")
    google.create_account(newcomer)
    ops = operations(api, browser, slug, newcomer)
    for method in ("access_secret_version", "add_secret_version", "create_secret"):
        google.fault(f"secretmanager.{method}", 503, count=1000)
    answers = run_each({name: ops[name] for name in ("booking", "consent", "sign-in")})
    for method in ("access_secret_version", "add_secret_version", "create_secret"):
        google.fault(f"secretmanager.{method}", 503, count=0)
    again, recovery_seconds = timed(lambda: post_booking(api, booking_body(slug, day_ahead(3, 10))))
    report("secret manager down", answers)
    print(f"FAULT secret manager down: recovery {recovery_seconds:.2f}s")

    assert_unavailable(answers, "booking", "consent", "sign-in")
    assert again.status_code == 201
    assert len(list(db.collection("bookings").stream())) == 1  # only the one made after the recovery
    assert len(list(db.collection("hosts").stream())) == 1  # the newcomer was not half signed up


@pytest.mark.parametrize("hang", [False, True], ids=["down", "hanging"])
def test_cloud_tasks_down_or_hanging_fails_no_main_action_and_answers_within_the_bound(
    api: str, browser: Browser, google: Google, host: tuple[str, str], db: Any, hang: bool
) -> None:
    slug, _ = host
    db.collection("booking_pages").document(slug).update({"calendar.synced_at": datetime.now(UTC) - timedelta(hours=1)})
    newcomer = unique_email("newcomer")
    google.create_account(newcomer)
    ops = operations(api, browser, slug, newcomer)
    google.fault("cloudtasks.create_task", 503, count=1000, hang_seconds=30 if hang else None)
    answers = run_each(ops)  # the stale read's refresh, the booking's sync, the save's refresh: not queued
    google.fault("cloudtasks.create_task", 503, count=0)
    report(f"cloud tasks {'hanging' if hang else 'down'}", answers)

    assert answers["slots"][0].status_code == 200
    assert answers["booking"][0].status_code == 201
    assert answers["consent"][0].status_code == 200
    assert answers["sign-in"][0].status_code == 302
    assert answers["event-type save"][0].status_code == 201


def test_cloud_tasks_down_the_sweep_heals_the_booking_sync(
    api: str, browser: Browser, google: Google, host: tuple[str, str], db: Any
) -> None:
    slug, email = host
    google.fault("cloudtasks.create_task", 503, count=1000)
    booked = post_booking(api, booking_body(slug, day_ahead(3, 10)))  # its sync task cannot be queued
    google.fault("cloudtasks.create_task", 503, count=0)  # Cloud Tasks is back
    booking_id = booked.json()["id"]
    db.collection("bookings").document(booking_id).update({"updated_at": datetime.now(UTC) - timedelta(minutes=10)})
    sweep, heal_seconds = timed(lambda: scheduler_post(google, "channel_renewal"))
    google.drain_tasks()
    print(f"\nFAULT cloud tasks down: booking sync healed by one sweep in {heal_seconds:.2f}s")

    assert booked.status_code == 201
    assert sweep.json()["syncs_requeued"] >= 1
    assert [e["id"] for e in our_events(google, email)] == [f"kal{booking_id}"]
    assert db.collection("bookings").document(booking_id).get().get("sync_state") == "synced"


@pytest.mark.parametrize("hang", [False, True], ids=["down", "hanging"])
def test_google_down_or_hanging_sign_in_answers_503_and_a_save_stands_within_the_bound(
    api: str, browser: Browser, google: Google, host: tuple[str, str], db: Any, hang: bool
) -> None:
    slug, _ = host
    newcomer = unique_email("newcomer")
    google.create_account(newcomer)
    ops = operations(api, browser, slug, newcomer)
    methods = ("oauth.token", "calendar.freebusy.query", "calendar.events.watch")
    for method in methods:
        google.fault(method, 503, count=1000, hang_seconds=30 if hang else None)
    answers = run_each({name: ops[name] for name in ("sign-in", "event-type save", "slots", "booking")})
    for method in methods:
        google.fault(method, 503, count=0)
    report(f"google {'hanging' if hang else 'down'}", answers)

    assert_unavailable(answers, "sign-in")
    assert answers["event-type save"][0].status_code == 201  # the mirror is extended in the background
    assert answers["slots"][0].status_code == 200
    assert answers["booking"][0].status_code == 201
    assert len(list(db.collection("hosts").stream())) == 1  # the newcomer was not half signed up


def test_a_booking_whose_commit_timed_out_is_either_absent_or_whole_and_synced(
    clean_stack: LocalStack, api: str, google: Google, host: tuple[str, str], db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store freezes with the booking's commit on its way: the client hears 503, but the store may still
    apply the commit once it runs again. Either way nothing is half-done: no booking, or the whole booking
    (claims and key with it) whose sync the task queued alongside it (or the sweep) carries to Google, and a
    retry with the same Idempotency-Key answers with that booking instead of making a second."""
    slug, email = host
    emulator = clean_stack.emulator
    assert emulator is not None
    commit_options = unit_of_work.writes  # type: ignore[attr-defined]  # the name the commit looks up, patched below

    def freeze_then_commit() -> WriteOptions:
        options = commit_options()
        emulator.freeze()  # the real store stops just as the commit is sent
        return options

    monkeypatch.setattr(unit_of_work, "writes", freeze_then_commit)
    key, body = uuid.uuid4().hex, booking_body(slug, day_ahead(3, 10))
    try:
        first, seconds = timed(lambda: post_booking(api, body, key=key))
    finally:
        monkeypatch.setattr(unit_of_work, "writes", commit_options)
        emulator.thaw()
    time.sleep(1)  # the store, running again, applies what it had received (or not)
    stored = [doc.to_dict() for doc in db.collection("bookings").stream()]
    retried = post_booking(api, body, key=key)
    google.drain_tasks()
    bookings = [doc.to_dict() for doc in db.collection("bookings").stream()]
    landed = "landed" if stored else "did not land"
    print(f"\nFAULT firestore frozen during the commit: 503 after {seconds:.2f}s; the commit {landed}")

    assert_problem(first, 503, "temporarily-unavailable")
    assert seconds <= bound()
    assert retried.status_code == 201
    assert len(bookings) == 1  # never a second booking for the same key
    if stored:  # the commit landed after all: the retry is answered with that same booking
        assert retried.json()["id"] == stored[0]["id"]
    assert bookings[0]["sync_state"] == "synced"
    assert [e["id"] for e in our_events(google, email)] == [f"kal{bookings[0]['id']}"]


def test_calendar_failing_past_the_retry_budget_is_healed_by_the_sweep(
    api: str, browser: Browser, google: Google, db: Any
) -> None:
    settings = get_settings()
    slug, email = host_with_hours(browser, google, "UTC", EVERY_DAY)
    google.fault("calendar.events.insert", 503, count=1000)
    # The booking's own task waits in a paused queue, so only the sweep can be what heals it.
    queue = f"projects/{settings.project}/locations/{settings.region}/queues/{settings.tasks_queue}"
    tasks_client(settings).pause_queue(name=queue)
    created = post_booking(api, booking_body(slug, day_ahead(3, 10))).json()
    url = settings.function_url("calendar_sync")
    last_attempt = requests.post(
        url,
        json={"action": "reconcile_booking", "booking_id": created["id"], "version": 1},
        headers={
            "Authorization": f"Bearer {google.oidc_token(url, settings.tasks_service_account)}",
            "X-CloudTasks-TaskRetryCount": str(settings.tasks_max_attempts - 1),
        },
        timeout=30,
    )
    view = requests.get(
        f"{api}/bookings/{created['id']}", headers={"Authorization": f"Bearer {created['manage_token']}"}, timeout=10
    )
    google.fault("calendar.events.insert", 503, count=0)

    sweep, heal_seconds = timed(lambda: scheduler_post(google, "channel_renewal"))
    tasks_client(settings).resume_queue(name=queue)
    google.drain_tasks()
    print(f"\nFAULT calendar failing past the retry budget: healed by one sweep in {heal_seconds:.2f}s")

    assert last_attempt.json() == {"outcome": "gave_up"}
    assert view.json()["calendar_invite"] == "pending"  # the invitee is told the truth meanwhile
    assert sweep.json()["syncs_requeued"] >= 1
    assert [e["id"] for e in our_events(google, email)] == [f"kal{created['id']}"]
    assert db.collection("bookings").document(created["id"]).get().get("sync_state") == "synced"
