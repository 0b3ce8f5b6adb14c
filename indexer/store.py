"""The on-disk index: generation folders switched by an atomically replaced pointer file.

index/
  CURRENT                  name of the generation readers use (replaced with os.replace)
  gen-000007/
    manifest.json          model, dimension, versions, corpus file hashes, checksums of the files below
    chunks.jsonl           one Chunk per line
    documents.jsonl        one Document per line (normalised text and metadata)
    vectors.faiss          IndexIDMap2(IndexFlatIP) (IVF from 50k chunks, indexer/vectors.py), ids = chunk ids
    *.000009.*             after an update, further segments of those three (indexer/segments.py);
                           unchanged ones are hard links to the previous generation's files
    lexical/               tantivy index (syllables, folded syllables and syllable pairs, document numbers)
    vocab.json             folded -> accented syllables and pairs, for restoring diacritics in queries
    vocab_counts.npz       the word and word-pair counts behind vocab.json (an add updates them, indexer/vocab.py)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import orjson

from .chunker import CHUNKER_VERSION, context_header
from .document import Chunk, Document
from .errors import IndexCorrupt, IndexMismatch, IndexMissing
from vntext.numbers import citation_key, find_numbers, number_key, textual_citations
from vntext.normalize import NORMALIZER_VERSION
from . import segments as seg
from . import vectors as vector_index
from .metadata import METADATA_VERSION
from .reader import READER_VERSION
from .vectors import build_vector_index, prepare_for_search, vectors_by_id  # noqa: F401  (re-exported)
from .vocab import VocabCounts, count_texts, load_counts, save_counts, vocab_from_counts
from .layout import (  # noqa: F401  (the schema's names, re-exported for the builder and the tests)
    CHUNKS, DOCUMENTS, FORMAT_VERSION, GENERATION_PREFIX, LEXICAL, MANIFEST, POINTER, REQUIRED, VECTORS, VOCAB,
    VOCAB_COUNTS, LexicalIndex, own_key, pipeline_version,
)

PIPELINE_VERSION = pipeline_version(READER_VERSION, NORMALIZER_VERSION, METADATA_VERSION, CHUNKER_VERSION)


@dataclass
class Manifest:
    """What an index generation was built from and with."""

    model_id: str
    dim: int
    normalizer_version: str = NORMALIZER_VERSION
    chunker_version: str = CHUNKER_VERSION
    pipeline_version: str = PIPELINE_VERSION  # reader, normaliser, metadata and chunker (layout.pipeline_version)
    format_version: int = FORMAT_VERSION
    created_at: str = ""
    files: dict[str, dict] = field(default_factory=dict)  # source -> {sha256, doc_id, size}
    skipped: list[dict] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    embedded_with: list[str] = field(default_factory=list)  # inference paths of the vectors (indexer/fast_embed.py)
    segments: list[dict] = field(default_factory=list)  # the chunk store's segments (indexer/segments.py); [] = one
    stamps: dict[str, list[int]] = field(default_factory=dict)  # file -> [size, mtime_ns] when its checksum was taken


def lexical_header(chunk: Chunk) -> str:
    """The header words a chunk is found by: its context header, without the "Tin bài" label every article has."""
    head = context_header(chunk)
    return head.removeprefix(chunk.meta.doc_type).lstrip(" |") if chunk.meta.is_news else head


def chunk_number_keys(chunk: Chunk) -> list[str]:
    """Number keys a chunk answers to: its document's own number and the numbers written in it."""
    keys = [number_key(n) for n in find_numbers(chunk.text)]
    keys += [citation_key(c) for c in textual_citations(chunk.text)]
    if chunk.meta.number:
        keys.insert(0, own_key(number_key(chunk.meta.number)))
    return list(dict.fromkeys(keys))


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    from .reader import open_regular  # a FIFO or device is refused, never opened for reading

    h = hashlib.sha256()
    with open_regular(path) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_checksums(gen_dir: Path, known_gen: Path | None = None, known: dict[str, str] | None = None,
                   stamps: dict[str, list[int]] | None = None) -> dict[str, str]:
    """SHA-256 of every file of a generation (manifest excluded), keyed by relative path. A file that is
    a hard link to the file of the same name in `known_gen` (a verified generation whose checksums are
    `known`) takes that file's checksum without reading it; so does, with `stamps`, a file whose size and
    modification time are still those its checksum in `known` was taken at."""
    out = {}
    for path in sorted(gen_dir.rglob("*")):
        if path.is_file() and path.name != MANIFEST and not path.name.startswith(".tantivy"):
            name = path.relative_to(gen_dir).as_posix()
            base = known_gen / name if known_gen is not None and known and known.get(name) else None
            if base is not None and base.exists() and os.path.samefile(path, base):
                out[name] = known[name]
            elif stamps and known and name in known and stamps.get(name) == file_stamp(path):
                out[name] = known[name]
            else:
                out[name] = file_sha256(path)
    return out


