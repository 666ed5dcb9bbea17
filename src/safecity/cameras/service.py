"""Camera rules: registration within one's jurisdiction, heartbeats, and offline detection.

Heartbeats are telemetry and are not audited one by one; the changes they
cause (a camera going offline or coming back) are, and they publish
``camera.offline`` / ``camera.online`` for the command map.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from safecity.accounts import service as accounts
from safecity.cameras.config import CameraSettings
from safecity.cameras.models import AlertKind, Camera, CameraAlert, CameraKind, CameraStatus
from safecity.cameras.repository import CameraRepository
from safecity.cameras.schemas import CameraIn, CameraPatch, CameraRef
from safecity.core import audit, events
from safecity.core.auth import Role, User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import Conflict, InvalidInput, NotFound
from safecity.core.http import current_request_id
from safecity.core.org import OrgUnit, get_unit
from safecity.core.security import issue_api_key

__all__ = [
    "CameraNotFound",
    "check_offline",
    "get",
    "list_alerts",
    "list_cameras",
    "locate",
    "provision_account",
    "record_heartbeat",
    "register",
    "update",
]


class CameraNotFound(NotFound):
    """No such camera, or not one the caller may see (the two are not told apart)."""


def _audit(session: Session, actor: User | None, action: str, camera: Camera, **details: Any) -> None:
    audit.record(
        session,
        actor=accounts.actor_of(actor),
        action=action,
        object_type="camera",
        object_id=str(camera.id),
        request_id=current_request_id(),
        details={"code": camera.code, **details},
    )


def _in_bbox(lon: float, lat: float, bbox: tuple[float, float, float, float] | None) -> None:
    if bbox is None:
        return
    west, south, east, north = bbox
    if not west <= lon <= east:
        raise InvalidInput(f"longitude {lon} is outside the jurisdiction ({west}..{east})", field="lon")
    if not south <= lat <= north:
        raise InvalidInput(f"latitude {lat} is outside the jurisdiction ({south}..{north})", field="lat")


def register(
    session: Session,
    *,
    body: CameraIn,
    actor: User,
    bbox: tuple[float, float, float, float] | None = None,
    settings: CameraSettings | None = None,
) -> Camera:
    settings = settings or CameraSettings()
    repo = CameraRepository(session)
    if repo.code_taken(body.code):
        raise Conflict(f"camera code {body.code!r} is taken", field="code")
    _in_bbox(body.lon, body.lat, bbox)
    try:
        unit: OrgUnit = get_unit(session, code=body.org_unit)
    except NotFound as exc:
        raise InvalidInput(f"unknown organisation unit {body.org_unit!r}", field="org_unit") from exc
    if not actor.has_role(Role.ADMIN) and unit.id not in scope_ids(session, actor):
        raise InvalidInput(f"{body.org_unit} is outside your jurisdiction", field="org_unit")
    camera = Camera(
        code=body.code,
        name=body.name,
        kind=body.kind,
        lon=body.lon,
        lat=body.lat,
        heading=body.heading,
        zone=body.zone,
        org_unit_id=unit.id,
        status=CameraStatus.ONLINE,
        heartbeat_interval_s=body.heartbeat_interval_s or settings.heartbeat_interval_s,
        missed_heartbeats=body.missed_heartbeats or settings.missed_heartbeats,
        created_at=utcnow(),
    )
    session.add(camera)
    session.flush()
    _audit(session, actor, "camera.register", camera, kind=camera.kind.value, org_unit=unit.code)
    return camera


def _visible(session: Session, camera: Camera | None, user: User | None, shown: object) -> Camera:
    if camera is None or (user is not None and camera.org_unit_id not in scope_ids(session, user)):
        raise CameraNotFound(f"no camera {shown}", field="camera_id")
    return camera


def get(session: Session, *, camera_id: int, user: User) -> Camera:
    return _visible(session, CameraRepository(session).get(camera_id), user, camera_id)


def _resolve(session: Session, ref: int | str) -> Camera | None:
    repo = CameraRepository(session)
    if isinstance(ref, int) or ref.isdigit():
        return repo.get(int(ref))
    return repo.by_code(ref)


def list_cameras(
    session: Session, *, user: User, kind: CameraKind | None = None, status: CameraStatus | None = None
) -> list[tuple[Camera, int]]:
    """Cameras in the caller's jurisdiction with their count of open alerts (the map's health layer)."""
    repo = CameraRepository(session)
    cameras = repo.in_scope(scope_ids(session, user), kind=kind, status=status)
    counts = repo.open_alert_counts(c.id for c in cameras)
    return [(c, counts.get(c.id, 0)) for c in cameras]


def open_alert_count(session: Session, *, camera: Camera) -> int:
    return CameraRepository(session).open_alert_counts([camera.id]).get(camera.id, 0)


def update(session: Session, *, camera_id: int, patch: CameraPatch, user: User) -> Camera:
    camera = get(session, camera_id=camera_id, user=user)
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    for name, value in changes.items():
        setattr(camera, name, value)
    if changes.get("status") is CameraStatus.MAINTENANCE:
        _resolve_alerts(session, camera, utcnow(), "maintenance")
    session.flush()
    _audit(session, user, "camera.update", camera, changes={k: str(v) for k, v in changes.items()})
    return camera


def record_heartbeat(
    session: Session, *, ref: int | str, at: datetime | None = None, user: User | None = None
) -> Camera:
    """A sign of life; ``user`` (REST) must be able to see the camera, MQTT trusts the broker's ACL."""
    camera = _visible(session, _resolve(session, ref), user, ref)
    now = utcnow()
    seen = min(at or now, now)  # a camera clock running fast must not buy it silence
    if camera.last_heartbeat_at is None or seen > camera.last_heartbeat_at:
        camera.last_heartbeat_at = seen
    if camera.status is CameraStatus.OFFLINE:
        camera.status = CameraStatus.ONLINE
        _resolve_alerts(session, camera, now, "heartbeat")
        events.publish(session, "camera.online", _payload(camera, seen), key=f"camera-{camera.id}")
        _audit(session, user, "camera.online", camera)
    session.flush()
    return camera


