"""The synthetic population of the demo city: persons, their vehicles, and planted near-duplicates.

Generated from a fixed seed and the name list in ``data/names.toml``, so
that seeding twice proposes the very same people (the records service then
refuses the second copy of each, and nothing is added). Everything here is
invented: CNICs have the right shape (Sindh's province digit 4, the gender
parity of the last digit) but were drawn at random, phones are in the
``+92 000`` range no operator issues, and every address says
``[synthetic demo]``.

The planted pairs are the same person written twice at two stations, the
way paper registers digitised apart differ: Mohd for Muhammad, Husain for
Hussain, a mistyped CNIC digit, a copy kept only in Urdu script — so the
duplicate-persons scan has something real-looking to propose.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from safecity.demo.seed import DEMO_ORG_FILE
from safecity.records.models import Gender, Relation
from safecity.records.schemas import PersonIn

__all__ = [
    "SYNTHETIC",
    "Population",
    "SyntheticPerson",
    "SyntheticVehicle",
    "population",
]

SYNTHETIC = "[synthetic demo]"
_DATA = Path(__file__).resolve().parent / "data"
_NAMES_FILE = _DATA / "names.toml"
_PLANTED_FILE = _DATA / "planted_duplicates.toml"
# Karachi-style CNIC prefixes (province 4 = Sindh) for the two demo districts.
_CNIC_PREFIX = {"KHI-KOR": "42201", "KHI-MLR": "42501"}
_SERIES_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_MAKES = (
    ("Suzuki Mehran", 14), ("Suzuki Alto", 12), ("Suzuki Cultus", 8), ("Toyota Corolla", 12),
    ("Honda Civic", 6), ("Honda City", 8), ("Suzuki Bolan", 6), ("Daihatsu Cuore", 5),
    ("Toyota Hilux", 3), ("Honda CD-70", 16), ("Suzuki Ravi", 4), ("Hino Dutro", 2),
)  # fmt: skip
_COLOURS = ("White", "Silver", "Black", "Grey", "Red", "Blue", "Maroon", "Green")


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    key: str  # stable label: "p0042", or "dup3a" / "dup3b" for a planted pair
    unit: str
    name_roman: str | None
    name_urdu: str | None
    relation: Relation
    relative_roman: str | None
    relative_urdu: str | None
    gender: Gender
    cnic: str | None
    date_of_birth: date
    phone: str | None
    address: str

    def person_in(self) -> PersonIn:
        return PersonIn(
            unit=self.unit,
            name_roman=self.name_roman,
            name_urdu=self.name_urdu,
            relation=self.relation,
            relative_name_roman=self.relative_roman,
            relative_name_urdu=self.relative_urdu,
            cnic=self.cnic,
            date_of_birth=self.date_of_birth,
            gender=self.gender,
            addresses=[self.address],
            phones=[self.phone] if self.phone else [],
        )


@dataclass(frozen=True, slots=True)
class SyntheticVehicle:
    plate: str
    owner: SyntheticPerson
    make: str
    colour: str


@dataclass(frozen=True, slots=True)
class Population:
    persons: tuple[SyntheticPerson, ...]
    planted: tuple[tuple[str, str], ...]  # keys of the near-duplicate pairs
    vehicles: tuple[SyntheticVehicle, ...]
    stolen: tuple[str, ...]  # plates reported stolen (on the ANPR "stolen" list)


@dataclass(frozen=True, slots=True)
class _Station:
    code: str
    district: str
    name: str


def _names() -> dict[str, list[tuple[str, str]]]:
    with _NAMES_FILE.open("rb") as fh:
        doc = tomllib.load(fh)
    out: dict[str, list[tuple[str, str]]] = {}
    for part in ("male", "female", "family"):
        out[part] = []
        for entry in doc[part]:
            roman, urdu = entry.split("|", 1)
            out[part].append((roman, urdu))
    return out


def _stations() -> list[_Station]:
    with DEMO_ORG_FILE.open("rb") as fh:
        units = tomllib.load(fh)["units"]
    return [
        _Station(u["code"], u["parent"], u["name"])
        for u in units
        if u["kind"] == "station" and u.get("parent") in _CNIC_PREFIX
    ]


class _Maker:
    """Draws unique CNICs, phones and plates from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = _names()
        self.stations = _stations()
        self.cnics: set[str] = set()
        self.phones: set[str] = set()
        self.plates: set[str] = set()

    def cnic(self, district: str, gender: Gender) -> str:
        while True:
            last = self.rng.choice("13579" if gender is Gender.MALE else "02468")
            found = f"{_CNIC_PREFIX[district]}-{self.rng.randrange(10**6, 10**7):07d}-{last}"
            if found not in self.cnics:
                self.cnics.add(found)
                return found

    def phone(self) -> str:
        while True:
            found = f"+92 000 {self.rng.randrange(10**7):07d}"
            if found not in self.phones:
                self.phones.add(found)
                return found

    def plate(self) -> str:
        while True:
            letters = "".join(self.rng.choice(_SERIES_LETTERS) for _ in range(self.rng.choice((2, 3, 3, 3))))
            found = f"{letters}-{self.rng.randrange(1, 10_000 if self.rng.random() < 0.6 else 1_000)}"
            if found not in self.plates:
                self.plates.add(found)
                return found

    def birth(self) -> date:
        return date(1958, 1, 1) + timedelta(days=self.rng.randrange(0, 47 * 365))

    def address(self, station: _Station) -> str:
        house, street = self.rng.randrange(1, 400), self.rng.randrange(1, 40)
        return f"House {house}, Street {street}, {station.name}, Karachi {SYNTHETIC}"

    def full_name(self, given: list[tuple[str, str]], family: tuple[str, str] | None) -> tuple[str, str]:
        first = self.rng.choice(given)
        parts = [first]
        if self.rng.random() < 0.3:
            parts.append(self.rng.choice(self.names["male"]))
        if family is not None:
            parts.append(family)
        return " ".join(p[0] for p in parts), " ".join(p[1] for p in parts)

    def person(self, key: str) -> SyntheticPerson:
        station = self.rng.choice(self.stations)
        gender = Gender.FEMALE if self.rng.random() < 0.15 else Gender.MALE
        family = self.rng.choice(self.names["family"]) if self.rng.random() < 0.75 else None
        given = self.names["female" if gender is Gender.FEMALE else "male"]
        roman, urdu = self.full_name(given, family)
        father_roman, father_urdu = self.full_name(self.names["male"], family)
        relation = Relation.SON_OF if gender is Gender.MALE else Relation.DAUGHTER_OF
        if gender is Gender.FEMALE and self.rng.random() < 0.4:
            relation = Relation.WIFE_OF
            father_roman, father_urdu = self.full_name(
                self.names["male"], self.rng.choice(self.names["family"])
            )
        paper = self.rng.random() < 0.1  # a paper-register entry without a CNIC
        return SyntheticPerson(
            key=key,
            unit=station.code,
            name_roman=roman,
            name_urdu=urdu,
            relation=relation,
            relative_roman=father_roman,
            relative_urdu=father_urdu,
            gender=gender,
            cnic=None if paper else self.cnic(station.district, gender),
            date_of_birth=self.birth(),
            phone=self.phone() if self.rng.random() < 0.6 else None,
            address=self.address(station),
        )

    def station(self, code: str) -> _Station:
        return next(s for s in self.stations if s.code == code)


