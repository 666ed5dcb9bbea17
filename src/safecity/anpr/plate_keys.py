"""Confusion-class keys of plate text, packed into integers, one at a time or a batch at once.

A read and a listed plate are compared on their *class key*: upper case,
separators dropped, and each OCR look-alike group (0/O/D/Q, 1/I/L, 8/B, 5/S,
2/Z, 6/G) collapsed to one symbol. That leaves 27 symbols, so a character fits
in 5 bits and a whole key of up to `WIDTH` characters in one uint64 (left
aligned, 0 = no character): exact, with no hashing to collide. Any byte outside
the alphabet becomes `OTHER`, which no listed key contains, so a read holding
one can still match by losing it but never otherwise, as with the bytes keys.

Deleting position ``i`` of a packed key is two masks and a shift, which is what
lets a batch of reads compute all their one-character deletions in numpy.

A text's *raw key* packs its characters the same way before look-alikes are
collapsed (6 bits each): two texts with the same class key differ in as many
look-alike swaps as their raw keys have differing 6-bit groups.

A batch is laid out position-major (one row per character position, one column
per text), so every numpy call runs along a row of a thousand texts instead of
along ten characters a thousand times.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "CLASS",
    "COMPACT",
    "SEPARATORS",
    "WIDTH",
    "Batch",
    "delete",
    "key_of",
    "look_alike_swaps",
    "pack",
    "pack_raw",
    "to_batch",
]

WIDTH = 10  # the longest canonical plate (LEB-07-1234: 9 characters) plus one extra read character
_BITS = 5
_RAW_BITS = 6
OTHER = 31
_RAW_OTHER = 63
_LOOK_ALIKES = (b"0ODQ", b"1IL", b"8B", b"5S", b"2Z", b"6G")
SEPARATORS = b" -._/:|\t\n\r"
_LOWER = b"abcdefghijklmnopqrstuvwxyz"
_ALNUM = _LOWER.upper() + b"0123456789"
# Keys are ASCII bytes: bytes.translate is a C table walk, several times faster
# than str.translate's per-character dict lookups.
COMPACT = bytes.maketrans(_LOWER, _LOWER.upper())
CLASS = bytes.maketrans(
    _LOWER + b"".join(g[1:] for g in _LOOK_ALIKES) + b"".join(g[1:].lower() for g in _LOOK_ALIKES),
    _LOWER.upper()
    + b"".join(g[:1] * (len(g) - 1) for g in _LOOK_ALIKES)
    + b"".join(g[:1] * (len(g) - 1) for g in _LOOK_ALIKES),
)


def _code_table(codes: dict[int, int], other: int, delimiter: int) -> bytes:
    """Compact (upper-case) byte -> code; any other byte -> ``other``; NUL -> ``delimiter``."""
    table = bytearray([other]) * 256
    for byte, code in codes.items():
        table[byte] = code
    table[0] = delimiter
    return bytes(table)


_REPRESENTATIVES = sorted(set(_ALNUM.translate(CLASS)))
_CLASS_CODES = {b: _REPRESENTATIVES.index(CLASS[b]) + 1 for b in _ALNUM}
_RAW_CODES = {b: i + 1 for i, b in enumerate(sorted(_ALNUM))}
_CODE = _code_table(_CLASS_CODES, OTHER, OTHER)  # one read: NUL is just another odd byte
_RAW = _code_table(_RAW_CODES, _RAW_OTHER, _RAW_OTHER)
# A batch joined with NUL: NUL separates reads
_CODE_JOINED = np.frombuffer(_code_table(_CLASS_CODES, OTHER, 0), dtype=np.uint8)
_RAW_JOINED = np.frombuffer(_code_table(_RAW_CODES, _RAW_OTHER, 0), dtype=np.uint8)
_SHIFTS = [_BITS * (WIDTH - 1 - j) for j in range(WIDTH)]
_POSITION = [31 << s for s in _SHIFTS]
_BEFORE = [sum(_POSITION[:i]) for i in range(WIDTH)]  # bits of the positions before i
_AFTER = [sum(_POSITION[i + 1 :]) for i in range(WIDTH)]  # bits of the positions after i
_COLUMN = np.arange(WIDTH)[:, None]
_NP_SHIFTS = np.array(_SHIFTS, dtype=np.uint64)[:, None]
_NP_RAW_SHIFTS = np.array([_RAW_BITS * (WIDTH - 1 - j) for j in range(WIDTH)], dtype=np.uint64)[:, None]
_NP_BEFORE = np.array(_BEFORE, dtype=np.uint64)[:, None]
_NP_AFTER = np.array(_AFTER, dtype=np.uint64)[:, None]
_GROUP_LOW_BITS = np.uint64(sum(1 << (_RAW_BITS * j) for j in range(WIDTH)))
_GROUP_SUM_SHIFT = np.uint64(_RAW_BITS * (WIDTH - 1))

U64 = npt.NDArray[np.uint64]
U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]


def pack(compact: bytes) -> int:
    """The packed class key of upper-case, separator-free text of at most `WIDTH` characters."""
    value = 0
    for code in compact.translate(_CODE):
        value = value << _BITS | code
    return value << (_BITS * (WIDTH - len(compact)))


def pack_raw(compact: bytes) -> int:
    """The packed raw key (no look-alikes collapsed) of text as `pack` takes it."""
    value = 0
    for code in compact.translate(_RAW):
        value = value << _RAW_BITS | code
    return value << (_RAW_BITS * (WIDTH - len(compact)))


def look_alike_swaps(raw: U64, other: U64) -> U64:
    """How many characters differ between texts of equal class keys, from their raw keys."""
    x = raw ^ other
    x |= x >> np.uint64(3)
    x |= (x >> np.uint64(1)) | (x >> np.uint64(2))  # bit 0 of each 6-bit group: the group differs
    # multiplying adds every group's bit 0 into the top group (at most 10: no carries)
    return (((x & _GROUP_LOW_BITS) * _GROUP_LOW_BITS) >> _GROUP_SUM_SHIFT) & np.uint64(63)


def key_of(text: str) -> bytes | None:
    """``text`` upper case without separators, or None when it cannot match (non-ASCII, too long)."""
    try:
        compact = text.encode("ascii").translate(COMPACT, SEPARATORS)
    except UnicodeEncodeError:
        return None  # no plate has non-ASCII characters
    return compact if len(compact) <= WIDTH else None


def delete(key: int, position: int) -> int:
    """``key`` with the character at ``position`` removed."""
    return (key & _BEFORE[position]) | ((key & _AFTER[position]) << _BITS)


class Batch:
    """Many texts' packed class keys, raw keys and lengths; ``codes`` is (`WIDTH`, texts)."""

    def __init__(self, codes: U8, raw_codes: U8, lengths: I64) -> None:
        self.codes = codes
        self.lengths = lengths
        self.keys: U64 = (codes.astype(np.uint64) << _NP_SHIFTS).sum(axis=0, dtype=np.uint64)
        self.raw: U64 = (raw_codes.astype(np.uint64) << _NP_RAW_SHIFTS).sum(axis=0, dtype=np.uint64)

    def deletions(self, texts: I64 | None = None) -> U64:
        """(`WIDTH`, len(texts)) keys of ``texts`` (all by default) with one character removed.

        0 past each text's end, and where removing the character before gives the same key
        (in a run of one class symbol), so that each distinct deletion appears once.
        """
        keys, codes = (self.keys, self.codes) if texts is None else (self.keys[texts], self.codes[:, texts])
        deleted = (keys & _NP_BEFORE) | ((keys & _NP_AFTER) << np.uint64(_BITS))
        distinct = codes != 0
        distinct[1:] &= codes[1:] != codes[:-1]
        deleted *= distinct
        return deleted


def to_batch(compacts: bytes, count: int) -> Batch:
    """``count`` compact texts joined by NUL (none containing NUL) as one `Batch`.

    A text longer than `WIDTH` gets length 0: it cannot match any listed plate.
    """
    buffer = np.frombuffer(compacts, dtype=np.uint8)
    starts = np.empty(count, dtype=np.intp)
    starts[0] = 0
    starts[1:] = np.flatnonzero(buffer == 0) + 1
    lengths = np.empty(count, dtype=np.int64)
    lengths[:-1] = starts[1:] - starts[:-1] - 1
    lengths[-1] = buffer.size - starts[-1]
    lengths[lengths > WIDTH] = 0
    if not buffer.size:
        empty = np.zeros((WIDTH, count), dtype=np.uint8)
        return Batch(empty, empty, lengths)
    chars = buffer.take(starts + _COLUMN, mode="clip")
    chars *= lengths > _COLUMN
    return Batch(_CODE_JOINED.take(chars), _RAW_JOINED.take(chars), lengths)
