"""Consent ids: only an id Kaleno minted with its key is taken from a cookie; anything else counts as none;
and the choices recorded under them, each standing for one policy version until it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.services.consent import (
    CurrentConsent,
    RecordConsent,
    current_consent,
    issued_consent_id,
    mint_consent_id,
    record_consent,
)
from tests.unit.fakes import FakePorts

KEY = "consent-test-key"


def test_an_id_we_minted_is_taken_back_as_it_is() -> None:
    minted = mint_consent_id(KEY)

    assert issued_consent_id(KEY, minted) == minted
    assert mint_consent_id(KEY) != minted


@pytest.mark.parametrize(
    "presented",
    [None, "", "attacker-chosen", "abc.def", ".", "x" * 500, "ñandú.ü", "nonce."],
)
def test_anything_else_is_no_id(presented: str | None) -> None:
    assert issued_consent_id(KEY, presented) is None


def test_an_id_minted_under_another_key_or_tampered_is_no_id() -> None:
    minted = mint_consent_id(KEY)
    nonce, _, mac = minted.partition(".")

    assert issued_consent_id("another-key", minted) is None
    assert issued_consent_id(KEY, f"{nonce}x.{mac}") is None
    assert issued_consent_id(KEY, f"{nonce}.{mac[:-1]}") is None


# --- the use cases, against the fakes (the key is the ledger's, from the ports) -----------------------------
NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
YEAR = timedelta(days=365)


def test_a_choice_under_a_planted_id_is_stored_under_a_fresh_one_and_a_later_choice_keeps_the_earlier() -> None:
    ports = FakePorts(time=NOW)

    first = record_consent(RecordConsent("attacker-chosen", False, "v1", YEAR), ports)
    ports.time = NOW + timedelta(days=1)
    second = record_consent(RecordConsent(first.id, True, "v2", YEAR), ports)

    assert first.id != "attacker-chosen"
    assert issued_consent_id(ports.keys.audit(), first.id) == first.id
    assert second.id == first.id
    assert [(past.analytics, past.policy_version) for past in second.earlier] == [(False, "v1")]


def test_a_choice_stands_for_its_policy_version_until_it_expires_and_only_for_an_issued_id() -> None:
    ports = FakePorts(time=NOW)
    record = record_consent(RecordConsent(None, True, "v1", YEAR), ports)
    nonce = record.id.partition(".")[0]

    assert current_consent(CurrentConsent(record.id, "v1"), ports) == record
    assert current_consent(CurrentConsent(record.id, "v2"), ports) is None  # a new policy: ask again
    assert current_consent(CurrentConsent(f"{nonce}.forged", "v1"), ports) is None
    ports.time = NOW + YEAR
    assert current_consent(CurrentConsent(record.id, "v1"), ports) is None
