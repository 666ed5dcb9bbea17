"""The linkage engine on tiny hand-made registers whose answer is known."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
import recordlinkage  # type: ignore[import-untyped]

from safecity.records.linkage import (
    MISSING,
    FellegiSunter,
    FieldSpec,
    Pairs,
    background_pairs,
    candidate_pairs,
    compare,
    link,
    one_to_one,
)

PEOPLE = [
    ("asif", "khan", "19800512", "3520211111111"),
    ("imran", "butt", "19751103", "3520222222222"),
    ("bilal", "malik", "19900101", "3520233333333"),
    ("kashif", "qureshi", "19851224", "3520244444444"),
    ("naveed", "awan", "19790730", "3520255555555"),
    ("tariq", "bhatti", "19820215", "3520266666666"),
    ("usman", "rana", "19950909", "3520277777777"),
    ("zahid", "gill", "19680320", "3520288888888"),
    ("adeel", "shah", "19880606", "3520299999999"),
    ("faisal", "chaudhry", "19711111", "3520200000000"),
]
FIELDS = (
    FieldSpec("given", "string", bands=(1.0, 0.85), swap_with="surname"),
    FieldSpec("surname", "string", bands=(1.0, 0.85), swap_with="given"),
    FieldSpec("dob", "date"),
    FieldSpec("cnic", "string", bands=(1.0, 0.9), method="damerau"),
)


def _frame(rows: Sequence[tuple[str | None, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["given", "surname", "dob", "cnic"])
    frame["city"] = "lahore"
    return frame


def _second_register() -> pd.DataFrame:
    """Copies of the first eight people, each damaged once, and two strangers."""
    return _frame(
        [
            ("asif", "kahn", "19800512", "3520211111111"),  # typo in surname
            ("imran", "butt", "19751103", "3520222222222"),
            ("bilal", "malik", "19900101", None),  # missing CNIC
            ("kashif", "qureshi", "19852412", "3520244444444"),  # day and month swapped
            ("awan", "naveed", "19790730", "3520255555555"),  # names in the wrong boxes
            ("tariq", "bhatti", "19820215", "3520266666606"),  # one digit mistyped
            ("usman", "rana", "19950909", "3520277777777"),
            ("zahid", "gill", "19680320", "3520288888888"),
            ("hamza", "iqbal", "20010418", "3520212121212"),
            ("sana", "javed", "19990707", "3520234343434"),
        ]
    )


def test_damaged_copies_are_linked_and_strangers_are_not() -> None:
    result = link(_frame(PEOPLE), _second_register(), fields=FIELDS, blocks=[("city",)])
    linked = set(zip(result.pairs.left.tolist(), result.pairs.right.tolist(), strict=True))
    assert result.candidates == 100
    assert linked == {(i, i) for i in range(8)}
    assert (result.probability >= 0.5).all()


def test_comparison_levels_grade_typos_transpositions_swaps_and_gaps() -> None:
    a = _frame([("asif", "khan", "19800512", "3520211111111")])
    b = _frame(
        [
            ("asif", "khan", "19800512", "3520211111111"),
            ("asef", "kahn", "19801205", "3520211111112"),
            ("khan", "asif", None, "9999999999999"),
            ("mary", "jones", "19630101", None),
        ]
    )
    levels = compare(a, b, Pairs(np.zeros(4, np.int64), np.arange(4, dtype=np.int64)), FIELDS)
    assert levels.tolist() == [
        [2, 2, 2, 2],  # identical
        [1, 1, 1, 1],  # close spelling, day/month transposed, one digit off
        [2, 2, MISSING, 0],  # given name and surname swapped; no date; another CNIC
        [0, 0, 0, MISSING],
    ]


def test_missing_values_weigh_nothing_unless_the_field_says_they_disagree() -> None:
    fields = (FieldSpec("x"), FieldSpec("y", missing="disagree"))
    model = FellegiSunter(fields).fit(np.array([[1, 1]] * 30 + [[0, 0]] * 70 + [[MISSING, MISSING]] * 10))
    weights = model.field_weights(np.array([[MISSING, MISSING]]))
    assert weights[0, 0] == 0.0
    assert weights[0, 1] < 0


def test_one_to_one_keeps_the_better_of_two_candidates() -> None:
    keep = one_to_one(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([4.0, 9.0, 7.0]))
    # record 0 takes partner 1 (weight 9); record 1 then has no free partner left
    assert keep.tolist() == [False, True, False]


def test_a_near_twin_is_dropped_when_each_person_may_be_linked_once() -> None:
    twin = _frame([("asef", "khan", "19801205", "3520211111111")])  # Asif again, misspelt, day/month swapped
    second = pd.concat([_second_register(), twin], ignore_index=True)
    loose = link(_frame(PEOPLE), second, fields=FIELDS, blocks=[("city",)])
    strict = link(_frame(PEOPLE), second, fields=FIELDS, blocks=[("city",)], one_to_one_links=True)
    assert (0, 10) in set(zip(loose.pairs.left.tolist(), loose.pairs.right.tolist(), strict=True))
    assert set(zip(strict.pairs.left.tolist(), strict.pairs.right.tolist(), strict=True)) == {
        (i, i) for i in range(8)
    }


def test_blocking_passes_are_united_and_a_missing_key_blocks_nothing() -> None:
    frame = pd.DataFrame({"x": ["a", "a", "b", None, ""], "y": ["p", "q", "q", "r", "r"]})
    pairs = candidate_pairs(frame, None, [("x",), ("y",)])
    assert set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)) == {(0, 1), (1, 2), (3, 4)}
    assert candidate_pairs(frame, None, [("x", "y")]).left.size == 0


def test_background_pairs_avoid_the_candidates_and_repeat_nothing() -> None:
    exclude = Pairs(np.array([0, 1]), np.array([1, 2]))
    extra = background_pairs(6, None, exclude, 10, seed=3)
    codes = set(zip(extra.left.tolist(), extra.right.tolist(), strict=True))
    assert len(codes) == 10
    assert not codes & {(0, 1), (1, 2)}
    assert all(i < j for i, j in codes)


def test_em_on_binary_vectors_agrees_with_recordlinkage_ecm() -> None:
    rng = np.random.default_rng(7)
    m_true, u_true = np.array([0.95, 0.9, 0.8, 0.85]), np.array([0.05, 0.2, 0.1, 0.3])
    is_match = rng.random(20_000) < 0.2
    chance = np.where(is_match[:, None], m_true, u_true)
    vectors = (rng.random((20_000, 4)) < chance).astype(np.int64)
    ours = FellegiSunter([FieldSpec(f"f{i}") for i in range(4)]).fit(vectors)
    theirs = recordlinkage.ECMClassifier(binarize=None)
    theirs.fit(pd.DataFrame(vectors, columns=[f"f{i}" for i in range(4)]))
    for i in range(4):
        assert ours.m_[i][1] == pytest.approx(theirs.m_probs[f"f{i}"][1], abs=0.01)
        assert ours.u_[i][1] == pytest.approx(theirs.u_probs[f"f{i}"][1], abs=0.01)
        assert ours.m_[i][1] == pytest.approx(m_true[i], abs=0.03)
        assert ours.u_[i][1] == pytest.approx(u_true[i], abs=0.03)
    assert ours.prior_ == pytest.approx(0.2, abs=0.02)
