"""Password hashing with Argon2id, rehashing when the parameters change."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 128
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read aloud and copy


def generate_password(length: int = 8) -> str:
    """Return a random password easy to read from paper, such as "k7mq-x2pa"."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
    return f"{chars[: length // 2]}-{chars[length // 2:]}"


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    """Return the hasher with the current parameters (argon2-cffi's RFC 9106 low-memory profile)."""
    return PasswordHasher()


def hash_password(password: str) -> str:
    """Hash a password."""
    return hasher().hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash("not-a-real-password: spends the time an unknown user would save")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, spend the same time and answer no."""
    try:
        return hasher().verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Return whether a hash was made with other parameters than the current ones."""
    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
