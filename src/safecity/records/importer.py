"""Digitisation import of legacy registers: validate every row, bulk-insert the good ones.

Nothing is silently dropped: each row is either accepted (inserted, or
already present from an earlier run) or rejected with its row number, the
field and column at fault, the reason and its original cells, written to a
reject CSV the records branch can correct and re-import.

Re-running a file creates nothing new: persons are keyed on their CNIC, or
without one on a hash of the normalised row (`person_source_key`); FIRs on
station + year + number. Inserts go to the driver in batches
(``INSERT OR IGNORE`` / ``ON CONFLICT DO NOTHING``), not through the ORM, so
the unique keys themselves decide what is new. The whole import is one
transaction (the CLI commits), recorded as an `ImportBatch` and one audit
entry carrying the file's SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit
from safecity.core.auth import User
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput
from safecity.core.org import OrgKind, OrgUnit
from safecity.records.import_mapping import Mapping
from safecity.records.import_parallel import ConverterSpec, converted
from safecity.records.import_rows import FIR_COLUMNS, PERSON_COLUMNS, Problem
from safecity.records.import_sources import RawRecord, open_register
from safecity.records.models import Fir, ImportBatch, Person

__all__ = ["ImportResult", "Reject", "import_register"]

_KEPT_REJECTS = 10_000
_PARALLEL_BYTES = 8 << 20
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Reject:
    row: int
    field: str
    column: str
    reason: str


@dataclass
class ImportResult:
    file: str
    target: str
    rows: int = 0
    accepted: int = 0
    inserted: int = 0
    rejected: int = 0
    fallback_lines: int = 0
    dry_run: bool = False
    batch_id: int | None = None
    reject_file: Path | None = None
    rejects: list[Reject] = field(default_factory=list)  # the first 10,000 problems; all are in the file

    @property
    def already_present(self) -> int:
        return 0 if self.dry_run else self.accepted - self.inserted


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_columns(mapping: Mapping, header: list[str], path: Path) -> None:
    for column, name in mapping.columns.items():
        if column not in header and column not in mapping.optional_columns:
            shown = ", ".join(repr(h) for h in header)
            raise InvalidInput(
                f"column {column!r} (mapped to {name}) is missing from {path.name}; its header has: {shown}",
                field=column,
            )


def _insert_sql(dialect: str, table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    if dialect == "sqlite":
        return f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"


class _RejectWriter:
    def __init__(self, path: Path | None, header: list[str], result: ImportResult) -> None:
        self.path, self.header, self.result = path, header, result
        self._handle: IO[str] | None = None
        self._writer: Any = None

    def add(self, record: RawRecord, problems: list[Problem]) -> None:
        self.result.rejected += 1
        if self.path is not None and self._writer is None:
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["row", "field", "column", "reason", *self.header])
        for name, column, reason in problems:
            if len(self.result.rejects) < _KEPT_REJECTS:
                self.result.rejects.append(Reject(record.row, name, column, reason))
            if self._writer is not None:
                self._writer.writerow([record.row, name, column, reason, *record.values])

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self.result.reject_file = self.path


def _units(session: Session) -> dict[str, tuple[int, OrgKind]]:
    rows = session.execute(select(OrgUnit.code, OrgUnit.id, OrgUnit.kind))
    return {str(code): (int(uid), OrgKind(kind)) for code, uid, kind in rows}


def _start_batch(session: Session, path: Path, mapping: Mapping, actor: User | None) -> ImportBatch:
    batch = ImportBatch(
        file_name=path.name,
        file_sha256=_file_sha256(path),
        target=mapping.target,
        actor=actor.username if actor else "system",
    )
    session.add(batch)
    session.flush()
    return batch


def _finish(session: Session, batch: ImportBatch, result: ImportResult, actor: User | None) -> None:
    batch.accepted, batch.inserted, batch.rejected = result.accepted, result.inserted, result.rejected
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="records.import",
        object_type="import_batch",
        object_id=str(batch.id),
        personal_data=True,
        purpose="digitisation of a legacy register",
        details={
            "file": batch.file_name,
            "sha256": batch.file_sha256,
            "target": batch.target,
            "accepted": result.accepted,
            "inserted": result.inserted,
            "rejected": result.rejected,
        },
    )


def import_register(
    session: Session,
    *,
    path: Path,
    mapping: Mapping,
    dry_run: bool = False,
    reject_path: Path | None = None,
    actor: User | None = None,
    on_progress: Progress | None = None,
    batch_size: int = 20_000,
    now: datetime | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Import ``path`` read with ``mapping``; flushes, never commits (the caller's edge does).

    ``workers``: processes converting rows. By default rows are converted in
    this process: on a two-core machine, worker processes measured no faster
    (the parent's reading and inserting already fill a core, and pickling rows
    both ways costs about what converting them does); with four or more cores,
    files above 8 MB get one worker per spare core, up to four.
    """
    source = open_register(
        path, encodings=mapping.encodings, delimiter=mapping.delimiter, sheet=mapping.sheet
    )
    _check_columns(mapping, source.header, path)
    result = ImportResult(file=str(path), target=mapping.target, dry_run=dry_run)
    dialect = session.get_bind().dialect.name
    batch = None if dry_run else _start_batch(session, path, mapping, actor)
    spec: ConverterSpec = (
        mapping,
        source.header,
        _units(session),
        dialect,
        batch.id if batch else None,
        now or utcnow(),
    )
    if mapping.target == "persons":
        sql = _insert_sql(dialect, Person.__tablename__, PERSON_COLUMNS)
    else:
        sql = _insert_sql(dialect, Fir.__tablename__, FIR_COLUMNS)
    connection = session.connection()
    if dialect == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB: random-key index inserts
    rejects = _RejectWriter(reject_path, source.header, result)
    pending: list[tuple[Any, ...]] = []
    if workers is None:
        cores = os.cpu_count() or 1
        workers = min(cores - 1, 4) if cores >= 4 and path.stat().st_size > _PARALLEL_BYTES else 1

    def flush() -> None:
        if pending and not dry_run:
            outcome = connection.exec_driver_sql(sql, pending)
            result.inserted += outcome.rowcount if outcome.rowcount >= 0 else 0
        pending.clear()
        if on_progress is not None:
            on_progress(source.progress[0], source.total)

    try:
        for record, outcome in converted(source.records, spec, workers=workers):
            result.rows += 1
            if isinstance(outcome, list):
                rejects.add(record, outcome)
                continue
            result.accepted += 1
            pending.append(outcome)
            if len(pending) >= batch_size:
                flush()
        flush()
    finally:
        rejects.close()
    result.fallback_lines = source.fallback_lines[0]
    if batch is not None:
        result.batch_id = batch.id
        _finish(session, batch, result, actor)
    return result
