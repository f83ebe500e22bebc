"""Device strings as TensorFlow canonicalises them (``DeviceSpec``).

``/cpu:0`` becomes ``/device:CPU:0``; nested ``tf.device`` blocks merge field by field,
the inner block winning (``/job:localhost`` + ``/cpu:0`` → ``/job:localhost/device:CPU:0``).
"""
from __future__ import annotations

from typing import NamedTuple

_SHORT_TYPES = {"CPU", "GPU", "TPU", "TPU_SYSTEM", "XLA_CPU", "XLA_GPU", "TPU_EMBEDDING"}


class DeviceSpec(NamedTuple):
    job: str | None = None
    replica: int | None = None
    task: int | None = None
    device_type: str | None = None
    device_index: int | None = None

    @classmethod
    def from_string(cls, spec: str | None) -> "DeviceSpec":
        job = replica = task = device_type = device_index = None
        for part in (spec or "").split("/"):
            y = part.split(":")
            ly = len(y)
            if not part:
                continue
            if ly == 2 and y[0] == "job":
                job = y[1]
            elif ly == 2 and y[0] == "replica":
                replica = int(y[1])
            elif ly == 2 and y[0] == "task":
                task = int(y[1])
            elif ly in (1, 2) and y[0].upper() in _SHORT_TYPES:
                if device_type is not None:
                    raise ValueError(f"Multiple device types are not allowed while parsing the"
                                     f" device spec: {spec}.")
                device_type = y[0].upper()
                if ly == 2 and y[1] != "*":
                    device_index = int(y[1])
            elif ly == 3 and y[0] == "device":
                if device_type is not None:
                    raise ValueError(f"Multiple device types are not allowed while parsing the"
                                     f" device spec: {spec}.")
                device_type = y[1]
                if y[2] != "*":
                    device_index = int(y[2])
            elif y[0] != "":
                raise ValueError(f"Unknown attribute '{y[0]}' is encountered while parsing the"
                                 f" device spec: '{spec}'.")
        return cls(job, replica, task, device_type, device_index)

    def merged(self, other: "DeviceSpec") -> "DeviceSpec":
        """This spec with every field that ``other`` sets taken from ``other``."""
        return DeviceSpec(*(o if o is not None else s for s, o in zip(self, other)))

    make_merged_spec = merged  # TF's name

    def replace(self, **kwargs: object) -> "DeviceSpec":
        return self._replace(**kwargs)

    parse_from_string = from_string

    def to_string(self) -> str:
        out = []
        if self.job is not None:
            out.append("/job:" + self.job)
        if self.replica is not None:
            out.append(f"/replica:{self.replica}")
        if self.task is not None:
            out.append(f"/task:{self.task}")
        if self.device_type is not None:
            idx = "*" if self.device_index is None else str(self.device_index)
            out.append(f"/device:{self.device_type}:{idx}")
        return "".join(out)


def canonical_device(spec: str | None) -> str:
    """``/cpu:0`` → ``/device:CPU:0``; ``None``/"" → ""."""
    return DeviceSpec.from_string(spec).to_string() if spec else ""


def merge_device(outer: str, inner: str) -> str:
    """Device string after applying ``outer`` to an op that ``inner`` already placed."""
    return DeviceSpec.from_string(outer).merged(DeviceSpec.from_string(inner)).to_string()


__all__ = ["DeviceSpec"]
