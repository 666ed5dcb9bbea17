"""Criminal records: persons and their identity documents, FIRs and what follows them.

Every row hangs under an organisation unit (a person under the district or
station that recorded them, an FIR under its police station) so that
`scope_ids` can fence each query. A CNIC is unique when present; a person
digitised from a paper register without one is made unique by
``source_key`` (a hash of the normalised row), which is what makes a
re-run of the same import create nothing new.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base, enum_type, utcnow

__all__ = [
    "Arrest",
    "CaseOutcome",
    "Conviction",
    "CourtCase",
    "DocumentType",
    "Fir",
    "FirAccused",
    "FirStatus",
    "Gender",
    "IdentityDocument",
    "ImportBatch",
    "Person",
    "PersonAlias",
    "PropertyItem",
    "PropertyKind",
    "PropertyStatus",
    "Relation",
    "VerificationRequest",
    "VerificationStatus",
]


class Gender(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"
    OTHER = "X"


class Relation(enum.StrEnum):
    """How the relative in the name line is related: son, daughter or wife of."""

    SON_OF = "s/o"
    DAUGHTER_OF = "d/o"
    WIFE_OF = "w/o"


class DocumentType(enum.StrEnum):
    NICOP = "nicop"
    PASSPORT = "passport"
    POC = "poc"  # Pakistan Origin Card


class FirStatus(enum.StrEnum):
    UNDER_INVESTIGATION = "under_investigation"
    CHALLAN_SUBMITTED = "challan_submitted"
    CANCELLED = "cancelled"
    UNTRACED = "untraced"


class CaseOutcome(enum.StrEnum):
    PENDING = "pending"
    CONVICTED = "convicted"
    ACQUITTED = "acquitted"
    DISCHARGED = "discharged"
    COMPOUNDED = "compounded"
    WITHDRAWN = "withdrawn"


class PropertyKind(enum.StrEnum):
    VEHICLE = "vehicle"
    MOTORCYCLE = "motorcycle"
    MOBILE_PHONE = "mobile_phone"
    CASH = "cash"
    JEWELLERY = "jewellery"
    WEAPON = "weapon"
    OTHER = "other"


class PropertyStatus(enum.StrEnum):
    STOLEN = "stolen"
    RECOVERED = "recovered"
    RETURNED = "returned"


class VerificationStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    REVOKED = "revoked"


class ImportBatch(Base):
    """One run of the digitisation import: what file, by whom, with what result."""

    __tablename__ = "records_import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(20))
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Person(Base):
    __tablename__ = "records_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    name_roman: Mapped[str | None] = mapped_column(String(200))
    name_urdu: Mapped[str | None] = mapped_column(String(200))
    relation: Mapped[Relation | None] = mapped_column(enum_type(Relation, 4))
    relative_name_roman: Mapped[str | None] = mapped_column(String(200))
    relative_name_urdu: Mapped[str | None] = mapped_column(String(200))
    cnic: Mapped[str | None] = mapped_column(String(15), unique=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    approximate_age: Mapped[int | None] = mapped_column(Integer)
    age_recorded_on: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[Gender | None] = mapped_column(enum_type(Gender, 1))
    addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    phones: Mapped[str] = mapped_column(String(400), default="")  # canonical numbers, comma-separated
    photo_ref: Mapped[str | None] = mapped_column(String(300))
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("records_import_batches.id", ondelete="SET NULL")
    )
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("records_persons.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PersonAlias(Base):
    __tablename__ = "records_person_aliases"
    __table_args__ = (UniqueConstraint("person_id", "name_roman", "name_urdu"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("records_persons.id", ondelete="CASCADE"), index=True)
    name_roman: Mapped[str | None] = mapped_column(String(200))
    name_urdu: Mapped[str | None] = mapped_column(String(200))


class IdentityDocument(Base):
    """NICOP, passport or POC: the number is unique per document type and issuing country."""

    __tablename__ = "records_identity_documents"
    __table_args__ = (UniqueConstraint("doc_type", "country", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("records_persons.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[DocumentType] = mapped_column(enum_type(DocumentType, 10))
    number: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(3))  # ISO 3166-1 alpha-3


class Fir(Base):
    """First Information Report; ``ref`` is ``FIR-<station code>-<year>-<number, 5 digits>``."""

    __tablename__ = "records_firs"
    __table_args__ = (UniqueConstraint("station_id", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(80), unique=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    complainant_name: Mapped[str | None] = mapped_column(String(200))
    complainant_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("records_persons.id", ondelete="SET NULL")
    )
    occurred_at: Mapped[datetime | None]
    place: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text, default="")
    registering_officer: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[FirStatus] = mapped_column(enum_type(FirStatus, 24), default=FirStatus.UNDER_INVESTIGATION)
    incident_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FirAccused(Base):
    __tablename__ = "records_fir_accused"
    __table_args__ = (UniqueConstraint("fir_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fir_id: Mapped[int] = mapped_column(ForeignKey("records_firs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("records_persons.id", ondelete="RESTRICT"), index=True)


class Arrest(Base):
    __tablename__ = "records_arrests"

    id: Mapped[int] = mapped_column(primary_key=True)
    fir_id: Mapped[int] = mapped_column(ForeignKey("records_firs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("records_persons.id", ondelete="RESTRICT"), index=True)
    arrested_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    arresting_officer: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CourtCase(Base):
    __tablename__ = "records_court_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    fir_id: Mapped[int] = mapped_column(ForeignKey("records_firs.id", ondelete="CASCADE"), index=True)
    court: Mapped[str] = mapped_column(String(200))
    case_number: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[CaseOutcome] = mapped_column(enum_type(CaseOutcome, 16), default=CaseOutcome.PENDING)
    decided_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Conviction(Base):
    __tablename__ = "records_convictions"
    __table_args__ = (UniqueConstraint("court_case_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    court_case_id: Mapped[int] = mapped_column(
        ForeignKey("records_court_cases.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("records_persons.id", ondelete="RESTRICT"), index=True)
    sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    sentence: Mapped[str] = mapped_column(String(300), default="")
    convicted_on: Mapped[date] = mapped_column(Date)


class PropertyItem(Base):
    """Stolen or recovered property; vehicles carry a canonical plate for ANPR matching."""

    __tablename__ = "records_property"

    id: Mapped[int] = mapped_column(primary_key=True)
    fir_id: Mapped[int] = mapped_column(ForeignKey("records_firs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PropertyKind] = mapped_column(enum_type(PropertyKind, 16))
    status: Mapped[PropertyStatus] = mapped_column(enum_type(PropertyStatus, 12))
    description: Mapped[str] = mapped_column(String(300))
    plate: Mapped[str | None] = mapped_column(String(20), index=True)
    chassis_number: Mapped[str | None] = mapped_column(String(40))
    engine_number: Mapped[str | None] = mapped_column(String(40))
    value_pkr: Mapped[int | None] = mapped_column(Integer)
    recovered_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class VerificationRequest(Base):
    """A police verification (character certificate) request and, once approved, the certificate.

    ``code`` is the unguessable public verification code printed as a QR code;
    it exists only from approval on. ``findings`` keeps what the records check
    found (person ids, scores, FIR and conviction counts) as evidence for the
    decision, even if the records change later.
    """

    __tablename__ = "records_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    full_name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[Relation | None] = mapped_column(enum_type(Relation, 4))
    relative_name: Mapped[str | None] = mapped_column(String(200))
    cnic: Mapped[str | None] = mapped_column(String(15), index=True)
    document_type: Mapped[DocumentType | None] = mapped_column(enum_type(DocumentType, 10))
    document_number: Mapped[str | None] = mapped_column(String(40))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300), default="")
    purpose: Mapped[str] = mapped_column(String(200))
    status: Mapped[VerificationStatus] = mapped_column(
        enum_type(VerificationStatus, 12), default=VerificationStatus.REQUESTED
    )
    findings: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The duplicate review queue lives in its own module; importing it here puts its table in the metadata.
from safecity.records import duplicates_models as _duplicates_models  # noqa: E402, F401
