from __future__ import annotations

import pytest

from safecity.identity import NameIndex
from safecity.identity.phonetics import loose_forms, phonetic, shortened_forms


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
