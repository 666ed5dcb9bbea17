"""`safecity records …`: digitisation of legacy registers.

The import is one transaction: it commits at the end, or (``--dry-run``,
or any error) writes nothing. The reject file is written either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from safecity.core.config import Settings
from safecity.core.db import make_engine, make_sessionmaker, session_scope
from safecity.core.errors import SafeCityError
from safecity.core.migrate import upgrade

__all__ = ["app"]

app = typer.Typer(help="Criminal records: digitisation import.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Criminal records commands."""


def _actor(session_username: str | None, session: object) -> object:
    if session_username is None:
        return None
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from safecity.core.auth import User

    assert isinstance(session, Session)
    user = session.scalar(select(User).where(User.username == session_username))
    if user is None:
        raise SafeCityError(f"no user {session_username!r}", field="actor")
    return user


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="register to import: .csv or .xlsx")],
    mapping: Annotated[Path, typer.Option("--mapping", help="column-mapping TOML file")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate only; write nothing")] = False,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="reject CSV (default: FILE.rejects.csv)")
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="username recorded in the audit log")] = None,
) -> None:
    """Import a legacy register; prints accepted and rejected counts and writes a reject CSV."""
    from safecity.core.auth import User
    from safecity.records.import_mapping import load_mapping
    from safecity.records.importer import import_register

    reject_path = rejects or file.with_name(file.stem + ".rejects.csv")
    try:
        plan = load_mapping(mapping)
        settings = Settings()
        upgrade(settings.database_url)
        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
        with (
            session_scope(make_sessionmaker(make_engine(settings.database_url))) as session,
            Progress(*columns, console=err) as progress,
        ):
            task = progress.add_task(f"importing {file.name}", total=None)
            who = _actor(actor, session)
            result = import_register(
                session,
                path=file,
                mapping=plan,
                dry_run=dry_run,
                reject_path=reject_path,
                actor=who if isinstance(who, User) else None,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except SafeCityError as exc:
        field = f" (field: {exc.field})" if exc.field else ""
        err.print(f"[red]{type(exc).__name__}[/]: {exc.detail}{field}")
        raise typer.Exit(2) from exc
    console.print(f"rows: {result.rows}")
    console.print(
        f"[green]accepted: {result.accepted}[/]" + (" (dry run: nothing written)" if dry_run else "")
    )
    if not dry_run:
        console.print(f"  new: {result.inserted}, already present: {result.already_present}")
    console.print(f"[red]rejected: {result.rejected}[/]")
    if result.fallback_lines:
        console.print(f"lines decoded with a fallback encoding: {result.fallback_lines}")
    if result.reject_file is not None:
        console.print(f"reject file: {result.reject_file}")


if __name__ == "__main__":
    app()
