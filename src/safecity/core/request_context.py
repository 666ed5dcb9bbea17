"""The id of the request being served, readable from anywhere below the edge.

It lives apart from ``core.http`` so the audit log can stamp entries with it
without importing the web framework; the HTTP middleware binds it per request.
"""

from __future__ import annotations

import contextvars

__all__ = ["bind_request_id", "current_request_id", "reset_request_id"]

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(request_id: str | None) -> contextvars.Token[str | None]:
    return _request_id.set(request_id)


def reset_request_id(token: contextvars.Token[str | None]) -> None:
    _request_id.reset(token)
