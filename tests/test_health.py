"""/health tells a load balancer and an operator what works: database, bus, AVL feed."""

from __future__ import annotations

from typing import Any


def test_health_reports_the_database_the_bus_and_that_no_avl_feed_is_configured(client: Any) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["bus"]["status"] == "ok"
    assert body["avl_feed"] == {"status": "off"}  # the test settings name no MQTT broker
