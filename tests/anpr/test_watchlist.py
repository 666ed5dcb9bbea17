from __future__ import annotations

import pytest

from safecity.anpr import InvalidPlate, Watchlist
from safecity.core.errors import InvalidInput


@pytest.fixture
def watchlist() -> Watchlist:
    wl = Watchlist()
    wl.add_many(
        [
            ("LEA 1234", "stolen", "reported 2026-11-01"),
            ("BSZ-2560", "wanted"),
            ("ICT-88", "stolen"),
            ("LEB 07 1234", "unpaid-challans"),
        ]
    )
    return wl


def test_an_exact_read_scores_one(watchlist: Watchlist) -> None:
    [hit] = watchlist.match("LEA-1234")
    assert (hit.plate, hit.list_name, hit.score, hit.reason) == (
        "LEA-1234",
        "stolen",
        1.0,
        "reported 2026-11-01",
    )


def test_reads_are_matched_in_any_spelling(watchlist: Watchlist) -> None:
    assert [h.plate for h in watchlist.match("lea 1234")] == ["LEA-1234"]
    assert [h.plate for h in watchlist.match("LEB071234")] == ["LEB-07-1234"]


@pytest.mark.parametrize(
    ("read", "listed"),
    [
        ("ICT-8B", "ICT-88"),  # 8/B
        ("B5Z-2560", "BSZ-2560"),  # 5/S
        ("BSZ-Z560", "BSZ-2560"),  # 2/Z
        ("BSZ-25G0", "BSZ-2560"),  # 6/G
        ("BSZ-256O", "BSZ-2560"),  # 0/O
        ("BSZ-256D", "BSZ-2560"),  # 0/D
        ("BSZ-256Q", "BSZ-2560"),  # 0/Q
        ("LEA-I234", "LEA-1234"),  # 1/I
        ("1EA-1234", "LEA-1234"),  # L/1
        ("IEA-1234", "LEA-1234"),  # L/I
    ],
)
def test_each_ocr_confusion_still_matches_with_a_lower_score(
    watchlist: Watchlist, read: str, listed: str
) -> None:
    hits = watchlist.match(read)
    assert [h.plate for h in hits] == [listed]
    assert 0.0 < hits[0].score < 1.0


@pytest.mark.parametrize("read", ["LEA-234", "LEA-124", "EA-1234", "LA1234"])
def test_a_read_missing_one_character_matches(watchlist: Watchlist, read: str) -> None:
    hits = watchlist.match(read)
    assert "LEA-1234" in [h.plate for h in hits]
    assert all(h.score < 1.0 for h in hits if h.plate == "LEA-1234")


@pytest.mark.parametrize("read", ["LEA-12334", "LEAA-1234", "XLEA1234"])
def test_a_read_with_one_extra_character_matches(watchlist: Watchlist, read: str) -> None:
    assert "LEA-1234" in [h.plate for h in watchlist.match(read)]


@pytest.mark.parametrize("read", ["LEA-5678", "XYZ-999", "LEA-9934", "", "---"])
def test_an_unlisted_read_returns_no_hits(watchlist: Watchlist, read: str) -> None:
    assert watchlist.match(read) == []


def test_hits_come_best_first() -> None:
    wl = Watchlist()
    wl.add("LEA-123", "stolen")  # the read minus nothing: exact
    wl.add("LEA-1234", "wanted")  # the read lost its last digit
    wl.add("LEA-12", "other")  # the read has an extra digit
    hits = wl.match("LEA-123", exhaustive=True)
    assert [h.plate for h in hits] == ["LEA-123", "LEA-1234", "LEA-12"]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].score == 1.0


def test_look_alike_spellings_of_one_plate_share_its_hits() -> None:
    wl = Watchlist()
    wl.add("LEA-1234", "stolen")
    wl.add("LEA-I234", "wanted")  # canonicalises to the same plate: one plate, two lists
    wl.add("LEA-7234", "unrelated")
    hits = wl.match("LEA-1234")
    assert {(h.plate, h.list_name, h.score) for h in hits} == {
        ("LEA-1234", "stolen", 1.0),
        ("LEA-1234", "wanted", 1.0),
    }


def test_by_default_only_the_closest_tier_of_hits_is_returned() -> None:
    wl = Watchlist()
    wl.add_many([("LEA-123", "stolen"), ("LEA-1234", "wanted"), ("LEA-12", "other")])
    assert [h.plate for h in wl.match("LEA-123")] == ["LEA-123"]
    assert [h.plate for h in wl.match("LEA-1Z3")] == ["LEA-123"]
    assert [h.plate for h in wl.match("LEA-1235")] == ["LEA-123"]  # extra 5; LEA-1234 is a substitution
    assert [h.kind for h in wl.match("LEA-13")] == ["missing"]
    wl.add("LEA-3", "other")  # "LEA-13" with an extra 1: a weaker explanation than a lost 2
    assert [h.plate for h in wl.match("LEA-13")] == ["LEA-123"]
    assert [h.plate for h in wl.match("LEA-13", exhaustive=True)] == ["LEA-123", "LEA-3"]


def test_an_exact_hit_outranks_a_confusable_one() -> None:
    wl = Watchlist()
    wl.add("IEA-1234", "wanted")  # differs from the read only by I/L
    wl.add("LEA-1234", "stolen")
    hits = wl.match("LEA-1234")
    assert (hits[0].plate, hits[0].score) == ("LEA-1234", 1.0)
    assert [h.plate for h in hits] == ["LEA-1234", "IEA-1234"]
    assert hits[1].score < 1.0


