"""Loading a built index for searching; follows the index's CURRENT pointer to newer generations."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from indexer import store
from indexer.chunker import CHUNKER_VERSION
from indexer.document import Chunk, Document
from indexer.embed import Embedder
from indexer.errors import IndexCorrupt, IndexMismatch
from indexer.fast_embed import COMPATIBLE_PATHS
from vntext.normalize import NORMALIZER_VERSION


@dataclass
class SearchIndex:
    """One loaded generation: manifest, chunks, documents, vectors, lexical index and the query model."""

    index_dir: Path
    generation: str
    manifest: store.Manifest
    chunks: dict[int, Chunk]
    documents: dict[str, Document]
    vectors: object  # faiss index
    lexical: store.LexicalIndex  # syllables, folded syllables, word pairs and number keys (indexer/layout.py)
    embedder: Embedder
    by_doc: dict[str, list[Chunk]] = field(default_factory=dict)
    vocab: dict[str, dict[str, str]] = field(default_factory=dict)

    def is_stale(self) -> bool:
        """True when the index folder now points at another generation."""
        try:
            return store.current_generation(self.index_dir).name != self.generation
        except Exception:  # a missing or half-written pointer: keep serving what is loaded
            return False

    def refreshed(self) -> "SearchIndex":
        """This index, or the newer generation if a build has switched to one (same embedder)."""
        if not self.is_stale():
            return self
        return load_index(self.index_dir, embedder=self.embedder)


def load_index(index_dir: Path, model: str | None = None, embedder: Embedder | None = None, verify: bool = True) -> SearchIndex:
    """Open the current generation of `index_dir`; refuses an index built by another model or normaliser, or
    whose vectors come from an inference path this code does not know. Vectors of every known path of one
    model are searched with any other (cosine >= 0.99 between paths, tests/test_fast_embed.py)."""
    gen = store.current_generation(index_dir)
    manifest = store.read_manifest(gen)
    requested = model or (embedder.model_id if embedder else None)
    if requested and requested != manifest.model_id:
        raise IndexMismatch(f"model: index built with {manifest.model_id!r}, asked for {requested!r}", kind="model",
                            built_with=manifest.model_id, asked=requested)
    if manifest.normalizer_version != NORMALIZER_VERSION or manifest.chunker_version != CHUNKER_VERSION:
        raise IndexMismatch(
            f"versions: index normaliser {manifest.normalizer_version}/chunker {manifest.chunker_version}, "
            f"code {NORMALIZER_VERSION}/{CHUNKER_VERSION}", kind="versions",
        )
    unknown = set(manifest.embedded_with) - set(COMPATIBLE_PATHS)
    if unknown:
        raise IndexMismatch(f"embedding: index vectors made by {', '.join(sorted(unknown))}, which this version "
                            f"cannot search (it knows {', '.join(COMPATIBLE_PATHS)})")
    if verify:
        store.verify(gen, manifest)
    try:
        return _load(index_dir, gen, manifest, embedder)
    except FileNotFoundError as exc:  # only when not verified: a file of the generation is gone
        name = Path(exc.filename or "?").name
        raise IndexCorrupt(f"{gen.name}: missing file {name}", [("missing", name)]) from exc


def _load(index_dir: Path, gen: Path, manifest: store.Manifest, embedder: Embedder | None) -> SearchIndex:
    with _gc_paused():  # hundreds of thousands of new objects, none of them garbage
        documents = {d.doc_id: d for d in store.read_documents(gen, manifest)}
        chunks = {c.chunk_id: c for c in store.read_chunks(gen, documents, manifest)}
        by_doc: dict[str, list[Chunk]] = {}
        for chunk in chunks.values():
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
        for lst in by_doc.values():
            lst.sort(key=lambda c: c.start)
    lexical = store.open_lexical(gen)
    return SearchIndex(
        index_dir=index_dir,
        generation=gen.name,
        manifest=manifest,
        chunks=chunks,
        documents=documents,
        vectors=store.read_vectors(gen, manifest),
        lexical=lexical,
        embedder=embedder or Embedder(manifest.model_id),
        by_doc=by_doc,
        vocab=store.read_vocab(gen),
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (it would walk the growing heap again and again)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
