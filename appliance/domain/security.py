"""Tokens, signatures and passwords.

API tokens are 32 random bytes shown once; only their SHA-256 is stored (a
token has full entropy, so a fast hash is enough and a lookup stays O(1)).
Payment links carry an HMAC so ids cannot be enumerated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_PREFIX = "c2c_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_secret_key() -> str:
    return secrets.token_urlsafe(48)


def sign(secret: str, message: str, length: int = 22) -> str:
    """A URL-safe HMAC-SHA256 of ``message`` (``length`` characters: 22 is 132 bits)."""
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:length]


def verify(secret: str, message: str, signature: str, length: int = 22) -> bool:
    return hmac.compare_digest(sign(secret, message, length), signature)


def payment_link_signature(secret: str, pay_id: int) -> str:
    return sign(secret, f"payment:{pay_id}")
