"""``safecity forecast`` — evaluate hotspot forecasters on real event data.

Protocol (shared data README): square cells (default 250 m) in the data's UTM
zone anchored at the minimum projected x/y; study area = cells with at least
one event of any category before ``--test-start``; rolling windows of
``--horizon`` from ``--test-start`` to ``--test-end`` (a date, inclusive);
each window is forecast from events strictly before it. The learned models
(linear, gbm) are trained on events before ``--train-end``, re-trained every
91 days of the test period on events before that day, and in between only
re-read features at each window start. Hit rate = hits / events pooled over all windows;
PAI = hit rate / coverage; flagged cells = ceil(coverage x study cells),
ties by lower cell id; 95% interval = bootstrap over windows.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from safecity.core.errors import InvalidInput, SafeCityError

from ._areas import cell_areas
from ._base import horizon_days
from ._evaluation import EvaluationResult, rolling_evaluation
from ._events import to_day
from ._fairness import flag_concentration, simulate_feedback
from ._fairness_report import write_fairness_report
from ._loading import load_events
from ._plots import plots_available, save_plots
from ._registry import BASELINE, MODEL_NAMES, make_model

__all__ = ["app"]

app = typer.Typer(help="Crime hotspot forecasting: evaluate forecasters with the hit-rate/PAI protocol.")
_err = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Crime hotspot forecasting commands."""


def _coverages(text: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidInput(f"not a list of fractions: {text!r}", field="coverage") from exc
    if not values or any(not 0.0 < v <= 1.0 for v in values):
        raise InvalidInput("coverages must be fractions in (0, 1], e.g. 0.01,0.05", field="coverage")
    return values


def _model_names(text: str) -> list[str]:
    if text.strip().lower() == "all":
        return list(MODEL_NAMES)
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in MODEL_NAMES]
    if unknown or not names:
        raise InvalidInput(
            f"unknown model {unknown}; choose from {', '.join(MODEL_NAMES)} or all", field="model"
        )
    return names if BASELINE in names else [BASELINE, *names]


def _end_day(text: str) -> float:
    """A bare date means the whole day is included; a date-time is an exclusive end."""
    day = to_day(text)
    return day + 1.0 if len(text.strip()) == 10 else day


def _table(results: list[EvaluationResult]) -> Table:
    table = Table(title="Hotspot forecast evaluation (hit rate pooled over windows)")
    columns = ("model", "category", "coverage", "hit rate", "95% CI", "PAI", "vs baseline [95% CI]")
    for col in (*columns, "windows", "hits/events"):
        table.add_column(col)
    for r in results:
        table.add_row(
            r.model,
            r.category,
            f"{r.coverage:.0%}" if r.coverage >= 0.01 else f"{r.coverage:.2%}",
            f"{r.hit_rate:.1%}",
            f"{r.ci_low:.1%}-{r.ci_high:.1%}",
            f"{r.pai:.2f}",
            "" if r.delta is None else f"{r.delta:+.1%} [{r.delta_ci_low:+.1%}, {r.delta_ci_high:+.1%}]",
            str(r.weeks),
            f"{r.hits}/{r.events}",
        )
    return table


def _reporter(progress: Progress, task: TaskID, names: list[str]) -> Callable[[str, int, int], None]:
    """A live bar on a terminal; one line per finished model when stderr is a log file."""

    def report(model: str, done: int, total: int) -> None:
        finished = names.index(model) + done / total
        progress.update(task, completed=finished, description=f"{model}: window {done}/{total}")
        if done == total and not _err.is_terminal:
            _err.print(f"{model}: {total} windows done ({names.index(model) + 1}/{len(names)} models)")

    return report


