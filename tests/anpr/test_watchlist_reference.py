"""The watchlist index gives exactly what a brute-force scan of every listed plate gives.

The index (packed keys, hash tables, a batch engine in numpy) is an
optimisation; this reference states the rules plainly and compares every
answer, for one read at a time and for batches, on randomised lists dense with
look-alikes so that reads find several plates in several tiers.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Iterable

import pytest

from safecity.anpr import Watchlist, WatchlistHit, normalise_plate

LOOK_ALIKES = ["0ODQ", "1IL", "8B", "5S", "2Z", "6G"]
CLASS = {c: group[0] for group in LOOK_ALIKES for c in group}
SEPARATORS = set(" -._/:|\t\n\r")
SERIES = "ABDGILOQSZ"  # mostly look-alike letters: many plates share a class key
DIGITS = "012568"


def _compact(text: str) -> str | None:
    if not text.isascii():
        return None
    compact = "".join(c for c in text.upper() if c not in SEPARATORS)
    return compact if len(compact) <= 10 else None


def _class(text: str) -> str:
    return "".join(CLASS.get(c, c) for c in text)


def _deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


def _candidate(read: str, listed: str) -> tuple[int, float, str] | None:
    """(tier, score, kind) of ``listed`` for ``read`` (both compact), or None."""
    if len(read) == len(listed) and _class(read) == _class(listed):
        swaps = sum(a != b for a, b in zip(read, listed, strict=True))
        return (1, 1.0, "exact") if not swaps else (1, max(0.8, 1.0 - 0.05 * swaps), "confusable")
    if len(listed) == len(read) + 1 and _class(read) in _deletions(_class(listed)):
        return 2, 0.75, "missing"
    if len(read) == len(listed) + 1 and _class(listed) in _deletions(_class(read)):
        return 3, 0.7, "extra"
    return None


def _near(read: str, listed: str) -> bool:
    """A quick necessary condition for `_candidate`: lengths within one."""
    return abs(len(read) - len(listed)) <= 1


class Reference:
    """Listed plates in a dict, matched by scanning them all."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, str]] = {}  # canonical plate -> list name -> reason

    def add(self, plate: str, list_name: str, reason: str = "") -> None:
        self.entries.setdefault(normalise_plate(plate), {})[list_name] = reason

    def remove(self, plate: str, list_name: str | None = None) -> None:
        lists = self.entries.get(normalise_plate(plate), {})
        for name in [n for n in lists if list_name is None or n == list_name]:
            del lists[name]

    def match(self, text: str, exhaustive: bool = False) -> list[WatchlistHit]:
        read = _compact(text)
        if read is None:
            return []
        found = []
        for plate, lists in self.entries.items():
            compact = plate.replace("-", "")
            candidate = _candidate(read, compact) if lists and _near(read, compact) else None
            if candidate:
                found.append((plate, lists, *candidate))
        if not exhaustive and found:
            best = min(tier for _, _, tier, _, _ in found)
            found = [f for f in found if f[2] == best]
        hits = [
            WatchlistHit(plate, name, score, reason, kind)
            for plate, lists, _, score, kind in found
            for name, reason in lists.items()
        ]
        return sorted(hits, key=lambda h: (-h.score, h.plate, h.list_name))


def _plate(rng: random.Random) -> str:
    series = "".join(rng.choices(SERIES, k=rng.randint(1, 3)))
    number = rng.choice(DIGITS[1:]) + "".join(rng.choices(DIGITS, k=rng.randint(0, 3)))
    if rng.random() < 0.15:
        return f"{series}-{rng.choice(['07', '08', '10'])}-{number}"
    return f"{series}-{number}"


def _read(listed: list[str], rng: random.Random) -> str:
    """A listed plate as OCR might garble it, or something else entirely."""
    kind = rng.random()
    if kind < 0.1:
        return rng.choice(
            ["", "---", "#?!", "LE\u00e9-123", "ABCDEFGHIJKL", "1234567890", "a\x00-1", " ", "B#8"]
        )
    if kind < 0.2:
        return _plate(rng)
    text = list(rng.choice(listed))
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        i = rng.randrange(len(text) + 1)
        edit = rng.random()
        if edit < 0.4 and i < len(text):
            group = next((g for g in LOOK_ALIKES if text[i] in g), text[i])
            text[i] = rng.choice(group)
        elif edit < 0.65 and i < len(text):
            del text[i]
        elif edit < 0.85:
            text.insert(i, rng.choice(SERIES + DIGITS + "-# "))
        elif i < len(text):
            text[i] = text[i].lower()
    return "".join(text)


