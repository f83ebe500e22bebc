"""TensorBoard event files: TFRecord framing (length, masked CRC32C) of ``Event``
messages. Used by ``summary.FileWriter`` to write graphs and by ``load`` to take
the graph out of an event file."""
from __future__ import annotations

import struct
import time
from typing import BinaryIO, Iterator

from graphdef._proto import event_pb2

Event = event_pb2.Event


def _make_table() -> list[int]:
    poly = 0x82F63B78  # CRC-32C (Castagnoli), reflected
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _make_table()


def crc32c(data: bytes) -> int:
    """CRC-32C of ``data`` (pure Python; event records are small)."""
    crc = 0xFFFFFFFF
    t = _TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """One TFRecord: uint64 length, masked CRC of the length, data, masked CRC of data."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", masked_crc32c(header)) + data
            + struct.pack("<I", masked_crc32c(data)))


def looks_like_records(data: bytes) -> bool:
    """True when ``data`` starts with a valid TFRecord header (length + its CRC)."""
    if len(data) < 16:
        return False
    (crc,) = struct.unpack("<I", data[8:12])
    return crc == masked_crc32c(data[:8])


def iter_records(data: bytes, check_data_crc: bool = True) -> Iterator[bytes]:
    """Yield the payloads of the TFRecords in ``data``; ValueError on a corrupt record."""
    pos = 0
    n = len(data)
    while pos < n:
        if n - pos < 12:
            raise ValueError(f"truncated record header at byte {pos}")
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if hcrc != masked_crc32c(header):
            raise ValueError(f"corrupt record header at byte {pos}")
        start = pos + 12
        end = start + length
        if end + 4 > n:
            raise ValueError(f"truncated record at byte {pos}")
        payload = data[start:end]
        if check_data_crc:
            (dcrc,) = struct.unpack("<I", data[end:end + 4])
            if dcrc != masked_crc32c(payload):
                raise ValueError(f"corrupt record data at byte {pos}")
        yield payload
        pos = end + 4


def graph_bytes_from_events(data: bytes) -> bytes | None:
    """Serialized GraphDef of the last graph event in an event file, or None."""
    found = None
    for rec in iter_records(data):
        ev = Event()
        ev.ParseFromString(rec)
        if ev.WhichOneof("what") == "graph_def":
            found = ev.graph_def
    return found


def event_file_name(logdir_prefix: str = "") -> str:
    """``events.out.tfevents.<time>.<host>`` as TensorFlow names them."""
    import socket  # only for this name; the module is not needed to read events
    return f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}{logdir_prefix}"


def write_event(f: BinaryIO, event: Event) -> None:
    f.write(encode_record(event.SerializeToString()))


def file_version_event() -> Event:
    return Event(wall_time=time.time(), file_version="brain.Event:2")


def graph_event(graph_def_bytes: bytes) -> Event:
    return Event(wall_time=time.time(), graph_def=graph_def_bytes)
