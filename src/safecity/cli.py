"""The `safecity` command line: demo, serve, db, users, org, audit and domain tools.

Each command is one transaction, committed at the end (the CLI is an edge,
like a route); a `SafeCityError` is printed plainly and exits with status 2.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from safecity.core.config import Settings
from safecity.core.db import make_engine, make_sessionmaker, session_scope
from safecity.core.errors import SafeCityError
from safecity.core.migrate import upgrade

__all__ = ["app", "main"]

app = typer.Typer(help="safecity — Safe City platform for provincial police.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
org_app = typer.Typer(help="Organisation hierarchy.", no_args_is_help=True)
audit_app = typer.Typer(help="Tamper-evident audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(org_app, name="org")
app.add_typer(audit_app, name="audit")

# Domain command groups, mounted when their package is present.
for _name, _module in (
    ("forecast", "safecity.forecasting.cli"),
    ("roads", "safecity.roads.cli"),
    ("records", "safecity.records.cli"),
    ("anpr", "safecity.anpr.cli"),
    ("traffic", "safecity.traffic.cli"),
):
    try:
        app.add_typer(importlib.import_module(_module).app, name=_name)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise

console = Console()
err = Console(stderr=True)


def _sessions(settings: Settings):  # type: ignore[no-untyped-def]
    return make_sessionmaker(make_engine(settings.database_url))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations to the configured database (SAFECITY_DATABASE_URL)."""
    settings = Settings()
    upgrade(settings.database_url, revision=revision)
    console.print(f"[green]database at {revision}[/]: {settings.database_url}")


@org_app.command("load")
def org_load(file: Path) -> None:
    """Load or update the organisation tree from a TOML file (idempotent by unit code)."""
    from safecity.core.org import load_tree_file

    settings = Settings()
    upgrade(settings.database_url)
    with session_scope(_sessions(settings)) as session:
        units = load_tree_file(session, file)
    console.print(f"loaded {len(units)} organisation units from {file}")


