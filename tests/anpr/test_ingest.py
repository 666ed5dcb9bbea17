"""Storing plate reads: flagged not dropped, duplicates idempotent, watchlist hits become events."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.anpr import read_plate
from safecity.anpr.ingest import ingest_reads
from safecity.anpr.models import AnprHit, AnprRead, ListPolicy
from safecity.anpr.schemas import AnprSettings, ReadIn
from safecity.anpr.service import add_to_watchlist, put_list, remove_from_watchlist
from safecity.anpr.synthetic import render_plate
from safecity.cameras.models import Camera, CameraKind
from safecity.core.auth import User
from safecity.core.errors import InvalidInput, NotFound
from safecity.core.events import OutboxEvent
from safecity.core.org import OrgKind, OrgUnit

AT = datetime(2026, 11, 20, 8, 30, 15, 250_000, tzinfo=UTC)


def _camera(session: Session) -> Camera:
    unit = OrgUnit(code=f"U-{uuid.uuid4().hex[:8]}", name="Test", kind=OrgKind.PROVINCE)
    session.add(unit)
    session.flush()
    camera = Camera(
        code=f"CAM-{uuid.uuid4().hex[:8]}",
        name="t",
        kind=CameraKind.ANPR,
        lon=67.2,
        lat=24.85,
        org_unit_id=unit.id,
    )
    session.add(camera)
    session.flush()
    return camera


def _read(camera: Camera, text: str | None, at: datetime = AT, **extra: object) -> ReadIn:
    return ReadIn.model_validate(
        {"camera_id": camera.id, "plate_text": text, "at": at, "confidence": 0.9} | extra
    )


def _ingest(session: Session, reads: list[ReadIn], **kw: object):  # type: ignore[no-untyped-def]
    return ingest_reads(session, reads, actor=None, source="test", scope=None, **kw)  # type: ignore[arg-type]


def _b64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _stored(session: Session, camera: Camera) -> list[AnprRead]:
    return list(
        session.scalars(select(AnprRead).where(AnprRead.camera_id == camera.id).order_by(AnprRead.id))
    )


def _hit_events(session: Session, event_type: str, plate: str) -> list[OutboxEvent]:
    rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type == event_type))
    return [r for r in rows if r.payload.get("plate") == plate]


def _plate() -> str:
    digits = str(uuid.uuid4().int % 9000 + 1000)
    return f"LE{'ABCDEFGHJKMNPRSTVWXYZ'[uuid.uuid4().int % 21]}-{digits}"


def test_malformed_plate_text_is_stored_flagged_with_its_raw_text(db_session: Session) -> None:
    camera = _camera(db_session)
    result = _ingest(db_session, [_read(camera, "lea 1234"), _read(camera, "#?! 12345678")])
    assert (result.accepted, result.flagged) == (2, 1)
    good, bad = _stored(db_session, camera)
    assert (good.plate, good.raw_text, good.invalid_plate) == ("LEA-1234", "lea 1234", False)
    assert bad.plate is None and bad.invalid_plate and bad.raw_text == "#?! 12345678"
    assert bad.invalid_reason


def test_the_same_read_twice_is_stored_once(db_session: Session) -> None:
    camera = _camera(db_session)
    batch = [_read(camera, "LEA-1234"), _read(camera, "lea1234", at=AT + timedelta(milliseconds=500))]
    first = _ingest(db_session, batch)
    again = _ingest(db_session, batch)
    assert (first.accepted, first.duplicates) == (1, 1)
    assert (again.accepted, again.duplicates) == (0, 2)
    later = _ingest(db_session, [_read(camera, "LEA-1234", at=AT + timedelta(seconds=1))])
    assert later.accepted == 1
    assert len(_stored(db_session, camera)) == 2


def test_a_listed_plate_makes_a_hit_and_an_anpr_hit_event_with_the_camera_location(
    db_session: Session,
) -> None:
    camera = _camera(db_session)
    plate = _plate()
    add_to_watchlist(
        db_session, list_name="stolen", plate=plate, org_unit_id=camera.org_unit_id, reason="FIR 12"
    )
    result = _ingest(db_session, [_read(camera, plate.lower()), _read(camera, "ABC-999")])
    assert [(h.listed_plate, h.list_name, h.score) for h in result.hits] == [(plate, "stolen", 1.0)]
    hit = result.hits[0]
    (event,) = _hit_events(db_session, "anpr.hit", plate)
    expected = {"plate": plate, "list_name": "stolen", "camera_id": camera.id, "lon": 67.2, "lat": 24.85}
    assert expected.items() <= event.payload.items()
    assert event.payload["hit_id"] == hit.id and event.payload["read_id"] == hit.read_id
    assert event.payload["org_unit_id"] == camera.org_unit_id
    assert datetime.fromisoformat(event.payload["at"]) == AT


def test_a_repeated_read_of_a_listed_plate_raises_no_second_hit(db_session: Session) -> None:
    camera = _camera(db_session)
    plate = _plate()
    add_to_watchlist(db_session, list_name="stolen", plate=plate, org_unit_id=camera.org_unit_id)
    assert len(_ingest(db_session, [_read(camera, plate)]).hits) == 1
    assert _ingest(db_session, [_read(camera, plate)]).hits == []
    assert len(_hit_events(db_session, "anpr.hit", plate)) == 1


def test_an_alert_only_list_publishes_an_alert_not_an_incident_request(db_session: Session) -> None:
    camera = _camera(db_session)
    plate = _plate()
    admin = User(username=f"a-{uuid.uuid4().hex[:6]}", full_name="A", roles=["admin"])
    db_session.add(admin)
    db_session.flush()
    put_list(db_session, name="noted", policy=ListPolicy.ALERT_ONLY, description="", actor=admin)
    add_to_watchlist(db_session, list_name="noted", plate=plate, org_unit_id=camera.org_unit_id)
    (hit,) = _ingest(db_session, [_read(camera, plate)]).hits
    assert hit.policy is ListPolicy.ALERT_ONLY
    assert _hit_events(db_session, "anpr.hit", plate) == []
    assert len(_hit_events(db_session, "anpr.alert", plate)) == 1


def test_a_read_missing_one_character_still_hits_with_a_lower_score(db_session: Session) -> None:
    camera = _camera(db_session)
    plate = _plate()
    add_to_watchlist(db_session, list_name="wanted", plate=plate, org_unit_id=camera.org_unit_id)
    (hit,) = _ingest(db_session, [_read(camera, plate[:-1])]).hits
    assert hit.listed_plate == plate and hit.match_kind == "missing" and hit.score < 1.0


def test_a_near_miss_read_alerts_an_operator_but_opens_no_incident(db_session: Session) -> None:
    camera = _camera(db_session)
    plate = _plate()
    add_to_watchlist(db_session, list_name="stolen", plate=plate, org_unit_id=camera.org_unit_id)
    (near,) = _ingest(db_session, [_read(camera, plate[:-1])]).hits
    look_alike = plate.replace("1", "I").replace("0", "O").replace("8", "B").replace("5", "S")
    look_alike = look_alike if look_alike != plate else plate.lower()
    (close,) = _ingest(db_session, [_read(camera, look_alike, AT + timedelta(seconds=1))]).hits
    assert near.policy is ListPolicy.OPEN_INCIDENT and near.score < 0.8 <= close.score
    assert [e.payload["hit_id"] for e in _hit_events(db_session, "anpr.alert", plate)] == [near.id]
    assert [e.payload["hit_id"] for e in _hit_events(db_session, "anpr.hit", plate)] == [close.id]


def test_a_plate_taken_off_its_list_raises_no_more_hits(db_session: Session) -> None:
    camera = _camera(db_session)
    plate = _plate()
    add_to_watchlist(db_session, list_name="unpaid_challans", plate=plate, org_unit_id=camera.org_unit_id)
    assert len(_ingest(db_session, [_read(camera, plate)]).hits) == 1
    assert remove_from_watchlist(db_session, list_name="unpaid_challans", plate=plate.lower())
    assert not remove_from_watchlist(db_session, list_name="unpaid_challans", plate=plate)
    later = AT + timedelta(minutes=5)
    assert _ingest(db_session, [_read(camera, plate, later)]).hits == []


def test_an_expired_listing_raises_no_hit(db_session: Session) -> None:
    camera = _camera(db_session)
    plate = _plate()
    past = datetime.now(UTC) - timedelta(days=1)
    add_to_watchlist(
        db_session, list_name="stolen", plate=plate, org_unit_id=camera.org_unit_id, expires_at=past
    )
    assert _ingest(db_session, [_read(camera, plate)]).hits == []
    assert db_session.scalars(select(AnprHit).where(AnprHit.listed_plate == plate)).all() == []


def test_a_read_sent_as_an_image_only_is_read_with_the_plate_reader(db_session: Session) -> None:
    camera = _camera(db_session)
    image, _ = render_plate(7, degrade=False)
    result = _ingest(db_session, [_read(camera, None, image_b64=_b64(image))])
    (stored,) = _stored(db_session, camera)
    assert result.accepted == 1 and stored.from_image
    assert stored.plate == read_plate(image).text and stored.plate is not None


@pytest.mark.parametrize(
    "image_b64",
    [base64.b64encode(b"not an image at all").decode(), "%%% not base64 %%%", "A" * 4000],
    ids=["undecodable", "not-base64", "oversized"],
)
def test_a_bad_image_fails_the_batch_naming_the_field(db_session: Session, image_b64: str) -> None:
    camera = _camera(db_session)
    reads = [_read(camera, "LEA-1"), _read(camera, "LEA-2"), _read(camera, None, image_b64=image_b64)]
    with pytest.raises(InvalidInput) as caught:
        _ingest(db_session, reads, settings=AnprSettings(max_image_bytes=2048))
    assert caught.value.field == "reads[2].image_b64"


def test_a_read_for_an_unknown_or_unreachable_camera_is_refused_naming_it(db_session: Session) -> None:
    camera = _camera(db_session)
    with pytest.raises(NotFound) as caught:
        _ingest(db_session, [_read(camera, "LEA-1"), _read(camera, "LEA-2", camera_id="NO-SUCH-CAM")])
    assert caught.value.field == "reads[1].camera_id"
    with pytest.raises(NotFound):
        ingest_reads(db_session, [_read(camera, "LEA-1")], actor=None, source="t", scope={-1})
    assert _stored(db_session, camera) == []
