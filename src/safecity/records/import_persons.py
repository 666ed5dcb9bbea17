"""The person converter: the hot path of a million-row register import.

One ``itemgetter`` picks every field's cell, the common case of each check
is a dict look-up or a string test, and only a value that fails it goes
through the general function that words the reason, so the fast and the
slow path cannot disagree on what is valid. Names, dates and unit codes
repeat a great deal in a register and are cached (bounded).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from safecity.core.errors import InvalidInput
from safecity.core.org import OrgKind
from safecity.identity import PROVINCES, validate_cnic
from safecity.records.import_mapping import Mapping
from safecity.records.import_rows import Problem, RowConverter, StoredForm
from safecity.records.normalise import (
    GENDER_CODES,
    normalise_name,
    normalise_phones,
    normalise_relation,
    person_source_key,
)

__all__ = ["PersonConverter", "build_converter"]

_NAME_LINE = re.compile(
    r"^(?P<name>.+?)\s+"
    r"(?P<rel>s/o|d/o|w/o|son of|daughter of|wife of|ولد|بنت|دختر|زوجہ)\.?\s+"
    r"(?P<relative>.+)$",
    re.IGNORECASE,
)
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_PERSON_SLOTS = (
    "name_line", "name_roman", "name_urdu", "relation", "relative_name_roman", "relative_name_urdu", "cnic",
    "date_of_birth", "age", "gender", "address", "phone", "station", "photo_ref",
)  # fmt: skip
_ADDRESS, _PHONE = _PERSON_SLOTS.index("address"), _PERSON_SLOTS.index("phone")
_CNIC_DASHED = re.compile(r"[0-9]{5}-[0-9]{7}-[0-9]")
_PARITY: dict[tuple[str | None, str], str] = {
    (g, d): g for g in ("M", "F") for d in ("13579" if g == "M" else "02468")
}  # gender the digit agrees with
_DAY_CACHE = _NAME_CACHE = 200_000


class PersonConverter(RowConverter):
    """`RowConverter` for ``target = "persons"``."""

    def __init__(
        self,
        mapping: Mapping,
        header: Sequence[str],
        units: dict[str, tuple[int, OrgKind]],
        stored: StoredForm,
        *,
        batch_id: int | None,
        now: datetime,
    ) -> None:
        super().__init__(mapping, header, units, stored, batch_id=batch_id, now=now)
        self.convert = self._person
        blank = self.width  # index of the "" appended to every row: fields the file lacks
        self._pick = itemgetter(*(self.positions.get(f, [blank])[0] for f in _PERSON_SLOTS))
        self._multi_slots = [(_PERSON_SLOTS.index(name), ix) for name, ix in self.multi]
        self._padding = [""] * self.width
        self._days: dict[str, tuple[date, Any] | str] = {}
        self._unit_of: dict[str, tuple[int, str] | str] = {}
        self._name_cache: dict[str, str] = {}
        self._phone_multi = "phone" in self.multi_fields

    def _column(self, name: str) -> str:
        return self.column_of.get(name, name)

    def _day(self, text: str) -> tuple[date, Any] | str:
        """(date, stored form) or the reason it is not a usable date; cached, registers repeat dates."""
        found = self._days.get(text)
        if found is None:
            try:
                parsed = self.dates.parse(text, field="date")
            except InvalidInput as exc:
                found = exc.detail
            else:
                future = parsed > self.today
                found = f"date {text!r} is in the future" if future else (parsed, self.stored.day(parsed))
            if len(self._days) < _DAY_CACHE:
                self._days[text] = found
        return found

    def _person_unit(self, code: str) -> tuple[int, str] | str:
        found = self._unit_of.get(code)
        if found is None:
            problems: list[Problem] = []
            unit_id, _ = self._unit({"station": code}, (OrgKind.DISTRICT, OrgKind.STATION), problems)
            found = problems[0][2] if problems else (unit_id, code)
            self._unit_of[code] = found
        return found

    def _phones(self, raw: list[str], phone: str, problems: list[Problem]) -> str:
        """Canonical numbers; a lone national number, the usual cell, is canonical already."""
        plain = phone.isdigit() and phone.isascii() and 7 <= len(phone) <= 13
        if plain and not self._phone_multi and not phone.startswith(("92", "0092")):
            return phone
        try:
            return normalise_phones(found) if (found := self._all(raw, "phone")) else ""
        except InvalidInput as exc:
            problems.append(("phone", self._column("phone"), exc.detail))
            return ""

    def _name(self, text: str) -> str:
        found = self._name_cache.get(text)
        if found is None:
            found = normalise_name(text)
            if len(self._name_cache) < _NAME_CACHE:
                self._name_cache[text] = found
        return found

    def _name_line(self, line: str, out: list[str | None]) -> None:
        match = _NAME_LINE.match(line)
        name, rel, relative = (match["name"], match["rel"], match["relative"]) if match else (line, "", "")
        out[1 if _ARABIC.search(name) else 0] = normalise_name(name)
        if rel:
            out[2] = normalise_relation(rel).value
            out[4 if _ARABIC.search(relative) else 3] = normalise_name(relative)

    def _person(self, raw: list[str]) -> tuple[tuple[Any, ...], str] | list[Problem]:
        if len(raw) < self.width:
            raw = (raw + self._padding)[: self.width]
        cells = list(map(str.strip, self._pick([*raw, ""])))
        for slot, indices in self._multi_slots:
            cells[slot] = next((raw[i].strip() for i in indices if raw[i].strip()), "")
        (
            line,
            roman,
            urdu,
            relation,
            rel_roman,
            rel_urdu,
            cnic_text,
            dob,
            age_text,
            gender_text,
            _,
            _,
            code,
            photo,
        ) = cells
        problems: list[Problem] = []
        names: list[str | None] = [None] * 5
        if line:
            self._name_line(line, names)
        for slot, text in ((0, roman), (1, urdu), (3, rel_roman), (4, rel_urdu)):
            if text:
                names[slot] = self._name_cache.get(text) or self._name(text)
        if relation:
            try:
                names[2] = normalise_relation(relation).value
            except InvalidInput as exc:
                problems.append(("relation", self._column("relation"), exc.detail))
        if not (names[0] or names[1]):
            field = (
                "name_roman"
                if "name_roman" in self.column_of or "name_urdu" not in self.column_of
                else "name_urdu"
            )
            problems.append(("name_roman", self._column(field), "a name (Roman or Urdu) is required"))
        gender = None
        if gender_text:
            gender = GENDER_CODES.get(gender_text.lower())
            if gender is None:
                problems.append(
                    ("gender", self._column("gender"), f"gender must be M, F or X, got {gender_text!r}")
                )
        cnic = None
        if cnic_text:
            if _CNIC_DASHED.fullmatch(cnic_text):
                cnic = cnic_text
            elif len(cnic_text) == 13 and cnic_text.isascii() and cnic_text.isdigit():
                cnic = f"{cnic_text[:5]}-{cnic_text[5:12]}-{cnic_text[12]}"
            if (
                cnic is None
                or cnic[0] not in PROVINCES
                or (gender or "X") != _PARITY.get((gender, cnic[-1]), "X")
            ):
                try:
                    cnic = validate_cnic(cnic_text, gender=gender)
                except InvalidInput as exc:
                    cnic = None
                    problems.append(("cnic", self._column("cnic"), exc.detail))
        born: tuple[date, Any] | str | None = self._day(dob) if dob else None
        if isinstance(born, str):
            problems.append(("date_of_birth", self._column("date_of_birth"), born))
            born = None
        age = None
        if age_text:
            if age_text.isdecimal() and int(age_text) <= 120:
                age = int(age_text)
            else:
                problems.append(
                    (
                        "age",
                        self._column("age"),
                        f"age must be a whole number of years 0-120, got {age_text!r}",
                    )
                )
        unit = self._person_unit(code or self.mapping.default_station or "")
        if isinstance(unit, str):
            problems.append(("station", self._column("station"), unit))
            unit = (0, "")
        phone = cells[_PHONE]
        phones = self._phones(raw, phone, problems) if phone or self._phone_multi else ""
        if problems:
            return problems
        key = cnic or person_source_key(
            name=names[0] or names[1] or "",
            relative_name=names[3] or names[4] or "",
            date_of_birth=born[0] if born else None,
            age=age,
            org_unit_id=unit[0],
        )
        address = cells[_ADDRESS]
        addresses = (
            self._all(raw, "address") if "address" in self.multi_fields else [address] if address else []
        )
        row = (
            unit[0], names[0], names[1], names[2], names[3], names[4], cnic, born[1] if born else None, age,
            self.age_on_stored if age is not None else None, gender,
            self.stored.json(addresses) if addresses else "[]", phones, photo or None, None if cnic else key,
            self.batch_id, self.now_stored,
        )  # fmt: skip
        return row, key


def build_converter(
    mapping: Mapping,
    header: Sequence[str],
    units: dict[str, tuple[int, OrgKind]],
    stored: StoredForm,
    *,
    batch_id: int | None,
    now: datetime,
) -> RowConverter:
    """The converter for the mapping's target."""
    kind = PersonConverter if mapping.target == "persons" else RowConverter
    return kind(mapping, header, units, stored, batch_id=batch_id, now=now)
