"""Fixtures of the units tests: sessions on the shared API database, a fresh unit per test, the broker."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from safecity.core.db import make_engine, make_sessionmaker, session_scope
from safecity.core.org import AgencyType
from safecity.units import service
from safecity.units.models import UnitKind


@pytest.fixture
def sessions(api_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(api_db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def new_unit(sessions: sessionmaker[Session], prefix: str = "AVL") -> int:
    """A police patrol van at Landhi (not an ambulance: the API database is shared with dispatch tests)."""
    with session_scope(sessions) as session:
        unit = service.create_unit(
            session,
            call_sign=f"{prefix}-{uuid.uuid4().hex[:8]}",
            kind=UnitKind.PATROL_VAN,
            agency=AgencyType.POLICE,
            home_station="KOR-LND",
            actor=None,
        )
        return unit.id


@pytest.fixture
def mqtt_url() -> str:
    """The real broker (Mosquitto) when SAFECITY_TEST_MQTT_URL names one."""
    url = os.environ.get("SAFECITY_TEST_MQTT_URL")
    if not url:
        pytest.skip("SAFECITY_TEST_MQTT_URL is not set")
    return url


def publish(url: str, messages: list[tuple[str, bytes]]) -> None:
    """Publish ``(topic, payload)`` pairs at QoS 1 and return once the broker has them all."""
    import paho.mqtt.publish as mqtt_publish

    host, _, port = url.removeprefix("mqtt://").partition(":")
    mqtt_publish.multiple([(t, p, 1, False) for t, p in messages], hostname=host, port=int(port or 1883))
