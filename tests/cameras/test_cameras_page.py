"""The cameras page in headless Chromium: cameras coloured by health, the offline alert,
and a watchlist hit an officer confirms from the page (the verdict is kept)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.web.conftest import CHROMIUM, SHOTS

from safecity.anpr.ingest import ingest_reads
from safecity.anpr.models import AnprHit, HitFeedback, ListPolicy
from safecity.anpr.schemas import ReadIn
from safecity.anpr.service import add_to_watchlist, put_list
from safecity.cameras import service as cameras
from safecity.cameras.models import Camera, CameraKind, CameraStatus
from safecity.core.auth import User
from safecity.core.config import Settings
from safecity.core.db import make_engine, make_sessionmaker, session_scope, utcnow
from safecity.core.org import OrgUnit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def _camera(session: Session, unit: OrgUnit, name: str, lon: float, lat: float, **kw: Any) -> Camera:
    camera = Camera(
        code=f"CAM-{uuid.uuid4().hex[:6]}",
        name=name,
        kind=kw.pop("kind", CameraKind.ANPR),
        lon=lon,
        lat=lat,
        org_unit_id=unit.id,
        heartbeat_interval_s=60,
        missed_heartbeats=3,
        **kw,
    )
    session.add(camera)
    session.flush()
    return camera


@pytest.fixture
def scene(settings: Settings) -> Iterator[dict[str, str]]:
    """Three Korangi cameras (alive, silent for an hour, in maintenance) and one stolen-car hit."""
    engine = make_engine(settings.database_url)
    now = utcnow()
    with session_scope(make_sessionmaker(engine)) as session:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "KOR-LND"))
        assert unit is not None
        alive = _camera(session, unit, "Landhi No. 6", 67.199, 24.848, heading=45.0, last_heartbeat_at=now)
        silent = _camera(
            session, unit, "Korangi Crossing", 67.142, 24.832, created_at=now - timedelta(hours=2),
            last_heartbeat_at=now - timedelta(hours=1), kind=CameraKind.FIXED,
        )  # fmt: skip
        _camera(session, unit, "Sharafi Goth", 67.207, 24.835, status=CameraStatus.MAINTENANCE)
        cameras.check_offline(session, now=now)
        dana = session.scalar(select(User).where(User.username == "dana"))
        assert dana is not None
        put_list(session, name="stolen", policy=ListPolicy.OPEN_INCIDENT, description="", actor=dana)
        plate = f"LEB-{uuid.uuid4().int % 9000 + 1000}"
        add_to_watchlist(session, list_name="stolen", plate=plate, org_unit_id=unit.id, reason="stolen")
        read = ReadIn(camera_id=alive.id, plate_text=plate, confidence=0.9, at=datetime.now(UTC))
        ingest_reads(session, [read], actor=None, source="test", scope=None)
        codes = {"alive": alive.code, "silent": silent.code, "plate": plate}
    engine.dispose()
    yield codes


def test_the_cameras_page_shows_health_alerts_and_takes_a_hit_verdict(
    page, server: str, scene: dict[str, str], settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/login?next=/cameras")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-demo-2026")
    page.click("button[type=submit]")
    page.goto(f"{server}/cameras")
    page.wait_for_selector(".cams[data-ready=yes]", timeout=20_000)
    assert "Cameras" in page.locator("nav.menu a").all_inner_texts()
    assert int(page.inner_text("#kpi-offline")) >= 1 and int(page.inner_text("#kpi-maintenance")) >= 1
    assert scene["silent"] in page.inner_text("#alert-list")
    assert scene["alive"] not in page.inner_text("#alert-list")
    hit_item = page.locator("#hit-list li", has_text=scene["plate"])
    assert hit_item.count() == 1
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "cameras-alice.png"))

    hit_item.locator("button[data-verdict=confirmed]").click()
    page.locator("#hit-list li", has_text=scene["plate"]).wait_for(state="detached", timeout=10_000)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        hit = session.scalar(select(AnprHit).where(AnprHit.listed_plate == scene["plate"]))
        assert hit is not None and hit.status == "confirmed"
        verdicts = session.scalars(select(HitFeedback.verdict).where(HitFeedback.hit_id == hit.id)).all()
    engine.dispose()
    assert verdicts == ["confirmed"]
