"""The outbox relay: hands committed outbox rows to the event bus, at least once.

A round has three steps so that no database transaction stays open while
handlers run (an in-process handler that writes would otherwise wait on the
relay's own lock under SQLite):

1. *claim* — in a short transaction, select due rows ``FOR UPDATE SKIP LOCKED``
   (PostgreSQL; SQLite has one writer) and lease them by pushing
   ``next_attempt_at`` a lease period ahead, counting the attempt;
2. *deliver* — publish each event to the bus, outside any transaction;
3. *record* — mark successes delivered; give failures an exponential backoff,
   or move them to the dead-letter table once ``max_attempts`` is reached.

A worker that dies between 2 and 3 leaves its rows leased; they become due
again when the lease runs out and are delivered again (hence at-least-once,
and why handlers de-duplicate on the event id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from safecity.core.bus import Event, EventBus
from safecity.core.db import session_scope, utcnow
from safecity.core.outbox import OutboxEvent, dead_letter

__all__ = ["OutboxRelay", "RelayPolicy", "deliver_pending", "run_relay"]

log = logging.getLogger(__name__)

_HELD = "held back behind an earlier event with the same key"
_MAX_ERROR = 4000


@dataclass(frozen=True, slots=True)
class RelayPolicy:
    """Retry rules; delays in seconds. ``clock`` is injectable so tests need not sleep."""

    max_attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 300.0
    lease: float = 60.0
    publish_timeout: float = 30.0
    clock: Callable[[], datetime] = field(default=utcnow)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.publish_timeout >= self.lease:
            raise ValueError("publish_timeout must be shorter than the lease, or rows could be sent twice")

    def backoff(self, attempts: int) -> timedelta:
        """Delay after the ``attempts``-th failure: base, 2·base, 4·base … capped at max_delay."""
        return timedelta(seconds=min(self.base_delay * 2 ** max(attempts - 1, 0), self.max_delay))


@dataclass(frozen=True, slots=True)
class _Claim:
    row_id: int
    attempts: int
    event: Event


_CLAIMED = (
    OutboxEvent.id,
    OutboxEvent.event_id,
    OutboxEvent.type,
    OutboxEvent.key,
    OutboxEvent.payload,
    OutboxEvent.created_at,
    OutboxEvent.replays,
    OutboxEvent.attempts,
)


def _claim(factory: sessionmaker[Session], batch: int, policy: RelayPolicy) -> list[_Claim]:
    """Lease up to ``batch`` due rows: one SELECT and one UPDATE, whatever the batch size."""
    with session_scope(factory) as session:
        now = policy.clock()
        earlier = aliased(OutboxEvent)
        blocked = exists().where(
            earlier.key == OutboxEvent.key,
            earlier.delivered_at.is_(None),
            earlier.id < OutboxEvent.id,
            earlier.next_attempt_at > now,
        )
        stmt = (
            select(*_CLAIMED)
            .where(OutboxEvent.delivered_at.is_(None), OutboxEvent.next_attempt_at <= now, ~blocked)
            .order_by(OutboxEvent.id)
            .limit(batch)
            .with_for_update(skip_locked=True, of=OutboxEvent)
        )
        claims = [
            _Claim(
                row.id,
                row.attempts + 1,
                Event(
                    id=row.event_id,
                    type=row.type,
                    payload=dict(row.payload),
                    created_at=row.created_at,
                    key=row.key,
                    replays=row.replays,
                ),
            )
            for row in session.execute(stmt)
        ]
        if claims:
            lease = now + timedelta(seconds=policy.lease)
            session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_([claim.row_id for claim in claims]))
                .values(attempts=OutboxEvent.attempts + 1, next_attempt_at=lease)
                .execution_options(synchronize_session=False)
            )
        return claims


def _record(
    factory: sessionmaker[Session], outcomes: list[tuple[_Claim, str | None]], policy: RelayPolicy
) -> None:
    """Delivered rows in one UPDATE; the (rare) failures one by one, under a row lock."""
    with session_scope(factory) as session:
        now = policy.clock()
        delivered = [claim.row_id for claim, error in outcomes if error is None]
        if delivered:
            session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_(delivered), OutboxEvent.delivered_at.is_(None))
                .values(delivered_at=now)
                .execution_options(synchronize_session=False)
            )
        failed = [(claim, error) for claim, error in outcomes if error is not None]
        if failed:
            _record_failures(session, failed, policy, now)


def _record_failures(
    session: Session, failed: list[tuple[_Claim, str]], policy: RelayPolicy, now: datetime
) -> None:
    ids = [claim.row_id for claim, _ in failed]
    stmt = select(OutboxEvent).where(OutboxEvent.id.in_(ids)).order_by(OutboxEvent.id).with_for_update()
    rows = {row.id: row for row in session.scalars(stmt)}
    for claim, error in failed:
        row = rows.get(claim.row_id)
        if row is None or row.delivered_at is not None:
            continue
        if row.attempts != claim.attempts:
            continue  # our lease ran out and another relay owns the row now
        if error == _HELD:
            row.attempts -= 1
            row.next_attempt_at = now
        elif row.attempts >= policy.max_attempts:
            dead_letter(session, "outbox", None, error, event=claim.event, attempts=row.attempts)
            session.delete(row)
            log.warning("event %s %s dead-lettered after %d attempts", row.type, row.event_id, row.attempts)
        else:
            row.last_error = error
            row.next_attempt_at = now + policy.backoff(row.attempts)


async def deliver_pending(
    session_factory: sessionmaker[Session],
    bus: EventBus,
    *,
    batch: int = 100,
    policy: RelayPolicy | None = None,
) -> int:
    """One relay round; returns how many events the bus accepted."""
    policy = policy or RelayPolicy()
    claims = await asyncio.to_thread(_claim, session_factory, batch, policy)
    if not claims:
        return 0
    outcomes: list[tuple[_Claim, str | None]] = []
    held_keys: set[str] = set()
    for claim in claims:
        key = claim.event.key
        if key is not None and key in held_keys:
            outcomes.append((claim, _HELD))
            continue
        try:
            async with asyncio.timeout(policy.publish_timeout):  # a timer, not a task, per event
                await bus.publish(claim.event)
            outcomes.append((claim, None))
        except Exception as exc:
            outcomes.append((claim, f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]))
            if key is not None:
                held_keys.add(key)
    await asyncio.to_thread(_record, session_factory, outcomes, policy)
    return sum(1 for _, error in outcomes if error is None)


async def run_relay(
    session_factory: sessionmaker[Session],
    bus: EventBus,
    stop_event: asyncio.Event,
    interval: float = 0.2,
    *,
    batch: int = 100,
    policy: RelayPolicy | None = None,
) -> None:
    """Relay until ``stop_event`` is set; a full batch is followed at once by the next."""
    while not stop_event.is_set():
        try:
            delivered = await deliver_pending(session_factory, bus, batch=batch, policy=policy)
        except Exception:
            log.exception("outbox relay round failed; retrying in %.1fs", interval)
            delivered = 0
        if delivered >= batch:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=interval)


class OutboxRelay:
    """`run_relay` as a task the app starts on start-up and stops on shutdown."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        bus: EventBus,
        *,
        interval: float = 0.2,
        batch: int = 100,
        policy: RelayPolicy | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.bus = bus
        self.interval = interval
        self.batch = batch
        self.policy = policy
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            return
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(
            run_relay(
                self.session_factory,
                self.bus,
                self._stop,
                self.interval,
                batch=self.batch,
                policy=self.policy,
            ),
            name="safecity-outbox-relay",
        )

    async def stop(self) -> None:
        """Let the current round finish (its rows are recorded), then return."""
        if self._task is None:
            return
        self._stop.set()
        await self._task
        self._task = None

    async def run_once(self) -> int:
        return await deliver_pending(self.session_factory, self.bus, batch=self.batch, policy=self.policy)
