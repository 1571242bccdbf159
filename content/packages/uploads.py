"""Uploaded packages on disk: received in chunks under a size limit, and kept between the preview and the confirm.

A package waiting for confirmation is kept by lms_core.pending under var/packages/pending/ (user and hash checked on
confirmation); packages an interrupted upload left in var/packages/incoming/ are purged on the next upload.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lms_core.errors import TooLarge
from lms_core.i18n import N_
from lms_core.pending import MAX_AGE_SECONDS, PendingStore
from lms_core.settings import get_settings

UPLOAD_EXPIRED = N_("The uploaded package is no longer available. Please upload it again.")
PACKAGE_TOO_LARGE = N_("The package is larger than {max_mb} MB, the limit of this server.")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Received:
    """A package written to disk, with the SHA-256 of its bytes."""

    path: Path
    sha256: str


def _dir(name: str) -> Path:
    path = get_settings().resolved_var_dir / "packages" / name
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def receive(stream: BinaryIO) -> Received:
    """Copy an uploaded package to a private temporary file while hashing it; refuse it past the size limit."""
    limit = get_settings().max_package_bytes
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(dir=_dir("incoming"), prefix="package-", suffix=".zip")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(PACKAGE_TOO_LARGE, max_mb=f"{limit / 1_000_000:.3g}")
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Received(path=path, sha256=digest.hexdigest())


PENDING = PendingStore("packages/pending", message=UPLOAD_EXPIRED)


def keep(received: Received, *, user_id: int) -> str:
    """Keep a previewed package for its uploader's confirmation; return the confirm form's token."""
    purge_incoming()
    return PENDING.keep_file(received.path, sha256=received.sha256, user_id=user_id)


def load(token: str, *, user_id: int) -> Received:
    """Return the kept package of this token if this user uploaded it and its bytes are unchanged."""
    kept = PENDING.load(token, user_id=user_id)
    return Received(path=kept.path, sha256=kept.sha256)


def discard(token: str) -> None:
    """Delete a kept package and its record."""
    PENDING.discard(token)


def purge_incoming(max_age: int = MAX_AGE_SECONDS) -> int:
    """Delete incoming packages an interrupted upload left behind; return how many were removed."""
    cutoff = time.time() - max_age
    removed = 0
    for path in _dir("incoming").iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
