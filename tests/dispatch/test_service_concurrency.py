"""Two dispatchers send the same unit at the same moment: exactly one succeeds (PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safecity.core.auth import User
from safecity.core.db import make_engine, make_sessionmaker, session_scope
from safecity.core.org import AgencyType
from safecity.dispatch import service
from safecity.incidents import service as incidents
from safecity.units import service as units
from safecity.units.models import UnitKind


@pytest.fixture
def sessions(api_db_url: str) -> Iterator[sessionmaker[Session]]:
    if not api_db_url.startswith("postgresql"):
        pytest.skip("the race is decided by PostgreSQL row locks; set SAFECITY_TEST_DATABASE_URL")
    engine = make_engine(api_db_url, pool_size=4)
    yield make_sessionmaker(engine)
    engine.dispose()


def _alice(session: Session) -> User:
    user = session.scalar(select(User).where(User.username == "alice"))
    assert user is not None
    return user


@pytest.mark.postgres
def test_two_dispatchers_racing_for_one_unit_cannot_both_send_it(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        alice = _alice(session)
        unit = units.create_unit(
            session,
            call_sign=f"RACE-{uuid.uuid4().hex[:8]}",
            kind=UnitKind.DOLPHIN_PAIR,
            agency=AgencyType.POLICE,
            home_station="KOR-ZMT",
            actor=None,
        )
        pair = [
            incidents.open_incident(session, type_code="robbery", lon=67.15 + d, lat=24.838, actor=alice)
            for d in (0.0, 0.01)
        ]
        unit_id, incident_ids = unit.id, [i.id for i in pair]

    both_loaded = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []

    def dispatcher(incident_id: int) -> None:
        try:
            with session_scope(sessions) as session:
                alice = _alice(session)
                incident = incidents.get(session, incident_id=incident_id, user=alice)
                units.get(session, unit_id=unit_id, user=alice)  # both read it as available ...
                both_loaded.wait()  # ... before either tries to take it
                service.assign(session, incident=incident, unit_ids=[unit_id], user=alice)
            outcomes.append("sent")
        except units.UnitNotAvailable:
            outcomes.append("refused")

    threads = [threading.Thread(target=dispatcher, args=(i,)) for i in incident_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "sent"]
    with sessions() as session:
        from safecity.dispatch.models import Assignment

        rows = session.scalars(select(Assignment).where(Assignment.unit_id == unit_id)).all()
    assert len(rows) == 1
