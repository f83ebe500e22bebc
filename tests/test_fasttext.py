"""Differential tests: the fast text-format reader/writer against ``text_format``.

The fast reader must give exactly ``text_format.Parse``'s message or give up
(``Unsupported``) — never a different message — and ``parse_text`` (fast path +
fallback) must behave exactly like ``text_format.Parse``, errors included. The fast
writer must produce ``text_format.MessageToString``'s characters.
"""
from __future__ import annotations

import math
import random
import re
import struct
from pathlib import Path

import pytest
from google.protobuf import text_encoding, text_format

from graphdef._proto import attr_value_pb2, function_pb2, graph_debug_info_pb2, graph_pb2, \
    node_def_pb2, tensor_pb2
from graphdef.errors import ParseError
from graphdef.io import fastformat, fasttext, loads
from graphdef.io.text import format_text, parse_text

from conftest import all_graph_files, ids

FILES = all_graph_files()
# text_format (and so the fast reader) accepts "\q" and "\400"; Python warns about them
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _text_of(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".pb":
        g = graph_pb2.GraphDef()
        g.ParseFromString(data)
        return text_format.MessageToString(g)
    return data.decode("utf-8")


def _wire(m) -> bytes:
    return m.SerializeToString(deterministic=True)


def _reference(text: str, cls=graph_pb2.GraphDef):
    """(serialized message, None) or (None, (line, column, message)) from text_format."""
    try:
        return _wire(text_format.Parse(text, cls())), None
    except text_format.ParseError as e:
        return None, (e.GetLine(), e.GetColumn(), str(e))
    except Exception as e:  # e.g. RecursionError, ValueError from a setter
        return None, (None, None, type(e).__name__)


def _check_same(text: str, cls=graph_pb2.GraphDef) -> bool:
    """Assert fast path ⊆ reference and parse_text ≡ reference; True if fast path ran."""
    want, err = _reference(text, cls)
    fast_ok = True
    try:
        got = _wire(fasttext.parse_into(text, cls()))
    except fasttext.Unsupported:
        fast_ok = False
    else:
        assert err is None, f"fast reader accepted text that text_format rejects: {err}"
        assert got == want, "fast reader produced a different message"
    try:
        full = _wire(parse_text(text, cls()))
    except text_format.ParseError as e:
        assert err is not None and (e.GetLine(), e.GetColumn(), str(e)) == err
    except Exception as e:
        assert err is not None and err[2] == type(e).__name__
    else:
        assert err is None and full == want
    return fast_ok


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_reader_matches_text_format_on_real_files(path: Path):
    text = _text_of(path)
    want = _wire(text_format.Parse(text, graph_pb2.GraphDef()))
    # real files must take the fast path (otherwise it would not be fast)
    assert _wire(fasttext.parse_into(text, graph_pb2.GraphDef())) == want
    # both fast strategies (line mode, statement scanner) give the same bytes
    root = fasttext._message_info(graph_pb2.GraphDef.DESCRIPTOR)
    scanned = fasttext._scan(text, graph_pb2.GraphDef.DESCRIPTOR, fasttext._stmt())
    try:
        assert fasttext._lines(text, root) == scanned
    except fasttext._NotLines:  # hand-written files put several statements on a line
        assert "{ " in text or "{}" in text
    try:  # block mode (whole node blocks memoised) agrees too, or hands over
        assert fasttext._blocks(text, root) == scanned
    except fasttext._NotLines:
        assert not text.startswith("node {\n") or "{ " in text or "{}" in text
    assert _wire(parse_text(text, graph_pb2.GraphDef())) == want


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_writer_byte_identical_on_real_files(path: Path):
    g = parse_text(_text_of(path), graph_pb2.GraphDef())  # equal to text_format's (above)
    assert fastformat.format_message(g) == text_format.MessageToString(g)
    assert format_text(g) == text_format.MessageToString(g)


# --- hand-written edge cases of the text format ------------------------------------
NODE_CASES = {
    "comments": 'name: "a" # trailing\n# full line\nop: "b"#x\n',
    "comment_with_quotes": 'name: "a" # it\'s "odd" { [\nop: "b"\n',
    "single_quotes": "name: 'a\"b' op: 'c'",
    "escapes": r'name: "\n\t\r\\\"\'\a\b\f\v\?" op: "\101\x42\u00e9"',
    "hex_escape_one_digit": r'attr { key: "k" value { s: "\x5\x41g\\x4" } }',
    "octal_escapes": r'attr { key: "k" value { s: "\0\00\000\1234\377\400" } }',
    "unicode_escapes": r'attr { key: "k" value { s: "\u00e9\U0001F600\u12" } }',
    "raw_utf8": 'name: "é漢字😀" attr { key: "k" value { s: "é" } }',
    "invalid_utf8_in_string": r'name: "\377"',
    "adjacent_strings": 'name: "a" \'b\' "c"\nop: "x"  # c\n "y"',
    "adjacent_across_comment": 'name: "a" # c " \n "b"',
    "bad_escape": r'name: "\q"',
    "trailing_backslash": 'name: "abc\\"\nop: "x"',
    "unterminated": 'name: "abc\nop: "x"',
    "angle_brackets": 'attr < key: "k" value < i: 3 > >',
    "mixed_brackets": 'attr { key: "k" value < i: 3 } }',
    "colon_before_message": 'attr: { key: "k" value: { i: 3 } }',
    "separators": 'name: "a", op: "b"; input: "c" , input: "d";',
    "double_separator": 'name: "a",; op: "b"',
    "separator_after_open": 'attr {, key: "k" }',
    "separator_after_close": 'attr { key: "k" }, attr { key: "j" };',
    "list_of_strings": 'input: ["a", "b" "c", \'d\'] name: "n"',
    "list_empty": 'input: [] name: "n"',
    "list_trailing_comma": 'input: ["a",]',
    "list_missing_comma": 'input: ["a" , "b" "c" "d"]',
    "list_of_messages": 'attr [{ key: "a" }, < key: "b" value { i: 1 } >]',
    "list_of_messages_colon": 'attr: [{ key: "a" }, { key: "b" }]',
    "list_of_messages_empty": 'attr: []',
    "list_of_messages_trailing": 'attr: [{ key: "a" },]',
    "list_of_messages_semicolon": 'attr: [{ key: "a" }; { key: "b" }]',
    "list_on_singular": 'name: ["a"]',
    "list_with_comment": 'input: ["a", # c\n "b"]',
    "enum_name": 'attr { key: "T" value { type: DT_FLOAT } }',
    "enum_number": 'attr { key: "T" value { type: 1 } }',
    "enum_hex": 'attr { key: "T" value { type: 0x13 } }',
    "enum_unknown_number": 'attr { key: "T" value { type: 999 } }',
    "enum_unknown_name": 'attr { key: "T" value { type: DT_NOPE } }',
    "enum_negative": 'attr { key: "T" value { type: -1 } }',
    "enum_huge": 'attr { key: "T" value { type: 99999999999 } }',
    "int_hex": 'attr { key: "i" value { i: 0x7fffffffffffffff } }',
    "int_octal": 'attr { key: "i" value { i: 017 } }',
    "int_bad_octal": 'attr { key: "i" value { i: 019 } }',
    "int_negative": 'attr { key: "i" value { i: -42 } }',
    "int_negative_hex": 'attr { key: "i" value { i: -0x10 } }',
    "int_plus": 'attr { key: "i" value { i: +5 } }',
    "int_underscore": 'attr { key: "i" value { i: 1_000 } }',
    "int_overflow": 'attr { key: "i" value { i: 9223372036854775808 } }',
    "int_min": 'attr { key: "i" value { i: -9223372036854775808 } }',
    "int_float": 'attr { key: "i" value { i: 1.0 } }',
    "int_leading_zero": 'attr { key: "i" value { i: 00 } }',
    "float_forms": 'attr { key: "f" value { list { f: [1, -2.5, .5, 5., 1e3, 1E-3, 2.5f, 3F, -0.0, 0] } } }',
    "float_inf_nan": 'attr { key: "f" value { list { f: [inf, -inf, Inf, INF, infinity, -Infinity, nan, NaN, nanf, -nan, inff, -inff] } } }',
    "float_bad_octal": 'attr { key: "f" value { f: 01.5 } }',
    "float_overflow": 'attr { key: "f" value { f: 1e40 } }',
    "float_tiny": 'attr { key: "f" value { f: 1e-46 } }',
    "float_rounding": 'attr { key: "f" value { list { f: [0.1, 16777217, 3.4028235e38, 1.17549435e-38, 1.4e-45] } } }',
    "float_word": 'attr { key: "f" value { f: infinite } }',
    "float_hex": 'attr { key: "f" value { f: 0x10 } }',
    "bools": 'attr { key: "b" value { list { b: [true, false, True, False, t, f, 1, 0] } } }',
    "bool_bad": 'attr { key: "b" value { b: yes } }',
    "bool_bad_number": 'attr { key: "b" value { b: 2 } }',
    "unknown_field": 'name: "a" nope: 1',
    "unknown_message_field": 'name: "a" nope { x: 1 }',
    "duplicate_scalar": 'name: "a" name: "b"',
    "duplicate_scalar_default_first": 'name: "" name: "b"',
    "duplicate_scalar_default_second": 'name: "a" name: ""',
    "duplicate_message": 'experimental_debug_info { } experimental_debug_info { }',
    "oneof_twice": 'attr { key: "k" value { i: 1 f: 2 } }',
    "oneof_same_twice": 'attr { key: "k" value { i: 1 i: 2 } }',
    "duplicate_map_keys": 'attr { key: "k" value { i: 1 } } attr { key: "k" value { s: "x" } }',
    "map_entry_no_key": 'attr { value { i: 1 } }',
    "map_entry_no_value": 'attr { key: "k" }',
    "map_key_twice": 'attr { key: "k" key: "j" }',
    "empty_message": 'attr { key: "k" value { } }',
    "scalar_without_colon": 'name "a"',
    "message_as_scalar": 'attr: 5',
    "scalar_as_message": 'name { }',
    "string_as_number": 'attr { key: "i" value { i: "5" } }',
    "number_as_string": 'name: 5',
    "unbalanced_open": 'attr { key: "k"',
    "unbalanced_close": 'name: "a" }',
    "identifier_glued": 'name: "a"op: "b"',
    "number_glued": 'attr { key: "i" value { i: 5f } }',
    "weird_identifier": 'na-me: "a"',
    "dotted_name": 'attr.key: "a"',
    "extension_syntax": '[foo.bar]: 1',
    "field_number": '1: "a"',
    "whitespace_kinds": 'name:\t"a"\r\n\x0bop\x0c:\u00a0"b"\u2028',
    "empty": '',
    "only_comment": '# nothing',
}


@pytest.mark.parametrize("text", NODE_CASES.values(), ids=NODE_CASES.keys())
def test_reader_edge_cases(text: str):
    _check_same(text, node_def_pb2.NodeDef)


# --- block mode: whole `node {` blocks of a dump read at once ------------------------
def _node(name: str, body: str = '  op: "Add"\n  input: "x"\n') -> str:
    return f'node {{\n  name: "{name}"\n{body}}}\n'


_ATTR = '  attr {\n    key: "T"\n    value {\n      type: DT_FLOAT\n    }\n  }\n'
GRAPH_CASES = {
    "canonical": _node("a") + _node("b") + _node("c", '  op: "Add"\n' + _ATTR),
    "repeated_bodies": "".join(_node(f"n{i}", '  op: "Mul"\n' + _ATTR) for i in range(5)),
    "versions_after": _node("a") + "versions {\n  producer: 27\n}\n",
    "versions_before": "versions {\n  producer: 27\n}\n" + _node("a") + _node("b"),
    "library_between": _node("a") + "library {\n}\n" + _node("b"),
    "no_trailing_newline": (_node("a") + _node("b"))[:-1],
    "crlf": (_node("a") + _node("b")).replace("\n", "\r\n"),
    "single_line_block": 'node {\n  name: "a"\n}\nnode {\n  name: "b"\n}\n',
    "empty_block": "node {\n}\n" + _node("a"),
    "name_twice": _node("a", '  name: "b"\n  op: "X"\n') + _node("c"),
    "op_twice_in_body": _node("a", '  op: "X"\n  op: "Y"\n'),
    "op_first": 'node {\n  op: "X"\n  name: "a"\n}\n' + _node("b"),
    "mixed_first_fields": 'node {\n  op: "X"\n}\n' + _node("b"),
    "device_first_and_later_name": 'node {\n  device: "d"\n  name: "a"\n}\n' + _node("b"),
    "comment_lines": _node("a", '  # note\n  op: "X"\n') + _node("b"),
    "escaped_name": _node("a\\nb") + _node('q\\"x'),
    "unicode_name": _node("é/漢字") + _node("b"),
    "attr_first_in_body": 'node {\n  name: "a"\n' + _ATTR + '  op: "X"\n}\n',
    "early_close": 'node {\n  name: "a"\n  }\nnode {\n  name: "b"\n}\n',
    "nested_close_at_column_0": 'node {\n  name: "a"\n  attr {\n    key: "k"\n}\n}\n',
    "unclosed_sub_message": 'node {\n  name: "a"\n  attr {\n}\n' + _node("b"),
    "unknown_field": _node("a", '  bogus: "x"\n'),
    "two_statements_a_line": 'node {\n  name: "a" op: "X"\n}\n' + _node("b"),
    "indented_opener": '  node {\n  name: "a"\n}\n',
    "angle_opener": 'node <\n  name: "a"\n>\n',
    "long_name": _node("x" * 20000) + _node("b"),
    "big_block": _node("a", '  attr {\n    key: "v"\n    value {\n      s: "'
                        + "z" * 20000 + '"\n    }\n  }\n'),
    "not_a_repeated_message": 'versions {\n  producer: 1\n}\n',
    "trailing_garbage": _node("a") + "}\n",
}


@pytest.mark.parametrize("text", GRAPH_CASES.values(), ids=GRAPH_CASES.keys())
def test_block_mode_edge_cases(text: str):
    """Block mode gives exactly text_format's message or hands over (never differs)."""
    _check_same(text)
    root = fasttext._message_info(graph_pb2.GraphDef.DESCRIPTOR)
    want, err = _reference(text)
    try:
        got = fasttext._blocks(text, root)
    except (fasttext._NotLines, fasttext.Unsupported):
        return
    assert err is None, f"block mode accepted text that text_format rejects: {err}"
    assert _wire(graph_pb2.GraphDef.FromString(got)) == want


def test_block_mode_taken_for_canonical_dumps():
    root = fasttext._message_info(graph_pb2.GraphDef.DESCRIPTOR)
    for name in ("canonical", "repeated_bodies", "versions_after",
                 "no_trailing_newline", "single_line_block", "escaped_name", "unicode_name",
                 "op_first", "long_name", "big_block", "comment_lines"):
        text = GRAPH_CASES[name]
        got = fasttext._blocks(text, root)
        assert _wire(graph_pb2.GraphDef.FromString(got)) == _reference(text)[0], name


def test_reader_common_syntax_takes_fast_path():
    """The cases above that text_format accepts in the common way are fast."""
    for name in ("comments", "single_quotes", "escapes", "angle_brackets", "separators",
                 "list_of_strings", "list_of_messages", "enum_number", "int_hex", "float_forms",
                 "float_inf_nan", "bools", "duplicate_map_keys", "adjacent_strings"):
        assert _check_same(NODE_CASES[name], node_def_pb2.NodeDef), name


def test_reader_tensor_and_proto2_messages():
    tensor = ('dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: -1 name: "x" } } '
              'float_val: 1.5 float_val: -2 double_val: 1e308 int64_val: -1 '
              'tensor_content: "\\000\\001\\377abc" string_val: "s" bool_val: true '
              'uint32_val: 4294967295 uint64_val: 18446744073709551615 half_val: 1')
    assert _check_same(tensor, tensor_pb2.TensorProto)
    assert _check_same("uint32_val: 4294967296", tensor_pb2.TensorProto) is False
    assert _check_same("uint64_val: -1", tensor_pb2.TensorProto) is False
    # proto2 optional fields: presence even for zero; duplicates rejected
    dbg = ('files: "a.py" traces { key: "n" value { file_line_cols { file_index: 0 line: 3 } } } '
           'frames_by_id { key: 7 value { line: 0 } } name_to_trace_id { key: "n" value: 7 }')
    assert _check_same(dbg, graph_debug_info_pb2.GraphDebugInfo)
    _check_same("traces { key: 'n' value { file_line_cols { line: 1 line: 2 } } }",
                graph_debug_info_pb2.GraphDebugInfo)
    fn = ('signature { name: "f" input_arg { name: "x" type: DT_FLOAT } } '
          'ret { key: "y" value: "x:0" } arg_attr { key: 0 value { attr { key: "a" value { i: 1 } } } } '
          'resource_arg_unique_id { key: 1 value: 2 }')
    assert _check_same(fn, function_pb2.FunctionDef)


def test_reader_deep_nesting_matches():
    depth = 160  # beyond upb's default parse depth: the fast path hands over
    text = "".join(f'attr {{ key: "a{i}" value {{ func {{ name: "f" ' for i in range(depth))
    text += "}" * (3 * depth)
    _check_same(text, node_def_pb2.NodeDef)


def test_parse_text_merges_into_non_empty_message():
    n = node_def_pb2.NodeDef(name="a")
    with pytest.raises(text_format.ParseError):
        parse_text('name: "b"', n)  # text_format semantics: merge, duplicate rejected
    n = node_def_pb2.NodeDef(name="a")
    parse_text('op: "b"', n)
    assert (n.name, n.op) == ("a", "b")


def test_loads_error_has_text_format_line_and_column():
    text = 'node {\n  name: "a"\n  op: "b"\n  bogus: 1\n}\n'
    with pytest.raises(ParseError) as info:
        loads(text, "g.pbtxt")
    try:
        text_format.Parse(text, graph_pb2.GraphDef())
    except text_format.ParseError as e:
        assert (info.value.line, info.value.column) == (e.GetLine(), e.GetColumn())
    assert "bogus" in str(info.value)


# --- mutation fuzzing ----------------------------------------------------------------
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w+-]*|[-+.\d][\w.+-]*|\S')
_REPLACEMENTS = ["{", "}", "<", ">", "[", "]", ":", ",", ";", "#", '"', "'", "-", "0", "1",
                 "-1", "0x1F", "017", "09", "1e40", "-inf", "nan", "Infinity", "1.5f", "true",
                 "t", "DT_INT32", "DT_BOGUS", "99", "2147483648", "-9223372036854775809",
                 '"\\x4"', '"\\777"', '"\\u00e9"', "'q'", '"a" "b"', "[1, 2]", "[]", "name",
                 "node", "attr", "key", "value", "\n", " ", "é"]


