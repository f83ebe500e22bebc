"""Text format (pbtxt) reading and writing for GraphDefs.

Output is formatted exactly as TensorFlow's dumps (``text_format.MessageToString``:
two-space indent, fields in schema order, attr maps sorted by key).

Both directions have a fast path (``fasttext``: text → wire bytes → protobuf's C
parser; ``fastformat``: a descriptor-driven printer) and fall back to
``google.protobuf.text_format`` for anything the fast path does not vouch for, so
results — messages, output text and error messages with line/column — are always
``text_format``'s own.
"""
from __future__ import annotations

from google.protobuf import text_format
from google.protobuf.message import Message

from graphdef.io import fastformat, fasttext


def parse_text(text: str, message: Message) -> Message:
    """Merge text-format ``text`` into ``message`` (raises text_format.ParseError).

    Equivalent to ``text_format.Parse(text, message)``, 5-10x faster on GraphDefs.
    """
    if isinstance(text, str) and message.ByteSize() == 0:
        try:
            return fasttext.parse_into(text, message)
        except fasttext.Unsupported:
            message.Clear()  # a failed ParseFromString may leave a partial message
    text_format.Parse(text, message)
    return message


def text_to_wire(data: bytes | str, message_type: type[Message] | None = None) -> bytes | None:
    """The wire bytes of a text-format message (a GraphDef unless ``message_type``
    says otherwise), or None where the fast reader does not vouch for the text.

    For readers that never build the message (the tools' byte-level index reads
    .pbtxt exactly as it reads .pb); None sends the caller to ``parse_text``, which
    gives the message or ``text_format``'s error with its line and column.
    """
    if message_type is None:
        from graphdef._proto.graph_pb2 import GraphDef as message_type
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return fasttext.parse_wire(text, message_type.DESCRIPTOR)
    except (fasttext.Unsupported, UnicodeDecodeError):
        return None


def text_to_blocks(data: bytes | str, message_type: type[Message] | None = None
                   ) -> fasttext.Blocks | None:
    """A text GraphDef (or ``message_type``) read per top-level ``node`` block: names,
    the op/input strings of each distinct body, the wire bytes of the rest (see
    ``fasttext.parse_blocks``); None where the text is not such a dump or the fast
    reader does not vouch for it.

    For the tools' index, which works per node and never needs the joined bytes.
    """
    if message_type is None:
        from graphdef._proto.graph_pb2 import GraphDef as message_type
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        return None
    return fasttext.parse_blocks(text, message_type.DESCRIPTOR)


def format_text(message: Message) -> str:
    """Text format of ``message``, identical to ``text_format.MessageToString``."""
    try:
        return fastformat.format_message(message)
    except fastformat.Unsupported:
        return text_format.MessageToString(message)
