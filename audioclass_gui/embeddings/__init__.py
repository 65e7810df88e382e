"""Embeddings of recordings' windows: a store per model, and search by example.

No Qt here: the window's "Find similar" and the ``search`` command both
use :func:`search` over an :class:`EmbeddingStore`.
"""

from audioclass_gui.embeddings.search import SearchResult, search
from audioclass_gui.embeddings.store import (
    EmbeddingStore,
    EmbeddingStoreError,
    embeddings_folder,
    model_folder,
)

__all__ = [
    "EmbeddingStore",
    "EmbeddingStoreError",
    "SearchResult",
    "embeddings_folder",
    "model_folder",
    "search",
]
