"""Building the index from a corpus folder: read -> normalise -> metadata -> chunk -> embed -> write.

A build reads only new and changed files (by content hash), re-uses the vectors of chunks
that already exist (a renamed file is not embedded again), writes a complete new generation
beside the current one and switches to it in one atomic step."""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import store
from .chunker import CHUNKER_VERSION, chunk_document, embedding_text
from .document import Chunk, Document, text_id
from .embed import DEFAULT_MODEL, Embedder
from .fast_embed import TORCH_FP32
from .errors import BuildLocked, CorpusError, IndexCorrupt, IndexerError, IndexMismatch, IndexMissing, ReadError
from .metadata import extract_metadata
from .normalize import NORMALIZER_VERSION, normalize_document
from .reader import ReadOptions, Skipped, read_file, scan_corpus
from .vocab import VocabCounts, update_counts

Progress = Callable[[str, int], Callable[[int], None]]
Trace = Callable[[str], None]
LOCK_NAME = ".build.lock"


@dataclass
class BuildReport:
    """What a build did."""

    generation: str = ""
    model_id: str = ""
    documents: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    ocr: dict[str, int] = field(default_factory=dict)  # source -> pages OCRed
    legacy: dict[str, str] = field(default_factory=dict)  # source -> tcvn3 / vni
    seconds: float = 0.0


def _no_progress(stage: str, total: int) -> Callable[[int], None]:
    return lambda n: None


