"""Benchmark: fit + predict one city-wide weekly forecast from 250,000 events, per model.

Events are Toronto MCI events resampled with replacement and jittered (up to
half a cell in space, +-3 days in time) until there are ``--events`` of them,
so the spatial structure is real but the volume is that of a larger city.
Prints one JSON document; times are also given as ratios to the baseline
(historical counts) measured in the same run. Goal: under 30 s per model.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from safecity.forecasting import BASELINE, MODEL_NAMES, GriddedEvents, load_events, make_model, to_day

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/toronto_mci/toronto_mci_2014_2019.csv.gz"


def _resampled(path: Path, n: int, seed: int) -> GriddedEvents:
    events, _ = load_events([path])
    grid = events.grid
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(events), size=n)
    iy, ix = np.divmod(events.cell[pick], grid.nx)
    x = grid.origin_x + (ix + rng.uniform(0.0, 1.0, n)) * grid.cell_size
    y = grid.origin_y + (iy + rng.uniform(0.0, 1.0, n)) * grid.cell_size
    day = events.day[pick] + rng.uniform(-3.0, 3.0, n)
    labels = np.asarray(events.categories)[events.category[pick]]
    return GriddedEvents.build(grid, day, grid.cell_of(x, y), labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--events", type=int, default=250_000)
    parser.add_argument("--until", default="2019-01-01")
    parser.add_argument("--repeat", type=int, default=1, help="take the best of this many runs")
    parser.add_argument("--models", default=",".join(MODEL_NAMES), help="comma list; baseline always runs")
    parser.add_argument(
        "--category", default=None, help="category to forecast (default: all events together)"
    )
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"data file not found: {args.data} (the benchmark needs the shared Toronto file)")
    print(f"resampling Toronto MCI to {args.events:,} events ...", file=sys.stderr, flush=True)
    events = _resampled(args.data, args.events, seed=0)
    until = to_day(args.until)
    results: dict[str, dict[str, float]] = {}
    chosen = [m.strip() for m in args.models.split(",") if m.strip()]
    names = [BASELINE, *(m for m in chosen if m != BASELINE)]
    for k, name in enumerate(names, start=1):
        print(f"[{k}/{len(names)}] {name}: fit + predict ...", file=sys.stderr, flush=True)
        best_fit = best_predict = best_cpu = float("inf")
        for _ in range(args.repeat):
            model = make_model(name, args.category)
            c0, t0 = time.process_time(), time.perf_counter()
            model.fit(events, until=until)
            t1 = time.perf_counter()
            risk = model.predict(until, 7.0)
            t2, c2 = time.perf_counter(), time.process_time()
            best_fit, best_predict = min(best_fit, t1 - t0), min(best_predict, t2 - t1)
            best_cpu = min(best_cpu, c2 - c0)
        assert risk.shape == (events.grid.n_cells,)
        results[name] = {
            "fit_s": round(best_fit, 4),
            "predict_s": round(best_predict, 4),
            "cpu_s": round(best_cpu, 4),  # all threads: more than wall time when work runs in parallel
        }
        print(
            f"{name}: fit {best_fit:.2f}s predict {best_predict:.2f}s (cpu {best_cpu:.2f}s)", file=sys.stderr
        )
    base = results[BASELINE]["fit_s"] + results[BASELINE]["predict_s"]
    for row in results.values():
        total = row["fit_s"] + row["predict_s"]
        row["total_s"] = round(total, 4)
        row["ratio_to_baseline"] = round(total / max(base, 1e-9), 1)
        row["under_30s"] = total < 30.0
    doc = {
        "benchmark": "forecast_fit_predict_one_week",
        "events": len(events),
        "events_before_until": int(np.searchsorted(events.day, until)),
        "grid_cells": events.grid.n_cells,
        "category": args.category,
        "baseline": BASELINE,
        "goal_s": 30.0,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),  # other jobs on the machine slow every figure
        "models": results,
    }
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
