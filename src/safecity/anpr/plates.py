"""Pakistani number-plate text: one canonical spelling for every way it gets written.

Reads come from OCR, from officers typing at a checkpoint and from partner
agencies' lists, each with its own spacing, case and look-alike characters.
A watchlist hit is only as good as the agreement on spelling, so every plate
is stored and compared in one canonical form:

* ``SERIES-NUMBER`` — ``LEA-1234``, ``ABC-123``, ``ICT-77``, ``A-1234``:
  a series of 1–3 letters and a number of 1–4 digits.
* ``SERIES-YY-NUMBER`` — the old two-line plates that carry the year of
  registration beside the series (``LEB 07 / 1234`` → ``LEB-07-1234``).
  The year is kept because ``LEB-07-1234`` and ``LEB-08-1234`` are two cars.

Look-alike characters are repaired by position, because the series is always
letters and the number always digits: in the number ``O D Q → 0``,
``I L → 1``, ``B → 8``, ``S → 5``, ``Z → 2``, ``G → 6``; in the series
``0 → D`` (series avoid O, and D is the letter a worn 0 most resembles),
``1 → I``, ``8 → B``, ``5 → S``, ``2 → Z``, ``6 → G``. A letter typed as O in a
series is kept as written: some old series do use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from safecity.core.errors import InvalidInput

__all__ = ["InvalidPlate", "PlateInfo", "classify_plate", "normalise_plate"]

MAX_SERIES = 3
MAX_NUMBER = 4
MAX_TEXT = 64

_SEPARATORS = re.compile(r"[\s\-._/:|·]+")
# What cameras send nearly always (``LEA-1234``, ``lea 1234``, ``LEA1234``): letters then at most four
# digits reads the same through every rule of `_parse`, which costs ten times as much.
_PLAIN = re.compile(r"([A-Z]{1,3})[ \-]?([0-9]{1,4})")
_ALLOWED = re.compile(r"[A-Z0-9\s\-._/:|·]*")
_TO_DIGIT = str.maketrans("ODQILBSZG", "000118526")
_TO_LETTER = str.maketrans("018256", "DIBZSG")
_LETTER_LIKE = frozenset("018256")
_DIGIT_LIKE = frozenset("ODQILBSZG")

# Words printed on plates around the registration (province names, slogans) that
# OCR picks up with it. Only words longer than a series, so none can be one.
_PLATE_WORDS = frozenset(
    {
        "PUNJAB", "SINDH", "ISLAMABAD", "BALOCHISTAN", "BALUCHISTAN", "KHYBER",
        "PAKHTUNKHWA", "PAKHTOONKHWA", "GILGIT", "BALTISTAN", "AZAD", "KASHMIR",
        "PAKISTAN", "GOVT", "GOVERNMENT", "KARACHI", "LAHORE", "PESHAWAR", "QUETTA",
    }
)  # fmt: skip


class InvalidPlate(InvalidInput):
    """The text cannot be a Pakistani number plate; ``detail`` says why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="plate")


@dataclass(frozen=True, slots=True)
class PlateInfo:
    """What a canonical plate says about itself; ``region`` is a best guess from the series."""

    plate: str
    series: str
    number: str
    year: str | None
    region: str
    kind: str


def normalise_plate(text: str) -> str:
    """Return the canonical ``SERIES-NUMBER`` / ``SERIES-YY-NUMBER`` spelling of ``text``."""
    if isinstance(text, str) and len(text) <= MAX_TEXT:
        plain = _PLAIN.fullmatch(text.upper().strip())
        if plain is not None and plain[2].strip("0"):
            return f"{plain[1]}-{plain[2]}"
    series, year, number = _parse(text)
    return f"{series}-{year}-{number}" if year else f"{series}-{number}"


def classify_plate(text: str) -> PlateInfo:
    """Normalise ``text`` and say which format and (heuristically) which region it is."""
    series, year, number = _parse(text)
    plate = f"{series}-{year}-{number}" if year else f"{series}-{number}"
    region, kind = _region(series)
    if year:
        kind = "old two-line (with year)"
    return PlateInfo(plate=plate, series=series, number=number, year=year, region=region, kind=kind)