class _Lock:
    """One build at a time per index folder (flock), with who holds it written inside."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self) -> "_Lock":
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 4096, 0).decode(errors="replace").strip()
            os.close(self.fd)
            self.fd = None
            raise BuildLocked(holder or "unknown") from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps({"pid": os.getpid(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}).encode(), 0)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


def load_document(path: Path, source: str, options: ReadOptions | None = None) -> Document:
    """Read, normalise and describe one file; ReadError when it yields no text."""
    text = normalize_document(read_file(path, options))
    if not text.strip():
        raise ReadError("empty")
    return Document(doc_id=text_id(text), source=source, text=text, meta=extract_metadata(text))


@dataclass
class _Previous:
    manifest: store.Manifest | None = None
    documents: dict[str, Document] = field(default_factory=dict)  # by doc_id
    chunks: dict[str, list[Chunk]] = field(default_factory=dict)  # by doc_id
    vectors: dict[int, np.ndarray] = field(default_factory=dict)
    vector_index: object = None  # the previous FAISS index (an IVF one is updated, not retrained)
    lexical: store.LexicalBase | None = None  # its lexical index, when in this code's format
    vocab_counts: VocabCounts | None = None  # its vocabulary counts, when it kept them


def _previous(index_dir: Path, model_id: str) -> _Previous:
    try:
        gen = store.current_generation(index_dir)
        manifest = store.read_manifest(gen, any_format=True)  # an older format's vectors are still good
        store.verify(gen, manifest)
    except (IndexMissing, IndexCorrupt, IndexMismatch, OSError, ValueError):
        return _Previous()
    if (manifest.model_id, manifest.normalizer_version, manifest.chunker_version) != (
        model_id, NORMALIZER_VERSION, CHUNKER_VERSION,
    ):
        return _Previous()
    prev = _Previous(manifest=manifest)
    prev.documents = {d.doc_id: d for d in store.read_documents(gen)}
    for chunk in store.read_chunks(gen, prev.documents):
        prev.chunks.setdefault(chunk.doc_id, []).append(chunk)
    prev.vector_index = store.read_vectors(gen)
    prev.vectors = store.vectors_by_id(prev.vector_index)
    if manifest.format_version == store.FORMAT_VERSION:
        prev.lexical = store.LexicalBase(gen / store.LEXICAL, set(prev.documents), manifest.checksums)
    prev.vocab_counts = store.read_vocab_counts(gen)
    return prev


def previous_model(index_dir: Path) -> str | None:
    """The model that built the current index, if there is one."""
    try:
        return store.read_manifest(store.current_generation(index_dir)).model_id
    except (IndexMissing, IndexCorrupt, IndexMismatch, OSError, ValueError):
        return None


def index_model(index_dir: Path, requested: str | None = None) -> str:
    """The model a build of `index_dir` uses: the one asked for, else the one that built it, else the default."""
    return requested or previous_model(index_dir) or DEFAULT_MODEL


def build_index(
    corpus: Path,
    index_dir: Path,
    model: str | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    trace: Trace | None = None,
    ocr: bool = True,
) -> BuildReport:
    """Bring the index at `index_dir` up to date with `corpus`; returns what was done.

    `trace`, when given, is told the name of each step as it starts (for diagnostics and fault tests)."""
    started = time.monotonic()
    progress = progress or _no_progress
    trace = trace or (lambda step: None)
    if not corpus.is_dir():
        raise CorpusError(f"missing:{corpus}")
    index_dir.mkdir(parents=True, exist_ok=True)
    with _Lock(index_dir):
        model_id = index_model(index_dir, model or (embedder.model_id if embedder else None))
        embedder = embedder if embedder is not None and embedder.model_id == model_id else Embedder(model_id)
        store.cleanup(index_dir)
        prev = _Previous() if rebuild else _previous(index_dir, model_id)
        report = BuildReport(model_id=model_id)
        files, report.skipped = scan_corpus(corpus)
        old_files = prev.manifest.files if prev.manifest else {}
        documents: list[Document] = []
        chunks: list[Chunk] = []
        manifest_files: dict[str, dict] = {}
        seen: dict[str, str] = {}
        advance = progress("read", len(files))
        trace("scan")
        for cf in files:
            advance(1)
            trace(f"read {cf.source}")
            try:
                digest = store.file_sha256(cf.path)
                old = old_files.get(cf.source)
                if old and old["sha256"] == digest and old["doc_id"] in prev.documents:
                    doc = prev.documents[old["doc_id"]]
                    doc = Document(doc.doc_id, cf.source, doc.text, doc.meta, digest)
                    doc_chunks = prev.chunks.get(doc.doc_id, [])
                    report.unchanged.append(cf.source)
                else:
                    options = ReadOptions(ocr=ocr)
                    doc = load_document(cf.path, cf.source, options)
                    if options.ocr_pages:
                        report.ocr[cf.source] = options.ocr_pages
                    if options.legacy:
                        report.legacy[cf.source] = options.legacy
                    doc.file_sha256 = digest
                    doc_chunks = chunk_document(doc)
                    (report.changed if old else report.added).append(cf.source)
            except ReadError as exc:
                report.skipped.append(Skipped(cf.source, exc.code, exc.detail))
                continue
            except OSError as exc:
                report.skipped.append(Skipped(cf.source, "unreadable", str(exc)))
                continue
            if doc.doc_id in seen:
                report.skipped.append(Skipped(cf.source, "duplicate", seen[doc.doc_id]))
                for bucket in (report.added, report.changed, report.unchanged):
                    if cf.source in bucket:
                        bucket.remove(cf.source)
                continue
            seen[doc.doc_id] = cf.source
            doc_chunks = [_with_source(c, cf.source) for c in doc_chunks]
            documents.append(doc)
            chunks.extend(doc_chunks)
            manifest_files[cf.source] = {"sha256": digest, "doc_id": doc.doc_id, "size": cf.path.stat().st_size}
        report.removed = sorted(set(old_files) - set(manifest_files) - {s.source for s in report.skipped})
        if not documents:
            raise CorpusError(f"empty:{corpus}")
        trace("embed")
        vectors = _vectors(chunks, prev, embedder, _traced(progress, trace), report)
        name = store.next_generation_name(index_dir)
        manifest = store.Manifest(
            model_id=model_id,
            dim=vectors.shape[1],
            files=manifest_files,
            skipped=[s.__dict__ for s in report.skipped],
            embedded_with=_embedded_with(prev, embedder, report),
        )
        store.write_generation(index_dir / name, manifest, documents, chunks, vectors, trace=trace,
                               previous_vectors=prev.vector_index, lexical_base=prev.lexical,
                               vocab_counts=_vocab_counts(prev, chunks))
        trace("publish")
        store.publish(index_dir, name)
        trace("cleanup")
        store.cleanup(index_dir)
        trace("done")
    report.generation = name
    report.documents = len(documents)
    report.chunks = len(chunks)
    report.seconds = time.monotonic() - started
    return report


def _vocab_counts(prev: _Previous, chunks: list[Chunk]) -> VocabCounts | None:
    """The previous generation's vocabulary counts plus the added documents' chunks, minus the removed ones'
    (a changed document is both); None when there are no previous counts to update."""
    if prev.vocab_counts is None:
        return None
    kept = {c.doc_id for c in chunks}
    added = [c.text for c in chunks if c.doc_id not in prev.documents]
    removed = [c.text for doc_id, old in prev.chunks.items() if doc_id not in kept for c in old]
    return update_counts(prev.vocab_counts, added, removed)


def _embedded_with(prev: _Previous, embedder: Embedder, report: BuildReport) -> list[str]:
    """The inference paths whose vectors the new generation holds (an index written before this was
    recorded holds fp32 torch vectors)."""
    paths = set(prev.manifest.embedded_with or [TORCH_FP32]) if prev.manifest and prev.vectors else set()
    if report.embedded:
        paths.add(embedder.paths.passages)
    return sorted(paths)


def _traced(progress: Progress, trace: Trace) -> Progress:
    def wrapped(stage: str, total: int) -> Callable[[int], None]:
        advance = progress(stage, total)

        def step(n: int) -> None:
            advance(n)
            trace(f"{stage} +{n}")

        return step

    return wrapped


def _with_source(chunk: Chunk, source: str) -> Chunk:
    if chunk.source == source:
        return chunk
    return Chunk(chunk.chunk_id, chunk.doc_id, source, chunk.start, chunk.end, chunk.section, chunk.text, chunk.meta)


def _vectors(chunks: list[Chunk], prev: _Previous, embedder: Embedder, progress: Progress, report: BuildReport) -> np.ndarray:
    todo = [i for i, c in enumerate(chunks) if c.chunk_id not in prev.vectors]
    dim = embedder.dim if todo or not prev.vectors else len(next(iter(prev.vectors.values())))
    out = np.zeros((len(chunks), dim), np.float32)
    for i, c in enumerate(chunks):
        if c.chunk_id in prev.vectors:
            out[i] = prev.vectors[c.chunk_id]
    if todo:
        advance = progress("embed", len(todo))
        out[todo] = embedder.encode_passages([embedding_text(chunks[i]) for i in todo], progress=advance)
    report.embedded = len(todo)
    return out


__all__ = ["BuildReport", "build_index", "load_document", "IndexerError"]
