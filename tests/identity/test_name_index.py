from __future__ import annotations

import csv
import random
import zlib
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process, utils

from safecity.core.errors import InvalidInput
from safecity.identity import Match, NameIndex

# bounds for the recall check below, set inside the measured figures (25,000 distractors added first):
# recall 0.880, Urdu script 0.912, misses 0.53 of plain Levenshtein's (0.773) with the same tie rule
MIN_RECALL = 0.85
MIN_SCRIPT_RECALL = 0.88
MAX_MISS_SHARE = 0.7

PEOPLE = [
    ("p1", "Muhammad Asif"),
    ("p2", "Asif Ali Zardari"),
    ("p3", "Imran Khan"),
    ("p4", "Chaudhry Adeel Ahmed"),
    ("p5", "Nasir-ud-Din Shah"),
    ("p6", "Abdur Rahman Baloch"),
    ("p7", "Ghulam Hussain Jatoi"),
    ("p8", "Ehsanullah Khan"),
    ("p9", "Ayesha Siddiqa"),
    ("p10", "Naveed Akhtar"),
    ("p11", "Saima Bibi"),
    ("p12", "Mohsin Raza Kazmi"),
    ("p13", "Muhammad Ashraf"),
    ("p14", "Asad Umar"),
]


@pytest.fixture
def index() -> NameIndex:
    built = NameIndex()
    built.add_many(PEOPLE)
    return built


def keys(matches: list[Match], n: int = 3) -> list[str]:
    return [m.key for m in matches[:n]]


@pytest.mark.parametrize("query", ["Mohd Asif", "Mohammad Asif", "Muhammed Asif", "M. Asif", "Md. Asif"])
def test_spellings_and_initials_of_muhammad_find_muhammad_asif(index: NameIndex, query: str) -> None:
    assert index.search(query)[0].key == "p1"


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Ch. Adeel Ahmad", "p4"),
        ("Chaudhary Adil Ahmed", "p4"),
        ("Nasiruddin Shah", "p5"),
        ("Nasir Uddin Shah", "p5"),
        ("Abdul Rehman Baluch", "p6"),
        ("Abd-ur-Rahman Baloch", "p6"),
        ("Gulam Husain Jatoi", "p7"),
        ("Ghulam Hossain Jatoi", "p7"),
        ("Ehsan Ullah Khan", "p8"),
        ("Aisha Siddiqa", "p9"),
        ("Navid Akhter", "p10"),
        ("Mohsin Raza Kazmee", "p12"),
    ],
)
def test_roman_urdu_spelling_variants_find_the_person_first(index: NameIndex, query: str, key: str) -> None:
    assert index.search(query)[0].key == key


def test_reordered_name_parts_still_match(index: NameIndex) -> None:
    assert index.search("Khan Imran")[0].key == "p3"
    assert index.search("Zardari Asif Ali")[0].key == "p2"


@pytest.mark.parametrize(
    ("query", "key"),
    [("محمد آصف", "p1"), ("عمران خان", "p3"), ("غلام حسین جتوئی", "p7"), ("نويد اختر", "p10")],
)
def test_urdu_script_query_finds_the_roman_name(index: NameIndex, query: str, key: str) -> None:
    assert index.search(query)[0].key == key


def test_arabic_and_urdu_letter_forms_give_the_same_results(index: NameIndex) -> None:
    urdu = index.search("عائشہ صدیقہ")
    arabic = index.search("عائشه صديقه")
    assert urdu[0].key == arabic[0].key == "p9"
    assert [m.key for m in urdu] == [m.key for m in arabic]


def test_roman_query_finds_a_name_indexed_in_urdu_script() -> None:
    built = NameIndex()
    built.add_many([("u1", "محمد اشرف"), ("u2", "عمران خان"), ("u3", "صائمہ بی بی")])
    assert built.search("Muhammad Ashraf")[0].key == "u1"
    assert built.search("Imran Khan")[0].key == "u2"


def test_unrelated_names_score_lower_than_variants(index: NameIndex) -> None:
    scores = {m.key: m.score for m in index.search("Mohammad Asif", k=len(PEOPLE))}
    assert scores["p1"] > 0.9
    for unrelated in ("p9", "p11", "p7"):
        assert scores.get(unrelated, 0.0) < scores["p1"] - 0.3


