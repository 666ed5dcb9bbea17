from __future__ import annotations

import pytest

from safecity.identity import NameIndex
from safecity.identity.phonetics import loose_forms, phonetic, query_tokens, shortened_forms


def same_name(a: str, b: str) -> bool:
    pa, pb = phonetic(a), phonetic(b)
    return bool(loose_forms(pa) & shortened_forms(pb) or shortened_forms(pa) & loose_forms(pb))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tarek", "Tariq"),  # e for i
        ("Ahmed", "Ahmad"),  # e for a
        ("Sumera", "Sumaira"),  # e for ai
        ("Khodeja", "Khadija"),  # o for a
        ("Musarrat", "Masarrat"),  # unwritten short vowel guessed differently
        ("Chowdhury", "Chaudhry"),  # optional short vowel
        ("Khawaja", "Khwaja"),
        ("Amina", "Amna"),
        ("Maryam", "Mariam"),  # y glide
        ("Tarique", "Tariq"),  # English qu
    ],
)
def test_roman_urdu_spellings_of_one_name_are_the_same_name(a: str, b: str) -> None:
    assert same_name(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Umar", "Amir"), ("Hasan", "Hussain"), ("Hasan", "Husna"), ("Amin", "Amina"), ("Imran", "Irfan")],
)
def test_different_names_are_not_spellings_of_each_other(a: str, b: str) -> None:
    assert not same_name(a, b)


def test_a_spelling_variant_scores_just_below_the_exact_spelling() -> None:
    index = NameIndex()
    index.add_many([("v", "Tariq Chaudhry"), ("x", "Tahir Chaudhry"), ("y", "Umar Farooq")])
    results = index.search("Tarek Chowdhury", k=3)
    assert results[0].key == "v"
    assert 0.95 <= results[0].score < 1.0
    assert all(m.score < 0.95 for m in results[1:])
    assert index.search("Tariq Chaudhry", k=1)[0].score == 1.0


@pytest.mark.parametrize(
    ("name", "titles"),
    [
        ("Hafiz Abdul Salam", [True, False, False]),
        ("Abdul Hafiz", [False, False]),
        ("Hafiz", [False]),
        ("Hafiz Uddin", [False, False]),
        ("Mukhtaran Bibi", [False, True]),
    ],
)
def test_a_title_word_is_a_title_only_where_it_stands_as_one(name: str, titles: list[bool]) -> None:
    assert [t.title for t in query_tokens(name)] == titles


def test_a_name_that_is_also_a_title_word_counts_in_full() -> None:
    """Hafiz in Abdul Hafiz is the name: a person sharing only Abdul / only Hafez is far behind."""
    others = ["Salam", "Karim", "Rauf", "Majeed", "Qadir", "Ghaffar", "Wahid", "Latif"]
    index = NameIndex()
    index.add_many(
        [("hafeez", "Abdul Hafeez"), ("hafiz", "Hafiz"), ("abid", "Abid"), ("both", "Hafez Hafiz")]
        + [(f"a{i}", f"Abdul {n}") for i, n in enumerate(others)]
        + [(f"t{i}", f"Hafiz {n}") for i, n in enumerate(others)]
    )
    scores = {m.key: m.score for m in index.search("Abdul Hafiz", k=20)}
    assert max(scores, key=scores.__getitem__) == "hafeez"
    assert scores["hafeez"] - scores.get("abid", 0.0) >= 0.1
    scores = {m.key: m.score for m in index.search("Hafez", k=20)}
    assert max(scores, key=scores.__getitem__) == "hafiz"
    assert scores["hafiz"] - scores.get("both", 0.0) >= 0.05


@pytest.mark.parametrize(
    ("query", "right", "other"), [("Ameen", "Amin", "Ameena"), ("Hameeda", "Hamida", "Hameed")]
)
def test_a_final_vowel_separates_names(query: str, right: str, other: str) -> None:
    """Urdu writes a final vowel, so Amin / Amina differ more than Ameen / Amin."""
    index = NameIndex()
    index.add_many([("right", right), ("other", other)])
    assert [m.key for m in index.search(query, k=2)] == ["right", "other"]
