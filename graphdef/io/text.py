"""Text format (pbtxt) reading and writing for GraphDefs.

Output is formatted exactly as TensorFlow's dumps (``text_format.MessageToString``:
two-space indent, fields in schema order, attr maps sorted by key).
"""
from __future__ import annotations

from google.protobuf import text_format
from google.protobuf.message import Message


def parse_text(text: str, message: Message) -> Message:
    """Merge text-format ``text`` into ``message`` (raises text_format.ParseError)."""
    text_format.Parse(text, message)
    return message


def format_text(message: Message) -> str:
    """Text format of ``message``, identical to ``text_format.MessageToString``."""
    return text_format.MessageToString(message)