def _parse(text: str) -> tuple[str, str | None, str]:
    if not isinstance(text, str):
        raise InvalidPlate(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise InvalidPlate(f"longer than {MAX_TEXT} characters")
    upper = text.upper().strip()
    if not _ALLOWED.fullmatch(upper):
        bad = sorted({c for c in upper if not _ALLOWED.fullmatch(c)})
        raise InvalidPlate(f"unexpected character(s) {''.join(bad)!r}")
    tokens = [t for t in _SEPARATORS.split(upper) if t and t not in _PLATE_WORDS]
    if not tokens:
        raise InvalidPlate("no letters or digits")
    split = _series_length(tokens)
    compact = "".join(tokens)
    series = compact[:split].translate(_TO_LETTER)
    rest = compact[split:]
    if not series.isalpha():
        raise InvalidPlate("does not start with a letter series")
    if len(series) > MAX_SERIES:
        raise InvalidPlate(f"series {series!r} is longer than {MAX_SERIES} letters")
    if not rest:
        raise InvalidPlate("no registration number")
    digits = rest.translate(_TO_DIGIT)
    if not digits.isdigit() or not digits.isascii():
        raise InvalidPlate(f"registration number {rest!r} is not all digits")
    year, number = _split_year(tokens, split, digits)
    if int(number) == 0:
        raise InvalidPlate("registration number cannot be zero")
    return series, year, number


def _series_length(tokens: list[str]) -> int:
    """Where the series ends: at the first token break if that reads as letters|digits."""
    first, rest = tokens[0], tokens[1:]
    if (
        rest
        and len(first) <= MAX_SERIES
        and any(c.isalpha() for c in first)
        and all(c.isalpha() or c in _LETTER_LIKE for c in first)
        and all(c.isdigit() or c in _DIGIT_LIKE for t in rest for c in t)
    ):
        return len(first)
    compact = "".join(tokens)
    end = 0
    for i, c in enumerate(compact):
        if c.isalpha():
            end = i + 1
        elif c not in _LETTER_LIKE:
            break
    if end == 0:
        # A read that lost or misread every letter: the number still needs a series.
        return 0
    return end


def _split_year(tokens: list[str], split: int, digits: str) -> tuple[str | None, str]:
    """Separate the two-digit year of old plates from the number.

    A separator two digits into the number (``LEB 07 1234``) marks a year; so
    does a number too long to be one (``LEB071234``).
    """
    ends = set()
    position = 0
    for token in tokens:
        position += len(token)
        ends.add(position)
    year_marked = split in ends and (split + 2) in ends and len(digits) > 2
    if year_marked or len(digits) > MAX_NUMBER:
        if len(digits) > MAX_NUMBER + 2:
            raise InvalidPlate(f"registration number {digits!r} has more than {MAX_NUMBER} digits")
        return digits[:2], digits[2:]
    return None, digits


# Series prefixes with a well-known home. Registrations move, so this is a hint for
# an operator, never evidence.
_REGION_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("ICT", "Islamabad", "Islamabad Capital Territory"),
    ("ID", "Islamabad", "Islamabad series"),
    ("IS", "Islamabad", "Islamabad series"),
    ("GP", "Federal/Provincial government", "government"),
    ("GV", "Federal/Provincial government", "government"),
    ("LE", "Punjab", "Lahore series"),
    ("LH", "Punjab", "Lahore series"),
    ("LR", "Punjab", "Lahore series"),
    ("RI", "Punjab", "Rawalpindi series"),
    ("FD", "Punjab", "Faisalabad series"),
    ("MN", "Punjab", "Multan series"),
    ("GA", "Punjab", "Gujranwala series"),
    ("SK", "Punjab", "Sialkot series"),
    ("PR", "Khyber Pakhtunkhwa", "Peshawar series"),
    ("KP", "Khyber Pakhtunkhwa", "Khyber Pakhtunkhwa series"),
    ("QA", "Balochistan", "Quetta series"),
    ("BE", "Balochistan", "Balochistan series"),
    ("GLT", "Gilgit-Baltistan", "Gilgit series"),
    ("GB", "Gilgit-Baltistan", "Gilgit-Baltistan series"),
    ("AJK", "Azad Jammu and Kashmir", "AJK series"),
    ("MRP", "Azad Jammu and Kashmir", "Mirpur series"),
    ("MZD", "Azad Jammu and Kashmir", "Muzaffarabad series"),
    ("KH", "Sindh", "Karachi series"),
    ("HY", "Sindh", "Hyderabad series"),
)


def _region(series: str) -> tuple[str, str]:
    if len(series) == 1:
        return "Khyber Pakhtunkhwa", "single-letter series"
    for prefix, region, kind in _REGION_PREFIXES:
        if series.startswith(prefix):
            return region, kind
    return "unknown", "standard"
