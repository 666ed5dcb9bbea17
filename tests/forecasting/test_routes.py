"""The forecast API: a layer from the user's own incidents, an uploaded file, and a patrol plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sqlalchemy import delete

from safecity.core.db import utcnow
from safecity.core.org import AgencyType
from safecity.incidents.models import Incident, IncidentStatus
from safecity.incidents.service import locate
from safecity.units import service as units
from safecity.units.models import Unit, UnitKind

HOT = (67.1421, 24.8321)  # beside the Korangi station


@pytest.fixture
def korangi_history(app: Any) -> Iterator[None]:
    """120 days of robberies, half of them at one corner, and two Dolphin pairs; removed afterwards."""
    rng = np.random.default_rng(7)
    now = utcnow()
    with app.state.sessionmaker() as session:
        station = locate(session, *HOT).station
        rows = []
        for i in range(400):
            hot = i % 2 == 0
            lon = HOT[0] if hot else 67.13 + rng.random() * 0.05
            lat = HOT[1] if hot else 24.81 + rng.random() * 0.04
            when = now - dt.timedelta(days=float(rng.uniform(0.5, 120.0)))
            rows.append(
                Incident(
                    type_code="robbery",
                    priority="P1",
                    status=IncidentStatus.CLOSED,
                    lon=lon,
                    lat=lat,
                    station_id=station.id,
                    district_id=None,
                    call_received_at=when,
                    created_at=now,
                    status_since=now,
                    description="forecast test",
                )
            )
        session.add_all(rows)
        for n in (1, 2):
            units.create_unit(
                session, call_sign=f"DLF-FCT-{n}", kind=UnitKind.DOLPHIN_PAIR, agency=AgencyType.POLICE,
                home_station="KOR-KRG", actor=None,
            )  # fmt: skip
        session.commit()
        ids = [r.id for r in rows]
    yield
    with app.state.sessionmaker() as session:
        session.execute(delete(Incident).where(Incident.id.in_(ids)))
        session.execute(delete(Unit).where(Unit.call_sign.like("DLF-FCT-%")))
        session.commit()


def test_layer_of_own_incidents_puts_the_hot_corner_first_and_states_its_hit_rate(
    client: Any, login: Any, korangi_history: None
) -> None:
    response = client.get("/api/forecast/layer?category=robbery&model=counts", headers=login("ayesha"))
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["type"] == "FeatureCollection"
    ring = np.array(doc["features"][0]["geometry"]["coordinates"][0])
    assert ring[:, 0].min() <= HOT[0] <= ring[:, 0].max()
    assert ring[:, 1].min() <= HOT[1] <= ring[:, 1].max()
    meta = doc["forecast"]
    assert meta["source"] == "incidents"
    assert meta["backtest"]["weeks"] == 8
    assert meta["backtest"]["hit_rate"] >= 0.4  # half of all robberies are at the corner
    assert "baseline" in meta["backtest"]["note"]


def test_patrol_plan_assigns_top_cells_to_dolphin_beats_by_road(
    client: Any, login: Any, korangi_history: None
) -> None:
    url = "/api/forecast/patrol-plan?category=robbery&model=counts&budget_minutes=15"
    response = client.get(url, headers=login("sara"))
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["method"] == "road"  # the demo road graph is installed
    beats = {b["beat"]: b for b in plan["beats"]}
    assert {"DLF-FCT-1", "DLF-FCT-2"} <= set(beats)
    assigned = [c for b in plan["beats"] for c in b["cells"]]
    assert any(c["rank"] == 1 for c in assigned)
    assert all(c["travel_minutes"] <= 15 for c in assigned)
    ranks = sorted([c["rank"] for c in assigned] + [c["rank"] for c in plan["uncovered"]])
    assert ranks == list(range(1, len(plan["layer"]["features"]) + 1))


def test_uploaded_csv_gets_a_layer_without_touching_incidents(client: Any, login: Any) -> None:
    lines = ["occurred_at,category,lat,lon"]
    for d in range(60):
        lines.append(f"2019-03-{1 + d % 28:02d}T10:00:00,Robbery,43.7001,-79.4001")
        lines.append(f"2019-03-{1 + d % 28:02d}T11:00:00,Robbery,{43.69 + d * 0.0005:.4f},-79.41")
    files = {"file": ("events.csv", "\n".join(lines) + "\n", "text/csv")}
    response = client.post(
        "/api/forecast/layer", files=files, data={"model": "counts"}, headers=login("ayesha")
    )
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["forecast"]["source"] == "upload"
    assert doc["forecast"]["week_start"] == "2019-03-29"
    assert doc["features"][0]["properties"]["rank"] == 1


def test_forecasts_are_for_analysts_and_commanders_only(client: Any, login: Any) -> None:
    assert client.get("/api/forecast/layer", headers=login("charlie")).status_code == 403
    assert client.get("/api/forecast/layer", headers=login("omar")).status_code == 403


def test_unknown_model_is_refused_naming_the_field(client: Any, login: Any, korangi_history: None) -> None:
    response = client.get("/api/forecast/layer?model=oracle", headers=login("ayesha"))
    assert response.status_code == 422
    assert response.json()["field"] == "model"


def test_forecast_page_renders_for_an_analyst(client: Any, login: Any) -> None:
    response = client.get("/forecast", headers=login("ayesha"))
    assert response.status_code == 200
    assert "Measured hit rate" in response.text
    assert "/static/js/forecast.js" in response.text


def test_incidents_outside_the_users_district_are_not_used(
    client: Any, login: Any, korangi_history: None
) -> None:
    response = client.get("/api/forecast/layer?category=robbery", headers=login("eve"))  # District South
    if response.status_code == 200:  # other tests may have left robberies in District South
        for feature in response.json()["features"]:
            ring = np.array(feature["geometry"]["coordinates"][0])
            inside_x = ring[:, 0].min() <= HOT[0] <= ring[:, 0].max()
            assert not (inside_x and ring[:, 1].min() <= HOT[1] <= ring[:, 1].max())
    else:
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "data"
