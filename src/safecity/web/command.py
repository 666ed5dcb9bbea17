"""The command-centre page: the live map, call intake and dispatch.

The page is a thin shell; ``static/js/command.js`` drives it through the
public JSON API (calls, incidents, units, dispatch, live SSE), so the page
can do nothing the API would refuse. The role flags only hide buttons a
user could not use anyway.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from safecity.core.auth import Role, User
from safecity.core.http import get_settings, require
from safecity.incidents.roles import CALL_TAKERS, DISPATCHERS, FIELD
from safecity.roads import service as roads
from safecity.web.nav import NavItem, register
from safecity.web.templating import render

router = APIRouter(include_in_schema=False)

VIEWERS = (
    Role.ADMIN,
    Role.SUPERVISOR,
    Role.DISPATCHER,
    Role.OPERATOR,
    Role.OFFICER,
    Role.TRAFFIC_OFFICER,
    Role.ANALYST,
)
register(NavItem("/command", "Command centre", frozenset(VIEWERS), order=10))

Viewer = Annotated[User, Depends(require(*VIEWERS))]


@router.get("/command")
def command_centre(request: Request, user: Viewer) -> HTMLResponse:
    settings = get_settings(request)
    source = roads.graph_source(settings)
    graph = roads.graph_for(settings)
    lon0, lat0, lon1, lat1 = graph.bbox if graph is not None else settings.jurisdiction_bbox
    return render(
        request,
        "command.html",
        user=user,
        bbox=[lon0, lat0, lon1, lat1],
        graph_label=source.label if source else "none installed",
        can_dispatch=user.has_role(*DISPATCHERS),
        can_intake=user.has_role(*CALL_TAKERS),
        can_report=user.has_role(*FIELD),
    )
