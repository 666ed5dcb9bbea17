"""Read the organisation tree within the caller's jurisdiction."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from safecity.core.auth import scope_ids
from safecity.core.http import CurrentUser, DbSession
from safecity.core.org import OrgUnit
from safecity.org.schemas import OrgUnitOut

router = APIRouter(prefix="/api/org", tags=["organisation"])


@router.get("/units")
def list_units(user: CurrentUser, session: DbSession) -> list[OrgUnitOut]:
    reach = scope_ids(session, user)
    units = session.scalars(select(OrgUnit).where(OrgUnit.id.in_(reach)).order_by(OrgUnit.id))
    return [OrgUnitOut.model_validate(u) for u in units]
