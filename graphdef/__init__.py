"""graphdef: build, inspect, compare, clean and run TensorFlow GraphDefs without TensorFlow.

``import graphdef as tf`` gives TF1's graph-building and Session API; ``load``,
``save``, ``summarize``, ``diff`` and ``dedupe`` work on GraphDef messages.
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