def test_a_plate_on_two_lists_yields_one_hit_per_list(watchlist: Watchlist) -> None:
    watchlist.add("LEA-1234", "wanted", "armed")
    hits = watchlist.match("LEA-1234")
    assert sorted(h.list_name for h in hits) == ["stolen", "wanted"]


def test_removed_plates_no_longer_match(watchlist: Watchlist) -> None:
    assert watchlist.remove("lea 1234", "stolen")
    assert watchlist.match("LEA-1234") == []
    assert "LEA-1234" not in watchlist


def test_a_removed_plate_does_not_hide_a_listed_neighbour() -> None:
    wl = Watchlist()
    wl.add_many([("LEA-123", "stolen"), ("LEA-1234", "wanted")])
    wl.remove("LEA-123")
    assert [h.plate for h in wl.match("LEA-123")] == ["LEA-1234"]


def test_match_many_answers_in_order(watchlist: Watchlist) -> None:
    results = watchlist.match_many(["XYZ-1", "ICT-88", "LEA-1234"])
    assert [[h.plate for h in hits] for hits in results] == [[], ["ICT-88"], ["LEA-1234"]]


def test_adding_an_invalid_plate_is_refused() -> None:
    wl = Watchlist()
    with pytest.raises(InvalidPlate):
        wl.add("NOT A PLATE!", "stolen")
    with pytest.raises(InvalidInput) as caught:
        wl.add("LEA-1", "  ")
    assert caught.value.field == "list_name"


def test_add_many_names_the_bad_row_and_adds_nothing() -> None:
    wl = Watchlist()
    with pytest.raises(InvalidInput) as caught:
        wl.add_many([("LEA-1", "stolen"), ("####", "stolen")])
    assert "row 2" in caught.value.detail
    assert len(wl) == 0


def _neighbourly_list(build_in_bulk: bool) -> Watchlist:
    """Plates one edit apart from each other, so reads find several plates and shared keys."""
    plates = [f"LE{s}-{n}" for s in "ABC" for n in (12, 123, 1234, 1235, 124, 2123)]
    plates += ["IEA-1234", "LEB-07-1234", "A-1", "AB-1", "ICT-88", "ICT-8"]
    plates += [f"KH{s}-{n}" for s in "DEFHJKMNPRTVWXY" for n in range(100, 120)]  # enough for bulk indexing
    wl = Watchlist()
    rows = [(p, "stolen") for p in plates] + [("LEA-123", "wanted", "armed"), ("ICT-88", "other")]
    if build_in_bulk:
        wl.add_many(rows)
    else:
        for row in rows:
            wl.add(*row)
    wl.remove("LEB-124")
    wl.remove("LEC-12", "stolen")
    return wl


READS = [
    "LEA-123", "LEA-1Z3", "LEA-13", "LEA1234", "LEA-12345", "XLEA-123", "LEB-12", "LEB-124", "LEC-12",
    "LEB071234", "LEB-07-234", "A-1", "A1", "AB", "ICT-8B", "ICT-888", "lea 2123", "KHD-1O5", "KHD-15",
    "", "---", "#?!", "LE\u00e9-123", "1234567890", "ABCDEFGHIJKL", "A\x00-1", "IEA-I234", "EA-1234",
]  # fmt: skip


@pytest.mark.parametrize("exhaustive", [False, True])
def test_a_batch_is_matched_as_one_read_at_a_time_would_be(exhaustive: bool) -> None:
    wl = _neighbourly_list(build_in_bulk=True)
    reads = [r for r in READS if "\x00" not in r and r.isascii()] * 3
    one_by_one = [wl.match(r, exhaustive=exhaustive) for r in reads]
    assert any(len(hits) > 1 for hits in one_by_one)  # the case the batch path must order
    assert wl.match_many(reads, exhaustive=exhaustive) == one_by_one
    assert wl.match_many(READS * 3, exhaustive=exhaustive) == [
        wl.match(r, exhaustive=exhaustive) for r in READS * 3
    ]


def test_a_list_built_in_bulk_matches_as_one_built_plate_by_plate() -> None:
    bulk, single = _neighbourly_list(build_in_bulk=True), _neighbourly_list(build_in_bulk=False)
    assert len(bulk) == len(single)
    for exhaustive in (False, True):
        assert [bulk.match(r, exhaustive=exhaustive) for r in READS] == [
            single.match(r, exhaustive=exhaustive) for r in READS
        ]


def test_each_plate_keeps_its_own_reason_through_relisting_and_removal() -> None:
    wl = Watchlist()
    wl.add_many([(f"LEA-{n}", "stolen", f"FIR {n}") for n in range(100, 400)])
    wl.add("LEA-150", "wanted", "armed")
    wl.add("LEA-151", "stolen", "FIR 151 amended")
    wl.add("LEA-300", "wanted", "seen armed")
    wl.remove("LEA-150", "stolen")
    reads = [f"LEA-{n}" for n in range(100, 400)]
    batch = wl.match_many(reads)
    assert batch == [wl.match(read) for read in reads]
    found = {(h.plate, h.list_name, h.reason) for hits in batch for h in hits}
    assert {("LEA-200", "stolen", "FIR 200"), ("LEA-151", "stolen", "FIR 151 amended")} <= found
    assert ("LEA-151", "stolen", "FIR 151") not in found
    assert [(h.list_name, h.reason) for h in wl.match("LEA-150")] == [("wanted", "armed")]
    assert [(h.list_name, h.reason) for h in wl.match("LEA-300")] == [
        ("stolen", "FIR 300"),
        ("wanted", "seen armed"),
    ]
