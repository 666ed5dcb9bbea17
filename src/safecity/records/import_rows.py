"""Turning one register row into the values stored for a person or an FIR, or into reasons.

A converter is built once per file (column positions, unit codes, date
parser) and then called a million times, so the per-row path is plain
Python on lists: no dicts of dicts, no ORM objects, errors collected
rather than raised so that one row can report every problem it has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from safecity.core.errors import InvalidInput
from safecity.core.org import OrgKind
from safecity.records.import_mapping import Mapping
from safecity.records.models import FirStatus
from safecity.records.normalise import DateParser

__all__ = ["FIR_COLUMNS", "PERSON_COLUMNS", "Converted", "Problem", "RowConverter", "StoredForm"]

Problem = tuple[str, str, str]  # field, source column, reason
Converted = tuple[Any, ...] | list[Problem]  # the stored row, or why it was rejected
PKT = ZoneInfo("Asia/Karachi")

PERSON_COLUMNS = (
    "org_unit_id", "name_roman", "name_urdu", "relation", "relative_name_roman", "relative_name_urdu",
    "cnic", "date_of_birth", "approximate_age", "age_recorded_on", "gender", "addresses", "phones",
    "photo_ref", "source_key", "import_batch_id", "created_at",
)  # fmt: skip
FIR_COLUMNS = (
    "ref", "station_id", "year", "number", "registered_at", "sections", "complainant_name", "occurred_at",
    "place", "lon", "lat", "summary", "registering_officer", "status", "incident_ref", "created_at",
)  # fmt: skip

_STATUS_ALIASES = {
    "ui": FirStatus.UNDER_INVESTIGATION,
    "challan": FirStatus.CHALLAN_SUBMITTED,
    "canceled": FirStatus.CANCELLED,
    "a_class": FirStatus.UNTRACED,
}


class StoredForm:
    """Values as the database driver wants them, bypassing SQLAlchemy's per-row processing."""

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

    def day(self, value: date | None) -> Any:
        return value.isoformat() if self.sqlite and value is not None else value

    def moment(self, value: datetime | None) -> Any:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    @staticmethod
    def json(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)


