"""Storing a batch of plate reads: the fast path every camera feed goes through.

Per batch: check cameras and images, read plate crops that came without text
(OCR, in the caller's thread — the async edges call this off the event loop),
normalise each plate (malformed text is stored *flagged*, never dropped),
insert all rows with one Core ``INSERT … ON CONFLICT DO NOTHING`` (a repeated
read — same camera, plate and second — is a no-op), match the *new* reads
against this worker's in-memory watchlist, and record each hit with an event
in the same transaction: ``anpr.hit`` when the list's policy opens an
incident (and the read is not a near miss, see `_publish_hit`), ``anpr.alert``
when it only alerts. One audit entry per batch.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from safecity.accounts import service as accounts
from safecity.anpr import service
from safecity.anpr.models import AnprHit, ListPolicy
from safecity.anpr.ocr import read_plate
from safecity.anpr.plates import InvalidPlate, normalise_plate
from safecity.anpr.repository import AnprRepository, ReadKey
from safecity.anpr.schemas import AnprSettings, ReadIn
from safecity.anpr.service import ListedEntry
from safecity.anpr.watchlist import WatchlistHit
from safecity.cameras import service as cameras
from safecity.cameras.schemas import CameraRef
from safecity.core import audit, events
from safecity.core.auth import User
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput, NotFound
from safecity.core.http import current_request_id

__all__ = ["IngestResult", "ingest_reads"]

_INGEST_PURPOSE = "ANPR camera feed: storing reads for watchlist matching (retention-limited)"


@dataclass
class IngestResult:
    received: int
    accepted: int
    duplicates: int
    flagged: int
    hits: list[AnprHit] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Text:
    raw: str
    plate: str | None
    reason: str | None
    confidence: float | None
    from_image: bool

    @property
    def key(self) -> str:
        return self.plate or service.clean_text(self.raw)


def _image_bytes(encoded: str, where: str, limit: int) -> bytes:
    if len(encoded) > (limit * 4) // 3 + 4:
        raise InvalidInput(f"image is larger than {limit} bytes", field=where)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("image is not valid base64", field=where) from exc
    if len(data) > limit:
        raise InvalidInput(f"image is larger than {limit} bytes", field=where)
    return data


def _check_decodable(data: bytes, where: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"image is not a readable PNG/JPEG ({exc})", field=where) from exc


def _text_of(read: ReadIn, where: str, settings: AnprSettings) -> _Text:
    """Plate text as sent, or as read from the image when none was sent."""
    image = (
        _image_bytes(read.image_b64, f"{where}.image_b64", settings.max_image_bytes)
        if read.image_b64
        else None
    )
    raw = (read.plate_text or "").strip()
    if raw:
        if image is not None:
            _check_decodable(image, f"{where}.image_b64")
        try:
            return _Text(raw, normalise_plate(raw), None, read.confidence, False)
        except InvalidPlate as exc:
            return _Text(raw, None, exc.detail[:200], read.confidence, False)
    if image is None:
        raise InvalidInput("a read needs plate_text or image_b64", field=f"{where}.plate_text")
    try:
        seen = read_plate(image)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field=f"{where}.image_b64") from exc
    reason = None if seen.text else f"image read as {seen.raw!r}, which is not a plate"[:200]
    return _Text(seen.raw[:64], seen.text, reason, seen.confidence, True)


def _camera_of(
    refs: dict[int | str, CameraRef], read: ReadIn, where: str, scope: Collection[int] | None
) -> CameraRef:
    camera = refs.get(read.camera_id)
    if camera is None or (scope is not None and camera.org_unit_id not in scope):
        raise NotFound(f"no camera {read.camera_id}", field=f"{where}.camera_id")
    return camera


def _row(camera: CameraRef, read: ReadIn, text: _Text, source: str, now: datetime) -> dict[str, Any]:
    return {
        "camera_id": camera.id,
        "org_unit_id": camera.org_unit_id,
        "at": read.at,
        "at_s": int(read.at.timestamp() // 1),
        "plate_key": text.key,
        "plate": text.plate,
        "raw_text": text.raw[:64],
        "confidence": text.confidence,
        "invalid_plate": text.plate is None,
        "invalid_reason": text.reason,
        "source": source,
        "from_image": text.from_image,
        "received_at": now,
    }


def ingest_reads(
    session: Session,
    reads: Sequence[ReadIn],
    *,
    actor: User | None,
    source: str,
    scope: Collection[int] | None,
    settings: AnprSettings | None = None,
    field_prefix: str = "reads",
) -> IngestResult:
    """Store a batch; ``scope`` limits the cameras the caller may post for (``None``: any).

    Any bad read fails the whole batch with a 4xx naming it (``reads[3].image_b64``),
    so a sender can fix and resend it: resending the good reads is harmless.
    """
    settings = settings or AnprSettings()
    now = utcnow()
    latest = now + timedelta(seconds=settings.max_clock_skew_s)
    refs = cameras.locate(session, {r.camera_id for r in reads})
    rows: dict[ReadKey, dict[str, Any]] = {}
    for i, read in enumerate(reads):
        where = f"{field_prefix}[{i}]"
        camera = _camera_of(refs, read, where, scope)
        if read.at > latest:
            raise InvalidInput(f"read time {read.at.isoformat()} is in the future", field=f"{where}.at")
        row = _row(camera, read, _text_of(read, where, settings), source, now)
        rows.setdefault((row["camera_id"], row["plate_key"], row["at_s"]), row)
    repo = AnprRepository(session)
    stored = repo.existing_keys(rows.keys())
    new_rows = {key: row for key, row in rows.items() if key not in stored}
    repo.insert_reads(list(new_rows.values()))
    result = IngestResult(
        received=len(reads),
        accepted=len(new_rows),
        duplicates=len(reads) - len(new_rows),
        flagged=sum(1 for row in new_rows.values() if row["invalid_plate"]),
        hits=_record_hits(session, new_rows, refs, settings.incident_min_score),
    )
    _audit_batch(session, actor, source, result, {r["camera_id"] for r in rows.values()})
    return result


def _record_hits(
    session: Session,
    new_rows: dict[ReadKey, dict[str, Any]],
    refs: dict[int | str, CameraRef],
    incident_min_score: float,
) -> list[AnprHit]:
    """Hits of the reads this batch added; a repeated read was matched when it was new."""
    if not new_rows:
        return []
    watchlist, listed = service.watchlist_for(session)
    if not len(watchlist):
        return []
    now = utcnow()
    matched: list[tuple[ReadKey, WatchlistHit, ListedEntry]] = []
    keys = list(new_rows)
    every = watchlist.match_many([new_rows[key]["plate_key"] for key in keys])
    for key, matches in zip(keys, every, strict=True):
        for match in matches:
            entry = listed.get((match.plate, match.list_name))
            if entry is not None and (entry.expires_at is None or entry.expires_at > now):
                matched.append((key, match, entry))
    if not matched:
        return []
    repo = AnprRepository(session)
    ids = repo.read_ids({key for key, _, _ in matched})
    hit_ids: list[int] = []
    for key, match, entry in matched:
        if key not in ids:
            continue
        row = new_rows[key]
        camera = refs[row["camera_id"]]
        hit = _hit_row(ids[key], row, match, entry, camera, now)
        hit_id = repo.insert_hit(hit)
        if hit_id is not None:  # None: a concurrent worker stored the same read and hit
            _publish_hit(session, hit_id, hit, camera, incident_min_score)
            hit_ids.append(hit_id)
    return repo.hits_by_ids(hit_ids) if hit_ids else []


def _hit_row(
    read_id: int,
    row: dict[str, Any],
    match: WatchlistHit,
    entry: ListedEntry,
    camera: CameraRef,
    now: datetime,
) -> dict[str, Any]:
    return {
        "read_id": read_id,
        "entry_id": entry.entry_id,
        "list_name": match.list_name,
        "policy": entry.policy,
        "listed_plate": match.plate,
        "read_text": row["plate_key"],
        "score": match.score,
        "match_kind": match.kind,
        "camera_id": camera.id,
        "org_unit_id": camera.org_unit_id,
        "lon": camera.lon,
        "lat": camera.lat,
        "at": row["at"],
        "status": "open",
        "created_at": now,
    }


def _publish_hit(
    session: Session, hit_id: int, hit: dict[str, Any], camera: CameraRef, incident_min_score: float
) -> None:
    """``anpr.hit`` (incidents open one) when the list's policy says so and the read is
    the listed plate or a look-alike spelling of it; a read a character short or long
    of a listed plate is an ``anpr.alert`` for an operator to judge: in a large list
    most such near misses are other, innocent cars."""
    payload = {
        "plate": hit["listed_plate"],
        "list_name": hit["list_name"],
        "camera_id": camera.id,
        "lon": camera.lon,
        "lat": camera.lat,
        "at": hit["at"].isoformat(),
        "read_id": hit["read_id"],
        "hit_id": hit_id,
        "org_unit_id": camera.org_unit_id,
        "camera_code": camera.code,
        "read_text": hit["read_text"],
        "score": hit["score"],
        "match_kind": hit["match_kind"],
        "policy": hit["policy"].value,
    }
    opens = hit["policy"] is ListPolicy.OPEN_INCIDENT and hit["score"] >= incident_min_score
    kind = "anpr.hit" if opens else "anpr.alert"
    events.publish(session, kind, payload, key=hit["listed_plate"])


def _audit_batch(
    session: Session, actor: User | None, source: str, result: IngestResult, camera_ids: set[int]
) -> None:
    audit.record(
        session,
        actor=accounts.actor_of(actor),
        action="anpr.reads.ingest",
        object_type="anpr_read_batch",
        purpose=_INGEST_PURPOSE,
        personal_data=True,
        request_id=current_request_id(),
        details={
            "source": source,
            "received": result.received,
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "flagged": result.flagged,
            "cameras": sorted(camera_ids),
            "hits": [h.id for h in result.hits],
        },
    )
