"""graphdef: build, inspect, compare, clean and run TensorFlow GraphDefs without TensorFlow.

``import graphdef as tf`` gives TF1's graph-building and Session API (the names of
``tf.compat.v1``); ``load``, ``save``, ``summarize``, ``diff`` and ``dedupe`` work on
GraphDef messages. Each subpackage exports its public names through ``__all__``:
``framework`` (Graph, Variable, ...), ``ops`` (math/array/nn ops), ``runtime``
(Session), ``tools`` (summarize/diff/dedupe).
"""
from __future__ import annotations

__version__ = "0.1.0"

from graphdef import errors
from graphdef._proto.graph_pb2 import GraphDef
from graphdef._proto.node_def_pb2 import NodeDef
from graphdef._proto.attr_value_pb2 import AttrValue
from graphdef._proto.tensor_pb2 import TensorProto
from graphdef.errors import GraphDefError, ParseError
from graphdef.io import dumps, load, loads, save
from graphdef.tensors import make_tensor_proto, to_ndarray as make_ndarray
from graphdef.dtypes import (DType, as_dtype, bfloat16, bool, complex64, complex128, double,  # noqa: A004
                             float16, float32, float64, half, int8, int16, int32, int64, qint8,
                             qint16, qint32, quint8, quint16, resource, string, uint8, uint16,
                             uint32, uint64, variant)

from graphdef.framework import *  # noqa: F401,F403,E402
from graphdef.ops import *  # noqa: F401,F403,E402
from graphdef.runtime import *  # noqa: F401,F403,E402
from graphdef.tools import *  # noqa: F401,F403,E402
