"""Automatic number-plate recognition: canonical plate text, reading plate crops,
and tolerant watchlist matching.

This package is storage-free on purpose; persisting reads (personal data with a
retention limit) and publishing ``anpr.hit`` events belong to the service layer.
"""

from __future__ import annotations

from .ocr import PlateRead, read_plate
from .plates import InvalidPlate, PlateInfo, classify_plate, normalise_plate
from .watchlist import Watchlist, WatchlistHit

__all__ = [
    "InvalidPlate",
    "PlateInfo",
    "PlateRead",
    "Watchlist",
    "WatchlistHit",
    "classify_plate",
    "normalise_plate",
    "read_plate",
]
