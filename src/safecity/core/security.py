"""Passwords, login with lockout and TOTP, JWT access tokens and API keys.

A failed login is recorded even though the request fails, so the caller
(route or CLI) must commit the attempt rows before raising; `authenticate`
returns the outcome instead of raising for that reason.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jwt
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecity.core.auth import ApiKey, LoginAttempt, User
from safecity.core.config import Settings
from safecity.core.db import utcnow
from safecity.core.errors import (
    AccountLocked,
    AuthenticationFailed,
    InvalidInput,
    SafeCityError,
    TwoFactorRequired,
)

__all__ = [
    "LoginOutcome",
    "authenticate",
    "decode_token",
    "hash_password",
    "issue_api_key",
    "issue_token",
    "new_totp_secret",
    "resolve_api_key",
    "revoke_api_key",
    "verify_password",
]

_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters", field="password")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    error: SafeCityError | None


def _recent_failures(session: Session, username: str, since: datetime) -> int:
    stmt = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.username == username, LoginAttempt.success.is_(False), LoginAttempt.at >= since
    )
    return int(session.scalar(stmt) or 0)


def _locked_message(until: datetime, settings: Settings) -> str:
    local = until.astimezone(ZoneInfo(settings.timezone))
    return f"account locked after repeated failed logins; try again after {local:%H:%M} ({settings.timezone})"


def _second_factor_ok(user: User, otp: str | None) -> bool:
    if not user.needs_two_factor:
        return True
    if not user.totp_secret or not otp:
        return False
    return bool(pyotp.TOTP(user.totp_secret).verify(otp, valid_window=1))


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    otp: str | None,
    settings: Settings,
    client: str | None = None,
) -> LoginOutcome:
    """Check a login; records the attempt and locks the account after too many failures."""
    now = utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return LoginOutcome(None, AccountLocked(_locked_message(user.locked_until, settings)))
    ok = verify_password(user.password_hash if user else None, password)
    reason = "" if ok else "bad_password"
    if ok and user is not None and not user.is_active:
        ok, reason = False, "inactive"
    two_factor_missing = False
    if ok and user is not None and not _second_factor_ok(user, otp):
        ok, reason, two_factor_missing = False, "bad_otp", not otp
    session.add(LoginAttempt(username=username, success=ok, reason=reason, client=client, at=now))
    session.flush()
    if ok and user is not None:
        return LoginOutcome(user, None)
    if two_factor_missing:
        return LoginOutcome(None, TwoFactorRequired("this role requires a two-factor code", field="otp"))
    window_start = now - timedelta(minutes=settings.login_window_minutes)
    if user is not None and _recent_failures(session, username, window_start) >= settings.login_max_failures:
        user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        session.flush()
        return LoginOutcome(None, AccountLocked(_locked_message(user.locked_until, settings)))
    detail = "wrong two-factor code" if reason == "bad_otp" else "wrong username or password"
    return LoginOutcome(None, AuthenticationFailed(detail))


def issue_token(user: User, settings: Settings) -> str:
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": str(user.id),
        "name": user.username,
        "roles": list(user.roles),
        "ver": user.token_version,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=settings.token_ttl_minutes)).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, settings.signing_key, algorithm="HS256")


def decode_token(session: Session, token: str, settings: Settings) -> User:
    try:
        claims = jwt.decode(token, settings.signing_key, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationFailed("session expired; log in again") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationFailed("invalid token") from exc
    user = session.get(User, int(claims["sub"]))
    if user is None or not user.is_active or claims.get("ver") != user.token_version:
        raise AuthenticationFailed("token no longer valid")
    return user


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_key(session: Session, *, user: User, label: str) -> tuple[ApiKey, str]:
    """Create a key; the plain key is returned once and never stored."""
    prefix = secrets.token_hex(4)
    key = f"sck_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiKey(user_id=user.id, prefix=prefix, key_hash=_key_hash(key), label=label)
    session.add(record)
    session.flush()
    return record, key


def resolve_api_key(session: Session, key: str) -> User:
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "sck":
        raise AuthenticationFailed("malformed API key")
    record = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if record is None or not hmac.compare_digest(record.key_hash, _key_hash(key)):
        raise AuthenticationFailed("unknown API key")
    if record.revoked_at is not None:
        raise AuthenticationFailed("API key revoked")
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("API key owner is inactive")
    record.last_used_at = utcnow()
    return user


def revoke_api_key(session: Session, *, key_id: int) -> ApiKey:
    record = session.get(ApiKey, key_id)
    if record is None:
        raise InvalidInput(f"no API key {key_id}", field="key_id")
    record.revoked_at = utcnow()
    session.flush()
    return record
