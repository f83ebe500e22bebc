"""Fast text-format (pbtxt) reader: text → protobuf wire bytes → ``ParseFromString``.

``google.protobuf.text_format.Parse`` is pure Python and reads about 1–3 MB/s; real
GraphDef dumps are megabytes, so reading was the bottleneck of every command. This
reader turns the text straight into wire bytes, driven by the message descriptors
(generic: any message type, maps as repeated entry messages, proto2/proto3
presence, oneofs, enums by name or number), and lets protobuf's C parser build the
message. Two strategies, tried in order:

* line mode — every ``MessageToString`` dump has exactly one statement per line and
  its lines repeat massively (``  attr {``, ``    key: "T"``, ``}``), so each distinct
  line of each message type is parsed once into an action (append these bytes, open
  a sub-message, close) and later lines cost one dict lookup;
* the statement scanner — one compiled regular expression matches one statement
  (``name: value``, ``name {``, ``}``, ``name: [..]``) per step, for any layout.

Correctness rule: the fast path either produces exactly the message
``text_format.Parse`` would, or raises :class:`Unsupported` — never a different
message. Everything it is not *sure* about (a field set twice, an unknown field, an
escape it did not verify, extensions, ``Any``, a comment inside a ``[..]`` list, a
syntax error of any kind) is "unsupported", and :func:`graphdef.io.text.parse_text`
then runs ``text_format`` itself, which produces the message or the exact error with
its line and column. Scalar values are converted with ``text_format``'s own
functions (``ParseInteger``, ``ParseFloat``, ``CUnescape`` — or only its last step
where its first two provably change nothing) wherever the conversion is not a
trivial decimal or a plain string, so the two readers cannot disagree about a
value's meaning.
"""
from __future__ import annotations

import functools
import re
import struct
import sys
import warnings
from itertools import accumulate, compress, repeat
from operator import add, and_, attrgetter, getitem, itemgetter, or_, sub
from typing import Any, Callable, NamedTuple

from google.protobuf import descriptor as _d
from google.protobuf import text_encoding, text_format
from google.protobuf.message import Message

from graphdef.io.wire import SMALL_VARINTS as _SMALL_VARINTS
from graphdef.io.wire import decode_varint, encode_signed_varint, encode_varint, encode_varint_loop

__all__ = ["Unsupported", "Blocks", "parse_wire", "parse_into", "parse_blocks"]


class Unsupported(Exception):
    """The fast path cannot vouch for this input; use ``text_format`` instead."""


# --- tokens (the same token grammar as text_format.Tokenizer) ------------------
# Possessive quantifiers (Python >= 3.11) never change what these patterns match —
# each repeated class is followed by a character it excludes — but make megabyte
# string literals about 3x faster to match.
_P = "+" if sys.version_info >= (3, 11) else ""
# Whitespace and ``#`` comments. The lookahead pins a comment to the end of its
# line so the pattern has one way to match (no catastrophic backtracking).
_WS = rf"\s*{_P}(?:#[^\n]*{_P}(?![^\n])\s*{_P})*{_P}"
_IDENT = rf"[A-Za-z_][0-9A-Za-z_+-]*{_P}(?![0-9A-Za-z_+-])"
_NUMBER = rf"(?:[0-9+-]|\.[0-9])[0-9A-Za-z_.+-]*{_P}(?![0-9A-Za-z_.+-])"
_STR = (rf""""[^"\n\\]*{_P}(?:\\.[^"\n\\]*{_P})*{_P}"|"""
        rf"""'[^'\n\\]*{_P}(?:\\.[^'\n\\]*{_P})*{_P}'""")
_TOK = f"{_IDENT}|{_NUMBER}"
# Value of a ``[..]`` scalar list: no comments allowed inside (see _list_values).
_LVAL = rf"(?:{_STR})(?:\s*(?:{_STR}))*|{_TOK}"

# One statement per match. Groups, in order:
#  1 name  2 colon  3 open-brace  4 first string  5 more adjacent strings
#  6 scalar token  7 scalar/empty list  8 message-list open  9 separator after value
# 10 close-brace  11 separator after close  12 list-element open
# 13 list close  14 separator after list close  15 end of text
def _statement_pattern(ws: str) -> re.Pattern[str]:
    return re.compile(
        ws + "(?:"
        + f"({_IDENT}){ws}(:)?{ws}(?:"
        + "([{<])"
        + f"|({_STR})((?:{ws}(?:{_STR}))*)"
        + f"|({_TOK})"
        + rf"|(\[\s*(?:(?:{_LVAL})\s*(?:,\s*(?:{_LVAL})\s*)*)?\])"
        + r"|(\[)"
        + f"){ws}([,;])?"
        + f"|([}}>]){ws}([,;])?"
        + "|([{<])"
        + rf"|(\]){ws}([,;])?"
        + r"|(\Z))"
    )


# Both compiled on first need (~3 ms each, a fifth of a short command's reading): a
# dump's lines are mostly plain strings and the simple lines of _SIMPLE_LINE.
_stmt = functools.cache(lambda: _statement_pattern(_WS))
# Without comments, plain whitespace makes the pattern about twice as fast.
_stmt_no_comments = functools.cache(lambda: _statement_pattern(rf"\s*{_P}"))
# A line that is only `}`, `name {` or `name: token` (token as in the statement
# pattern), indented by spaces: where it matches, the statement pattern matches the
# line with the same groups (the rest of its groups unset).
_SIMPLE_LINE = re.compile(rf" *(?:(\}})|({_IDENT}) \{{|({_IDENT}): ({_TOK}))").fullmatch
# For adjacent strings, scalar lists and escapes: compiled on first need (~2 ms).
_more_str = functools.cache(lambda: re.compile(rf"{_WS}({_STR})"))
_list_val = functools.cache(lambda: re.compile(rf"((?:{_STR})(?:\s*(?:{_STR}))*)|({_TOK})"))
_list_str = functools.cache(lambda: re.compile(_STR))
_hex1 = functools.cache(lambda: re.compile(r"\\x[0-9a-fA-F](?![0-9a-fA-F])"))
_esc_ux = functools.cache(lambda: re.compile(r"\\[uUx]"))


