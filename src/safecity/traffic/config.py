"""Traffic enforcement settings (``SAFECITY_TRAFFIC_*``) and the fine schedule they point at.

The schedule is a TOML file so that a gazette change is an edit, not a release;
the packaged ``fines.toml`` is the default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from safecity.core.errors import InvalidInput

__all__ = ["FineSchedule", "TrafficSettings", "load_fines"]

_DEFAULT_FINES = Path(__file__).resolve().parent / "fines.toml"
_FLAT_KINDS = ("red_light", "wrong_way", "no_helmet", "lane")


class TrafficSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFECITY_TRAFFIC_", extra="ignore")

    fines_file: Path | None = None
    # The owner may dispute a challan for this many days after it is issued.
    dispute_days: int = 7
    # This many outstanding challans put the vehicle on the ANPR list "unpaid_challans".
    unpaid_watchlist_threshold: int = 5
    # Average speeds up to limit + tolerance are not violations (camera clock and distance error).
    speed_tolerance_kph: float = 5.0
    # A plate's exit read counts as the same trip as its entry read only within this time.
    max_transit_s: int = 3600
    sms_gateway: str = "outbox"


@dataclass(frozen=True)
class FineSchedule:
    flat: dict[str, int]
    over_speed: list[tuple[float, int]]  # (over_kph, fine), ascending
    currency: str = "PKR"

    def fine_for(self, kind: str, *, excess_kph: float | None = None) -> int:
        if kind == "over_speed":
            excess = max(excess_kph or 0.0, 0.0)
            return max((fine for over, fine in self.over_speed if excess >= over), default=0)
        return self.flat[kind]


def _parse(doc: dict[str, Any], source: str) -> FineSchedule:
    fines = doc.get("fines", {})
    flat: dict[str, int] = {}
    for kind in _FLAT_KINDS:
        value = fines.get(kind)
        if not isinstance(value, int) or value < 0:
            raise InvalidInput(f"{source}: fines.{kind} must be a whole PKR amount", field=f"fines.{kind}")
        flat[kind] = value
    bands = sorted((float(b["over_kph"]), int(b["fine"])) for b in doc.get("over_speed", []))
    if not bands:
        raise InvalidInput(f"{source}: at least one [[over_speed]] band is needed", field="over_speed")
    return FineSchedule(flat=flat, over_speed=bands, currency=str(doc.get("currency", "PKR")))


def load_fines(settings: TrafficSettings | None = None) -> FineSchedule:
    """The schedule from ``SAFECITY_TRAFFIC_FINES_FILE``, or the packaged default."""
    path = (settings or TrafficSettings()).fines_file or _DEFAULT_FINES
    with path.open("rb") as fh:
        return _parse(tomllib.load(fh), str(path))
