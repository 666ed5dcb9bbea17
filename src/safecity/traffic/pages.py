"""The traffic officer's page: violations to verify, challans, disputes, and corridor requests.

Actions post small HTMX forms and get the work panels back re-rendered, so
the page stays usable without a JavaScript framework. A refused action (a
`SafeCityError`) is rolled back and shown above the panels.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from safecity.core.auth import Role, User
from safecity.core.errors import SafeCityError
from safecity.core.http import DbSession, require
from safecity.dispatch import corridor
from safecity.traffic import service
from safecity.traffic.models import ChallanStatus, ViolationStatus
from safecity.web.nav import NavItem, register
from safecity.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
register(
    NavItem("/traffic", "Traffic", frozenset({Role.TRAFFIC_OFFICER, Role.ADMIN, Role.SUPERVISOR}), order=40)
)

Viewer = Annotated[User, Depends(require(Role.TRAFFIC_OFFICER, Role.ADMIN, Role.SUPERVISOR))]
Officer = Annotated[User, Depends(require(Role.TRAFFIC_OFFICER))]

_DISPUTES = (ChallanStatus.DISPUTED, ChallanStatus.UNDER_REVIEW)


def _panels(
    request: Request, session: Session, user: User, template: str, error: str | None = None
) -> HTMLResponse:
    return render(
        request,
        template,
        user=user,
        pending=service.list_violations(session, user=user, status=ViolationStatus.PENDING, limit=100),
        challans=service.list_challans(session, user=user, limit=100),
        disputes=service.list_challans(session, user=user, statuses=_DISPUTES, limit=100),
        corridors=[r for r, _ in corridor.open_near(session, user=user)],
        can_act=user.has_role(Role.TRAFFIC_OFFICER),
        error=error,
    )


@router.get("/traffic")
def traffic_page(request: Request, user: Viewer, session: DbSession) -> HTMLResponse:
    return _panels(request, session, user, "traffic.html")


def _act(request: Request, session: Session, user: User, action: object) -> HTMLResponse:
    """Run ``action`` (a thunk) and re-render the panels, showing its error if it was refused."""
    assert callable(action)
    try:
        action()
    except SafeCityError as exc:
        session.rollback()
        return _panels(request, session, user, "traffic_panels.html", error=exc.detail)
    return _panels(request, session, user, "traffic_panels.html")


@router.post("/traffic/violations/{violation_id}/verify")
def verify(violation_id: int, request: Request, user: Officer, session: DbSession) -> HTMLResponse:
    return _act(
        request,
        session,
        user,
        lambda: service.verify_violation(session, violation_id=violation_id, user=user),
    )


@router.post("/traffic/violations/{violation_id}/reject")
def reject(
    violation_id: int,
    request: Request,
    user: Officer,
    session: DbSession,
    reason: Annotated[str, Form()] = "",
) -> HTMLResponse:
    return _act(
        request,
        session,
        user,
        lambda: service.reject_violation(session, violation_id=violation_id, reason=reason, user=user),
    )


@router.post("/traffic/challans/{reference}/review")
def review(reference: str, request: Request, user: Officer, session: DbSession) -> HTMLResponse:
    return _act(request, session, user, lambda: service.start_review(session, reference=reference, user=user))


@router.post("/traffic/challans/{reference}/decision")
def decision(
    reference: str,
    request: Request,
    user: Officer,
    session: DbSession,
    outcome: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> HTMLResponse:
    def act() -> None:
        if outcome not in ("upheld", "quashed"):
            raise SafeCityError("choose upheld or quashed", field="outcome")
        service.decide(session, reference=reference, outcome=ChallanStatus(outcome), note=note, user=user)

    return _act(request, session, user, act)