def _lists(rng: random.Random, count: int) -> tuple[Watchlist, Reference, list[str], list[tuple[str, ...]]]:
    rows: list[tuple[str, ...]] = []
    for i in range(count):
        plate = _plate(rng)
        roll = rng.random()
        if roll < 0.5:
            rows.append((plate, "stolen"))
        elif roll < 0.8:
            rows.append((plate, "stolen", f"FIR {i}/2026"))  # a reason per plate
        else:
            rows.append((plate, rng.choice(["wanted", "unpaid-challans"]), rng.choice(["", "armed"])))
    watchlist, reference = Watchlist(), Reference()
    for row in rows:
        reference.add(*row)
    return watchlist, reference, [normalise_plate(r[0]) for r in rows], rows


def _edit(watchlist: Watchlist, reference: Reference, listed: list[str], rng: random.Random) -> None:
    for _ in range(len(listed) // 10):
        plate = rng.choice(listed)
        if rng.random() < 0.5:
            name = rng.choice([None, "stolen", "wanted"])
            watchlist.remove(plate, name)
            reference.remove(plate, name)
        else:
            row = (plate, rng.choice(["stolen", "wanted", "towed"]), rng.choice(["", "relisted"]))
            watchlist.add(*row)
            reference.add(*row)
    for _ in range(5):  # new plates, indexed one at a time after the bulk build
        plate = _plate(rng)
        watchlist.add(plate, "stolen", "late")
        reference.add(plate, "stolen", "late")
        listed.append(normalise_plate(plate))


def _assert_same(watchlist: Watchlist, reference: Reference, reads: Iterable[str]) -> None:
    reads = list(reads)
    for exhaustive in (False, True):
        expected = [reference.match(read, exhaustive) for read in reads]
        assert [watchlist.match(read, exhaustive=exhaustive) for read in reads] == expected
        assert watchlist.match_many(reads, exhaustive=exhaustive) == expected
        clean = [i for i, r in enumerate(reads) if "\x00" not in r and r.isascii()]  # the all-numpy path
        assert watchlist.match_many([reads[i] for i in clean], exhaustive=exhaustive) == [
            expected[i] for i in clean
        ]


@pytest.mark.parametrize("seed", range(4))
def test_a_list_built_in_bulk_and_edited_answers_as_a_brute_force_scan(seed: int) -> None:
    rng = random.Random(seed)
    watchlist, reference, listed, rows = _lists(rng, 400)
    watchlist.add_many(rows)
    _assert_same(watchlist, reference, [_read(listed, rng) for _ in range(500)])
    _edit(watchlist, reference, listed, rng)
    _assert_same(watchlist, reference, [_read(listed, rng) for _ in range(500)])


@pytest.mark.parametrize("seed", range(2))
def test_a_list_built_plate_by_plate_answers_as_a_brute_force_scan(seed: int) -> None:
    rng = random.Random(100 + seed)
    watchlist, reference, listed, rows = _lists(rng, 150)
    for row in rows:
        watchlist.add(*row)
    _edit(watchlist, reference, listed, rng)
    _assert_same(watchlist, reference, [_read(listed, rng) for _ in range(400)])


def test_the_reference_finds_hits_in_every_tier() -> None:
    """The comparison above is only as good as the cases it meets."""
    rng = random.Random(0)
    _, reference, listed, _ = _lists(rng, 400)
    results = [reference.match(_read(listed, rng)) for _ in range(500)]
    assert {h.kind for hits in results for h in hits} == {"exact", "confusable", "missing", "extra"}
    tied = [hits for hits in results if len({h.plate for h in hits if h.score == hits[0].score}) > 1]
    assert tied  # reads whose equally scored plates the index must order as the scan does
    assert any(len({h.list_name for h in hits if h.plate == hits[0].plate}) > 1 for hits in results)


def test_batches_matched_while_plates_are_added_see_each_plate_whole() -> None:
    """One writer grows every table while a reader matches: no error, no half-added plate."""
    rng = random.Random(7)
    plates = sorted({normalise_plate(_plate(rng)) for _ in range(3000)})
    reads = [_read(plates, rng) for _ in range(400)]
    watchlist = Watchlist()
    failures: list[BaseException] = []
    seen: list[WatchlistHit] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                seen.extend(h for hits in watchlist.match_many(reads) for h in hits)
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, between any two steps of a batch
    reader = threading.Thread(target=read)
    reader.start()
    try:
        for plate in plates:
            watchlist.add(plate, "stolen", f"FIR {plate}")
    finally:
        done.set()
        reader.join()
        sys.setswitchinterval(switch)
    assert not failures
    assert seen and all(h.reason == f"FIR {h.plate}" and h.plate in plates for h in seen)
    reference = Reference()
    for plate in plates:
        reference.add(plate, "stolen", f"FIR {plate}")
    assert watchlist.match_many(reads) == [reference.match(read) for read in reads]