def file_stamp(path: Path) -> list[int]:
    """A file's size and modification time (ns): a write to it changes them."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class LexicalBase:
    """The lexical index of a previous, verified generation, which holds exactly the chunks of `doc_ids`."""

    path: Path  # that generation's lexical/ folder
    doc_ids: set[str]
    checksums: dict[str, str]  # that generation's manifest checksums


def write_generation(
    gen_dir: Path, manifest: Manifest, documents: list[Document], chunks: list[Chunk], vectors: np.ndarray,
    trace=None, previous_vectors=None, lexical_base: LexicalBase | None = None, vocab_counts: VocabCounts | None = None,
    store_base: seg.StoreBase | None = None, vocab: dict | None = None,
) -> None:
    """Write a complete generation folder (not yet visible to readers). With a `store_base` (the previous
    generation's chunk store) unchanged segments are carried over by hard link and only the rest is
    written; with a `lexical_base` whose documents are all kept, the lexical index extends that one
    instead of being written anew; with `vocab_counts` (the previous counts updated by the change) the
    chunks are not counted again, and `vocab` (its vocabulary, updated by the change) is not computed again.
    Carried-over files keep their checksums (they are not read again). `previous_vectors` may be a callable
    that reads them (only called where an IVF index re-uses its training)."""
    import faiss

    trace = trace or (lambda step: None)
    trace("write documents")
    gen_dir.mkdir(parents=True)
    vectors = vectors.reshape(len(chunks), manifest.dim)
    ids = np.array([c.chunk_id for c in chunks], dtype=np.int64)

    def write_vectors(path: Path, rows: list[int]) -> None:
        trace("write vectors")
        previous = previous_vectors
        if callable(previous):  # read only where an IVF index would re-use its training
            previous = previous() if len(rows) >= vector_index.APPROX_THRESHOLD else None
        index = build_vector_index(vectors[rows], ids[rows], previous)
        faiss.write_index(index, str(path))

    manifest.segments = seg.write(gen_dir, gen_dir.name.removeprefix("gen-"), documents, chunks, store_base, write_vectors)
    trace("write vocabulary")
    if vocab_counts is None:
        vocab_counts = count_texts(c.text for c in chunks)
    save_counts(vocab_counts, gen_dir / VOCAB_COUNTS)
    (gen_dir / VOCAB).write_bytes(orjson.dumps(vocab if vocab is not None else vocab_from_counts(vocab_counts)))
    trace("write lexical")
    reused = _write_lexical(gen_dir / LEXICAL, chunks, lexical_base)
    trace("write manifest")
    manifest.counts = {"documents": len(documents), "chunks": len(chunks)}
    previous = store_base.gen if store_base else lexical_base.path.parent if lexical_base and reused else None
    known = store_base.checksums if store_base else lexical_base.checksums if lexical_base else None
    manifest.checksums = file_checksums(gen_dir, previous, known)
    manifest.stamps = {name: file_stamp(gen_dir / name) for name in manifest.checksums}
    manifest.created_at = manifest.created_at or time.strftime("%Y-%m-%dT%H:%M:%S%z")
    tmp = gen_dir / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, gen_dir / MANIFEST)
    trace("fsync")
    for path in [p for p in gen_dir.rglob("*") if p.is_file()]:
        with open(path, "rb") as f:
            os.fsync(f.fileno())
    _fsync_dir(gen_dir / LEXICAL)
    _fsync_dir(gen_dir)


def _write_lexical(lex_dir: Path, chunks: list[Chunk], base: LexicalBase | None) -> bool:
    """Write the lexical index of `chunks`; True when it extends `base`.

    Only additions are applied to a base: its segment files are immutable, so they are linked into the new
    index and the new documents go into a new segment. A removed or changed document means a full rewrite,
    since tantivy keeps counting deleted documents in its BM25 statistics until segments merge, and the
    result would differ from a full build."""
    extend = base is not None and base.path.is_dir() and base.doc_ids <= {c.doc_id for c in chunks}
    if extend:
        lex = LexicalIndex.extend(base.path, lex_dir)
        chunks = [c for c in chunks if c.doc_id not in base.doc_ids]
    else:
        lex = LexicalIndex.create(lex_dir)
    for chunk in chunks:
        lex.index(chunk.chunk_id, chunk.doc_id, chunk.text, lexical_header(chunk), chunk_number_keys(chunk))
    lex.save()
    return extend


def publish(index_dir: Path, gen_name: str) -> None:
    """Make a written generation the one readers use, in one atomic step."""
    tmp = index_dir / (POINTER + ".tmp")
    with open(tmp, "w") as f:
        f.write(gen_name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / POINTER)
    _fsync_dir(index_dir)


def current_generation(index_dir: Path) -> Path:
    """The generation folder readers should use; IndexMissing when there is none."""
    pointer = index_dir / POINTER
    if not pointer.exists():
        raise IndexMissing(str(index_dir))
    name = pointer.read_bytes().decode("utf-8", errors="replace").strip()
    gen = index_dir / name
    if not name or "/" in name or not (gen / MANIFEST).exists():
        raise IndexCorrupt(f"{pointer} names {name!r}, which holds no manifest", [("pointer", name)])
    return gen


def next_generation_name(index_dir: Path) -> str:
    """A fresh generation folder name, after every existing one."""
    numbers = [int(p.name[len(GENERATION_PREFIX):]) for p in index_dir.glob(GENERATION_PREFIX + "*")
               if p.name[len(GENERATION_PREFIX):].isdigit()]
    return f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"


def cleanup(index_dir: Path, keep: int = 2) -> list[str]:
    """Remove unfinished and old generations, keeping the current one and the one before it."""
    try:
        current = current_generation(index_dir).name
    except (IndexMissing, IndexCorrupt):
        current = None
    gens = sorted((p for p in index_dir.glob(GENERATION_PREFIX + "*") if p.is_dir()), key=lambda p: p.name)
    complete = [p for p in gens if (p / MANIFEST).exists() and (current is None or p.name <= current)]
    keep_names = {current} | {p.name for p in complete[-keep:]}
    removed = []
    for p in gens:
        if p.name not in keep_names:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    for tmp in index_dir.glob(POINTER + ".tmp"):
        tmp.unlink(missing_ok=True)
    return removed


# the type of each manifest field; a manifest without the optional ones was written by an older version
_MANIFEST_FIELDS = {
    "model_id": str, "dim": int, "normalizer_version": str, "chunker_version": str, "pipeline_version": str,
    "format_version": int, "created_at": str, "files": dict, "skipped": list, "checksums": dict, "counts": dict,
    "embedded_with": list, "segments": list, "stamps": dict,
}
_MANIFEST_REQUIRED = ("model_id", "dim")


def read_manifest(gen_dir: Path, any_format: bool = False) -> Manifest:
    """The manifest of a generation. IndexMismatch when its format is not this code's (unless `any_format`) or
    it has fields this code does not know (written by another version); IndexCorrupt when it cannot be parsed,
    lacks a required field or holds a value of the wrong type. A missing `pipeline_version` reads as ""."""
    try:
        data = json.loads((gen_dir / MANIFEST).read_text(encoding="utf-8"))
    except ValueError as exc:  # truncated or edited by hand
        raise IndexCorrupt(f"{gen_dir.name}: damaged {MANIFEST} ({exc})", [("damaged", MANIFEST)]) from exc
    if not isinstance(data, dict):
        raise IndexCorrupt(f"{gen_dir.name}: damaged {MANIFEST} (not an object)", [("damaged", MANIFEST)])
    version = data.get("format_version")
    if version != FORMAT_VERSION and not any_format:
        raise IndexMismatch(f"format {version} (expected {FORMAT_VERSION})", kind="format",
                            built_with=str(version), asked=str(FORMAT_VERSION))
    unknown = sorted(set(data) - set(_MANIFEST_FIELDS))
    if unknown:
        raise IndexMismatch(f"{MANIFEST} fields unknown to this version: {', '.join(unknown)}", kind="fields",
                            built_with=", ".join(unknown))
    bad = manifest_problems(data)
    if bad:
        raise IndexCorrupt(f"{gen_dir.name}: damaged {MANIFEST} ({', '.join(bad)})", [("field", n) for n in bad])
    data.setdefault("pipeline_version", "")
    return Manifest(**data)


def manifest_problems(data: dict) -> list[str]:
    """The fields of a manifest's data that are missing (required ones) or hold a value of the wrong type."""
    bad = [name for name in _MANIFEST_REQUIRED if name not in data]
    for name, kind in _MANIFEST_FIELDS.items():
        value = data.get(name)
        if name in data and (not isinstance(value, kind) or kind is int and isinstance(value, bool)):
            bad.append(name)
    if isinstance(data.get("files"), dict) and not all(
        isinstance(f, dict) and isinstance(f.get("sha256"), str) and isinstance(f.get("doc_id"), str)
        for f in data["files"].values()
    ):
        bad.append("files")
    if isinstance(data.get("checksums"), dict) and not all(isinstance(v, str) for v in data["checksums"].values()):
        bad.append("checksums")
    if isinstance(data.get("embedded_with"), list) and not all(isinstance(v, str) for v in data["embedded_with"]):
        bad.append("embedded_with")
    if isinstance(data.get("skipped"), list) and not all(isinstance(v, dict) for v in data["skipped"]):
        bad.append("skipped")
    return list(dict.fromkeys(bad))


def verify(gen_dir: Path, manifest: Manifest, by_stamps: bool = False) -> None:
    """Check every index file against the manifest's checksums; IndexCorrupt names every problem. A gap
    counts as damage: a core file without a checksum, a file on disk that the manifest does not list.
    `by_stamps` (a build about to carry the generation over): a file whose size and modification time
    are those recorded with its checksum is not read again (searchers always read every file)."""
    actual = file_checksums(gen_dir, known=manifest.checksums, stamps=manifest.stamps) if by_stamps else file_checksums(gen_dir)
    problems: list[tuple[str, str]] = []
    for name, digest in manifest.checksums.items():
        if name not in actual:
            problems.append(("missing", name))
        elif actual[name] != digest:
            problems.append(("mismatch", name))
    for name in seg.required_files(manifest.segments):
        if name not in manifest.checksums and name not in actual:
            problems.append(("missing", name))
    for name in sorted(set(actual) - set(manifest.checksums)):
        problems.append(("unlisted", name))
    if not any(n.startswith(LEXICAL + "/") for n in set(manifest.checksums) | set(actual)):
        problems.append(("missing", LEXICAL + "/"))
    if problems:
        words = {"missing": "missing file", "mismatch": "checksum mismatch:", "unlisted": "no checksum for"}
        raise IndexCorrupt(f"{gen_dir.name}: " + "; ".join(f"{words[k]} {n}" for k, n in problems), problems)


def read_chunks(gen_dir: Path, documents: dict[str, Document] | None = None, manifest: Manifest | None = None) -> list[Chunk]:
    """All chunks of a generation, in build order (documents in corpus-file order, each document's chunks
    in its order): each is a slice of its document's text and shares the document's metadata object."""
    if documents is None:
        documents = {d.doc_id: d for d in read_documents(gen_dir, manifest)}
    return seg.read_chunks(gen_dir, documents, manifest.segments if manifest else None)


def _damaged(gen_dir: Path, name: str, line: int, exc: Exception) -> IndexCorrupt:
    return IndexCorrupt(f"{gen_dir.name}: damaged {name}, line {line} ({type(exc).__name__})", [("damaged", name)])


def read_documents(gen_dir: Path, manifest: Manifest | None = None, segment_of: dict[str, int] | None = None) -> list[Document]:
    """All documents of a generation, in corpus-file order (`segment_of`, when given, is filled with
    each document's segment position)."""
    if manifest is None:
        return seg.read_documents(gen_dir, segment_of=segment_of)
    return seg.read_documents(gen_dir, manifest.segments, manifest.files, segment_of)


def store_base(gen_dir: Path, manifest: Manifest, documents: dict[str, Document], segment_of: dict[str, int],
               chunk_rows: dict[str, int]) -> "seg.StoreBase":
    """The chunk store of a verified generation, for the next one to carry over."""
    return seg.StoreBase(gen_dir, seg.listed(manifest.segments), documents, segment_of, chunk_rows, manifest.checksums)


def read_vocab(gen_dir: Path) -> dict[str, dict[str, str]]:
    """The diacritic-restoration vocabulary of a generation."""
    try:
        return orjson.loads((gen_dir / VOCAB).read_bytes())
    except ValueError as exc:
        raise _damaged(gen_dir, VOCAB, 1, exc) from exc


def read_vocab_counts(gen_dir: Path) -> VocabCounts | None:
    """The word and pair counts of a generation; None for a generation written before they were kept."""
    path = gen_dir / VOCAB_COUNTS
    return load_counts(path) if path.exists() else None


def read_vectors(gen_dir: Path, manifest: Manifest | None = None):
    """The FAISS index of a generation's live chunks (its segments' vectors in one index), set up for searching."""
    import faiss

    def read_index(path: Path):
        try:
            return faiss.read_index(str(path))
        except RuntimeError as exc:  # faiss reports a damaged file this way
            raise IndexCorrupt(f"{gen_dir.name}: damaged {path.name}", [("damaged", path.name)]) from exc

    index = seg.read_vectors(gen_dir, manifest.segments if manifest else None, read_index)
    prepare_for_search(index)
    return index


def open_lexical(gen_dir: Path) -> LexicalIndex:
    """The lexical index of a generation, for searching."""
    try:
        return LexicalIndex.load(gen_dir / LEXICAL)
    except ValueError as exc:  # tantivy reports a damaged or missing index this way
        raise IndexCorrupt(f"{gen_dir.name}: damaged {LEXICAL}/", [("damaged", LEXICAL + "/")]) from exc
