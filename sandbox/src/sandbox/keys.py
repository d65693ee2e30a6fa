"""The sandbox's RS256 signing key, published the two ways Google publishes its keys.

`/oauth2/v3/certs` serves a JWKS, `/oauth2/v1/certs` serves `{kid: PEM x509 certificate}`; both
carry the same key, so google-auth verifies sandbox tokens with either `certs_url`. The key lives as
long as the process (a reset keeps it), so tokens verified before a reset still verify after it.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

GOOGLE_ISSUER = "https://accounts.google.com"
ID_TOKEN_LIFETIME = 3600


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def at_hash(access_token: str) -> str:
    """OIDC at_hash: left half of SHA-256 of the access token, base64url."""
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def service_account_sub(email: str) -> str:
    """A stable numeric unique id for a service account, like Google's 21-digit ones."""
    digest = int.from_bytes(hashlib.sha256(("sa:" + email.lower()).encode()).digest()[:9], "big")
    return "1" + str(digest).zfill(22)[:20]


class SigningKey:
    def __init__(self) -> None:
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = self._private.public_key()
        der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = hashlib.sha1(der).hexdigest()  # noqa: S324 - an identifier, not a security hash
        numbers = public.public_numbers()
        self._jwk = {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }
        self._pem = self._self_signed_certificate()

    def _self_signed_certificate(self) -> str:
        # Real time, not the sandbox clock: certificate validity is checked against the verifier's
        # wall clock, so give it a generous window either side.
        now = datetime.now(UTC)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sandbox.accounts.google.com")])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .sign(self._private, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM).decode()

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(self._jwk)]}

    def pem_certs(self) -> dict[str, str]:
        return {self.kid: self._pem}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._private, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})

    def service_account_id_token(self, *, audience: str, email: str, now: float) -> str:
        """An OIDC id_token as Cloud Tasks / Cloud Scheduler attach for a service account."""
        sub = service_account_sub(email)
        issued = int(now)
        return self.sign(
            {
                "iss": GOOGLE_ISSUER,
                "aud": audience,
                "azp": sub,
                "sub": sub,
                "email": email,
                "email_verified": True,
                "iat": issued,
                "exp": issued + ID_TOKEN_LIFETIME,
            }
        )
