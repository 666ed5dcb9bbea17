"""Test database set-up.

The schema is built by running the real Alembic migrations (never
``create_all``) — on a temporary SQLite file always, and on PostgreSQL too
when ``SAFECITY_TEST_DATABASE_URL`` is set. Each test runs inside a
transaction that is rolled back, so tests never see each other's rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safecity.core.db import make_engine
from safecity.core.migrate import upgrade

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _backends() -> list[str]:
    backends = ["sqlite"]
    if os.environ.get("SAFECITY_TEST_DATABASE_URL"):
        backends.append("postgresql")
    return backends


@pytest.fixture(scope="session", params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return os.environ["SAFECITY_TEST_DATABASE_URL"]


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, even if the code commits."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not present beside the repository")
    return SHARED_DATA


def _sibling_postgres_db(url: str, suffix: str) -> str:
    """A fresh database next to the test one, for tests whose requests commit."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{suffix}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def api_db_url(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database seeded with the demo organisation and users."""
    from safecity.core.db import session_scope
    from safecity.demo.seed import seed_demo

    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}"
    else:
        url = _sibling_postgres_db(db_url, "api")
    upgrade(url)
    eng = make_engine(url)
    from safecity.core.db import make_sessionmaker

    with session_scope(make_sessionmaker(eng)) as session:
        seed_demo(session)
    eng.dispose()
    return url


@pytest.fixture(scope="session")
def settings(api_db_url: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from safecity.core.config import Settings

    return Settings(
        database_url=api_db_url,
        secret_key="test-secret-key-not-for-production",
        cookie_secure=False,
        demo_mode=True,
        data_dir=tmp_path_factory.mktemp("data"),
    )


@pytest.fixture(scope="session")
def app(settings):  # type: ignore[no-untyped-def]
    from safecity.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def login(client):  # type: ignore[no-untyped-def]
    """Log a demo user in through the real token endpoint; returns auth headers."""
    import pyotp
    from sqlalchemy import select

    from safecity.core.auth import User
    from safecity.demo.seed import DEMO_USERS

    passwords = {u.username: u.password for u in DEMO_USERS}

    def _login(username: str) -> dict[str, str]:
        form = {"username": username, "password": passwords[username]}
        with client.app.state.sessionmaker() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is not None and user.totp_secret:
                form["otp"] = pyotp.TOTP(user.totp_secret).now()
        response = client.post("/api/auth/token", data=form)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return _login
