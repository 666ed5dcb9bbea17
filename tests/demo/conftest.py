"""A demo-city database of its own: the simulation commits, so it cannot share the rolled-back one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from safecity.core.db import make_engine, make_sessionmaker, session_scope
from safecity.core.migrate import upgrade
from safecity.demo.city import seed_demo_city
from safecity.demo.seed import seed_demo
from safecity.roads import RoadGraph
from safecity.roads.service import DEMO_GRAPH


@pytest.fixture(scope="session")
def demo_graph() -> RoadGraph:
    """The real south-east Karachi road graph shipped with the demo (OpenStreetMap, ODbL)."""
    return RoadGraph.load(DEMO_GRAPH)


def _fresh_url(db_url: str, tmp: Path) -> str:
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp / f'city-{uuid.uuid4().hex[:8]}.db'}"
    base = make_url(db_url)
    name = f"{base.database}_city_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    if url.startswith("sqlite"):
        return
    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def city_sessions(
    db_url: str, tmp_path_factory: pytest.TempPathFactory, demo_graph: RoadGraph
) -> Iterator[sessionmaker[Session]]:
    """A migrated database with the demo organisation, logins, catalogue and fleet (one per module)."""
    url = _fresh_url(db_url, tmp_path_factory.mktemp("city"))
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as session:
        seed_demo(session)
        seed_demo_city(session, demo_graph)
    yield sessions
    engine.dispose()
    _drop(url)
