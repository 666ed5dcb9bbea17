"""Queries over units and their tracks (the only SQL of the domain).

`claim` is the one place a unit becomes busy: a conditional UPDATE whose
row count says whether this transaction won the unit, so two dispatchers
racing for it on PostgreSQL cannot both succeed (the loser's UPDATE waits on
the row lock, re-reads the status, and matches nothing).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Table, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from safecity.core.org import AgencyType
from safecity.units.models import Unit, UnitKind, UnitPosition, UnitStatus

__all__ = ["UnitHead", "UnitRepository"]

UnitHead = Row[int, str, UnitStatus, int, datetime | None]
"""``id, call_sign, status, home_station_id, position_at`` of a unit."""


class UnitRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def in_scope(self, unit_id: int, scope: Collection[int]) -> Unit | None:
        return self.session.scalar(select(Unit).where(Unit.id == unit_id, Unit.home_station_id.in_(scope)))

    def by_ids(self, unit_ids: Collection[int]) -> list[Unit]:
        return list(self.session.scalars(select(Unit).where(Unit.id.in_(list(unit_ids)))))

    def existing_ids(self, unit_ids: Collection[int]) -> set[int]:
        return set(self.session.scalars(select(Unit.id).where(Unit.id.in_(list(unit_ids)))))

    def by_call_sign(self, call_sign: str) -> Unit | None:
        return self.session.scalar(select(Unit).where(Unit.call_sign == call_sign))

    def listing(
        self,
        scope: Collection[int],
        *,
        statuses: Sequence[UnitStatus] | None = None,
        agencies: Sequence[AgencyType] | None = None,
        kinds: Sequence[UnitKind] | None = None,
    ) -> list[Unit]:
        stmt = select(Unit).where(Unit.home_station_id.in_(scope))
        if statuses:
            stmt = stmt.where(Unit.status.in_(list(statuses)))
        if agencies:
            stmt = stmt.where(Unit.agency.in_(list(agencies)))
        if kinds:
            stmt = stmt.where(Unit.kind.in_(list(kinds)))
        return list(self.session.scalars(stmt.order_by(Unit.call_sign)))

    def claim(self, unit_id: int, *, to: UnitStatus, at: datetime) -> bool:
        """Atomically move an *available* unit to ``to``; False if someone else got there first."""
        stmt = (
            update(Unit)
            .where(Unit.id == unit_id, Unit.status == UnitStatus.AVAILABLE)
            .values(status=to, status_since=at)
            .execution_options(synchronize_session=False)
        )
        result: CursorResult[Any] = self.session.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1

    def heads(self, unit_ids: Collection[int]) -> list[UnitHead]:
        """What a position event needs of each unit, without loading ORM objects (the AVL hot path)."""
        stmt = select(Unit.id, Unit.call_sign, Unit.status, Unit.home_station_id, Unit.position_at)
        return list(self.session.execute(stmt.where(Unit.id.in_(list(unit_ids)))).all())

    def add_positions(self, rows: Sequence[dict[str, Any]]) -> None:
        """One executemany INSERT (multi-row VALUES where the driver allows) for a batch of fixes."""
        if rows:
            self.session.execute(insert(UnitPosition.__table__), list(rows))  # type: ignore[arg-type]

    def move(self, rows: Sequence[dict[str, Any]]) -> None:
        """Set each unit's last position (keys ``uid, lon, lat, speed_kph, heading, at``) in one
        executemany UPDATE; the guard on ``position_at`` means a concurrent writer's newer fix is
        never overwritten by an older one, whoever commits first."""
        if not rows:
            return
        table = cast(Table, Unit.__table__)
        stmt = (
            update(table)
            .where(
                table.c.id == bindparam("uid"),
                or_(table.c.position_at.is_(None), table.c.position_at < bindparam("at")),
            )
            .values(
                lon=bindparam("lon"),
                lat=bindparam("lat"),
                speed_kph=bindparam("speed_kph"),
                heading=bindparam("heading"),
                position_at=bindparam("at"),
            )
        )
        self.session.execute(stmt, list(rows))

    def track(self, unit_id: int, *, since: datetime | None, limit: int) -> list[UnitPosition]:
        stmt = select(UnitPosition).where(UnitPosition.unit_id == unit_id)
        if since is not None:
            stmt = stmt.where(UnitPosition.at >= since)
        stmt = stmt.order_by(UnitPosition.at.desc(), UnitPosition.id.desc()).limit(limit)
        return list(reversed(list(self.session.scalars(stmt))))