class RowConverter:
    """Register row values → (stored tuple, natural key) or a list of problems; converts FIRs.

    Persons, the bulk of every register, have their own compiled fast path
    (`safecity.records.import_persons.PersonConverter`); build either with
    `~safecity.records.import_persons.build_converter`.
    """

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
        self.mapping = mapping
        self.units = units
        self.stored = stored
        self.batch_id = batch_id
        self.now = now
        self.today = now.astimezone(PKT).date()
        self.dates = DateParser(mapping.date_formats)
        self.width = len(header)
        self.positions: dict[str, list[int]] = {}
        self.column_of: dict[str, str] = {}
        for column, name in mapping.columns.items():
            if column in header:
                self.positions.setdefault(name, []).append(header.index(column))
                self.column_of.setdefault(name, column)
        self.single = [(name, ix[0]) for name, ix in self.positions.items() if len(ix) == 1]
        self.multi = [(name, ix) for name, ix in self.positions.items() if len(ix) > 1]
        self.now_stored = stored.moment(now)
        self.age_on_stored = stored.day(mapping.age_recorded_on or self.today)
        self.multi_fields = frozenset(name for name, _ in self.multi)
        self.convert: Callable[[list[str]], tuple[tuple[Any, ...], str] | list[Problem]] = self._fir

    def convert_record(self, values: list[str], undecodable: bool) -> Converted:
        """The stored tuple for one row, or its problems (encoding and shape checked first)."""
        if undecodable:
            shown = ", ".join(self.mapping.encodings)
            return [("encoding", "", f"bytes valid in none of {shown}")]
        if len(values) > self.width:
            return [("row", "", f"{len(values)} cells but the header has {self.width} columns")]
        result = self.convert(values)
        return result if isinstance(result, list) else result[0]

    # -- cell access ------------------------------------------------------------

    def _cells(self, values: list[str]) -> tuple[dict[str, str], list[str]]:
        """Field -> first non-empty stripped cell; short rows are padded (trailing blanks dropped)."""
        if len(values) < self.width:
            values = values + [""] * (self.width - len(values))
        cells = {name: values[i].strip() for name, i in self.single}
        for name, indices in self.multi:
            cells[name] = next((values[i].strip() for i in indices if values[i].strip()), "")
        return cells, values

    def _first(self, cells: dict[str, str], name: str) -> tuple[str, str]:
        return cells.get(name, ""), self.column_of.get(name, name)

    def _all(self, values: list[str], name: str) -> list[str]:
        return [values[i].strip() for i in self.positions.get(name, ()) if values[i].strip()]

    def _unit(
        self, cells: dict[str, str], kinds: tuple[OrgKind, ...], problems: list[Problem]
    ) -> tuple[int, str]:
        code, column = self._first(cells, "station")
        code = code or (self.mapping.default_station or "")
        found = self.units.get(code.upper()) or self.units.get(code)
        if not code:
            problems.append(
                ("station", column, "no station in the row and no default_station in the mapping")
            )
        elif found is None:
            problems.append(("station", column, f"unknown organisation unit {code!r}"))
        elif found[1] not in kinds:
            problems.append(("station", column, f"{code} is a {found[1].value}, not a {' or '.join(kinds)}"))
        else:
            return found[0], code
        return 0, code

    def _date(self, cells: dict[str, str], name: str, problems: list[Problem]) -> date | None:
        text, column = self._first(cells, name)
        if not text:
            return None
        try:
            parsed = self.dates.parse(text, field=name)
        except InvalidInput as exc:
            problems.append((name, column, exc.detail))
            return None
        if parsed > self.today:
            problems.append((name, column, f"date {text!r} is in the future"))
            return None
        return parsed

    # -- FIRs -------------------------------------------------------------------

    def _number_year(
        self, cells: dict[str, str], problems: list[Problem], registered: date | None
    ) -> tuple[int, int]:
        text, column = self._first(cells, "fir_number")
        number_text, _, year_text = text.partition("/")
        year_cell, year_column = self._first(cells, "fir_year")
        year_text = year_cell or year_text.strip() or (str(registered.year) if registered else "")
        if not number_text.strip().isdigit() or int(number_text) < 1:
            problems.append(
                ("fir_number", column, f"FIR number must be a positive whole number, got {text!r}")
            )
        if not year_text.isdigit() or not 1947 <= int(year_text) <= self.today.year:
            problems.append(("fir_year", year_column, f"FIR year missing or out of range: {year_text!r}"))
        if problems:
            return 0, 0
        return int(number_text), int(year_text)

    def _status(self, cells: dict[str, str], problems: list[Problem]) -> str:
        text, column = self._first(cells, "status")
        key = re.sub(r"[\s-]+", "_", text.strip().lower())
        if not key:
            return FirStatus.UNDER_INVESTIGATION.value
        try:
            return (_STATUS_ALIASES.get(key) or FirStatus(key)).value
        except ValueError:
            problems.append(("status", column, f"unknown FIR status {text!r}"))
            return ""

    def _coordinates(
        self, cells: dict[str, str], problems: list[Problem]
    ) -> tuple[float | None, float | None]:
        out: list[float | None] = []
        for name, bound in (("lon", 180.0), ("lat", 90.0)):
            text, column = self._first(cells, name)
            try:
                value = float(text) if text else None
            except ValueError:
                value = None
                problems.append((name, column, f"{name} must be a number, got {text!r}"))
            if value is not None and not -bound <= value <= bound:
                problems.append((name, column, f"{name} out of range: {value}"))
            out.append(value)
        if (out[0] is None) != (out[1] is None):
            problems.append(("lon", "lon", "give both lon and lat, or neither"))
        return out[0], out[1]

    def _fir(self, raw: list[str]) -> tuple[tuple[Any, ...], str] | list[Problem]:
        cells, _ = self._cells(raw)
        problems: list[Problem] = []
        registered = self._date(cells, "registered_on", problems)
        occurred = self._date(cells, "occurred_on", problems)
        number, year = self._number_year(cells, problems, registered)
        station_id, code = self._unit(cells, (OrgKind.STATION,), problems)
        sections = [p.strip() for p in re.split(r"[,;]", self._first(cells, "sections")[0]) if p.strip()]
        if not sections:
            problems.append(
                ("sections", self._first(cells, "sections")[1], "at least one section is required")
            )
        status = self._status(cells, problems)
        lon, lat = self._coordinates(cells, problems)
        if problems:
            return problems
        s = self.stored
        at = datetime.combine(registered or date(year, 1, 1), time(), PKT)
        ref = f"FIR-{code.upper()}-{year}-{number:05d}"

        def cell(name: str) -> str | None:
            return self._first(cells, name)[0] or None

        row = (
            ref, station_id, year, number, s.moment(at), s.json(sections), cell("complainant_name"),
            s.moment(datetime.combine(occurred, time(), PKT)) if occurred else None, cell("place"), lon, lat,
            cell("summary") or "", cell("registering_officer"), status, cell("incident_ref"),
            self.now_stored,
        )  # fmt: skip
        return row, ref
