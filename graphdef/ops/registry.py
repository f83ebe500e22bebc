"""The ops graphdef builds, declared as TensorFlow registers them (``ops.pbtxt``):
argument names, which attr types each argument, attr defaults and allowed types.

A node gets exactly the attrs declared here, so a new attr in TensorFlow (``grad_a``,
``incompatible_shape_error``...) is one edit in this table.
"""
from __future__ import annotations

from graphdef.ops.op_def import register

# -- element-wise ------------------------------------------------------------------------
_UNARY_T = {
    "Neg": "numbers", "Abs": "real", "Sign": "numbers", "Square": "numbers", "Sqrt": "floatc",
    "Rsqrt": "floatc", "Exp": "floatc", "Expm1": "floatc", "Log": "floatc", "Log1p": "floatc",
    "Floor": "float", "Ceil": "float", "Round": "numbers", "Reciprocal": "numbers",
    "Sigmoid": "floatc", "Tanh": "floatc", "Sin": "floatc", "Cos": "floatc", "Tan": "floatc",
    "Relu": "real", "Relu6": "real", "Elu": "float", "Selu": "float", "Softplus": "float",
    "Softsign": "float", "Softmax": "float", "LogSoftmax": "float", "Erf": "float",
    "Inv": "numbers", "Asin": "floatc", "Acos": "floatc", "Atan": "floatc", "Sinh": "floatc",
    "Cosh": "floatc", "Asinh": "floatc", "Acosh": "floatc", "Atanh": "floatc", "Lgamma": "float",
    "Digamma": "float", "Rint": "float",
}
_GROUP_OF = {"numbers": "number", "floatc": "floatcomplex", "float": "float", "real": "real"}
for _op, _g in _UNARY_T.items():
    _in = "features" if _op in ("Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign") else (
        "logits" if _op in ("Softmax", "LogSoftmax") else "x")
    register(_op, f"{_in}: T", "y: T", f"T: type in {_GROUP_OF[_g]}")

register("LeakyRelu", "features: T", "activations: T", "alpha: float = 0.2; T: type in float = float32")
register("Identity", "input: T", "output: T", "T: type")
register("ZerosLike", "x: T", "y: T", "T: type")
register("OnesLike", "x: T", "y: T", "T: type")
register("IsNan", "x: T", "y: bool", "T: type in float")
register("IsFinite", "x: T", "y: bool", "T: type in float")
register("IsInf", "x: T", "y: bool", "T: type in float")
register("ComplexAbs", "x: T", "y: Tout",
         "T: type in complex64,complex128 = complex64; Tout: type in float32,float64 = float32")
register("Real", "input: T", "output: Tout",
         "T: type in complex64,complex128 = complex64; Tout: type in float32,float64 = float32")
register("Imag", "input: T", "output: Tout",
         "T: type in complex64,complex128 = complex64; Tout: type in float32,float64 = float32")
register("Conj", "input: T", "output: T", "T: type in complex64,complex128,variant = complex64")

# Allowed types as TensorFlow registers them (bool never does arithmetic: TypeError).
_BINARY_T = {
    "Add": "numberstring", "AddV2": "number", "Sub": "number", "Mul": "number",
    "RealDiv": "number", "Div": "number", "FloorDiv": "real", "FloorMod": "real",
    "TruncateDiv": "real", "TruncateMod": "real", "Pow": "number", "Maximum": "real",
    "Minimum": "real", "SquaredDifference": "number", "Atan2": "float",
    "DivNoNan": "floatcomplex", "Xdivy": "floatcomplex", "Xlogy": "floatcomplex",
    "MulNoNan": "floatcomplex",
}
for _op, _g in _BINARY_T.items():
    register(_op, "x: T; y: T", "z: T", f"T: type in {_g}")
for _op in ("Less", "LessEqual", "Greater", "GreaterEqual"):
    register(_op, "x: T; y: T", "z: bool", "T: type in real")
for _op in ("Equal", "NotEqual"):
    register(_op, "x: T; y: T", "z: bool", "T: type; incompatible_shape_error: bool = true")
register("LogicalAnd", "x: bool; y: bool", "z: bool")
register("LogicalOr", "x: bool; y: bool", "z: bool")
register("LogicalNot", "x: bool", "y: bool")
for _op in ("BitwiseAnd", "BitwiseOr", "BitwiseXor"):
    register(_op, "x: T; y: T", "z: T", "T: type in int")
register("Invert", "x: T", "y: T", "T: type in int")
register("AddN", "inputs: N * T", "sum: T", "N: int; T: type")
register("Complex", "real: T; imag: T", "out: Tout",
         "T: type in float32,float64 = float32; Tout: type in complex64,complex128 = complex64")
register("Cast", "x: SrcT", "y: DstT", "SrcT: type; DstT: type; Truncate: bool = false")
register("Select", "condition: bool; t: T; e: T", "output: T", "T: type")
register("SelectV2", "condition: bool; t: T; e: T", "output: T", "T: type")
register("ClipByValue", "t: T; clip_value_min: T; clip_value_max: T", "output: T", "T: type in number")

