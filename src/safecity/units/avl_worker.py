"""The AVL feed in its own process: receive, parse and store fixes away from the API's GIL.

Why a process: at fleet rates (thousands of fixes a second) receiving and
storing is most of a core of Python. In the API process it shared one GIL
with the MQTT network thread, the store thread and the event loop that serves
dispatchers, and fixes waited for the GIL more than for anything else: the
map lagged by seconds at 5,000 fixes/s, and dispatch requests with it. The
worker runs one thread that reads the broker and stores in turn (see
`AvlReceiver.pump`), with its own database connection, and sends each
committed batch's ``unit.position`` events back over a pipe; the API process
only publishes them to its bus, where the live map and other workers get them.

What it keeps from the in-process consumer (`safecity.units.avl`): batches as
``store_avl_batch`` stores them (garbage, unknown units and fixes outside the
jurisdiction dead-lettered, never dropped silently), a shared subscription per
database, and an event only for a committed fix. On ``stop`` the worker stores
what it has already received before it exits; if it dies, the API process logs
it and starts another after ``restart_s`` (fixes received but not yet stored by
the dead one are lost, and its log says how many it had).

An in-memory SQLite database cannot be shared with another process, so there
(tests, mostly) the app keeps the in-process consumer: see `can_run_in_worker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy.engine import make_url

from safecity.core import events
from safecity.core.mqtt import shared_topic
from safecity.units import service
from safecity.units.avl import AVL_PREFIX, AvlMessage, publish_moves, store_avl_batch
from safecity.units.avl_receiver import AvlReceiver

__all__ = ["WorkerConfig", "can_run_in_worker", "run_avl_worker"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """What the worker process needs (it is pickled across: plain values only)."""

    database_url: str
    mqtt_url: str
    group: str
    prefix: str = AVL_PREFIX
    bbox: service.Bbox | None = None
    batch_max: int = 5000
    batch_wait_s: float = 0.025
    reconnect_s: float = 2.0


def can_run_in_worker(database_url: str) -> bool:
    """False for an in-memory SQLite database, which only its own process can see."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return True
    return url.database not in (None, "", ":memory:") and url.query.get("mode") != "memory"


async def run_avl_worker(
    config: WorkerConfig,
    stop_event: asyncio.Event,
    bus: events.EventBus,
    *,
    ready: asyncio.Event | None = None,
    restart_s: float = 5.0,
    status: dict[str, str] | None = None,
) -> None:
    """Run the worker process until ``stop_event`` is set, restarting it if it dies.

    ``ready`` is set once the broker has confirmed the worker's subscription;
    ``status`` (the app's health report) says so, and says when a worker died.
    """
    while True:
        clean = await _supervise(config, stop_event, bus, ready, status)
        if stop_event.is_set():
            return
        if status is not None:
            status.update(status="restarting", last_exit=clean)
        _log.error("AVL worker process %s; starting another in %.0f s", clean, restart_s)
        try:
            await asyncio.wait_for(stop_event.wait(), restart_s)
            return
        except TimeoutError:
            continue


async def _supervise(
    config: WorkerConfig,
    stop_event: asyncio.Event,
    bus: events.EventBus,
    ready: asyncio.Event | None,
    status: dict[str, str] | None,
) -> str:
    """One worker process's life; returns how it ended."""
    context = multiprocessing.get_context("spawn")  # no fork of a process holding threads and sockets
    ours, theirs = context.Pipe()
    process = context.Process(target=_worker_main, args=(config, theirs), name="safecity-avl", daemon=True)
    process.start()
    theirs.close()
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    threading.Thread(target=_forward, args=(ours, loop, inbox), name="safecity-avl-pipe", daemon=True).start()
    stopping = asyncio.create_task(stop_event.wait())
    grace: asyncio.Task[None] | None = None  # after "stop": how long it may take to store the rest
    ended = "exited"
    try:
        while True:
            message = asyncio.create_task(inbox.get())
            timer = grace or stopping
            done, _ = await asyncio.wait({message, timer}, return_when=asyncio.FIRST_COMPLETED)
            if message not in done:
                message.cancel()
                if grace is not None:
                    ended = "did not finish storing within 30 s of the stop"
                    break
                ours.send("stop")
                grace = asyncio.create_task(asyncio.sleep(30.0))
                continue
            item = message.result()
            if item is None:
                ended = "stopped without confirming" if grace else "exited"
                break
            if item[0] == "done":
                ended = "stopped"
                _log.info("AVL worker stopped: %s", item[1])
                break
            if item[0] == "moved":
                await publish_moves(bus, item[1])
            elif item[0] == "ready":
                if ready is not None:
                    ready.set()
                if status is not None:
                    status["status"] = "subscribed"
    finally:
        for task in (stopping, grace):
            if task is not None:
                task.cancel()
        await asyncio.to_thread(process.join, 10.0)
        if process.is_alive():
            _log.error("AVL worker process did not stop; terminating it")
            process.terminate()
        ours.close()
    if ended == "exited":
        ended = f"exited with code {process.exitcode}"
    return ended


