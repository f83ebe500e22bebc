"""FileWriter event files, read back with TensorBoard's own reader."""
from __future__ import annotations

import os
import re

import pytest

import graphdef as tf
from graphdef._proto.graph_pb2 import GraphDef
from graphdef.framework import Graph

loader = pytest.importorskip("tensorboard.backend.event_processing.event_file_loader")


def read_events(logdir):
    files = os.listdir(logdir)
    assert len(files) == 1 and re.match(r"events\.out\.tfevents\.\d{10}\.", files[0])
    return list(loader.EventFileLoader(os.path.join(logdir, files[0])).Load())


def graph_of(events):
    found = [e for e in events if e.WhichOneof("what") == "graph_def"]
    assert len(found) == 1
    return GraphDef.FromString(found[0].graph_def)


def strip_shapes(gd):
    for n in gd.node:
        if "_output_shapes" in n.attr:
            del n.attr["_output_shapes"]
    return gd


@pytest.mark.parametrize("how", ["constructor", "add_graph", "graph_def"])
def test_file_writer_roundtrip(tmp_path, how):
    g = Graph()
    with g.as_default():
        x = tf.Variable(10, name="x")
        y = tf.Variable(20, name="y")
        tf.identity(x, name="z")
        del y
    logdir = tmp_path / "logs"
    if how == "constructor":
        w = tf.summary.FileWriter(str(logdir), g)
    else:
        w = tf.summary.FileWriter(str(logdir))
        w.add_graph(g if how == "add_graph" else g.as_graph_def())
    w.flush()
    w.close()
    events = read_events(logdir)
    assert events[0].file_version == "brain.Event:2"
    assert graph_of(events) == g.as_graph_def()


def test_add_graph_with_shapes(tmp_path):
    g = Graph()
    with g.as_default():
        tf.constant([1.0, 2.0], name="c")
    with tf.summary.FileWriter(str(tmp_path)) as w:
        w.add_graph(g, global_step=3, add_shapes=True)
    events = read_events(tmp_path)
    got = graph_of(events)
    assert [d.size for d in got.node[0].attr["_output_shapes"].list.shape[0].dim] == [2]
    assert strip_shapes(got) == g.as_graph_def()
    assert [e.step for e in events if e.WhichOneof("what") == "graph_def"] == [3]


def test_file_writer_context_manager_and_errors(tmp_path):
    with tf.summary.FileWriter(str(tmp_path)) as w:
        with pytest.raises(TypeError):
            w.add_graph(42)
        assert w.get_logdir() == str(tmp_path)
    assert [e.WhichOneof("what") for e in read_events(tmp_path)] == ["file_version"]
