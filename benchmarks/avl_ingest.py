"""AVL ingest benchmark: position updates over MQTT into the store and onto the live map.

The whole app runs in this process exactly as ``safecity serve`` runs it
(`create_app` with ``SAFECITY_MQTT_URL`` set: the AVL consumer, the outbox
relay, the in-process bus and the live hub). A separate *process* plays the
fleet: ``--units`` units each publish fixes on ``safecity/avl/<unit_id>``
(QoS ``--qos``) to the real Mosquitto broker at a combined ``--rate`` per
second for ``--seconds``. A map viewer is connected to the live hub the way
the SSE route connects one (``hub.connect``), and every ``unit.position``
it receives is timed against the fix's ``at`` (stamped at publish).

Prints one JSON document (progress on stderr):

* ``updates`` / ``seconds`` / ``updates_per_s`` — fixes stored in
  ``unit_positions`` during the publishing window and its rate; ``published``
  and ``backlog_after_s`` say whether ingest kept up (``published_per_s``
  whether the publishing process itself reached ``--rate``; ``fleet_flushed``
  whether all of it left the fleet, acknowledged at QoS 1 — a fleet that
  falls behind is not the app's throughput).
* ``app_cpu_s`` / ``fleet_cpu_s`` — CPU time of this process and of the
  fleet's over the window: on a shared machine, wall-clock figures need them.
* ``p50_ms`` / ``p99_ms`` — publish → arrival at the map viewer, over every
  position event the viewer got (the consumer stores fixes in batches and the
  map gets the newest fix of each unit per batch, so events < updates).
* ``baseline_updates_per_s`` — the same store path with one transaction per
  message (no batching), measured in this run on the same database.
* ``load_avg_1m`` — the machine's load: figures from a shared box mean little without it.

Usage: ``python benchmarks/avl_ingest.py [--seconds 60] [--rate 5000] [--units 2000]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from safecity.core.config import Settings
from safecity.core.db import make_engine, make_sessionmaker, session_scope, utcnow
from safecity.core.migrate import upgrade
from safecity.core.org import AgencyType, get_unit, load_tree_file
from safecity.demo.seed import DEMO_ORG_FILE
from safecity.units.avl import AvlMessage, store_avl_batch
from safecity.units.models import Unit, UnitKind, UnitPosition, UnitStatus


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _database(url: str | None) -> str:
    if url:
        return url
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix='avl-bench-')) / 'bench.db'}"


def _seed(url: str, units: int) -> list[int]:
    """The demo organisation and ``units`` response cars (bulk insert: set-up is not measured)."""
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as session:
        load_tree_file(session, DEMO_ORG_FILE)
        station = get_unit(session, code="KOR-LND")
        now = utcnow()
        rows = [
            {
                "call_sign": f"BENCH-{i:05d}",
                "kind": UnitKind.RESPONSE_CAR,
                "agency": AgencyType.POLICE,
                "home_station_id": station.id,
                "crew": [],
                "skills": [],
                "status": UnitStatus.AVAILABLE,
                "status_since": now,
                "lon": 67.2,
                "lat": 24.85,
            }
            for i in range(units)
        ]
        session.execute(insert(Unit), rows)
        ids = list(session.scalars(select(Unit.id).where(Unit.call_sign.like("BENCH-%")).order_by(Unit.id)))
    engine.dispose()
    return ids


def _fix(unit_id: int, i: int) -> bytes:
    return json.dumps(
        {
            "lon": 67.15 + (unit_id % 100) * 0.002,
            "lat": 24.80 + (i % 500) * 0.0001,
            "speed_kph": 35.0,
            "heading": 90.0,
            "at": datetime.now(UTC).isoformat(),
        }
    ).encode()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = n >> 7, n & 0x7F
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _connect(host: str, port: int) -> socket.socket:
    """An MQTT 3.1.1 session (clean, keep-alive 60 s) on a plain socket."""
    sock = socket.create_connection((host, port))
    client_id = f"avl-bench-{os.getpid()}".encode()
    body = b"\x00\x04MQTT\x04\x02\x00\x3c" + len(client_id).to_bytes(2, "big") + client_id
    sock.sendall(b"\x10" + _varint(len(body)) + body)
    connack = sock.recv(4)
    if len(connack) != 4 or connack[0] != 0x20 or connack[3] != 0:
        raise RuntimeError(f"broker refused the fleet: {connack!r}")
    return sock


def _count_acks(sock: socket.socket, acked: list[int]) -> None:
    """Read the broker's PUBACKs (4 bytes each at QoS 1) until the socket closes."""
    pending = b""
    while chunk := sock.recv(65536):
        pending += chunk
        whole = len(pending) // 4 * 4
        acked[0] += whole // 4
        pending = pending[whole:]


