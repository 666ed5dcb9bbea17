"""Digitisation import throughput: a synthetic legacy register into a fresh SQLite database.

Usage: python benchmarks/records_import.py [--rows 1000000] [--baseline-rows 3000] [--seed 1]
       [--url postgresql+psycopg://postgres@127.0.0.1:5432/EMPTY_DB] [--workers N]

The register is synthetic, built from ../shared/data/names/pk_name_parts.csv:
Roman and Urdu names (weighted by frequency), father's names, mostly valid
CNICs (about 2% wrong: bad length, province 0/8/9, or gender parity
contradicting the gender column), dates of birth in four formats (about 1%
impossible), ages for rows without a date, phones, and a sprinkling of
lines in Windows-1256 instead of UTF-8. Progress goes to stderr; one JSON
document to stdout. The baseline is the naive way, measured in the same run
on a small sample: one ORM object per row, a CNIC look-up before each insert
(for idempotency) and a flush per row. ``--url`` runs against that database
instead of a fresh SQLite file (migrated here; it should hold no persons: the
baseline's rows are deleted before the import). The JSON carries the load
average before and after and the importing process's CPU seconds, because on
a shared machine wall-clock time says as much about the neighbours as about
the importer.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from safecity.core.db import make_engine, make_sessionmaker, session_scope
from safecity.core.migrate import upgrade
from safecity.core.org import OrgUnit, load_tree_file
from safecity.demo.seed import DEMO_ORG_FILE
from safecity.identity import validate_cnic
from safecity.records.import_mapping import parse_mapping
from safecity.records.importer import import_register
from safecity.records.models import Person
from safecity.records.normalise import DateParser

NAMES = Path(__file__).resolve().parents[2] / "shared" / "data" / "names" / "pk_name_parts.csv"
HEADER = ["Sr", "Name", "Urdu Name", "Father", "CNIC", "DOB", "Age", "Gender", "Mobile", "PS"]
STATIONS = ["KOR-LND", "KOR-KRG", "KOR-ZMT", "KOR-AWC", "MLR-BQS", "MLR-STT", "STH-CLF", ""]
MAPPING = {
    "target": "persons",
    "default_station": "KHI-KOR",
    "date_formats": ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
    "encodings": ["utf-8", "cp1256", "latin-1"],
    "columns": {
        "Name": "name_roman", "Urdu Name": "name_urdu", "Father": "relative_name_roman", "CNIC": "cnic",
        "DOB": "date_of_birth", "Age": "age", "Gender": "gender", "Mobile": "phone", "PS": "station",
    },
}  # fmt: skip


def _parts() -> tuple[list[tuple[str, str]], list[int], list[tuple[str, str]], list[int]]:
    given: list[tuple[str, str]] = []
    given_w: list[int] = []
    surnames: list[tuple[str, str]] = []
    surname_w: list[int] = []
    with NAMES.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pair = (row["spelling"], row["urdu"])
            if row["role"] == "surname":
                surnames.append(pair)
                surname_w.append(int(row["count"]))
            else:
                given.append(pair)
                given_w.append(int(row["count"]))
    return given, given_w, surnames, surname_w


def _cnic(rng: random.Random, male: bool) -> str:
    roll = rng.random()
    first = rng.choice("1234567") if roll > 0.005 else rng.choice("089")
    body = first + "".join(rng.choices("0123456789", k=11))
    last = rng.choice("13579" if male else "02468")
    if roll > 0.995:
        last = rng.choice("02468" if male else "13579")  # parity contradicts the gender column
    digits = body + last
    if 0.005 < roll < 0.01:
        digits = digits[:-2]  # a digit or two lost in transcription
    return f"{digits[:5]}-{digits[5:12]}-{digits[12:]}" if rng.random() < 0.8 else digits


def _dob(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.2:
        return "", str(rng.randrange(16, 80))
    y, m, d = rng.randrange(1945, 2008), rng.randrange(1, 13), rng.randrange(1, 29)
    if rng.random() < 0.01:
        d, m = 31, 2  # an impossible date
    fmt = rng.choice(["{d:02d}/{m:02d}/{y}", "{y}-{m:02d}-{d:02d}", "{d:02d}-{m:02d}-{y}", "{d}.{m}.{y}"])
    return fmt.format(d=d, m=m, y=y), ""


def generate(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    given, given_w, surnames, surname_w = _parts()
    with path.open("wb") as out:
        out.write((",".join(HEADER) + "\n").encode())
        for start in range(0, rows, 10_000):
            n = min(10_000, rows - start)
            firsts = rng.choices(given, given_w, k=n)
            lasts = rng.choices(surnames, surname_w, k=n)
            fathers = rng.choices(given, given_w, k=n)
            chunk = []
            for i in range(n):
                male = rng.random() < 0.8
                (g, gu), (s, su), (f, _) = firsts[i], lasts[i], fathers[i]
                dob, age = _dob(rng)
                cnic = _cnic(rng, male) if rng.random() < 0.9 else ""
                phone = f"03{rng.randrange(10**9):09d}" if rng.random() < 0.5 else ""
                line = ",".join((str(start + i + 1), f"{g} {s}", f"{gu} {su}", f"{f} {s}", cnic, dob, age,
                                 "M" if male else "F", phone, rng.choice(STATIONS)))  # fmt: skip
                try:
                    data = (line + "\n").encode("cp1256" if rng.random() < 0.02 else "utf-8")
                except UnicodeEncodeError:
                    data = (line + "\n").encode("utf-8")
                chunk.append(data)
            out.write(b"".join(chunk))


def _fresh_db(directory: Path, name: str) -> str:
    return _prepared(f"sqlite:///{directory / name}")


def _prepared(url: str) -> str:
    upgrade(url)
    with session_scope(make_sessionmaker(make_engine(url))) as session:
        if session.scalar(select(OrgUnit.id).where(OrgUnit.code == "KHI-KOR")) is None:
            load_tree_file(session, DEMO_ORG_FILE)
    return url


def baseline(url: str, register: Path, rows: int) -> float:
    """Per-row ORM inserts of the first ``rows`` rows (validation included), rows per second."""
    dates = DateParser(MAPPING["date_formats"])  # type: ignore[arg-type]
    with register.open(encoding="utf-8", errors="replace") as f:
        sample = [r for _, r in zip(range(rows), csv.DictReader(f), strict=False)]
    sessions = make_sessionmaker(make_engine(url))
    started = time.perf_counter()
    with session_scope(sessions) as session:
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "KHI-KOR"))
        assert unit_id is not None
        for row in sample:
            try:
                cnic = validate_cnic(row["CNIC"], gender=row["Gender"]) if row["CNIC"] else None
                born = dates.parse(row["DOB"], field="dob") if row["DOB"] else None
            except Exception:
                continue
            if cnic and session.scalar(select(Person.id).where(Person.cnic == cnic)) is not None:
                continue
            session.add(Person(org_unit_id=unit_id, name_roman=row["Name"], name_urdu=row["Urdu Name"],
                               relative_name_roman=row["Father"], cnic=cnic, date_of_birth=born,
                               phones=row["Mobile"]))  # fmt: skip
            session.flush()
    return len(sample) / (time.perf_counter() - started)


def _timed_import(
    url: str, register: Path, rejects: Path | None, workers: int | None
) -> tuple[Any, float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    with session_scope(make_sessionmaker(make_engine(url))) as session:
        result = import_register(session, path=register, mapping=parse_mapping(MAPPING), reject_path=rejects,
                                 workers=workers)  # fmt: skip
    return result, time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="database to import into (default: a fresh SQLite file)")
    parser.add_argument("--workers", type=int, help="conversion processes (default: the importer's choice)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        register = directory / "register.csv"
        print(f"generating {args.rows} rows …", file=sys.stderr)
        generate(register, args.rows, args.seed)
        print("baseline (per-row ORM) …", file=sys.stderr)
        base_url = _prepared(args.url) if args.url else _fresh_db(directory, "baseline.db")
        base = baseline(base_url, register, args.baseline_rows)
        if args.url:
            with session_scope(make_sessionmaker(make_engine(args.url))) as session:
                session.execute(delete(Person).where(Person.import_batch_id.is_(None)))
        url = args.url or _fresh_db(directory, "import.db")
        print("importing …", file=sys.stderr)
        result, seconds, cpu = _timed_import(url, register, directory / "rejects.csv", args.workers)
        print("importing again …", file=sys.stderr)
        again, rerun_seconds, rerun_cpu = _timed_import(url, register, None, args.workers)
    print(json.dumps({
        "database": url.split(":", 1)[0],
        "rows": result.rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(result.rows / seconds),
        "cpu_seconds_main_process": round(cpu, 2),
        "accepted": result.accepted,
        "inserted": result.inserted,
        "rejected": result.rejected,
        "accepted_plus_rejected_equals_rows": result.accepted + result.rejected == result.rows,
        "fallback_encoded_lines": result.fallback_lines,
        "rerun_inserted": again.inserted,
        "rerun_seconds": round(rerun_seconds, 2),
        "rerun_rows_per_s": round(again.rows / rerun_seconds),
        "rerun_cpu_seconds_main_process": round(rerun_cpu, 2),
        "baseline_rows_per_s": round(base),
        "speedup_vs_baseline": round(result.rows / seconds / base, 1),
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
