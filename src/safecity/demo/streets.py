"""The demo city's cameras at work: heartbeats, plate reads, stolen-car hits, red lights, speeding.

`StreetSimulation.step(now)` advances the cameras to ``now`` in one
transaction, through the services a real feed goes through, as the
``demo-registers`` machine account:

1. every camera sends a heartbeat each ``HEARTBEAT_S`` (the service the MQTT
   consumer calls) — except `BROKEN_CAMERA`, which falls silent after
   ``broken_after_s``; the offline check (the job the app runs when cameras
   are connected) then marks it offline and raises its alert;
2. ANPR cameras read passing plates (`anpr.ingest_reads`, as a feed would):
   mostly registered vehicles, some from elsewhere, some with OCR confusions
   or unreadable; now and then a plate on the stolen list, which is the
   product's hit → ``anpr.hit`` → incident path;
3. part of the cars read at the section's entry camera are read again at its
   exit, a few too soon (speeding); the section is scanned every minute, so
   over-speed violations appear for a traffic officer to verify, beside the
   red-light violations the signal cameras report.

The first step replays the last ``warm_start_s`` of traffic (and a couple of
red lights), so the traffic and cameras pages have something on them when a
demo opens, as the city's warm start does for calls.

Cheap on purpose (it shares the server process): about one read a few
seconds and a handful of heartbeats a minute.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safecity.anpr.ingest import ingest_reads
from safecity.anpr.schemas import ReadIn
from safecity.cameras import service as cameras
from safecity.cameras.models import CameraKind
from safecity.cameras.schemas import CameraRef
from safecity.core.auth import User
from safecity.core.db import session_scope, utcnow
from safecity.core.errors import SafeCityError
from safecity.core.jobs import every
from safecity.demo.people import population
from safecity.demo.registers import BROKEN_CAMERA, CAMERAS, HEARTBEAT_S, SECTION, registers_user
from safecity.demo.shift import write_lock_first
from safecity.traffic import sections
from safecity.traffic.models import TrafficSection, ViolationKind
from safecity.traffic.violations import record_camera_violation

__all__ = ["StreetConfig", "StreetReport", "StreetSimulation", "ocr_noise"]

_SOURCE = "demo-sim"  # the reads' source column: never mistaken for a camera feed
_CONFUSIONS = {
    "O": "0",
    "0": "O",
    "B": "8",
    "8": "B",
    "S": "5",
    "5": "S",
    "I": "1",
    "1": "I",
    "Z": "2",
    "G": "6",
}
_ELSEWHERE = ("LEA", "LEB", "RIK", "FDA", "MNA", "ICT", "HRA", "SKR")  # series of other cities' registries


@dataclass(frozen=True, slots=True)
class StreetConfig:
    reads_per_minute: float = 20.0  # over all ANPR cameras
    stolen_reads_per_hour: float = 12.0  # about one hit every five minutes
    unregistered_share: float = 0.1
    noisy_share: float = 0.1
    unreadable_share: float = 0.02
    section_share: float = 0.5  # cars read at the section's entry that drive through to its exit
    speeding_share: float = 0.08
    red_light_per_hour: float = 10.0
    broken_after_s: float = 90.0
    health_every_s: float = 30.0
    scan_every_s: float = 60.0
    scan_window_min: float = 20.0
    # the first step replays this much traffic, so the pages are not empty when the demo opens
    warm_start_s: float = 600.0
    warm_start_red_lights: int = 2


@dataclass(slots=True)
class StreetReport:
    at: datetime
    heartbeats: int = 0
    went_offline: int = 0
    reads: int = 0
    flagged: int = 0
    hits: int = 0
    violations: int = 0
    skipped: list[str] = field(default_factory=list)


def ocr_noise(plate: str, rng: random.Random) -> str:
    """How a camera misreads a plate: a look-alike character, a lost one, or loose spacing."""
    how = rng.random()
    swappable = [i for i, ch in enumerate(plate) if ch in _CONFUSIONS]
    if how < 0.5 and swappable:
        i = rng.choice(swappable)
        return plate[:i] + _CONFUSIONS[plate[i]] + plate[i + 1 :]
    if how < 0.8:
        i = rng.randrange(len(plate))
        return plate[:i] + plate[i + 1 :] if plate[i] != "-" else plate.replace("-", "")
    return plate.replace("-", " ").lower()


class StreetSimulation:
    """Runs the demo city's cameras; deterministic for a given ``seed`` and sequence of ``now``."""

    def __init__(
        self, sessions: sessionmaker[Session], *, seed: int | None = None, config: StreetConfig | None = None
    ) -> None:
        self.sessions = sessions
        self.config = config or StreetConfig()
        self.rng = random.Random(seed)
        pop = population()
        self.stolen = list(pop.stolen)
        # stolen cars pass only as often as `stolen_reads_per_hour` says, not also as ordinary traffic
        self.registered = [v.plate for v in pop.vehicles if v.plate not in pop.stolen]
        self._cameras: dict[str, CameraRef] = {}
        self._section: tuple[int, float, int, int] | None = None  # id, metres, entry camera, exit camera
        self._started: datetime | None = None
        self._last: datetime | None = None
        self._beat_at: dict[str, datetime] = {}
        self._exits: list[tuple[datetime, datetime, str]] = []  # section trips: entered, leaves, plate
        self._health_at: datetime | None = None
        self._scan_at: datetime | None = None
        self._violations: set[int] = set()  # a re-scan returns the violations it found before

    def step(self, now: datetime) -> StreetReport:
        report = StreetReport(at=now)
        since = self._last or now - timedelta(seconds=self.config.warm_start_s)
        try:
            with session_scope(self.sessions) as session:
                write_lock_first(session)
                actor = registers_user(session)
                self._load(session)
                if not self._cameras:
                    return report
                self._started = self._started or now
                self._guarded(report, "heartbeats", session, lambda: self._heartbeats(session, now, report))
                self._guarded(report, "health", session, lambda: self._health(session, now, report))
                self._guarded(
                    report, "reads", session, lambda: self._reads(session, actor, since, now, report)
                )
                self._guarded(
                    report, "red light", session, lambda: self._red_light(session, actor, since, now, report)
                )
                self._guarded(report, "section", session, lambda: self._scan(session, actor, now, report))
        finally:
            self._last = max(now, self._last or now)
        return report

    async def run(self, stop: asyncio.Event, interval_s: float = 2.0) -> None:
        """Step with the wall clock until ``stop`` is set (a failing step is logged, not fatal)."""
        await every(interval_s, lambda: self.step(utcnow()), stop, what="demo street step")

    @staticmethod
    def _guarded(report: StreetReport, what: str, session: Session, part: Callable[[], None]) -> None:
        """One part of the step in a savepoint: a refused action is reported, the rest goes on."""
        try:
            with session.begin_nested():
                part()
        except SafeCityError as exc:
            report.skipped.append(f"{what}: {exc.detail}")

    def _load(self, session: Session) -> None:
        if self._cameras:
            return
        found = cameras.locate(session, [c.code for c in CAMERAS])
        self._cameras = {c.code: found[c.code] for c in CAMERAS if c.code in found}
        code = SECTION[0]
        section = session.scalar(select(TrafficSection).where(TrafficSection.code == code))
        if section is not None:
            self._section = (section.id, section.distance_m, section.entry_camera_id, section.exit_camera_id)

    # -- 1. health ------------------------------------------------------------------------
    def _heartbeats(self, session: Session, now: datetime, report: StreetReport) -> None:
        assert self._started is not None
        broken = now - self._started > timedelta(seconds=self.config.broken_after_s)
        for code, camera in self._cameras.items():
            if code == BROKEN_CAMERA and broken:
                continue  # "a power cut at the junction"
            if self._beat_at.get(code, now) > now:
                continue
            cameras.record_heartbeat(session, ref=camera.id, at=now)
            self._beat_at[code] = now + timedelta(seconds=HEARTBEAT_S)
            report.heartbeats += 1

    def _health(self, session: Session, now: datetime, report: StreetReport) -> None:
        if self._health_at is not None and now < self._health_at:
            return
        report.went_offline += len(cameras.check_offline(session, now=now))
        self._health_at = now + timedelta(seconds=self.config.health_every_s)

    # -- 2. plate reads --------------------------------------------------------------------
    def _count(self, per_second: float, since: datetime, now: datetime) -> int:
        """Poisson arrivals in the interval (Knuth's method: the rates here are small)."""
        mean = per_second * max((now - since).total_seconds(), 0.0)
        limit, k, p = pow(2.718281828459045, -mean), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def _passing_plate(self, at: datetime, stolen: bool) -> str:
        """A plate that is not on the section road at ``at`` (a car is in one place at a time)."""
        busy = {plate for _, due, plate in self._exits if due >= at}
        for _ in range(20):
            if stolen:
                plate = self.rng.choice(self.stolen)
            elif self.rng.random() < self.config.unregistered_share:
                plate = f"{self.rng.choice(_ELSEWHERE)}-{self.rng.randrange(100, 10_000)}"
            else:
                plate = self.rng.choice(self.registered)
            if plate not in busy:
                break
        return plate

    def _plan_reads(self, since: datetime, now: datetime) -> list[tuple[datetime, str, str]]:
        """(time, camera code, plate as the camera read it) for the reads of the interval, in order.

        The section's exit camera reads only the cars that drove the section, so
        every trip it pairs is a real one (and every over-speed a planned one).
        """
        cfg = self.config
        exit_id = self._section[3] if self._section else None
        exit_code = next((c for c, ref in self._cameras.items() if ref.id == exit_id), None)
        anpr = [c for c, ref in self._cameras.items() if ref.kind is CameraKind.ANPR and c != exit_code]
        stolen = self._count(cfg.stolen_reads_per_hour / 3600, since, now)
        passing = [(self.rng.random(), True) for _ in range(stolen)]
        passing += [
            (self.rng.random(), False) for _ in range(self._count(cfg.reads_per_minute / 60, since, now))
        ]
        plans: list[tuple[datetime, str, str]] = []
        for fraction, is_stolen in sorted(passing):
            at = since + (now - since) * fraction
            code, plate = self.rng.choice(anpr), self._passing_plate(at, is_stolen)
            self._maybe_drive_section(code, plate, at)
            roll = self.rng.random()
            if not is_stolen and roll < cfg.unreadable_share:
                plate = plate[: self.rng.randrange(1, 3)] + "?"
            elif not is_stolen and roll < cfg.unreadable_share + cfg.noisy_share:
                plate = ocr_noise(plate, self.rng)
            plans.append((at, code, plate))
        due = [(at, plate) for _, at, plate in self._exits if at <= now]
        self._exits = [trip for trip in self._exits if trip[1] > now]
        plans.extend((at, exit_code, plate) for at, plate in due if exit_code is not None)
        return plans

    def _maybe_drive_section(self, code: str, plate: str, at: datetime) -> None:
        if self._section is None or self._cameras[code].id != self._section[2]:
            return
        if self.rng.random() >= self.config.section_share:
            return
        speeding = self.rng.random() < self.config.speeding_share
        kph = self.rng.uniform(78.0, 105.0) if speeding else min(max(self.rng.gauss(42.0, 9.0), 12.0), 62.0)
        self._exits.append((at, at + timedelta(seconds=self._section[1] / (kph / 3.6)), plate))

    def _reads(
        self, session: Session, actor: User, since: datetime, now: datetime, report: StreetReport
    ) -> None:
        plans = self._plan_reads(since, now)
        if not plans:
            return
        reads = [
            ReadIn(camera_id=code, plate_text=text, confidence=round(self.rng.uniform(0.62, 0.98), 2), at=at)
            for at, code, text in sorted(plans)
        ]
        result = ingest_reads(session, reads, actor=actor, source=_SOURCE, scope=None)
        report.reads += result.accepted
        report.flagged += result.flagged
        report.hits += len(result.hits)

    # -- 3. violations -----------------------------------------------------------------------
    def _red_light(
        self, session: Session, actor: User, since: datetime, now: datetime, report: StreetReport
    ) -> None:
        signals = [ref for ref in self._cameras.values() if ref.kind is CameraKind.RED_LIGHT]
        count = self._count(self.config.red_light_per_hour / 3600, since, now)
        if self._last is None:
            count = max(count, self.config.warm_start_red_lights)
        for _ in range(count if signals else 0):
            record_camera_violation(
                session,
                kind=ViolationKind.RED_LIGHT,
                camera_id=self.rng.choice(signals).id,
                plate=self.rng.choice(self.registered),
                at=min(since + (now - since) * self.rng.random(), utcnow()),
                signal_phase="red",
                actor=actor,
            )
            report.violations += 1

    def _scan(self, session: Session, actor: User, now: datetime, report: StreetReport) -> None:
        if self._section is None or (self._scan_at is not None and now < self._scan_at):
            return
        self._scan_at = now + timedelta(seconds=self.config.scan_every_s)
        window = timedelta(minutes=self.config.scan_window_min)
        until = min(now, utcnow())
        result = sections.scan_section(
            session, section_id=self._section[0], since=until - window, until=until, user=actor
        )
        fresh = {v.id for v in result.violations} - self._violations
        self._violations |= fresh
        report.violations += len(fresh)
