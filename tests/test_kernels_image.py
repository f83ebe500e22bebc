"""Resize and space/batch/depth kernels against TensorFlow's documented examples and
coordinate rules (align_corners, half_pixel_centers)."""
from __future__ import annotations

import numpy as np
import pytest

from graphdef.errors import InvalidArgumentError
from test_kernels_registry import run_op

SIZE = lambda h, w: np.array([h, w], np.int32)  # noqa: E731


def test_resize_nearest():
    x = np.array([[1, 2], [3, 4]], np.float32).reshape(1, 2, 2, 1)
    want = np.repeat(np.repeat(x, 2, 1), 2, 2)
    for attrs in ({}, {"half_pixel_centers": True}):
        np.testing.assert_array_equal(run_op("ResizeNearestNeighbor", [x, SIZE(4, 4)], attrs), want)
    got = run_op("ResizeNearestNeighbor", [x, SIZE(3, 3)], {"align_corners": True})
    assert got[0, :, :, 0].tolist() == [[1, 2, 2], [3, 4, 4], [3, 4, 4]]   # round(i·0.5)
    got = run_op("ResizeNearestNeighbor", [x, SIZE(1, 1)])
    assert got.shape == (1, 1, 1, 1) and got.item() == 1
    assert run_op("ResizeNearestNeighbor", [x.astype(np.int32), SIZE(4, 4)]).dtype == np.int32


def test_resize_bilinear():
    row = np.array([0.0, 1.0], np.float32).reshape(1, 1, 2, 1)
    got = run_op("ResizeBilinear", [row, SIZE(1, 4)], {"half_pixel_centers": True})
    np.testing.assert_allclose(got.reshape(-1), [0, 0.25, 0.75, 1])
    got = run_op("ResizeBilinear", [row, SIZE(1, 3)], {"align_corners": True})
    np.testing.assert_allclose(got.reshape(-1), [0, 0.5, 1])
    got = run_op("ResizeBilinear", [row, SIZE(1, 4)])          # legacy: src = i·0.5
    np.testing.assert_allclose(got.reshape(-1), [0, 0.5, 1, 1])
    img = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    got = run_op("ResizeBilinear", [img, SIZE(2, 2)])
    assert got.dtype == np.float32 and got[0, :, :, 0].tolist() == [[0, 2], [8, 10]]
    with pytest.raises(InvalidArgumentError, match="size must be 2 positive values"):
        run_op("ResizeBilinear", [img, np.array([0, 2], np.int32)])


def test_space_to_batch_and_back():
    x = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4, 1)
    bs, zero = np.array([2, 2], np.int32), np.zeros((2, 2), np.int32)
    y = run_op("SpaceToBatchND", [x, bs, zero])
    assert y.shape == (4, 2, 2, 1)
    assert y[:, :, :, 0].tolist() == [[[1, 3], [9, 11]], [[2, 4], [10, 12]], [[5, 7], [13, 15]], [[6, 8], [14, 16]]]
    np.testing.assert_array_equal(run_op("BatchToSpaceND", [y, bs, zero]), x)
    pads = np.array([[1, 1], [0, 2]], np.int32)
    y = run_op("SpaceToBatchND", [x, bs, pads])
    assert y.shape == (4, 3, 3, 1)
    np.testing.assert_array_equal(run_op("BatchToSpaceND", [y, bs, pads]), x)
    with pytest.raises(InvalidArgumentError, match="not divisible"):
        run_op("SpaceToBatchND", [x, np.array([3, 3], np.int32), zero])


def test_depth_space():
    x = np.array([1, 2, 3, 4], np.float32).reshape(1, 1, 1, 4)
    y = run_op("DepthToSpace", [x], {"block_size": 2})
    assert y[0, :, :, 0].tolist() == [[1, 2], [3, 4]]
    np.testing.assert_array_equal(run_op("SpaceToDepth", [y], {"block_size": 2}), x)
    z = np.random.RandomState(0).rand(2, 4, 6, 3).astype(np.float32)
    np.testing.assert_array_equal(run_op("DepthToSpace", [run_op("SpaceToDepth", [z], {"block_size": 2})],
                                         {"block_size": 2}), z)


COVERED = {"ResizeNearestNeighbor", "ResizeBilinear", "SpaceToBatchND", "BatchToSpaceND", "DepthToSpace",
           "SpaceToDepth"}
