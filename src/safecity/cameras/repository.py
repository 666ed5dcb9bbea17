"""Camera queries; the only place in this domain that builds SQL."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import Row, bindparam, func, or_, select
from sqlalchemy.orm import Session

from safecity.cameras.models import Camera, CameraAlert, CameraKind, CameraStatus

__all__ = ["CameraRefRow", "CameraRepository"]

CameraRefRow = Row[int, str, CameraKind, int, float, float]  # what `CameraRepository.refs` returns
_REFS = select(Camera.id, Camera.code, Camera.kind, Camera.org_unit_id, Camera.lon, Camera.lat).where(
    or_(Camera.id.in_(bindparam("ids", expanding=True)), Camera.code.in_(bindparam("codes", expanding=True)))
)


class CameraRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, camera_id: int) -> Camera | None:
        return self.session.get(Camera, camera_id)

    def by_code(self, code: str) -> Camera | None:
        return self.session.scalar(select(Camera).where(Camera.code == code))

    def code_taken(self, code: str) -> bool:
        return self.session.scalar(select(Camera.id).where(Camera.code == code)) is not None

    def refs(self, ids: Collection[int], codes: Collection[str]) -> list[CameraRefRow]:
        """(id, code, kind, org unit, lon, lat) of the cameras with these ids or codes, in one query.

        Plain columns, not `Camera` objects, and one statement built once: ANPR ingest asks
        this for every batch, and building full ORM objects (or the IN lists' literals)
        cost more than the query.
        """
        if not ids and not codes:
            return []
        return list(self.session.execute(_REFS, {"ids": list(ids), "codes": list(codes)}))

    def in_scope(
        self,
        scope: Collection[int],
        *,
        kind: CameraKind | None = None,
        status: CameraStatus | None = None,
    ) -> list[Camera]:
        stmt = select(Camera).where(Camera.org_unit_id.in_(scope)).order_by(Camera.code)
        if kind is not None:
            stmt = stmt.where(Camera.kind == kind)
        if status is not None:
            stmt = stmt.where(Camera.status == status)
        return list(self.session.scalars(stmt))

    def watched(self) -> list[Camera]:
        """Cameras expected to be talking: every one not in maintenance or already offline."""
        return list(self.session.scalars(select(Camera).where(Camera.status == CameraStatus.ONLINE)))

    def open_alert_counts(self, camera_ids: Iterable[int]) -> dict[int, int]:
        ids = list(camera_ids)
        if not ids:
            return {}
        stmt = (
            select(CameraAlert.camera_id, func.count())
            .where(CameraAlert.camera_id.in_(ids), CameraAlert.resolved_at.is_(None))
            .group_by(CameraAlert.camera_id)
        )
        return {int(cid): int(n) for cid, n in self.session.execute(stmt)}

    def open_alerts_of(self, camera_id: int) -> list[CameraAlert]:
        stmt = select(CameraAlert).where(
            CameraAlert.camera_id == camera_id, CameraAlert.resolved_at.is_(None)
        )
        return list(self.session.scalars(stmt))

    def alerts_in_scope(self, scope: Collection[int], *, open_only: bool, limit: int) -> list[CameraAlert]:
        stmt = (
            select(CameraAlert)
            .where(CameraAlert.org_unit_id.in_(scope))
            .order_by(CameraAlert.raised_at.desc(), CameraAlert.id.desc())
            .limit(limit)
        )
        if open_only:
            stmt = stmt.where(CameraAlert.resolved_at.is_(None))
        return list(self.session.scalars(stmt))
