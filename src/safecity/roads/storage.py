"""Save and load a road network as one ``.npz`` of flat arrays.

No pickles: every array has a plain dtype (strings as fixed-width unicode),
so loading a file cannot run code and takes milliseconds.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from safecity.roads.errors import UnsupportedRoadFile
from safecity.roads.table import RoadTable

__all__ = ["FORMAT_VERSION", "load", "save"]

FORMAT_VERSION = 1
_ARRAYS = (
    "lon",
    "lat",
    "node_ids",
    "src",
    "dst",
    "length",
    "highway",
    "name",
    "geom_ptr",
    "geom_lon",
    "geom_lat",
)


def _strings(values: list[str]) -> NDArray[np.str_]:
    return np.array(values, dtype=str) if values else np.zeros(0, dtype="U1")


def save(table: RoadTable, travel_time: NDArray[np.float64], path: Path) -> None:
    arrays = {name: getattr(table, name) for name in _ARRAYS}
    with path.open("wb") as stream:
        np.savez_compressed(
            stream,
            format_version=np.array(FORMAT_VERSION),
            travel_time=travel_time,
            classes=_strings(table.classes),
            names=_strings(table.names),
            **arrays,
        )


def load(path: Path) -> RoadTable:
    try:
        with np.load(path, allow_pickle=False) as data:
            if "format_version" not in data or int(data["format_version"]) != FORMAT_VERSION:
                raise UnsupportedRoadFile(f"{path.name} is not a road graph of format {FORMAT_VERSION}")
            arrays = {name: data[name] for name in _ARRAYS}
            table = RoadTable(
                travel_time=data["travel_time"],
                classes=[str(x) for x in data["classes"]],
                names=[str(x) for x in data["names"]],
                **arrays,
            )
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise UnsupportedRoadFile(f"{path.name} is not a readable road graph: {exc}") from exc
    table.check()
    return table