def _mutate(text: str, rng: random.Random) -> str:
    toks = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if not toks:
        return text + rng.choice(_REPLACEMENTS)
    kind = rng.randrange(8)
    a, b = toks[rng.randrange(len(toks))]
    if kind == 0:  # delete a token
        return text[:a] + text[b:]
    if kind == 1:  # replace a token
        return text[:a] + rng.choice(_REPLACEMENTS) + text[b:]
    if kind == 2:  # insert a token
        return text[:a] + rng.choice(_REPLACEMENTS) + " " + text[a:]
    if kind == 3:  # duplicate a line
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        return "\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])
    if kind == 4:  # swap two tokens
        c, d = toks[rng.randrange(len(toks))]
        if c < a:
            a, b, c, d = c, d, a, b
        if b > c:
            return text
        return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]
    if kind == 5:  # change a number
        nums = [(s, e) for s, e in toks if re.match(r"-?\d", text[s:e])]
        if nums:
            s, e = rng.choice(nums)
            return text[:s] + rng.choice(["0", "-1", "3.5", "1e39", "0x10", "010", "1e-50",
                                          "4294967296", "-0", "+7"]) + text[e:]
        return text
    if kind == 6:  # change quotes
        i = text.find('"', a)
        return text if i < 0 else text[:i] + "'" + text[i + 1:]
    # delete a random span
    s = rng.randrange(len(text))
    return text[:s] + text[s + rng.randrange(1, 40):]


