"""Registered vehicles, enforcement sections, violations, e-challans, bank payments and SMS.

A violation is evidence awaiting a traffic officer's verification; only a
verified violation becomes an e-challan, addressed to the owner the vehicle
registry names at that moment (the owner's name is copied onto the challan
so a later change of owner does not rewrite an issued notice).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base, enum_type, utcnow

__all__ = [
    "BankPayment",
    "Challan",
    "ChallanStatus",
    "PaymentOutcome",
    "SectionTransit",
    "SmsMessage",
    "TrafficSection",
    "Vehicle",
    "Violation",
    "ViolationKind",
    "ViolationStatus",
]


class ViolationKind(enum.StrEnum):
    RED_LIGHT = "red_light"
    OVER_SPEED = "over_speed"
    WRONG_WAY = "wrong_way"
    NO_HELMET = "no_helmet"
    LANE = "lane"


class ViolationStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class ChallanStatus(enum.StrEnum):
    ISSUED = "issued"
    PAID = "paid"
    DISPUTED = "disputed"
    UNDER_REVIEW = "under_review"
    UPHELD = "upheld"
    QUASHED = "quashed"


class PaymentOutcome(enum.StrEnum):
    MATCHED = "matched"
    UNMATCHED = "unmatched"


class Vehicle(Base):
    """One row of the Excise & Taxation registry, keyed by the canonical plate."""

    __tablename__ = "traffic_vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    raw_plate: Mapped[str] = mapped_column(String(40))
    owner_name: Mapped[str] = mapped_column(String(200))
    owner_cnic: Mapped[str] = mapped_column(String(15), index=True)
    owner_address: Mapped[str] = mapped_column(String(400))
    owner_phone: Mapped[str | None] = mapped_column(String(20))
    make: Mapped[str] = mapped_column(String(80))
    colour: Mapped[str] = mapped_column(String(40))
    # Set while the plate is on the ANPR list "unpaid_challans" because of us.
    on_unpaid_watchlist: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrafficSection(Base):
    """A stretch of road between two ANPR cameras: the unit of average speed and congestion."""

    __tablename__ = "traffic_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    entry_camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="RESTRICT"))
    exit_camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="RESTRICT"))
    distance_m: Mapped[float] = mapped_column(Float)
    speed_limit_kph: Mapped[float] = mapped_column(Float)
    # A one-way section: a plate seen at the exit before the entry drove it the wrong way.
    one_way: Mapped[bool] = mapped_column(Boolean, default=False)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    entry_lon: Mapped[float] = mapped_column(Float)
    entry_lat: Mapped[float] = mapped_column(Float)
    exit_lon: Mapped[float] = mapped_column(Float)
    exit_lat: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SectionTransit(Base):
    """An anonymous speed sample on a section (no plate): what congestion is computed from."""

    __tablename__ = "traffic_section_transits"
    __table_args__ = (UniqueConstraint("section_id", "exit_read_id", name="uq_traffic_transits_read"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("traffic_sections.id", ondelete="CASCADE"), index=True)
    exit_read_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(index=True)
    speed_kph: Mapped[float] = mapped_column(Float)


class Violation(Base):
    __tablename__ = "traffic_violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # What makes a repeated report of the same offence idempotent (e.g. camera, plate, second).
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[ViolationKind] = mapped_column(enum_type(ViolationKind, 16))
    status: Mapped[ViolationStatus] = mapped_column(
        enum_type(ViolationStatus, 16), default=ViolationStatus.PENDING, index=True
    )
    plate: Mapped[str] = mapped_column(String(16), index=True)
    at: Mapped[datetime]
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("cameras.id", ondelete="SET NULL"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("traffic_sections.id", ondelete="SET NULL"))
    measured_kph: Mapped[float | None] = mapped_column(Float)
    limit_kph: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reported_by: Mapped[str] = mapped_column(String(80))
    verified_by: Mapped[str | None] = mapped_column(String(80))
    verified_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Challan(Base):
    __tablename__ = "traffic_challans"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    violation_id: Mapped[int] = mapped_column(
        ForeignKey("traffic_violations.id", ondelete="RESTRICT"), unique=True
    )
    vehicle_id: Mapped[int] = mapped_column(
        ForeignKey("traffic_vehicles.id", ondelete="RESTRICT"), index=True
    )
    plate: Mapped[str] = mapped_column(String(16), index=True)
    owner_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ViolationKind] = mapped_column(enum_type(ViolationKind, 16))
    fine_pkr: Mapped[int] = mapped_column(Integer)
    status: Mapped[ChallanStatus] = mapped_column(
        enum_type(ChallanStatus, 16), default=ChallanStatus.ISSUED, index=True
    )
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime]
    dispute_until: Mapped[datetime]
    disputed_at: Mapped[datetime | None]
    dispute_reason: Mapped[str | None] = mapped_column(String(1000))
    reviewer: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(1000))
    paid_at: Mapped[datetime | None]
    payment_ref: Mapped[str | None] = mapped_column(String(64))


class BankPayment(Base):
    """One line of a bank's collection file, kept whether or not it matched a challan."""

    __tablename__ = "traffic_bank_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(64), unique=True)
    challan_reference: Mapped[str] = mapped_column(String(32), index=True)
    amount_pkr: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[datetime]
    outcome: Mapped[PaymentOutcome] = mapped_column(enum_type(PaymentOutcome, 16))
    reason: Mapped[str] = mapped_column(String(300), default="")
    challan_id: Mapped[int | None] = mapped_column(ForeignKey("traffic_challans.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(80))


class SmsMessage(Base):
    """The default SMS gateway's outbox: a message waits here until a carrier link sends it."""

    __tablename__ = "traffic_sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_phone: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(String(640))
    challan_id: Mapped[int | None] = mapped_column(ForeignKey("traffic_challans.id", ondelete="SET NULL"))
    gateway: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
