"""A field-spec-driven Fellegi–Sunter record-linkage engine.

One engine serves two jobs: finding the same person twice inside one register
(`duplicates_linkage`, the review queue) and linking two registers in which
each person appears at most once (`benchmarks/dedup.py`, FEBRL4).  Both need
the same four steps, so they live here once:

1. blocking — several passes, each an exact key of one or more columns; a pair
   is compared when any pass puts it in one block (a typo in one field rarely
   hides a true pair from every pass);
2. comparison — each field gives a graded agreement level (string similarity
   bands, exact, date with transposed day/month, numeric distance bands), so
   "Jon"/"John" carries more evidence than "Jon"/"Mary" yet less than equality;
3. estimation — m and u probabilities of every level and the share of matches
   among the candidates are fitted by EM on the candidate pairs themselves
   (`em.FellegiSunter`), without labels;
4. decision — the posterior match probability (≥ 0.5 by default: the model
   finds a match likelier than not) and, when each record can have at most one
   partner, a one-to-one assignment greedy by match weight.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from safecity.records.linkage_em import FellegiSunter

__all__ = [
    "MISSING",
    "FellegiSunter",
    "FieldSpec",
    "LinkResult",
    "Pairs",
    "candidate_pairs",
    "compare",
    "link",
    "one_to_one",
]

Kind = Literal["exact", "string", "date", "numeric"]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
MISSING = -1  # agreement level of a pair where either side lacks the value


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one field is compared; level 0 is disagreement, the highest level the best agreement.

    `bands` are similarity floors for strings, best first (include 1.0 for an
    exact level), or largest absolute differences for numbers, closest first.
    `missing="disagree"` scores an absent value as disagreement (recordlinkage's
    convention, kept by the person review queue); "neutral" gives it no weight.
    `swap_with` names a column the value may have been written into instead
    (given name and surname entered in the wrong boxes): a string field then
    takes the better of the straight and the crossed comparison.
    """

    name: str
    kind: Kind = "exact"
    column: str | None = None
    bands: tuple[float, ...] = ()
    method: Literal["jaro_winkler", "levenshtein", "damerau"] = "jaro_winkler"
    missing: Literal["neutral", "disagree"] = "neutral"
    swap_with: str | None = None

    @property
    def source(self) -> str:
        return self.column or self.name

    @property
    def levels(self) -> int:
        if self.kind in ("string", "numeric"):
            return len(self.bands) + 1
        return 3 if self.kind == "date" else 2


@dataclass(frozen=True, slots=True)
class Pairs:
    """Row positions of candidate pairs: `left` in the first frame, `right` in the second (or the same)."""

    left: IntArray
    right: IntArray

    def __len__(self) -> int:
        return len(self.left)


