"""Consent ids: only an id Kaleno minted with its key is taken from a cookie; anything else counts as none."""

from __future__ import annotations

import pytest

from shared.services.consent import issued_consent_id, mint_consent_id

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
