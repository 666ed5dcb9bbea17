"""Fixtures of the camera tests: the browser ones of tests/web, and the app run with MQTT feeds."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import page, server

from safecity.app import create_app
from safecity.core.config import Settings

__all__ = ["mqtt_app_client", "page", "server"]


@pytest.fixture
def mqtt_app_client(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app as deployed with camera feeds (its lifespan runs the MQTT jobs), checking
    for silent cameras twice a second so that a test need not wait half a minute."""
    url = os.environ.get("SAFECITY_TEST_MQTT_URL")
    if not url:
        pytest.skip("set SAFECITY_TEST_MQTT_URL to run against a real MQTT broker")
    group = f"test-{uuid.uuid4().hex[:8]}"  # a private shared group: no other worker takes our messages
    monkeypatch.setenv("SAFECITY_ANPR_MQTT_GROUP", group)
    monkeypatch.setenv("SAFECITY_CAMERAS_MQTT_GROUP", group)
    monkeypatch.setenv("SAFECITY_CAMERAS_CHECK_EVERY_S", "0.5")
    with TestClient(create_app(settings.model_copy(update={"mqtt_url": url}))) as client:
        yield client
