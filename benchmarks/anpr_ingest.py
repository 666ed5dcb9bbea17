"""End-to-end ANPR ingest throughput: JSON batches in, committed rows (and hits) out.

Each batch of 1,000 reads goes the way a camera's REST batch goes, minus the
socket: JSON bytes are validated into `ReadBatchIn`, `ingest_reads` checks
cameras, normalises plates (2 % malformed, stored flagged), inserts with one
INSERT … ON CONFLICT DO NOTHING RETURNING per batch (1 % repeats), matches new reads against a
10,000-plate watchlist (0.1 % listed → hit rows and outbox events), audits the
batch, and the transaction commits. The baseline is the obvious ORM code: per
read, look for a duplicate, add an `AnprRead`, flush.

SQLite always (a temporary WAL file); PostgreSQL when SAFECITY_TEST_DATABASE_URL
or --pg URL is given (a scratch database beside it, dropped afterwards).
Prints one JSON document; progress goes to stderr. Besides wall-clock reads/s it
reports reads per CPU second of this process (for SQLite that is all the work), for
PostgreSQL also per CPU second of this process plus its server backends (read from
/proc when the server runs on this machine; the WAL writer and checkpointer are
left out), and the load average, because on a shared machine the wall-clock figure
mostly measures the neighbours.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from safecity.anpr import InvalidPlate, normalise_plate
from safecity.anpr.ingest import ingest_reads
from safecity.anpr.models import AnprRead
from safecity.anpr.schemas import ReadBatchIn
from safecity.anpr.service import add_to_watchlist
from safecity.cameras.models import Camera, CameraKind
from safecity.core.db import make_engine, make_sessionmaker, session_scope, utcnow
from safecity.core.migrate import upgrade
from safecity.core.org import OrgKind, OrgUnit

BATCH = 1_000
CAMERAS = 50
LISTED = 10_000
_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _plate(rng: random.Random) -> str:
    series = "".join(rng.choice(_LETTERS) for _ in range(3))
    return f"{series}-{rng.randint(1, 9999)}"


def _spelling(rng: random.Random, plate: str) -> str:
    series, number = plate.split("-")
    return rng.choice([plate, f"{series} {number}", f"{series}{number}".lower()])


def make_batches(n_reads: int, listed: list[str], seed: int) -> list[bytes]:
    """JSON bodies as cameras send them; the mix is fixed by the seed, not tuned to the code."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    reads: list[dict[str, Any]] = []
    for i in range(n_reads):
        roll = rng.random()
        if roll < 0.01 and reads:
            reads.append(dict(rng.choice(reads[-BATCH:])))  # a repeat: same camera, plate, second
            continue
        if roll < 0.03:
            text = rng.choice(["#?!", "LE@-12", "1234567890", "PUNJAB", "XX XX XX 99999"])
        elif roll < 0.031:
            text = _spelling(rng, rng.choice(listed))
        else:
            text = _spelling(rng, _plate(rng))
        at = start + timedelta(milliseconds=i * 37)
        reads.append(
            {
                "camera_id": f"BENCH-{rng.randrange(CAMERAS):03d}",
                "plate_text": text,
                "confidence": round(rng.uniform(0.5, 1.0), 3),
                "at": at.isoformat(),
            }
        )
    return [json.dumps({"reads": reads[i : i + BATCH]}).encode() for i in range(0, len(reads), BATCH)]


def prepare(sessions: sessionmaker[Session], listed: list[str], tag: str) -> None:
    with session_scope(sessions) as session:
        unit = OrgUnit(code=f"BENCH-{tag}", name="Benchmark district", kind=OrgKind.PROVINCE)
        session.add(unit)
        session.flush()
        for c in range(CAMERAS):
            session.add(
                Camera(
                    code=f"BENCH-{c:03d}",
                    name="bench",
                    kind=CameraKind.ANPR,
                    lon=67.1,
                    lat=24.8,
                    org_unit_id=unit.id,
                )
            )
        session.flush()
        _bulk_list(session, listed, unit.id)


def _bulk_list(session: Session, listed: list[str], unit_id: int) -> None:
    """Listing 10,000 plates through the service would audit each; the benchmark times reads, not listing."""
    from safecity.anpr.models import ListPolicy, WatchlistEntry, WatchlistList

    wl = WatchlistList(name="stolen", policy=ListPolicy.OPEN_INCIDENT, description="bench")
    session.add(wl)
    session.flush()
    now = utcnow()
    session.execute(
        WatchlistEntry.__table__.insert(),
        [
            {"watchlist_id": wl.id, "plate": p, "reason": "", "org_unit_id": unit_id, "added_at": now}
            for p in listed[:-1]
        ],
    )
    add_to_watchlist(session, list_name="stolen", plate=listed[-1], org_unit_id=unit_id)  # sets the token


def run_fast(sessions: sessionmaker[Session], batches: list[bytes]) -> tuple[float, float, dict[str, int]]:
    """Wall seconds, this process's CPU seconds (SQLite's work included; PostgreSQL's server not), totals."""
    totals = {"accepted": 0, "duplicates": 0, "flagged": 0, "hits": 0}
    started, cpu_started = time.perf_counter(), time.process_time()
    for body in batches:
        batch = ReadBatchIn.model_validate_json(body)
        with session_scope(sessions) as session:
            result = ingest_reads(session, batch.reads, actor=None, source="bench", scope=None)
        totals["accepted"] += result.accepted
        totals["duplicates"] += result.duplicates
        totals["flagged"] += result.flagged
        totals["hits"] += len(result.hits)
    return time.perf_counter() - started, time.process_time() - cpu_started, totals