# --- wire encoding --------------------------------------------------------------
_varint = encode_varint
_varint_slow = encode_varint_loop
_signed_varint = encode_signed_varint


_F = _d.FieldDescriptor
_INT_KIND = {  # field type -> (is_signed, is_long, encode)
    _F.TYPE_INT32: (True, False, _signed_varint),
    _F.TYPE_INT64: (True, True, _signed_varint),
    _F.TYPE_UINT32: (False, False, _varint),
    _F.TYPE_UINT64: (False, True, _varint),
    _F.TYPE_SINT32: (True, False, lambda n: _varint((n << 1) ^ (n >> 31))),
    _F.TYPE_SINT64: (True, True, lambda n: _varint((n << 1) ^ (n >> 63))),
    _F.TYPE_FIXED32: (False, False, struct.Struct("<I").pack),
    _F.TYPE_FIXED64: (False, True, struct.Struct("<Q").pack),
    _F.TYPE_SFIXED32: (True, False, struct.Struct("<i").pack),
    _F.TYPE_SFIXED64: (True, True, struct.Struct("<q").pack),
}
_WIRE_TYPE = {
    _F.TYPE_INT32: 0, _F.TYPE_INT64: 0, _F.TYPE_UINT32: 0, _F.TYPE_UINT64: 0,
    _F.TYPE_SINT32: 0, _F.TYPE_SINT64: 0, _F.TYPE_BOOL: 0, _F.TYPE_ENUM: 0,
    _F.TYPE_FIXED32: 5, _F.TYPE_SFIXED32: 5, _F.TYPE_FLOAT: 5,
    _F.TYPE_FIXED64: 1, _F.TYPE_SFIXED64: 1, _F.TYPE_DOUBLE: 1,
    _F.TYPE_STRING: 2, _F.TYPE_BYTES: 2, _F.TYPE_MESSAGE: 2,
}
_BOOLS = {"true": b"\x01", "t": b"\x01", "1": b"\x01", "True": b"\x01",
          "false": b"\x00", "f": b"\x00", "0": b"\x00", "False": b"\x00"}
_RANGES = {(True, False): (-(1 << 31), (1 << 31) - 1), (False, False): (0, (1 << 32) - 1),
           (True, True): (-(1 << 63), (1 << 63) - 1), (False, True): (0, (1 << 64) - 1)}
_pack_f = struct.Struct("<f").pack
_pack_d = struct.Struct("<d").pack
_CACHE_LIMIT = 1 << 13  # per field; values repeat (0, 1, DT_FLOAT), unique ones churn


def _int_encoder(ftype: int) -> Callable[[str], bytes]:
    signed, long, enc = _INT_KIND[ftype]
    lo, hi = _RANGES[(signed, long)]

    def encode(tok: str) -> bytes:
        body = tok[1:] if tok[0] == "-" else tok
        if body.isdigit() and (body[0] != "0" or len(body) == 1):
            n = int(tok)
            if not lo <= n <= hi:
                raise Unsupported
        else:  # hex, octal, '+', '_' ...: text_format's own conversion and range check
            try:
                n = text_format.ParseInteger(tok, is_signed=signed, is_long=long)
            except Exception as e:
                raise Unsupported from e
        return enc(n)
    return encode


def _float_encoder(pack: Callable[[float], bytes]) -> Callable[[str], bytes]:
    def encode(tok: str) -> bytes:
        try:
            return pack(text_format.ParseFloat(tok))
        except Exception as e:  # bad token, or out of float32 range (OverflowError)
            raise Unsupported from e
    return encode


def _bool_encoder(tok: str) -> bytes:
    try:
        return _BOOLS[tok]
    except KeyError:
        raise Unsupported from None


def _enum_encoder(field: _d.FieldDescriptor) -> Callable[[str], bytes]:
    etype = field.enum_type
    by_name = {v.name: v.number for v in etype.values}
    numbers = {v.number for v in etype.values}
    closed = etype.is_closed

    def encode(tok: str) -> bytes:
        try:
            n = int(tok, 0)  # as text_format.ParseEnum: a number first, then a name
        except ValueError:
            if tok not in by_name:
                raise Unsupported from None
            n = by_name[tok]
        else:
            if (closed and n not in numbers) or not -(1 << 31) <= n < (1 << 31):
                raise Unsupported
        return _signed_varint(n)
    return encode


def _needs_full_unescape(body: str) -> bool:
    """Whether ``body`` holds a ``\\u``/``\\U``/single-digit ``\\x`` escape that
    CUnescape's first two steps would change.

    A backslash starts an escape only after an even run of backslashes (``\\\\u``
    is an escaped backslash, then ``u``); the literal two-character search is fast
    even on megabyte strings full of octal escapes.
    """
    for m in _esc_ux().finditer(body):
        i = m.start()
        j = i
        while j and body[j - 1] == "\\":
            j -= 1
        if (i - j) & 1:
            continue  # this backslash is itself escaped
        c = body[i + 1]
        if c != "x" or _hex1().match(body, i):
            return True
    return False


def _unescape(body: str) -> bytes:
    """``text_encoding.CUnescape(body)``, skipping its steps that are no-ops here.

    CUnescape first rewrites single-digit hex escapes with a regex (slow on megabyte
    ``tensor_content`` strings) and round-trips through ``raw_unicode_escape``; for
    ASCII text without ``\\u``/``\\U`` and without a single-digit ``\\x`` escape
    both steps change nothing, so only its final decoding step is run.
    """
    if not body.isascii() or _needs_full_unescape(body):
        with warnings.catch_warnings():  # Python warns on "\\q"; text_format accepts it
            warnings.simplefilter("ignore", DeprecationWarning)
            return text_encoding.CUnescape(body)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return body.encode("ascii").decode("unicode_escape").encode("latin-1")


