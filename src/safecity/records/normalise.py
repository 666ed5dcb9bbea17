"""Canonical forms of the values that registers write a dozen ways.

Shared by the API and the bulk importer so that a person typed into a form
and the same person read from a register normalise to the same key. Each
function raises `InvalidInput` naming its field, so a reject file can say
which column of which row was wrong.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

from safecity.core.errors import InvalidInput
from safecity.records.models import Gender, Relation

__all__ = [
    "DEFAULT_DATE_FORMATS",
    "GENDER_CODES",
    "DateParser",
    "normalise_gender",
    "normalise_name",
    "normalise_phone",
    "normalise_phones",
    "normalise_relation",
    "person_source_key",
]

DEFAULT_DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")

_GENDERS = {
    "m": Gender.MALE,
    "male": Gender.MALE,
    "man": Gender.MALE,
    "مرد": Gender.MALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "woman": Gender.FEMALE,
    "عورت": Gender.FEMALE,
    "x": Gender.OTHER,
    "other": Gender.OTHER,
    "transgender": Gender.OTHER,
    "خواجہ سرا": Gender.OTHER,
}
GENDER_CODES: dict[str, str] = {text: gender.value for text, gender in _GENDERS.items()}  # lower-cased text
_RELATIONS = {
    "s/o": Relation.SON_OF,
    "so": Relation.SON_OF,
    "son of": Relation.SON_OF,
    "ولد": Relation.SON_OF,
    "d/o": Relation.DAUGHTER_OF,
    "do": Relation.DAUGHTER_OF,
    "daughter of": Relation.DAUGHTER_OF,
    "دختر": Relation.DAUGHTER_OF,
    "بنت": Relation.DAUGHTER_OF,
    "w/o": Relation.WIFE_OF,
    "wo": Relation.WIFE_OF,
    "wife of": Relation.WIFE_OF,
    "زوجہ": Relation.WIFE_OF,
}
_NON_DIGIT = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")
_ODD_SPACE = re.compile(r"\s\s|[^\S ]")  # two in a row, or any blank that is not a plain space
_FAST_PARTS = {"%d": r"(?P<d>\d{1,2})", "%m": r"(?P<m>\d{1,2})", "%Y": r"(?P<Y>\d{4})"}


def normalise_name(text: str) -> str:
    """NFC, single spaces; the spelling itself is kept (the name index handles variants)."""
    # Every blank but the plain space is unprintable, and ASCII is always NFC:
    # most names skip the regex and the normalisation check.
    if text.isprintable() and "  " not in text and (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return text.strip()
    if unicodedata.is_normalized("NFC", text) and not _ODD_SPACE.search(text):
        return text.strip()
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalise_gender(text: str, *, field: str = "gender") -> Gender:
    found = _GENDERS.get(text.strip().lower())
    if found is None:
        raise InvalidInput(f"gender must be M, F or X, got {text!r}", field=field)
    return found


def normalise_relation(text: str, *, field: str = "relation") -> Relation:
    found = _RELATIONS.get(text.strip().lower().rstrip("."))
    if found is None:
        raise InvalidInput(f"relation must be s/o, d/o or w/o, got {text!r}", field=field)
    return found


def normalise_phone(text: str, *, field: str = "phone") -> str:
    """Pakistani numbers in national form: ``+92 300-1234567`` → ``03001234567``."""
    digits = _NON_DIGIT.sub("", text)
    if digits.startswith("0092"):
        digits = "0" + digits[4:]
    elif digits.startswith("92") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if not 7 <= len(digits) <= 13:
        raise InvalidInput(f"phone number must have 7 to 13 digits, got {text!r}", field=field)
    return digits


def normalise_phones(values: Sequence[str], *, field: str = "phones") -> str:
    """Several numbers (or one cell with ``;``/``,``/``/`` between them) as a comma-separated list."""
    out: list[str] = []
    for value in values:
        for part in re.split(r"[;,/|]", value):
            if part.strip():
                phone = normalise_phone(part, field=field)
                if phone not in out:
                    out.append(phone)
    return ",".join(out)


class DateParser:
    """Parses dates in the given formats, first match wins; remembers answers.

    Registers repeat the same dates a great deal, so the cache turns a
    million ``strptime`` calls (and their failed attempts) into dict lookups.
    """

    def __init__(self, formats: Sequence[str] = DEFAULT_DATE_FORMATS, *, cache_size: int = 200_000) -> None:
        if not formats:
            raise InvalidInput("at least one date format is required", field="date_formats")
        self.formats = tuple(formats)
        self.cache_size = cache_size
        self._cache: dict[str, date | None] = {}
        self._fast = [_fast_pattern(f) for f in self.formats]

    def parse(self, text: str, *, field: str) -> date:
        found = self.parse_or_none(text)
        if found is None:
            shown = ", ".join(self.formats)
            raise InvalidInput(f"date {text!r} matches none of the formats {shown}", field=field)
        return found

    def parse_or_none(self, text: str) -> date | None:
        """The date, or None where no format matches (the bulk importer words its own reason)."""
        key = text.strip()
        found = self._cache.get(key, ...)
        if found is ...:
            found = self._parse(key)
            if len(self._cache) < self.cache_size:
                self._cache[key] = found
        return found

    def _parse(self, text: str) -> date | None:
        for fmt, fast in zip(self.formats, self._fast, strict=True):
            try:
                if fast is None:
                    parsed = datetime.strptime(text, fmt).date()
                elif match := fast.fullmatch(text):
                    parsed = date(int(match["Y"]), int(match["m"]), int(match["d"]))
                else:
                    continue
            except ValueError:
                continue
            if 1850 <= parsed.year <= 2200:
                return parsed
        return None


def _fast_pattern(fmt: str) -> re.Pattern[str] | None:
    """A regex equivalent to ``fmt`` when it is only %d, %m, %Y and separators (strptime is slow)."""
    pieces = re.split(r"(%.)", fmt)
    if sorted(p for p in pieces if p.startswith("%")) != ["%Y", "%d", "%m"]:
        return None
    if any(not p.startswith("%") and (p.isalnum() or "%" in p) for p in pieces if p):
        return None
    return re.compile("".join(_FAST_PARTS[p] if p.startswith("%") else re.escape(p) for p in pieces))


def person_source_key(
    *, name: str, relative_name: str, date_of_birth: date | None, age: int | None, org_unit_id: int
) -> str:
    """A stable key for a person without a CNIC: same normalised row → same key."""
    text = "\x1f".join(
        (
            normalise_name(name).casefold(),
            normalise_name(relative_name).casefold(),
            date_of_birth.isoformat() if date_of_birth else "",
            "" if age is None else str(age),
            str(org_unit_id),
        )
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
