"""The duplicate-person review queue: proposals from the linkage model and what was decided.

A proposal is never deleted: a merge or a "not the same person" decision is
recorded on it (with who, when and why), and an unmerge puts it back to
``unmerged`` so the history of a record's identity stays readable.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base, enum_type, utcnow

__all__ = ["DuplicateCandidate", "DuplicateStatus"]


class DuplicateStatus(enum.StrEnum):
    PENDING = "pending"
    MERGED = "merged"
    AUTO_MERGED = "auto_merged"
    NOT_SAME = "not_same"
    UNMERGED = "unmerged"


class DuplicateCandidate(Base):
    """Two person records the model thinks may be one person; ``person_a_id < person_b_id``."""

    __tablename__ = "records_duplicate_candidates"
    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_a_id: Mapped[int] = mapped_column(ForeignKey("records_persons.id", ondelete="CASCADE"), index=True)
    person_b_id: Mapped[int] = mapped_column(ForeignKey("records_persons.id", ondelete="CASCADE"), index=True)
    probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[DuplicateStatus] = mapped_column(
        enum_type(DuplicateStatus, 12), default=DuplicateStatus.PENDING, index=True
    )
    survivor_id: Mapped[int | None] = mapped_column(ForeignKey("records_persons.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