def test_results_are_best_first_with_scores_between_zero_and_one(index: NameIndex) -> None:
    results = index.search("Asif", k=10)
    scores = [m.score for m in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


@pytest.mark.parametrize("k", [1, 2, 5])
def test_k_limits_the_number_of_results(index: NameIndex, k: int) -> None:
    index.add_many((f"m{i}", f"Muhammad {other}") for i, other in enumerate(["Ali", "Bilal", "Umar", "Zaid"]))
    assert len(index.search("Muhammad", k=k)) == k


@pytest.mark.parametrize("k", [0, -1])
def test_k_must_be_positive(index: NameIndex, k: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        index.search("Asif", k=k)
    assert caught.value.field == "k"


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "!!! ---"])
def test_blank_query_is_refused_naming_the_field(index: NameIndex, query: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        index.search(query)
    assert caught.value.field == "name"


def test_blank_name_cannot_be_added(index: NameIndex) -> None:
    with pytest.raises(InvalidInput) as caught:
        index.add("p99", "  ")
    assert caught.value.field == "name"
    assert len(index) == len(PEOPLE)


def test_an_alias_returns_its_key_once(index: NameIndex) -> None:
    index.add("p1", "Mohd Asif Butt")
    results = index.search("Muhammad Asif", k=5)
    assert [m.key for m in results].count("p1") == 1


def test_names_added_after_a_search_are_found(index: NameIndex) -> None:
    index.search("Imran")
    index.add("p20", "Shehbaz Sharif")
    assert index.search("Shahbaz Shareef")[0].key == "p20"


def test_empty_index_finds_nothing() -> None:
    assert NameIndex().search("Muhammad Asif") == []


def test_results_do_not_depend_on_the_order_of_adding() -> None:
    names = [("a", "Muhammad Asif"), ("b", "Mohammad Asif"), ("c", "Muhammad Asif"), ("d", "Asif Ali")]
    names += [(f"x{i}", "Mohammad Asif") for i in range(12)]
    forward, backward = NameIndex(), NameIndex()
    forward.add_many(names)
    backward.add_many(reversed(names))
    for query in ("Mohd Asif", "Muhammad Asif", "Asif", "M. Asif"):
        assert forward.search(query, k=5) == backward.search(query, k=5), query


def test_the_exact_spelling_ranks_above_another_spelling_of_the_same_sounds() -> None:
    index = NameIndex()
    index.add_many([("other", "Mohammad Asif"), ("same", "Muhammad Asif"), ("near", "Muhammad Atif")])
    results = index.search("Muhammad Asif")
    assert [m.key for m in results] == ["same", "other", "near"]
    assert results[0].score > results[1].score > results[2].score


def _groups(path: Path) -> dict[str, tuple[str, list[str]]]:
    groups: dict[str, tuple[str, list[str]]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            groups.setdefault(row["group_id"], (row["urdu"], []))[1].append(row["spelling"])
    return groups


def _top10_recall(index_names: list[tuple[str, str]], queries: list[tuple[str, str]]) -> float:
    """Plain Levenshtein ratio (rapidfuzz fuzz.ratio) recall@10, ties by key checksum as in NameIndex."""
    scores = process.cdist(
        [q for _, q in queries],
        [n for _, n in index_names],
        scorer=fuzz.ratio,
        processor=utils.default_process,
    )
    checksum = np.array([zlib.crc32(key.encode()) for key, _ in index_names])
    top10 = [np.lexsort((checksum, -row))[:10] for row in scores]
    return float(
        np.mean(
            [gid in {index_names[j][0] for j in row} for (gid, _), row in zip(queries, top10, strict=True)]
        )
    )


def test_recall_on_real_variants_is_well_above_levenshtein(shared_data: Path) -> None:
    """Every dev group, 25,000 distractors: the data README's protocol at half the size.

    The distractors are added first, so that a matcher which let the order of
    adding break ties in the groups' favour would not pass.  Both methods see
    the same index and queries and break exact ties alike (by key checksum),
    so the comparison does not depend on the machine; the bounds sit inside
    the measured figures (see the module constants).
    """
    names_dir = shared_data / "names"
    groups = _groups(names_dir / "name_variants_dev.csv")
    with (names_dir / "pk_name_parts.csv").open(encoding="utf-8") as fh:
        parts = list(csv.DictReader(fh))
    given = [p["spelling"] for p in parts if p["role"] == "given"]
    every = [p["spelling"] for p in parts]
    rng = random.Random(7)
    indexed = [
        (f"d{i}", " ".join([rng.choice(given), *(rng.choice(every) for _ in range(rng.randint(0, 2)))]))
        for i in range(25_000)
    ]
    indexed += [(gid, spellings[0]) for gid, (_, spellings) in groups.items()]
    queries = [(gid, s) for gid, (_, spellings) in groups.items() for s in spellings[1:]]
    index = NameIndex()
    index.add_many(indexed)
    ours = sum(any(m.key == gid for m in index.search(q)) for gid, q in queries) / len(queries)
    baseline = _top10_recall(indexed, queries)
    assert ours >= MIN_RECALL
    assert 1.0 - ours <= MAX_MISS_SHARE * (1.0 - baseline)
    script = [(gid, urdu) for gid, (urdu, _) in groups.items()]
    script_ours = sum(any(m.key == gid for m in index.search(q)) for gid, q in script) / len(script)
    assert script_ours >= MIN_SCRIPT_RECALL
