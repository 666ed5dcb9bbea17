"""Queries over units and their tracks (the only SQL of the domain).

`claim` is the one place a unit becomes busy: a conditional UPDATE whose
row count says whether this transaction won the unit, so two dispatchers
racing for it on PostgreSQL cannot both succeed (the loser's UPDATE waits on
the row lock, re-reads the status, and matches nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Table, bindparam, insert, or_, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

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
        """Insert a batch of fixes (keys: the `UnitPosition` columns but ``id``) in one executemany."""
        if rows:
            _executemany(self.session, _insert_positions, rows)

    def move(self, rows: Sequence[dict[str, Any]]) -> None:
        """Set each unit's last position (keys ``uid, lon, lat, speed_kph, heading, at``) in one
        executemany UPDATE; the guard on ``position_at`` means a concurrent writer's newer fix is
        never overwritten by an older one, whoever commits first."""
        if rows:
            _executemany(self.session, _move_units, rows)

    def track(self, unit_id: int, *, since: datetime | None, limit: int) -> list[UnitPosition]:
        stmt = select(UnitPosition).where(UnitPosition.unit_id == unit_id)
        if since is not None:
            stmt = stmt.where(UnitPosition.at >= since)
        stmt = stmt.order_by(UnitPosition.at.desc(), UnitPosition.id.desc()).limit(limit)
        return list(reversed(list(self.session.scalars(stmt))))


_POSITION_COLUMNS = ("unit_id", "lon", "lat", "speed_kph", "heading", "at", "received_at")


def _insert_positions() -> tuple[UpdateBase, Sequence[str] | None]:
    return insert(UnitPosition.__table__).inline(), _POSITION_COLUMNS  # type: ignore[arg-type]


def _move_units() -> tuple[UpdateBase, Sequence[str] | None]:
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
    return stmt, None


_UNSET = object()
_Statement = Callable[[], tuple[UpdateBase, Sequence[str] | None]]
_Prepared = tuple[str, tuple[str, ...] | None, dict[str, Callable[[Any], Any]]]
_prepared: dict[tuple[_Statement, str], _Prepared] = {}


def _prepare(make: _Statement, dialect: Dialect) -> _Prepared:
    """The statement as the driver takes it: SQL text, parameter order (positional drivers) and
    each parameter's bind processor (the column type's own conversion, e.g. UTC times)."""
    key = (make, dialect.name)
    if key not in _prepared:
        stmt, columns = make()
        compiled = stmt.compile(dialect=dialect, column_keys=list(columns) if columns else None)
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        order = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        _prepared[key] = (str(compiled), order, processors)
    return _prepared[key]


def _executemany(session: Session, make: _Statement, rows: Sequence[dict[str, Any]]) -> None:
    """One driver-level executemany of ``make()`` over ``rows``.

    The AVL hot path: SQLAlchemy's per-row parameter handling cost more than
    the database itself spends on these small rows. The statement is still
    built and compiled by SQLAlchemy, once per dialect, and every value goes
    through its column type's bind processor, so what is stored is exactly
    what a Core or ORM write would store.
    """
    connection = session.connection()
    sql, order, processors = _prepare(make, connection.dialect)
    if order is None:  # a driver with named parameters takes the rows as they are, converted
        named = [dict(row) for row in rows]
        for name, processor in processors.items():
            _convert(named, name, processor)
        connection.exec_driver_sql(sql, named)
        return
    if len(order) > 1:
        values = [list(row) for row in map(itemgetter(*order), rows)]
    else:
        values = [[row[order[0]]] for row in rows]
    for name, processor in processors.items():
        for index in (i for i, key in enumerate(order) if key == name):
            _convert(values, index, processor)
    connection.exec_driver_sql(sql, list(map(tuple, values)))


def _convert(rows: Sequence[Any], key: Any, processor: Callable[[Any], Any]) -> None:
    """Apply a bind processor to one column of every row, once per run of the same value
    (one receipt time for the whole batch is converted once)."""
    last_in: Any = _UNSET
    last_out: Any = None
    for row in rows:
        value = row[key]
        if value is not last_in:
            last_in, last_out = value, processor(value)
        row[key] = last_out