def _resolve_alerts(session: Session, camera: Camera, now: datetime, why: str) -> None:
    for alert in CameraRepository(session).open_alerts_of(camera.id):
        alert.resolved_at = now
        alert.details = {**alert.details, "resolved_by": why}


def _payload(camera: Camera, at: datetime) -> dict[str, Any]:
    return {
        "camera_id": camera.id,
        "code": camera.code,
        "kind": camera.kind.value,
        "lon": camera.lon,
        "lat": camera.lat,
        "org_unit_id": camera.org_unit_id,
        "at": at.isoformat(),
        "last_heartbeat_at": camera.last_heartbeat_at.isoformat() if camera.last_heartbeat_at else None,
    }


def check_offline(session: Session, *, now: datetime | None = None) -> list[CameraAlert]:
    """Mark silent cameras offline and raise one alert each; run periodically (idempotent).

    A camera never heard from is measured from its registration.
    """
    now = now or utcnow()
    raised: list[CameraAlert] = []
    for camera in CameraRepository(session).watched():
        last = camera.last_heartbeat_at or camera.created_at
        allowance = timedelta(seconds=camera.heartbeat_interval_s * camera.missed_heartbeats)
        if now - last <= allowance:
            continue
        camera.status = CameraStatus.OFFLINE
        silent_s = int((now - last).total_seconds())
        alert = CameraAlert(
            camera_id=camera.id,
            org_unit_id=camera.org_unit_id,
            kind=AlertKind.OFFLINE,
            raised_at=now,
            details={"silent_s": silent_s, "allowance_s": int(allowance.total_seconds())},
        )
        session.add(alert)
        session.flush()
        payload = {**_payload(camera, now), "alert_id": alert.id, "silent_s": silent_s}
        events.publish(session, "camera.offline", payload, key=f"camera-{camera.id}")
        _audit(session, None, "camera.offline", camera, alert_id=alert.id, silent_s=silent_s)
        raised.append(alert)
    return raised


def list_alerts(
    session: Session, *, user: User, open_only: bool = True, limit: int = 200
) -> list[CameraAlert]:
    return CameraRepository(session).alerts_in_scope(
        scope_ids(session, user), open_only=open_only, limit=limit
    )


def locate(session: Session, refs: Iterable[int | str]) -> dict[int | str, CameraRef]:
    """Cameras by id or code, for other domains; unknown refs are simply absent."""
    ids: set[int] = set()
    codes: set[str] = set()
    for ref in refs:
        if isinstance(ref, int):
            ids.add(ref)
        elif ref.isdigit():
            ids.add(int(ref))
        else:
            codes.add(ref)
    found: dict[int | str, CameraRef] = {}
    for camera_id, code, kind, org_unit_id, lon, lat in CameraRepository(session).refs(ids, codes):
        info = CameraRef(id=camera_id, code=code, kind=kind, org_unit_id=org_unit_id, lon=lon, lat=lat)
        found[camera_id] = found[str(camera_id)] = found[code] = info
    return found


def provision_account(session: Session, *, camera_id: int, actor: User) -> tuple[Camera, User, str]:
    """The camera's machine account (role ``camera``, member of its unit) and a fresh API key."""
    camera = get(session, camera_id=camera_id, user=actor)
    unit = session.get(OrgUnit, camera.org_unit_id)
    assert unit is not None
    account = accounts.get_user(session, user_id=camera.account_user_id) if camera.account_user_id else None
    if account is None:
        account, _ = accounts.create_user(
            session,
            username=f"camera-{camera.code.lower()}"[:80],
            full_name=f"Camera {camera.code} ({camera.name})"[:200],
            password=None,
            roles=[Role.CAMERA],
            units=[unit.code],
            actor=actor,
            is_machine=True,
        )
        camera.account_user_id = account.id
    record, key = issue_api_key(session, user=account, label=f"camera {camera.code}")
    _audit(session, actor, "camera.api_key", camera, api_key_id=record.id, username=account.username)
    return camera, account, key
