"""Which named area (e.g. neighbourhood) each grid cell belongs to, from the events' own labels.

Fairness questions are asked about places people recognise, so when the data
names an area per event (Toronto MCI has ``neighbourhood``) each cell takes
the label most of its events carry. Cells with no labelled event share one
"unlabelled" area; they are outside the study area anyway.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pyproj import Transformer

from safecity.core.errors import InvalidInput

from ._grid import Grid
from ._loading import _LAT_COLUMNS, _LON_COLUMNS, _open_text, _pick

__all__ = ["cell_areas"]


def cell_areas(paths: Sequence[Path], grid: Grid, column: str) -> tuple[NDArray[np.int64], list[str]]:
    """(area id per cell, area names); the last name is "unlabelled" for cells without labels."""
    lon: list[float] = []
    lat: list[float] = []
    labels: list[str] = []
    for path in paths:
        with _open_text(Path(path)) as fh:
            reader = csv.DictReader(fh)
            columns = list(reader.fieldnames or [])
            lon_col, lat_col = _pick(columns, _LON_COLUMNS), _pick(columns, _LAT_COLUMNS)
            area_col = _pick(columns, (column.lower(),))
            if area_col is None or lon_col is None or lat_col is None:
                raise InvalidInput(
                    f"{Path(path).name}: needs lat/lon and a {column!r} column", field="area_column"
                )
            for rec in reader:
                try:
                    x, y = float(rec[lon_col]), float(rec[lat_col])
                except (TypeError, ValueError):
                    continue  # the same rows load_events rejects and reports
                label = (rec[area_col] or "").strip()
                if label:
                    lon.append(x)
                    lat.append(y)
                    labels.append(label)
    x, y = Transformer.from_crs(4326, grid.epsg, always_xy=True).transform(np.array(lon), np.array(lat))
    cells = grid.cell_of(np.asarray(x), np.asarray(y))
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    for cell, label in zip(cells.tolist(), labels, strict=True):
        if cell >= 0:
            votes[cell][label] += 1
    names = sorted({label for counter in votes.values() for label in counter})
    index = {name: i for i, name in enumerate(names)}
    area = np.full(grid.n_cells, len(names), dtype=np.int64)
    for cell, counter in votes.items():
        area[cell] = index[counter.most_common(1)[0][0]]
    return area, [*names, "unlabelled"]
