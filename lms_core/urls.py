"""Checks on addresses users write into text (image sources in pages and questions)."""

from __future__ import annotations

from urllib.parse import urlsplit


def image_source_allowed(src: str, own_paths: tuple[str, ...]) -> bool:
    """Return whether an image source is an http(s) address or a clean path under one of our own file routes."""
    src = src.strip()
    if not src or "\\" in src or any(c.isspace() or ord(c) < 32 for c in src):
        return False
    parts = urlsplit(src)
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    if parts.netloc or src.startswith("//"):
        return False
    segments = parts.path.split("/")
    return parts.path.startswith(own_paths) and ".." not in segments and "." not in segments
