"""De-duplication for subscribers: delivery is at-least-once, effects must be once.

Two tools, by how much is at stake:

- `mark_handled` records ``(consumer, event id)`` in the handler's own
  transaction; if the work rolls back, so does the mark, and a second worker
  racing on the same event gets ``False`` from the unique key.
- `idempotent` wraps a handler with an in-memory memory of recent ids, for
  effects that are harmless to repeat after a restart (cache refreshes, pushes).
"""

from __future__ import annotations

import functools
import inspect
import threading
import uuid
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from safecity.core.bus import Event, Handler
from safecity.core.db import Base, utcnow

__all__ = ["HandledEvent", "idempotent", "mark_handled"]


class HandledEvent(Base):
    __tablename__ = "event_handled"

    consumer: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)


def mark_handled(session: Session, *, consumer: str, event: Event | uuid.UUID) -> bool:
    """``True`` the first time ``consumer`` sees the event; ``False`` means skip the work."""
    event_id = event.id if isinstance(event, Event) else event
    if session.get(HandledEvent, (consumer, event_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(HandledEvent(consumer=consumer, event_id=event_id, handled_at=utcnow()))
    except IntegrityError:
        return False
    return True


class _RecentIds:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[uuid.UUID, None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, event_id: object) -> bool:
        with self._lock:
            return event_id in self._ids

    def add(self, event_id: uuid.UUID) -> None:
        with self._lock:
            self._ids[event_id] = None
            self._ids.move_to_end(event_id)
            while len(self._ids) > self.capacity:
                self._ids.popitem(last=False)


def idempotent(handler: Handler, *, capacity: int = 10_000) -> Handler:
    """Skip events this process already handled successfully (the last ``capacity`` ids)."""
    seen = _RecentIds(capacity)

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def async_wrapper(event: Event) -> None:
            if event.id in seen:
                return
            await handler(event)
            seen.add(event.id)

        return async_wrapper

    @functools.wraps(handler)
    def wrapper(event: Event) -> None:
        if event.id in seen:
            return
        result = handler(event)
        if inspect.isawaitable(result):
            raise TypeError("idempotent(): a plain function returned an awaitable; declare it async")
        seen.add(event.id)

    return wrapper
