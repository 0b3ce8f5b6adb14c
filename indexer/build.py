"""Building the index from a corpus folder: read -> normalise -> metadata -> chunk -> embed -> write.

A build reads only new and changed files (by content hash), re-uses the vectors of chunks
that already exist (a renamed file is not embedded again), writes a complete new generation
beside the current one and switches to it in one atomic step."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import segments, store
from .chunker import CHUNKER_VERSION, chunk_document, embedding_text
from .document import Chunk, Document, text_id
from .budget import Budget
from .embed import DEFAULT_MODEL, Embedder
from .fast_embed import TORCH_FP32
from .errors import CorpusError, IndexCorrupt, IndexerError, IndexMismatch, IndexMissing, ReadError
from .layout import pipeline_changes
from .lock import LOCK_NAME, BuildLock  # noqa: F401  (LOCK_NAME re-exported)
from .metadata import extract_metadata, issuing_organ
from vntext.normalize import NORMALIZER_VERSION, normalize_document
from .outlet import news_outlet
from .relations import extract_relations
from .reader import ReadOptions, Skipped, os_reason, read_file, scan_corpus
from .vocab import VocabCounts, update_counts, update_vocab

Progress = Callable[[str, int], Callable[[int], None]]
Trace = Callable[[str], None]


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
    legacy: dict[str, str] = field(default_factory=dict)  # source -> tcvn3 / vni / cp1258
    replaced: dict[str, int] = field(default_factory=dict)  # source -> bad bytes replaced by U+FFFD
    kept: list[str] = field(default_factory=list)  # in a folder that could not be read: kept as indexed before
    pipeline_changed: list[str] = field(default_factory=list)  # stages whose version differs from the index's
    reread: list[str] = field(default_factory=list)  # unchanged files read again because the pipeline changed
    seconds: float = 0.0


def _no_progress(stage: str, total: int) -> Callable[[int], None]:
    return lambda n: None


def load_document(path: Path, source: str, options: ReadOptions | None = None) -> Document:
    """Read, normalise and describe one file; ReadError when it yields no text."""
    raw = read_file(path, options)
    text = normalize_document(raw)
    if not text.strip():
        raise ReadError("empty")
    return describe(raw, text, source)


def describe(raw: str, text: str, source: str) -> Document:
    """The Document of a file's raw text and its normalised text: metadata, relations, outlet, organ."""
    meta = extract_metadata(text)
    meta.relations = extract_relations(text, meta.number, meta.is_news)
    meta.outlet = news_outlet(raw, text) if meta.is_news else ""
    meta.organ = "" if meta.is_news else issuing_organ(text)
    return Document(doc_id=text_id(text), source=source, text=text, meta=meta)


@dataclass
class _Previous:
    """The current generation, as far as a build needs it: documents and chunks parse their text only when
    used, the vectors are read only when a chunk that is not carried over needs one (an update that only
    adds documents reads neither)."""

    manifest: store.Manifest | None = None
    documents: dict[str, Document] = field(default_factory=dict)  # by doc_id (segments.StoredDocument)
    chunks: dict[str, list[Chunk]] = field(default_factory=dict)  # by doc_id
    gen: Path | None = None
    lexical: store.LexicalBase | None = None  # its lexical index, when in this code's format
    store: segments.StoreBase | None = None  # its chunk store's segments, carried over where unchanged
    vocab_counts: VocabCounts | None = None  # its vocabulary counts, when it kept them
    pipeline: str | None = None  # the pipeline version that made it (layout.pipeline_version; "" if not recorded)
    _index: object = None
    _by_id: dict[int, np.ndarray] | None = None

    @property
    def pipeline_changed(self) -> bool:
        """True when the previous index was made by another reader, normaliser, metadata or chunker version."""
        return self.pipeline is not None and self.pipeline != store.PIPELINE_VERSION

    def vector_index(self):
        """The previous FAISS index (an IVF one is updated, not retrained), read on first use."""
        if self._index is None and self.gen is not None:
            self._index = store.read_vectors(self.gen, self.manifest)
        return self._index

    def vectors(self) -> dict[int, np.ndarray]:
        """Every previous vector by chunk id, read on first use."""
        if self._by_id is None:
            self._by_id = store.vectors_by_id(self.vector_index()) if self.gen is not None else {}
        return self._by_id


