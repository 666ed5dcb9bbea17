"""Storing a batch of plate reads: the fast path every camera feed goes through.

Per batch: check cameras and images, read plate crops that came without text
(OCR, in the caller's thread — the async edges call this off the event loop),
normalise each plate (malformed text is stored *flagged*, never dropped),
insert all rows with one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (a repeated
read — same camera, plate and second — is a no-op, and the new reads come back
with their ids: no lookup before or after), match the *new* reads against this
worker's in-memory watchlist, and record the hits with one insert and their
events with one more, in the same transaction: ``anpr.hit`` when the list's
policy opens an incident (and the read is not a near miss, see `_event`),
``anpr.alert`` when it only alerts. One audit entry per batch.

The loop over reads is the per-read cost of every camera feed, so it builds one
plain tuple per read and formats field names only on the error path.
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
from safecity.anpr.repository import READ_COLUMNS, AnprRepository, ReadKey
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
_AT = READ_COLUMNS.index("at")
_INVALID = READ_COLUMNS.index("invalid_plate")


@dataclass
class IngestResult:
    received: int
    accepted: int
    duplicates: int
    flagged: int
    hits: list[AnprHit] = field(default_factory=list)


# What `_text_of` says about a read: raw text, canonical plate (None: flagged), why it is
# flagged, confidence, whether it came from the image. A tuple: one is built per read.
_Text = tuple[str, str | None, str | None, float | None, bool]


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
    raw = (read.plate_text or "").strip()
    if raw and read.image_b64 is None:  # what nearly every camera sends: no image to check
        return _parsed(raw, read.confidence)
    image = (
        _image_bytes(read.image_b64, f"{where}.image_b64", settings.max_image_bytes)
        if read.image_b64
        else None
    )
    if raw:
        if image is not None:
            _check_decodable(image, f"{where}.image_b64")
        return _parsed(raw, read.confidence)
    if image is None:
        raise InvalidInput("a read needs plate_text or image_b64", field=f"{where}.plate_text")
    try:
        seen = read_plate(image)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field=f"{where}.image_b64") from exc
    reason = None if seen.text else f"image read as {seen.raw!r}, which is not a plate"[:200]
    return seen.raw[:64], seen.text, reason, seen.confidence, True


def _parsed(raw: str, confidence: float | None) -> _Text:
    try:
        return raw, normalise_plate(raw), None, confidence, False
    except InvalidPlate as exc:
        return raw, None, exc.detail[:200], confidence, False


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
    rows: dict[ReadKey, tuple[Any, ...]] = {}
    for i, read in enumerate(reads):
        camera = refs.get(read.camera_id)
        if camera is None or (scope is not None and camera.org_unit_id not in scope):
            raise NotFound(f"no camera {read.camera_id}", field=f"{field_prefix}[{i}].camera_id")
        at = read.at
        if at > latest:
            raise InvalidInput(
                f"read time {at.isoformat()} is in the future", field=f"{field_prefix}[{i}].at"
            )
        raw, plate, reason, confidence, from_image = _text_of(read, f"{field_prefix}[{i}]", settings)
        key = (camera.id, plate or service.clean_text(raw), int(at.timestamp() // 1))
        if key not in rows:  # in `READ_COLUMNS` order
            rows[key] = (
                camera.id, camera.org_unit_id, at, key[2], key[1], plate, raw[:64], confidence,
                plate is None, reason, source, from_image, now,
            )  # fmt: skip
    new_ids = AnprRepository(session).insert_reads(list(rows.values()))
    result = IngestResult(
        received=len(reads),
        accepted=len(new_ids),
        duplicates=len(reads) - len(new_ids),
        flagged=sum(1 for key in new_ids if rows[key][_INVALID]),
        hits=_record_hits(session, new_ids, rows, refs, settings.incident_min_score),
    )
    _audit_batch(session, actor, source, result, {key[0] for key in rows})
    return result


def _record_hits(
    session: Session,
    new_ids: dict[ReadKey, int],
    rows: dict[ReadKey, tuple[Any, ...]],
    refs: dict[int | str, CameraRef],
    incident_min_score: float,
) -> list[AnprHit]:
    """Hits of the reads this batch added; a repeated read was matched when it was new."""
    if not new_ids:
        return []
    watchlist, listed = service.watchlist_for(session)
    if not len(watchlist):
        return []
    now = utcnow()
    hits: list[dict[str, Any]] = []
    keys = list(new_ids)
    for key, matches in zip(keys, watchlist.match_many([key[1] for key in keys]), strict=True):
        for match in matches:
            entry = listed.get((match.plate, match.list_name))
            if entry is not None and (entry.expires_at is None or entry.expires_at > now):
                hits.append(_hit_row(new_ids[key], key, rows[key][_AT], match, entry, refs[key[0]], now))
    if not hits:
        return []
    repo = AnprRepository(session)
    hit_ids = repo.insert_hits(hits)
    stored: list[tuple[int, dict[str, Any]]] = []
    for hit in hits:
        hit_id = hit_ids.get((hit["read_id"], hit["list_name"], hit["listed_plate"]))
        if hit_id is not None:  # None: a concurrent worker stored the same read and hit
            stored.append((hit_id, hit))
    events.publish_many(
        session, [_event(hit_id, hit, refs[hit["camera_id"]], incident_min_score) for hit_id, hit in stored]
    )
    return repo.hits_by_ids([hit_id for hit_id, _ in stored]) if stored else []


def _hit_row(
    read_id: int,
    key: ReadKey,
    at: datetime,
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
        "read_text": key[1],
        "score": match.score,
        "match_kind": match.kind,
        "camera_id": camera.id,
        "org_unit_id": camera.org_unit_id,
        "lon": camera.lon,
        "lat": camera.lat,
        "at": at,
        "status": "open",
        "created_at": now,
    }


def _event(
    hit_id: int, hit: dict[str, Any], camera: CameraRef, incident_min_score: float
) -> events.EventSpec:
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
    return ("anpr.hit" if opens else "anpr.alert"), payload, hit["listed_plate"]


def _audit_batch(
    session: Session, actor: User | None, source: str, result: IngestResult, camera_ids: set[int]
) -> None:
    entry = audit.AuditEvent(
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
    audit.record_many(session, [entry])  # driver-level insert: no ORM flush for one row
