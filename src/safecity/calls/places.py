"""Matching a caller's landmark text to a known place.

Known places are the organisation units that have a position (stations,
agency bases) and the ``places`` table. Matching is forgiving of case,
punctuation and small misspellings ("korangi crosing"), but a weak match is
refused rather than guessed: a unit sent to the wrong chowrangi costs more
than a call-taker asking again.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.calls.models import Place
from safecity.core.org import OrgUnit

__all__ = ["DEMO_PLACES", "KnownPlace", "match_place", "seed_places"]

_MIN_SCORE = 0.82


@dataclass(frozen=True, slots=True)
class KnownPlace:
    name: str
    lon: float
    lat: float
    score: float


# Approximate positions, placed by hand for the demo (not surveyed).
DEMO_PLACES: tuple[tuple[str, str, str, float, float], ...] = (
    ("Korangi Crossing", "کورنگی کراسنگ", "junction", 67.113, 24.826),
    ("Singer Chowrangi", "سنگر چورنگی", "junction", 67.128, 24.833),
    ("Vita Chowrangi", "وٹا چورنگی", "junction", 67.121, 24.829),
    ("Korangi No. 5", "کورنگی نمبر 5", "neighbourhood", 67.138, 24.838),
    ("Landhi Railway Station", "لانڈھی ریلوے اسٹیشن", "station", 67.203, 24.857),
    ("Dawood Chowrangi", "داؤد چورنگی", "junction", 67.195, 24.852),
    ("Babar Market Landhi", "بابر مارکیٹ لانڈھی", "market", 67.190, 24.850),
    ("Korangi Industrial Area Sector 23", "کورنگی انڈسٹریل ایریا سیکٹر 23", "industrial", 67.137, 24.812),
    ("Ibrahim Hyderi Fish Harbour", "ابراہیم حیدری فش ہاربر", "harbour", 67.143, 24.796),
    ("Quaidabad Flyover", "قائد آباد فلائی اوور", "junction", 67.225, 24.862),
    ("Port Qasim Gate", "پورٹ قاسم گیٹ", "port", 67.333, 24.786),
    ("Steel Mill Gate", "اسٹیل مل گیٹ", "industrial", 67.343, 24.846),
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.casefold())).strip()


def seed_places(session: Session) -> int:
    """Add the demo landmarks that are missing; returns how many were added."""
    existing = set(session.scalars(select(Place.name)))
    added = 0
    for name, name_ur, kind, lon, lat in DEMO_PLACES:
        if name not in existing:
            session.add(Place(name=name, name_ur=name_ur, kind=kind, lon=lon, lat=lat))
            added += 1
    session.flush()
    return added


def _candidates(session: Session) -> list[tuple[str, float, float]]:
    rows: list[tuple[str, float, float]] = []
    for place in session.scalars(select(Place)):
        rows.extend((n, place.lon, place.lat) for n in (place.name, place.name_ur) if n)
    stmt = select(OrgUnit).where(OrgUnit.lon.is_not(None), OrgUnit.lat.is_not(None))
    for unit in session.scalars(stmt):
        assert unit.lon is not None and unit.lat is not None
        rows.extend((n, unit.lon, unit.lat) for n in (unit.name, unit.name_ur, unit.code) if n)
    return rows


def _fuzzy(wanted: str, norm: str) -> float:
    """Similarity of ``norm`` to the whole text or to its best run of words of about the same length.

    Callers wrap the landmark in other words and misspell it ("near dawood
    chorangi, landhi"), so the whole-text ratio alone would refuse it.
    """
    best = difflib.SequenceMatcher(None, wanted, norm).ratio()
    words, size = wanted.split(), len(norm.split())
    for width in {max(1, size - 1), size, size + 1}:
        for start in range(len(words) - width + 1):
            window = " ".join(words[start : start + width])
            if len(window) >= 5:
                best = max(best, 0.97 * difflib.SequenceMatcher(None, window, norm).ratio())
    return best


def match_place(session: Session, text: str) -> KnownPlace | None:
    """The best known place for ``text``, or ``None`` when nothing matches convincingly."""
    wanted = _norm(text)
    if not wanted:
        return None
    best: KnownPlace | None = None
    for name, lon, lat in _candidates(session):
        norm = _norm(name)
        if norm == wanted:
            score = 1.0
        elif len(norm) >= 5 and f" {norm} " in f" {wanted} ":  # "near Dawood Chowrangi, Landhi"
            score = 0.85 + 0.15 * len(norm) / len(wanted)
        elif len(wanted) >= 5 and f" {wanted} " in f" {norm} ":  # "babar market"
            score = 0.8 + 0.2 * len(wanted) / len(norm)
        else:
            score = _fuzzy(wanted, norm)
        if score >= _MIN_SCORE and (best is None or score > best.score):
            best = KnownPlace(name=name, lon=lon, lat=lat, score=round(score, 3))
    return best
