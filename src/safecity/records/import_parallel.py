"""Row conversion in worker processes, for registers big enough to be worth it.

Validating a row is pure Python (names, CNIC, dates), so one process is
bound by one core; the reader and the database inserts stay in the parent
while workers convert chunks. Chunks come back in file order, and at most a
few are in flight, so memory stays flat however long the file is. Workers
are spawned (not forked): the parent holds database connections and
threads that a fork would copy.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from safecity.core.org import OrgKind
from safecity.records.import_mapping import Mapping
from safecity.records.import_persons import build_converter
from safecity.records.import_rows import Converted, RowConverter, StoredForm
from safecity.records.import_sources import RawRecord

__all__ = ["ConverterSpec", "converted"]

_CHUNK = 4_000
_IN_FLIGHT_PER_WORKER = 3
_worker_converter: RowConverter | None = None

ConverterSpec = tuple[Mapping, list[str], dict[str, tuple[int, OrgKind]], str, int | None, datetime]


def _build(spec: ConverterSpec) -> RowConverter:
    mapping, header, units, dialect, batch_id, now = spec
    return build_converter(mapping, header, units, StoredForm(dialect), batch_id=batch_id, now=now)


def _init_worker(spec: ConverterSpec) -> None:
    global _worker_converter
    _worker_converter = _build(spec)


def _convert_chunk(chunk: list[tuple[list[str], bool]]) -> list[Converted]:
    assert _worker_converter is not None
    convert = _worker_converter.convert_record
    return [convert(values, undecodable) for values, undecodable in chunk]


def _chunks(records: Iterator[RawRecord]) -> Iterator[list[RawRecord]]:
    chunk: list[RawRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def converted(
    records: Iterator[RawRecord], spec: ConverterSpec, *, workers: int
) -> Iterator[tuple[RawRecord, Converted]]:
    """Each record with its conversion, in file order; ``workers`` > 1 uses that many processes."""
    if workers <= 1:
        convert = _build(spec).convert_record
        for record in records:
            yield record, convert(record.values, record.undecodable)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(spec,)) as pool:
        pending: deque[tuple[list[RawRecord], Any]] = deque()
        for chunk in _chunks(records):
            payload = [(r.values, r.undecodable) for r in chunk]
            pending.append((chunk, pool.apply_async(_convert_chunk, (payload,))))
            if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                done, future = pending.popleft()
                yield from zip(done, future.get(), strict=True)
        while pending:
            done, future = pending.popleft()
            yield from zip(done, future.get(), strict=True)
