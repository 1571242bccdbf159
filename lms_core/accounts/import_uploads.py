"""Uploaded class lists kept between the preview and the confirm step, under var/imports/.

A file is stored by the SHA-256 of its bytes next to a small record of who uploaded it for which
school. The confirm step finds it by that hash, checks the bytes still hash to it and that the
record names the confirming user and school, and deletes it. Stale files are purged on upload.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from lms_core.errors import NotFound
from lms_core.i18n import N_

UPLOAD_EXPIRED = N_("The uploaded file is no longer available. Please upload it again.")
MAX_AGE_SECONDS = 2 * 60 * 60
TOKEN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Upload:
    """A kept upload: its bytes and what the preview was asked for."""

    digest: str
    data: bytes
    school_id: int
    user_id: int
    create_classes: bool


def _dir(var_dir: Path) -> Path:
    """Return var/imports/, created private on first use."""
    path = var_dir / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _write(path: Path, data: bytes) -> None:
    """Write a file atomically, readable by the server's user only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def keep(*, var_dir: Path, data: bytes, school_id: int, user_id: int, create_classes: bool) -> str:
    """Store an upload checked by the preview; return its SHA-256 (the confirm form's token)."""
    purge_stale(var_dir=var_dir)
    digest = hashlib.sha256(data).hexdigest()
    folder = _dir(var_dir)
    record = {"school_id": school_id, "user_id": user_id, "create_classes": create_classes}
    _write(folder / f"{digest}.xlsx", data)
    _write(folder / f"{digest}.json", json.dumps(record).encode())
    return digest


def load(*, var_dir: Path, digest: str, user_id: int) -> Upload:
    """Return the upload with this hash kept for this user, verified; else 'not found'."""
    if not TOKEN.match(digest):
        raise NotFound(UPLOAD_EXPIRED)
    folder = _dir(var_dir)
    try:
        record = json.loads((folder / f"{digest}.json").read_text())
        data = (folder / f"{digest}.xlsx").read_bytes()
    except (OSError, ValueError):
        raise NotFound(UPLOAD_EXPIRED) from None
    if record.get("user_id") != user_id or hashlib.sha256(data).hexdigest() != digest:
        raise NotFound(UPLOAD_EXPIRED)
    return Upload(digest=digest, data=data, school_id=int(record["school_id"]), user_id=user_id,
                  create_classes=bool(record.get("create_classes")))


def discard(*, var_dir: Path, digest: str) -> None:
    """Delete a kept upload and its record."""
    if not TOKEN.match(digest):
        return
    for suffix in (".xlsx", ".json"):
        (_dir(var_dir) / f"{digest}{suffix}").unlink(missing_ok=True)


def purge_stale(*, var_dir: Path, max_age: int = MAX_AGE_SECONDS) -> int:
    """Delete uploads older than max_age seconds; return how many files were removed."""
    cutoff = time.time() - max_age
    removed = 0
    for path in _dir(var_dir).iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
