"""End to end through a real server: a position report becomes an outbox event, the relay puts it
on the bus, the live hub fans it out and the browser's SSE stream carries it."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from tests.units.conftest import new_unit

from safecity.app import create_app
from safecity.core.config import Settings
from safecity.core.db import make_engine, make_sessionmaker, session_scope
from safecity.core.outbox import DeadLetter
from safecity.demo.seed import DEMO_USERS

PASSWORDS = {u.username: u.password for u in DEMO_USERS}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(settings: Settings) -> Iterator[str]:
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    yield from _serve(settings)


@pytest.fixture
def mqtt_server(settings: Settings) -> Iterator[tuple[str, str]]:
    url = os.environ.get("SAFECITY_TEST_MQTT_URL")
    if not url:
        pytest.skip("SAFECITY_TEST_MQTT_URL is not set")
    for base in _serve(settings.model_copy(update={"mqtt_url": url})):
        yield base, url


def _token(base: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/auth/token", data={"username": username, "password": PASSWORDS[username]}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _new_unit(settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        return new_unit(make_sessionmaker(engine), "LIVE")
    finally:
        engine.dispose()


def _fix(lon: float) -> dict[str, Any]:
    return {
        "lon": lon,
        "lat": 24.851,
        "speed_kph": 42.0,
        "heading": 90.0,
        "at": datetime.now(UTC).isoformat(),
    }


def _until_feed_subscribed(base: str, timeout_s: float = 60.0) -> None:
    """The AVL feed's worker process starts after the server (it imports the app): /health says when."""
    deadline = time.monotonic() + timeout_s
    while (feed := httpx.get(f"{base}/health").json()["avl_feed"])["status"] != "subscribed":
        assert time.monotonic() < deadline, f"the AVL feed did not subscribe: {feed}"
        time.sleep(0.2)
    assert feed["runs_in"] == "worker process"


def _wait_for_position(
    base: str, headers: dict[str, str], unit_id: int, send: Any, timeout_s: float = 20.0
) -> dict[str, Any]:
    """Open the stream, ``send()`` once it is connected, return the first position of ``unit_id``."""
    deadline = time.monotonic() + timeout_s
    event_type = ""
    with httpx.stream("GET", f"{base}/api/live/stream", headers=headers, timeout=timeout_s) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        assert next(lines).startswith("retry:")  # the hub has registered this viewer
        send()
        for line in lines:
            assert time.monotonic() < deadline, "no position reached the stream in time"
            if line.startswith("event: "):
                event_type = line.removeprefix("event: ")
            elif line.startswith("data: ") and event_type == "unit.position":
                data: dict[str, Any] = json.loads(line.removeprefix("data: "))
                if data["unit_id"] == unit_id:
                    return data
    raise AssertionError("the stream ended without the position")


def test_a_position_reported_over_rest_reaches_the_live_map_stream(server: str, settings: Settings) -> None:
    unit_id = _new_unit(settings)
    headers = _token(server, "alice")

    def send() -> None:
        response = httpx.post(f"{server}/api/units/{unit_id}/positions", json=_fix(67.2031), headers=headers)
        assert response.status_code == 202, response.text

    got = _wait_for_position(server, headers, unit_id, send)
    assert (got["lon"], got["lat"], got["speed_kph"]) == (67.2031, 24.851, 42.0)


@pytest.mark.mqtt
def test_a_position_published_over_mqtt_reaches_the_live_map_stream_and_garbage_is_kept(
    mqtt_server: tuple[str, str], settings: Settings
) -> None:
    import paho.mqtt.publish as publish

    base, url = mqtt_server
    host, _, port = url.removeprefix("mqtt://").partition(":")
    unit_id = _new_unit(settings)
    headers = _token(base, "alice")
    _until_feed_subscribed(base)

    def send() -> None:
        topic = f"safecity/avl/{unit_id}"
        publish.single(topic, "{not json", qos=1, hostname=host, port=int(port or 1883))
        publish.single(topic, json.dumps(_fix(67.2042)), qos=1, hostname=host, port=int(port or 1883))

    got = _wait_for_position(base, headers, unit_id, send)
    assert got["lon"] == 67.2042
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            stmt = select(DeadLetter.raw).where(DeadLetter.source == f"mqtt:safecity/avl/{unit_id}")
            assert list(session.scalars(stmt)) == ["{not json"]
    finally:
        engine.dispose()


def test_the_apps_subscribers_are_registered_so_an_anpr_hit_opens_an_incident(client: Any) -> None:
    """``_subscribers()`` wires each domain's ``register``: the incidents one reacts to ``anpr.hit``."""
    from safecity.core import events
    from safecity.incidents.models import Incident

    plate = f"LIVE-{uuid.uuid4().hex[:4].upper()}"
    sessions = client.app.state.sessionmaker
    hit = {"plate": plate, "list_name": "stolen", "camera_id": 7, "lon": 67.2, "lat": 24.85}
    with session_scope(sessions) as session:
        events.publish(session, "anpr.hit", hit, key=plate)
    deadline = time.monotonic() + 15
    opened: list[Incident] = []
    while not opened and time.monotonic() < deadline:
        time.sleep(0.1)
        with sessions() as session:
            stmt = select(Incident).where(Incident.description.contains(plate))
            opened = list(session.scalars(stmt))
    assert [i.type_code for i in opened] == ["anpr_hit"]