def _string_bytes(first: str, more: str | None, is_text: bool) -> bytes:
    """Bytes of one string value: a literal plus adjacent literals (concatenated)."""
    body = first[1:-1]
    try:
        if "\\" in body:
            data = _unescape(body)
            escaped = True
        else:
            data = body.encode("utf-8")
            escaped = False
        if more:
            parts = [data]
            for m in _more_str().finditer(more):
                lit = m.group(1)[1:-1]
                if "\\" in lit:
                    escaped = True
                    parts.append(_unescape(lit))
                else:
                    parts.append(lit.encode("utf-8"))
            data = b"".join(parts)
        if escaped and is_text:
            data.decode("utf-8")  # text_format rejects strings that are not UTF-8
    except Exception as e:
        raise Unsupported from e
    return data


class _Field:
    """How one field of one message type is read: wire tag, encoder, nesting."""

    __slots__ = ("tag", "key", "bit", "repeated", "msg", "scalar", "is_str", "is_text", "cache")

    def __init__(self, field: _d.FieldDescriptor):
        wt = _WIRE_TYPE[field.type]
        self.tag = _varint((field.number << 3) | wt)
        self.repeated = field.is_repeated
        # singular fields may appear once; all members of a oneof share one key
        oneof = field.containing_oneof
        self.key: Any = None if self.repeated else (
            ("oneof", oneof.name) if oneof is not None else field.number)
        self.bit = 0  # the key as one bit of a mask (set by _message_info); 0: repeated
        self.msg: _Message | None = None
        self.scalar: Callable[[str], bytes] | None = None
        self.is_str = field.type in (_F.TYPE_STRING, _F.TYPE_BYTES)
        self.is_text = field.type == _F.TYPE_STRING
        self.cache: dict[str, bytes] = {}
        t = field.type
        if t == _F.TYPE_MESSAGE:
            self.msg = _message_info(field.message_type)
        elif t == _F.TYPE_GROUP:
            raise Unsupported
        elif t in _INT_KIND:
            self.scalar = _int_encoder(t)
        elif t == _F.TYPE_FLOAT:
            self.scalar = _float_encoder(_pack_f)
        elif t == _F.TYPE_DOUBLE:
            self.scalar = _float_encoder(_pack_d)
        elif t == _F.TYPE_BOOL:
            self.scalar = _bool_encoder
        elif t == _F.TYPE_ENUM:
            self.scalar = _enum_encoder(field)

    def encode_token(self, tok: str) -> bytes:
        """Tag + value for an identifier/number token (memoised: graphs repeat values)."""
        out = self.cache.get(tok)
        if out is None:
            if self.scalar is None:  # message or string field given a bare token
                raise Unsupported
            out = self.tag + self.scalar(tok)
            if len(self.cache) > _CACHE_LIMIT:
                self.cache.clear()
            self.cache[tok] = out
        return out

    def encode_string(self, first: str, more: str | None) -> bytes:
        if not self.is_str:
            raise Unsupported
        data = _string_bytes(first, more, self.is_text)
        return self.tag + _varint(len(data)) + data


class _Message:
    __slots__ = ("fields", "supported", "str_prefixes")

    def __init__(self) -> None:
        self.fields: dict[str, _Field] = {}
        self.supported = True
        # line prefix (indent + field name) → its string field, or None: see _plain_string
        self.str_prefixes: dict[str, _Field | None] = {}


_INFO: dict[_d.Descriptor, _Message] = {}


def _message_info(desc: _d.Descriptor) -> _Message:
    info = _INFO.get(desc)
    if info is None:
        info = _INFO[desc] = _Message()  # registered first: recursive types
        if desc.full_name == "google.protobuf.Any" or desc.is_extendable:
            info.supported = False  # '[type.url]' / '[extension]' syntax: text_format's job
        try:
            info.fields = {f.name: _Field(f) for f in desc.fields}
        except Unsupported:
            info.supported = False
        bits: dict[Any, int] = {}
        for fi in info.fields.values():
            if fi.key is not None:
                fi.bit = bits.setdefault(fi.key, 1 << len(bits))
    return info


def _list_values(fi: _Field, text: str, out: list[bytes]) -> None:
    """Encode the values of a ``name: [v, v, ...]`` scalar list (already validated)."""
    inner = text[1:-1]
    if "#" in inner:  # a comment could hide quotes or commas; let text_format read it
        raise Unsupported
    for m in _list_val().finditer(inner):
        s, tok = m.groups()
        if s is not None:
            lits = _list_str().findall(s)
            first, rest = lits[0], " ".join(lits[1:])
            out.append(fi.encode_string(first, rest or None))
        else:
            out.append(fi.encode_token(tok))


def parse_wire(text: str, desc: _d.Descriptor) -> bytes:
    """Wire bytes of the message of type ``desc`` written as ``text``.

    Raises:
        Unsupported: anything the fast path does not handle or that is not valid
            text format; the caller then uses ``text_format``.
    """
    root = _message_info(desc)
    if not root.supported:
        raise Unsupported
    try:
        return _blocks(text, root)
    except _NotLines:
        pass
    try:
        return _lines(text, root)
    except _NotLines:
        pass
    # '#' mostly occurs inside strings (tensor_content bytes); the comment-free
    # pattern never accepts a comment, so it is tried first and a failure on a text
    # with '#' is retried with the comment-aware pattern.
    try:
        return _scan(text, desc, _stmt_no_comments())
    except Unsupported:
        if "#" not in text:
            raise
    return _scan(text, desc, _stmt())


# --- line mode: one statement per line, as every MessageToString dump is written ------
class _NotLines(Exception):
    """Some line is not exactly one statement: use the statement scanner instead."""


_SCALAR, _OPEN, _CLOSE, _BLANK = range(4)
# `  name: "text"` with no escapes: what the full grammar reads as one string value
_PREFIX = re.compile(r' *([A-Za-z_][0-9A-Za-z_]*)').fullmatch
_NO_FIELD: Any = object()


