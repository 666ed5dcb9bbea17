"""ANPR queries; the only place in this domain that builds SQL.

Reads are written with one Core ``INSERT … ON CONFLICT DO NOTHING`` per
batch (SQLite and PostgreSQL both), so a repeated read is a no-op and no ORM
object is built per row.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Insert, Table, and_, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
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

__all__ = ["AnprRepository", "EntryRow", "ReadKey"]

ReadKey = tuple[int, str, int]  # camera_id, plate_key, at_s
_CHUNK = 2_000
_UNSET = object()
_CHANGES_KEPT = 10_000  # versions of watchlist changes kept; a worker further behind reloads
EntryRow = tuple[int, str, str, str, Any, datetime | None]  # id, plate, list, reason, policy, expiry
_READ_COLUMNS = (
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

    def existing_keys(self, keys: Collection[ReadKey]) -> set[ReadKey]:
        """Which of ``keys`` are stored already (one index range scan per batch)."""
        if not keys:
            return set()
        cameras = {k[0] for k in keys}
        seconds = [k[2] for k in keys]
        stmt = select(AnprRead.camera_id, AnprRead.plate_key, AnprRead.at_s).where(
            AnprRead.camera_id.in_(cameras), AnprRead.at_s.between(min(seconds), max(seconds))
        )
        wanted = set(keys)
        return {key for key in map(tuple, self.session.execute(stmt)) if key in wanted}

    def insert_reads(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert-or-ignore at driver level: plain tuples in stored form, one executemany
        (SQLite) or a COPY and one INSERT … SELECT (PostgreSQL, see `_copy_reads`).

        SQLAlchemy's per-row parameter processing is skipped (it was most of the
        cost); the column types' own bind processors still produce the stored values.
        """
        if not rows:
            return
        connection = self.session.connection()
        dialect = connection.dialect
        table = AnprRead.__table__
        columns = [table.c[name] for name in _READ_COLUMNS]
        processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO anpr_reads ({', '.join(_READ_COLUMNS)}) "
            f"VALUES ({', '.join([marker] * len(columns))}) "
            "ON CONFLICT (camera_id, plate_key, at_s) DO NOTHING"
        )
        # A batch repeats most values of processed columns (one receive time, a few cameras'
        # booleans), so each distinct value is processed once.
        converted: list[tuple[int, Any, dict[Any, Any]]] = [
            (i, p, {}) for i, p in enumerate(processors) if p is not None
        ]
        values: list[tuple[Any, ...]] = []
        for row in rows:
            record = [row[name] for name in _READ_COLUMNS]
            for i, process, done in converted:
                value = record[i]
                stored = done.get(value, _UNSET)
                if stored is _UNSET:
                    stored = done[value] = process(value)
                record[i] = stored
            values.append(tuple(record))
        if dialect.name == "postgresql":
            self._copy_reads(connection.connection.dbapi_connection, values)
            return
        for start in range(0, len(values), _CHUNK):
            connection.exec_driver_sql(sql, values[start : start + _CHUNK])

    @staticmethod
    def _copy_reads(dbapi_connection: Any, values: Sequence[tuple[Any, ...]]) -> None:
        """COPY into a temporary table, then insert what is not stored yet.

        psycopg's executemany sends one prepared statement per row; COPY costs the
        client less than half as much CPU. The temporary table (per connection,
        emptied at commit) has no defaults, so no id is drawn for a duplicate.
        """
        columns = ", ".join(_READ_COLUMNS)
        with dbapi_connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS anpr_reads_incoming ON COMMIT DELETE ROWS "
                f"AS SELECT {columns} FROM anpr_reads WITH NO DATA"
            )
            with cursor.copy(f"COPY anpr_reads_incoming ({columns}) FROM STDIN") as copy:
                for record in values:
                    copy.write_row(record)
            cursor.execute(
                f"INSERT INTO anpr_reads ({columns}) SELECT {columns} FROM anpr_reads_incoming "
                "ON CONFLICT (camera_id, plate_key, at_s) DO NOTHING"
            )
            cursor.execute("TRUNCATE anpr_reads_incoming")

    def read_ids(self, keys: Collection[ReadKey]) -> dict[ReadKey, int]:
        found: dict[ReadKey, int] = {}
        for camera_id, plate_key, at_s in keys:
            rid = self.session.scalar(
                select(AnprRead.id).where(
                    AnprRead.camera_id == camera_id, AnprRead.plate_key == plate_key, AnprRead.at_s == at_s
                )
            )
            if rid is not None:
                found[(camera_id, plate_key, at_s)] = rid
        return found

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

    def insert_hit(self, row: Mapping[str, Any]) -> int | None:
        """The new hit's id, or ``None`` if this read already hit this listed plate."""
        stmt = _insert_ignoring(self.session, AnprHit.__table__, ("read_id", "list_name", "listed_plate"))
        return self.session.scalar(stmt.returning(AnprHit.id), dict(row))

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

    def feedback_of(self, hit_id: int) -> list[HitFeedback]:
        stmt = select(HitFeedback).where(HitFeedback.hit_id == hit_id).order_by(HitFeedback.id)
        return list(self.session.scalars(stmt))
