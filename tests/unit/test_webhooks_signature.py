"""The receiver's side of a signed delivery (Stripe's scheme): genuine ones verify; changed bodies, other
secrets, malformed headers and replays outside the tolerance do not."""

from __future__ import annotations

import pytest

from shared.webhooks_signature import InvalidSignature, sign, signature_header, verify

SECRET = "whsec_test"
BODY = b'{"id":"evt","type":"booking.created"}'
T = 1_800_000_000


def test_a_genuine_signature_verifies_and_names_its_timestamp() -> None:
    header = signature_header(SECRET, T, BODY)

    assert header == f"t={T},v1={sign(SECRET, T, BODY)}"
    assert verify(SECRET, header, BODY, now=T + 10) == T
    assert verify(SECRET, header, BODY.decode(), now=float(T)) == T


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()

    assert sign(SECRET, T, BODY) == expected


@pytest.mark.parametrize("age", [301, 3600, -301])
def test_a_replay_outside_the_tolerance_is_refused(age: int) -> None:
    header = signature_header(SECRET, T, BODY)

    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(SECRET, header, BODY, now=T + age)


def test_a_changed_timestamp_breaks_the_signature() -> None:
    forged = signature_header(SECRET, T, BODY).replace(f"t={T}", f"t={T + 3600}")

    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify(SECRET, forged, BODY, now=T + 3600)


@pytest.mark.parametrize(
    ("secret", "body"), [("whsec_other", BODY), (SECRET, BODY + b" "), (SECRET, BODY.replace(b"created", b"cancelled"))]
)
def test_another_secret_or_a_changed_body_is_refused(secret: str, body: bytes) -> None:
    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify(secret, signature_header(SECRET, T, BODY), body, now=T)


@pytest.mark.parametrize("header", [None, "", "v1=abc", f"t={T}", f"t=soon,v1={'0' * 64}", "garbage", "t=١٢٣,v1=aa"])
def test_malformed_headers_are_refused(header: str | None) -> None:
    with pytest.raises(InvalidSignature, match="malformed"):
        verify(SECRET, header, BODY, now=T)


def test_any_one_of_several_signatures_may_match_during_a_rotation() -> None:
    header = f"t={T},v1={sign('whsec_old', T, BODY)},v1={sign(SECRET, T, BODY)}"

    assert verify(SECRET, header, BODY, now=T) == T
