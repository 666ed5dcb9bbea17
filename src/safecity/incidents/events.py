"""Events incidents react to: an ANPR watch-list hit opens a P2 incident at the camera.

Delivery is at-least-once, so the handler records the event id in its own
transaction (`mark_handled`) and a redelivered hit opens nothing new. A hit
whose payload is unusable is kept in the dead-letter table, not dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from safecity.core import events
from safecity.core.db import session_scope
from safecity.incidents import service

__all__ = ["AnprHit", "open_incident_for_hit", "register"]

CONSUMER = "incidents.anpr_hit"


class AnprHit(BaseModel):
    plate: str = Field(min_length=1, max_length=20)
    list_name: str = Field(min_length=1, max_length=80)
    camera_id: int | str
    camera_code: str | None = Field(default=None, max_length=40)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    at: AwareDatetime | None = None


def open_incident_for_hit(session: Session, event: events.Event) -> service.Incident | None:
    """Open the incident for one hit (None if this event was handled before)."""
    if not events.mark_handled(session, consumer=CONSUMER, event=event):
        return None
    hit = AnprHit.model_validate(event.payload)
    seen_at: datetime | None = hit.at
    camera = hit.camera_code or str(hit.camera_id)  # the code is what people on the floor know
    return service.open_incident(
        session,
        type_code="anpr_hit",
        lon=hit.lon,
        lat=hit.lat,
        actor=None,
        description=f"ANPR hit: {hit.plate} on list {hit.list_name!r} at camera {camera}",
        address=f"camera {camera}",
        call_received_at=seen_at,
    )


def register(bus: events.EventBus, sessions: sessionmaker[Session]) -> None:
    def on_anpr_hit(event: events.Event) -> None:
        try:
            with session_scope(sessions) as session:
                open_incident_for_hit(session, event)
        except ValidationError as exc:
            with session_scope(sessions) as session:
                events.dead_letter(session, f"event:{event.type}", None, _why(exc), event=event)

    bus.subscribe("anpr.hit", on_anpr_hit, group=CONSUMER)


def _why(exc: ValidationError) -> str:
    first: dict[str, Any] = dict(exc.errors()[0])
    return f"invalid anpr.hit payload: {'.'.join(map(str, first.get('loc', ())))}: {first.get('msg')}"