def _previous(index_dir: Path, model_id: str) -> _Previous:
    try:
        gen = store.current_generation(index_dir)
        manifest = store.read_manifest(gen, any_format=True)  # an older format's vectors are still good
        store.verify(gen, manifest, by_stamps=True)  # every file was read when its checksum was taken
    except (IndexMissing, IndexCorrupt, IndexMismatch, OSError, ValueError):
        return _Previous()
    if (manifest.model_id, manifest.normalizer_version, manifest.chunker_version) != (
        model_id, NORMALIZER_VERSION, CHUNKER_VERSION,
    ):
        return _Previous(pipeline=manifest.pipeline_version)
    prev = _Previous(manifest=manifest, gen=gen, pipeline=manifest.pipeline_version)
    try:
        prev.documents, prev.chunks, segment_of = segments.read_stored(gen, manifest.segments, manifest.files)
        prev.store = store.store_base(gen, manifest, prev.documents, segment_of,
                                      {doc_id: len(c) for doc_id, c in prev.chunks.items()})
    except (IndexCorrupt, OSError, RuntimeError):  # damaged although its checksums matched: read the corpus afresh
        return _Previous()
    if prev.pipeline_changed:  # every file is read again: its header words and number keys may differ
        return prev
    if manifest.format_version == store.FORMAT_VERSION:
        prev.lexical = store.LexicalBase(gen / store.LEXICAL, set(prev.documents), manifest.checksums)
    try:
        prev.vocab_counts = store.read_vocab_counts(gen)
    except (OSError, ValueError, KeyError):  # unreadable counts: this build counts every chunk again
        prev.vocab_counts = None
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
    budget: Budget | None = None,
) -> BuildReport:
    """Bring the index at `index_dir` up to date with `corpus`; returns what was done.

    `trace`, when given, is told the name of each step as it starts (for diagnostics and fault tests).
    `budget` bounds what one file may cost (default: `Budget.from_env()`); a file over it is skipped."""
    started = time.monotonic()
    progress = progress or _no_progress
    trace = trace or (lambda step: None)
    budget = budget or Budget.from_env()
    if not corpus.is_dir():
        raise CorpusError(f"missing:{corpus}")
    index_dir.mkdir(parents=True, exist_ok=True)
    with BuildLock(index_dir) as lock:
        trace = _beating(trace, lock)
        progress = _traced(progress, lock.beat)
        model_id = index_model(index_dir, model or (embedder.model_id if embedder else None))
        embedder = embedder if embedder is not None and embedder.model_id == model_id else Embedder(model_id)
        store.cleanup(index_dir)
        prev = _Previous() if rebuild else _previous(index_dir, model_id)
        report = BuildReport(model_id=model_id)
        if prev.pipeline_changed:
            report.pipeline_changed = pipeline_changes(prev.pipeline, store.PIPELINE_VERSION)
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
                old = old_files.get(cf.source)
                stat = cf.path.stat()
                stamp = [stat.st_size, stat.st_mtime_ns]
                if old and [old.get("size"), old.get("mtime_ns")] == stamp:
                    digest = old["sha256"]  # size and modification time as when it was read: not read again
                else:
                    digest = store.file_sha256(cf.path)
                same = bool(old and old["sha256"] == digest and old["doc_id"] in prev.documents)
                if same and prev.documents[old["doc_id"]].relations_known and not prev.pipeline_changed:
                    doc = prev.documents[old["doc_id"]]
                    if (doc.source, doc.file_sha256) != (cf.source, digest):  # else the stored one, carried over
                        doc = Document(doc.doc_id, cf.source, doc.text, doc.meta, digest)
                    doc_chunks = prev.chunks.get(doc.doc_id, [])
                    report.unchanged.append(cf.source)
                else:
                    options = ReadOptions(ocr=ocr, budget=budget, heartbeat=lambda: lock.beat(f"ocr {cf.source}"))
                    doc = load_document(cf.path, cf.source, options)
                    doc.file_sha256 = digest
                    doc_chunks = chunk_document(doc)
                    if len(doc_chunks) > budget.max_chunks:
                        raise ReadError("too_many_chunks", f"{len(doc_chunks):,} đoạn > {budget.max_chunks:,} (--max-chunks)")
                    if options.ocr_pages:
                        report.ocr[cf.source] = options.ocr_pages
                    if options.legacy:
                        report.legacy[cf.source] = options.legacy
                    if options.replaced:
                        report.replaced[cf.source] = options.replaced
                    # read again when unchanged but indexed before relations existed (same chunks: no re-embedding)
                    # or by another pipeline version (re-embedded only where a chunk's embedded text differs)
                    (report.unchanged if same else report.changed if old else report.added).append(cf.source)
                    if same and prev.pipeline_changed:
                        report.reread.append(cf.source)
            except ReadError as exc:
                report.skipped.append(Skipped(cf.source, exc.code, exc.detail))
                continue
            except OSError as exc:
                report.skipped.append(Skipped(cf.source, "unreadable", os_reason(exc)))
                continue
            except Exception as exc:  # normalising, metadata or chunking failed on this file: skip it, go on
                report.skipped.append(Skipped(cf.source, "failed", f"{type(exc).__name__}: {str(exc)[:200]}"))
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
            manifest_files[cf.source] = {"sha256": digest, "doc_id": doc.doc_id, "size": stamp[0], "mtime_ns": stamp[1]}
        _keep_unreadable_folders(report, prev, old_files, seen, documents, chunks, manifest_files)
        report.removed = sorted(set(old_files) - set(manifest_files) - {s.source for s in report.skipped})
        if not documents:
            raise CorpusError(f"empty:{corpus}")
        trace("embed")
        fresh = segments.plan(documents, prev.store).fresh  # the documents the new generation writes anew
        vectors = _vectors(chunks, fresh, prev, embedder, _traced(progress, trace), report)
        counts, vocab = _vocabulary(prev, chunks)
        name = store.next_generation_name(index_dir)
        manifest = store.Manifest(
            model_id=model_id,
            dim=vectors.shape[1],
            pipeline_version=store.PIPELINE_VERSION,
            files=manifest_files,
            skipped=[s.__dict__ for s in report.skipped],
            embedded_with=_embedded_with(prev, embedder, report),
        )
        store.write_generation(index_dir / name, manifest, documents, chunks, vectors, trace=trace,
                               # a re-embedded chunk keeps its id: an updated IVF index would keep its old vector
                               previous_vectors=None if prev.pipeline_changed else prev.vector_index,
                               lexical_base=prev.lexical,
                               vocab_counts=counts, vocab=vocab, store_base=prev.store)
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


