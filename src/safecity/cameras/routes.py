"""HTTP API of the camera registry: the map's camera layer, registration, heartbeats."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from safecity.cameras import service
from safecity.cameras.models import CameraKind, CameraStatus
from safecity.cameras.schemas import AlertOut, CameraIn, CameraKeyOut, CameraOut, CameraPatch, HeartbeatIn
from safecity.core.auth import Role, User
from safecity.core.http import DbSession, get_settings, require

router = APIRouter(prefix="/api/cameras", tags=["cameras"])

Staff = Annotated[
    User,
    Depends(
        require(
            Role.ADMIN,
            Role.SUPERVISOR,
            Role.DISPATCHER,
            Role.OPERATOR,
            Role.OFFICER,
            Role.ANALYST,
            Role.TRAFFIC_OFFICER,
        )
    ),
]
Manager = Annotated[User, Depends(require(Role.ADMIN, Role.SUPERVISOR))]
CameraAccount = Annotated[User, Depends(require(Role.CAMERA, Role.ADMIN))]


def _out(camera: object, open_alerts: int) -> CameraOut:
    return CameraOut.model_validate(camera).model_copy(update={"open_alerts": open_alerts})


@router.get("")
def list_cameras(
    user: Staff, session: DbSession, kind: CameraKind | None = None, status: CameraStatus | None = None
) -> list[CameraOut]:
    """The camera layer of the map: every camera in the caller's jurisdiction with its health."""
    return [_out(c, n) for c, n in service.list_cameras(session, user=user, kind=kind, status=status)]


@router.post("", status_code=201)
def register_camera(body: CameraIn, request: Request, user: Manager, session: DbSession) -> CameraOut:
    bbox = get_settings(request).jurisdiction_bbox
    return _out(service.register(session, body=body, actor=user, bbox=bbox), 0)


@router.get("/alerts")
def list_alerts(user: Staff, session: DbSession, open_only: bool = True, limit: int = 200) -> list[AlertOut]:
    alerts = service.list_alerts(session, user=user, open_only=open_only, limit=min(max(limit, 1), 1000))
    return [AlertOut.model_validate(a) for a in alerts]


@router.get("/{camera_id}")
def get_camera(camera_id: int, user: Staff, session: DbSession) -> CameraOut:
    camera = service.get(session, camera_id=camera_id, user=user)
    return _out(camera, service.open_alert_count(session, camera=camera))


@router.patch("/{camera_id}")
def update_camera(camera_id: int, body: CameraPatch, user: Manager, session: DbSession) -> CameraOut:
    camera = service.update(session, camera_id=camera_id, patch=body, user=user)
    return _out(camera, service.open_alert_count(session, camera=camera))


@router.post("/{camera_id}/heartbeat")
def heartbeat(
    camera_id: int, user: CameraAccount, session: DbSession, body: HeartbeatIn | None = None
) -> CameraOut:
    camera = service.record_heartbeat(session, ref=camera_id, at=body.at if body else None, user=user)
    return _out(camera, service.open_alert_count(session, camera=camera))


@router.post("/{camera_id}/api-key", status_code=201)
def issue_camera_key(camera_id: int, user: Manager, session: DbSession) -> CameraKeyOut:
    camera, account, key = service.provision_account(session, camera_id=camera_id, actor=user)
    return CameraKeyOut(camera_id=camera.id, username=account.username, key=key)
