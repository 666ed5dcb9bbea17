"""ANPR queries; the only place in this domain that builds SQL.

Reads are written with one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` per
batch (SQLite and PostgreSQL both): a repeated read is a no-op, the new reads
come back with their ids (no query before or after), and no ORM object is
built per row.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from itertools import chain
from typing import Any, cast

from sqlalchemy import Insert, Table, and_, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from safecity.anpr.models import (
    AnprHit,
    AnprRead,
    HitFeedback,
    WatchlistChange,
    WatchlistEntry,
    WatchlistList,
    WatchlistState,
)
from safecity.core.db import utcnow

__all__ = ["READ_COLUMNS", "AnprRepository", "EntryRow", "ReadKey"]

ReadKey = tuple[int, str, int]  # camera_id, plate_key, at_s
_CHUNK = 500  # rows per SQLite statement: 6,500 parameters, one cached statement
_CHANGES_KEPT = 10_000  # versions of watchlist changes kept; a worker further behind reloads
EntryRow = tuple[int, str, str, str, Any, datetime | None]  # id, plate, list, reason, policy, expiry
READ_COLUMNS = (
    "camera_id",
    "org_unit_id",
    "at",
    "at_s",
    "plate_key",
    "plate",
    "raw_text",
    "confidence",
    "invalid_plate",
    "invalid_reason",
    "source",
    "from_image",
    "received_at",
)
_READ_TABLE_COLUMNS = [cast(Table, AnprRead.__table__).c[name] for name in READ_COLUMNS]
_NEW_READ_RETURNING = "RETURNING camera_id, plate_key, at_s, id"


@lru_cache(maxsize=8)
def _values_sql(n_rows: int) -> str:
    """SQLite: one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING (the inserted rows only)."""
    row = f"({', '.join(['?'] * len(READ_COLUMNS))})"
    return (
        f"INSERT INTO anpr_reads ({', '.join(READ_COLUMNS)}) VALUES {', '.join([row] * n_rows)} "
        f"ON CONFLICT (camera_id, plate_key, at_s) DO NOTHING {_NEW_READ_RETURNING}"
    )


_unnest_sql_of: dict[str, str] = {}


def _unnest_sql(dialect: Dialect) -> str:
    """PostgreSQL: the batch as one array per column, unnested into rows by the server.

    One statement whatever the batch size; psycopg sends each array as one parameter.
    """
    if dialect.name in _unnest_sql_of:
        return _unnest_sql_of[dialect.name]
    # Element types without a length: an explicit cast to VARCHAR(n) would truncate silently.
    types = [re.sub(r"\(\d+\)", "", column.type.compile(dialect)) for column in _READ_TABLE_COLUMNS]
    arrays = ", ".join(f"%b::{name}[]" for name in types)
    sql = _unnest_sql_of[dialect.name] = (
        f"INSERT INTO anpr_reads ({', '.join(READ_COLUMNS)}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT (camera_id, plate_key, at_s) DO NOTHING {_NEW_READ_RETURNING}"
    )
    return sql


def _insert_ignoring(session: Session, table: Any, conflict: Sequence[str]) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    raise NotImplementedError(f"insert-or-ignore is not implemented for {dialect}")


def _unlinked(cutoff: datetime) -> Any:
    no_hit = ~exists().where(AnprHit.read_id == AnprRead.id)
    return and_(AnprRead.at < cutoff, AnprRead.case_ref.is_(None), no_hit)


class AnprRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # reads

    def insert_reads(self, rows: Sequence[Sequence[Any]]) -> dict[ReadKey, int]:
        """Insert-or-ignore rows (values in `READ_COLUMNS` order); returns the new rows' ids
        by key, so a read stored before (or by a concurrent worker) is simply absent.

        One statement per batch, at driver level: SQLAlchemy's per-row parameter
        handling was most of the cost. The column types' own bind processors still
        make the stored values, once per distinct value of each column.
        """
        if not rows:
            return {}
        connection = self.session.connection()
        dialect = connection.dialect
        columns = [list(column) for column in zip(*rows, strict=True)]
        for i, column in enumerate(_READ_TABLE_COLUMNS):
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                stored = {value: process(value) for value in set(columns[i])}
                columns[i] = list(map(stored.__getitem__, columns[i]))
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            if dialect.name == "postgresql":
                cursor.execute(_unnest_sql(dialect), columns)
                return {(c, k, s): i for c, k, s, i in cursor.fetchall()}
            if dialect.name != "sqlite":
                raise NotImplementedError(f"read insert is not implemented for {dialect.name}")
            records = list(zip(*columns, strict=True))
            found: dict[ReadKey, int] = {}
            limit = dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            per = max(1, min(_CHUNK, limit // len(READ_COLUMNS)))  # builds before 3.32 allow 999
            for start in range(0, len(records), per):
                chunk = records[start : start + per]
                cursor.execute(_values_sql(len(chunk)), list(chain.from_iterable(chunk)))
                found.update({(c, k, s): i for c, k, s, i in cursor.fetchall()})
            return found
        finally:
            cursor.close()

    def get_read(self, read_id: int) -> AnprRead | None:
        return self.session.get(AnprRead, read_id)

    def search_reads(
        self,
        scope: Collection[int],
        *,
        plate_keys: Collection[str],
        since: datetime | None,
        until: datetime | None,
        camera_id: int | None,
        limit: int,
    ) -> list[AnprRead]:
        stmt = select(AnprRead).where(AnprRead.org_unit_id.in_(scope))
        if plate_keys:
            stmt = stmt.where(AnprRead.plate_key.in_(plate_keys))
        if since is not None:
            stmt = stmt.where(AnprRead.at >= since)
        if until is not None:
            stmt = stmt.where(AnprRead.at < until)
        if camera_id is not None:
            stmt = stmt.where(AnprRead.camera_id == camera_id)
        stmt = stmt.order_by(AnprRead.at.desc(), AnprRead.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))

    def reads_by_ids(self, ids: Collection[int]) -> list[AnprRead]:
        return list(self.session.scalars(select(AnprRead).where(AnprRead.id.in_(ids))))

    def link_case(self, ids: Collection[int], case_ref: str) -> int:
        result = self.session.execute(update(AnprRead).where(AnprRead.id.in_(ids)).values(case_ref=case_ref))
        return int(getattr(result, "rowcount", 0) or 0)

    # retention

    def count_purgeable(self, cutoff: datetime) -> int:
        return int(
            self.session.scalar(select(func.count()).select_from(AnprRead).where(_unlinked(cutoff))) or 0
        )

    def count_kept_linked(self, cutoff: datetime) -> int:
        old = select(func.count()).select_from(AnprRead).where(AnprRead.at < cutoff)
        return int(self.session.scalar(old) or 0) - self.count_purgeable(cutoff)

    def delete_purgeable(self, cutoff: datetime) -> int:
        result = self.session.execute(
            delete(AnprRead).where(_unlinked(cutoff)).execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # watchlists

    def list_by_name(self, name: str) -> WatchlistList | None:
        return self.session.scalar(select(WatchlistList).where(WatchlistList.name == name))

    def get_list(self, watchlist_id: int) -> WatchlistList | None:
        return self.session.get(WatchlistList, watchlist_id)

    def lists(self) -> list[WatchlistList]:
        return list(self.session.scalars(select(WatchlistList).order_by(WatchlistList.name)))

    def entry(self, watchlist_id: int, plate: str) -> WatchlistEntry | None:
        stmt = select(WatchlistEntry).where(
            WatchlistEntry.watchlist_id == watchlist_id, WatchlistEntry.plate == plate
        )
        return self.session.scalar(stmt)

    def get_entry(self, entry_id: int) -> WatchlistEntry | None:
        return self.session.get(WatchlistEntry, entry_id)

    def entries_in_scope(self, watchlist_id: int, scope: Collection[int], limit: int) -> list[WatchlistEntry]:
        stmt = (
            select(WatchlistEntry)
            .where(WatchlistEntry.watchlist_id == watchlist_id, WatchlistEntry.org_unit_id.in_(scope))
            .order_by(WatchlistEntry.plate)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def _entry_rows(self, now: datetime) -> Any:
        return (
            select(
                WatchlistEntry.id,
                WatchlistEntry.plate,
                WatchlistList.name,
                WatchlistEntry.reason,
                WatchlistList.policy,
                WatchlistEntry.expires_at,
            )
            .join(WatchlistList, WatchlistList.id == WatchlistEntry.watchlist_id)
            .where((WatchlistEntry.expires_at.is_(None)) | (WatchlistEntry.expires_at > now))
        )

    def active_entries(self, now: datetime) -> list[EntryRow]:
        """(entry id, plate, list name, reason, policy, expiry) of every unexpired entry."""
        return [tuple(row) for row in self.session.execute(self._entry_rows(now))]

    def active_entries_of(self, plates: Collection[str], now: datetime) -> list[EntryRow]:
        """`active_entries` of these plates only."""
        found: list[EntryRow] = []
        wanted = sorted(plates)
        for start in range(0, len(wanted), 500):
            stmt = self._entry_rows(now).where(WatchlistEntry.plate.in_(wanted[start : start + 500]))
            found += [tuple(row) for row in self.session.execute(stmt)]
        return found

    def watchlist_state(self) -> tuple[int, str] | None:
        """(version, token) of the watchlists, None before any change."""
        stmt = select(WatchlistState.version, WatchlistState.token).where(WatchlistState.id == 1)
        row = self.session.execute(stmt).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def watchlist_changes(self, since: int) -> list[tuple[int, str, str, str | None]]:
        """(version, token, list, plate) of the changes from version ``since`` on, oldest first."""
        stmt = (
            select(
                WatchlistChange.version,
                WatchlistChange.token,
                WatchlistChange.list_name,
                WatchlistChange.plate,
            )
            .where(WatchlistChange.version >= since)
            .order_by(WatchlistChange.version, WatchlistChange.id)
        )
        return [(int(v), str(t), str(n), p) for v, t, n, p in self.session.execute(stmt)]

    def touch_watchlists(self, list_name: str, plate: str | None) -> int:
        """Log a change of ``plate`` on ``list_name`` (None: the list itself) in the caller's
        transaction, under a new version and token; returns the version.

        The UPDATE holds the state row's lock until commit, so versions commit in order.
        """
        token = secrets.token_hex(16)
        now = utcnow()
        stmt = _insert_ignoring(self.session, WatchlistState.__table__, ("id",))
        self.session.execute(stmt, [{"id": 1, "token": token, "version": 0, "changed_at": now}])
        table = cast(Table, WatchlistState.__table__)
        bump = (
            update(table)
            .where(table.c.id == 1)
            .values(token=token, version=table.c.version + 1, changed_at=now)
            .returning(table.c.version)
        )
        version = int(self.session.execute(bump).scalar_one())
        changes = cast(Table, WatchlistChange.__table__)
        self.session.execute(
            changes.insert().values(version=version, token=token, list_name=list_name, plate=plate)
        )
        self.session.execute(delete(changes).where(changes.c.version < version - _CHANGES_KEPT))
        return version

    # hits

    def insert_hits(self, rows: Sequence[Mapping[str, Any]]) -> dict[tuple[int, str, str], int]:
        """Insert-or-ignore hits; the new ones' ids by (read id, list, listed plate).

        A hit already stored (a concurrent worker stored the same read and hit) is absent.
        """
        if not rows:
            return {}
        stmt = _insert_ignoring(self.session, AnprHit.__table__, ("read_id", "list_name", "listed_plate"))
        returning = stmt.returning(AnprHit.read_id, AnprHit.list_name, AnprHit.listed_plate, AnprHit.id)
        result = self.session.execute(returning, [dict(row) for row in rows])
        return {(int(r), str(n), str(p)): int(i) for r, n, p, i in result}

    def hits_by_ids(self, ids: Collection[int]) -> list[AnprHit]:
        return list(self.session.scalars(select(AnprHit).where(AnprHit.id.in_(ids)).order_by(AnprHit.id)))

    def get_hit(self, hit_id: int) -> AnprHit | None:
        return self.session.get(AnprHit, hit_id)

    def hits_in_scope(self, scope: Collection[int], *, status: Any, limit: int) -> list[AnprHit]:
        stmt = select(AnprHit).where(AnprHit.org_unit_id.in_(scope))
        if status is not None:
            stmt = stmt.where(AnprHit.status == status)
        stmt = stmt.order_by(AnprHit.at.desc(), AnprHit.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))

    def entry_reasons(self, entry_ids: Collection[int], scope: Collection[int]) -> dict[int, str]:
        """The reasons of those entries whose owning unit is in ``scope``, by entry id."""
        if not entry_ids:
            return {}
        stmt = select(WatchlistEntry.id, WatchlistEntry.reason).where(
            WatchlistEntry.id.in_(entry_ids), WatchlistEntry.org_unit_id.in_(scope)
        )
        return {int(i): str(r) for i, r in self.session.execute(stmt)}

    def feedback_of(self, hit_id: int) -> list[HitFeedback]:
        stmt = select(HitFeedback).where(HitFeedback.hit_id == hit_id).order_by(HitFeedback.id)
        return list(self.session.scalars(stmt))
