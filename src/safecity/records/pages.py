"""Web pages for records: person search (HTMX), police verification, and the public certificate check.

Pages call the same services as the API. A user-caused error on a form is
shown on the page (and its transaction rolled back) instead of a JSON error
document, so an officer never lands on a raw error.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from safecity.core.auth import Role, User
from safecity.core.errors import SafeCityError
from safecity.core.http import DbSession, public, require
from safecity.records import search, verification
from safecity.records.models import DocumentType, Relation
from safecity.records.schemas import VerificationIn
from safecity.web.nav import NavItem, register
from safecity.web.templating import render

router = APIRouter(include_in_schema=False)

READERS = (Role.RECORDS_OFFICER, Role.OFFICER, Role.SUPERVISOR, Role.ADMIN, Role.ANALYST)
REQUESTERS = (Role.CITIZEN, Role.OPERATOR, Role.RECORDS_OFFICER, Role.SUPERVISOR, Role.ADMIN)
register(NavItem("/records/search", "Person search", frozenset(READERS), order=40))
register(NavItem("/records/verifications", "Police verification", frozenset(REQUESTERS), order=45))

Reader = Annotated[User, Depends(require(*READERS))]
Requester = Annotated[User, Depends(require(*REQUESTERS))]
Officer = Annotated[User, Depends(require(*verification.STAFF))]
Text = Annotated[str, Form(max_length=300)]


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@router.get("/records/search")
def search_page(request: Request, user: Reader) -> HTMLResponse:
    return render(request, "records_search.html", user=user)


@router.get("/records/search/results")
def search_results(
    request: Request,
    user: Reader,
    session: DbSession,
    purpose: Annotated[str | None, Query(max_length=500)] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
    father_name: Annotated[str | None, Query(max_length=200)] = None,
    cnic: Annotated[str | None, Query(max_length=20)] = None,
    phone: Annotated[str | None, Query(max_length=20)] = None,
    district: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """The result table (an HTMX fragment): ranked persons, each with its per-field explanation."""
    try:
        found = search.search_persons(
            session,
            user=user,
            purpose=purpose,
            name=_blank(name),
            father_name=_blank(father_name),
            cnic=_blank(cnic),
            phone=_blank(phone),
            district=_blank(district),
        )
    except SafeCityError as exc:
        session.rollback()
        return render(request, "records_search_results.html", user=user, error=exc, found=None)
    return render(request, "records_search_results.html", user=user, error=None, found=found)


@router.get("/records/verifications")
def verifications_page(request: Request, user: Requester, session: DbSession) -> HTMLResponse:
    return _list(request, user, session, error=None, status_code=200)


def _list(
    request: Request, user: User, session: DbSession, *, error: SafeCityError | None, status_code: int
) -> HTMLResponse:
    return render(
        request,
        "records_verifications.html",
        user=user,
        requests=verification.list_verifications(session, user=user),
        is_staff=user.has_role(*verification.STAFF),
        is_citizen=user.has_role(Role.CITIZEN),
        relations=list(Relation),
        documents=list(DocumentType),
        error=error,
        status_code=status_code,
    )


@router.post("/records/verifications")
def file_request(
    request: Request,
    user: Requester,
    session: DbSession,
    unit: Text,
    full_name: Text,
    purpose: Text,
    relation: Annotated[str, Form()] = "",
    relative_name: Annotated[str, Form(max_length=200)] = "",
    cnic: Annotated[str, Form(max_length=20)] = "",
    document_type: Annotated[str, Form()] = "",
    document_number: Annotated[str, Form(max_length=40)] = "",
    date_of_birth: Annotated[str, Form()] = "",
    phone: Annotated[str, Form(max_length=20)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    try:
        body = VerificationIn(
            unit=unit.strip().upper(),
            full_name=full_name,
            purpose=purpose,
            relation=Relation(relation) if relation else None,
            relative_name=_blank(relative_name),
            cnic=_blank(cnic),
            document_type=DocumentType(document_type) if document_type else None,
            document_number=_blank(document_number),
            date_of_birth=date.fromisoformat(date_of_birth) if date_of_birth else None,
            phone=_blank(phone),
            address=address,
        )
        made = verification.request_verification(session, body=body, actor=user)
    except (SafeCityError, ValueError) as exc:
        session.rollback()
        error = exc if isinstance(exc, SafeCityError) else SafeCityError(str(exc).splitlines()[0])
        return _list(request, user, session, error=error, status_code=422)
    return RedirectResponse(f"/records/verifications/{made.id}", status_code=303)


def _detail(
    request: Request, user: User, session: DbSession, verification_id: int, error: SafeCityError | None = None
) -> HTMLResponse:
    item = verification.get_verification(session, verification_id=verification_id, user=user)
    return render(
        request,
        "records_verification.html",
        user=user,
        item=item,
        is_staff=user.has_role(*verification.STAFF),
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/records/verifications/{verification_id}")
def verification_page(
    verification_id: int, request: Request, user: Requester, session: DbSession
) -> Response:
    return _detail(request, user, session, verification_id)


@router.post("/records/verifications/{verification_id}/check")
def check(verification_id: int, request: Request, user: Officer, session: DbSession) -> Response:
    try:
        verification.check_against_records(session, verification_id=verification_id, user=user)
    except SafeCityError as exc:
        session.rollback()
        return _detail(request, user, session, verification_id, exc)
    return RedirectResponse(f"/records/verifications/{verification_id}", status_code=303)


@router.post("/records/verifications/{verification_id}/decision")
def decision(
    verification_id: int,
    request: Request,
    user: Officer,
    session: DbSession,
    approve: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        verification.decide(
            session, verification_id=verification_id, approve=approve == "yes", reason=reason, actor=user
        )
    except SafeCityError as exc:
        session.rollback()
        return _detail(request, user, session, verification_id, exc)
    return RedirectResponse(f"/records/verifications/{verification_id}", status_code=303)


@router.get(
    "/verify/{code}", dependencies=[Depends(public("public check of a police verification certificate"))]
)
def verify_public(code: str, request: Request, session: DbSession) -> Response:
    """Anyone holding the certificate's code sees valid/revoked, the name and the issue date."""
    try:
        status = verification.public_status(session, code=code[:64])
    except SafeCityError as exc:
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(exc.to_document(), status_code=404)
        return render(request, "records_verify_public.html", status=None, status_code=404)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(status.model_dump(mode="json"))
    return render(request, "records_verify_public.html", status=status)
