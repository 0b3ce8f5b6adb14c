"""The chunk store and vectors of a generation in segments, so that an update writes only what changed.

A segment is three files: documents{suffix}.jsonl (one Document per line), chunks{suffix}.jsonl (one
chunk row per line) and vectors{suffix}.faiss (the vectors of those chunk rows, ids = chunk ids). The
first segment has no suffix (documents.jsonl, chunks.jsonl, vectors.faiss: what a full build writes);
a later one is named after the generation that wrote it (documents.000007.jsonl). The
manifest lists the segments in order, each with the documents it no longer serves ("dropped": removed,
changed or renamed since it was written).

An update carries a previous segment over by hard link (its checksum is carried too: the file is the
one the build verified) and adds the documents that are gone to its dropped list; every document not
carried goes into one new segment. A segment is written anew (its live documents join the new segment)
once more than MAX_DROPPED of its chunks are dropped, or when there would be more than MAX_SEGMENTS.
Readers return documents and chunks in the order of the manifest's corpus files, and one vector index
of the live chunks (the largest segment's, with the dropped rows removed and the others' vectors
added), so an updated generation reads as a full build of the same corpus does."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import orjson

from .document import Chunk, DocMeta, Document
from .errors import IndexCorrupt
from .layout import CHUNKS, DOCUMENTS, MANIFEST, VECTORS

MAX_SEGMENTS = 8
MAX_DROPPED = 0.25  # share of a segment's chunk rows that may be dropped before it is written anew


def file_names(name: str) -> tuple[str, str, str]:
    """The documents, chunks and vectors file of the segment `name` ("" for the first one)."""
    if not name:
        return DOCUMENTS, CHUNKS, VECTORS
    return tuple(f"{stem}.{name}.{ext}" for stem, _, ext in (f.partition(".") for f in (DOCUMENTS, CHUNKS, VECTORS)))


def segment(name: str = "", chunks: int = 0, dropped: list[str] | None = None, dropped_chunks: int = 0) -> dict:
    """A segment as the manifest lists it: its name, its chunk rows, the documents it no longer serves
    and their chunk rows."""
    return {"name": name, "chunks": chunks, "dropped": sorted(dropped or []), "dropped_chunks": dropped_chunks}


def listed(segments: list[dict] | None) -> list[dict]:
    """The segments of a manifest; a manifest written before segments existed has the first one only."""
    return segments if segments else [segment()]


@dataclass
class StoreBase:
    """The chunk store of the previous, verified generation: where each of its documents lives."""

    gen: Path
    segments: list[dict]
    docs: dict[str, Document]  # doc_id -> the document as that generation stores it
    segment_of: dict[str, int]  # doc_id -> position of its segment in `segments`
    chunk_rows: dict[str, int]  # doc_id -> its chunk rows
    checksums: dict[str, str]  # that generation's manifest checksums


def _same(new: Document, old: Document) -> bool:
    """True when `new` would be written as the line `old` was read from (equal ids mean equal texts)."""
    return new is old or (new.source == old.source and new.file_sha256 == old.file_sha256
            and (new.meta is old.meta or new.meta == old.meta))


@dataclass
class Plan:
    """What a write does: previous segments carried over (with their new dropped lists) and the
    documents of the one new segment."""

    carried: list[dict] = field(default_factory=list)
    fresh: set[str] = field(default_factory=set)  # doc ids written into the new segment


def plan(documents: list[Document], base: StoreBase | None) -> Plan:
    """Which previous segments an update keeps and which documents it writes anew."""
    out = Plan()
    if base is None:
        out.fresh = {d.doc_id for d in documents}
        return out
    kept: dict[int, set[str]] = {}
    for doc in documents:
        i = base.segment_of.get(doc.doc_id)
        if i is not None and _same(doc, base.docs[doc.doc_id]):
            kept.setdefault(i, set()).add(doc.doc_id)
        else:
            out.fresh.add(doc.doc_id)
    live: dict[int, list[str]] = {}
    for doc_id, i in base.segment_of.items():
        live.setdefault(i, []).append(doc_id)
    candidates = []
    for i, seg in enumerate(base.segments):
        keep = kept.get(i, set())
        if not keep:
            continue
        gone = [d for d in live.get(i, []) if d not in keep]
        dropped_chunks = seg["dropped_chunks"] + sum(base.chunk_rows.get(d, 0) for d in gone)
        if dropped_chunks > MAX_DROPPED * seg["chunks"]:
            out.fresh |= keep
            continue
        candidates.append((segment(seg["name"], seg["chunks"], seg["dropped"] + gone, dropped_chunks), keep))
    while candidates and len(candidates) + bool(out.fresh) > MAX_SEGMENTS:  # the smallest joins the new segment
        smallest = min(range(len(candidates)), key=lambda k: candidates[k][0]["chunks"] - candidates[k][0]["dropped_chunks"])
        out.fresh |= candidates.pop(smallest)[1]
    out.carried = [seg for seg, _ in candidates]
    return out


def write(gen_dir: Path, new_name: str, documents: list[Document], chunks: list[Chunk], base: StoreBase | None,
          write_vectors) -> list[dict]:
    """Write the chunk store of `documents` and `chunks` into `gen_dir`; returns the manifest's segment list.
    `write_vectors(path, rows)` writes the vectors of `chunks[rows]` (the new segment's) to `path`."""
    p = plan(documents, base)
    segments = []
    for seg in p.carried:
        for fname in file_names(seg["name"]):
            try:
                os.link(base.gen / fname, gen_dir / fname)
            except OSError:
                shutil.copy2(base.gen / fname, gen_dir / fname)
        segments.append(seg)
    if p.fresh or not segments:
        name = new_name if segments else ""
        docs_file, chunks_file, vectors_file = file_names(name)
        with open(gen_dir / docs_file, "wb") as f:
            for doc in documents:
                if doc.doc_id in p.fresh:
                    f.write(orjson.dumps(asdict(doc)) + b"\n")
        rows = []
        with open(gen_dir / chunks_file, "wb") as f:
            for i, chunk in enumerate(chunks):  # text, source and metadata live once per document, in the documents file
                if chunk.doc_id in p.fresh:
                    row = {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "start": chunk.start, "end": chunk.end,
                           "section": chunk.section}
                    f.write(orjson.dumps(row) + b"\n")
                    rows.append(i)
        write_vectors(gen_dir / vectors_file, rows)
        segments.append(segment(name, len(rows)))
    return segments


def _segments_of(gen_dir: Path, segments: list[dict] | None, files: dict | None) -> tuple[list[dict], dict | None]:
    if segments is None:  # not given: the manifest says (a damaged one is the verifier's business)
        try:
            data = json.loads((gen_dir / MANIFEST).read_text(encoding="utf-8"))
            segments, files = data.get("segments"), data.get("files")
        except (OSError, ValueError, AttributeError):
            segments = None
    return listed(segments), files


def _damaged(gen_dir: Path, name: str, line: int, exc: Exception) -> IndexCorrupt:
    return IndexCorrupt(f"{gen_dir.name}: damaged {name}, line {line} ({type(exc).__name__})", [("damaged", name)])


def read_documents(gen_dir: Path, segments: list[dict] | None = None, files: dict | None = None,
                   segment_of: dict[str, int] | None = None) -> list[Document]:
    """All documents of a generation, in the order of its corpus files (`segments` and `files`: the
    manifest's, read from it when not given). `segment_of`, when given, is filled with each
    document's segment position."""
    segments, files = _segments_of(gen_dir, segments, files)
    out = []
    for i, seg in enumerate(segments):
        dropped = set(seg["dropped"])
        for doc in _rows(gen_dir, file_names(seg["name"])[0],
                         lambda data: None if data["doc_id"] in dropped else _document(data)):
            out.append(doc)
            if segment_of is not None:
                segment_of[doc.doc_id] = i
    if len(segments) > 1 and files:
        order = {source: k for k, source in enumerate(files)}
        out.sort(key=lambda d: order.get(d.source, len(order)))
    return out


def read_chunks(gen_dir: Path, documents: dict[str, Document], segments: list[dict] | None = None) -> list[Chunk]:
    """All chunks of a generation, document by document in the order of `documents`, each in its
    document's order: a slice of its document's text sharing the document's metadata object."""
    segments, _ = _segments_of(gen_dir, segments, {})
    out = []
    for seg in segments:
        dropped = set(seg["dropped"])
        out.extend(_rows(gen_dir, file_names(seg["name"])[1],
                         lambda row: None if row["doc_id"] in dropped else _chunk(row, documents[row["doc_id"]])))
    if len(segments) > 1:
        by_doc: dict[str, list[Chunk]] = {}
        for chunk in out:
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
        out = [c for doc_id in documents for c in by_doc.get(doc_id, ())]
    return out


def dropped_chunk_ids(gen_dir: Path, seg: dict) -> set[int]:
    """The chunk ids of a segment's rows whose documents it no longer serves."""
    dropped = set(seg["dropped"])
    if not dropped:
        return set()
    return set(_rows(gen_dir, file_names(seg["name"])[1],
                     lambda row: int(row["chunk_id"]) if row["doc_id"] in dropped else None))


def _rows(gen_dir: Path, name: str, make) -> Iterator:
    """`make(row)` of every row of a segment file, skipping None; a line that does not parse or make names the
    file and the line (IndexCorrupt)."""
    with open(gen_dir / name, "rb") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    value = make(orjson.loads(line))
                except (ValueError, KeyError, TypeError) as exc:
                    raise _damaged(gen_dir, name, n, exc) from exc
                if value is not None:
                    yield value


def _document(data: dict) -> Document:
    data["meta"] = DocMeta(**data["meta"])
    return Document(**data)


def _chunk(row: dict, doc: Document) -> Chunk:
    """A chunk row as a slice of its document's text, sharing the document's metadata object."""
    start, end = row["start"], row["end"]
    return Chunk(row["chunk_id"], doc.doc_id, doc.source, start, end, row["section"], doc.text[start:end], doc.meta)


def read_vectors(gen_dir: Path, segments: list[dict] | None, read_index):
    """One vector index of a generation's live chunks: `read_index(path)` of each segment's file; the
    largest (an IVF one first) takes the others' vectors, and every segment's dropped rows are removed."""
    import faiss
    import numpy as np

    from .vectors import _contents, is_ivf

    segments, _ = _segments_of(gen_dir, segments, {})
    parts = [(read_index(gen_dir / file_names(s["name"])[2]), s) for s in segments]
    if len(parts) == 1 and not segments[0]["dropped"]:
        return parts[0][0]
    parts.sort(key=lambda p: (not is_ivf(p[0]), -p[0].ntotal))
    base, base_seg = parts[0]
    gone = dropped_chunk_ids(gen_dir, base_seg)
    if gone:
        base.remove_ids(faiss.IDSelectorBatch(np.fromiter(gone, np.int64, len(gone))))
    for index, s in parts[1:]:
        ids, vecs = _contents(index, with_vectors=True)
        gone = dropped_chunk_ids(gen_dir, s)
        keep = ~np.isin(ids, np.fromiter(gone, np.int64, len(gone))) if gone else np.ones(len(ids), bool)
        if keep.any():
            base.add_with_ids(np.ascontiguousarray(vecs[keep]), np.ascontiguousarray(ids[keep]))
    return base


def required_files(segments: list[dict] | None) -> list[str]:
    """The files every segment of a generation must have."""
    return [f for seg in listed(segments) for f in file_names(seg["name"])]


class StoredDocument(Document):
    """A document of a stored generation whose text and metadata are parsed from its line on first use
    (a build that carries it over never reads them)."""

    def __init__(self, doc_id: str, source: str, file_sha256: str, line: bytes) -> None:  # noqa: D107
        self.doc_id, self.source, self.file_sha256 = doc_id, source, file_sha256
        self._line = line
        self._parsed: Document | None = None

    def _full(self) -> Document:
        if self._parsed is None:
            data = orjson.loads(self._line)
            data["meta"] = DocMeta(**data["meta"])
            self._parsed = Document(**data)
        return self._parsed

    text = property(lambda self: self._full().text)
    meta = property(lambda self: self._full().meta)

    @property
    def relations_known(self) -> bool:
        """False for a document stored before relations were extracted (its line holds no list of them)."""
        return b'"relations":[' in self._line


class StoredChunk(Chunk):
    """A chunk of a StoredDocument: its text and metadata come from the document on use."""

    def __init__(self, row: dict, doc: StoredDocument) -> None:  # noqa: D107
        self.chunk_id, self.doc_id, self.source = row["chunk_id"], row["doc_id"], doc.source
        self.start, self.end, self.section = row["start"], row["end"], row["section"]
        self._doc = doc

    text = property(lambda self: self._doc.text[self.start:self.end])
    meta = property(lambda self: self._doc.meta)


def _doc_id_of(line: bytes) -> str:
    """The doc_id of a stored row, read without parsing the row."""
    i = line.find(b'"doc_id":"')
    if i < 0:
        return orjson.loads(line)["doc_id"]
    return line[i + 10 : line.index(b'"', i + 10)].decode("ascii")


def read_stored(gen_dir: Path, segments: list[dict] | None, files: dict[str, dict]) -> tuple[
        dict[str, StoredDocument], dict[str, list[StoredChunk]], dict[str, int]]:
    """A generation's live documents (StoredDocument, source and file hash from the manifest's `files`),
    their chunks and each document's segment position, parsing only the small chunk rows."""
    where = {v["doc_id"]: (source, v.get("sha256", "")) for source, v in reversed(list(files.items()))}
    docs: dict[str, StoredDocument] = {}
    chunks: dict[str, list[StoredChunk]] = {}
    segment_of: dict[str, int] = {}
    for i, s in enumerate(listed(segments)):
        dropped = set(s["dropped"])
        names = file_names(s["name"])
        for n, line in enumerate((gen_dir / names[0]).read_bytes().split(b"\n"), 1):
            if not line.strip():
                continue
            try:
                doc_id = _doc_id_of(line)
                if doc_id in dropped:
                    continue
                if doc_id in where:
                    docs[doc_id] = StoredDocument(doc_id, *where[doc_id], line)
                else:  # not named by the manifest (an index written by hand): read it whole
                    full = StoredDocument(doc_id, "", "", line)._full()
                    docs[doc_id] = StoredDocument(doc_id, full.source, full.file_sha256, line)
            except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
                raise _damaged(gen_dir, names[0], n, exc) from exc
            segment_of[doc_id] = i
        for n, line in enumerate((gen_dir / names[1]).read_bytes().split(b"\n"), 1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
                if row["doc_id"] in dropped:
                    continue
                chunks.setdefault(row["doc_id"], []).append(StoredChunk(row, docs[row["doc_id"]]))
            except (ValueError, KeyError, TypeError) as exc:
                raise _damaged(gen_dir, names[1], n, exc) from exc
    return docs, chunks, segment_of
