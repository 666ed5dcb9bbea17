"""Cameras and plate alerts on the command map, in headless Chromium (issue #6).

A dispatcher sees each camera coloured by health and an open watchlist hit as an alert on the
map and in the side panel; Confirm sends the verdict through the API, the alert leaves the list
and the verdict is kept. Screenshots (English and Urdu) go to screenshots/command-cameras-*.png.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests.web.conftest import CHROMIUM, SHOTS, page, server  # noqa: F401  (fixtures)
from tests.web.test_command_centre import log_in, open_command_centre

from safecity.anpr.ingest import ingest_reads
from safecity.anpr.models import AnprHit, HitFeedback, ListPolicy
from safecity.anpr.schemas import ReadIn
from safecity.anpr.service import add_to_watchlist, put_list
from safecity.cameras import service as cameras
from safecity.cameras.models import Camera, CameraKind
from safecity.core.auth import User
from safecity.core.config import Settings
from safecity.core.db import make_engine, make_sessionmaker, session_scope, utcnow
from safecity.core.org import OrgUnit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]

REASON = "SYNTHETIC white Corolla reported stolen, FIR 91/2026"


def _camera(session: Any, unit: OrgUnit, name: str, lon: float, lat: float, **kw: Any) -> Camera:
    camera = Camera(
        code=f"CC-{uuid.uuid4().hex[:6].upper()}", name=name, kind=kw.pop("kind", CameraKind.ANPR),
        lon=lon, lat=lat, org_unit_id=unit.id, heartbeat_interval_s=60, missed_heartbeats=3, **kw,
    )  # fmt: skip
    session.add(camera)
    session.flush()
    return camera


@pytest.fixture
def scene(settings: Settings) -> Iterator[dict[str, Any]]:
    """Two Korangi cameras (one alive, one silent for an hour) and a stolen car read by the live one."""
    engine = make_engine(settings.database_url)
    now = utcnow()
    with session_scope(make_sessionmaker(engine)) as session:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "KOR-LND"))
        dana = session.scalar(select(User).where(User.username == "dana"))
        assert unit is not None and dana is not None
        alive = _camera(
            session, unit, "Landhi Chowrangi", 67.1905, 24.8445, zone="Korangi East", last_heartbeat_at=now
        )
        silent = _camera(
            session, unit, "Quaidabad bridge", 67.2050, 24.8660, kind=CameraKind.FIXED,
            created_at=now - timedelta(hours=2), last_heartbeat_at=now - timedelta(hours=1),
        )  # fmt: skip
        cameras.check_offline(session, now=now)
        put_list(session, name="stolen", policy=ListPolicy.OPEN_INCIDENT, description="", actor=dana)
        plate = f"LEC-{uuid.uuid4().int % 9000 + 1000}"
        add_to_watchlist(session, list_name="stolen", plate=plate, org_unit_id=unit.id, reason=REASON)
        read = ReadIn(camera_id=alive.id, plate_text=plate, confidence=0.9, at=datetime.now(UTC))
        ingest_reads(session, [read], actor=None, source="test", scope=None)
        found = {"alive": alive.code, "alive_id": alive.id, "silent": silent.code, "silent_id": silent.id}
    engine.dispose()
    yield found | {"plate": plate}


def _camera_marker(browser_page: Any, camera_id: int) -> dict[str, Any]:
    """The camera's dot on the map: its fill colour and whether it is ringed (offline)."""
    found: dict[str, Any] = browser_page.evaluate(
        "(id) => { const g = window.safecity.cams.cameras.get(id).layer; const dots = g.getLayers();"
        " const dot = dots[dots.length - 1];"
        " return { fill: dot.options.fillColor, ringed: dots.length > 1,"
        " onMap: window.safecity.map.hasLayer(dot), tip: dot.getTooltip().getContent() }; }",
        camera_id,
    )
    return found


def test_a_dispatcher_sees_cameras_and_confirms_a_plate_alert_from_the_command_map(  # type: ignore[no-untyped-def]
    page,  # noqa: F811
    server: str,  # noqa: F811
    scene: dict[str, Any],
    settings: Settings,
) -> None:
    SHOTS.mkdir(exist_ok=True)
    log_in(page, server, "alice")
    open_command_centre(page, server)
    row = page.locator("#anpr-list li", has_text=scene["plate"])
    row.wait_for(timeout=10_000)

    alive, silent = _camera_marker(page, scene["alive_id"]), _camera_marker(page, scene["silent_id"])
    assert alive["onMap"] and not alive["ringed"]
    assert scene["alive"] in alive["tip"] and "Korangi East" in alive["tip"] and "ANPR camera" in alive["tip"]
    assert silent["ringed"] and silent["fill"] != alive["fill"] and "offline" in silent["tip"]
    assert "fixed camera" in silent["tip"] and "Quaidabad bridge" in silent["tip"]
    assert "Cameras" in page.inner_text(".leaflet-control-layers")
    text = row.inner_text()
    assert "stolen" in text and "1.00" in text and scene["alive"] in text and REASON in text
    pin = page.locator(f".anpr-pin[data-camera='{scene['alive_id']}']")
    assert scene["plate"] in pin.inner_text()

    row.locator("small", has_text=REASON).click()  # the row, not a button: the map goes to the camera
    page.wait_for_selector(f".anpr-pin.sel[data-camera='{scene['alive_id']}']")
    centre = page.evaluate("(() => { const c = window.safecity.map.getCenter(); return [c.lat, c.lng]; })()")
    assert abs(centre[0] - 24.8445) < 1e-3 and abs(centre[1] - 67.1905) < 1e-3
    page.wait_for_timeout(400)  # let the map settle before the picture
    page.screenshot(path=str(SHOTS / "command-cameras-en.png"))

    page.goto(f"{server}/lang/ur")
    open_command_centre(page, server)
    urdu_row = page.locator("#anpr-list li", has_text=scene["plate"])
    urdu_row.wait_for(timeout=10_000)
    assert "تصدیق کریں" in urdu_row.inner_text() and page.get_attribute("html", "dir") == "rtl"
    urdu_row.locator("small", has_text=REASON).click()
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / "command-cameras-ur.png"))

    urdu_row.locator("button[data-verdict=confirmed]").click()
    page.locator("#anpr-list li", has_text=scene["plate"]).wait_for(state="detached", timeout=10_000)
    assert page.locator(f".anpr-pin[data-camera='{scene['alive_id']}']").count() == 0
    assert page.is_hidden("#cc-banner")
    page.goto(f"{server}/lang/en")
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        hit = session.scalar(select(AnprHit).where(AnprHit.listed_plate == scene["plate"]))
        assert hit is not None and hit.status == "confirmed"
        kept = session.execute(
            select(HitFeedback.verdict, HitFeedback.by_user_id).where(HitFeedback.hit_id == hit.id)
        ).all()
        alice = session.scalar(select(User.id).where(User.username == "alice"))
    engine.dispose()
    assert kept == [("confirmed", alice)]
