"""Google sign-in, calendar connection and disconnect, against dict-backed fakes of every port."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.domain.errors import SignInFailed
from shared.domain.host import ConnectionState, Host
from shared.services.onboarding import (
    CALENDAR_SCOPES,
    Callback,
    Disconnect,
    SignedIn,
    StartSignIn,
    complete_sign_in,
    disconnect,
    host_id_for,
    start_sign_in,
)
from shared.services.records import OAuthState
from tests.unit.builders import span
from tests.unit.fakes import (
    GOOGLE_AUTHORIZE_URL,
    REFRESH_TOKEN,
    FakeGoogleAccounts,
    FakePorts,
    google_identity,
)

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
FREEBUSY_SCOPE = "https://www.googleapis.com/auth/calendar.freebusy"
EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events.owned"


def started(ports: FakePorts, return_to: str = "/dashboard") -> str:
    """A sign-in this browser started: the state Google sends back (and the browser's cookie holds)."""
    _, state = start_sign_in(StartSignIn(return_to, None), ports.at(NOW))
    return state


def come_back(ports: FakePorts, state: str, cookie: str | None = None) -> SignedIn:
    """Google's redirect back with a code, in the browser holding `cookie` (by default the one that started)."""
    callback = Callback(
        code="code-1", state=state, google_error=None, state_cookie=cookie or state, previous_session=None
    )
    return complete_sign_in(callback, ports.at(NOW))


def host_of(signed: SignedIn) -> Host:
    assert signed.host is not None
    return signed.host


def stored_host(ports: FakePorts, host_id: str) -> Host:
    host = ports.uow().hosts.get(host_id)
    assert host is not None
    return host


def test_starting_a_sign_in_stores_a_single_use_state_and_returns_googles_url() -> None:
    ports = FakePorts()

    url, state = start_sign_in(StartSignIn("/dashboard", None), ports.at(NOW))

    record = ports.db.get("oauth_states", state)
    assert isinstance(record, OAuthState)
    assert (record.return_to, record.expires_at) == ("/dashboard", NOW + timedelta(minutes=10))
    assert url.startswith(GOOGLE_AUTHORIZE_URL)
    query = parse_qs(urlsplit(url).query)
    assert query["state"] == [state]
    assert query["nonce"] == [record.nonce]
    challenge = hashlib.sha256(record.code_verifier.encode()).digest()
    assert query["code_challenge"] == [base64.urlsafe_b64encode(challenge).rstrip(b"=").decode()]


def test_a_state_coming_back_to_another_browser_is_refused() -> None:
    ports = FakePorts()
    state = started(ports)

    with pytest.raises(SignInFailed, match="invalid, expired or was already used") as refused:
        come_back(ports, state, cookie="another-browsers-state")

    assert refused.value.reason == "invalid-state"
    assert ports.google.codes == []  # the code was never exchanged
    assert ports.db.ids("hosts") == set()


def test_a_state_used_twice_fails_the_second_time() -> None:
    ports = FakePorts()
    state = started(ports)
    come_back(ports, state)

    with pytest.raises(SignInFailed, match="invalid, expired or was already used") as refused:
        come_back(ports, state)

    assert refused.value.reason == "invalid-state"
    assert ports.google.codes == ["code-1"]


def test_a_first_sign_in_creates_the_host_and_page_and_keeps_the_token_only_in_the_secret_store() -> None:
    ports = FakePorts()

    signed = come_back(ports, started(ports))

    host = stored_host(ports, host_id_for("sub-1"))
    assert host.connection.is_connected
    page = ports.uow().pages.get(host.slug)
    assert page is not None
    assert (page.host_id, page.calendar.connected, page.calendar.synced_at) == (host.id, True, NOW)
    assert ports.secrets.refresh_tokens == {host.id: REFRESH_TOKEN}
    assert REFRESH_TOKEN not in repr(ports.db.records)
    assert (host_of(signed).id, signed.return_to) == (host.id, "/dashboard")
    assert ports.db.ids("sessions") == {signed.session_token}
    assert ports.db.ids("channels") == set(ports.calendar.channels)


def test_a_refused_calendar_permission_leaves_the_host_signed_in_but_not_connected() -> None:
    ports = FakePorts(google=FakeGoogleAccounts(google_identity(scopes=[FREEBUSY_SCOPE])))

    signed = come_back(ports, started(ports))

    connection = stored_host(ports, host_of(signed).id).connection
    assert connection.state is ConnectionState.NOT_CONNECTED
    assert (connection.missing_scopes, connection.reason) == ((EVENTS_SCOPE,), "scope_refused")
    assert ports.google.revoked == [REFRESH_TOKEN]
    assert ports.secrets.refresh_tokens == {}
    assert ports.calendar.calls == []
    assert ports.db.ids("sessions") == {signed.session_token}  # signed in all the same


def test_disconnecting_stops_watching_revokes_destroys_the_secret_and_clears_the_busy_mirror() -> None:
    ports = FakePorts()
    ports.calendar.busy_times = [span("2027-03-08T10:00", "2027-03-08T11:00")]
    host = host_of(come_back(ports, started(ports)))
    assert ports.calendar.channels  # watched...
    assert ports.db.ids("months")  # ...and mirrored
    forgotten_at_sign_in = list(ports.calendar.forgotten)  # a new grant: credentials are minted afresh

    after = disconnect(Disconnect(host.id), ports.at(NOW + timedelta(hours=1)))

    assert after is not None
    assert after.connection.state is ConnectionState.DISCONNECTED
    assert ports.calendar.channels == {}
    assert ports.db.ids("channels") == set()
    assert ports.google.revoked == [REFRESH_TOKEN]
    assert ports.secrets.refresh_tokens == {}
    assert ports.calendar.forgotten == [*forgotten_at_sign_in, host.id]
    assert ports.db.ids("months") == set()
    page = ports.uow().pages.get(host.slug)
    assert page is not None
    assert not page.calendar.connected


def test_the_calendar_scopes_are_the_two_minimal_ones() -> None:
    assert {FREEBUSY_SCOPE, EVENTS_SCOPE} == CALENDAR_SCOPES


def test_a_new_host_starts_in_their_google_calendars_zone_with_their_hours_and_the_setup_to_do() -> None:
    ports = FakePorts()
    ports.calendar.zone = "Europe/Berlin"

    signed = come_back(ports, started(ports))

    host = stored_host(ports, host_of(signed).id)
    assert (host.time_zone, host.onboarded) == ("Europe/Berlin", False)
    page = ports.uow().pages.get(host.slug)
    assert page is not None
    assert page.schedule.time_zone == "Europe/Berlin"


def test_a_host_signing_in_again_keeps_the_zone_they_chose() -> None:
    ports = FakePorts()
    ports.calendar.zone = "Europe/Berlin"
    come_back(ports, started(ports))
    host = stored_host(ports, host_id_for("sub-1"))
    uow = ports.uow()
    with uow:
        uow.hosts.save(host.model_copy(update={"time_zone": "Asia/Tokyo", "onboarded": True}))
        uow.commit()

    come_back(ports, started(ports))

    again = stored_host(ports, host.id)
    assert (again.time_zone, again.onboarded) == ("Asia/Tokyo", True)


def test_a_calendar_without_a_zone_leaves_the_new_host_in_utc_until_they_choose() -> None:
    ports = FakePorts()

    signed = come_back(ports, started(ports))

    assert stored_host(ports, host_of(signed).id).time_zone == "UTC"
