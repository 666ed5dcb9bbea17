"""The evaluate command on a tiny CSV: --json prints exactly the documented document."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from safecity.forecasting.cli import app


def _tiny_csv(path: Path) -> Path:
    rng = np.random.default_rng(0)
    lines = ["event_id,occurred_at,category,lat,lon"]
    days = np.sort(rng.uniform(0, 120, size=400))
    for i, day in enumerate(days):
        hot = rng.random() < 0.5
        lat = 43.700 if hot else 43.69 + rng.random() * 0.02
        lon = -79.400 if hot else -79.41 + rng.random() * 0.02
        when = np.datetime64("2019-01-01T00:00") + np.timedelta64(int(day * 24 * 60), "m")
        cat = "Robbery" if i % 3 else "Assault"
        lines.append(f"{i},{when!s}:00,{cat},{lat:.6f},{lon:.6f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _args(data: Path, *extra: str) -> list[str]:
    return [
        "evaluate", "--data", str(data), "--category", "robbery", "--train-end", "2019-03-01",
        "--test-start", "2019-03-01", "--test-end", "2019-04-30", "--horizon", "7d",
        "--coverage", "0.01,0.05", *extra,
    ]  # fmt: skip


def test_json_output_has_one_row_per_model_and_coverage(tmp_path: Path) -> None:
    data = _tiny_csv(tmp_path / "tiny.csv")
    result = CliRunner().invoke(app, _args(data, "--model", "counts,kde", "--json"))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"results"}
    rows = doc["results"]
    assert {(r["model"], r["coverage"]) for r in rows} == {
        (m, c) for m in ("counts", "kde") for c in (0.01, 0.05)
    }
    keys = {"model", "category", "coverage", "hit_rate", "pai", "weeks", "ci_low", "ci_high"}
    keys |= {"events", "hits", "vs_baseline"}
    for row in rows:
        assert set(row) == keys
        assert row["hit_rate"] == round(row["hits"] / row["events"], 6)
        if row["model"] == "counts":
            assert row["vs_baseline"] is None
        else:
            delta = row["vs_baseline"]
            assert delta["baseline"] == "counts"
            assert delta["ci_low"] <= delta["delta"] <= delta["ci_high"]
        assert row["category"] == "Robbery"
        assert row["weeks"] == 9  # 61 days in 7-day windows, the last one cut short
        assert row["pai"] == round(row["hit_rate"] / row["coverage"], 4)
        assert row["ci_low"] <= row["hit_rate"] <= row["ci_high"]


def test_unknown_category_is_a_user_error(tmp_path: Path) -> None:
    data = _tiny_csv(tmp_path / "tiny.csv")
    args = _args(data, "--model", "counts", "--json")
    args[args.index("robbery")] = "arson"
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_plots_are_written_to_the_out_directory(tmp_path: Path) -> None:
    data = _tiny_csv(tmp_path / "tiny.csv")
    result = CliRunner().invoke(app, _args(data, "--model", "counts", "--out", str(tmp_path / "figs")))
    assert result.exit_code == 0, result.output
    assert "counts" in result.stdout
    assert (tmp_path / "figs" / "hit_rate.png").exists() or "matplotlib is not installed" in result.output
