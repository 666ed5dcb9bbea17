"""The command-centre page in headless Chromium: a call becomes an incident, is dispatched and closed.

Units are created through the API as dana (admin); everything else is done by
clicking, as alice (dispatcher). Screenshots go to screenshots/command-*.png.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import select
from tests.web.conftest import CHROMIUM, SHOTS

from safecity.core.auth import User
from safecity.core.config import Settings
from safecity.core.db import make_engine

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]

# The call comes from Korangi, on the demo road graph and 3 km from any station (where demo
# fleets wait); our units are within 200 m, so they are the fastest whatever else exists.
CALL_LAT, CALL_LON = 24.8140, 67.1880


def api_token(server: str, settings: Settings, username: str) -> dict[str, str]:
    """A bearer token from the real token endpoint (with the user's TOTP code where one is set)."""
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        secret = conn.scalar(select(User.totp_secret).where(User.username == username))
    engine.dispose()
    form = {"username": username, "password": f"{username}-demo-2026"}
    if secret:
        form["otp"] = pyotp.TOTP(secret).now()
    response = httpx.post(f"{server}/api/auth/token", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def create_unit(server: str, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = httpx.post(f"{server}/api/units", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    unit: dict[str, Any] = response.json()
    return unit


def korangi_units(server: str, settings: Settings) -> dict[str, dict[str, Any]]:
    """A response car and a Dolphin pair of the police and a Rescue 1122 ambulance, near the call."""
    dana = api_token(server, settings, "dana")
    tag = uuid.uuid4().hex[:4].upper()
    return {
        "car": create_unit(
            server, dana, call_sign=f"KOR-RC-{tag}", kind="response_car", agency="police",
            home_station="KOR-KRG", crew=["ASI Rafiq", "PC Noman"], skills=["first_aid"],
            lon=CALL_LON + 0.0010, lat=CALL_LAT + 0.0012,
        ),
        "dolphin": create_unit(
            server, dana, call_sign=f"KOR-DF-{tag}", kind="dolphin_pair", agency="police",
            home_station="KOR-KRG", skills=["armed_response"], lon=CALL_LON + 0.008, lat=CALL_LAT + 0.006,
        ),
        "ambulance": create_unit(
            server, dana, call_sign=f"R1122-AMB-{tag}", kind="ambulance", agency="rescue_1122",
            home_station="KOR-R1122", skills=["paramedic"], lon=CALL_LON - 0.0015, lat=CALL_LAT + 0.0008,
        ),
    }  # fmt: skip


def log_in(page: Any, server: str, username: str) -> None:
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"{username}-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def open_command_centre(page: Any, server: str) -> None:
    page.goto(f"{server}/command")
    page.wait_for_selector(".cc[data-ready=yes]")
    page.wait_for_selector("#live-state[data-state=open]")


def detail_status(page: Any, status: str) -> None:
    page.wait_for_selector(f"#detail-status[data-status={status}]")


def unit_position(page: Any, unit_id: int) -> list[float]:
    found: list[float] = page.evaluate(
        "(id) => { const p = window.safecity.units.get(id).marker.getLatLng(); return [p.lat, p.lng]; }",
        unit_id,
    )
    return found


def take_call(page: Any, description: str) -> None:
    if not page.is_visible("#call-form"):  # folded away while the last incident was handled
        page.click("#intake summary")
    page.select_option("#call-type", "assault")
    page.fill("input[name=caller_number]", "0300-1234567")
    page.select_option("select[name=language]", "ur")
    page.fill("input[name=lat]", f"{CALL_LAT}")
    page.fill("input[name=lon]", f"{CALL_LON}")
    page.fill("textarea[name=description]", description)
    page.click("#call-submit")


def test_a_call_is_dispatched_and_closed_by_clicking_on_the_command_page(  # type: ignore[no-untyped-def]
    page, server: str, settings: Settings
) -> None:
    SHOTS.mkdir(exist_ok=True)
    units = korangi_units(server, settings)
    car, ambulance = units["car"], units["ambulance"]
    log_in(page, server, "alice")
    open_command_centre(page, server)
    page.wait_for_selector(".cc[data-basemap]")
    assert int(page.get_attribute(".cc", "data-basemap")) > 1000  # road lines drawn from the graph
    assert "OpenStreetMap" in page.inner_text(".leaflet-control-attribution")
    assert "SYNTHETIC" in page.inner_text(".synthetic-banner")

    # A map click sets the location; typed coordinates then refine it.
    page.click("#map", position={"x": 500, "y": 300})
    assert page.input_value("input[name=lat]") != ""
    take_call(page, "Two men beating a shopkeeper outside the market")
    page.wait_for_selector("#incident-detail:not([hidden]), #call-duplicates:not([hidden])")
    if page.is_visible("#btn-open-new"):  # another test's assault nearby is still open
        page.click("#btn-open-new")
    detail_status(page, "new")
    reference = page.inner_text("#incident-detail h2").split()[1]
    assert reference.startswith("INC-")
    assert page.is_visible(f"#incident-list li:has-text('{reference}') .prio.P2")
    assert page.locator(".leaflet-marker-icon .inc-pin.P2.sel").count() == 1

    # A second caller about the same assault: offered as a duplicate, linked instead.
    take_call(page, "Fight near the market, a man is hurt")
    page.wait_for_selector("#call-duplicates:not([hidden])")
    page.click(f"#call-duplicates .dup:has-text('{reference}') button[data-link]")
    page.wait_for_selector("#detail-calls:has-text('(2)')")
    assert page.is_hidden("#call-duplicates")
    assert page.locator(f"#incident-list li:has-text('{reference}')").count() == 1

    # Recommendations: one unit per agency of the plan, each with ETA, distance and why.
    page.click("#btn-recommend")
    page.wait_for_selector("table.recs")
    rec_car = page.locator(f"table.recs tr.rec[data-unit='{car['id']}']")
    rec_amb = page.locator(f"table.recs tr.rec[data-unit='{ambulance['id']}']")
    assert rec_car.count() == 1 and rec_amb.count() == 1
    assert "min" in rec_amb.locator("td.eta").inner_text() and "km" in rec_amb.locator("td.dist").inner_text()
    assert "paramedic" in rec_amb.inner_text()
    assert "Rescue 1122" in page.inner_text("table.recs")
    page.screenshot(path=str(SHOTS / "command-recommend.png"))

    page.click("#btn-dispatch")
    detail_status(page, "dispatched")
    assigned = page.inner_text("#assigned")
    assert car["call_sign"] in assigned and ambulance["call_sign"] in assigned

    # The ambulance reports a position: its marker moves on the map, over the live stream.
    alice = api_token(server, settings, "alice")
    fix = {"lon": CALL_LON + 0.003, "lat": CALL_LAT, "speed_kph": 42, "at": "2030-01-01T08:00:00+00:00"}
    moved = httpx.post(f"{server}/api/units/{ambulance['id']}/positions", json=fix, headers=alice)
    assert moved.status_code == 202, moved.text
    page.wait_for_function(
        "([id, lon]) => Math.abs(window.safecity.units.get(id).marker.getLatLng().lng - lon) < 1e-9",
        arg=[ambulance["id"], fix["lon"]],
    )
    assert unit_position(page, ambulance["id"]) == pytest.approx([fix["lat"], fix["lon"]])

    for unit in (car, ambulance):
        page.click(f"#assigned button[data-unit='{unit['id']}'][data-to=en_route]")
        page.wait_for_selector(f"#assigned tr[data-unit='{unit['id']}'] .s-en_route")
    detail_status(page, "en_route")
    page.screenshot(path=str(SHOTS / "command-en-route.png"))
    for unit in (car, ambulance):
        page.click(f"#assigned button[data-unit='{unit['id']}'][data-to=on_scene]")
        page.wait_for_selector(f"#assigned tr[data-unit='{unit['id']}'] .s-on_scene")
    detail_status(page, "on_scene")

    # Closing with units still on scene is refused, and the page says why.
    page.click("button[data-incident-to=closed]")
    page.wait_for_selector("#cc-banner:not([hidden])")
    assert page.get_attribute("#cc-banner", "data-error") == "UnitsStillOnScene"
    assert car["call_sign"] in page.inner_text("#cc-banner")
    page.screenshot(path=str(SHOTS / "command-error.png"))

    page.click("button[data-incident-to=cleared]")
    detail_status(page, "cleared")
    assert page.is_hidden("#cc-banner")
    page.wait_for_selector(f"#assigned tr[data-unit='{car['id']}'] .s-returning")
    page.click("button[data-incident-to=closed]")
    detail_status(page, "closed")
    assert page.locator(f"#incident-list li:has-text('{reference}')").count() == 0
    page.click("details.history summary")
    page.wait_for_selector("details.history[open] #history li")
    history = page.inner_text("#history")
    for step in ("new", "dispatched", "en route", "on scene", "cleared", "closed"):
        assert step in history
    page.wait_for_selector("#kpi-agencies tr[data-agency=rescue_1122]")
    assert "min" in page.inner_text("#kpi-agencies tr[data-agency=police]")
    page.screenshot(path=str(SHOTS / "command-closed.png"))


def test_a_call_outside_the_jurisdiction_is_refused_in_a_banner_naming_the_location(  # type: ignore[no-untyped-def]
    page, server: str
) -> None:
    log_in(page, server, "alice")
    open_command_centre(page, server)
    page.select_option("#call-type", "robbery")
    page.fill("input[name=lat]", "31.5204")  # Lahore: not this installation's jurisdiction
    page.fill("input[name=lon]", "74.3587")
    page.click("#call-submit")
    page.wait_for_selector("#cc-banner:not([hidden])")
    assert "location" in page.inner_text("#cc-banner")
    assert page.is_hidden("#incident-detail")


def test_the_command_page_lays_out_right_to_left_in_urdu(page, server: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{server}/login")
    page.click("a.lang")
    page.wait_for_selector("html[dir=rtl]")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    open_command_centre(page, server)
    side, map_box = page.locator("aside.side").bounding_box(), page.locator("#map").bounding_box()
    assert side["x"] > map_box["x"]  # the panel is on the right, the map on the left
    assert map_box["width"] > 600 and map_box["height"] > 400
    assert side["x"] >= map_box["x"] + map_box["width"] - 1  # side by side, not overlapping
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    options = page.locator("#call-type option").all_inner_texts()
    assert any("ڈکیتی" in o for o in options)  # incident types in Urdu
    page.screenshot(path=str(SHOTS / "command-ur.png"))
