"""Rules for persons: who may record them, validation of identity numbers, audited reads.

Reading a person is reading personal data: it needs a purpose and leaves an
audit entry, whether it is one record or a search result list.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit
from safecity.core.auth import User, scope_ids
from safecity.core.errors import Conflict, InvalidInput, NotFound
from safecity.core.http import current_request_id
from safecity.core.org import OrgKind, OrgUnit
from safecity.identity import validate_cnic
from safecity.records.models import IdentityDocument, Person, PersonAlias
from safecity.records.normalise import normalise_name, normalise_phones, person_source_key
from safecity.records.purpose import require_purpose
from safecity.records.repository import RecordsRepository
from safecity.records.schemas import AliasIn, IdentityDocumentOut, PersonIn, PersonOut

__all__ = [
    "DuplicateIdentity",
    "create_person",
    "get_person",
    "unit_in_scope",
]


class DuplicateIdentity(Conflict):
    """Another person already holds this CNIC or identity document."""


def unit_in_scope(session: Session, *, code: str, user: User, field: str = "unit") -> OrgUnit:
    """The unit with ``code``, if the user may act there (else 404, as for any unseen object)."""
    unit = RecordsRepository(session).unit_by_code(code)
    if unit is None or unit.id not in scope_ids(session, user):
        raise NotFound(f"no organisation unit {code!r} in your jurisdiction", field=field)
    return unit


def _check_identity(repo: RecordsRepository, body: PersonIn) -> str | None:
    cnic = None
    if body.cnic:
        cnic = validate_cnic(body.cnic, gender=body.gender.value if body.gender else None)
        if repo.person_id_by_cnic(cnic) is not None:
            raise DuplicateIdentity(f"a person with CNIC {cnic} is already recorded", field="cnic")
    for i, doc in enumerate(body.documents):
        if repo.document_exists(doc.doc_type.value, doc.country.upper(), doc.number.strip().upper()):
            raise DuplicateIdentity(
                f"{doc.doc_type.value} {doc.number} ({doc.country}) is already recorded",
                field=f"documents.{i}.number",
            )
    return cnic


def create_person(session: Session, *, body: PersonIn, actor: User) -> PersonOut:
    repo = RecordsRepository(session)
    unit = unit_in_scope(session, code=body.unit, user=actor)
    if unit.kind not in (OrgKind.DISTRICT, OrgKind.STATION):
        raise InvalidInput("a person is recorded under a district or a police station", field="unit")
    if not (body.name_roman or body.name_urdu):
        raise InvalidInput("a name in Roman letters or Urdu script is required", field="name_roman")
    cnic = _check_identity(repo, body)
    name_roman = normalise_name(body.name_roman) if body.name_roman else None
    name_urdu = normalise_name(body.name_urdu) if body.name_urdu else None
    relative = body.relative_name_roman or body.relative_name_urdu or ""
    source_key = None
    if not cnic:
        source_key = person_source_key(
            name=name_roman or name_urdu or "",
            relative_name=relative,
            date_of_birth=body.date_of_birth,
            age=body.approximate_age,
            org_unit_id=unit.id,
        )
        # without a CNIC, the same name, relative, age and unit is the same record (the import's key)
        if repo.person_id_by_source_key(source_key) is not None:
            raise DuplicateIdentity(
                "a person with this name, relative's name and date of birth or age is already "
                "recorded in this unit; search for them instead",
                field="name_roman" if name_roman else "name_urdu",
            )
    person = Person(
        org_unit_id=unit.id,
        name_roman=name_roman,
        name_urdu=name_urdu,
        relation=body.relation,
        relative_name_roman=normalise_name(body.relative_name_roman) if body.relative_name_roman else None,
        relative_name_urdu=normalise_name(body.relative_name_urdu) if body.relative_name_urdu else None,
        cnic=cnic,
        date_of_birth=body.date_of_birth,
        approximate_age=body.approximate_age,
        age_recorded_on=None,
        gender=body.gender,
        addresses=[a.strip() for a in body.addresses if a.strip()],
        phones=normalise_phones(body.phones),
        photo_ref=body.photo_ref,
        source_key=source_key,
        created_by_id=actor.id,
    )
    session.add(person)
    session.flush()
    for alias in body.aliases:
        if alias.name_roman or alias.name_urdu:
            session.add(
                PersonAlias(person_id=person.id, name_roman=alias.name_roman, name_urdu=alias.name_urdu)
            )
    for doc in body.documents:
        session.add(
            IdentityDocument(
                person_id=person.id,
                doc_type=doc.doc_type,
                number=doc.number.strip().upper(),
                country=doc.country.upper(),
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="person.create",
        object_type="person",
        object_id=str(person.id),
        personal_data=True,
        purpose="recording a person",
        request_id=current_request_id(),
        details={"unit": unit.code},
    )
    return person_out(session, person)


def person_out(session: Session, person: Person) -> PersonOut:
    repo = RecordsRepository(session)
    aliases = repo.aliases_of([person.id]).get(person.id, [])
    documents = repo.documents_of([person.id]).get(person.id, [])
    return PersonOut(
        id=person.id,
        unit=repo.unit_codes([person.org_unit_id])[person.org_unit_id],
        name_roman=person.name_roman,
        name_urdu=person.name_urdu,
        relation=person.relation,
        relative_name_roman=person.relative_name_roman,
        relative_name_urdu=person.relative_name_urdu,
        cnic=person.cnic,
        date_of_birth=person.date_of_birth,
        approximate_age=person.approximate_age,
        gender=person.gender,
        addresses=list(person.addresses or []),
        phones=[p for p in person.phones.split(",") if p],
        photo_ref=person.photo_ref,
        aliases=[AliasIn(name_roman=a.name_roman, name_urdu=a.name_urdu) for a in aliases],
        documents=[IdentityDocumentOut.model_validate(d) for d in documents],
        created_at=person.created_at,
    )


def get_person(session: Session, *, person_id: int, user: User, purpose: str | None) -> PersonOut:
    """One person, if in the reader's jurisdiction; the read is audited with its purpose."""
    reason = require_purpose(purpose)
    person = RecordsRepository(session).person_in_scope(person_id, scope_ids(session, user))
    if person is None:
        raise NotFound(f"no person {person_id}", field="person_id")
    audit.record(
        session,
        actor=actor_of(user),
        action="person.read",
        object_type="person",
        object_id=str(person.id),
        personal_data=True,
        purpose=reason,
        request_id=current_request_id(),
    )
    return person_out(session, person)