def _seed_texts() -> list[str]:
    paths = [p for p in FILES if p.suffix == ".pbtxt" and p.stat().st_size < 60_000]
    texts = [_text_of(p) for p in paths[:40]]
    return texts


SEEDS = _seed_texts()


@pytest.mark.parametrize("seed", range(8))
def test_reader_on_mutated_inputs(seed: int):
    rng = random.Random(1234 + seed)
    fast = 0
    for _ in range(50):  # 8 x 50 = 400 mutated inputs
        text = rng.choice(SEEDS)
        for _ in range(rng.randrange(1, 4)):
            text = _mutate(text, rng)
        fast += _check_same(text)
    assert fast > 0  # some mutations stay valid and must then take the fast path


@pytest.mark.parametrize("seed", range(3))
def test_reader_on_mutated_node_snippets(seed: int):
    rng = random.Random(99 + seed)
    snippets = list(NODE_CASES.values())
    for _ in range(100):
        text = rng.choice(snippets)
        for _ in range(rng.randrange(1, 3)):
            text = _mutate(text, rng)
        _check_same(text, node_def_pb2.NodeDef)


# --- writer edge cases --------------------------------------------------------------
FLOATS = [0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, 2.5, 1e-45, 1.4e-45, 1e-40, 1.17549435e-38,
          3.4028234663852886e38, 16777216.0, 16777217.0, 1e10, 1e16, 1e17, 123456789.0,
          1e-5, 1e-4, 0.0001234, 9.999999e-5, float("inf"), float("-inf"), float("nan"),
          -float("nan"), 7.0e22, 5e-324]


