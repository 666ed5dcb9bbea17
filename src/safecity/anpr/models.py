"""Stored plate reads, watchlists and the hits between them.

A read is personal data: it says where a car was, and so where a person
probably was. Reads are kept for a limited time (see `retention`) unless a
hit or a case needs them. ``plate_key`` is what a read is deduplicated and
searched on: the canonical plate, or for a flagged read its cleaned raw text.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base, enum_type, utcnow

__all__ = [
    "AnprHit",
    "AnprRead",
    "HitFeedback",
    "HitStatus",
    "ListPolicy",
    "Verdict",
    "WatchlistChange",
    "WatchlistEntry",
    "WatchlistList",
    "WatchlistState",
]

_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class ListPolicy(enum.StrEnum):
    ALERT_ONLY = "alert_only"
    OPEN_INCIDENT = "open_incident"


class HitStatus(enum.StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    MISREAD = "misread"


class Verdict(enum.StrEnum):
    CONFIRMED = "confirmed"
    MISREAD = "misread"


class AnprRead(Base):
    __tablename__ = "anpr_reads"
    __table_args__ = (
        UniqueConstraint("camera_id", "plate_key", "at_s", name="uq_anpr_reads_camera_plate_second"),
        Index("ix_anpr_reads_plate_key_at", "plate_key", "at"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="RESTRICT"))
    org_unit_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(index=True)
    # Whole seconds since the epoch: the duplicate key ("same camera, plate, second").
    at_s: Mapped[int] = mapped_column(BigInteger)
    plate_key: Mapped[str] = mapped_column(String(64))
    plate: Mapped[str | None] = mapped_column(String(16))
    raw_text: Mapped[str] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    invalid_plate: Mapped[bool] = mapped_column(Boolean, default=False)
    invalid_reason: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(8))
    from_image: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    case_ref: Mapped[str | None] = mapped_column(String(64), index=True)


class WatchlistList(Base):
    __tablename__ = "anpr_watchlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    policy: Mapped[ListPolicy] = mapped_column(enum_type(ListPolicy, 20))
    description: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchlistEntry(Base):
    __tablename__ = "anpr_watchlist_entries"
    __table_args__ = (UniqueConstraint("watchlist_id", "plate", name="uq_anpr_watchlist_entries_list_plate"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("anpr_watchlists.id", ondelete="CASCADE"))
    plate: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    expires_at: Mapped[datetime | None]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchlistState(Base):
    """One row whose token changes with every watchlist change, so each worker knows to catch up.

    ``version`` counts changes: every change updates this row, so writers queue on its
    lock and versions become visible in order, and a worker fetches only the changes
    after its own. ``token`` is random, because a rolled-back change does reuse a
    version: a worker that saw it (in that same transaction) finds the token of its
    version changed and reloads everything.
    """

    __tablename__ = "anpr_watchlist_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchlistChange(Base):
    """A plate whose entry on a list changed at ``version`` (no plate: the whole list changed)."""

    __tablename__ = "anpr_watchlist_changes"

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(BigInteger, index=True)
    token: Mapped[str] = mapped_column(String(32))
    list_name: Mapped[str] = mapped_column(String(60))
    plate: Mapped[str | None] = mapped_column(String(16))


class AnprHit(Base):
    __tablename__ = "anpr_hits"
    __table_args__ = (
        UniqueConstraint("read_id", "list_name", "listed_plate", name="uq_anpr_hits_read_list_plate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    read_id: Mapped[int] = mapped_column(ForeignKey("anpr_reads.id", ondelete="RESTRICT"), index=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("anpr_watchlist_entries.id", ondelete="SET NULL"), index=True
    )
    list_name: Mapped[str] = mapped_column(String(60))
    policy: Mapped[ListPolicy] = mapped_column(enum_type(ListPolicy, 20))
    listed_plate: Mapped[str] = mapped_column(String(16))
    read_text: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    match_kind: Mapped[str] = mapped_column(String(16))
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="RESTRICT"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[HitStatus] = mapped_column(enum_type(HitStatus, 16), default=HitStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HitFeedback(Base):
    """An officer's verdict on a hit; every verdict is kept, the latest sets the hit's status."""

    __tablename__ = "anpr_hit_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    hit_id: Mapped[int] = mapped_column(ForeignKey("anpr_hits.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[Verdict] = mapped_column(enum_type(Verdict, 16))
    note: Mapped[str] = mapped_column(String(500), default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
