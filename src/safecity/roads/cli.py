"""`safecity roads import FILE` — install a road network from OpenStreetMap data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from safecity.core.config import Settings
from safecity.roads import service

app = typer.Typer(help="Road network for routing and the offline map.", no_args_is_help=True)
console = Console()


@app.command("import")
def import_roads(
    file: Annotated[Path, typer.Argument(help=".osm.pbf, .graphml or .graphml.gz")],
    out: Annotated[
        Path | None, typer.Option(help="where to store the graph (default <data_dir>/roads.npz)")
    ] = None,
) -> None:
    """Convert an extract into the compact graph the server loads in milliseconds."""
    settings = Settings()
    with console.status(f"reading {file} …"):
        target, graph = service.import_graph(file, settings, out)
    console.print(f"[green]imported[/] {graph.n_nodes:,} nodes, {graph.n_edges:,} edges → {target}")
    console.print("Map data © OpenStreetMap contributors (ODbL).")
