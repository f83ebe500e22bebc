"""Atomic file writes: a failed or interrupted write never leaves a partial or
clobbered output, because data goes to a temp file in the same folder that is
renamed over the target only once it is complete."""
from __future__ import annotations

import os

from graphdef.errors import WriteError


def _temp_file(folder: str, name: str) -> tuple[int, str]:
    """Create a new, empty temp file next to the target (as ``tempfile.mkstemp``:
    exclusive create, mode 0600), without importing ``tempfile``, ``random`` and
    ``shutil`` at every CLI start."""
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temp file name in {folder}")


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file + fsync + rename).

    Keeps the permissions of a file being replaced; new files get the usual
    umask-derived mode rather than the temp file's 0600.
    """
    target = os.fspath(path)
    folder, name = os.path.split(target)
    try:
        fd, tmp = _temp_file(folder or ".", name)
    except OSError as e:
        raise WriteError(f"{path}: cannot write: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise WriteError(f"{path}: cannot write: {e.strerror or e}") from e
        raise
