"""Tree files kept between an import's preview and its confirmation, under var/curriculum-imports/.

A file is stored by the SHA-256 of its bytes with a record of who uploaded it for which province;
the confirmation finds it by that hash, checks the bytes and the user, then it is deleted.
Files older than two hours are purged on each upload.
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
class KeptFile:
    """A kept tree file: its bytes and the province it was previewed for (None: the national tree)."""

    digest: str
    data: bytes
    province_id: int | None


def _dir(var_dir: Path) -> Path:
    path = var_dir / "curriculum-imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _write(path: Path, data: bytes) -> None:
    """Write a file atomically, readable by the server's user only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def purge_stale(*, var_dir: Path, max_age: int = MAX_AGE_SECONDS) -> None:
    """Delete kept files older than max_age seconds."""
    cutoff = time.time() - max_age
    for path in _dir(var_dir).iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def keep(*, var_dir: Path, data: bytes, user_id: int, province_id: int | None) -> str:
    """Store a previewed file for one user and province; return its SHA-256 (the confirm form's token)."""
    purge_stale(var_dir=var_dir)
    digest = hashlib.sha256(data).hexdigest()
    folder = _dir(var_dir)
    _write(folder / f"{digest}.bin", data)
    _write(folder / f"{digest}.{user_id}.json", json.dumps({"province_id": province_id}).encode())
    return digest


def load(*, var_dir: Path, digest: str, user_id: int) -> KeptFile:
    """Return the file with this hash kept for this user, verified; else 'not found'."""
    if not TOKEN.match(digest):
        raise NotFound(UPLOAD_EXPIRED)
    folder = _dir(var_dir)
    try:
        record = json.loads((folder / f"{digest}.{user_id}.json").read_text())
        data = (folder / f"{digest}.bin").read_bytes()
    except (OSError, ValueError):
        raise NotFound(UPLOAD_EXPIRED) from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise NotFound(UPLOAD_EXPIRED)
    province_id = record.get("province_id")
    return KeptFile(digest=digest, data=data, province_id=int(province_id) if province_id is not None else None)


def discard(*, var_dir: Path, digest: str, user_id: int) -> None:
    """Delete a user's record of a kept file, and the file once no other user's record names it."""
    if not TOKEN.match(digest):
        return
    folder = _dir(var_dir)
    (folder / f"{digest}.{user_id}.json").unlink(missing_ok=True)
    if not any(folder.glob(f"{digest}.*.json")):
        (folder / f"{digest}.bin").unlink(missing_ok=True)
