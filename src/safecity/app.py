"""The application factory: one FastAPI app with every domain's router mounted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
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
from safecity.core.jobs import Job
from safecity.live.hub import LiveHub
from safecity.model_registry import load_all_models

__all__ = ["create_app"]

_STATIC = Path(__file__).resolve().parent / "web" / "static"
_log = logging.getLogger(__name__)

# A long-running job of the app (a consumer, the demo city): runs until its stop event is set.
Background = Job


def _routers() -> list[APIRouter]:
    from safecity import health
    from safecity.accounts import routes as accounts
    from safecity.anpr import routes as anpr
    from safecity.calls import routes as calls
    from safecity.cameras import routes as cameras
    from safecity.dispatch import routes as dispatch
    from safecity.forecasting import routes as forecasting
    from safecity.incidents import routes as incidents
    from safecity.live import routes as live
    from safecity.org import routes as org
    from safecity.records import duplicates_pages as records_duplicates_pages
    from safecity.records import duplicates_routes as records_duplicates
    from safecity.records import pages as records_pages
    from safecity.records import routes as records
    from safecity.roads import routes as roads
    from safecity.traffic import routes as traffic
    from safecity.transparency import routes as transparency
    from safecity.units import routes as units
    from safecity.web import cameras as cameras_page
    from safecity.web import command, pages

    return [
        health.router,
        accounts.router,
        cameras.router,
        anpr.router,
        org.router,
        records_duplicates.router,
        records.router,
        roads.router,
        calls.router,
        incidents.router,
        units.router,
        dispatch.router,
        forecasting.router,
        traffic.router,
        live.router,
        transparency.router,
        pages.router,
        command.router,
        records_pages.router,
        records_duplicates_pages.router,
        cameras_page.router,
    ]


def _subscribers() -> list[Callable[[events.EventBus, sessionmaker[Session]], None]]:
    """Each domain that reacts to events exposes ``register(bus, sessions)`` in its events module."""
    from safecity.incidents import events as incident_events

    return [incident_events.register]


def _background(
    settings: Settings, sessions: sessionmaker[Session], bus: events.EventBus, avl_status: dict[str, str]
) -> list[Background]:
    """Jobs the configuration asks for: the AVL consumer when ``SAFECITY_MQTT_URL`` is set."""
    jobs: list[Background] = []
    if settings.mqtt_url:
        jobs.append(_avl_job(settings, settings.mqtt_url, sessions, bus, avl_status))
    from safecity.anpr.jobs import anpr_jobs
    from safecity.cameras.jobs import camera_jobs

    jobs += [*camera_jobs(settings.mqtt_url, sessions), *anpr_jobs(settings.mqtt_url, sessions)]
    return jobs


def _avl_job(
    settings: Settings,
    mqtt_url: str,
    sessions: sessionmaker[Session],
    bus: events.EventBus,
    status: dict[str, str],
) -> Background:
    """The AVL feed: in a worker process of its own unless configured off or the database is in memory.

    ``status`` (shown by ``/health``) says whether the broker has confirmed its subscription yet."""
    from safecity.units.avl import feed_group, run_avl_consumer
    from safecity.units.avl_worker import WorkerConfig, can_run_in_worker, run_avl_worker

    bbox = settings.jurisdiction_bbox
    in_worker = settings.avl_worker_process and can_run_in_worker(settings.database_url)
    status.update(status="starting", runs_in="worker process" if in_worker else "api process")

    async def avl(stop: asyncio.Event) -> None:
        try:
            if in_worker:
                config = WorkerConfig(settings.database_url, mqtt_url, feed_group(sessions), bbox=bbox)
                await run_avl_worker(config, stop, bus, status=status)
            else:
                ready = asyncio.Event()
                watch = asyncio.create_task(_mark_subscribed(ready, status))
                try:
                    await run_avl_consumer(mqtt_url, sessions, stop, bus=bus, bbox=bbox, ready=ready)
                finally:
                    watch.cancel()
        finally:
            status["status"] = "stopped"

    return avl


async def _mark_subscribed(ready: asyncio.Event, status: dict[str, str]) -> None:
    await ready.wait()
    status["status"] = "subscribed"


async def _run_logged(job: Background, stop: asyncio.Event) -> None:
    """A failed job is logged, not allowed to take the server down with it."""
    try:
        await job(stop)
    except Exception:
        _log.exception("background job %s failed", getattr(job, "__qualname__", job))


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
        # Short rounds and large batches: a unit's position should reach the map in well under a second.
        relay = events.OutboxRelay(sessions, bus, interval=0.05, batch=1000)
        relay.start()
        app.state.bus = bus
        app.state.bus_status = {"status": "ok", "kind": type(bus).__name__}
        stop = asyncio.Event()
        jobs = [*_background(settings, sessions, bus, app.state.avl_status), *app.state.background]
        tasks = [asyncio.create_task(_run_logged(job, stop)) for job in jobs]
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(task, timeout=10)
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
    app.state.avl_status = {"status": "off" if settings.mqtt_url is None else "not started"}
    app.state.live = LiveHub()
    app.state.background = []  # more `Background` jobs, e.g. the demo city's simulation
    install_edge(app)
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    for router in _routers():
        app.include_router(router)
    return app
