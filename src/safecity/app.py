"""The application factory: one FastAPI app with every domain's router mounted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from safecity import __version__
from safecity.core import events
from safecity.core.config import Settings
from safecity.core.db import make_engine, make_sessionmaker
from safecity.core.http import install_edge
from safecity.live.hub import LiveHub
from safecity.model_registry import load_all_models

__all__ = ["create_app"]

_STATIC = Path(__file__).resolve().parent / "web" / "static"


def _routers() -> list[APIRouter]:
    from safecity import health
    from safecity.accounts import routes as accounts
    from safecity.anpr import routes as anpr
    from safecity.calls import routes as calls
    from safecity.cameras import routes as cameras
    from safecity.dispatch import routes as dispatch
    from safecity.incidents import routes as incidents
    from safecity.live import routes as live
    from safecity.org import routes as org
    from safecity.records import routes as records
    from safecity.roads import routes as roads
    from safecity.transparency import routes as transparency
    from safecity.units import routes as units
    from safecity.web import command, pages

    return [
        health.router,
        accounts.router,
        cameras.router,
        anpr.router,
        org.router,
        records.router,
        roads.router,
        calls.router,
        incidents.router,
        units.router,
        dispatch.router,
        live.router,
        transparency.router,
        pages.router,
        command.router,
    ]


def _subscribers() -> list[Callable[[events.EventBus, sessionmaker[Session]], None]]:
    """Each domain that reacts to events exposes ``register(bus, sessions)`` in its events module."""
    return []


def _bus_options(settings: Settings, sessions: sessionmaker[Session]) -> dict[str, Any]:
    if settings.event_bus.startswith("nats"):
        return {"on_dead_letter": events.dead_letter_sink(sessions)}
    return {}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    load_all_models()
    engine = make_engine(settings.database_url)

    sessions = make_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        bus = events.make_bus(settings.event_bus, **_bus_options(settings, sessions))
        for register in _subscribers():
            register(bus, sessions)
        app.state.live.attach(bus)
        await bus.start()
        relay = events.OutboxRelay(sessions, bus)
        relay.start()
        app.state.bus = bus
        app.state.bus_status = {"status": "ok", "kind": type(bus).__name__}
        try:
            yield
        finally:
            await relay.stop()
            await bus.close()
            app.state.bus_status = {"status": "stopped"}
            engine.dispose()

    app = FastAPI(
        title="safecity",
        version=__version__,
        description="Safe City platform API: command & control, dispatch, records, ANPR, traffic, analytics.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessions
    app.state.bus_status = {"status": "not started"}
    app.state.live = LiveHub()
    install_edge(app)
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    for router in _routers():
        app.include_router(router)
    return app
