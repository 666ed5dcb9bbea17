"""Queries of the traffic domain (the only place here that builds SQL)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecity.traffic.models import (
    BankPayment,
    Challan,
    ChallanStatus,
    SectionTransit,
    SmsMessage,
    TrafficSection,
    Vehicle,
    Violation,
    ViolationStatus,
)

__all__ = ["OUTSTANDING", "TrafficRepository"]

# Challans the owner still owes: a pending dispute suspends the debt, an upheld one restores it.
OUTSTANDING = (ChallanStatus.ISSUED, ChallanStatus.UPHELD)


class TrafficRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- vehicles -------------------------------------------------------------------
    def vehicles_by_plate(self, plates: Iterable[str]) -> dict[str, Vehicle]:
        wanted = list(set(plates))
        found: dict[str, Vehicle] = {}
        for start in range(0, len(wanted), 500):
            stmt = select(Vehicle).where(Vehicle.plate.in_(wanted[start : start + 500]))
            found.update((v.plate, v) for v in self.session.scalars(stmt))
        return found

    def vehicle(self, plate: str) -> Vehicle | None:
        return self.session.scalar(select(Vehicle).where(Vehicle.plate == plate))

    def vehicle_by_id(self, vehicle_id: int) -> Vehicle | None:
        return self.session.get(Vehicle, vehicle_id)

    # -- sections -------------------------------------------------------------------
    def section(self, section_id: int) -> TrafficSection | None:
        return self.session.get(TrafficSection, section_id)

    def section_by_code(self, code: str) -> TrafficSection | None:
        return self.session.scalar(select(TrafficSection).where(TrafficSection.code == code))

    def sections_in(self, scope: Collection[int]) -> list[TrafficSection]:
        stmt = select(TrafficSection).where(TrafficSection.org_unit_id.in_(scope)).order_by(TrafficSection.id)
        return list(self.session.scalars(stmt))

    def transit_read_ids(self, section_id: int, read_ids: Collection[int]) -> set[int]:
        stmt = select(SectionTransit.exit_read_id).where(
            SectionTransit.section_id == section_id, SectionTransit.exit_read_id.in_(read_ids)
        )
        return set(self.session.scalars(stmt))

    def transit_speeds(
        self, section_ids: Collection[int], since: datetime, until: datetime
    ) -> dict[int, list[float]]:
        stmt = select(SectionTransit.section_id, SectionTransit.speed_kph).where(
            SectionTransit.section_id.in_(section_ids),
            SectionTransit.at >= since,
            SectionTransit.at <= until,
        )
        found: dict[int, list[float]] = {}
        for section_id, speed in self.session.execute(stmt):
            found.setdefault(section_id, []).append(speed)
        return found

    # -- violations -----------------------------------------------------------------
    def violation(self, violation_id: int) -> Violation | None:
        return self.session.get(Violation, violation_id)

    def violation_by_key(self, dedupe_key: str) -> Violation | None:
        return self.session.scalar(select(Violation).where(Violation.dedupe_key == dedupe_key))

    def violations(
        self, scope: Collection[int], status: ViolationStatus | None, limit: int
    ) -> list[Violation]:
        stmt = select(Violation).where(Violation.org_unit_id.in_(scope))
        if status is not None:
            stmt = stmt.where(Violation.status == status)
        return list(self.session.scalars(stmt.order_by(Violation.at.desc()).limit(limit)))

    # -- challans -------------------------------------------------------------------
    def challan_by_reference(self, reference: str) -> Challan | None:
        return self.session.scalar(select(Challan).where(Challan.reference == reference))

    def challans_by_reference(self, references: Iterable[str]) -> dict[str, Challan]:
        wanted = list(set(references))
        stmt = select(Challan).where(Challan.reference.in_(wanted))
        return {c.reference: c for c in self.session.scalars(stmt)}

    def challans(
        self, scope: Collection[int], statuses: Sequence[ChallanStatus] | None, limit: int
    ) -> list[Challan]:
        stmt = select(Challan).where(Challan.org_unit_id.in_(scope))
        if statuses:
            stmt = stmt.where(Challan.status.in_(statuses))
        return list(self.session.scalars(stmt.order_by(Challan.issued_at.desc()).limit(limit)))

    def outstanding_count(self, vehicle_id: int) -> int:
        stmt = select(func.count(Challan.id)).where(
            Challan.vehicle_id == vehicle_id, Challan.status.in_(OUTSTANDING)
        )
        return int(self.session.scalar(stmt) or 0)

    # -- payments and SMS -------------------------------------------------------------
    def known_transactions(self, transaction_ids: Collection[str]) -> set[str]:
        stmt = select(BankPayment.transaction_id).where(BankPayment.transaction_id.in_(transaction_ids))
        return set(self.session.scalars(stmt))

    def sms_outbox(self, status: str | None, limit: int) -> list[SmsMessage]:
        stmt = select(SmsMessage)
        if status is not None:
            stmt = stmt.where(SmsMessage.status == status)
        return list(self.session.scalars(stmt.order_by(SmsMessage.id.desc()).limit(limit)))

    def sms_for_challan(self, challan_id: int) -> list[SmsMessage]:
        stmt = select(SmsMessage).where(SmsMessage.challan_id == challan_id).order_by(SmsMessage.id)
        return list(self.session.scalars(stmt))
