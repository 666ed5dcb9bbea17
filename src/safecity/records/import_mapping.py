"""The column-mapping file that tells the importer how to read one legacy register.

Example (``persons.toml``)::

    target = "persons"                 # or "firs"
    default_station = "KOR-LND"        # unit code when the row names none
    encodings = ["utf-8", "cp1256", "latin-1"]   # tried in order, per line
    date_formats = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
    optional_columns = ["Mobile"]      # may be absent from the file's header

    [columns]                          # source column = field
    "Name" = "name_roman"
    "نام" = "name_urdu"
    "Father/Husband" = "relative_name_roman"
    "CNIC No." = "cnic"
    "DOB" = "date_of_birth"
    "Mobile" = "phone"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from safecity.core.errors import InvalidInput
from safecity.records.normalise import DEFAULT_DATE_FORMATS

__all__ = ["FIR_FIELDS", "PERSON_FIELDS", "Mapping", "load_mapping", "parse_mapping"]

PERSON_FIELDS = frozenset(
    {
        "name_roman",
        "name_urdu",
        "name_line",  # "Muhammad Asif s/o Ghulam Rasool" in one cell
        "relation",
        "relative_name_roman",
        "relative_name_urdu",
        "cnic",
        "date_of_birth",
        "age",
        "gender",
        "address",
        "phone",
        "station",
        "photo_ref",
    }
)
FIR_FIELDS = frozenset(
    {
        "fir_number",  # "45" or "45/2024"
        "fir_year",
        "registered_on",
        "station",
        "sections",
        "complainant_name",
        "occurred_on",
        "place",
        "status",
        "registering_officer",
        "summary",
        "incident_ref",
        "lon",
        "lat",
    }
)
_FIELDS = {"persons": PERSON_FIELDS, "firs": FIR_FIELDS}
_NEEDED = {
    "persons": (
        {"name_roman", "name_urdu", "name_line"},
        "a name column (name_roman, name_urdu or name_line)",
    ),
    "firs": ({"fir_number"}, "the fir_number column"),
}


@dataclass(frozen=True)
class Mapping:
    target: str
    columns: dict[str, str]  # source column -> field
    default_station: str | None = None
    encodings: tuple[str, ...] = ("utf-8", "cp1256", "latin-1")
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    optional_columns: frozenset[str] = field(default_factory=frozenset)
    delimiter: str = ","
    age_recorded_on: date | None = None
    sheet: str | None = None  # xlsx: worksheet name (first sheet if omitted)

    def fields(self) -> set[str]:
        return set(self.columns.values())


def _strings(doc: dict[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = doc.get(key, list(default))
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise InvalidInput(f"{key} must be a non-empty list of strings", field=key)
    return tuple(value)


def _check_encodings(encodings: tuple[str, ...]) -> None:
    import codecs

    for name in encodings:
        try:
            codecs.lookup(name)
        except LookupError as exc:
            raise InvalidInput(f"unknown text encoding {name!r}", field="encodings") from exc


def parse_mapping(doc: dict[str, Any]) -> Mapping:
    target = doc.get("target", "persons")
    if target not in _FIELDS:
        raise InvalidInput(
            f"target must be one of {', '.join(sorted(_FIELDS))}, got {target!r}", field="target"
        )
    columns = doc.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise InvalidInput("the [columns] table (source column = field) is required", field="columns")
    for source, name in columns.items():
        if name not in _FIELDS[target]:
            known = ", ".join(sorted(_FIELDS[target]))
            raise InvalidInput(
                f"column {source!r} maps to unknown field {name!r}; known: {known}", field=f"columns.{source}"
            )
    needed, label = _NEEDED[target]
    if not needed & set(columns.values()):
        raise InvalidInput(f"the mapping must include {label}", field="columns")
    delimiter = doc.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise InvalidInput("delimiter must be one character", field="delimiter")
    encodings = _strings(doc, "encodings", ("utf-8", "cp1256", "latin-1"))
    _check_encodings(encodings)
    optional = doc.get("optional_columns", [])
    if not isinstance(optional, list) or not all(isinstance(c, str) for c in optional):
        raise InvalidInput("optional_columns must be a list of column names", field="optional_columns")
    recorded = doc.get("age_recorded_on")
    if recorded is not None and not isinstance(recorded, date):
        raise InvalidInput("age_recorded_on must be a TOML date (YYYY-MM-DD)", field="age_recorded_on")
    station = doc.get("default_station")
    if station is not None and not isinstance(station, str):
        raise InvalidInput("default_station must be a unit code", field="default_station")
    return Mapping(
        target=target,
        columns={str(k): str(v) for k, v in columns.items()},
        default_station=station,
        encodings=encodings,
        date_formats=_strings(doc, "date_formats", DEFAULT_DATE_FORMATS),
        optional_columns=frozenset(optional),
        delimiter=delimiter,
        age_recorded_on=recorded,
        sheet=doc.get("sheet"),
    )


def load_mapping(path: Path) -> Mapping:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"cannot read mapping file {path}: {exc}", field="mapping") from exc
    return parse_mapping(doc)
