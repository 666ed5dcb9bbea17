"""Markdown report (with optional PNG figures) for ``safecity forecast fairness``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._fairness import ConcentrationReport, FeedbackRun
from ._plots import plots_available

__all__ = ["write_fairness_report"]


def _figures(conc: ConcentrationReport, runs: list[FeedbackRun], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(conc.weekly_gini)
    ax.axhline(conc.gini_events, linestyle="--", label="Gini of events over areas")
    ax.set_xlabel("week")
    ax.set_ylabel("Gini of flagged cells over areas")
    ax.legend()
    fig.savefig(out / "concentration.png", dpi=110, bbox_inches="tight")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for run in runs:
        axes[0].plot(run.overlap_with_truth_fed, label=run.label)
        axes[1].plot(run.lock_in, label=run.label)
    axes[0].set_title("overlap with flags from all (true) events")
    axes[1].set_title("share of week-1 flags still flagged")
    for ax in axes:
        ax.set_xlabel("simulated week")
        ax.legend()
    fig.savefig(out / "feedback.png", dpi=110, bbox_inches="tight")
    plt.close("all")
    return ["concentration.png", "feedback.png"]


def write_fairness_report(
    conc: ConcentrationReport, runs: list[FeedbackRun], *, title: str, p_unflagged: float, out: Path
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# Fairness check — {title}",
        "",
        "## Concentration of flagged cells",
        "",
        f"- weeks: {conc.weeks}; areas with events: {conc.areas_with_events}; "
        f"areas ever flagged: {conc.areas_ever_flagged}",
        f"- Gini of flag-weeks over areas: {conc.gini_flags:.3f} (events: {conc.gini_events:.3f}) — "
        "a flag Gini well above the event Gini means flags are more concentrated than crime.",
        f"- week-to-week persistence of flags: {conc.persistence:.1%}",
        "",
        "## Feedback-loop simulation (Lum & Isaac 2016; Ensign et al. 2018)",
        "",
        f"Events in flagged cells are always recorded, others with probability {p_unflagged:.0%};",
        "the counts model learns only from recorded events. The mitigation weights each recorded",
        "event by 1 / (its probability of being recorded).",
        "",
        "| variant | hit rate on true events | mean overlap with truth-fed flags | final lock-in |",
        "|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run.label} | {run.hit_rate:.1%} | {np.mean(run.overlap_with_truth_fed):.1%} "
            f"| {run.lock_in[-1]:.1%} |"
        )
    if plots_available():
        lines += ["", *[f"![{name}]({name})" for name in _figures(conc, runs, out)]]
    else:
        lines += ["", "(matplotlib is not installed: no figures)"]
    path = out / "fairness.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
