"""`safecity anpr purge [--dry-run]` — apply the plate-read retention limit now."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from safecity.anpr.retention import purge_reads
from safecity.core.config import Settings
from safecity.core.db import make_engine, make_sessionmaker, session_scope

app = typer.Typer(help="Number-plate reads: retention.", no_args_is_help=True)
console = Console()


@app.callback()
def main() -> None:
    """ANPR storage commands."""


@app.command("purge")
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="count what would go; delete nothing")] = False,
    days: Annotated[
        int | None, typer.Option(help="retention in days (default SAFECITY_ANPR_RETENTION_DAYS)")
    ] = None,
) -> None:
    """Delete reads older than the retention limit unless a hit or a case links them."""
    if days is not None and days < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--days")
    engine = make_engine(Settings().database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            report = purge_reads(session, retention_days=days, dry_run=dry_run)
    finally:
        engine.dispose()
    verb = "would delete" if dry_run else "deleted"
    console.print(
        f"{verb} {report.deleted:,} read(s) taken before {report.cutoff:%Y-%m-%d %H:%M} UTC; "
        f"kept {report.kept_linked:,} older read(s) linked to a hit or case"
    )
