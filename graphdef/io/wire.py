"""Protobuf wire-format primitives shared by the code that writes or walks raw
GraphDef bytes (fast text reader, attr interning, the tools' byte-level index,
dedupe's attr rewrites, the synthetic-graph generator)."""
from __future__ import annotations

from itertools import chain, cycle, islice, repeat


def encode_varint_loop(n: int) -> bytes:
    """Varint of any non-negative int, without the table (hot loops use the table first)."""
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


# Lengths and tags below 2**14 are most of what a GraphDef holds: precompute them.
# (Built from two byte values per entry rather than by the loop, and by C-level maps:
# this runs at every process start; the loop took ~10 ms of it, a comprehension ~7.)
SMALL_VARINTS = list(map(bytes, zip(range(0x80)))) + list(map(bytes, zip(
    islice(cycle(range(0x80, 0x100)), (1 << 14) - 0x80),            # low 7 bits, continued
    chain.from_iterable(map(repeat, range(1, 0x80), repeat(0x80))))))  # high 7 bits


def encode_varint(n: int) -> bytes:
    """Base-128 varint of a non-negative int."""
    if n < 16384:
        return SMALL_VARINTS[n]
    return encode_varint_loop(n)


def encode_signed_varint(n: int) -> bytes:
    """Varint of an int32/int64 field value: negatives as 64-bit two's complement."""
    return encode_varint(n) if n >= 0 else encode_varint_loop(n & 0xFFFFFFFFFFFFFFFF)


def decode_varint(b: bytes, pos: int) -> tuple[int, int]:
    """Read a varint at ``pos``; return (value, position after it). IndexError if truncated."""
    value = shift = 0
    while True:
        c = b[pos]
        pos += 1
        value |= (c & 0x7F) << shift
        if c < 0x80:
            return value, pos
        shift += 7


class MessageSequence:
    """Base of the read-only sequences of serialized messages whose items are made on
    access (``tools.wire_scan.NodeBytes``, ``tools.canonical.BlockNodes``): equal to
    any sequence with the same items, so tests and callers compare them with lists.
    Subclasses give ``__len__``, ``__getitem__`` and ``__iter__``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        try:
            return len(self) == len(other) and all(x == y for x, y in zip(self, other))  # type: ignore[arg-type]
        except TypeError:
            return NotImplemented

    __hash__ = None  # type: ignore[assignment]
