"""Queries for records; the only module here that builds SQL (the bulk importer aside)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from safecity.core.auth import User
from safecity.core.org import OrgUnit
from safecity.records.models import (
    Arrest,
    Conviction,
    CourtCase,
    Fir,
    FirAccused,
    IdentityDocument,
    Person,
    PersonAlias,
    PropertyItem,
    VerificationRequest,
    VerificationStatus,
)

__all__ = ["RecordsRepository"]


class RecordsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- organisation ---------------------------------------------------------

    def unit_by_code(self, code: str) -> OrgUnit | None:
        return self.session.scalar(select(OrgUnit).where(OrgUnit.code == code))

    def unit_by_id(self, unit_id: int) -> OrgUnit | None:
        return self.session.get(OrgUnit, unit_id)

    def user_name(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        return self.session.scalar(select(User.full_name).where(User.id == user_id))

    def unit_codes(self, ids: Collection[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = self.session.execute(select(OrgUnit.id, OrgUnit.code).where(OrgUnit.id.in_(ids)))
        return {int(r[0]): str(r[1]) for r in rows}

    # -- persons --------------------------------------------------------------

    def person_in_scope(self, person_id: int, scope: Collection[int]) -> Person | None:
        stmt = select(Person).where(Person.id == person_id, Person.org_unit_id.in_(scope))
        return self.session.scalar(stmt)

    def persons_in_scope(self, ids: Collection[int], scope: Collection[int]) -> list[Person]:
        if not ids:
            return []
        stmt = select(Person).where(Person.id.in_(ids), Person.org_unit_id.in_(scope))
        return list(self.session.scalars(stmt))

    def person_id_by_cnic(self, cnic: str) -> int | None:
        return self.session.scalar(select(Person.id).where(Person.cnic == cnic))

    def person_id_by_source_key(self, source_key: str) -> int | None:
        return self.session.scalar(select(Person.id).where(Person.source_key == source_key))

    def aliases_of(self, person_ids: Collection[int]) -> dict[int, list[PersonAlias]]:
        out: dict[int, list[PersonAlias]] = {}
        if person_ids:
            stmt = select(PersonAlias).where(PersonAlias.person_id.in_(person_ids)).order_by(PersonAlias.id)
            for alias in self.session.scalars(stmt):
                out.setdefault(alias.person_id, []).append(alias)
        return out

    def documents_of(self, person_ids: Collection[int]) -> dict[int, list[IdentityDocument]]:
        out: dict[int, list[IdentityDocument]] = {}
        if person_ids:
            stmt = select(IdentityDocument).where(IdentityDocument.person_id.in_(person_ids))
            for doc in self.session.scalars(stmt.order_by(IdentityDocument.id)):
                out.setdefault(doc.person_id, []).append(doc)
        return out

    def document_exists(self, doc_type: str, country: str, number: str) -> bool:
        stmt = select(IdentityDocument.id).where(
            IdentityDocument.doc_type == doc_type,
            IdentityDocument.country == country,
            IdentityDocument.number == number,
        )
        return self.session.scalar(stmt) is not None

    def ids_with_cnic_fragment(self, digits: str, scope: Collection[int], limit: int) -> list[int]:
        plain = func.replace(Person.cnic, "-", "")
        stmt = (
            select(Person.id)
            .where(plain.contains(digits, autoescape=True), Person.org_unit_id.in_(scope))
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def ids_with_phone(self, digits: str, scope: Collection[int], limit: int) -> list[int]:
        stmt = (
            select(Person.id)
            .where(Person.phones.contains(digits, autoescape=True), Person.org_unit_id.in_(scope))
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def person_names_after(
        self, last_id: int, batch: int
    ) -> Sequence[Row[int, str | None, str | None, str | None, str | None]]:
        """Names of persons added after ``last_id``, oldest first (feeds the name index)."""
        stmt = (
            select(
                Person.id,
                Person.name_roman,
                Person.name_urdu,
                Person.relative_name_roman,
                Person.relative_name_urdu,
            )
            .where(Person.id > last_id)
            .order_by(Person.id)
            .limit(batch)
        )
        return self.session.execute(stmt).all()

    def person_names_of(self, person_id: int) -> tuple[str | None, ...]:
        stmt = select(
            Person.name_roman, Person.name_urdu, Person.relative_name_roman, Person.relative_name_urdu
        ).where(Person.id == person_id)
        row = self.session.execute(stmt).first()
        return tuple(row) if row is not None else ()

    def alias_names_after(self, last_id: int) -> Sequence[Row[int, int, str | None, str | None]]:
        stmt = (
            select(PersonAlias.id, PersonAlias.person_id, PersonAlias.name_roman, PersonAlias.name_urdu)
            .where(PersonAlias.id > last_id)
            .order_by(PersonAlias.id)
        )
        return self.session.execute(stmt).all()

    # -- FIRs -----------------------------------------------------------------

    def fir_in_scope(self, fir_id: int, scope: Collection[int]) -> Fir | None:
        return self.session.scalar(select(Fir).where(Fir.id == fir_id, Fir.station_id.in_(scope)))

    def firs_in_scope(self, scope: Collection[int], *, limit: int, offset: int) -> list[Fir]:
        stmt = (
            select(Fir)
            .where(Fir.station_id.in_(scope))
            .order_by(Fir.registered_at.desc(), Fir.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(stmt))

    def fir_number_taken(self, station_id: int, year: int, number: int) -> bool:
        stmt = select(Fir.id).where(Fir.station_id == station_id, Fir.year == year, Fir.number == number)
        return self.session.scalar(stmt) is not None

    def next_fir_number(self, station_id: int, year: int) -> int:
        stmt = select(func.max(Fir.number)).where(Fir.station_id == station_id, Fir.year == year)
        return int(self.session.scalar(stmt) or 0) + 1

    def accused_of(self, fir_ids: Collection[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        if fir_ids:
            stmt = select(FirAccused.fir_id, FirAccused.person_id).where(FirAccused.fir_id.in_(fir_ids))
            for fir_id, person_id in self.session.execute(stmt.order_by(FirAccused.id)):
                out.setdefault(int(fir_id), []).append(int(person_id))
        return out

    def is_accused(self, fir_id: int, person_id: int) -> bool:
        stmt = select(FirAccused.id).where(FirAccused.fir_id == fir_id, FirAccused.person_id == person_id)
        return self.session.scalar(stmt) is not None

    def court_case_in_scope(self, case_id: int, scope: Collection[int]) -> CourtCase | None:
        stmt = (
            select(CourtCase)
            .join(Fir, Fir.id == CourtCase.fir_id)
            .where(CourtCase.id == case_id, Fir.station_id.in_(scope))
        )
        return self.session.scalar(stmt)

    def arrests_of(self, fir_id: int) -> list[Arrest]:
        return list(self.session.scalars(select(Arrest).where(Arrest.fir_id == fir_id).order_by(Arrest.id)))

    def property_of(self, fir_id: int) -> list[PropertyItem]:
        stmt = select(PropertyItem).where(PropertyItem.fir_id == fir_id).order_by(PropertyItem.id)
        return list(self.session.scalars(stmt))

    # -- police verification --------------------------------------------------

    def fir_refs_accusing(self, person_ids: Collection[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        if person_ids:
            stmt = (
                select(FirAccused.person_id, Fir.ref)
                .join(Fir, Fir.id == FirAccused.fir_id)
                .where(FirAccused.person_id.in_(person_ids))
                .order_by(Fir.registered_at)
            )
            for person_id, ref in self.session.execute(stmt):
                out.setdefault(int(person_id), []).append(str(ref))
        return out

    def conviction_counts(self, person_ids: Collection[int]) -> dict[int, int]:
        if not person_ids:
            return {}
        stmt = (
            select(Conviction.person_id, func.count())
            .where(Conviction.person_id.in_(person_ids))
            .group_by(Conviction.person_id)
        )
        return {int(pid): int(n) for pid, n in self.session.execute(stmt)}

    def verification(self, verification_id: int) -> VerificationRequest | None:
        return self.session.get(VerificationRequest, verification_id)

    def verification_by_code(self, code: str) -> VerificationRequest | None:
        return self.session.scalar(select(VerificationRequest).where(VerificationRequest.code == code))

    def verifications(
        self,
        *,
        scope: Collection[int] | None,
        applicant_id: int | None,
        status: VerificationStatus | None,
        limit: int,
    ) -> list[VerificationRequest]:
        """Requests in ``scope`` (staff) or by ``applicant_id`` (a citizen), newest first."""
        stmt = select(VerificationRequest)
        if scope is not None:
            stmt = stmt.where(VerificationRequest.org_unit_id.in_(scope))
        if applicant_id is not None:
            stmt = stmt.where(VerificationRequest.applicant_id == applicant_id)
        if status is not None:
            stmt = stmt.where(VerificationRequest.status == status)
        stmt = stmt.order_by(VerificationRequest.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))
