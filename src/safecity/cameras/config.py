"""Camera health settings (``SAFECITY_CAMERAS_*``); a camera may override the first two."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["CameraSettings"]


class CameraSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFECITY_CAMERAS_", extra="ignore")

    heartbeat_interval_s: int = 60
    # A camera is offline after this many intervals without a heartbeat.
    missed_heartbeats: int = 3
    check_every_s: float = 30.0
    # Workers sharing one MQTT subscription (each message goes to one of them).
    mqtt_group: str = "safecity"
