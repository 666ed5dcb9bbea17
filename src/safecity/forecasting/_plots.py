"""Figures for an evaluation run; optional because matplotlib is an optional dependency."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ._evaluation import EvaluationResult
from ._grid import Grid

__all__ = ["plots_available", "save_plots"]


def plots_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def save_plots(
    results: Sequence[EvaluationResult],
    last_risk: Mapping[str, NDArray[np.float64]],
    grid: Grid,
    study: NDArray[np.bool_],
    out: Path,
) -> list[Path]:
    """Hit-rate bars with intervals, weekly hit rates, and the last forecast map per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    models = list(dict.fromkeys(r.model for r in results))
    coverages = sorted({r.coverage for r in results})
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(coverages)
    for j, cov in enumerate(coverages):
        rows = [next(r for r in results if r.model == m and r.coverage == cov) for m in models]
        rates = np.array([r.hit_rate for r in rows])
        err = np.array([[r.hit_rate - r.ci_low for r in rows], [r.ci_high - r.hit_rate for r in rows]])
        ax.bar(np.arange(len(models)) + j * width, rates, width, yerr=err, label=f"top {cov:.0%} of area")
    ax.set_xticks(np.arange(len(models)) + width * (len(coverages) - 1) / 2, models)
    ax.set_ylabel("hit rate (pooled over windows)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(coverages))
    written.append(_save(fig, out / "hit_rate.png"))
    fig, ax = plt.subplots(figsize=(9, 4))
    top = coverages[-1]
    for model in models:
        row = next(r for r in results if r.model == model and r.coverage == top)
        weekly = [s.hits / s.events if s.events else np.nan for s in row.weekly]
        ax.plot(weekly, label=model)
    ax.set_xlabel("test window")
    ax.set_ylabel(f"hit rate at {top:.0%}")
    ax.legend()
    written.append(_save(fig, out / "weekly_hit_rate.png"))
    for model, risk in last_risk.items():
        fig, ax = plt.subplots(figsize=(6, 5))
        raster = np.where(study, risk, np.nan).reshape(grid.shape)
        image = ax.imshow(raster, origin="lower", cmap="magma")
        fig.colorbar(image, ax=ax, label="forecast risk, last window")
        ax.set_title(f"{model}: last forecast ({grid.cell_size:.0f} m cells)")
        written.append(_save(fig, out / f"map_{model}.png"))
    plt.close("all")
    return written


def _save(fig: object, path: Path) -> Path:
    fig.savefig(path, dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    return path
