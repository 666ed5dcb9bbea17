"""Web pages of the duplicate-person review queue: the list, one proposal side by side, decisions.

The pages call the same service as ``/api/records/duplicates``. A proposal's
page shows both records in full next to the model's per-field evidence, so a
records officer decides on what the records say, not on the probability
alone; each decision and each unmerge needs a reason (the service audits it).
Reading the two records is audited as a person read with the proposal as its
purpose. A user-caused error is shown on the page and its transaction rolled
back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from safecity.core.auth import Role, User
from safecity.core.errors import InvalidInput, SafeCityError
from safecity.core.http import DbSession, require
from safecity.records import duplicates
from safecity.records import service as records
from safecity.records.duplicates_linkage import FIELDS
from safecity.records.duplicates_models import DuplicateStatus
from safecity.records.duplicates_schemas import CandidateOut, Decision, DecisionIn, ScanIn, UnmergeIn
from safecity.records.schemas import PersonOut
from safecity.web.nav import NavItem, register
from safecity.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

REVIEWERS = (Role.RECORDS_OFFICER, Role.SUPERVISOR, Role.ADMIN)
register(NavItem("/records/duplicates", "Duplicate persons", frozenset(REVIEWERS), order=42))

Reviewer = Annotated[User, Depends(require(*REVIEWERS))]
Reason = Annotated[str, Form(max_length=500)]
Tab = Literal["pending", "merged", "closed"]

TABS: dict[str, tuple[DuplicateStatus, ...]] = {
    "pending": (DuplicateStatus.PENDING,),
    "merged": (DuplicateStatus.MERGED, DuplicateStatus.AUTO_MERGED),
    "closed": (DuplicateStatus.NOT_SAME, DuplicateStatus.UNMERGED),
}


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side comparison: a model field, both values, the model's evidence."""

    field: str
    a: str
    b: str
    agreement: str
    weight: float | None


def _text(*parts: object) -> str:
    return " / ".join(str(p) for p in parts if p not in (None, "", []))


def _birth_year(person: PersonOut) -> str:
    if person.date_of_birth is not None:
        return str(person.date_of_birth.year)
    if person.approximate_age is not None:
        return f"≈ {person.created_at.year - person.approximate_age}"
    return ""


def _values(person: PersonOut) -> dict[str, str]:
    return {
        "name": _text(person.name_roman, person.name_urdu),
        "father_name": _text(
            " ".join(p for p in (person.relation or "", person.relative_name_roman or "") if p),
            person.relative_name_urdu,
        ),
        "cnic": person.cnic or "",
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "birth_year": _birth_year(person),
        "district": person.unit,
        "phone": ", ".join(person.phones),
    }


def comparison(candidate: CandidateOut, a: PersonOut, b: PersonOut) -> list[Row]:
    """Both records field by field, in the model's order, each with its agreement and log2 weight."""
    evidence = {e.field: e for e in candidate.evidence}
    left, right = _values(a), _values(b)
    rows = []
    for field in FIELDS:
        found = evidence.get(field)
        rows.append(
            Row(
                field=field,
                a=left[field],
                b=right[field],
                agreement=found.agreement if found else "",
                weight=found.weight if found else None,
            )
        )
    return rows


def _queue(session: DbSession, user: User, tab: str) -> list[CandidateOut]:
    found = [c for s in TABS[tab] for c in duplicates.list_queue(session, user=user, status=s)]
    return sorted(found, key=lambda c: (-c.probability, c.id))


def _list(
    request: Request,
    user: User,
    session: DbSession,
    tab: str,
    *,
    error: SafeCityError | None = None,
    scanned: tuple[int, int] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "records_duplicates.html",
        user=user,
        tab=tab,
        tabs=list(TABS),
        candidates=_queue(session, user, tab),
        error=error,
        scanned=scanned,
        status_code=status_code,
    )


@router.get("/records/duplicates")
def queue_page(
    request: Request,
    user: Reviewer,
    session: DbSession,
    tab: Annotated[Tab, Query()] = "pending",
    persons: Annotated[int | None, Query(ge=0)] = None,
    proposed: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    scanned = (persons, proposed) if persons is not None and proposed is not None else None
    return _list(request, user, session, tab, scanned=scanned)


@router.post("/records/duplicates/scan")
def scan(request: Request, user: Reviewer, session: DbSession) -> Response:
    """Score the records in the officer's jurisdiction; nothing is merged without review."""
    try:
        done = duplicates.scan(session, body=ScanIn(), actor=user)
    except SafeCityError as exc:
        session.rollback()
        return _list(request, user, session, "pending", error=exc, status_code=422)
    return RedirectResponse(
        f"/records/duplicates?persons={done.persons}&proposed={done.proposed}", status_code=303
    )


def _detail(
    request: Request,
    user: User,
    session: DbSession,
    candidate_id: int,
    error: SafeCityError | None = None,
) -> HTMLResponse:
    candidate = duplicates.get_candidate(session, candidate_id=candidate_id, user=user)
    purpose = f"duplicate review, proposal {candidate_id}"
    a = records.get_person(session, person_id=candidate.person_a.id, user=user, purpose=purpose)
    b = records.get_person(session, person_id=candidate.person_b.id, user=user, purpose=purpose)
    return render(
        request,
        "records_duplicate.html",
        user=user,
        c=candidate,
        a=a,
        b=b,
        rows=comparison(candidate, a, b),
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/records/duplicates/{candidate_id}")
def proposal_page(candidate_id: int, request: Request, user: Reviewer, session: DbSession) -> Response:
    return _detail(request, user, session, candidate_id)


def _invalid(exc: ValidationError) -> InvalidInput:
    first = exc.errors()[0]
    return InvalidInput(str(first["msg"]), field=".".join(str(p) for p in first["loc"]) or "form")


@router.post("/records/duplicates/{candidate_id}/decision")
def decide(
    candidate_id: int,
    request: Request,
    user: Reviewer,
    session: DbSession,
    decision: Annotated[Decision, Form()],
    reason: Reason = "",
    survivor_id: Annotated[int | None, Form()] = None,
) -> Response:
    try:
        body = DecisionIn(decision=decision, reason=reason.strip(), survivor_id=survivor_id)
        duplicates.decide(session, candidate_id=candidate_id, body=body, actor=user)
    except ValidationError as exc:
        return _detail(request, user, session, candidate_id, _invalid(exc))
    except SafeCityError as exc:
        session.rollback()
        return _detail(request, user, session, candidate_id, exc)
    return RedirectResponse(f"/records/duplicates/{candidate_id}", status_code=303)


@router.post("/records/duplicates/{candidate_id}/unmerge")
def unmerge(
    candidate_id: int, request: Request, user: Reviewer, session: DbSession, reason: Reason = ""
) -> Response:
    try:
        body = UnmergeIn(reason=reason.strip())
        duplicates.unmerge(session, candidate_id=candidate_id, body=body, actor=user)
    except ValidationError as exc:
        return _detail(request, user, session, candidate_id, _invalid(exc))
    except SafeCityError as exc:
        session.rollback()
        return _detail(request, user, session, candidate_id, exc)
    return RedirectResponse(f"/records/duplicates/{candidate_id}", status_code=303)