def _publisher(
    host: str, port: int, qos: int, ids: list[int], rate: float, seconds: float, out: Any, go: Any
) -> None:
    """The fleet, in its own process: ``rate`` fixes per second, round-robin over the units.

    It writes MQTT PUBLISH frames itself, a millisecond's worth per write: a
    Python MQTT client spends ~100 µs of CPU per message, which on a 2-core
    machine took the CPU the broker and the app under test need (2,000 real
    devices bring their own). The frames are ordinary MQTT 3.1.1 at ``qos``.
    """
    sock = _connect(host, port)
    acked = [0]
    reader = threading.Thread(target=_count_acks, args=(sock, acked), daemon=True)
    reader.start()
    topics = {unit_id: f"safecity/avl/{unit_id}".encode() for unit_id in ids}
    out.put("ready")
    go.wait()
    start, cpu = time.perf_counter(), time.process_time()
    sent = 0
    while (elapsed := time.perf_counter() - start) < seconds:
        due = int(elapsed * rate) + 1
        frames = []
        while sent < due:
            unit_id = ids[sent % len(ids)]
            topic = topics[unit_id]
            mid = (sent % 65535 + 1).to_bytes(2, "big") if qos else b""
            body = len(topic).to_bytes(2, "big") + topic + mid + _fix(unit_id, sent // len(ids))
            frames.append(bytes([0x30 | qos << 1]) + _varint(len(body)) + body)
            sent += 1
        sock.sendall(b"".join(frames))
        time.sleep(0.001)
    out.put((sent, 0, time.perf_counter() - start, time.process_time() - cpu))
    deadline = time.monotonic() + 60
    while qos and acked[0] < sent and time.monotonic() < deadline:
        time.sleep(0.01)
    out.put(not qos or acked[0] >= sent)
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()


async def _until_consuming(host: str, port: int, unit_id: int, sessions: Any) -> None:
    """Publish a probe fix every half second until one is stored: the consumer (a worker process
    that imports the app first) has subscribed. Fixes sent before that would reach nobody."""
    import paho.mqtt.publish as publish

    deadline = time.monotonic() + 60
    while await asyncio.to_thread(_stored, sessions) == 0:
        if time.monotonic() > deadline:
            raise RuntimeError("the AVL consumer did not store a probe fix within 60 s")
        probe = _fix(unit_id, 0)
        await asyncio.to_thread(publish.single, f"safecity/avl/{unit_id}", probe, hostname=host, port=port)
        await asyncio.sleep(0.5)


def _workers_cpu_s() -> float:
    """CPU seconds of this process's worker processes so far (the AVL worker; Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for child in multiprocessing.active_children():
        try:
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _stored(sessions: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(UnitPosition)) or 0)


async def _viewer(hub: Any, latencies: list[float], stop: asyncio.Event) -> None:
    client_id, queue = hub.connect(None)
    try:
        while not stop.is_set():
            try:  # what is waiting first: a timer per message would cost the app's loop more than the map
                message = queue.get_nowait()
            except asyncio.QueueEmpty:
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=0.2)
                except TimeoutError:
                    continue
            if message.type == "unit.position":
                at = datetime.fromisoformat(message.payload["at"])
                latencies.append((datetime.now(UTC) - at).total_seconds() * 1000.0)
    finally:
        hub.disconnect(client_id)


async def _measure(settings: Settings, ids: list[int], args: argparse.Namespace) -> dict[str, Any]:
    from safecity.app import create_app

    app = create_app(settings)
    sessions = app.state.sessionmaker
    host, _, port = (
        settings.mqtt_url.removeprefix("mqtt://").partition(":") if settings.mqtt_url else ("", "", "")
    )
    latencies: list[float] = []
    async with app.router.lifespan_context(app):
        stop = asyncio.Event()
        viewer = asyncio.create_task(_viewer(app.state.live, latencies, stop))
        await _until_consuming(host, int(port or 1883), ids[0], sessions)
        ctx = multiprocessing.get_context("spawn")
        done: Any = ctx.Queue()
        go: Any = ctx.Event()
        target = (host, int(port or 1883), args.qos, ids, args.rate, args.seconds, done, go)
        proc = ctx.Process(target=_publisher, args=target)
        proc.start()
        assert await asyncio.to_thread(done.get, timeout=60) == "ready"  # connected: start-up is not measured
        before = await asyncio.to_thread(_stored, sessions)
        cpu_before, workers_before = time.process_time(), _workers_cpu_s()
        go.set()
        published, _, window, fleet_cpu_s = await asyncio.to_thread(done.get, timeout=args.seconds + 120)
        in_window = await asyncio.to_thread(_stored, sessions) - before
        app_cpu_s = time.process_time() - cpu_before
        worker_cpu_s = _workers_cpu_s() - workers_before
        flushed = await asyncio.to_thread(done.get, timeout=120)
        await asyncio.to_thread(proc.join)
        drain_started = time.perf_counter()
        while await asyncio.to_thread(_stored, sessions) - before < published:
            if time.perf_counter() - drain_started > 60:
                break
            await asyncio.sleep(0.2)
        backlog_s = time.perf_counter() - drain_started
        total = await asyncio.to_thread(_stored, sessions) - before
        await asyncio.sleep(1.0)
        stop.set()
        await viewer
    latencies.sort()
    return {
        "published": published,
        "published_per_s": round(published / window, 1),  # below the target rate: the fleet fell behind
        "fleet_flushed": flushed,  # every fix left the fleet (and was acknowledged by the broker, at QoS 1)
        "fleet_cpu_s": round(fleet_cpu_s, 2),  # CPU of the publishing process over the window
        "updates": in_window,
        "updates_total": total,
        "seconds": round(window, 2),
        "updates_per_s": round(in_window / window, 1),
        "backlog_after_s": round(backlog_s, 2),
        "app_cpu_s": round(app_cpu_s, 2),  # CPU of this process (API + viewer) over the window
        "avl_worker_cpu_s": round(worker_cpu_s, 2),  # CPU of the AVL worker process over the window
        "app_cpu_us_per_update": round(1e6 * (app_cpu_s + worker_cpu_s) / in_window, 1)
        if in_window
        else None,
        "events_on_map": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 1) if latencies else None,
    }


def _baseline(url: str, ids: list[int], seconds: float) -> float:
    """One transaction per message: the store path without batching."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        unit_id = ids[count % len(ids)]
        store_avl_batch(sessions, [AvlMessage(f"safecity/avl/{unit_id}", _fix(unit_id, 10_000 + count))])
        count += 1
    rate = count / (time.perf_counter() - start)
    engine.dispose()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=5000.0, help="fixes per second, all units together")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--qos", type=int, default=1, choices=(0, 1))
    parser.add_argument(
        "--mqtt-url", default=os.environ.get("SAFECITY_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    args = parser.parse_args()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    url = _database(args.database_url)
    log(f"seeding {args.units} units into {url}")
    ids = _seed(url, args.units)
    settings = Settings(
        database_url=url, mqtt_url=args.mqtt_url, secret_key="bench", data_dir=Path(tempfile.mkdtemp())
    )
    log(f"publishing {args.rate:.0f} fixes/s for {args.seconds:.0f} s over {args.mqtt_url} (QoS {args.qos})")
    result = asyncio.run(_measure(settings, ids, args))
    log("baseline: one transaction per message")
    baseline = _baseline(url, ids, args.baseline_seconds)
    result |= {
        "target_rate": args.rate,
        "units": args.units,
        "qos": args.qos,
        "database": url.split(":", 1)[0],
        "baseline_updates_per_s": round(baseline, 1),
        "speedup_vs_baseline": round(result["updates_per_s"] / baseline, 1) if baseline else None,
        "goal": {"updates_per_s": 5000, "p99_ms": 250, "seconds": 60},
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