def test_writer_floats_and_doubles():
    t = tensor_pb2.TensorProto()
    rng = random.Random(7)
    extra = [struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0] for _ in range(3000)]
    for v in FLOATS + extra:
        t.float_val.append(v)  # stored as float32
        t.double_val.append(v)
    assert fastformat.format_message(t) == text_format.MessageToString(t)
    for v in FLOATS:  # singular (oneof) float, including the 0.0/-0.0 cache trap
        a = attr_value_pb2.AttrValue(f=v)
        assert fastformat.format_message(a) == text_format.MessageToString(a)


def test_writer_strings_bytes_ints_enums():
    n = node_def_pb2.NodeDef(name="é\n\t\"'\\\x00\x7f漢😀", op="x", device="")
    every_byte = bytes(range(256))
    n.attr["b"].s = every_byte
    n.attr["big"].s = every_byte * 10 + b"plain ascii \\ \" ' text" * 50
    n.attr["short"].s = b"plain"
    n.attr["e"].type = 12345  # enum number without a name
    n.attr["neg"].i = -(1 << 63)
    n.attr[""].i = 3  # empty key: printed without "key:"
    n.attr["z"].CopyFrom(attr_value_pb2.AttrValue())
    n.attr["l"].list.s.extend([b"", b"\x80", "é".encode()])
    n.attr["l"].list.type.extend([1, 2, 999])
    n.attr["l"].list.b.extend([True, False])
    t = n.attr["t"].tensor
    t.tensor_content = every_byte * 3
    t.string_val.extend([b"", b"x" * 600, every_byte])
    t.uint64_val.append((1 << 64) - 1)
    assert fastformat.format_message(n) == text_format.MessageToString(n)
    f = function_pb2.FunctionDef()
    f.ret[""] = ""
    f.ret["a"] = ""
    f.ret["b"] = "c"
    f.resource_arg_unique_id[0] = 0
    f.resource_arg_unique_id[5] = 0
    f.resource_arg_unique_id[6] = 7
    f.arg_attr[0].attr["x"].i = 1
    f.arg_attr[3]
    assert fastformat.format_message(f) == text_format.MessageToString(f)
    d = graph_debug_info_pb2.GraphDebugInfo()
    d.frames_by_id[0].line = 0
    d.frames_by_id[9].line = 0
    d.name_to_trace_id["n"] = 0
    d.name_to_trace_id["m"] = 3
    assert fastformat.format_message(d) == text_format.MessageToString(d)


