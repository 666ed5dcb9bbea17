"""The purpose every read of personal data must state (it goes into the audit log)."""

from __future__ import annotations

from safecity.core.errors import InvalidInput

__all__ = ["require_purpose"]


def require_purpose(purpose: str | None) -> str:
    if purpose is None or not purpose.strip():
        raise InvalidInput("a purpose is required to read personal data", field="purpose")
    return purpose.strip()
