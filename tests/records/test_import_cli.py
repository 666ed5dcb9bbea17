"""`safecity records import` as an operator runs it: counts, a reject file, Urdu intact, idempotent."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.records.conftest import make_cnic
from typer.testing import CliRunner

from safecity.cli import app
from safecity.core.db import make_engine, make_sessionmaker, session_scope
from safecity.core.migrate import upgrade
from safecity.core.org import load_tree_file
from safecity.demo.seed import DEMO_ORG_FILE

MAPPING = """
target = "persons"
default_station = "KOR-LND"
date_formats = ["%d/%m/%Y"]

[columns]
"Name" = "name_roman"
"نام" = "name_urdu"
"CNIC" = "cnic"
"DOB" = "date_of_birth"
"Gender" = "gender"
"""


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("SAFECITY_DATABASE_URL", url)
    upgrade(url)
    with session_scope(make_sessionmaker(make_engine(url))) as session:
        load_tree_file(session, DEMO_ORG_FILE)
    return url


def test_the_import_command_counts_rejects_and_creates_nothing_on_a_rerun(
    tmp_path: Path, database: str
) -> None:
    rng = random.Random(7)
    register = tmp_path / "register.csv"
    rows = [("Asif Ali", "آصف علی", make_cnic(rng), "01/02/1980", "M"),
            ("Nadia Bibi", "نادیہ بی بی", make_cnic(rng, male=False), "12/12/1990", "F"),
            ("Bad Card", "", "12345", "01/01/1970", "M"),
            ("Bad Date", "", make_cnic(rng), "31/02/1990", "M")]  # fmt: skip
    with register.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Name", "نام", "CNIC", "DOB", "Gender"])
        writer.writerows(rows)
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING, encoding="utf-8")

    dry = CliRunner().invoke(
        app, ["records", "import", str(register), "--mapping", str(mapping), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "accepted: 2" in dry.output and "rejected: 2" in dry.output and "dry run" in dry.output
    engine = make_engine(database)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM records_persons")).scalar_one() == 0

    first = CliRunner().invoke(app, ["records", "import", str(register), "--mapping", str(mapping)])
    assert first.exit_code == 0, first.output
    assert "accepted: 2" in first.output and "new: 2" in first.output and "rejected: 2" in first.output
    rejects = list(csv.DictReader((tmp_path / "register.rejects.csv").open(encoding="utf-8-sig")))
    assert [(r["row"], r["field"]) for r in rejects] == [("4", "cnic"), ("5", "date_of_birth")]
    assert all(r["reason"] for r in rejects)

    again = CliRunner().invoke(app, ["records", "import", str(register), "--mapping", str(mapping)])
    assert "new: 0, already present: 2" in again.output
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name_urdu FROM records_persons ORDER BY id")).scalars().all()
    assert names == ["آصف علی", "نادیہ بی بی"]


def test_a_mapping_naming_a_missing_column_exits_with_the_column_named(tmp_path: Path, database: str) -> None:
    register = tmp_path / "register.csv"
    register.write_text("Name,CNIC\nAsif,\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    result = CliRunner().invoke(app, ["records", "import", str(register), "--mapping", str(mapping)])
    assert result.exit_code == 2
    assert "نام" in result.output or "DOB" in result.output
