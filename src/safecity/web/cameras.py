"""The cameras page: every camera in one's jurisdiction on the map, coloured by health,
with open offline alerts and recent watchlist hits an officer can confirm or reject.

Like the command centre, the page is a shell that ``static/js/cameras.js`` fills
through the JSON API (``/api/cameras``, ``/api/cameras/alerts``, ``/api/anpr/hits``,
the live stream), so it can show or do nothing the API would refuse. There is no
face recognition anywhere behind it: cameras report health and number plates only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from safecity.core.auth import Role, User
from safecity.core.http import get_settings, require
from safecity.web.nav import NavItem, register
from safecity.web.templating import render

__all__ = ["VIEWERS", "router"]

router = APIRouter(include_in_schema=False)

# The roles that may list cameras (``GET /api/cameras``) and see hits.
VIEWERS = (
    Role.ADMIN,
    Role.SUPERVISOR,
    Role.DISPATCHER,
    Role.OPERATOR,
    Role.OFFICER,
    Role.ANALYST,
    Role.TRAFFIC_OFFICER,
)
register(NavItem("/cameras", "Cameras", frozenset(VIEWERS), order=20))

Viewer = Annotated[User, Depends(require(*VIEWERS))]


@router.get("/cameras")
def cameras_page(request: Request, user: Viewer) -> HTMLResponse:
    lon0, lat0, lon1, lat1 = get_settings(request).jurisdiction_bbox
    return render(request, "cameras.html", user=user, bbox=[lon0, lat0, lon1, lat1])
