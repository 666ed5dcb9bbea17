"""Response-time figures: call → dispatch, dispatch → on scene, call → on scene.

Plain functions over timestamps so the same arithmetic serves one incident
and an agency's month; medians, because one unit stuck behind a closed
bridge must not hide how the other ninety did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from statistics import median

__all__ = ["TARGET_SECONDS", "Figures", "Summary", "figures", "summarise"]

# The 7-minute response target used by Safe City command centres.
TARGET_SECONDS = 7 * 60


@dataclass(frozen=True, slots=True)
class Figures:
    call_to_dispatch_s: float | None
    dispatch_to_scene_s: float | None
    call_to_scene_s: float | None


@dataclass(frozen=True, slots=True)
class Summary:
    count: int
    median_call_to_dispatch_s: float | None
    median_dispatch_to_scene_s: float | None
    median_call_to_scene_s: float | None
    target_s: int
    within_target: int
    meets_target: bool | None


def _gap(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def figures(
    call_at: datetime | None, dispatched_at: datetime | None, on_scene_at: datetime | None
) -> Figures:
    return Figures(
        call_to_dispatch_s=_gap(call_at, dispatched_at),
        dispatch_to_scene_s=_gap(dispatched_at, on_scene_at),
        call_to_scene_s=_gap(call_at, on_scene_at),
    )


def _median(values: list[float]) -> float | None:
    return float(median(values)) if values else None


def summarise(rows: Iterable[Figures], *, target_s: int = TARGET_SECONDS) -> Summary:
    """Medians of each figure over the rows that have it; the target applies to call → on scene."""
    rows = list(rows)
    dispatch = [r.call_to_dispatch_s for r in rows if r.call_to_dispatch_s is not None]
    travel = [r.dispatch_to_scene_s for r in rows if r.dispatch_to_scene_s is not None]
    total = [r.call_to_scene_s for r in rows if r.call_to_scene_s is not None]
    overall = _median(total)
    return Summary(
        count=len(rows),
        median_call_to_dispatch_s=_median(dispatch),
        median_dispatch_to_scene_s=_median(travel),
        median_call_to_scene_s=overall,
        target_s=target_s,
        within_target=sum(1 for t in total if t <= target_s),
        meets_target=None if overall is None else overall <= target_s,
    )