def _keys(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    parts = frame[list(columns)].astype("string").replace("", pd.NA)  # a blank is no key, not a shared one
    key = parts.iloc[:, 0]
    for name in columns[1:]:
        key = key + "\x1f" + parts[name]
    return key.where(parts.notna().all(axis=1))


def _block_pass(a: pd.DataFrame, b: pd.DataFrame | None, columns: Sequence[str]) -> IntArray:
    """Encoded pairs (left * n_right + right) sharing the key of one pass."""
    left_keys = _keys(a, columns)
    right_keys = left_keys if b is None else _keys(b, columns)
    n_right = len(a) if b is None else len(b)
    left = pd.DataFrame({"key": left_keys, "l": np.arange(len(a))}).dropna()
    right = pd.DataFrame({"key": right_keys, "r": np.arange(n_right)}).dropna()
    joined = left.merge(right, on="key")
    lpos = joined["l"].to_numpy(np.int64)
    rpos = joined["r"].to_numpy(np.int64)
    if b is None:
        keep = lpos < rpos
        lpos, rpos = lpos[keep], rpos[keep]
    return np.asarray(lpos * n_right + rpos, dtype=np.int64)


def candidate_pairs(a: pd.DataFrame, b: pd.DataFrame | None, blocks: Sequence[Sequence[str]]) -> Pairs:
    """Union of the pairs of every blocking pass; `b=None` pairs the rows of `a` among themselves."""
    n_right = len(a) if b is None else len(b)
    passes = [_block_pass(a, b, columns) for columns in blocks]
    codes = np.unique(np.concatenate(passes)) if passes else np.empty(0, np.int64)
    return Pairs(left=codes // max(n_right, 1), right=codes % max(n_right, 1))


def background_pairs(n_left: int, n_right: int | None, exclude: Pairs, count: int, seed: int) -> Pairs:
    """Random pairs outside the blocks, so EM on a small register still sees what strangers look like."""
    same = n_right is None
    width = n_left if n_right is None else n_right
    total = n_left * (n_left - 1) // 2 if same else n_left * width
    count = min(count, max(total - len(exclude), 0))
    if count == 0:
        return Pairs(np.empty(0, np.int64), np.empty(0, np.int64))
    rng = np.random.default_rng(seed)
    taken = set((exclude.left * width + exclude.right).tolist())
    chosen: set[int] = set()
    for _ in range(20):
        left = rng.integers(0, n_left, size=count * 2)
        right = rng.integers(0, width, size=count * 2)
        if same:
            left, right = np.minimum(left, right), np.maximum(left, right)
            keep = left < right
            left, right = left[keep], right[keep]
        for code in (left * width + right).tolist():
            if code not in taken and code not in chosen:
                chosen.add(code)
                if len(chosen) == count:
                    break
        if len(chosen) == count:
            break
    codes = np.array(sorted(chosen), dtype=np.int64)
    return Pairs(left=codes // width, right=codes % width)


def _strings(frame: pd.DataFrame, column: str, rows: IntArray) -> tuple[list[str], npt.NDArray[np.bool_]]:
    values = frame[column].to_numpy(dtype=object)[rows]
    text = ["" if pd.isna(v) else str(v) for v in values]
    absent = np.array([t == "" for t in text], dtype=bool)
    return text, absent


_SCORERS: dict[str, Callable[..., float]] = {
    "jaro_winkler": JaroWinkler.normalized_similarity,
    "levenshtein": Levenshtein.normalized_similarity,
    "damerau": OSA.normalized_similarity,  # a transposition ("4086030"/"4086300") is one edit
}


def _string_levels(spec: FieldSpec, x: list[str], y: list[str], crossed: list[str] | None) -> IntArray:
    scorer = _SCORERS[spec.method]
    similarity = process.cpdist(x, y, scorer=scorer, dtype=np.float64)
    if crossed is not None:
        similarity = np.maximum(similarity, process.cpdist(x, crossed, scorer=scorer, dtype=np.float64))
    levels = np.zeros(len(x), np.int64)
    for i, floor in enumerate(spec.bands):
        levels = np.where((levels == 0) & (similarity >= floor - 1e-9), len(spec.bands) - i, levels)
    return levels


def _date_levels(x: list[str], y: list[str]) -> IntArray:
    """2 = same date, 1 = day and month transposed or one digit mistyped, 0 = otherwise."""
    x = [v.replace("-", "") for v in x]
    y = [v.replace("-", "") for v in y]
    exact = np.array([p == q for p, q in zip(x, y, strict=True)])
    swapped = np.array([len(p) == 8 and p[:4] + p[6:] + p[4:6] == q for p, q in zip(x, y, strict=True)])
    typo = process.cpdist(x, y, scorer=Levenshtein.distance) <= 1
    return np.where(exact, 2, np.where(swapped | typo, 1, 0)).astype(np.int64)


def _numeric_levels(spec: FieldSpec, x: list[str], y: list[str]) -> IntArray:
    gap = np.abs(
        pd.to_numeric(pd.Series(x), errors="coerce").to_numpy()
        - pd.to_numeric(pd.Series(y), errors="coerce").to_numpy()
    )
    levels = np.zeros(len(x), np.int64)
    for i, limit in enumerate(spec.bands):
        levels = np.where((levels == 0) & (gap <= limit), len(spec.bands) - i, levels)
    return levels


def compare(a: pd.DataFrame, b: pd.DataFrame | None, pairs: Pairs, fields: Sequence[FieldSpec]) -> IntArray:
    """Agreement level of every pair on every field (`MISSING` where either side is absent)."""
    right_frame = a if b is None else b
    levels = np.empty((len(pairs), len(fields)), np.int64)
    for j, spec in enumerate(fields):
        x, x_absent = _strings(a, spec.source, pairs.left)
        y, y_absent = _strings(right_frame, spec.source, pairs.right)
        if spec.kind == "string":
            crossed = _strings(right_frame, spec.swap_with, pairs.right)[0] if spec.swap_with else None
            column = _string_levels(spec, x, y, crossed)
        elif spec.kind == "date":
            column = _date_levels(x, y)
        elif spec.kind == "numeric":
            column = _numeric_levels(spec, x, y)
        else:
            column = np.array([p == q for p, q in zip(x, y, strict=True)], dtype=np.int64)
        levels[:, j] = np.where(x_absent | y_absent, MISSING, column)
    return levels


def one_to_one(left: IntArray, right: IntArray, weight: FloatArray) -> npt.NDArray[np.bool_]:
    """Keep, best weight first, each pair whose two records are both still unpaired."""
    keep = np.zeros(len(left), bool)
    used_left: set[int] = set()
    used_right: set[int] = set()
    for i in np.argsort(-weight, kind="stable").tolist():
        lpos, rpos = int(left[i]), int(right[i])
        if lpos not in used_left and rpos not in used_right:
            keep[i] = True
            used_left.add(lpos)
            used_right.add(rpos)
    return keep


@dataclass(frozen=True, slots=True)
class LinkResult:
    """Accepted pairs (row positions), their levels, weights and posteriors, and the fitted model."""

    pairs: Pairs
    levels: IntArray
    weight: FloatArray
    probability: FloatArray
    model: FellegiSunter
    candidates: int


def link(
    a: pd.DataFrame,
    b: pd.DataFrame | None,
    *,
    fields: Sequence[FieldSpec],
    blocks: Sequence[Sequence[str]],
    min_probability: float = 0.5,
    one_to_one_links: bool = False,
    background: int = 0,
    seed: int = 0,
) -> LinkResult:
    """Block, compare, fit the model on the candidates, decide.

    `background` adds that many random non-candidate pairs per candidate pair
    (counting at least 20 candidates) to the pairs EM learns from, for
    registers too small to show what strangers look like.
    `b=None` looks for duplicates inside `a`.  With `one_to_one_links` every
    record keeps at most its best-weighted partner among the accepted pairs.
    """
    pairs = candidate_pairs(a, b, blocks)
    levels = compare(a, b, pairs, fields)
    training = levels
    if background and len(pairs):
        wanted = background * max(len(pairs), 20)
        extra = background_pairs(len(a), None if b is None else len(b), pairs, wanted, seed)
        training = np.vstack([levels, compare(a, b, extra, fields)])
    model = FellegiSunter(fields).fit(training) if len(training) else FellegiSunter(fields)
    if not len(pairs):
        empty = np.empty(0)
        return LinkResult(pairs, levels, empty, empty, model, 0)
    probability = model.predict_proba(levels)
    weight = model.match_weight(levels)
    keep = probability >= min_probability
    if one_to_one_links:
        keep[keep] = one_to_one(pairs.left[keep], pairs.right[keep], weight[keep])
    chosen = Pairs(pairs.left[keep], pairs.right[keep])
    return LinkResult(chosen, levels[keep], weight[keep], probability[keep], model, len(pairs))
