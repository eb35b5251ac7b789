"""Pyserini query encoders for exported indexes.

Importing this module boots the JVM (:func:`~hybrid_batch_st.pyserini.jvm.boot_jvm`): Pyserini's
``pyserini.encode`` starts one, and it must be the Java 21 runtime booted here. Nothing else in
:mod:`hybrid_batch_st.pyserini` starts a JVM before a search is asked for.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .compat import EncoderSettings
from .jvm import boot_jvm

boot_jvm()
from pyserini.encode import AutoQueryEncoder, QueryEncoder  # noqa: E402  (needs the JVM booted above)

__all__ = ["InferenceAutoQueryEncoder", "SentenceTransformerQueryEncoder"]


class InferenceAutoQueryEncoder(AutoQueryEncoder):
    """Pyserini's ``AutoQueryEncoder``, run without autograd.

    Its ``encode`` builds an autograd graph for every query (no ``torch.no_grad``), which made
    searching from text about half as fast as sentence-transformers + faiss. The embeddings are
    those of Pyserini's own encoder (and so of Pyserini's CLI), bit for bit.
    """

    def encode(self, query: str, max_length: int | None = None):
        """Pyserini's ``AutoQueryEncoder.encode`` under ``torch.inference_mode``.

        Args:
            query: the query text.
            max_length: the token limit passed on to Pyserini (None: its default).

        Returns:
            The query embedding, as Pyserini's encoder returns it.
        """
        with torch.inference_mode():
            return super().encode(query, max_length=max_length)


class SentenceTransformerQueryEncoder(QueryEncoder):
    """A Pyserini ``QueryEncoder`` that encodes with a sentence-transformers model (prompt, pooling,
    modules), for models Pyserini's auto encoder cannot reproduce.

    Args:
        model: the ``SentenceTransformer`` that encoded the index.
        settings: its :class:`~hybrid_batch_st.pyserini.EncoderSettings` (prompt, normalisation).
    """

    def __init__(self, model, settings: EncoderSettings):
        super().__init__(None)
        self.model, self.settings = model, settings
        self.has_model = True

    def encode(self, query: str, **kwargs) -> np.ndarray:
        """One query's embedding, as the model encoded the index.

        Args:
            query: the query text.
            **kwargs: accepted for Pyserini's interface (unused).

        Returns:
            A float32 vector.
        """
        return self.settings.query_embeddings(self.model, [query])[0]

    def encode_batch(self, queries: Sequence[str]) -> np.ndarray:
        """Several queries' embeddings, as the model encoded the index.

        Args:
            queries: the query texts.

        Returns:
            A float32 array, one row per query.
        """
        return self.settings.query_embeddings(self.model, queries)