# -- matmul --------------------------------------------------------------------------------
register("MatMul", "a: T; b: T", "product: T",
         "transpose_a: bool = false; transpose_b: bool = false; T: type in number; "
         "grad_a: bool = false; grad_b: bool = false")
register("BatchMatMulV2", "x: T; y: T", "output: T",
         "T: type in number; adj_x: bool = false; adj_y: bool = false; grad_x: bool = false; "
         "grad_y: bool = false")

# -- reductions ------------------------------------------------------------------------------
for _op in ("Sum", "Mean", "Max", "Min", "Prod"):
    register(_op, "input: T; reduction_indices: Tidx", "output: T",
             "keep_dims: bool = false; T: type in number; Tidx: type in index = int32")
for _op in ("Any", "All"):
    register(_op, "input: bool; reduction_indices: Tidx", "output: bool",
             "keep_dims: bool = false; Tidx: type in index = int32")
for _op in ("ArgMax", "ArgMin"):
    register(_op, "input: T; dimension: Tidx", "output: output_type",
             "T: type; Tidx: type in int16,int32,int64 = int32; "
             "output_type: type in int16,uint16,int32,int64 = int64")

# -- array -------------------------------------------------------------------------------------
register("Reshape", "tensor: T; shape: Tshape", "output: T", "T: type; Tshape: type in index = int32")
register("Transpose", "x: T; perm: Tperm", "y: T", "T: type; Tperm: type in index = int32")
register("ConcatV2", "values: N * T; axis: Tidx", "output: T",
         "N: int; T: type; Tidx: type in index = int32")
register("Pack", "values: N * T", "output: T", "N: int; T: type; axis: int = 0")
register("Unpack", "value: T", "output: num * T", "num: int; T: type; axis: int = 0")
register("Split", "split_dim: int32; value: T", "output: num_split * T", "num_split: int; T: type")
register("SplitV", "value: T; size_splits: Tlen; split_dim: int32", "output: num_split * T",
         "num_split: int; T: type; Tlen: type in int8,int32,int64 = int64")
register("Squeeze", "input: T", "output: T", "T: type; squeeze_dims: list(int) = []")
register("ExpandDims", "input: T; dim: Tdim", "output: T", "T: type; Tdim: type in index = int32")
register("Tile", "input: T; multiples: Tmultiples", "output: T",
         "T: type; Tmultiples: type in index = int32")
register("Slice", "input: T; begin: Index; size: Index", "output: T",
         "T: type; Index: type in index")
register("StridedSlice", "input: T; begin: Index; end: Index; strides: Index", "output: T",
         "T: type; Index: type in index; begin_mask: int = 0; end_mask: int = 0; "
         "ellipsis_mask: int = 0; new_axis_mask: int = 0; shrink_axis_mask: int = 0")
register("GatherV2", "params: Tparams; indices: Tindices; axis: Taxis", "output: Tparams",
         "batch_dims: int = 0; Tparams: type; Tindices: type in int16,int32,int64; "
         "Taxis: type in index")
register("Where", "input: T", "index: int64", "T: type in numberbool = bool")
register("Fill", "dims: index_type; value: T", "output: T",
         "T: type; index_type: type in index = int32")
register("Range", "start: Tidx; limit: Tidx; delta: Tidx", "output: Tidx",
         "Tidx: type in bfloat16,float16,float32,float64,int8,int16,int32,int64,uint16,uint32 = int32")
register("Shape", "input: T", "output: out_type", "T: type; out_type: type in index = int32")
register("Size", "input: T", "output: out_type", "T: type; out_type: type in index = int32")
register("Rank", "input: T", "output: int32", "T: type")
register("BroadcastArgs", "s0: T; s1: T", "r0: T", "T: type in index = int32")
register("BroadcastTo", "input: T; shape: Tidx", "output: T", "T: type; Tidx: type in index = int32")
register("ReverseV2", "tensor: T; axis: Tidx", "output: T", "Tidx: type in index = int32; T: type")
register("OneHot", "indices: TI; depth: int32; on_value: T; off_value: T", "output: T",
         "axis: int = -1; T: type; TI: type in uint8,int8,int32,int64 = int64")
register("StopGradient", "input: T", "output: T", "T: type")
register("LinSpace", "start: T; stop: T; num: Tidx", "output: T",
         "T: type in float; Tidx: type in index = int32")

# -- nn ------------------------------------------------------------------------------------------
register("BiasAdd", "value: T; bias: T", "output: T", "T: type in number; data_format: string = NHWC")
register("Conv2D", "input: T; filter: T", "output: T",
         "T: type in half,bfloat16,float32,float64,int32; strides: list(int); "
         "use_cudnn_on_gpu: bool = true; padding: string; explicit_paddings: list(int) = []; "
         "data_format: string = NHWC; dilations: list(int) = [1, 1, 1, 1]")
register("MaxPool", "input: T", "output: T",
         "T: type in real = float32; ksize: list(int); strides: list(int); padding: string; "
         "explicit_paddings: list(int) = []; data_format: string = NHWC")
register("AvgPool", "value: T", "output: T",
         "ksize: list(int); strides: list(int); padding: string; data_format: string = NHWC; "
         "T: type in float")