@app.command()
def evaluate(
    data: Annotated[list[Path], typer.Option("--data", help="CSV(.gz) of events; repeat for several files")],
    category: Annotated[str, typer.Option(help="category to forecast (case-insensitive)")],
    test_start: Annotated[str, typer.Option(help="first day of the test period (YYYY-MM-DD)")],
    test_end: Annotated[str, typer.Option(help="last day of the test period, inclusive")],
    train_end: Annotated[str | None, typer.Option(help="learned models train on events before this")] = None,
    horizon: Annotated[str, typer.Option(help="forecast window, e.g. 7d")] = "7d",
    coverage: Annotated[str, typer.Option(help="comma-separated area fractions")] = "0.01,0.05",
    model: Annotated[str, typer.Option(help=f"one of {', '.join(MODEL_NAMES)}, comma list, or all")] = "all",
    category_column: Annotated[str, typer.Option(help="column holding the category")] = "category",
    crs: Annotated[str | None, typer.Option(help="CRS of x/y columns, e.g. EPSG:2913")] = None,
    cell_size: Annotated[float, typer.Option(help="cell side in metres")] = 250.0,
    out: Annotated[Path | None, typer.Option(help="directory for plots")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print only the JSON results")] = False,
) -> None:
    """Rolling forecasts over the test period; hit rate and PAI per model and coverage."""
    try:
        events, report = load_events(data, category_column=category_column, crs=crs, cell_size=cell_size)
        if report.rejected:
            first = "; ".join(f"{f}:{line} {why}" for f, line, why in report.rejected[:5])
            _err.print(f"[yellow]{len(report.rejected)} rows rejected[/] (first: {first})")
        events.code_of(category)
        start, end, days = to_day(test_start), _end_day(test_end), horizon_days(horizon)
        fit_end = to_day(train_end) if train_end else start
        names, covs = _model_names(model), _coverages(coverage)
        models = {name: make_model(name, category) for name in names}
        with Progress(console=_err, transient=True) as progress:
            task = progress.add_task("forecasting", total=len(models))
            results, last = rolling_evaluation(
                events,
                models,
                category=category,
                train_end=fit_end,
                test_start=start,
                test_end=end,
                horizon=days,
                coverages=covs,
                progress=_reporter(progress, task, list(models)),
                baseline=BASELINE,
            )
    except SafeCityError as exc:
        _err.print_json(json.dumps(exc.to_document()))
        raise typer.Exit(code=2) from exc
    results.sort(key=lambda r: (r.coverage, names.index(r.model)))
    if as_json:
        sys.stdout.write(json.dumps({"results": [r.as_json() for r in results]}) + "\n")
    else:
        Console().print(_table(results))
    if out is not None:
        if plots_available():
            study = events.study_area(start)
            paths = save_plots(results, last, events.grid, np.asarray(study), out)
            _err.print(f"plots written: {', '.join(str(p) for p in paths)}")
        else:
            _err.print("[yellow]matplotlib is not installed: no plots written[/]")


@app.command()
def fairness(
    data: Annotated[list[Path], typer.Option("--data", help="CSV(.gz) of events; repeat for several files")],
    category: Annotated[str, typer.Option(help="category to forecast (case-insensitive)")],
    test_start: Annotated[str, typer.Option(help="first day of the period studied (YYYY-MM-DD)")],
    test_end: Annotated[str, typer.Option(help="last day of the period, inclusive")],
    model: Annotated[str, typer.Option(help="forecaster whose flags are studied")] = BASELINE,
    coverage: Annotated[float, typer.Option(help="area fraction flagged each week")] = 0.05,
    block: Annotated[int, typer.Option(help="area = block x block cells (neighbourhood stand-in)")] = 8,
    area_column: Annotated[
        str | None, typer.Option(help="column naming each event's area, e.g. neighbourhood (else blocks)")
    ] = None,
    p_unflagged: Annotated[float, typer.Option(help="chance an event outside flags is recorded")] = 0.5,
    category_column: Annotated[str, typer.Option(help="column holding the category")] = "category",
    crs: Annotated[str | None, typer.Option(help="CRS of x/y columns, e.g. EPSG:2913")] = None,
    cell_size: Annotated[float, typer.Option(help="cell side in metres")] = 250.0,
    out: Annotated[Path, typer.Option(help="directory for the report")] = Path("forecast-fairness"),
) -> None:
    """Concentration of flagged cells over areas, and a feedback-loop simulation with a mitigation."""
    try:
        if not 0.0 < p_unflagged <= 1.0:
            raise InvalidInput("must be in (0, 1]", field="p_unflagged")
        if block < 1:
            raise InvalidInput("must be at least 1", field="block")
        events, _ = load_events(data, category_column=category_column, crs=crs, cell_size=cell_size)
        events.code_of(category)
        start, end = to_day(test_start), _end_day(test_end)
        with Progress(console=_err, transient=True) as progress:
            progress.add_task("fairness: flags and feedback simulation", total=None)
            area = cell_areas(data, events.grid, area_column)[0] if area_column else None
            conc = flag_concentration(
                events, make_model(model, category), category, start, end, coverage, block, area=area
            )
            weeks = len(np.arange(start, end, 7.0))
            runs = [
                simulate_feedback(
                    events,
                    category=category,
                    start=start,
                    weeks=weeks,
                    coverage=coverage,
                    p_unflagged=p_unflagged,
                    correct=correct,
                )
                for correct in (False, True)
            ]
    except SafeCityError as exc:
        _err.print_json(json.dumps(exc.to_document()))
        raise typer.Exit(code=2) from exc
    areas = f"areas = {area_column}" if area_column else f"areas = {block}x{block}-cell blocks"
    title = f"{events.categories[events.code_of(category)]}, {model}, top {coverage:.0%}, {areas}"
    path = write_fairness_report(conc, runs, title=title, p_unflagged=p_unflagged, out=out)
    Console().print(path.read_text(encoding="utf-8"))
    _err.print(f"report written: {path}")


if __name__ == "__main__":
    app()
