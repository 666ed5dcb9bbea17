"""Grid placement: UTM zone from the data, origin at the minimum projected x/y."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from safecity.core.errors import InvalidInput, NotFound
from safecity.forecasting import Grid, load_events, utm_epsg_for


def test_utm_zone_follows_the_centroid() -> None:
    assert utm_epsg_for(-79.4, 43.7) == 32617  # Toronto
    assert utm_epsg_for(-122.6, 45.5) == 32610  # Portland
    assert utm_epsg_for(67.0, 24.9) == 32642  # Karachi
    assert utm_epsg_for(151.2, -33.9) == 32756  # Sydney, southern hemisphere


def test_grid_origin_is_the_minimum_x_and_y() -> None:
    x, y = np.array([1000.0, 1600.0, 1249.0]), np.array([50.0, 40.0, 540.0])
    grid = Grid.covering(x, y, epsg=32617, cell_size=250.0)
    assert (grid.origin_x, grid.origin_y) == (1000.0, 40.0)
    assert (grid.nx, grid.ny) == (3, 3)
    assert list(grid.cell_of(x, y)) == [0, 2, 6]
    assert list(grid.cell_of(np.array([999.0]), np.array([40.0]))) == [-1]


def _write(path: Path, text: str) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    return path


def test_lat_lon_files_are_projected_to_their_utm_zone(tmp_path: Path) -> None:
    csv = "occurred_at,category,lat,lon\n2019-01-01T10:00:00,Robbery,43.70,-79.40\n"
    csv += "2019-01-02T10:00:00,Assault,43.71,-79.38\n"
    events, report = load_events([_write(tmp_path / "t.csv.gz", csv)])
    assert events.grid.epsg == 32617
    assert report.accepted == 2
    assert events.categories == ("Assault", "Robbery")
    assert events.cell[0] == 0  # the first event sits at the origin corner


def test_nij_feet_are_recognised_and_projected_to_utm_10n(tmp_path: Path) -> None:
    csv = "category,final_case_type,occurred_date,x,y,census_tract\n"
    csv += "BURGLARY,BURGP,2017-03-01,7661410,682295,1802\nBURGLARY,BURGP,2017-03-02,7662230,682295,1802\n"
    events, _ = load_events([_write(tmp_path / "p.csv.gz", csv)])
    assert events.grid.epsg == 32610
    assert events.grid.nx == 1  # 820 international feet = 249.9 m apart: same column
    csv_plain = csv.replace(",census_tract", "").replace(",1802", "").replace("final_case_type,", "")
    csv_plain = csv_plain.replace("BURGP,", "")
    with pytest.raises(InvalidInput):
        load_events([_write(tmp_path / "q.csv.gz", csv_plain)])
    events, _ = load_events([_write(tmp_path / "q.csv.gz", csv_plain)], crs="EPSG:2913")
    assert events.grid.epsg == 32610


def test_bad_rows_are_reported_not_dropped_silently(tmp_path: Path) -> None:
    csv = "occurred_at,category,lat,lon\n2019-01-01T10:00:00,Robbery,43.70,-79.40\n2019-01-01,Robbery,,\n"
    events, report = load_events([_write(tmp_path / "t.csv.gz", csv)])
    assert len(events) == 1
    assert report.rejected == [("t.csv.gz", 3, "coordinates missing or not numbers")]
    with pytest.raises(NotFound):
        events.code_of("Arson")
