"""Other domains find cameras by id or code (ANPR ingest does, once per batch of reads)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from safecity.cameras import service
from safecity.cameras.models import Camera, CameraKind
from safecity.core.org import OrgKind, OrgUnit


def _cameras(session: Session, count: int) -> list[Camera]:
    unit = OrgUnit(code=f"U-{uuid.uuid4().hex[:8]}", name="Test district", kind=OrgKind.PROVINCE)
    session.add(unit)
    session.flush()
    cameras = [
        Camera(
            code=f"CAM-{uuid.uuid4().hex[:8]}",
            name="junction",
            kind=CameraKind.ANPR,
            lon=67.0 + i / 100,
            lat=24.8,
            org_unit_id=unit.id,
        )
        for i in range(count)
    ]
    session.add_all(cameras)
    session.flush()
    return cameras


def test_cameras_are_found_by_id_code_or_id_text_and_unknown_refs_are_absent(db_session: Session) -> None:
    first, second, third = _cameras(db_session, 3)
    found = service.locate(db_session, [first.id, second.code, str(third.id), "NO-SUCH-CAMERA", 10**9])
    assert set(found) == {
        first.id, str(first.id), first.code,
        second.id, str(second.id), second.code,
        third.id, str(third.id), third.code,
    }  # fmt: skip
    ref = found[second.code]
    assert (ref.id, ref.code, ref.kind, ref.org_unit_id, ref.lon, ref.lat) == (
        second.id,
        second.code,
        CameraKind.ANPR,
        second.org_unit_id,
        second.lon,
        second.lat,
    )
    assert found[first.id] is found[first.code]


def test_locating_nothing_finds_nothing(db_session: Session) -> None:
    _cameras(db_session, 1)
    assert service.locate(db_session, []) == {}
    assert service.locate(db_session, ["NO-SUCH-CAMERA"]) == {}
