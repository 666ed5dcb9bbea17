"""Every error a user can cause is a `SafeCityError`.

Each subclass carries its HTTP status so that the API, the CLI and the web UI
render the same error the same way: ``{"error": "ClassName", "detail": ...}``.
Errors about one input name the offending ``field`` so a form can point at it.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccountLocked",
    "AuthenticationFailed",
    "Conflict",
    "InvalidInput",
    "NotFound",
    "PermissionDenied",
    "SafeCityError",
    "ServiceUnavailable",
    "TwoFactorRequired",
]


class SafeCityError(Exception):
    """Base of all user-facing errors."""

    status_code: int = 400

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"error": type(self).__name__, "detail": self.detail}
        if self.field is not None:
            doc["field"] = self.field
        doc.update(self.extra)
        return doc

    def __str__(self) -> str:
        if self.field:
            return f"{type(self).__name__}: {self.field}: {self.detail}"
        return f"{type(self).__name__}: {self.detail}"


class InvalidInput(SafeCityError):
    """The request is well-formed but a value is not acceptable; ``field`` names it."""

    status_code = 422

    def __init__(self, detail: str, *, field: str, **extra: Any) -> None:
        super().__init__(detail, field=field, **extra)


class NotFound(SafeCityError):
    status_code = 404


class Conflict(SafeCityError):
    """The action contradicts the current state (e.g. a unit is already busy)."""

    status_code = 409


class AuthenticationFailed(SafeCityError):
    status_code = 401


class TwoFactorRequired(AuthenticationFailed):
    """The role requires a TOTP code and none (or a wrong one) was given."""


class AccountLocked(SafeCityError):
    status_code = 423


class PermissionDenied(SafeCityError):
    status_code = 403


class ServiceUnavailable(SafeCityError):
    status_code = 503
