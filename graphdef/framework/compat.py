"""``tf.compat``: string helpers and ``tf.compat.v1`` (graphdef itself: it *is* the v1 API),
plus the v2-behaviour switches TF1-in-TF2 code calls, which are no-ops here."""
from __future__ import annotations

import sys
from typing import Any


def as_bytes(bytes_or_text: Any, encoding: str = "utf-8") -> bytes:
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text: Any, encoding: str = "utf-8") -> str:
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text
as_str_any = str


def __getattr__(name: str) -> Any:
    # tf.compat.v1 is graphdef itself (resolved lazily: graphdef imports this module).
    if name == "v1":
        return sys.modules["graphdef"]
    raise AttributeError(f"module 'graphdef.compat' has no attribute {name!r}")


def disable_v2_behavior() -> None:
    """graphdef always behaves as TF1 graph mode: nothing to disable."""


def disable_eager_execution() -> None:
    """graphdef always builds graphs: nothing to disable."""


def executing_eagerly() -> bool:
    return False


__all__ = ["as_bytes", "as_text", "as_str", "disable_v2_behavior", "disable_eager_execution",
           "executing_eagerly"]
