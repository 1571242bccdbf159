"""Settings read from the environment (prefix TRUONGSO_) and an optional .env file."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


UPLOAD_LIMITS_MB = {"page": 20, "document": 50, "slides": 100, "video": 500, "audio": 100, "image": 20,
                    "ehandbook": 200, "transcript": 2, "page_image": 5, "assignment": 20}


class Settings(BaseSettings):
    """All run-time configuration; embedded defaults need no server."""

    model_config = SettingsConfigDict(env_prefix="TRUONGSO_", env_file=".env", extra="ignore")

    var_dir: Path = Field(default=Path("var"))
    database_url: str | None = None
    broker_url: str | None = None
    result_backend: str | None = None
    secret_key: str | None = None
    # The address people use to reach this server (https://thpt-abc.edu.vn); xAPI ids are built from it.
    public_url: str | None = Field(default=None, max_length=200)
    default_locale: str = Field(default="vi", pattern="^(vi|en)$")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    web_workers: int = Field(default_factory=lambda: max(1, min(os.cpu_count() or 1, 4)), ge=1, le=64)
    web_threads: int = Field(default=4, ge=1, le=200)
    session_days: int = Field(default=7, ge=1, le=90)
    secure_cookies: bool = False
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lock_minutes: int = Field(default=15, ge=1, le=1440)
    max_request_bytes: int = Field(default=6_000_000, ge=1024)
    max_import_bytes: int = Field(default=5_000_000, ge=1024)
    max_import_rows: int = Field(default=5000, ge=1)
    # Portable packages of materials (a zip of files and a manifest), imported from the web or the CLI.
    max_package_bytes: int = Field(default=500_000_000, ge=1024)
    # Upload limits per kind of material, in MB (TRUONGSO_UPLOAD_LIMITS_MB='{"video": 1000}').
    upload_limits_mb: dict[str, int] = Field(default_factory=lambda: dict(UPLOAD_LIMITS_MB))
    worker_heartbeat_seconds: int = Field(default=10, ge=1, le=600)
    # AI tutor: the embedding model (a sentence-transformers name or folder; empty = the bundled all-MiniLM-L6-v2),
    # where index snapshots live (empty = var/tutor_index), and the answer generator.
    tutor_embedding_model: str = Field(default="", max_length=500)
    tutor_index_dir: Path | None = None
    tutor_generator: str = Field(default="extractive", pattern="^(extractive|openai|ollama)$")
    tutor_llm_url: str | None = Field(default=None, max_length=500)
    tutor_llm_model: str | None = Field(default=None, max_length=200)
    tutor_llm_api_key: str | None = Field(default=None, max_length=500)
    tutor_llm_timeout: float = Field(default=30, ge=1, le=600)

    def upload_limit_bytes(self, kind: str) -> int:
        """Return the largest file accepted for a kind of material."""
        return self.upload_limits_mb.get(kind, UPLOAD_LIMITS_MB.get(kind, 20)) * 1_000_000

    @property
    def largest_upload_bytes(self) -> int:
        """Return the largest upload of any kind (the body limit of upload routes)."""
        return max(self.upload_limits_mb.values(), default=20) * 1_000_000 + 1_000_000

    @property
    def resolved_var_dir(self) -> Path:
        """Return the absolute var directory, created on first use."""
        return _ensure_dir(self.var_dir)

    @property
    def resolved_database_url(self) -> str:
        """Return the database URL; the embedded default is SQLite under var/."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_var_dir / 'truongso.sqlite'}"

    @property
    def resolved_broker_url(self) -> str:
        """Return the Celery broker URL; the embedded default is a SQLite file under var/."""
        if self.broker_url:
            return self.broker_url
        return f"sqla+sqlite:///{self.resolved_var_dir / 'broker.sqlite'}"

    @property
    def resolved_result_backend(self) -> str:
        """Return the Celery result backend URL; results live in a database by default."""
        if self.result_backend:
            return self.result_backend
        if self.database_url:
            return "db+" + self.database_url
        return f"db+sqlite:///{self.resolved_var_dir / 'results.sqlite'}"

    @property
    def resolved_secret_key(self) -> str:
        """Return the signing key, generating and keeping one under var/ when none is set."""
        return self.secret_key or _key_from_file(self.resolved_var_dir / "secret_key")


@lru_cache(maxsize=8)
def _ensure_dir(path: Path) -> Path:
    resolved = path.resolve()
    resolved.mkdir(parents=True, exist_ok=True)
    return resolved


@lru_cache(maxsize=8)
def _key_from_file(key_file: Path) -> str:
    """Read the generated signing key, making it on first use (read once per process)."""
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
