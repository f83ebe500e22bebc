"""``Variable.initialized_value`` and TF's guard for initial values that read variables."""
from __future__ import annotations

from typing import Any

from graphdef.framework.operation import Tensor


def guard_uninitialized(name: str, initial_value: Tensor) -> Tensor:
    """TF's ``_try_guard_against_uninitialized_dependencies`` (placeholder: unchanged)."""
    return initial_value


def initialized_value(var: Any) -> Tensor:
    raise NotImplementedError("initialized_value is not implemented yet")
