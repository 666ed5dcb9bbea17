"""Square analysis cells in a metric (UTM) projection.

Hotspot forecasts are compared cell by cell, so every model and every metric
must agree on one grid: a fixed cell size in metres, anchored at the minimum
projected x/y of the data so that the same file always gives the same cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pyproj import Transformer

from safecity.core.errors import InvalidInput

__all__ = ["Grid", "utm_epsg_for"]


def utm_epsg_for(lon: float, lat: float) -> int:
    """EPSG code of the WGS84 UTM zone holding (lon, lat) — metres with little distortion locally."""
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InvalidInput(f"centroid ({lon}, {lat}) is not a longitude/latitude", field="data")
    zone = min(math.floor((lon + 180.0) / 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


@dataclass(frozen=True)
class Grid:
    """A rectangle of ``nx`` x ``ny`` square cells; cell ids are row-major from the south-west corner."""

    epsg: int
    origin_x: float
    origin_y: float
    cell_size: float
    nx: int
    ny: int

    @classmethod
    def covering(cls, x: NDArray[np.float64], y: NDArray[np.float64], *, epsg: int, cell_size: float) -> Grid:
        if cell_size <= 0:
            raise InvalidInput("cell size must be positive", field="cell_size")
        if len(x) == 0:
            raise InvalidInput("no events to build a grid from", field="data")
        ox, oy = float(np.min(x)), float(np.min(y))
        nx = math.floor((float(np.max(x)) - ox) / cell_size) + 1
        ny = math.floor((float(np.max(y)) - oy) / cell_size) + 1
        return cls(epsg=epsg, origin_x=ox, origin_y=oy, cell_size=cell_size, nx=nx, ny=ny)

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the 2-D raster view, row 0 being the southernmost."""
        return (self.ny, self.nx)

    def cell_of(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """Flat cell id of each point; points outside the rectangle get -1."""
        ix = np.floor((np.asarray(x) - self.origin_x) / self.cell_size).astype(np.int64)
        iy = np.floor((np.asarray(y) - self.origin_y) / self.cell_size).astype(np.int64)
        inside = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        return np.where(inside, iy * self.nx + ix, -1)

    def centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Projected x, y of every cell centre, in cell-id order."""
        iy, ix = np.divmod(np.arange(self.n_cells), self.nx)
        return (
            self.origin_x + (ix + 0.5) * self.cell_size,
            self.origin_y + (iy + 0.5) * self.cell_size,
        )

    def centres_lonlat(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        x, y = self.centres()
        lon, lat = Transformer.from_crs(self.epsg, 4326, always_xy=True).transform(x, y)
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def raster(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(values, dtype=np.float64).reshape(self.shape)