@users_app.command("create")
def users_create(
    username: str,
    full_name: Annotated[str, typer.Option("--name")],
    role: Annotated[list[str], typer.Option("--role", help="repeat for several roles")],
    unit: Annotated[list[str] | None, typer.Option("--unit", help="org unit code; repeatable")] = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create a user (run by an operator with database access)."""
    from safecity.accounts import service as accounts
    from safecity.core.auth import Role

    settings = Settings()
    try:
        roles = [Role(r) for r in role]
    except ValueError as exc:
        raise typer.BadParameter(f"unknown role; choose from {', '.join(r.value for r in Role)}") from exc
    with session_scope(_sessions(settings)) as session:
        user, secret = accounts.create_user(
            session,
            username=username,
            full_name=full_name,
            password=password,
            roles=roles,
            units=unit or [],
            actor=None,
        )
    console.print(f"created user {user.username} ({', '.join(user.roles)})")
    if secret:
        console.print(f"two-factor secret (enrol in an authenticator app): [bold]{secret}[/]")


@users_app.command("otp")
def users_otp(username: str) -> None:
    """Print the current two-factor code of a user (operators of a demo or test install)."""
    import pyotp
    from sqlalchemy import select

    from safecity.core.auth import User

    settings = Settings()
    with session_scope(_sessions(settings)) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.totp_secret:
            raise SafeCityError(f"{username} has no two-factor secret", field="username")
        console.print(pyotp.TOTP(user.totp_secret).now())


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the whole audit log; exit non-zero naming the first tampered entry."""
    from safecity.core import audit

    settings = Settings()
    with session_scope(_sessions(settings)) as session:
        report = audit.verify_log(session, key=audit.signer_from_settings(settings))
    if report.ok:
        console.print(f"[green]audit log intact[/]: {report.reason}")
        return
    err.print(f"[red]audit log TAMPERED[/] at entry {report.first_bad_index}: {report.reason}")
    raise typer.Exit(1)


def _print_logins(secrets: dict[str, str | None]) -> None:
    from safecity.demo.seed import DEMO_USERS

    table = Table(title="Demo logins (synthetic demo data)")
    # Logins must be copyable on any terminal width: never truncate them, fold the rest.
    table.add_column("username", no_wrap=True, min_width=10)
    table.add_column("password", no_wrap=True, min_width=19)
    for col in ("roles", "units", "two-factor"):
        table.add_column(col, overflow="fold")
    for login in DEMO_USERS:
        secret = secrets.get(login.username)
        table.add_row(
            login.username,
            "(API key)" if login.machine else login.password,
            ", ".join(r.value for r in login.roles),
            ", ".join(login.units) or "-",
            f"safecity users otp {login.username}" if secret else "-",
        )
    console.print(table)


@app.command()
def demo(
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="start the web server after seeding")
    ] = True,
    simulate: Annotated[
        bool, typer.Option("--simulate/--no-simulate", help="run the synthetic city (calls, units driving)")
    ] = True,
    seed: Annotated[int | None, typer.Option(help="random seed of the simulated city")] = None,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Create/upgrade the demo database, seed south-east Karachi and its fleet, print logins, serve."""
    from safecity.core import audit
    from safecity.demo.city import seed_demo_city
    from safecity.demo.seed import seed_demo
    from safecity.roads.service import graph_for

    settings = Settings(demo_mode=True)
    upgrade(settings.database_url)
    graph = graph_for(settings)
    sessions = _sessions(settings)
    with session_scope(sessions) as session:
        secrets = seed_demo(session)
        city = seed_demo_city(session, graph)
        audit.tree_head(session, audit.signer_from_settings(settings))  # checkpoint the seeded log
    _print_logins(secrets)
    console.print(f"database: {settings.database_url}")
    console.print(
        f"demo city (synthetic): {city.units} units added to the fleet, "
        f"{city.incident_types} incident types, {city.places} landmarks; "
        f"road graph: {'none' if graph is None else f'{graph.n_nodes} nodes'}"
    )
    reg = city.registers
    console.print(
        f"registers (synthetic): {reg.persons} persons, {reg.firs} FIRs, {reg.vehicles} vehicles, "
        f"{reg.cameras} cameras, {reg.sections} speed sections, {reg.watchlisted} stolen plates added"
    )
    if not serve:
        return
    if simulate and graph is None:
        err.print("no road graph is installed, so the city is not simulated (see `safecity roads import`)")

    def prepare(web: Any) -> None:
        web.state.road_graph = graph
        if simulate and graph is not None:
            from safecity.demo.simulation import CitySimulation
            from safecity.demo.streets import StreetSimulation

            city_sim = CitySimulation(web.state.sessionmaker, graph, seed=seed, timezone=settings.timezone)
            streets = StreetSimulation(web.state.sessionmaker, seed=seed)
            web.state.background += [city_sim.run, streets.run]
            console.print(
                "[yellow]simulating the city[/]: synthetic calls, dispatches and units on the roads; "
                "camera heartbeats, plate reads, stolen-car hits and traffic violations"
            )

    _serve(settings, host, port, prepare)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the API and web UI (several workers can run behind a load balancer)."""
    settings = Settings()
    upgrade(settings.database_url)
    _serve(settings, host, port)


def _serve(settings: Settings, host: str, port: int, prepare: Callable[[Any], None] | None = None) -> None:
    import uvicorn

    from safecity.app import create_app

    web = create_app(settings)
    if prepare is not None:
        prepare(web)
    console.print(f"[bold green]safecity is serving at http://{host}:{port}/[/] (Ctrl-C to stop)")
    uvicorn.run(web, host=host, port=port, log_level="info")


def main() -> None:
    try:
        app()
    except SafeCityError as exc:
        err.print(
            f"[red]{type(exc).__name__}[/]: {exc.detail}" + (f" (field: {exc.field})" if exc.field else "")
        )
        raise SystemExit(2) from exc
