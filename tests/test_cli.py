"""The command line as an operator uses it, on a fresh SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from safecity.cli import app
from safecity.core.db import make_engine


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAFECITY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SAFECITY_SECRET_KEY_FILE", str(tmp_path / "secret"))
    monkeypatch.delenv("SAFECITY_SECRET_KEY", raising=False)
    return tmp_path


def test_demo_without_serving_seeds_the_city_and_prints_every_login(workdir: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    for name in ("alice", "bob", "charlie", "dana", "eve"):
        assert name in result.output
    engine = make_engine(f"sqlite:///{workdir / 'cli.db'}")
    with engine.connect() as conn:
        stations = conn.execute(text("SELECT count(*) FROM org_units WHERE kind = 'station'")).scalar_one()
    assert stations >= 10
    # Running it again creates nothing twice.
    again = CliRunner().invoke(app, ["demo", "--no-serve"])
    assert again.exit_code == 0
    with engine.connect() as conn:
        users = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
        fleet = dict(conn.execute(text("SELECT kind, count(*) FROM units GROUP BY kind")).all())
        types = conn.execute(text("SELECT count(*) FROM incident_types")).scalar_one()
    assert users == 14  # the 12 demo logins and the machine accounts of the simulation and the registers
    assert fleet["dolphin_pair"] > fleet["ambulance"] > fleet["bomb_disposal_robot"] >= 1
    assert fleet["drone_team"] >= 1 and types >= 15


def test_the_secret_key_is_generated_once_and_kept(workdir: Path) -> None:
    CliRunner().invoke(app, ["demo", "--no-serve"])
    first = (workdir / "secret").read_text()
    CliRunner().invoke(app, ["demo", "--no-serve"])
    assert (workdir / "secret").read_text() == first
    assert len(first) >= 40


def test_audit_verify_passes_on_an_honest_log_and_names_a_tampered_entry(workdir: Path) -> None:
    assert CliRunner().invoke(app, ["demo", "--no-serve"]).exit_code == 0
    ok = CliRunner().invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    engine = make_engine(f"sqlite:///{workdir / 'cli.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE leaf_index = 3"))
    bad = CliRunner().invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "3" in bad.output


def test_loading_an_org_file_with_a_bad_parent_names_the_field(workdir: Path) -> None:
    org = workdir / "org.toml"
    org.write_text(
        'units = [{ code = "PB", kind = "province", name = "Punjab" },'
        ' { code = "X", parent = "NOPE", kind = "district", name = "X" }]',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["org", "load", str(org)])
    assert result.exit_code != 0
    assert "units[1].parent" in str(result.exception) + result.output
