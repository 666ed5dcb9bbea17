"""Login, the navigation shell and the administrative pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from safecity.accounts import service as accounts
from safecity.core import audit
from safecity.core.auth import Role, User, scope_ids
from safecity.core.db import utcnow
from safecity.core.http import SESSION_COOKIE, CurrentUser, DbSession, get_settings, public, require
from safecity.core.org import OrgUnit
from safecity.core.security import authenticate, issue_token
from safecity.web.i18n import LANGUAGES
from safecity.web.templating import LANG_COOKIE, render

router = APIRouter(include_in_schema=False)

Supervisor = Annotated[User, Depends(require(Role.ADMIN, Role.SUPERVISOR))]


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot be used as an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login", dependencies=[Depends(public("login page"))])
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next))


@router.post("/login", dependencies=[Depends(public("login form"))])
def login_submit(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    otp: Annotated[str | None, Form()] = None,
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = get_settings(request)
    client = request.client.host if request.client else None
    outcome = authenticate(
        session, username=username, password=password, otp=otp or None, settings=settings, client=client
    )
    if outcome.error is not None or outcome.user is None:
        session.commit()  # keep the failed attempt for lockout counting
        message = outcome.error.detail if outcome.error else "login failed"
        return render(request, "login.html", error=message, username=username, next=next, status_code=401)
    audit.record(
        session,
        actor=accounts.actor_of(outcome.user),
        action="auth.login",
        object_type="user",
        object_id=str(outcome.user.id),
        details={"client": client, "via": "web"},
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issue_token(outcome.user, settings),
        max_age=settings.token_ttl_minutes * 60,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
    )
    return response


@router.post("/logout")
def logout(user: CurrentUser) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}", dependencies=[Depends(public("language switch"))])
def switch_language(code: str, request: Request) -> Response:
    target = _safe_next(request.headers.get("referer", "/").split(request.url.netloc, 1)[-1])
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _units_in_scope(session: DbSession, user: User) -> list[OrgUnit]:
    reach = scope_ids(session, user)
    return list(session.scalars(select(OrgUnit).where(OrgUnit.id.in_(reach)).order_by(OrgUnit.id)))


@router.get("/")
def home(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    codes = accounts.unit_codes(session, user)
    units = list(session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes))))
    return render(request, "home.html", user=user, units=units)


@router.get("/org")
def org_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    units = _units_in_scope(session, user)
    by_id = {u.id: u for u in units}
    depth: dict[int, int] = {}
    for unit in units:
        level, parent = 0, unit.parent_id
        while parent is not None and parent in by_id:
            level, parent = level + 1, by_id[parent].parent_id
        depth[unit.id] = level
    ordered = sorted(units, key=lambda u: _path(u, by_id))
    return render(request, "org.html", user=user, units=ordered, depth=depth)


def _path(unit: OrgUnit, by_id: dict[int, OrgUnit]) -> list[str]:
    path = [unit.code]
    parent = unit.parent_id
    while parent is not None and parent in by_id:
        path.insert(0, by_id[parent].code)
        parent = by_id[parent].parent_id
    return path


@router.get("/admin/users")
def users_page(request: Request, user: Supervisor, session: DbSession) -> HTMLResponse:
    users = accounts.list_users(session, viewer=user)
    return render(request, "users.html", user=user, users=users, now=utcnow())


@router.get("/admin/audit")
def audit_page(request: Request, user: Supervisor, session: DbSession) -> HTMLResponse:
    head = audit.tree_head(session, audit.signer_from_settings(get_settings(request)), store=False)
    entries = session.scalars(select(audit.AuditEntry).order_by(audit.AuditEntry.index.desc()).limit(100))
    return render(request, "audit.html", user=user, head=head, entries=entries)
