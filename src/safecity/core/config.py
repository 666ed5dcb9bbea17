"""Runtime settings, read from ``SAFECITY_*`` environment variables.

Defaults give the embedded shape (SQLite file in the working directory,
in-process event bus) so that ``safecity demo`` needs nothing installed.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFECITY_", extra="ignore")

    database_url: str = "sqlite:///safecity.db"
    event_bus: str = "inprocess"
    mqtt_url: str | None = None
    # Store the AVL feed in a worker process of its own (off the API's GIL); False keeps it in-process.
    avl_worker_process: bool = True
    secret_key: str | None = None
    secret_key_file: Path = Path(".safecity-secret")
    timezone: str = "Asia/Karachi"
    token_ttl_minutes: int = 8 * 60
    cookie_secure: bool = True
    login_max_failures: int = 5
    login_window_minutes: int = 15
    lockout_minutes: int = 15
    # Jurisdiction of the installation (lon/lat box); coordinates outside it are refused.
    jurisdiction_bbox: tuple[float, float, float, float] = (66.6, 24.6, 67.8, 25.3)
    road_graph_path: Path | None = None
    data_dir: Path = Path("safecity-data")
    # A demo installation: every page carries the "synthetic data" banner.
    demo_mode: bool = False

    @cached_property
    def signing_key(self) -> str:
        """The secret that signs tokens and tree heads.

        Generated once and kept in ``secret_key_file`` (mode 0600) so that a
        restart does not log every user out; an explicit env value wins.
        """
        if self.secret_key:
            return self.secret_key
        path = self.secret_key_file
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        key = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(key, encoding="utf-8")
        path.chmod(0o600)
        return key

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