def _prefix_field(pre: str, info: _Message) -> _Field | None:
    """The string field a line prefix (indent + field name) sets, else None (cached)."""
    prefixes = info.str_prefixes
    fi = prefixes.get(pre, _NO_FIELD)
    if fi is _NO_FIELD:
        m = _PREFIX(pre)
        f = info.fields.get(m.group(1)) if m is not None else None
        fi = f if f is not None and f.is_str else None
        if m is not None and len(prefixes) < 1024:
            prefixes[pre] = fi
    return fi


def _plain_string(line: str, info: _Message) -> tuple[bytes, int] | None:
    """Wire bytes and singular-field bit of a ``  name: "text"`` line without escapes
    (what the full grammar reads as one plain string value), else None.

    Node names and inputs are most of a dump's distinct lines, so this is the hot
    miss path: the line is cut at ``: "`` and its prefix (indent + field name) looked
    up in a per-message-type map, which costs about a third of a regex match.
    """
    pre, _, value = line.partition(': "')
    fi = _prefix_field(pre, info)
    if fi is None or value[-1:] != '"':
        return None
    value = value[:-1]
    if '"' in value or "\\" in value:
        return None
    data = value.encode("utf-8")
    n = len(data)
    return fi.tag + (_SMALL_VARINTS[n] if n < 16384 else _varint_slow(n)) + data, fi.bit
_LINE_CACHE_LIMIT = 1 << 17


def _line_action(line: str, fields: dict[str, _Field]) -> tuple:
    """What one line does in a message with ``fields`` (cached per message type).

    Sound because tokens never span lines (strings cannot hold a raw newline, comments
    end at one), so when every line is exactly one statement the text's statements
    are the lines' statements; anything else (two statements on a line, a value or
    adjacent string on the next line, a list of messages) raises _NotLines.
    """
    if not line.strip(" "):
        return (_BLANK,)  # as the statement pattern reads it: whitespace, then the end
    simple = _SIMPLE_LINE(line)
    if simple is not None:
        close, opened, name, tok = simple.groups()
        if opened is not None:
            name, colon, opn = opened, None, "{"
        else:
            colon, opn = (":" if name is not None else None), None
        s1 = smore = slist = mlist = sep = lopen = rbr = end = None
    else:
        m = _stmt().match(line)
        if m is None or m.end() != len(line):
            raise _NotLines
        (name, colon, opn, s1, smore, tok, slist, mlist, sep,
         close, _csep, lopen, rbr, _rsep, end) = m.groups()
    if name is not None:
        fi = fields.get(name)
        if fi is None:
            raise Unsupported
        if opn is not None:
            sub = fi.msg
            if sub is None or not sub.supported or sep is not None:
                raise Unsupported
            return (_OPEN, sub, fi.bit, fi.tag, "}" if opn == "{" else ">")
        if mlist is not None:
            raise _NotLines
        if colon is None and slist is None:
            raise Unsupported
        if s1 is not None:
            return (_SCALAR, fi.encode_string(s1, smore), fi.bit)
        if tok is not None:
            return (_SCALAR, fi.encode_token(tok), fi.bit)
        if not fi.repeated:
            raise Unsupported
        if fi.msg is not None:
            if slist.strip("[] \t\r\n\f\v"):
                raise Unsupported
            return (_BLANK,)
        if colon is None:
            raise Unsupported
        out: list[bytes] = []
        _list_values(fi, slist, out)
        return (_SCALAR, b"".join(out), 0)
    if close is not None:
        return (_CLOSE, close)
    if end is not None:  # blank or comment-only line
        return (_BLANK,)
    raise _NotLines  # '{' / ']' of a list of messages


def _action(line: str, info: _Message, caches: dict[_Message, dict[str, tuple]]) -> tuple:
    """The cached action of ``line`` in a message of type ``info`` (computed on a miss).

    Actions: ``(SCALAR, wire bytes, singular-field bit, size)``, ``(OPEN, info, bit,
    tag, closing char, line cache)``, ``(CLOSE, char)``, ``(BLANK,)``.
    """
    lc = caches.get(info)
    if lc is None:
        lc = caches[info] = {}
    r = lc.get(line)
    if r is not None:
        return r
    # Distinct lines are mostly `name: "plain string"` (node names, inputs): handled
    # before the full grammar.
    p = _plain_string(line, info)
    if p is not None:
        r = (_SCALAR, p[0], p[1], len(p[0]))
    else:
        r = _line_action(line, info.fields)
        if r[0] == _OPEN:
            sub = caches.get(r[1])
            if sub is None:
                sub = caches[r[1]] = {}
            r = r + (sub,)
        elif r[0] == _SCALAR:
            r = r + (len(r[1]),)
    if len(lc) < _LINE_CACHE_LIMIT:
        lc[line] = r
    return r


def _lines(text: str, root: _Message) -> bytes:
    """Wire bytes of ``text`` read in line mode (raises _NotLines / Unsupported)."""
    return _lines_core(text, root, {})[0]


