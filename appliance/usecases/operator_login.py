"""The operator's dashboard login: a slow password hash, stored sessions, login rate limiting.

The password is hashed with scrypt (memory-hard; in the standard library).
The session cookie is 32 random bytes; only its SHA-256 is stored, with the
session's CSRF token. Failed logins are counted per client address.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from appliance.domain.errors import InvalidInput, LoginRefused, TooManyAttempts
from appliance.store import database as store
from appliance.store.models import AdminAccount, AdminSession, LoginAttempt

DEFAULT_USER = "admin"
MIN_PASSWORD_LENGTH = 8
# How long a dashboard login lasts; the cookie carries it as a relative Max-Age.
SESSION_LIFETIME = dt.timedelta(hours=12)
# At most this many failed logins per address within the window; then wait until the oldest leaves it.
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
# scrypt cost: ~50 ms and 16 MiB on a Raspberry Pi 4 class CPU.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None, n: int = _SCRYPT_N) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${n}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def _session_hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str
    expires_at: dt.datetime


class Accounts:
    def __init__(self, clock: Callable[[], dt.datetime]) -> None:
        self.clock = clock

    def has_password(self) -> bool:
        return AdminAccount.select().exists()

    def set_password(self, password: str, username: str = DEFAULT_USER) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidInput(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
        hashed = hash_password(password)
        now = self.clock()
        with store.write():
            updated = (
                AdminAccount.update(password_hash=hashed, updated_at=now)
                .where(AdminAccount.username == username)
                .execute()
            )
            if not updated:
                AdminAccount.create(username=username, password_hash=hashed, updated_at=now)
            # A new password ends every open session.
            AdminSession.delete().where(
                AdminSession.account.in_(AdminAccount.select(AdminAccount.id).where(AdminAccount.username == username))
            ).execute()

    def login(self, username: str, password: str, address: str) -> tuple[str, Session]:
        """A new session (the cookie value, and its facts), or LoginRefused / TooManyAttempts."""
        now = self.clock()
        since = now - FAILURE_WINDOW
        failures = list(
            LoginAttempt.select(LoginAttempt.at)
            .where((LoginAttempt.address == address) & (LoginAttempt.at > since))
            .order_by(LoginAttempt.at)
        )
        if len(failures) >= MAX_FAILURES:
            wait = failures[-MAX_FAILURES].at + FAILURE_WINDOW - now
            raise TooManyAttempts(max(1, int(wait.total_seconds())))
        account = AdminAccount.get_or_none(AdminAccount.username == username.strip())
        # The hash is computed even for an unknown user, so timing does not tell which it was.
        valid = check_password(password, account.password_hash if account else hash_password("", n=2**14))
        if account is None or not valid:
            with store.write():  # committed before raising: a raise inside would roll the count back
                LoginAttempt.create(address=address, at=now)
                LoginAttempt.delete().where(LoginAttempt.at < now - FAILURE_WINDOW * 4).execute()
            raise LoginRefused("wrong username or password")
        with store.write():
            cookie = secrets.token_urlsafe(32)
            session = Session(account.username, secrets.token_urlsafe(24), now + SESSION_LIFETIME)
            AdminSession.create(
                account=account.id,
                session_hash=_session_hash(cookie),
                csrf=session.csrf,
                created_at=now,
                expires_at=session.expires_at,
            )
            AdminSession.delete().where(AdminSession.expires_at < now).execute()
        return cookie, session

    def session(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        row = (
            AdminSession.select(AdminSession, AdminAccount)
            .join(AdminAccount)
            .where(AdminSession.session_hash == _session_hash(cookie))
            .first()
        )
        if row is None or row.expires_at <= self.clock():
            return None
        return Session(row.account.username, row.csrf, row.expires_at)

    def logout(self, cookie: str | None) -> None:
        if cookie:
            with store.write():
                AdminSession.delete().where(AdminSession.session_hash == _session_hash(cookie)).execute()
