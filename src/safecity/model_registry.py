"""Imports every module that declares tables, so `Base.metadata` is complete.

Alembic and the app factory call `load_all_models()`; discovery walks the
package so a new domain's ``models.py`` is picked up without editing a list.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__ = ["load_all_models"]


def load_all_models() -> None:
    import safecity.core

    for info in pkgutil.iter_modules(safecity.core.__path__):
        importlib.import_module(f"safecity.core.{info.name}")
    for info in pkgutil.iter_modules(safecity.__path__):
        if not info.ispkg or info.name in {"core", "web", "migrations"}:
            continue
        try:
            importlib.import_module(f"safecity.{info.name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"safecity.{info.name}.models":
                raise