def _lines_core(text: str, root: _Message, caches: dict[_Message, dict[str, tuple]]
                ) -> tuple[bytes, int]:
    """Line-mode loop: one cached dict lookup per line instead of a regex match.

    Lines repeat massively in GraphDef dumps (``  attr {``, ``    key: "T"``,
    ``      type: DT_FLOAT``, ``}``), so each distinct line of each message type is
    parsed once into an action: append these wire bytes, open a sub-message, close.
    An open action carries everything about the sub-message (its fields, its line
    cache, its tag and closing character), so entering one is a tuple push; the
    singular fields already set are bits of an int mask.

    Returns the wire bytes of ``text`` as the body of a ``root`` message and the
    mask of ``root``'s singular fields it sets (a caller joining bodies checks them).
    """
    small = _SMALL_VARINTS
    root_cache = caches.get(root)
    if root_cache is None:
        root_cache = caches[root] = {}
    # current message: `cur` = its open action (kind, info, bit, tag, close, line cache)
    cur: tuple = (_OPEN, root, 0, b"", "", root_cache)
    lc = root_cache
    # One flat list of wire pieces for the whole text, and its running size in bytes. An
    # open sub-message leaves a slot for its head (tag + body length) and remembers the
    # size so far; its close writes the head into the slot. No bytes are copied or joined
    # until the end.
    chunks: list[bytes] = []
    append = chunks.append
    size = 0
    mask = 0
    stack: list[tuple] = []
    push = stack.append
    pop = stack.pop
    SCALAR, OPEN, CLOSE = _SCALAR, _OPEN, _CLOSE
    try:
        for line in text.split("\n"):
            r = lc.get(line)
            if r is None:
                r = _action(line, cur[1], caches)
            kind = r[0]
            if kind == SCALAR:
                bit = r[2]
                if bit:
                    if mask & bit:
                        raise Unsupported
                    mask |= bit
                append(r[1])
                size += r[3]
            elif kind == CLOSE:
                if r[1] != cur[4]:
                    raise Unsupported
                tag = cur[3]
                cur, at, start, mask = pop()
                n = size - start
                head = tag + (small[n] if n < 16384 else _varint_slow(n))
                chunks[at] = head
                size += len(head)
                lc = cur[5]
            elif kind == OPEN:
                bit = r[2]
                if bit:
                    if mask & bit:
                        raise Unsupported
                    mask |= bit
                push((cur, len(chunks), size, mask))
                append(b"")  # the head's slot
                cur = r
                lc = r[5]
                mask = 0
    except UnicodeError as e:
        raise Unsupported from e
    if stack:
        raise Unsupported
    return b"".join(chunks), mask


# --- block mode: line mode with whole top-level messages memoised ------------------
_OPENER = re.compile(r"([A-Za-z_][0-9A-Za-z_]*) \{").fullmatch
_BLOCK_CLOSE = "\n}\n"


def _blocks(text: str, root: _Message) -> bytes:
    """Line mode for a dump of top-level ``node {`` blocks, with whole blocks memoised.

    Even one lookup per line is most of the cost of reading a lazy-loading dump:
    ``Add_17`` is twelve lines of which only the name is new. A ``MessageToString``
    dump writes each top-level message as ``node {`` … ``}`` with the closing brace
    alone at column 0, and nothing nested ever starts a line with ``}`` there, so
    splitting the text at ``"\n}\n"`` yields the blocks. A block's body after its
    first line (the name) is looked up in a memo of bodies already read; only a new
    body is read by :func:`_block_bodies`. The per-block steps — cutting
    off the first line, encoding the names, the memo lookups, the lengths and the
    final interleaving — are ``map`` calls over all blocks at once, so they run in C;
    Python-level work is left only for bodies not seen before.

    Sound because of what is checked, not assumed: a body is accepted only when
    line mode reads it as exactly one complete message (no close below its own
    level, nothing left open), and then line mode over the whole text would read
    the opener, those lines and ``}`` identically; the first line's singular-field
    bit is checked against the bits the rest sets. Every piece that is not such a
    block (the first one that is not, and everything after it: ``versions``,
    ``library``) is read by :func:`_lines_core` at the root. Anything unexpected
    raises _NotLines, and the caller reads the whole text in plain line mode, which
    reports real errors as Unsupported.
    """
    fi, firsts, rests, distinct, trailer, caches = _split_blocks(text, root)
    try:
        heads, bits = _plain_strings(firsts, fi.msg, caches)
        del firsts
        found = dict(zip(distinct, _block_bodies(distinct, fi.msg, caches, {})))
    except Unsupported:
        raise _NotLines from None
    values = list(map(found.__getitem__, rests))
    del rests, distinct, found
    if any(map(and_, bits, map(itemgetter(1), values))):
        raise _NotLines  # the first line's field set again
    rest_bytes = list(map(itemgetter(0), values))
    k = len(heads)
    sizes = list(map(add, map(len, heads), map(len, rest_bytes)))
    varint = _SMALL_VARINTS.__getitem__ if not sizes or max(sizes) < 16384 else _varint
    pieces: list[bytes] = [b""] * (4 * k + 1)
    pieces[0:4 * k:4] = [fi.tag] * k
    pieces[1:4 * k:4] = list(map(varint, sizes))
    pieces[2:4 * k:4] = heads
    pieces[3:4 * k:4] = rest_bytes
    pieces[-1] = trailer
    return b"".join(pieces)


def _split_blocks(text: str, root: _Message) -> tuple[_Field, list[str], list[str], list[str],
                                                      bytes, dict[_Message, dict[str, tuple]]]:
    """The blocks of :func:`_blocks`: their field, per block its first line and the
    rest of its body, the distinct bodies (in file order), the wire bytes of what
    follows the blocks, and the line caches (raises _NotLines)."""
    nl = text.find("\n")
    m = _OPENER(text, 0, nl) if nl > 0 else None
    fi = root.fields.get(m.group(1)) if m is not None else None
    if fi is None or not fi.repeated or fi.msg is None or not fi.msg.supported:
        raise _NotLines
    info = fi.msg
    opener = text[:nl + 1]
    if not text.endswith("\n"):
        text += "\n"
    caches: dict[_Message, dict[str, tuple]] = {info: {}}
    parts = text.split(_BLOCK_CLOSE)
    last = len(parts) - 1
    is_block = list(map(str.startswith, parts[:last], repeat(opener)))
    k = is_block.index(False) if False in is_block else last
    # opener line, first line, the rest: one split per block (a block of two lines
    # or fewer gets its missing parts from the padded comprehension)
    cut = list(map(str.split, parts[:k], repeat("\n"), repeat(2)))
    if cut and min(map(len, cut)) < 3:
        cut = [c + [""] * (3 - len(c)) for c in cut]
    firsts = list(map(itemgetter(1), cut))
    rests = list(map(itemgetter(2), cut))
    del cut
    # each distinct body is read once (dict keys keep file order)
    distinct = list(dict.fromkeys(rests))
    try:
        trailer = _lines_core(_BLOCK_CLOSE.join(parts[k:]) if k < last else parts[k],
                              root, caches)[0]
    except Unsupported:
        raise _NotLines from None
    return fi, firsts, rests, distinct, trailer, caches


