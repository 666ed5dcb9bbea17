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
    "pack",
    "to_batch",
]

WIDTH = 10  # the longest canonical plate (LEB-07-1234: 9 characters) plus one extra read character
_BITS = 5
OTHER = 31
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


def _code_table(delimiter: int) -> bytes:
    """Compact (upper-case) byte -> 5-bit class code; ``delimiter`` is what NUL becomes."""
    representatives = sorted(set(_ALNUM.translate(CLASS)))
    code = {r: i + 1 for i, r in enumerate(representatives)}
    table = bytearray([OTHER]) * 256
    for byte in _ALNUM:
        table[byte] = code[CLASS[byte]]
    table[0] = delimiter
    return bytes(table)


_CODE = _code_table(OTHER)  # one read: NUL is just another odd byte
_CODE_JOINED = _code_table(0)  # a batch joined with NUL: NUL separates reads
_SHIFTS = [_BITS * (WIDTH - 1 - j) for j in range(WIDTH)]
_POSITION = [31 << s for s in _SHIFTS]
_BEFORE = [sum(_POSITION[:i]) for i in range(WIDTH)]  # bits of the positions before i
_AFTER = [sum(_POSITION[i + 1 :]) for i in range(WIDTH)]  # bits of the positions after i
_NP_SHIFTS = np.array(_SHIFTS, dtype=np.uint64)
_NP_BEFORE = np.array(_BEFORE, dtype=np.uint64)
_NP_AFTER = np.array(_AFTER, dtype=np.uint64)
_COLUMNS = np.arange(WIDTH)

U64 = npt.NDArray[np.uint64]
U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


def pack(compact: bytes) -> int:
    """The packed class key of upper-case, separator-free text of at most `WIDTH` characters."""
    value = 0
    for code in compact.translate(_CODE):
        value = value << _BITS | code
    return value << (_BITS * (WIDTH - len(compact)))


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
    """Many texts' compact characters (``chars``, zero padded), lengths and packed keys."""

    def __init__(self, chars: U8, lengths: I64) -> None:
        self.chars = chars
        self.lengths = lengths
        self.valid: Bool = lengths[:, None] > _COLUMNS
        codes = np.frombuffer(_CODE_JOINED, dtype=np.uint8)[chars]
        self.keys: U64 = (codes.astype(np.uint64) << _NP_SHIFTS).sum(axis=1, dtype=np.uint64)

    def deletions(self) -> U64:
        """(n, WIDTH) keys with one character removed; 0 past each text's end."""
        keys = self.keys[:, None]
        deleted = (keys & _NP_BEFORE) | ((keys & _NP_AFTER) << np.uint64(_BITS))
        deleted[~self.valid] = 0
        return deleted


def to_batch(compacts: bytes, count: int) -> Batch:
    """``count`` compact texts joined by NUL (none containing NUL) as one `Batch`.

    A text longer than `WIDTH` gets length 0: it cannot match any listed plate.
    """
    buffer = np.frombuffer(compacts, dtype=np.uint8)
    ends = np.append(np.flatnonzero(buffer == 0), buffer.size)
    starts = np.empty(count, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = (ends - starts).astype(np.int64)
    lengths[lengths > WIDTH] = 0
    if not buffer.size:
        return Batch(np.zeros((count, WIDTH), dtype=np.uint8), lengths)
    index = np.minimum(starts[:, None] + _COLUMNS, buffer.size - 1)
    chars = np.where(lengths[:, None] > _COLUMNS, buffer[index], 0).astype(np.uint8)
    return Batch(chars, lengths)
