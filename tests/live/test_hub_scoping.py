"""Live events carry their organisation unit, so a district's viewers see only their district."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.core.auth import User, scope_ids
from safecity.core.events import Event
from safecity.core.org import AgencyType
from safecity.core.outbox import OutboxEvent
from safecity.incidents import service as incidents
from safecity.live.hub import LiveHub, LiveMessage
from safecity.units import service as units
from safecity.units.models import UnitKind, UnitStatus


def _drain(queue: asyncio.Queue[LiveMessage]) -> list[LiveMessage]:
    out = []
    while not queue.empty():
        out.append(queue.get_nowait())
    return out


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def _korangi_events(session: Session) -> list[OutboxEvent]:
    """An incident, a unit, its status change and a position in Korangi, as their outbox rows."""
    last = session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1)) or 0
    incidents.open_incident(session, type_code="robbery", lon=67.2, lat=24.85, actor=None)
    unit = units.create_unit(
        session,
        call_sign="SCOPE-TEST-1",
        kind=UnitKind.RESPONSE_CAR,
        agency=AgencyType.POLICE,
        home_station="KOR-LND",
        actor=None,
    )
    units.set_status(session, unit=unit, status=UnitStatus.OFF_DUTY, actor=None)
    fix = units.Fix(67.21, 24.84, datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    units.ingest_positions(session, {unit.id: [fix]})
    stmt = select(OutboxEvent).where(OutboxEvent.id > last).order_by(OutboxEvent.id)
    return list(session.scalars(stmt))


def test_a_dispatcher_of_another_district_does_not_get_korangi_events_while_alice_does(app: FastAPI) -> None:
    hub = LiveHub()
    with app.state.sessionmaker() as session:  # never committed: rolled back on close
        _, alice = hub.connect(scope_ids(session, _user(session, "alice")))
        _, eve = hub.connect(scope_ids(session, _user(session, "eve")))
        _, admin = hub.connect(None)
        published = [row.to_event() for row in _korangi_events(session)]
        for event in published:
            asyncio.run(hub.on_event(event))
        session.rollback()
    expected = ["incident.created", "unit.status_changed", "unit.position"]
    assert [event.type for event in published] == expected
    assert all(isinstance(m.org_unit_id, int) for m in _drain(admin))
    assert [m.type for m in _drain(alice)] == expected
    assert _drain(eve) == []


def test_a_district_event_that_names_no_org_unit_is_withheld_from_district_viewers() -> None:
    hub = LiveHub()
    _, district = hub.connect({10, 11})
    _, admin = hub.connect(None)
    asyncio.run(hub.on_event(_event("incident.created", {"incident_id": 1})))
    asyncio.run(hub.on_event(_event("camera.offline", {"camera_id": 5})))
    asyncio.run(hub.on_event(_event("incident.created", {"incident_id": 2, "station_id": 11})))
    # Camera and ANPR events carry their camera's org unit; one that names none is withheld too.
    assert [m.payload for m in _drain(district)] == [{"incident_id": 2, "station_id": 11}]
    assert len(_drain(admin)) == 3


def _event(event_type: str, payload: dict[str, int]) -> Event:
    return Event(type=event_type, payload=payload)
