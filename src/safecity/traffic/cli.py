"""`safecity traffic …`: vehicle registry import and bank payment reconciliation.

Each command is one transaction committed at the end; rejected rows are
printed with their line number and field (and written to ``--rejects``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from safecity.core.config import Settings
from safecity.core.db import make_engine, make_sessionmaker, session_scope
from safecity.core.errors import InvalidInput
from safecity.core.migrate import upgrade

__all__ = ["app"]

app = typer.Typer(help="Traffic enforcement: vehicle registry, e-challan payments.", no_args_is_help=True)
console = Console()


@app.callback()
def _group() -> None:
    """Traffic enforcement commands."""


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {file}: {exc}", field="file") from exc


@app.command("import-vehicles")
def import_vehicles(
    file: Path,
    rejects: Annotated[
        Path | None, typer.Option(help="write rejected rows (row, field, reason) to this CSV")
    ] = None,
) -> None:
    """Import an Excise & Taxation vehicle file (idempotent: re-importing changes nothing)."""
    from safecity.traffic.registry import import_vehicles as run_import

    settings = Settings()
    upgrade(settings.database_url)
    text = _read(file)
    with session_scope(make_sessionmaker(make_engine(settings.database_url))) as session:
        report = run_import(session, text=text, actor=None, source=file.name)
    console.print(
        f"accepted {report.accepted} (created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}); rejected {len(report.rejects)}"
    )
    if report.rejects:
        table = Table("row", "field", "reason", title="Rejected rows")
        for r in report.rejects:
            table.add_row(str(r.row), r.field, r.reason)
        console.print(table)
    if rejects is not None:
        with rejects.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "field", "reason"])
            writer.writerows((r.row, r.field, r.reason) for r in report.rejects)


@app.command("reconcile")
def reconcile(file: Path) -> None:
    """Apply a bank collection file: matched challans become paid; the rest are reported."""
    from safecity.traffic.payments import reconcile as run_reconcile

    settings = Settings()
    upgrade(settings.database_url)
    text = _read(file)
    with session_scope(make_sessionmaker(make_engine(settings.database_url))) as session:
        report = run_reconcile(session, text=text, actor=None)
    counts = {k: report.count(k) for k in ("matched", "unmatched", "duplicate", "rejected")}
    console.print(", ".join(f"{k} {v}" for k, v in counts.items()))
    table = Table("row", "transaction", "challan", "outcome", "field", "reason")
    for line in report.lines:
        if line.outcome != "matched":
            table.add_row(
                str(line.row), line.transaction_id, line.challan, line.outcome, line.field or "", line.reason
            )
    if table.row_count:
        console.print(table)
