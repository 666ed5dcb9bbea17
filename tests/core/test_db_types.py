"""`UTCDateTime` stores the same text on SQLite through its one-step processor as SQLAlchemy's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.dialects import sqlite

from safecity.core.db import UTCDateTime

_DIALECT = sqlite.dialect()
_FAST = UTCDateTime().bind_processor(_DIALECT)
_DATETIME = sqlite.DATETIME().bind_processor(_DIALECT)


def _composed(value: datetime) -> object:
    """What the type stored before: convert to naive UTC, then SQLite DATETIME's own format."""
    assert _DATETIME is not None
    return _DATETIME(UTCDateTime().process_bind_param(value, _DIALECT))


zones = st.one_of(
    st.just(UTC),
    st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)
moments = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30), timezones=zones)


@given(moments)
def test_the_one_step_processor_writes_what_the_composed_one_writes(value: datetime) -> None:
    assert _FAST is not None
    assert _FAST(value) == _composed(value)


def test_whole_seconds_keep_their_microseconds_and_other_zones_are_converted() -> None:
    assert _FAST is not None
    assert _FAST(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) == "2026-11-23 09:00:00.000000"
    karachi = timezone(timedelta(hours=5))
    assert _FAST(datetime(2026, 11, 23, 14, 0, 0, 5, tzinfo=karachi)) == "2026-11-23 09:00:00.000005"
    assert _FAST(None) is None
    london = ZoneInfo("Europe/London")  # a zone object that is not UTC, at offset 0 in winter
    assert _FAST(datetime(2026, 1, 5, 9, 0, tzinfo=london)) == "2026-01-05 09:00:00.000000"
    assert _FAST(datetime(2026, 7, 5, 10, 0, tzinfo=london)) == "2026-07-05 09:00:00.000000"


def test_a_naive_time_is_refused() -> None:
    assert _FAST is not None
    with pytest.raises(ValueError, match="naive"):
        _FAST(datetime(2026, 11, 23, 9, 0))


def test_a_stored_time_reads_back_as_the_same_aware_utc_moment() -> None:
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime()))
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    at = datetime(2026, 11, 23, 14, 30, 1, 250, tzinfo=timezone(timedelta(hours=5)))
    with engine.begin() as connection:
        connection.execute(insert(table).values(id=1, at=at))
        assert connection.scalar(text("SELECT at FROM t")) == "2026-11-23 09:30:01.000250"
        assert connection.scalar(select(table.c.at)) == at.astimezone(UTC)
