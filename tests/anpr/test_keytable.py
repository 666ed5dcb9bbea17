"""The watchlist's hash table answers as a dict would, one key or a batch at a time."""

from __future__ import annotations

import random

import numpy as np
import pytest

from safecity.anpr.keytable import KEY_BITS, NONE, KeyTable


def _home(key: int, capacity: int) -> int:
    return ((key * 0x9E3779B97F4A7C15) & ((1 << 64) - 1)) >> (64 - (capacity.bit_length() - 1))


def _assert_like(table: KeyTable, expected: dict[int, int], absent: list[int]) -> None:
    probes = list(expected) + absent + [0]
    want = [expected.get(k, NONE) for k in probes]
    assert [table.get(k) for k in probes] == want
    assert table.get_many(np.array(probes, dtype=np.uint64)).tolist() == want
    assert len(table) == len(expected)


@pytest.mark.parametrize("filtered", [False, True])
def test_keys_put_one_by_one_or_in_bulk_are_found_and_others_are_not(filtered: bool) -> None:
    rng = random.Random(1)
    keys = list({rng.randrange(1, 1 << KEY_BITS) for _ in range(6000)})
    one_by_one, bulk = KeyTable(filtered=filtered), KeyTable(filtered=filtered)
    expected = {k: i for i, k in enumerate(keys)}
    for key, value in expected.items():  # grows several times on the way
        one_by_one.put(key, value)
    bulk.put_new(np.array(keys[:3000], dtype=np.uint64), np.arange(3000, dtype=np.int64))
    bulk.put_new(np.array(keys[3000:], dtype=np.uint64), np.arange(3000, len(keys), dtype=np.int64))
    absent = [rng.randrange(1, 1 << KEY_BITS) for _ in range(2000)]
    absent = [k for k in absent if k not in expected]
    for table in (one_by_one, bulk):
        _assert_like(table, expected, absent)
        table.put(keys[0], -5)  # an existing key: its value changes, nothing is added
        _assert_like(table, expected | {keys[0]: -5}, absent)


def test_keys_far_from_their_home_slot_are_found() -> None:
    """Many keys wanting one slot form a long run; a batch must look as far as the run goes."""
    capacity = 1024
    rng = random.Random(2)
    crowd: list[int] = []
    while len(crowd) < 40:
        key = rng.randrange(1, 1 << KEY_BITS)
        if _home(key, capacity) in (100, 101):
            crowd.append(key)
    table, bulk = KeyTable(capacity), KeyTable(capacity)
    expected = {k: i for i, k in enumerate(crowd)}
    for key, value in expected.items():
        table.put(key, value)
    bulk.put_new(np.array(crowd, dtype=np.uint64), np.arange(len(crowd), dtype=np.int64))
    neighbours = [k for k in range(1, 200_000) if _home(k, capacity) in range(98, 145)][:300]
    for t in (table, bulk):
        _assert_like(t, expected, [k for k in neighbours if k not in expected])


def test_keys_out_of_range_are_refused() -> None:
    table = KeyTable()
    with pytest.raises(ValueError):
        table.put(0, 1)
    with pytest.raises(ValueError):
        table.put(1 << KEY_BITS, 1)
    with pytest.raises(ValueError):
        table.put_new(np.array([1 << KEY_BITS], dtype=np.uint64), np.array([1], dtype=np.int64))
