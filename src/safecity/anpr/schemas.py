"""Request and response shapes of ANPR storage, and its settings (``SAFECITY_ANPR_*``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from safecity.anpr.models import HitStatus, ListPolicy, Verdict

__all__ = [
    "AnprSettings",
    "CaseLinkIn",
    "EntryIn",
    "EntryOut",
    "FeedbackIn",
    "FeedbackOut",
    "HitOut",
    "IngestOut",
    "PurgeOut",
    "ReadBatchIn",
    "ReadIn",
    "ReadOut",
    "WatchlistIn",
    "WatchlistOut",
]

MAX_BATCH = 10_000


class AnprSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFECITY_ANPR_", extra="ignore")

    retention_days: int = Field(default=90, ge=1)
    max_image_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # Reads stamped further ahead than this are refused: a camera clock gone wrong.
    max_clock_skew_s: int = 3600
    purge_every_s: float = 86_400.0
    # A hit on an "open incident" list opens one only from this score up (exact 1.0,
    # look-alike spellings 0.8-0.95); a missing or extra character (0.7-0.75) only alerts.
    incident_min_score: float = Field(default=0.8, ge=0, le=1)
    # Workers sharing one MQTT subscription (each message goes to one of them).
    mqtt_group: str = "safecity"


class ReadIn(BaseModel):
    """One read from a camera: its text, or a plate crop to read, or both."""

    camera_id: int | str = Field(description="camera id or code")
    plate_text: str | None = Field(default=None, max_length=64)
    confidence: float | None = Field(default=None, ge=0, le=1)
    at: AwareDatetime
    image_b64: str | None = Field(default=None, description="PNG/JPEG plate crop, base64")


class ReadBatchIn(BaseModel):
    reads: list[ReadIn] = Field(min_length=1, max_length=MAX_BATCH)


class HitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    read_id: int
    list_name: str
    policy: ListPolicy
    listed_plate: str
    read_text: str
    score: float
    match_kind: str
    camera_id: int
    org_unit_id: int
    lon: float
    lat: float
    at: datetime
    status: HitStatus
    # Why the plate is listed; null where the caller may not read the listing unit's entries.
    reason: str | None = None


class IngestOut(BaseModel):
    received: int
    accepted: int
    duplicates: int
    flagged: int
    hits: list[HitOut]


class ReadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    camera_id: int
    org_unit_id: int
    at: datetime
    plate: str | None
    raw_text: str
    confidence: float | None
    invalid_plate: bool
    invalid_reason: str | None
    source: str
    from_image: bool
    case_ref: str | None


class FeedbackIn(BaseModel):
    verdict: Verdict
    note: str = Field(default="", max_length=500)


class FeedbackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    hit_id: int
    verdict: Verdict
    note: str
    by_user_id: int | None
    at: datetime


class WatchlistIn(BaseModel):
    policy: ListPolicy
    description: str = Field(default="", max_length=300)


class WatchlistOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    policy: ListPolicy
    description: str


class EntryIn(BaseModel):
    plate: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="", max_length=300)
    org_unit: str = Field(min_length=1, max_length=40, description="owning agency / unit code")
    expires_at: AwareDatetime | None = None


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    watchlist_id: int
    plate: str
    reason: str
    org_unit_id: int
    expires_at: datetime | None
    added_by_id: int | None
    added_at: datetime


class CaseLinkIn(BaseModel):
    read_ids: list[int] = Field(min_length=1, max_length=1000)
    case_ref: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=3, max_length=500)


class PurgeOut(BaseModel):
    cutoff: datetime
    deleted: int
    kept_linked: int
    dry_run: bool
