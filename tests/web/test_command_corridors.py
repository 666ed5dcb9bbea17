"""Emergency corridors on the command map: drawn when dispatch requests one, gone when the unit arrives."""

from __future__ import annotations

import uuid

import httpx
import pytest
from tests.web.conftest import CHROMIUM, SHOTS, page, server  # noqa: F401  (fixtures)
from tests.web.test_command_centre import api_token, create_unit, log_in, open_command_centre

from safecity.core.config import Settings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]

SCENE = {"lon": 67.1897647, "lat": 24.8460889}  # a road node in Landhi
BASE = {"lon": 67.1748197, "lat": 24.8379924}  # by the Civil Defence yard, ~3 minutes away by road


def test_an_open_corridor_is_drawn_on_the_map_until_its_unit_is_on_scene(  # type: ignore[no-untyped-def]
    page,  # noqa: F811
    server: str,  # noqa: F811
    settings: Settings,
) -> None:
    SHOTS.mkdir(exist_ok=True)
    dana, alice = api_token(server, settings, "dana"), api_token(server, settings, "alice")
    robot = create_unit(
        server, dana, call_sign=f"CD-RR-{uuid.uuid4().hex[:4].upper()}", kind="rescue_robot",
        agency="civil_defence", home_station="KOR-CD", **BASE,
    )  # fmt: skip
    log_in(page, server, "alice")
    open_command_centre(page, server)
    assert "Emergency corridor" in page.inner_text(".legend")

    incident = httpx.post(
        f"{server}/api/incidents", json={"type": "building_collapse", "location": SCENE}, headers=alice
    ).json()
    sent = httpx.post(
        f"{server}/api/incidents/{incident['id']}/assignments",
        json={"unit_ids": [robot["id"]]},
        headers=alice,
    )
    assert sent.status_code == 201, sent.text
    listed = httpx.get(f"{server}/api/corridors", headers=alice).json()
    (corridor,) = [c for c in listed if c["incident_id"] == incident["id"]]
    shown = "(id) => window.safecity.corridors.has(id)"
    page.wait_for_function(shown, arg=corridor["id"])  # over the live stream, no reload
    drawn = page.evaluate(
        "(id) => { const g = window.safecity.corridors.get(id); const m = [];"
        " g.eachLayer((l) => { if (l.getRadius) m.push(l.getLatLng()); }); return m.length; }",
        corridor["id"],
    )
    assert drawn == len(corridor["junctions"])
    page.evaluate(
        "(id) => window.safecity.map.fitBounds(window.safecity.corridors.get(id).getBounds().pad(0.4))",
        corridor["id"],
    )
    page.wait_for_timeout(400)  # let the map finish its zoom before the picture
    page.screenshot(path=str(SHOTS / "command-corridor.png"))

    arrived = httpx.post(
        f"{server}/api/units/{robot['id']}/status", json={"status": "on_scene"}, headers=alice
    )
    assert arrived.status_code == 200, arrived.text
    page.wait_for_function("(id) => !window.safecity.corridors.has(id)", arg=corridor["id"])
    for status, extra in (("cleared", {"release_units": True}), ("closed", {})):  # leave no open work behind
        done = httpx.post(
            f"{server}/api/incidents/{incident['id']}/status", json={"status": status, **extra}, headers=alice
        )
        assert done.status_code == 200, done.text