def backend_cpu_s(engine: Engine) -> dict[int, float] | None:
    """CPU seconds used so far by each PostgreSQL backend of this database (None: not readable)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
        used: dict[int, float] = {}
        for (pid,) in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return None  # a server on another machine or in another container
            used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def run_orm_baseline(sessions: sessionmaker[Session], batches: list[bytes]) -> float:
    """The straightforward version: one ORM object, one duplicate check and one flush per read."""
    started = time.perf_counter()
    for body in batches:
        batch = ReadBatchIn.model_validate_json(body)
        with session_scope(sessions) as session:
            cameras = {c.code: c for c in session.scalars(select(Camera))}
            for read in batch.reads:
                camera = cameras[str(read.camera_id)]
                raw = read.plate_text or ""
                try:
                    plate: str | None = normalise_plate(raw)
                except InvalidPlate:
                    plate = None
                key = plate or raw.upper()
                at_s = int(read.at.timestamp())
                dup = session.scalar(
                    select(AnprRead.id).where(
                        AnprRead.camera_id == camera.id, AnprRead.plate_key == key, AnprRead.at_s == at_s
                    )
                )
                if dup is not None:
                    continue
                session.add(
                    AnprRead(
                        camera_id=camera.id, org_unit_id=camera.org_unit_id, at=read.at, at_s=at_s,
                        plate_key=key, plate=plate, raw_text=raw, confidence=read.confidence,
                        invalid_plate=plate is None,
                        source="bench", from_image=False, received_at=utcnow(),
                    )
                )  # fmt: skip
                session.flush()
    return time.perf_counter() - started


def measure(
    url: str, batches: list[bytes], baseline_batches: list[bytes], listed: list[str]
) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        prepare(sessions, listed, uuid.uuid4().hex[:6])
        n = sum(len(json.loads(b)["reads"]) for b in batches)
        server_before = backend_cpu_s(engine)
        seconds, cpu_seconds, totals = run_fast(sessions, batches)
        server_after = backend_cpu_s(engine)
        server: dict[str, Any] = {}
        if server_before is not None and server_after is not None:
            server_s = sum(cpu - server_before.get(pid, 0.0) for pid, cpu in server_after.items())
            server = {
                "server_cpu_s": round(server_s, 2),
                "per_total_cpu_s": round(n / (cpu_seconds + server_s)),
            }
        with session_scope(sessions) as session:
            session.execute(text("DELETE FROM anpr_hits"))
            session.execute(text("DELETE FROM anpr_reads"))
        nb = sum(len(json.loads(b)["reads"]) for b in baseline_batches)
        base_seconds = run_orm_baseline(sessions, baseline_batches)
        return {
            "reads_per_s": round(n / seconds),
            "reads_per_cpu_s": round(n / cpu_seconds),
            "baseline": round(nb / base_seconds),
            **server,
            **totals,
        }
    finally:
        engine.dispose()


def _scratch_pg(url: str) -> tuple[str, Any]:
    base = make_url(url)
    name = f"{base.database}_ingest_bench"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reads", type=int, default=100_000)
    parser.add_argument("--baseline-reads", type=int, default=5_000)
    parser.add_argument("--pg", default=os.environ.get("SAFECITY_TEST_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    rng = random.Random(f"listed-{args.seed}")  # a stream apart from the reads' own
    listed = sorted({_plate(rng) for _ in range(LISTED)})
    batches = make_batches(args.reads, listed, args.seed)
    baseline_batches = make_batches(args.baseline_reads, listed, args.seed + 1)
    result: dict[str, Any] = {"reads": args.reads, "batch": BATCH, "baseline_reads": args.baseline_reads}
    with tempfile.TemporaryDirectory() as tmp:
        log("SQLite …")
        sq = measure(f"sqlite:///{Path(tmp) / 'bench.db'}", batches, baseline_batches, listed)
    result["sqlite_reads_per_s"] = sq["reads_per_s"]
    result["sqlite_reads_per_cpu_s"] = sq["reads_per_cpu_s"]
    result["sqlite_baseline_per_row_orm_reads_per_s"] = sq["baseline"]
    result["baseline_per_row_orm_reads_per_s"] = sq["baseline"]
    result["sqlite_speedup"] = round(sq["reads_per_s"] / sq["baseline"], 1)
    result["accepted"], result["duplicates"], result["flagged"], result["hits"] = (
        sq["accepted"], sq["duplicates"], sq["flagged"], sq["hits"],
    )  # fmt: skip
    result["postgresql_reads_per_s"] = None
    if args.pg:
        log("PostgreSQL …")
        url, drop = _scratch_pg(args.pg)
        try:
            pg = measure(url, batches, baseline_batches, listed)
        finally:
            drop()
        result["postgresql_reads_per_s"] = pg["reads_per_s"]
        result["postgresql_client_reads_per_cpu_s"] = pg["reads_per_cpu_s"]
        result["postgresql_server_backend_cpu_s"] = pg.get("server_cpu_s")
        result["postgresql_reads_per_client_and_server_cpu_s"] = pg.get("per_total_cpu_s")
        result["postgresql_baseline_per_row_orm_reads_per_s"] = pg["baseline"]
        result["postgresql_speedup"] = round(pg["reads_per_s"] / pg["baseline"], 1)
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)  # wall figures on a busy box mean little alone
    result["cpus"] = os.cpu_count()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