class Blocks(NamedTuple):
    """A dump of top-level blocks read per block (:func:`parse_blocks`).

    Attributes:
        names: per block, the string of its first line.
        body_of: per block, the number of its body (the lines after the first);
            blocks with the same body text share one number.
        values: the strings of each distinct body's lines before its first
            sub-message, all bodies in turn: body ``j``'s are
            ``values[starts[j]:starts[j + 1]]``, the ``head`` field's value first,
            then the ``items`` field's values.
        starts: see ``values``.
        tails: per distinct body, the wire bytes of the rest (one object per
            distinct text).
        trailer: the wire bytes of the fields after the blocks.
    """

    names: list[str]
    body_of: list[int]
    values: list[str]
    starts: list[int]
    tails: list[bytes]
    trailer: bytes


def parse_blocks(text: str, desc: _d.Descriptor, first: str = "name", head: str = "op",
                 items: str = "input") -> Blocks | None:
    """A ``MessageToString`` dump of top-level blocks laid out as a GraphDef's nodes
    (``node {``, then ``  name: "..."``, ``  op: "..."``, ``  input: "..."`` lines, then
    sub-messages and other fields), read without joining it into one message (see
    :class:`Blocks`); ``first``, ``head`` and ``items`` name the string fields
    (singular, singular, repeated) of those lines, whose values must be plain (no
    quote, no backslash). None where this does not apply (the caller then reads the
    text with :func:`parse_wire`).

    For readers that work per node (the tools' index): the strings come as they
    are, never encoded; the rest of each distinct body is read by line mode. Sound
    as :func:`_blocks` is: per block ``tag + len``, the first line's field, each
    plain line as ``tag + len + utf-8`` and the tail's bytes, then the trailer, are
    what :func:`parse_wire` reads; a field that must be singular is checked to be.
    """
    root = _message_info(desc)
    if not root.supported:
        return None
    try:
        fi, firsts, rests, distinct, trailer, caches = _split_blocks(text, root)
        info = fi.msg
        fields = info.fields if info is not None else {}
        lines = [fields.get(first), fields.get(head), fields.get(items)]
        if (None in lines or not all(f.is_str for f in lines) or lines[0].repeated
                or lines[1].repeated or not lines[2].repeated or not firsts):
            return None
        names = _plain_values(firsts, f"  {first}")
        del firsts
        if names is None:
            return None
        read = _block_lines(distinct, info, caches, f'  {head}: "', f'  {items}: "')
    except (_NotLines, Unsupported):
        return None
    if read is None:
        return None
    values, starts, tails, masks = read
    if any(map(and_, repeat(lines[0].bit | lines[1].bit), masks)):
        return None  # a tail sets the name or the head field again
    if _has_field(trailer, fi.tag):
        return None  # more blocks after one that is not laid out so (a blank line...)
    number = dict(zip(distinct, range(len(distinct))))
    return Blocks(names, list(map(number.__getitem__, rests)), values, starts, tails, trailer)


_BATCH = 512  # lines joined at a time by _plain_values (their join stays under 30,000)


def _plain_values(lines: list[str], prefix: str) -> list[str] | None:
    """The values of lines that are all ``prefix: "<value>"`` with no quote or
    backslash in the value (what :func:`_plain_string` reads), else None.

    On their join (lines hold no newline): if it starts with the prefix, ends with a
    quote and splits at quote-newline-prefix into one piece per line, each line is
    prefix + piece + quote; with 2 quotes per line in all, no piece holds one.
    """
    head = prefix + ': "'
    sep = '"\n' + head
    values: list[str] = []
    # in slices of the lines: CPython prepares its search for a separator of six or
    # more characters anew at each piece of a string of 30,000 or more
    for lo in range(0, len(lines), _BATCH):
        part = lines[lo:lo + _BATCH]
        joined = "\n".join(part)
        if (not joined.startswith(head) or not joined.endswith('"') or "\\" in joined
                or joined.count('"') != 2 * len(part)):
            return None
        values += joined[len(head):-1].split(sep)
        if len(values) != lo + len(part):
            return None
    return values


