"""Events placed on a grid: the one input every forecaster reads.

Times are kept as float days since 1970-01-01 so that kernels in time are
plain arithmetic. Naive timestamps are taken as the city's wall-clock time
(week boundaries then fall at local midnight, which is what patrols plan by).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from safecity.core.errors import InvalidInput, NotFound

from ._grid import Grid

__all__ = ["GriddedEvents", "TimeLike", "to_day", "to_days"]

TimeLike = dt.datetime | dt.date | np.datetime64 | str | float
_EPOCH = np.datetime64("1970-01-01T00:00:00", "s")


def to_days(values: NDArray[np.datetime64]) -> NDArray[np.float64]:
    seconds = (values.astype("datetime64[s]") - _EPOCH).astype(np.int64)
    return seconds.astype(np.float64) / 86400.0


def to_day(value: TimeLike) -> float:
    """Days since the epoch for a date, datetime, ISO string or a number of days already."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        value = np.datetime64(value, "s")
    elif isinstance(value, dt.date):
        value = np.datetime64(value, "D")
    elif isinstance(value, str):
        try:
            value = np.datetime64(value, "s")
        except ValueError as exc:
            raise InvalidInput(f"not an ISO date/time: {value!r}", field="date") from exc
    return float(to_days(np.asarray([value]))[0])


@dataclass(frozen=True)
class GriddedEvents:
    """Events sorted by time, each with a flat cell id of ``grid`` and a category code."""

    grid: Grid
    day: NDArray[np.float64]
    cell: NDArray[np.int64]
    category: NDArray[np.int64]
    categories: tuple[str, ...]

    def __post_init__(self) -> None:
        if not (len(self.day) == len(self.cell) == len(self.category)):
            raise ValueError("day, cell and category must have the same length")
        if len(self.day) > 1 and np.any(np.diff(self.day) < 0):
            raise ValueError("events must be sorted by time")

    @classmethod
    def build(
        cls,
        grid: Grid,
        day: NDArray[np.float64],
        cell: NDArray[np.int64],
        labels: list[str] | NDArray[np.str_],
    ) -> GriddedEvents:
        names, codes = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
        order = np.argsort(day, kind="stable")
        return cls(
            grid=grid,
            day=np.asarray(day, dtype=np.float64)[order],
            cell=np.asarray(cell, dtype=np.int64)[order],
            category=codes.astype(np.int64)[order],
            categories=tuple(str(n) for n in names),
        )

    def __len__(self) -> int:
        return len(self.day)

    def code_of(self, name: str) -> int:
        """Category code by case-insensitive name; unknown names are a user error."""
        for i, known in enumerate(self.categories):
            if known.casefold() == name.strip().casefold():
                return i
        raise NotFound(f"category {name!r} not in data; known: {', '.join(self.categories)}")

    def subset(self, mask: NDArray[np.bool_]) -> GriddedEvents:
        return GriddedEvents(self.grid, self.day[mask], self.cell[mask], self.category[mask], self.categories)

    def of_category(self, name: str | None) -> GriddedEvents:
        if name is None:
            return self
        return self.subset(self.category == self.code_of(name))

    def before(self, day: float) -> GriddedEvents:
        """Events strictly before ``day`` — the only ones a forecast made at ``day`` may see."""
        return self._slice(0, int(np.searchsorted(self.day, day, side="left")))

    def between(self, start: float, end: float) -> GriddedEvents:
        lo = int(np.searchsorted(self.day, start, side="left"))
        return self._slice(lo, int(np.searchsorted(self.day, end, side="left")))

    def _slice(self, lo: int, hi: int) -> GriddedEvents:
        return GriddedEvents(
            self.grid, self.day[lo:hi], self.cell[lo:hi], self.category[lo:hi], self.categories
        )

    def counts(self, start: float, end: float) -> NDArray[np.float64]:
        """Events per cell in [start, end)."""
        part = self.between(start, end)
        return np.bincount(part.cell, minlength=self.grid.n_cells).astype(np.float64)

    def study_area(self, until: float) -> NDArray[np.bool_]:
        """Cells with at least one event of any category before ``until``."""
        return self.counts(-np.inf, until) > 0
