"""Uploaded packages on disk: received in chunks under a size limit, and kept between the preview and the confirm.

A package waiting for confirmation lives under var/packages/pending/ as <token>.zip next to <token>.json naming the
user who uploaded it and the package's SHA-256. The token is random (two people may send the same package); the
confirm step checks the user and the hash, and deletes both files. Stale ones are purged on the next upload.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lms_core.errors import NotFound, TooLarge
from lms_core.i18n import N_
from lms_core.settings import get_settings

UPLOAD_EXPIRED = N_("The uploaded package is no longer available. Please upload it again.")
PACKAGE_TOO_LARGE = N_("The package is larger than {max_mb} MB, the limit of this server.")
MAX_AGE_SECONDS = 2 * 60 * 60
CHUNK = 1 << 20
TOKEN = re.compile(r"^[0-9a-f]{64}$")


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


def keep(received: Received, *, user_id: int) -> str:
    """Keep a previewed package for its uploader's confirmation; return the confirm form's token."""
    purge_stale()
    token = secrets.token_hex(32)
    folder = _dir("pending")
    os.replace(received.path, folder / f"{token}.zip")
    record = folder / f"{token}.json"
    fd = os.open(record, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"user_id": user_id, "sha256": received.sha256}, out)
    return token


def load(token: str, *, user_id: int) -> Received:
    """Return the kept package of this token if this user uploaded it and its bytes are unchanged."""
    if not TOKEN.match(token):
        raise NotFound(UPLOAD_EXPIRED)
    folder = _dir("pending")
    try:
        record = json.loads((folder / f"{token}.json").read_text())
        path = folder / f"{token}.zip"
        digest = hashlib.sha256()
        with path.open("rb") as data:
            while chunk := data.read(CHUNK):
                digest.update(chunk)
    except (OSError, ValueError):
        raise NotFound(UPLOAD_EXPIRED) from None
    if record.get("user_id") != user_id or record.get("sha256") != digest.hexdigest():
        raise NotFound(UPLOAD_EXPIRED)
    return Received(path=path, sha256=record["sha256"])


def discard(token: str) -> None:
    """Delete a kept package and its record."""
    if TOKEN.match(token):
        for suffix in (".zip", ".json"):
            (_dir("pending") / f"{token}{suffix}").unlink(missing_ok=True)


def purge_stale(max_age: int = MAX_AGE_SECONDS) -> int:
    """Delete kept and incoming packages older than max_age seconds; return how many files were removed."""
    cutoff = time.time() - max_age
    removed = 0
    for folder in (_dir("pending"), _dir("incoming")):
        for path in folder.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
    return removed