def _block_lines(bodies: list[str], info: _Message, caches: dict[_Message, dict[str, tuple]],
                 head: str, item: str
                 ) -> tuple[list[str], list[int], list[bytes], list[int]] | None:
    """For :func:`parse_blocks`: each body's lines before its first sub-message must
    be one ``head`` line (``  op: "``), then ``item`` lines (``  input: "``), plain
    strings; their values, where each body's begin, and per body the wire bytes and
    singular-field mask of the rest (memoised per text). None for another layout.

    The checks run on the join of those lines (of some bodies at a time): every body
    starts with ``head``, which occurs once per body; ``item`` occurs only right after
    a newline, as many times as there are other lines. Then each line is one prefix and the rest, and
    with the prefixes gone, a quote count of one per line, each closing a line, and
    no backslash make every value plain.
    """
    # each body is cut at the newline before its first line that opens a sub-message
    opens = list(map(str.find, bodies, repeat(" {\n")))
    ends = list(map(str.rfind, bodies, repeat("\n"), repeat(0), opens))
    for j in compress(range(len(opens)), map((-1).__eq__, opens)):
        ends[j] = len(bodies[j])  # no sub-message: all of it
    flats = list(map(getitem, bodies, map(slice, ends)))
    if not all(map(str.startswith, flats, repeat(head))):
        return None
    rests = list(map(getitem, bodies, map(slice, map(add, ends, repeat(1)), repeat(None))))
    del ends, opens
    counts = list(map(add, map(str.count, flats, repeat("\n")), repeat(1)))
    values: list[str] = []
    for lo in range(0, len(flats), _BATCH // 4):  # in slices, as _plain_values
        part = flats[lo:lo + _BATCH // 4]
        joined = "\n".join(part)
        nb, n = len(part), joined.count("\n") + 1
        if (joined.count(head) != nb or joined.count(item) != n - nb
                or joined.count("\n" + item) != n - nb):
            return None
        joined = joined.replace(head, "").replace(item, "")
        if ("\\" in joined or joined.count('"') != n or joined.count('"\n') != n - 1
                or not joined.endswith('"')):
            return None
        values += joined.replace('"', "").split("\n")
    del flats
    memo: dict[str, tuple[bytes, int]] = {}
    for rest in dict.fromkeys(rests):
        memo[rest] = _lines_core(rest, info, caches)
    tail_values = list(map(memo.__getitem__, rests))
    return (values, list(accumulate(counts, initial=0)), list(map(itemgetter(0), tail_values)),
            list(map(itemgetter(1), tail_values)))


def _has_field(wire: bytes, tag: bytes) -> bool:
    """Whether the top-level fields of ``wire`` (as this reader writes them) include
    one with this tag."""
    pos, n = 0, len(wire)
    while pos < n:
        start = pos
        key, pos = decode_varint(wire, pos)
        if wire[start:pos] == tag:
            return True
        wt = key & 7
        if wt == 0:
            pos = decode_varint(wire, pos)[1]
        elif wt == 2:
            length, pos = decode_varint(wire, pos)
            pos += length
        else:
            pos += 8 if wt == 1 else 4
    return False


def _plain_strings(lines: list[str], info: _Message, caches: dict[_Message, dict[str, tuple]]
                   ) -> tuple[list[bytes], list[int]]:
    """:func:`_flat_line` over many lines, in C where they are plain strings.

    Each step (cut at ``: "``, the prefix's field, the checks, one encode of all
    values, the lengths, the concatenations) is a ``map`` over all lines; lines that
    are not plain strings are then redone one by one. Returns per line the wire
    bytes and the singular-field bit.
    """
    if not lines:
        return [], []
    cut = list(map(str.partition, lines, repeat(': "')))
    prefixes = list(map(itemgetter(0), cut))
    fmap = {p: _prefix_field(p, info) or _NOT_PLAIN for p in set(prefixes)}
    fields = list(map(fmap.__getitem__, prefixes))
    values = list(map(itemgetter(2), cut))
    del cut, prefixes
    # Values hold no newline (they are parts of lines), so one joined string answers
    # for all: each value is plain (one '"', at its end; no backslash) exactly when
    # the counts below hold.
    n = len(values)
    joined = "\n".join(values)
    if (_NOT_PLAIN in fmap.values() or "\\" in joined or joined.count('"') != n
            or joined.count('"\n') != n - 1 or not joined.endswith('"')):
        bad = [i for i, (f, v) in enumerate(zip(fields, values))
               if f is _NOT_PLAIN or v.count('"') != 1 or v[-1:] != '"' or "\\" in v]
        data = "\n".join(map(getitem, values, repeat(slice(None, -1)))).encode("utf-8")
    else:
        bad = []
        data = joined.replace('"', "").encode("utf-8")  # each value's closing quote
    data = data.split(b"\n")
    sizes = list(map(len, data))
    varint = _SMALL_VARINTS.__getitem__ if max(sizes) < 16384 else _varint
    encoded = list(map(add, map(add, map(attrgetter("tag"), fields), map(varint, sizes)), data))
    bits = list(map(attrgetter("bit"), fields))
    for i in bad:
        encoded[i], bits[i] = _flat_line(lines[i], info, caches)
    return encoded, bits


class _NotPlain:
    """Stands for "no string field" in :func:`_plain_strings` (its entries are redone)."""

    tag = b""
    bit = 0


_NOT_PLAIN: Any = _NotPlain()


def _flat_line(line: str, info: _Message, caches: dict[_Message, dict[str, tuple]]
               ) -> tuple[bytes, int]:
    """Wire bytes and singular-field bit of a line that must be one scalar statement
    or blank/comment-only (``b"", 0``); _NotLines for anything else."""
    p = _plain_string(line, info)
    if p is None:
        r = _action(line, info, caches)
        if r[0] == _SCALAR:
            return r[1], r[2]
        if r[0] == _BLANK:
            return b"", 0
        raise _NotLines
    return p


def _block_bodies(bodies: list[str], info: _Message, caches: dict[_Message, dict[str, tuple]],
                  memo: dict[str, tuple[bytes, int]]) -> list[tuple[bytes, int]]:
    """Wire bytes and singular-field mask of many distinct block bodies (each read as
    the complete body of an ``info`` message).

    A body not seen before is mostly new because of its first lines (``input:``
    names); the sub-messages after them (the attrs) usually repeat. So each body is
    cut before its first line that opens a sub-message: the lines before it are
    read together by :func:`_plain_strings`, the rest (the tail) once per distinct
    text by :func:`_lines_core`, memoised in ``memo``. Both pieces are complete
    bodies of ``info`` (:func:`_lines_core` checks the tail; the flat piece is
    scalar lines only), so the cut is sound wherever it falls.
    """
    flats: list[str] = []
    tails: list[str] = []
    cut = list(map(str.partition, bodies, repeat(" {\n")))
    for body, (_, sep, _), (pre, nl, _) in zip(
            bodies, cut, map(str.rpartition, map(itemgetter(0), cut), repeat("\n"))):
        if not sep:      # no sub-message
            flats.append(body)
            tails.append("")
        elif not nl:     # the first line opens one
            flats.append("")
            tails.append(body)
        else:
            flats.append(pre)
            tails.append(body[len(pre) + 1:])
    # the flat lines of all bodies at once, then regrouped per body
    counts = list(map(add, map(str.count, flats, repeat("\n")), repeat(1)))
    encoded, bits = _plain_strings("\n".join(flats).split("\n"), info, caches)
    ends = list(accumulate(counts))
    starts = [0] + ends[:-1]
    flat_bytes = list(map(b"".join, map(getitem, repeat(encoded), map(slice, starts, ends))))
    sums = list(accumulate(bits, initial=0))
    masks = list(map(sub, map(sums.__getitem__, ends), map(sums.__getitem__, starts)))
    singular = list(accumulate(map(bool, bits), initial=0))
    if list(map(int.bit_count, masks)) != list(map(sub, map(singular.__getitem__, ends),
                                                   map(singular.__getitem__, starts))):
        raise _NotLines  # a singular field twice in some body
    for tail in dict.fromkeys(tails):
        if tail not in memo:
            memo[tail] = _lines_core(tail, info, caches)
    tail_values = list(map(memo.__getitem__, tails))
    tail_masks = list(map(itemgetter(1), tail_values))
    if any(map(and_, masks, tail_masks)):
        raise _NotLines
    return list(zip(map(add, flat_bytes, map(itemgetter(0), tail_values)),
                    map(or_, masks, tail_masks)))


def _scan(text: str, desc: _d.Descriptor, pattern: re.Pattern[str]) -> bytes:
    root = _message_info(desc)
    try:
        return _scan_loop(pattern.scanner(text).match, root.fields)
    except (UnicodeError, IndexError) as e:  # unencodable text; pop on an empty stack
        raise Unsupported from e


_NO_FIELDS: dict[str, _Field] = {}


def _scan_loop(scan: Callable[[], re.Match[str] | None], fields: dict[str, _Field]) -> bytes:
    """The statement loop (hot: one iteration per ``name: value``, ``name {``, ``}``).

    State of the current message: ``fields`` (name → _Field), ``chunks`` (its wire
    pieces), ``seen`` (singular fields/oneofs already set), ``close_char`` and ``tag``
    (its own tag in the parent). Inside ``name: [ ... ]`` of messages, ``lst`` is
    the field, ``fields`` is empty and ``close_char`` is "" (so names and closing
    braces are rejected), and ``lstate`` is 0 at '[', 1 after an element, 2 after ','.
    """
    small = _SMALL_VARINTS
    chunks: list[bytes] = []
    append = chunks.append
    seen: set[Any] = set()
    close_char = ""
    tag = b""
    lst: _Field | None = None
    lstate = 0
    stack: list[tuple] = []
    push = stack.append
    pop = stack.pop
    while True:
        m = scan()
        if m is None:
            raise Unsupported
        (name, colon, opn, s1, smore, tok, slist, mlist, sep,
         close, csep, lopen, rbr, _rsep, end) = m.groups()
        if name is not None:
            fi = fields.get(name)
            if fi is None:
                raise Unsupported
            key = fi.key
            if key is not None:
                if key in seen:
                    raise Unsupported
                seen.add(key)
            if s1 is not None:
                if colon is None or not fi.is_str:
                    raise Unsupported
                if smore or "\\" in s1:
                    append(fi.encode_string(s1, smore))
                else:
                    data = s1[1:-1].encode("utf-8")
                    n = len(data)
                    append(fi.tag + (small[n] if n < 16384 else _varint_slow(n)) + data)
            elif opn is not None:
                sub = fi.msg
                if sub is None or not sub.supported or sep is not None:
                    raise Unsupported
                push((fields, chunks, seen, close_char, tag, lst, lstate))
                fields = sub.fields
                chunks = []
                append = chunks.append
                seen = set()
                close_char = "}" if opn == "{" else ">"
                tag = fi.tag
                lst = None
            elif tok is not None:
                if colon is None:
                    raise Unsupported
                b = fi.cache.get(tok)
                append(b if b is not None else fi.encode_token(tok))
            elif slist is not None:
                if not fi.repeated:
                    raise Unsupported
                if fi.msg is not None:
                    if slist.strip("[] \t\r\n\f\v"):  # only an empty list is scalar-shaped
                        raise Unsupported
                else:
                    if colon is None:
                        raise Unsupported
                    _list_values(fi, slist, chunks)
            else:  # '[' opening a list of messages
                if (not fi.repeated or fi.msg is None or not fi.msg.supported
                        or sep is not None):
                    raise Unsupported
                push((fields, chunks, seen, close_char, tag, lst, lstate))
                fields = _NO_FIELDS
                close_char = ""
                lst = fi
                lstate = 0
        elif close is not None:
            if close != close_char:
                raise Unsupported
            body = b"".join(chunks)
            n = len(body)
            head = tag + (small[n] if n < 16384 else _varint_slow(n))
            fields, chunks, seen, close_char, tag, lst, lstate = pop()
            append = chunks.append
            append(head + body)
            if lst is not None:  # an element of `name: [ ... ]`
                if csep is None:
                    lstate = 1
                elif csep == ",":
                    lstate = 2
                else:
                    raise Unsupported
        elif lopen is not None:
            if lst is None or lstate == 1:
                raise Unsupported
            push((fields, chunks, seen, close_char, tag, lst, lstate))
            fields = lst.msg.fields  # type: ignore[union-attr]
            chunks = []
            append = chunks.append
            seen = set()
            close_char = "}" if lopen == "{" else ">"
            tag = lst.tag
            lst = None
        elif rbr is not None:
            if lst is None or lstate == 2:
                raise Unsupported
            # the list lived in the enclosing message's frame: restore it
            fields, chunks, seen, close_char, tag, lst, lstate = pop()
            append = chunks.append
        else:  # end of text
            if stack or lst is not None:
                raise Unsupported
            return b"".join(chunks)


def parse_into(text: str, message: Message) -> Message:
    """Fill the empty ``message`` from ``text`` via wire bytes (raises Unsupported)."""
    wire = parse_wire(text, message.DESCRIPTOR)
    try:
        message.ParseFromString(wire)
    except Exception as e:  # e.g. nesting deeper than upb's limit
        raise Unsupported from e
    return message
