"""Unsupervised estimation of a Fellegi–Sunter model with several agreement levels per field.

The EM is recordlinkage's (`recordlinkage.algorithms.nb_sklearn.ECM`, the
estimator behind `ECMClassifier`), not ours: it already one-hot encodes each
field's levels and works on the distinct agreement patterns with their
counts, so a million candidate pairs cost no more than the few thousand
patterns they fall into.  What recordlinkage lacks is a deterministic start
for graded levels (exact / close / far — what separates a typo from a
stranger): its "jaro" start accepts binary vectors only and its "random"
start draws from NumPy's global generator.  `_GradedECM` supplies that start;
this class turns the fitted estimator into m/u tables per field (smoothed by
a pseudo-count, so a level never seen among matches gets no infinite weight)
and computes weights and posteriors from them, in the scikit-learn shape
(`fit`, learned state ending in `_`).  On binary vectors it reaches the same
estimates as `ECMClassifier` (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import numpy.typing as npt
from recordlinkage.algorithms.nb_sklearn import ECM  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from safecity.records.linkage import FieldSpec

__all__ = ["FellegiSunter"]

_FloatArray = npt.NDArray[np.float64]
_IntArray = npt.NDArray[np.int64]
_LOG_FLOOR = -700.0  # exp(-700) is still a positive double


class _GradedECM(ECM):  # type: ignore[misc]
    """recordlinkage's EM, started with matches at the top level and non-matches at the bottom.

    The start only decides which of the two classes EM settles on as "match";
    a level rising in probability among matches (and falling among
    non-matches) names the match class without a random draw.  A missing
    value (level -1) starts equally likely in both classes.
    """

    def _init_parameters_jaro(self, x_bin: Any) -> tuple[_FloatArray, _FloatArray]:
        columns: list[list[float]] = []
        for binarizer in self._binarizers:
            levels = [int(v) for v in binarizer.classes_]
            seen = [v for v in levels if v >= 0]
            top = max(seen, default=0)
            rising = {v: 2.0**v for v in seen}
            total = sum(rising.values()) or 1.0
            missing_share = 1.0 / len(levels)
            for v in levels:
                if v < 0:
                    columns.append([missing_share, missing_share])
                else:
                    scale = 1.0 - (missing_share if len(seen) < len(levels) else 0.0)
                    columns.append([scale * 2.0 ** (top - v) / total, scale * rising[v] / total])
        return np.log(np.array([0.9, 0.1])), np.log(np.array(columns)).T

    def _joint_log_likelihood(self, x: Any) -> _FloatArray:
        """recordlinkage's E-step term, with log 0 floored: a level EM has emptied in one class
        would otherwise give 0 x -inf = NaN for every pair and stop the EM where it stands."""
        x_bin = self._transform_data(np.asarray(x))
        log_prob = np.maximum(np.asarray(self.feature_log_prob_, dtype=np.float64), _LOG_FLOOR)
        return np.asarray(x_bin @ log_prob.T + self.class_log_prior_, dtype=np.float64)


class FellegiSunter:
    """m/u probabilities per field level and the match share, learned by EM without labels.

    `pseudo_count` keeps a level never seen among matches (or non-matches)
    from getting an infinite weight.
    """

    def __init__(
        self,
        fields: Sequence[FieldSpec],
        *,
        max_iter: int = 500,
        tol: float = 1e-6,
        pseudo_count: float = 0.01,
    ) -> None:
        self.fields = tuple(fields)
        self.max_iter = max_iter
        self.tol = tol
        self.pseudo_count = pseudo_count
        self.m_: list[_FloatArray] = [np.full(f.levels, 1.0 / f.levels) for f in self.fields]
        self.u_: list[_FloatArray] = [np.full(f.levels, 1.0 / f.levels) for f in self.fields]
        self.prior_ = 0.5
        self.n_iter_ = 0

    def _effective(self, levels: _IntArray) -> _IntArray:
        """Missing values count as disagreement for fields that say so, else stay -1 (no weight)."""
        out = levels.copy()
        for j, spec in enumerate(self.fields):
            if spec.missing == "disagree":
                out[:, j] = np.where(out[:, j] < 0, 0, out[:, j])
        return out

    def fit(self, levels: _IntArray) -> Self:
        """Fit on the agreement levels of unlabelled candidate pairs (rows = pairs, columns = fields)."""
        effective = self._effective(levels)
        ecm = _GradedECM(init="jaro", max_iter=self.max_iter, binarize=None, atol=self.tol)
        with np.errstate(divide="ignore"):  # an emptied level's log 0 is floored in the E-step
            ecm.fit(effective)
        log_prob = np.asarray(ecm.feature_log_prob_, dtype=np.float64)  # rows: non-match, match
        self.prior_ = float(np.clip(np.exp(ecm.class_log_prior_[1]), 1e-12, 1 - 1e-12))
        self.n_iter_ = len(ecm._logging_class_log_prior) - 1
        n = len(effective)
        column = 0
        self.m_, self.u_ = [], []
        for spec, binarizer in zip(self.fields, ecm._binarizers, strict=True):
            m = np.full(spec.levels, self.pseudo_count)
            u = np.full(spec.levels, self.pseudo_count)
            for value in binarizer.classes_:
                if value >= 0:
                    m[int(value)] += np.exp(log_prob[1, column]) * self.prior_ * n
                    u[int(value)] += np.exp(log_prob[0, column]) * (1 - self.prior_) * n
                column += 1
            self.m_.append(m / m.sum())
            self.u_.append(u / u.sum())
        return self

    def _log_ratio_terms(self, patterns: _IntArray) -> tuple[_FloatArray, _FloatArray]:
        log_m = np.zeros(len(patterns))
        log_u = np.zeros(len(patterns))
        for j in range(len(self.fields)):
            level = patterns[:, j]
            seen = level >= 0
            safe = np.where(seen, level, 0)
            log_m += np.where(seen, np.log(self.m_[j][safe]), 0.0)
            log_u += np.where(seen, np.log(self.u_[j][safe]), 0.0)
        return log_m, log_u

    def _posterior(self, patterns: _IntArray) -> _FloatArray:
        log_m, log_u = self._log_ratio_terms(patterns)
        logit = np.log(self.prior_) - np.log1p(-self.prior_) + log_m - log_u
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700))), dtype=np.float64)

    def field_weights(self, levels: _IntArray) -> _FloatArray:
        """log2(m/u) of each pair's level on each field; 0 where a neutral field is missing."""
        effective = self._effective(levels)
        out = np.zeros(effective.shape)
        for j in range(len(self.fields)):
            level = effective[:, j]
            seen = level >= 0
            ratio = np.log2(self.m_[j]) - np.log2(self.u_[j])
            out[:, j] = np.where(seen, ratio[np.where(seen, level, 0)], 0.0)
        return out

    def match_weight(self, levels: _IntArray) -> _FloatArray:
        """Sum of field weights: the log2 Bayes factor for "same entity"."""
        return np.asarray(self.field_weights(levels).sum(axis=1), dtype=np.float64)

    def predict_proba(self, levels: _IntArray) -> _FloatArray:
        """Posterior probability that each pair is a match, given the learned match share."""
        return self._posterior(self._effective(levels))
