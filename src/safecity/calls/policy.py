"""How near and how recent an open incident must be for a new call to be offered as its duplicate.

Read from ``SAFECITY_DUPLICATE_RADIUS_M`` and ``SAFECITY_DUPLICATE_WINDOW_MINUTES``.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DuplicatePolicy"]


class DuplicatePolicy(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFECITY_", extra="ignore")

    duplicate_radius_m: float = Field(default=300.0, gt=0)
    duplicate_window_minutes: float = Field(default=30.0, gt=0)

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.duplicate_window_minutes)
