"""Uploads kept between a preview and its confirmation (class lists, curriculum trees, material packages).

Each kept upload lives under var/<area>/ as <token>.bin next to <token>.json, which names the user who uploaded it,
the SHA-256 of its bytes and what the preview was asked for. The token is random (two people may send the same
file); the confirmation checks the user and the hash, then deletes both. Files older than two hours are purged
whenever something new is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lms_core.errors import NotFound
from lms_core.i18n import N_
from lms_core.settings import get_settings

UPLOAD_EXPIRED = N_("The uploaded file is no longer available. Please upload it again.")
MAX_AGE_SECONDS = 2 * 60 * 60
CHUNK = 1 << 20
TOKEN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Pending:
    """A kept upload: where its bytes are, their hash, and what the preview recorded with it."""

    token: str
    path: Path
    sha256: str
    record: dict[str, Any]

    def read(self) -> bytes:
        """Return the kept bytes (callers keep only files that passed their size check)."""
        return self.path.read_bytes()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class PendingStore:
    """The kept uploads of one area (a folder under var/)."""

    def __init__(self, area: str, *, message: str = UPLOAD_EXPIRED) -> None:
        self.area = area
        self.message = message

    def folder(self) -> Path:
        """Return var/<area>/, created private on first use."""
        path = get_settings().resolved_var_dir / self.area
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path

    def _record(self, token: str, *, user_id: int, sha256: str, record: dict[str, Any]) -> None:
        path = self.folder() / f"{token}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({**record, "user_id": user_id, "sha256": sha256}, out)

    def keep_bytes(self, data: bytes, *, user_id: int, **record: Any) -> str:
        """Keep uploaded bytes for their uploader's confirmation; return the confirm form's token."""
        self.purge_stale()
        token = secrets.token_hex(32)
        path = self.folder() / f"{token}.bin"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        self._record(token, user_id=user_id, sha256=hashlib.sha256(data).hexdigest(), record=record)
        return token

    def keep_file(self, path: Path, *, sha256: str, user_id: int, **record: Any) -> str:
        """Move an uploaded file (already on disk, on the same file system) here; return the token."""
        self.purge_stale()
        token = secrets.token_hex(32)
        os.replace(path, self.folder() / f"{token}.bin")
        self._record(token, user_id=user_id, sha256=sha256, record=record)
        return token

    def load(self, token: str, *, user_id: int) -> Pending:
        """Return the upload of this token if this user kept it and its bytes are unchanged; else 'not found'."""
        if not TOKEN.match(token or ""):
            raise NotFound(self.message)
        folder = self.folder()
        try:
            record = json.loads((folder / f"{token}.json").read_text())
            path = folder / f"{token}.bin"
            actual = _sha256(path)
        except (OSError, ValueError):
            raise NotFound(self.message) from None
        if record.get("user_id") != user_id or record.get("sha256") != actual:
            raise NotFound(self.message)
        return Pending(token=token, path=path, sha256=actual, record=record)

    def discard(self, token: str) -> None:
        """Delete a kept upload and its record."""
        if TOKEN.match(token or ""):
            for suffix in (".bin", ".json"):
                (self.folder() / f"{token}{suffix}").unlink(missing_ok=True)

    def purge_stale(self, max_age: int = MAX_AGE_SECONDS) -> int:
        """Delete kept uploads older than max_age seconds; return how many files were removed."""
        cutoff = time.time() - max_age
        removed = 0
        for path in self.folder().iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed
