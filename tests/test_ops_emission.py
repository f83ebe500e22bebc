"""Op functions emit TensorFlow's nodes: names, op types, inputs (with the Consts made for
Python arguments inside the op's scope) and exactly TensorFlow's attr set per op."""
from __future__ import annotations

import numpy as np
import pytest

import graphdef as tf


def _build(fn):
    g = tf.Graph()
    with g.as_default():
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="a")
        i = tf.constant([1, 2], name="i")
        p = tf.constant([True, False], name="p")
        fn(a, i, p)
    return [n for n in g.as_graph_def().node if n.name not in ("a", "i", "p")]


def _summary(nodes):
    return [(n.name, n.op, list(n.input), sorted(n.attr)) for n in nodes]


# (id, builder, expected [(name, op, inputs, attr keys)])
CASES = [
    ("add_tensors", lambda a, i, p: tf.add(a, a),
     [("Add", "Add", ["a", "a"], ["T"])]),
    ("add_scalar_y", lambda a, i, p: tf.add(a, 1.5),
     [("Add/y", "Const", [], ["dtype", "value"]), ("Add", "Add", ["a", "Add/y"], ["T"])]),
    ("add_python_both", lambda a, i, p: tf.add(3, 5),
     [("Add/x", "Const", [], ["dtype", "value"]), ("Add/y", "Const", [], ["dtype", "value"]),
      ("Add", "Add", ["Add/x", "Add/y"], ["T"])]),
    ("operator_add", lambda a, i, p: a + a, [("add", "Add", ["a", "a"], ["T"])]),
    ("operator_radd", lambda a, i, p: 1.0 + a,
     [("add/x", "Const", [], ["dtype", "value"]), ("add", "Add", ["add/x", "a"], ["T"])]),
    ("operator_rmul", lambda a, i, p: 2.0 * a,
     [("mul/x", "Const", [], ["dtype", "value"]), ("mul", "Mul", ["mul/x", "a"], ["T"])]),
    ("operator_sub_named", lambda a, i, p: tf.subtract(a, a, name="diff"),
     [("diff", "Sub", ["a", "a"], ["T"])]),
    ("int_truediv_casts", lambda a, i, p: i / i,
     [("truediv/Cast", "Cast", ["i"], ["DstT", "SrcT", "Truncate"]),
      ("truediv/Cast_1", "Cast", ["i"], ["DstT", "SrcT", "Truncate"]),
      ("truediv", "RealDiv", ["truediv/Cast", "truediv/Cast_1"], ["T"])]),
    ("v1_div_int", lambda a, i, p: tf.div(i, i), [("div", "FloorDiv", ["i", "i"], ["T"])]),
    ("floordiv_op", lambda a, i, p: i // 2,
     [("floordiv/y", "Const", [], ["dtype", "value"]),
      ("floordiv", "FloorDiv", ["i", "floordiv/y"], ["T"])]),
    ("mod_operator", lambda a, i, p: 10 % i,
     [("mod/x", "Const", [], ["dtype", "value"]), ("mod", "FloorMod", ["mod/x", "i"], ["T"])]),
    ("pow_operator", lambda a, i, p: a ** 2.0,
     [("pow/y", "Const", [], ["dtype", "value"]), ("pow", "Pow", ["a", "pow/y"], ["T"])]),
    ("neg_abs", lambda a, i, p: (-a, abs(i)),
     [("Neg", "Neg", ["a"], ["T"]), ("Abs", "Abs", ["i"], ["T"])]),
    ("compare_scalar", lambda a, i, p: a <= 2.0,
     [("LessEqual/y", "Const", [], ["dtype", "value"]),
      ("LessEqual", "LessEqual", ["a", "LessEqual/y"], ["T"])]),
    ("equal_attrs", lambda a, i, p: tf.equal(i, i),
     [("Equal", "Equal", ["i", "i"], ["T", "incompatible_shape_error"])]),
    ("xor_operator", lambda a, i, p: p ^ p,
     [("xor/LogicalOr", "LogicalOr", ["p", "p"], []),
      ("xor/LogicalAnd", "LogicalAnd", ["p", "p"], []),
      ("xor/LogicalNot", "LogicalNot", ["xor/LogicalAnd"], []),
      ("xor", "LogicalAnd", ["xor/LogicalOr", "xor/LogicalNot"], [])]),
    ("invert", lambda a, i, p: ~p, [("LogicalNot", "LogicalNot", ["p"], [])]),
    ("matmul", lambda a, i, p: tf.matmul(a, a, transpose_b=True),
     [("MatMul", "MatMul", ["a", "a"], ["T", "grad_a", "grad_b", "transpose_a", "transpose_b"])]),
    ("matmul_operator", lambda a, i, p: a @ a,
     [("matmul", "MatMul", ["a", "a"], ["T", "grad_a", "grad_b", "transpose_a", "transpose_b"])]),
    ("batch_matmul", lambda a, i, p: tf.matmul(tf.reshape(a, [1, 2, 2]), a),
     [("Reshape/shape", "Const", [], ["dtype", "value"]),
      ("Reshape", "Reshape", ["a", "Reshape/shape"], ["T", "Tshape"]),
      ("MatMul", "BatchMatMulV2", ["Reshape", "a"], ["T", "adj_x", "adj_y", "grad_x", "grad_y"])]),
    ("reduce_all_axes", lambda a, i, p: tf.reduce_sum(a),
     [("Const", "Const", [], ["dtype", "value"]),
      ("Sum", "Sum", ["a", "Const"], ["T", "Tidx", "keep_dims"])]),
    ("reduce_axis", lambda a, i, p: tf.reduce_mean(a, axis=1, keepdims=True),
     [("Mean/reduction_indices", "Const", [], ["dtype", "value"]),
      ("Mean", "Mean", ["a", "Mean/reduction_indices"], ["T", "Tidx", "keep_dims"])]),
    ("argmax", lambda a, i, p: tf.argmax(a, 1),
     [("ArgMax/dimension", "Const", [], ["dtype", "value"]),
      ("ArgMax", "ArgMax", ["a", "ArgMax/dimension"], ["T", "Tidx", "output_type"])]),
    ("cast", lambda a, i, p: tf.cast(i, tf.float32),
     [("Cast", "Cast", ["i"], ["DstT", "SrcT", "Truncate"])]),
    ("cast_same_dtype_no_node", lambda a, i, p: tf.cast(a, tf.float32), []),
    ("shape_static_const", lambda a, i, p: (tf.shape(a), tf.size(a), tf.rank(a)),
     [("Shape", "Const", [], ["dtype", "value"]), ("Size", "Const", [], ["dtype", "value"]),
      ("Rank", "Const", [], ["dtype", "value"])]),
    ("zeros_small_const", lambda a, i, p: tf.zeros([2, 3]),
     [("zeros", "Const", [], ["dtype", "value"])]),
    ("zeros_big_fill", lambda a, i, p: tf.zeros([40, 30], name="z"),
     [("z/shape_as_tensor", "Const", [], ["dtype", "value"]),
      ("z/Const", "Const", [], ["dtype", "value"]),
      ("z", "Fill", ["z/shape_as_tensor", "z/Const"], ["T", "index_type"])]),
    ("ones_like_static", lambda a, i, p: tf.ones_like(a),
     [("ones_like/Shape/shape_as_tensor", "Const", [], ["dtype", "value"]),
      ("ones_like/Const", "Const", [], ["dtype", "value"]),
      ("ones_like", "Fill", ["ones_like/Shape/shape_as_tensor", "ones_like/Const"],
       ["T", "index_type"])]),
    ("range", lambda a, i, p: tf.range(3),
     [("range/start", "Const", [], ["dtype", "value"]),
      ("range/limit", "Const", [], ["dtype", "value"]),
      ("range/delta", "Const", [], ["dtype", "value"]),
      ("range", "Range", ["range/start", "range/limit", "range/delta"], ["Tidx"])]),
    ("concat_one", lambda a, i, p: tf.concat([a], 0),
     [("concat/concat_dim", "Const", [], ["dtype", "value"]),
      ("concat/concat", "Identity", ["a"], ["T"])]),
    ("stack_python", lambda a, i, p: tf.stack([1.0, 2.0]),
     [("stack", "Const", [], ["dtype", "value"])]),
    ("stack_axis1", lambda a, i, p: tf.stack([a, a], axis=1),
     [("stack", "Pack", ["a", "a"], ["N", "T", "axis"])]),
    ("split_sizes", lambda a, i, p: tf.split(a, [1, 1], axis=1),
     [("Const", "Const", [], ["dtype", "value"]),
      ("split/split_dim", "Const", [], ["dtype", "value"]),
      ("split", "SplitV", ["a", "Const", "split/split_dim"], ["T", "Tlen", "num_split"])]),
    ("squeeze_attr", lambda a, i, p: tf.squeeze(a),
     [("Squeeze", "Squeeze", ["a"], ["T", "squeeze_dims"])]),
    ("gather", lambda a, i, p: tf.gather(a, 1),
     [("GatherV2/indices", "Const", [], ["dtype", "value"]),
      ("GatherV2/axis", "Const", [], ["dtype", "value"]),
      ("GatherV2", "GatherV2", ["a", "GatherV2/indices", "GatherV2/axis"],
       ["Taxis", "Tindices", "Tparams", "batch_dims"])]),
    ("getitem", lambda a, i, p: a[1:, ::2],
     [("strided_slice/stack", "Const", [], ["dtype", "value"]),
      ("strided_slice/stack_1", "Const", [], ["dtype", "value"]),
      ("strided_slice/stack_2", "Const", [], ["dtype", "value"]),
      ("strided_slice", "StridedSlice",
       ["a", "strided_slice/stack", "strided_slice/stack_1", "strided_slice/stack_2"],
       ["Index", "T", "begin_mask", "ellipsis_mask", "end_mask", "new_axis_mask",
        "shrink_axis_mask"])]),
    ("where_v1_select", lambda a, i, p: tf.where(p, i, i),
     [("Select", "Select", ["p", "i", "i"], ["T"])]),
    ("where_v2_scalar_e", lambda a, i, p: tf.where_v2(p, i, 0),
     [("SelectV2/e", "Const", [], ["dtype", "value"]),
      ("SelectV2", "SelectV2", ["p", "i", "SelectV2/e"], ["T"])]),
    ("clip_by_value", lambda a, i, p: tf.clip_by_value(a, 0.0, 1.0),
     [("clip_by_value/Minimum/y", "Const", [], ["dtype", "value"]),
      ("clip_by_value/Minimum", "Minimum", ["a", "clip_by_value/Minimum/y"], ["T"]),
      ("clip_by_value/y", "Const", [], ["dtype", "value"]),
      ("clip_by_value", "Maximum", ["clip_by_value/Minimum", "clip_by_value/y"], ["T"])]),
    ("scalar_mul", lambda a, i, p: tf.scalar_mul(3.0, a),
     [("scalar", "Const", [], ["dtype", "value"]), ("Mul", "Mul", ["scalar", "a"], ["T"])]),
    ("add_n", lambda a, i, p: tf.add_n([i, i, i]), [("AddN", "AddN", ["i", "i", "i"], ["N", "T"])]),
    ("bias_add", lambda a, i, p: tf.nn.bias_add(a, tf.constant([1.0, 2.0], name="b")),
     [("b", "Const", [], ["dtype", "value"]),
      ("BiasAdd", "BiasAdd", ["a", "b"], ["T", "data_format"])]),
    ("leaky_relu", lambda a, i, p: tf.nn.leaky_relu(a, alpha=0.1),
     [("LeakyRelu", "LeakyRelu", ["a"], ["T", "alpha"])]),
    ("conv2d", lambda a, i, p: tf.nn.conv2d(tf.reshape(a, [1, 2, 2, 1]),
                                            tf.constant(np.ones((1, 1, 1, 1), np.float32), name="k"),
                                            strides=1, padding="SAME"),
     [("Reshape/shape", "Const", [], ["dtype", "value"]),
      ("Reshape", "Reshape", ["a", "Reshape/shape"], ["T", "Tshape"]),
      ("k", "Const", [], ["dtype", "value"]),
      ("Conv2D", "Conv2D", ["Reshape", "k"],
       ["T", "data_format", "dilations", "explicit_paddings", "padding", "strides",
        "use_cudnn_on_gpu"])]),
    ("reshape_empty_shape_retry", lambda a, i, p: tf.reshape(tf.constant([4.0], name="c"), []),
     [("c", "Const", [], ["dtype", "value"]), ("Reshape/shape", "Const", [], ["dtype", "value"]),
      ("Reshape/shape_1", "Const", [], ["dtype", "value"]),
      ("Reshape", "Reshape", ["c", "Reshape/shape_1"], ["T", "Tshape"])]),
]


@pytest.mark.parametrize("build,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_emission(build, expected):
    assert _summary(_build(build)) == expected


@pytest.mark.parametrize("build,name,key,value", [
    (lambda a, i, p: tf.matmul(a, a, transpose_a=True), "MatMul", "transpose_a", True),
    (lambda a, i, p: tf.reduce_sum(a, 0, keepdims=True), "Sum", "keep_dims", True),
    (lambda a, i, p: tf.argmax(a, 0, output_type=tf.int32), "ArgMax", "output_type", tf.int32),
    (lambda a, i, p: tf.cast(i, tf.bool), "Cast", "DstT", tf.bool),
    (lambda a, i, p: tf.squeeze(tf.reshape(a, [1, 4]), axis=[0]), "Squeeze", "squeeze_dims", [0]),
    (lambda a, i, p: tf.nn.bias_add(a, a[0]), "BiasAdd", "data_format", b"NHWC"),
    (lambda a, i, p: a[:, 1], "strided_slice", "shrink_axis_mask", 2),
    (lambda a, i, p: a[..., None], "strided_slice", "ellipsis_mask", 1),
    (lambda a, i, p: a[..., None], "strided_slice", "new_axis_mask", 2),
    (lambda a, i, p: tf.unstack(a, axis=1), "unstack", "num", 2),
    (lambda a, i, p: tf.nn.max_pool(tf.reshape(a, [1, 2, 2, 1]), 2, 2, "VALID"), "MaxPool",
     "ksize", [1, 2, 2, 1]),
])
def test_attr_values(build, name, key, value):
    g = tf.Graph()
    with g.as_default():
        build(tf.constant([[1.0, 2.0], [3.0, 4.0]], name="a"), tf.constant([1, 2], name="i"),
              tf.constant([True, False], name="p"))
    assert g.get_operation_by_name(name).get_attr(key) == value


def test_python_scalars_take_tensor_dtype_in_reflected_operators():
    g = tf.Graph()
    with g.as_default():
        k = tf.constant([1, 2], dtype=tf.int64)
        r = 3 - k
    assert r.dtype == tf.int64
    assert g.get_operation_by_name("sub/x").get_attr("dtype") == tf.int64


def test_tensor_index_packs_begin_end():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(np.zeros((3, 4), np.int32), name="x")
        i = tf.constant(1, name="i")
        y = x[i]
    names = [(n.name, n.op) for n in g.as_graph_def().node][2:]
    assert names == [("add/y", "Const"), ("add", "Add"), ("strided_slice/stack", "Pack"),
                     ("strided_slice/stack_1", "Pack"), ("strided_slice/stack_2", "Const"),
                     ("strided_slice", "StridedSlice")]
    assert y.shape.as_list() == [4]


def test_ops_follow_input_graph_not_default():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
    b = a + 2.0
    assert b.graph is g and b.op.inputs[1].op.name == "add/y"


OPERATORS = [
    (lambda a, b: a + b, "add", "Add"), (lambda a, b: 2.0 + a, "add", "Add"),
    (lambda a, b: a - b, "sub", "Sub"), (lambda a, b: 2.0 - a, "sub", "Sub"),
    (lambda a, b: a * b, "mul", "Mul"), (lambda a, b: 2.0 * a, "mul", "Mul"),
    (lambda a, b: a / b, "truediv", "RealDiv"), (lambda a, b: 2.0 / a, "truediv", "RealDiv"),
    (lambda a, b: a // b, "floordiv", "FloorDiv"), (lambda a, b: 2.0 // a, "floordiv", "FloorDiv"),
    (lambda a, b: a % b, "mod", "FloorMod"), (lambda a, b: 2.0 % a, "mod", "FloorMod"),
    (lambda a, b: a ** b, "pow", "Pow"), (lambda a, b: 2.0 ** a, "pow", "Pow"),
    (lambda a, b: a @ b, "matmul", "MatMul"),
    (lambda a, b: np.ones((2, 2), np.float32) @ a, "matmul", "MatMul"),
    (lambda a, b: -a, "Neg", "Neg"), (lambda a, b: abs(a), "Abs", "Abs"),
    (lambda a, b: a < b, "Less", "Less"), (lambda a, b: a <= b, "LessEqual", "LessEqual"),
    (lambda a, b: a > b, "Greater", "Greater"),
    (lambda a, b: a >= b, "GreaterEqual", "GreaterEqual"),
    (lambda a, b: (a > b) & (a < b), "and", "LogicalAnd"),
    (lambda a, b: (a > b) | (a < b), "or", "LogicalOr"),
    (lambda a, b: ~(a > b), "LogicalNot", "LogicalNot"),
]


@pytest.mark.parametrize("expr,name,op_type", [c for c in OPERATORS],
                         ids=[f"{i}_{c[1]}" for i, c in enumerate(OPERATORS)])
def test_operator_default_names(expr, name, op_type):
    with tf.Graph().as_default():
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        b = tf.constant([[2.0, 2.0], [2.0, 2.0]])
        out = expr(a, b)
    assert (out.op.name, out.op.type) == (name, op_type)
    for t in out.op.inputs:  # reflected Python operands: `<name>/x`, right ones `<name>/y`
        if t.op.type == "Const" and t.op.name.startswith(name + "/"):
            assert t.op.name in (f"{name}/x", f"{name}/y") and t.dtype == tf.float32
