"""Fast text-format writer, byte-identical to ``text_format.MessageToString``.

``text_format``'s printer is generic Python that dispatches on every value, copies
every map entry into a new message before printing it, and escapes bytes one at a
time. This printer precomputes, per field descriptor, a small "how to print" record
and uses ``str.translate`` with ``text_format``'s own escape tables, so it is several
times faster while producing the same characters. It covers what GraphDefs use —
every scalar type, nested and repeated messages, maps — and raises
:class:`Unsupported` for the rest (``Any``, extensions, groups, map entries whose
key or scalar value is a default), which :func:`graphdef.io.text.format_text` then
hands to ``text_format``.
"""
from __future__ import annotations

from typing import Any, Callable

import functools
import re

from google.protobuf import descriptor as _d
from google.protobuf import text_encoding
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

__all__ = ["Unsupported", "format_message"]

_F = _d.FieldDescriptor
# text_format's own escape tables (as_utf8=True for strings, always escaped bytes)
_STR_ESCAPES: dict[int, str] = text_encoding._str_escapes  # type: ignore[attr-defined]
_BYTE_ESCAPES: dict[int, str] = text_encoding._byte_escapes  # type: ignore[attr-defined]


class Unsupported(Exception):
    """This message needs ``text_format``'s printer."""


# characters the tables change (checked first: translate is slow on short strings)
_STR_SPECIAL = re.compile("[" + re.escape("".join(map(chr, _STR_ESCAPES))) + "]")
_BYTES_SPECIAL = re.compile(b"[^\x20-\x7e]|[\"'\\\\]")


def _fmt_string(v: str) -> str:
    if _STR_SPECIAL.search(v) is None:
        return '"' + v + '"'
    return '"' + v.translate(_STR_ESCAPES) + '"'


# The same table as fixed 4-byte cells padded with NUL (no escape contains NUL):
# gathering cells with numpy and dropping the padding escapes megabyte
# tensor_content strings several times faster than a per-byte loop. Made on first
# use: numpy is most of the start-up time of a CLI command that never prints one.
@functools.cache
def _byte_cells() -> Any:
    import numpy as np
    return np.array([_BYTE_ESCAPES[i].encode("latin-1").ljust(4, b"\0") for i in range(256)],
                    dtype="S4").view(np.uint32)


def _fmt_bytes(v: bytes) -> str:
    if len(v) < 512:
        if _BYTES_SPECIAL.search(v) is None:
            return '"' + v.decode("ascii") + '"'
        # CEscape(v, as_utf8=False) joins _byte_escapes[c] per byte; latin-1 maps each
        # byte to the code point of the same number, so translate gives the same text.
        return '"' + v.decode("latin-1").translate(_BYTE_ESCAPES) + '"'
    import numpy as np
    cells = _byte_cells()[np.frombuffer(v, np.uint8)].view(np.uint8)
    return '"' + cells[cells != 0].tobytes().decode("latin-1") + '"'


def _fmt_bool(v: bool) -> str:
    return "true" if v else "false"


_FLOAT_CACHE: dict[float, str] = {}


def _fmt_float(v: float) -> str:
    """A float32 as text_format prints it: the shortest decimal that round-trips."""
    s = _FLOAT_CACHE.get(v)
    if s is None:
        if v != v:  # NaN: its own object each time, never cached
            return str(v)
        s = str(type_checkers.ToShortestFloat(v))
        if v == 0.0:  # 0.0 and -0.0 are equal keys; print them uncached
            return s
        if len(_FLOAT_CACHE) > 1 << 16:
            _FLOAT_CACHE.clear()
        _FLOAT_CACHE[v] = s
    return s


def _enum_formatter(field: _d.FieldDescriptor) -> Callable[[int], str]:
    names = {n: v.name for n, v in field.enum_type.values_by_number.items()}

    def fmt(v: int) -> str:
        name = names.get(v)
        return name if name is not None else str(v)
    return fmt


def _scalar_formatter(field: _d.FieldDescriptor) -> Callable[[Any], str]:
    t = field.type
    if t == _F.TYPE_STRING:
        return _fmt_string
    if t == _F.TYPE_BYTES:
        return _fmt_bytes
    if t == _F.TYPE_BOOL:
        return _fmt_bool
    if t == _F.TYPE_ENUM:
        return _enum_formatter(field)
    if t == _F.TYPE_FLOAT:
        return _fmt_float
    return str  # integers and doubles: str(value), as text_format


