"""Importing the vehicle registry from an Excise & Taxation style CSV file.

E&T exports differ in column titles ("Registration No", "Reg. No.", "Owner
CNIC"…); titles are matched loosely. Each row is checked on its own: a bad row
is reported with its line number (the header is line 1), the field and the
reason, and the good rows are still stored. Plates are stored in canonical
form, so re-importing the same file changes nothing (rows count as unchanged).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.anpr import InvalidPlate, normalise_plate
from safecity.core import audit
from safecity.core.auth import User
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput, SafeCityError
from safecity.core.http import current_request_id
from safecity.identity import validate_cnic
from safecity.traffic.models import Vehicle
from safecity.traffic.repository import TrafficRepository

__all__ = ["ImportReport", "Reject", "import_vehicles", "read_vehicle_rows"]

_PURPOSE = "vehicle registry import from Excise & Taxation (e-challan addressing)"
_ALIASES: dict[str, tuple[str, ...]] = {
    "registration_no": ("registration_no", "reg_no", "registration_number", "plate", "vehicle_no", "number"),
    "owner_name": ("owner_name", "owner", "name"),
    "owner_cnic": ("owner_cnic", "cnic", "cnic_no"),
    "owner_address": ("owner_address", "address"),
    "owner_phone": ("owner_phone", "mobile", "mobile_no", "phone", "cell_no"),
    "make": ("make", "maker", "make_model"),
    "colour": ("colour", "color"),
}
_REQUIRED = ("registration_no", "owner_name", "owner_cnic", "owner_address", "make", "colour")
_PHONE = re.compile(r"(?:\+92|0092|0)?3\d{9}")


@dataclass(frozen=True)
class Reject:
    row: int
    field: str
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged


def _key(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.strip().lower()).strip("_")


def _columns(header: Iterable[str]) -> dict[str, str]:
    """Our field name -> the file's column title; a required field with no column is an error."""
    by_key = {_key(title): title for title in header}
    found: dict[str, str] = {}
    for name, aliases in _ALIASES.items():
        title = next((by_key[a] for a in aliases if a in by_key), None)
        if title is not None:
            found[name] = title
    missing = [n for n in _REQUIRED if n not in found]
    if missing:
        raise InvalidInput(f"the file has no column for {', '.join(missing)}", field=missing[0])
    return found


def read_vehicle_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, {field: value}) for each data row of a CSV text."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = _columns(reader.fieldnames or [])
    rows: list[tuple[int, dict[str, str]]] = []
    for record in reader:
        values = {name: (record.get(title) or "").strip() for name, title in columns.items()}
        rows.append((reader.line_num, values))
    return rows


def _phone(text: str) -> str | None:
    if not text:
        return None
    compact = re.sub(r"[\s\-()]", "", text)
    if not _PHONE.fullmatch(compact):
        raise InvalidInput(f"not a Pakistani mobile number: {text!r}", field="owner_phone")
    return "+92" + compact[-10:]


def _clean(values: Mapping[str, str]) -> dict[str, str | None]:
    for name in _REQUIRED:
        if not values.get(name):
            raise InvalidInput(f"{name} is empty", field=name)
    try:
        plate = normalise_plate(values["registration_no"])
    except InvalidPlate as exc:
        raise InvalidInput(exc.detail, field="registration_no") from exc
    try:
        cnic = validate_cnic(values["owner_cnic"])
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field="owner_cnic") from exc
    return {
        "plate": plate,
        "raw_plate": values["registration_no"][:40],
        "owner_name": values["owner_name"][:200],
        "owner_cnic": cnic,
        "owner_address": values["owner_address"][:400],
        "owner_phone": _phone(values.get("owner_phone", "")),
        "make": values["make"][:80],
        "colour": values["colour"][:40],
    }


def import_vehicles(session: Session, *, text: str, actor: User | None, source: str = "") -> ImportReport:
    """Create or update vehicles from the CSV text; bad rows are reported, never silently dropped."""
    report = ImportReport()
    cleaned: dict[str, tuple[int, dict[str, str | None]]] = {}
    for line, values in read_vehicle_rows(text):
        try:
            row = _clean(values)
        except SafeCityError as exc:
            report.rejects.append(Reject(line, exc.field or "row", exc.detail))
            continue
        plate = str(row["plate"])
        if plate in cleaned:
            first = cleaned[plate][0]
            report.rejects.append(Reject(line, "registration_no", f"{plate} repeats line {first}"))
            continue
        cleaned[plate] = (line, row)
    existing = TrafficRepository(session).vehicles_by_plate(cleaned)
    now = utcnow()
    for plate, (_, row) in cleaned.items():
        vehicle = existing.get(plate)
        if vehicle is None:
            session.add(Vehicle(**row, imported_at=now, updated_at=now))
            report.created += 1
        elif any(getattr(vehicle, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(vehicle, k, v)
            vehicle.updated_at = now
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="traffic.vehicles.import",
        object_type="traffic_vehicle",
        purpose=_PURPOSE,
        personal_data=True,
        request_id=current_request_id(),
        details={
            "source": source,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejects),
        },
    )
    return report
