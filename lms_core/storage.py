"""Files stored once by the SHA-256 of their bytes under var/files/, written atomically (materials, submissions)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lms_core.errors import TooLarge
from lms_core.i18n import N_
from lms_core.settings import get_settings

FILE_TOO_LARGE = N_("The file is larger than {max_mb} MB, the limit for this kind of material.")
CHUNK = 1 << 20
HEAD = 8192


@dataclass
class Staged:
    """An upload copied to a temporary file in the store, hashed and measured, not yet kept."""

    path: Path
    sha256: str
    size: int
    head: bytes

    def read(self) -> bytes:
        """Return the whole staged file (callers check the size first)."""
        return self.path.read_bytes()

    def discard(self) -> None:
        """Delete the temporary file."""
        self.path.unlink(missing_ok=True)


def files_dir() -> Path:
    """Return var/files/, created on first use."""
    path = get_settings().resolved_var_dir / "files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_for(sha256: str) -> Path:
    """Return where a file with this hash is kept (two levels of folders keep directories small)."""
    return files_dir() / sha256[:2] / sha256[2:4] / sha256


def stage(stream: BinaryIO, *, max_bytes: int) -> Staged:
    """Copy a stream into a temporary file of the store while hashing it; refuse it past max_bytes."""
    tmp_dir = files_dir() / "tmp"
    tmp_dir.mkdir(exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(FILE_TOO_LARGE, max_mb=f"{max_bytes / 1_000_000:.3g}")
                if len(head) < HEAD:
                    head += chunk[: HEAD - len(head)]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Staged(path=path, sha256=digest.hexdigest(), size=size, head=head)


def keep(staged: Staged) -> bool:
    """Move a staged file to its place by hash; return True when it was not stored before."""
    target = path_for(staged.sha256)
    if target.exists():
        staged.discard()
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.path, target)  # atomic on one file system: readers see all of it or nothing
    _fsync_dir(target.parent)
    return True


def forget(sha256: str) -> None:
    """Delete a kept file (used to undo a keep when the database refused the version)."""
    path_for(sha256).unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