def test_writer_output_reads_back():
    t = tensor_pb2.TensorProto(float_val=[v for v in FLOATS if not math.isnan(v)])
    text = format_text(t)
    back = parse_text(text, tensor_pb2.TensorProto())
    assert _wire(back) == _wire(t)


def test_unescape_shortcut_equals_cunescape():
    rng = random.Random(5)
    pieces = ["\\x4", "\\x41", "\\x4g", "\\\\x4", "\\\\\\x4", "\\101", "\\0", "\\n", "\\\\",
              "\\'", '\\"', "a", "x", "4", "u", "U", "\\u", "\\U0001F600", "é", "\\u00e9",
              "\\?", "\\a", "\\\\u00e9", "\\x41"]
    for _ in range(5000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 10)))
        try:
            want = text_encoding.CUnescape(s)
        except Exception:
            with pytest.raises(Exception):
                fasttext._unescape(s)
            continue
        assert fasttext._unescape(s) == want, s


def test_small_varint_table_is_the_varint_of_each_index():
    from graphdef.io.wire import SMALL_VARINTS, encode_varint_loop
    assert len(SMALL_VARINTS) == 1 << 14
    assert SMALL_VARINTS == [encode_varint_loop(i) for i in range(1 << 14)]


def test_simple_lines_read_as_the_statement_pattern_reads_them():
    """Where the small pattern for `}`, `name {` and `name: token` lines matches (so the
    statement pattern is compiled only on need), the statement pattern matches the whole
    line with the same groups; every line of every text graph is tried."""
    from graphdef.io import detect_format
    lines = {"  x: abc.d", "  x: .5", "  name: {", "  a: b;", "\tx: 1", "  x: 1  ", "  f: -1e5"}
    for path in all_graph_files():
        data = Path(path).read_bytes()
        if detect_format(data) == "pbtxt":
            lines.update(data.decode("utf-8").split("\n"))
    hits = 0
    for line in lines:
        simple = fasttext._SIMPLE_LINE(line)
        if simple is None:
            continue
        hits += 1
        m = fasttext._stmt().match(line)
        assert m is not None and m.end() == len(line), line
        close, opened, name, tok = simple.groups()
        want = (name or opened, ":" if name else None, "{" if opened else None, None, None, tok,
                None, None, None, close, None, None, None, None, None)
        assert m.groups() == want, line
    assert hits > 100