def _forward(conn: Connection, loop: asyncio.AbstractEventLoop, inbox: asyncio.Queue[Any]) -> None:
    """Pipe → event loop, in a thread (a blocking ``recv`` holds no GIL while it waits)."""
    with contextlib.suppress(RuntimeError):  # RuntimeError: the event loop has closed
        try:
            while True:
                loop.call_soon_threadsafe(inbox.put_nowait, conn.recv())
        except (EOFError, OSError):
            loop.call_soon_threadsafe(inbox.put_nowait, None)


def _worker_main(config: WorkerConfig, conn: Connection) -> None:
    """The worker process: receive, store in batches, report each batch's events."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s safecity-avl: %(message)s")
    logging.getLogger("safecity").setLevel(logging.INFO)
    from safecity.core.db import make_engine, make_sessionmaker
    from safecity.model_registry import load_all_models

    load_all_models()
    # What the imports built lives as long as the process: keep it out of the collector's full
    # passes, which otherwise walk it every few seconds at fleet rates and stall the feed.
    gc.collect()
    gc.freeze()
    engine = make_engine(config.database_url)
    sessions = make_sessionmaker(engine)
    receiver = AvlReceiver(
        config.mqtt_url, shared_topic(f"{config.prefix}/+", config.group), reconnect_s=config.reconnect_s
    )
    receiver.connect()
    totals = {"accepted": 0, "dead_lettered": 0}

    def store(messages: list[AvlMessage]) -> None:
        result = store_avl_batch(sessions, messages, prefix=config.prefix, bbox=config.bbox, outbox=False)
        totals["accepted"] += result.accepted
        totals["dead_lettered"] += result.dead_lettered
        if result.moved:
            conn.send(("moved", result.moved))

    try:
        _receive_until_stopped(config, conn, receiver, store)
        receiver.pump(0.0)  # what already waits on the socket
        receiver.stop()
        while len(receiver):  # what arrived before the stop is stored, not dropped
            store(receiver.take(config.batch_max))
        conn.send(("done", totals | {"dropped": receiver.dropped}))
    except Exception:
        _log.exception("AVL worker failed with %d fixes received and not stored", len(receiver))
        raise
    finally:
        engine.dispose()
        conn.close()


def _receive_until_stopped(
    config: WorkerConfig,
    conn: Connection,
    receiver: AvlReceiver,
    store: Callable[[list[AvlMessage]], None],
) -> None:
    """Pump the broker; store a batch when it is full or its oldest message has waited long enough."""
    parent = os.getppid()
    control = conn.fileno()
    told_ready = False
    first_at: float | None = None  # when the oldest waiting message arrived
    while True:
        wait = 0.5 if first_at is None else max(0.0, first_at + config.batch_wait_s - time.monotonic())
        if receiver.pump(wait, also=(control,)):
            try:
                if conn.recv() == "stop":
                    return
            except EOFError:  # the API process is gone
                return
        if os.getppid() != parent:
            return
        if not told_ready and receiver.is_subscribed:
            conn.send(("ready",))
            told_ready = True
        waiting = len(receiver)
        if not waiting:
            continue
        now = time.monotonic()
        if first_at is None:
            first_at = now
        if waiting >= config.batch_max or now - first_at >= config.batch_wait_s:
            store(receiver.take(config.batch_max))
            first_at = 0.0 if len(receiver) else None  # more than a batch waited: the rest is due now
