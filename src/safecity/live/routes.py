"""Server-Sent Events stream of live changes, scoped to the viewer's jurisdiction."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from safecity.core.auth import Role, scope_ids
from safecity.core.errors import PermissionDenied
from safecity.core.http import CurrentUser, DbSession
from safecity.live.hub import LiveHub

router = APIRouter(prefix="/api/live", tags=["live"])

_KEEPALIVE_S = 15.0
_VIEWERS = (
    Role.ADMIN,
    Role.SUPERVISOR,
    Role.DISPATCHER,
    Role.OPERATOR,
    Role.OFFICER,
    Role.TRAFFIC_OFFICER,
    Role.ANALYST,
)


@router.get("/stream")
async def stream(request: Request, user: CurrentUser, session: DbSession) -> StreamingResponse:
    if not user.has_role(*_VIEWERS):
        raise PermissionDenied("the live map is for command-centre and field roles")
    hub: LiveHub = request.app.state.live
    scope = None if user.has_role(Role.ADMIN) else scope_ids(session, user)
    client_id, queue = hub.connect(scope)

    async def events() -> AsyncIterator[str]:
        try:
            yield "retry: 3000\n\n"
            while not await request.is_disconnected():
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=_KEEPALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                data = json.dumps(message.payload, separators=(",", ":"), ensure_ascii=False, default=str)
                yield f"event: {message.type}\ndata: {data}\n\n"
        finally:
            hub.disconnect(client_id)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
