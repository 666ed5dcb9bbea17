"""Read crime-event CSV files (plain or gzipped) into gridded events.

Two layouts are recognised by their columns: point data in WGS84
(``occurred_at``/``lat``/``lon``, e.g. Toronto MCI) and projected x/y
(``occurred_date``/``x``/``y``, e.g. the NIJ Portland files in EPSG:2913
feet). Rows that cannot be used are counted and reported, never dropped
silently.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from safecity.core.errors import InvalidInput, NotFound

from ._events import GriddedEvents, to_days
from ._grid import Grid, utm_epsg_for

__all__ = ["LoadReport", "grid_points", "load_events"]

_TIME_COLUMNS = ("occurred_at", "occurred_date", "datetime", "timestamp", "time", "date")
_LON_COLUMNS = ("lon", "longitude", "lng")
_LAT_COLUMNS = ("lat", "latitude")
_NIJ_MARKERS = {"final_case_type", "census_tract"}
_NIJ_EPSG = 2913  # NAD83(HARN) / Oregon North (ft), the NIJ challenge's coordinates


@dataclass
class LoadReport:
    """What happened to each input row: how many were used and why others were not."""

    accepted: int = 0
    rejected: list[tuple[str, int, str]] = field(default_factory=list)
    source_epsg: int = 4326
    notes: list[str] = field(default_factory=list)


@dataclass
class _Rows:
    times: list[str] = field(default_factory=list)
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def _open_text(path: Path) -> io.TextIOBase:
    if not path.exists():
        raise NotFound(f"data file not found: {path}")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="")


def _pick(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[c] for c in candidates if c in lowered), None)


def _layout(columns: Sequence[str], crs: str | None, path: Path) -> tuple[str, str, str, int]:
    """(time column, first coordinate, second coordinate, source EPSG) for a header."""
    time_col = _pick(columns, _TIME_COLUMNS)
    if time_col is None:
        raise InvalidInput(f"{path.name}: no time column (one of {', '.join(_TIME_COLUMNS)})", field="data")
    lon, lat = _pick(columns, _LON_COLUMNS), _pick(columns, _LAT_COLUMNS)
    if lon and lat and crs is None:
        return time_col, lon, lat, 4326
    x, y = _pick(columns, ("x",)), _pick(columns, ("y",))
    if not (x and y):
        raise InvalidInput(f"{path.name}: needs lat/lon or x/y columns", field="data")
    if crs is not None:
        try:
            epsg = CRS.from_user_input(crs).to_epsg()
        except CRSError as exc:
            raise InvalidInput(f"unknown CRS {crs!r}", field="crs") from exc
        if epsg is None:
            raise InvalidInput(f"CRS {crs!r} has no EPSG code", field="crs")
        return time_col, x, y, epsg
    if _NIJ_MARKERS & {c.strip().lower() for c in columns}:
        return time_col, x, y, _NIJ_EPSG
    raise InvalidInput(f"{path.name}: x/y columns need --crs (e.g. EPSG:2913)", field="crs")


def _read_file(path: Path, category_column: str, crs: str | None, rows: _Rows, report: LoadReport) -> int:
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        time_col, a_col, b_col, epsg = _layout(columns, crs, path)
        cat_col = _pick(columns, (category_column.lower(),))
        if cat_col is None:
            raise InvalidInput(f"{path.name}: no column {category_column!r}", field="category_column")
        for line, rec in enumerate(reader, start=2):
            try:
                a, b = float(rec[a_col]), float(rec[b_col])
            except (TypeError, ValueError):
                report.rejected.append((path.name, line, "coordinates missing or not numbers"))
                continue
            when, label = (rec[time_col] or "").strip(), (rec[cat_col] or "").strip()
            if not when or not label or not (np.isfinite(a) and np.isfinite(b)):
                report.rejected.append((path.name, line, "time, category or coordinates empty"))
                continue
            rows.times.append(when.replace(" ", "T").removesuffix("Z"))
            rows.a.append(a)
            rows.b.append(b)
            rows.labels.append(label)
    return epsg


def _parse_times(times: list[str]) -> NDArray[np.float64]:
    try:
        return to_days(np.array(times, dtype="datetime64[s]"))
    except ValueError as exc:
        raise InvalidInput(f"unparseable time value ({exc})", field="data") from exc


def load_events(
    paths: Sequence[Path],
    *,
    category_column: str = "category",
    crs: str | None = None,
    cell_size: float = 250.0,
    target_epsg: int | None = None,
) -> tuple[GriddedEvents, LoadReport]:
    """Load, project to the data's UTM zone and grid the events of one or more CSV files."""
    if not paths:
        raise InvalidInput("at least one data file is needed", field="data")
    report, rows, epsgs = LoadReport(), _Rows(), set()
    for path in paths:
        epsgs.add(_read_file(Path(path), category_column, crs, rows, report))
    if len(epsgs) > 1:
        raise InvalidInput("data files use different coordinate systems", field="data")
    if not rows.times:
        raise InvalidInput("no usable events in the data", field="data")
    report.source_epsg = epsgs.pop()
    a, b = np.asarray(rows.a), np.asarray(rows.b)
    lon, lat = Transformer.from_crs(report.source_epsg, 4326, always_xy=True).transform(a, b)
    if report.source_epsg == 4326 and (np.any(np.abs(lat) > 90) or np.any(np.abs(lon) > 180)):
        raise InvalidInput("lat/lon values out of range", field="data")
    events = grid_points(
        np.asarray(lon, dtype=np.float64),
        np.asarray(lat, dtype=np.float64),
        _parse_times(rows.times),
        rows.labels,
        cell_size=cell_size,
        target_epsg=target_epsg,
    )
    report.accepted = len(events)
    return events, report


def grid_points(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    day: NDArray[np.float64],
    labels: Sequence[str],
    *,
    cell_size: float = 250.0,
    target_epsg: int | None = None,
) -> GriddedEvents:
    """Grid WGS84 points (e.g. an organisation's own incidents) exactly as files are gridded."""
    if len(lon) == 0:
        raise InvalidInput("no events to forecast from", field="data")
    epsg = target_epsg or utm_epsg_for(float(np.median(lon)), float(np.median(lat)))
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    grid = Grid.covering(x, y, epsg=epsg, cell_size=cell_size)
    return GriddedEvents.build(grid, np.asarray(day, dtype=np.float64), grid.cell_of(x, y), list(labels))
