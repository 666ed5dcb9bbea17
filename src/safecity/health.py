"""Liveness and readiness for load balancers and operators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from safecity import __version__
from safecity.core.http import public

router = APIRouter(tags=["health"])


@router.get("/health", dependencies=[Depends(public("health check"))])
def health(request: Request) -> JSONResponse:
    checks: dict[str, Any] = {"version": __version__}
    ok = True
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"status": "ok", "backend": request.app.state.engine.dialect.name}
    except SQLAlchemyError as exc:
        ok = False
        checks["database"] = {"status": "down", "error": type(exc).__name__}
    checks["bus"] = request.app.state.bus_status
    checks["avl_feed"] = request.app.state.avl_status
    checks["status"] = "ok" if ok else "degraded"
    return JSONResponse(checks, status_code=200 if ok else 503)