# field kinds
_SCALAR, _REPEATED_SCALAR, _MESSAGE, _REPEATED_MESSAGE, _MAP = range(5)
_INFO: dict[_d.FieldDescriptor, tuple] = {}
_VALUE_CACHE: dict[tuple, str] = {}


def _field_info(field: _d.FieldDescriptor) -> tuple:
    info = _INFO.get(field)
    if info is None:
        if field.is_extension or field.type == _F.TYPE_GROUP:
            raise Unsupported
        if field.type == _F.TYPE_MESSAGE:
            mtype = field.message_type
            if mtype.full_name == "google.protobuf.Any":
                raise Unsupported
            if mtype.GetOptions().map_entry:
                kf, vf = mtype.fields_by_name["key"], mtype.fields_by_name["value"]
                vmsg = vf.type == _F.TYPE_MESSAGE
                if vmsg and vf.message_type.full_name == "google.protobuf.Any":
                    raise Unsupported
                info = (_MAP, field.name, _scalar_formatter(kf),
                        None if vmsg else _scalar_formatter(vf), vmsg)
            else:
                kind = _REPEATED_MESSAGE if field.is_repeated else _MESSAGE
                info = (kind, field.name, None, None, False)
        else:
            kind = _REPEATED_SCALAR if field.is_repeated else _SCALAR
            info = (kind, field.name + ": ", _scalar_formatter(field), None, False)
        _INFO[field] = info
    return info


def _print(message: Message, indent: str, out: list[str]) -> None:
    write = out.append
    for field, value in message.ListFields():
        kind, name, fmt, vfmt, vmsg = _INFO.get(field) or _field_info(field)
        if kind == _SCALAR:
            write(indent + name + fmt(value) + "\n")
        elif kind == _REPEATED_SCALAR:
            prefix = indent + name
            for v in value:
                write(prefix + fmt(v) + "\n")
        elif kind == _MESSAGE:
            write(indent + name + " {\n")
            _print(value, indent + "  ", out)
            write(indent + "}\n")
        elif kind == _REPEATED_MESSAGE:
            inner = indent + "  "
            opening = indent + name + " {\n"
            closing = indent + "}\n"
            for v in value:
                write(opening)
                _print(v, inner, out)
                write(closing)
        else:
            _print_map(field, value, indent, out, name, fmt, vfmt, vmsg)


def _print_map(field: _d.FieldDescriptor, value: Any, indent: str, out: list[str],
               name: str, kfmt: Callable[[Any], str], vfmt: Callable[[Any], str] | None,
               vmsg: bool) -> None:
    """Map entries sorted by key, as text_format prints its temporary entry messages.

    text_format omits an entry's key (and scalar value) when it equals the default;
    those rare entries are printed through a real entry message, as text_format does.
    """
    write = out.append
    inner = indent + "  "
    opening = indent + name + " {\n"
    closing = indent + "}\n"
    key_prefix = inner + "key: "
    for key in sorted(value):
        v = value[key]
        if not key or (not vmsg and not v):
            write(opening)
            _print(value.GetEntryClass()(key=key, value=v), inner, out)
            write(closing)
            continue
        write(opening)
        write(key_prefix + kfmt(key) + "\n")
        if vmsg:
            write(inner + "value {\n")
            # Attr values repeat a lot (dtypes, shapes, flags): print each distinct one
            # once per indentation. Equal deterministic bytes mean equal content, and
            # the printed text depends on nothing else.
            wire = v.SerializeToString(deterministic=True)
            if len(wire) <= 1024:
                ck = (field, inner, wire)
                text = _VALUE_CACHE.get(ck)
                if text is None:
                    tmp: list[str] = []
                    _print(v, inner + "  ", tmp)
                    text = "".join(tmp)
                    if len(_VALUE_CACHE) > 1 << 15:
                        _VALUE_CACHE.clear()
                    _VALUE_CACHE[ck] = text
                write(text)
            else:
                _print(v, inner + "  ", out)
            write(inner + "}\n")
        else:
            write(inner + "value: " + vfmt(v) + "\n")  # type: ignore[misc]
        write(closing)


def format_message(message: Message) -> str:
    """``text_format.MessageToString(message)`` (default options), faster.

    Raises:
        Unsupported: the message uses something this printer does not cover.
    """
    if message.DESCRIPTOR.full_name == "google.protobuf.Any":
        raise Unsupported
    out: list[str] = []
    _print(message, "", out)
    return "".join(out)