def _vocabulary(prev: _Previous, chunks: list[Chunk]) -> tuple[VocabCounts | None, dict | None]:
    """The previous generation's vocabulary counts plus the added documents' chunks, minus the removed ones'
    (a changed document is both), and its vocabulary updated by those chunks alone; None for what the
    previous generation did not keep (then the chunks are counted again)."""
    if prev.vocab_counts is None:
        return None, None
    kept = {c.doc_id for c in chunks}
    added = [c.text for c in chunks if c.doc_id not in prev.documents]
    removed = [c.text for doc_id, old in prev.chunks.items() if doc_id not in kept for c in old]
    counts = update_counts(prev.vocab_counts, added, removed)
    try:
        vocab = update_vocab(store.read_vocab(prev.gen), prev.vocab_counts, counts, added, removed)
    except (IndexCorrupt, OSError, KeyError, TypeError):  # unreadable: computed from the counts
        vocab = None
    return counts, vocab


def _embedded_with(prev: _Previous, embedder: Embedder, report: BuildReport) -> list[str]:
    """The inference paths whose vectors the new generation holds (an index written before this was
    recorded holds fp32 torch vectors)."""
    paths = set(prev.manifest.embedded_with or [TORCH_FP32]) if prev.manifest and prev.chunks else set()
    if report.embedded:
        paths.add(embedder.paths.passages)
    return sorted(paths)
def _keep_unreadable_folders(report: BuildReport, prev: _Previous, old_files: dict[str, dict], seen: dict[str, str],
                             documents: list[Document], chunks: list[Chunk], manifest_files: dict[str, dict]) -> None:
    """Documents indexed before from a folder that could not be listed this time stay as they were."""
    folders = [s.source for s in report.skipped if s.code == "unreadable_dir"]
    if not folders:
        return
    for source, old in sorted(old_files.items()):
        inside = any(f == "./" or source.startswith(f) for f in folders)
        doc = prev.documents.get(old["doc_id"])
        if not inside or source in manifest_files or doc is None or doc.doc_id in seen:
            continue
        seen[doc.doc_id] = source
        documents.append(Document(doc.doc_id, source, doc.text, doc.meta, old["sha256"]))
        chunks.extend(_with_source(c, source) for c in prev.chunks.get(doc.doc_id, []))
        manifest_files[source] = dict(old)
        report.kept.append(source)


def _beating(trace: Trace, lock: BuildLock) -> Trace:
    def wrapped(step: str) -> None:
        lock.beat(step)
        trace(step)

    return wrapped


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


def _vectors(chunks: list[Chunk], fresh: set[str], prev: _Previous, embedder: Embedder, progress: Progress,
             report: BuildReport) -> np.ndarray:
    """The vectors of the chunks of the `fresh` documents (the others' rows stay zero: their segments and
    vectors are carried over): the previous vector of a chunk that had one, else embedded now."""
    had = {c.chunk_id for lst in prev.chunks.values() for c in lst}
    if prev.pipeline_changed:  # a chunk's id is its document's text and offset: its header may have changed
        before = {c.chunk_id: embedding_text(c) for old in prev.chunks.values() for c in old}
        had = {c.chunk_id for c in chunks if c.chunk_id in had and before.get(c.chunk_id) == embedding_text(c)}
    todo = [i for i, c in enumerate(chunks) if c.chunk_id not in had]
    reuse = [i for i, c in enumerate(chunks) if c.doc_id in fresh and c.chunk_id in had]
    dim = embedder.dim if todo or not prev.manifest else prev.manifest.dim
    out = np.zeros((len(chunks), dim), np.float32)
    if reuse:
        by_id = prev.vectors()
        for i in reuse:
            out[i] = by_id[chunks[i].chunk_id]
    if todo:
        advance = progress("embed", len(todo))
        out[todo] = embedder.encode_passages([embedding_text(chunks[i]) for i in todo], progress=advance)
    report.embedded = len(todo)
    return out


__all__ = ["BuildReport", "build_index", "load_document", "IndexerError"]