def _typo(cnic: str, rng: random.Random) -> str:
    """The same CNIC with one family-number digit mistyped (province and gender digit intact)."""
    i = rng.randrange(6, 13)
    wrong = str((int(cnic[i]) + rng.randrange(1, 10)) % 10)
    return cnic[:i] + wrong + cnic[i + 1 :]


def _planted_pairs() -> list[tuple[dict[str, str], dict[str, str]]]:
    with _PLANTED_FILE.open("rb") as fh:
        return [(pair["a"], pair["b"]) for pair in tomllib.load(fh)["pair"]]


def _planted(maker: _Maker, n: int, a: dict[str, str], b: dict[str, str]) -> tuple[SyntheticPerson, ...]:
    gender = Gender(a.get("gender", "M"))
    station = maker.station(a["unit"])
    first = SyntheticPerson(
        key=f"dup{n}a",
        unit=a["unit"],
        name_roman=a["roman"],
        name_urdu=a["urdu"],
        relation=Relation.SON_OF if gender is Gender.MALE else Relation.DAUGHTER_OF,
        relative_roman=a["father"],
        relative_urdu=a["father_ur"],
        gender=gender,
        cnic=maker.cnic(station.district, gender),
        date_of_birth=maker.birth(),
        phone=maker.phone(),
        address=maker.address(station),
    )
    cnic = {"none": None, "typo": _typo(first.cnic or "", maker.rng)}[b["cnic"]]
    if cnic is not None:
        maker.cnics.add(cnic)
    second = replace(
        first,
        key=f"dup{n}b",
        unit=b["unit"],
        name_roman=b["roman"] or None,  # "" : the register kept the name in Urdu script only
        name_urdu=first.name_urdu if not b["roman"] else None,
        relative_roman=b["father"] or None,
        relative_urdu=first.relative_urdu if not b["father"] else None,
        cnic=cnic,
        address=maker.address(maker.station(b["unit"])),
    )
    return first, second


def _vehicles(maker: _Maker, owners: list[SyntheticPerson], count: int) -> tuple[SyntheticVehicle, ...]:
    makes = [m for m, _ in _MAKES]
    weights = [w for _, w in _MAKES]
    return tuple(
        SyntheticVehicle(
            plate=maker.plate(),
            owner=maker.rng.choice(owners),
            make=maker.rng.choices(makes, weights)[0],
            colour=maker.rng.choice(_COLOURS),
        )
        for _ in range(count)
    )


@cache
def population(seed: int = 2026, persons: int = 284, vehicles: int = 200, stolen: int = 5) -> Population:
    """The demo's people and vehicles; the same arguments always give the same population."""
    maker = _Maker(seed)
    planted: list[SyntheticPerson] = []
    pairs = _planted_pairs()
    for n, (a, b) in enumerate(pairs, start=1):
        planted.extend(_planted(maker, n, a, b))
    everyone = [maker.person(f"p{i:04d}") for i in range(persons)]
    owners = [p for p in everyone if p.cnic and p.name_roman]
    fleet = _vehicles(maker, owners, vehicles)
    return Population(
        persons=tuple(planted + everyone),
        planted=tuple((f"dup{n}a", f"dup{n}b") for n in range(1, len(pairs) + 1)),
        vehicles=fleet,
        stolen=tuple(v.plate for v in maker.rng.sample(list(fleet), stolen)),
    )
