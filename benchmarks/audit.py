"""Audit log throughput and proof costs on a temporary SQLite file.

Prints one JSON document. Baseline: one `record` per committed transaction
(what a naive caller does), measured in the same run on a smaller sample;
``batched_vs_single`` is the ratio. Proof verification is timed per call.
Rates are given per wall second and per CPU second of this process: on a
shared, loaded machine the second says what the code costs, the first what
it got. The log ends with ``entries`` + 1000 entries (a second, incremental
tree head is timed after appending 1000 more).

    python benchmarks/audit.py [--entries 1000000] [--single 2000] [--proofs 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from safecity.core import audit
from safecity.core.audit import Actor, AuditEvent, TreeHeadSigner
from safecity.core.audit_tree import forget_trees
from safecity.core.db import make_engine, make_sessionmaker
from safecity.core.merkle import verify_consistency, verify_inclusion
from safecity.core.migrate import upgrade

ACTORS = [Actor(id=i, username=f"user{i}", role="dispatcher") for i in range(50)]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _event(i: int) -> AuditEvent:
    personal = i % 4 == 0
    return AuditEvent(
        actor=ACTORS[i % len(ACTORS)],
        action="person.read" if personal else "incident.update",
        object_type="person" if personal else "incident",
        object_id=str(i * 7919 % 1_000_003),
        personal_data=personal,
        purpose="case INC-2026-000123" if personal else None,
        request_id=f"{i:016x}",
        details={"field": "status", "to": "dispatched", "n": i},
    )


def _factory(path: Path) -> sessionmaker[Session]:
    url = f"sqlite:///{path}"
    upgrade(url)
    return make_sessionmaker(make_engine(url))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _single(factory: sessionmaker[Session], n: int) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        with factory.begin() as session:
            e = _event(i)
            audit.record(
                session,
                actor=e.actor,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                personal_data=e.personal_data,
                purpose=e.purpose,
                request_id=e.request_id,
                details=e.details,
            )
    return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


def _batched(factory: sessionmaker[Session], n: int, batch: int) -> tuple[float, float]:
    elapsed = cpu = 0.0
    for lo in range(0, n, batch):
        events = [_event(i) for i in range(lo, min(n, lo + batch))]
        start, cpu_start = time.perf_counter(), time.process_time()
        with factory.begin() as session:
            audit.record_many(session, events)
        elapsed += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        if lo % (20 * batch) == 0:
            _log(f"  appended {lo + len(events):,}")
    return n / elapsed, n / cpu


def _proofs(factory: sessionmaker[Session], n: int, samples: int) -> dict[str, float]:
    rng = random.Random(7)
    build, verify, verify_cpu, cbuild, cverify = [], [], [], [], []
    with factory() as session:
        forget_trees()
        start = time.perf_counter()
        audit.inclusion_proof(session, 0)
        first = time.perf_counter() - start
        for _ in range(samples):
            index = rng.randrange(n)
            t0 = time.perf_counter()
            proof = audit.inclusion_proof(session, index)
            t1, c1 = time.perf_counter(), time.process_time()
            ok = verify_inclusion(proof.leaf_hash, proof.index, proof.tree_size, proof.path, proof.root_hash)
            t2, c2 = time.perf_counter(), time.process_time()
            assert ok
            build.append(t1 - t0)
            verify.append(t2 - t1)
            verify_cpu.append(c2 - c1)
            size = rng.randrange(1, n)
            t0 = time.perf_counter()
            cproof = audit.consistency_proof(session, size, n)
            t1 = time.perf_counter()
            ok = verify_consistency(size, n, cproof.first_root, cproof.second_root, cproof.path)
            t2 = time.perf_counter()
            assert ok
            cbuild.append(t1 - t0)
            cverify.append(t2 - t1)
    ms = 1000.0
    return {
        "proof_tree_cold_build_s": round(first, 2),
        "proof_build_ms_p50": round(statistics.median(build) * ms, 4),
        "inclusion_verify_ms_p50": round(statistics.median(verify) * ms, 4),
        "inclusion_verify_ms_p99": round(_percentile(verify, 0.99) * ms, 4),
        "inclusion_verify_ms_max": round(max(verify) * ms, 4),
        "inclusion_verify_cpu_ms_p99": round(_percentile(verify_cpu, 0.99) * ms, 4),
        "consistency_build_ms_p50": round(statistics.median(cbuild) * ms, 4),
        "consistency_verify_ms_p50": round(statistics.median(cverify) * ms, 4),
        "consistency_verify_ms_p99": round(_percentile(cverify, 0.99) * ms, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--single", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--proofs", type=int, default=2_000)
    args = parser.parse_args()
    signer = TreeHeadSigner.from_secret("benchmark secret")
    result: dict[str, Any] = {"entries": args.entries, "backend": "sqlite-file"}
    with tempfile.TemporaryDirectory() as tmp:
        _log(f"single appends (baseline, {args.single} transactions)")
        single, single_cpu = _single(_factory(Path(tmp) / "single.db"), args.single)
        factory = _factory(Path(tmp) / "audit.db")
        _log(f"batched appends ({args.entries:,} entries, {args.batch:,} per transaction)")
        batched, batched_cpu = _batched(factory, args.entries, args.batch)
        result["appends_per_s_batched"] = round(batched)
        result["appends_per_s_single"] = round(single)
        result["batched_vs_single"] = round(batched / single, 1)
        result["appends_per_cpu_s_batched"] = round(batched_cpu)
        result["appends_per_cpu_s_single"] = round(single_cpu)
        _log("first signed tree head (re-hashes every entry)")
        with factory.begin() as session:
            start = time.perf_counter()
            audit.tree_head(session, signer)
            result["first_tree_head_s"] = round(time.perf_counter() - start, 2)
        with factory.begin() as session:
            audit.record_many(session, (_event(i) for i in range(args.entries, args.entries + 1000)))
        with factory.begin() as session:
            start = time.perf_counter()
            audit.tree_head(session, signer)
            result["next_tree_head_after_1000_ms"] = round((time.perf_counter() - start) * 1000, 1)
        _log("proofs")
        result.update(_proofs(factory, args.entries, args.proofs))
        _log("verify_log")
        with factory() as session:
            start = time.perf_counter()
            report = audit.verify_log(session, signer)
            result["verify_log_s"] = round(time.perf_counter() - start, 2)
        result["verify_log_ok"] = report.ok
        result["db_mb"] = round((Path(tmp) / "audit.db").stat().st_size / 2**20, 1)
    result["load_average_1m_at_end"] = os.getloadavg()[0]
    result["cpu_count"] = os.cpu_count()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
