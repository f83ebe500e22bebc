"""Kernel registry and one module per op family.

``REGISTRY`` maps op type → :class:`KernelDef`; the family modules below fill it
with ``@kernel(...)`` when imported (explicitly, here — no scanning of globals).
"""
from graphdef.runtime.kernels.registry import (DEAD, REGISTRY, KernelContext, KernelDef, decode_attr,
                                               kernel, lookup, registered_ops)
from graphdef.runtime.kernels import (array, control, conv, functional, grad, image, math, nn,
                                      state)

# Importing a family module registers its kernels; this tuple names them explicitly.
FAMILIES = (array, control, conv, functional, grad, image, math, nn, state)

__all__ = ["DEAD", "REGISTRY", "KernelContext", "KernelDef", "decode_attr", "kernel", "lookup",
           "registered_ops"]
