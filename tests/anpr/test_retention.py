"""Retention: old reads go unless a hit or a case needs them; recent reads stay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safecity.anpr.cli import app as anpr_cli
from safecity.anpr.ingest import ingest_reads
from safecity.anpr.models import AnprRead
from safecity.anpr.retention import purge_reads
from safecity.anpr.schemas import ReadIn
from safecity.anpr.service import add_to_watchlist
from safecity.cameras.models import Camera, CameraKind
from safecity.core.audit import AuditEntry
from safecity.core.org import OrgKind, OrgUnit

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _camera(session: Session) -> Camera:
    unit = OrgUnit(code=f"U-{uuid.uuid4().hex[:8]}", name="Test", kind=OrgKind.PROVINCE)
    session.add(unit)
    session.flush()
    camera = Camera(
        code=f"C-{uuid.uuid4().hex[:8]}",
        name="t",
        kind=CameraKind.ANPR,
        lon=67.0,
        lat=24.9,
        org_unit_id=unit.id,
    )
    session.add(camera)
    session.flush()
    return camera


def _store(session: Session, camera: Camera, plate: str, age: timedelta) -> int:
    read = ReadIn(camera_id=camera.id, plate_text=plate, at=NOW - age)
    ingest_reads(session, [read], actor=None, source="test", scope=None)
    stored = session.scalar(
        select(AnprRead.id).where(AnprRead.camera_id == camera.id, AnprRead.plate == plate)
    )
    assert stored is not None
    return stored


def _surviving(session: Session, ids: list[int]) -> set[int]:
    return set(session.scalars(select(AnprRead.id).where(AnprRead.id.in_(ids))))


def test_purge_deletes_exactly_the_old_reads_nothing_links_to(db_session: Session) -> None:
    camera = _camera(db_session)
    add_to_watchlist(db_session, list_name="stolen", plate="BQR-4411", org_unit_id=camera.org_unit_id)
    old_unlinked = _store(db_session, camera, "KAA-1001", timedelta(days=91))
    also_old = _store(db_session, camera, "KAA-1002", timedelta(days=200))
    old_with_hit = _store(db_session, camera, "BQR-4411", timedelta(days=120))
    old_with_case = _store(db_session, camera, "KAA-1003", timedelta(days=95))
    db_session.get_one(AnprRead, old_with_case).case_ref = "FIR-KHI-0012-2026-00045"
    recent = _store(db_session, camera, "KAA-1004", timedelta(days=89))
    everything = [old_unlinked, also_old, old_with_hit, old_with_case, recent]
    db_session.flush()

    dry = purge_reads(db_session, now=NOW, retention_days=90, dry_run=True)
    assert (dry.deleted, dry.kept_linked) == (2, 2)
    assert _surviving(db_session, everything) == set(everything)

    report = purge_reads(db_session, now=NOW, retention_days=90)
    assert (report.deleted, report.kept_linked) == (2, 2)
    db_session.expire_all()
    assert _surviving(db_session, everything) == {old_with_hit, old_with_case, recent}
    audited = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "anpr.reads.purge").order_by(AuditEntry.index)
    ).all()
    assert audited[-1].details["deleted"] == 2 and audited[-1].details["days"] == 90


def test_a_shorter_retention_reaches_younger_reads(db_session: Session) -> None:
    camera = _camera(db_session)
    young = _store(db_session, camera, "KAB-2001", timedelta(days=10))
    purge_reads(db_session, now=NOW, retention_days=30)
    assert _surviving(db_session, [young]) == {young}
    purge_reads(db_session, now=NOW, retention_days=5)
    db_session.expire_all()
    assert _surviving(db_session, [young]) == set()


def test_the_purge_command_reports_without_deleting_on_a_dry_run(
    api_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFECITY_DATABASE_URL", api_db_url)
    result = CliRunner().invoke(anpr_cli, ["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would delete" in result.output
