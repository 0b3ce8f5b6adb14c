"""The chunk store in segments (indexer/segments.py): an update carries unchanged segments over by hard
link with their checksums, writes the rest into one new segment, and reads exactly as a full write.
Real Wikipedia articles and the real chunker; vectors are random (no model needed)."""

import dataclasses
import gzip
import json
from collections import Counter

import numpy as np
import orjson
import pytest

from indexer import segments as seg
from indexer import store
from indexer.build import describe
from indexer.chunker import chunk_document
from indexer.document import text_id
from indexer.errors import IndexCorrupt
from vntext.normalize import normalize_document

from .conftest import SHARED


@pytest.fixture(scope="module")
def docs():
    out = []
    with gzip.open(SHARED / "datasets" / "viwiki.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            if 1500 <= len(a["text"]) <= 6000:
                out.append(_doc(f"wiki/{len(out):03d}.txt", f"{a['title']}\n\n{a['text']}"))
            if len(out) == 24:
                return out


def _doc(source, raw):
    text = normalize_document(raw)
    doc = describe(raw, text, source)
    doc.file_sha256 = text_id(raw)
    return doc


def write(index_dir, docs, base=True):
    """A new generation of `docs` (carrying the current one's segments over when `base`), published."""
    chunks = [c for d in docs for c in chunk_document(d)]
    files = {d.source: {"sha256": d.file_sha256, "doc_id": d.doc_id, "size": len(d.text)} for d in docs}
    manifest = store.Manifest(model_id="test", dim=4, files=files)
    vectors = np.stack([vector_of(c.chunk_id) for c in chunks])
    previous = None
    if base and (index_dir / store.POINTER).exists():
        gen = store.current_generation(index_dir)
        m = store.read_manifest(gen)
        store.verify(gen, m)
        where = {}
        prev_docs = {d.doc_id: d for d in store.read_documents(gen, m, where)}
        rows = Counter(c.doc_id for c in store.read_chunks(gen, prev_docs, m))
        previous = store.store_base(gen, m, prev_docs, where, rows)
    name = store.next_generation_name(index_dir)
    index_dir.mkdir(exist_ok=True)
    store.write_generation(index_dir / name, manifest, docs, chunks, vectors, store_base=previous)
    store.publish(index_dir, name)
    return index_dir / name


def vector_of(chunk_id):
    """A chunk's vector: the same in every generation, as a build re-uses it."""
    return np.random.default_rng(chunk_id % 2**32).normal(size=4).astype(np.float32)


def view(gen, vectors_of_ids=True):
    """What a reader gets from a generation: documents and chunks in order (and every chunk's vector checked)."""
    docs = store.read_documents(gen)
    chunks = store.read_chunks(gen)
    vectors = store.vectors_by_id(store.read_vectors(gen))
    assert sorted(vectors) == sorted(c.chunk_id for c in chunks)  # no dropped row, no duplicate
    assert not vectors_of_ids or all(np.array_equal(v, vector_of(i)) for i, v in vectors.items())
    return ([dataclasses.asdict(d) for d in docs],
            [(c.chunk_id, c.doc_id, c.source, c.start, c.end, c.section, c.text) for c in chunks])


def full_view(tmp_path, docs):
    return view(write(tmp_path / "full", docs, base=False))


def inode(path):
    return path.stat().st_ino


def test_an_add_links_the_old_segment_writes_one_new_and_reads_as_a_full_write(tmp_path, docs):
    index_dir = tmp_path / "index"
    first = write(index_dir, docs[1:20])
    before = view(first)
    second = write(index_dir, docs[:20])  # the new document sorts first: readers must put it first
    for name in (seg.DOCUMENTS, seg.CHUNKS, seg.VECTORS):
        assert inode(second / name) == inode(first / name)
    new_docs, new_chunks, new_vectors = seg.file_names("000002")
    assert store.read_vectors(second).ntotal == store.read_vectors(first).ntotal + len(chunk_document(docs[0]))
    assert [json.loads(line)["doc_id"] for line in (second / new_docs).read_text().splitlines()] == [docs[0].doc_id]
    assert {json.loads(line)["doc_id"] for line in (second / new_chunks).read_text().splitlines()} == {docs[0].doc_id}
    m1, m2 = store.read_manifest(first), store.read_manifest(second)
    assert [s["name"] for s in m2.segments] == ["", "000002"]
    assert m2.checksums[seg.DOCUMENTS] == m1.checksums[seg.DOCUMENTS]  # carried, not read again
    store.verify(second, m2)
    store.verify(first, m1)
    assert view(second) == full_view(tmp_path, docs[:20])
    assert view(first) == before  # the old generation still reads as it did


def test_remove_change_and_rename_drop_from_the_old_segment(tmp_path, docs):
    index_dir = tmp_path / "index"
    first = write(index_dir, docs[:20])
    changed = _doc(docs[5].source, docs[5].text + "\n\nĐoạn bổ sung về công tác cán bộ.")
    renamed = dataclasses.replace(docs[7], source="wiki/doi-ten.txt")
    now = [d for i, d in enumerate(docs[:20]) if i not in (3, 5, 7)] + [changed, renamed]
    second = write(index_dir, now)
    assert inode(second / seg.CHUNKS) == inode(first / seg.CHUNKS)
    m = store.read_manifest(second)
    assert m.segments[0]["dropped"] == sorted([docs[3].doc_id, docs[5].doc_id, docs[7].doc_id])
    assert m.segments[0]["dropped_chunks"] == sum(len(chunk_document(docs[i])) for i in (3, 5, 7))
    new_docs = seg.file_names(m.segments[1]["name"])[0]
    assert {json.loads(line)["source"] for line in (second / new_docs).read_text().splitlines()} == {
        docs[5].source, "wiki/doi-ten.txt"}
    store.verify(second, m)
    assert view(second) == full_view(tmp_path, now)
    assert docs[3].doc_id not in {d.doc_id for d in store.read_documents(second)}


def test_a_segment_mostly_dropped_is_written_anew(tmp_path, docs):
    index_dir = tmp_path / "index"
    first = write(index_dir, docs[:20])
    second = write(index_dir, docs[:8] + [docs[20]])  # 12 of 20 documents gone: over MAX_DROPPED
    assert inode(second / seg.CHUNKS) != inode(first / seg.CHUNKS)
    m = store.read_manifest(second)
    assert m.segments == [seg.segment("", sum(len(chunk_document(d)) for d in docs[:8] + [docs[20]]))]
    assert view(second) == full_view(tmp_path, docs[:8] + [docs[20]])


def test_many_adds_keep_at_most_max_segments(tmp_path, docs):
    index_dir = tmp_path / "index"
    write(index_dir, docs[:10])
    for n in range(11, 11 + seg.MAX_SEGMENTS + 2):
        gen = write(index_dir, docs[:n])
        assert len(store.read_manifest(gen).segments) <= seg.MAX_SEGMENTS
    assert inode(gen / seg.CHUNKS) == inode(index_dir / "gen-000001" / seg.CHUNKS)  # the big one stays
    store.verify(gen, store.read_manifest(gen))
    assert view(gen) == full_view(tmp_path, docs[: 10 + seg.MAX_SEGMENTS + 2])


def test_damage_to_a_carried_segment_is_found_in_both_generations(tmp_path, docs):
    index_dir = tmp_path / "index"
    first = write(index_dir, docs[1:20])
    second = write(index_dir, docs[:20])
    with open(first / seg.CHUNKS, "ab") as f:  # the same file: a hard link
        f.write(b"\n")
    for gen in (first, second):
        with pytest.raises(IndexCorrupt, match="checksum mismatch: chunks.jsonl"):
            store.verify(gen, store.read_manifest(gen))


def test_a_missing_segment_file_is_named(tmp_path, docs):
    index_dir = tmp_path / "index"
    write(index_dir, docs[1:20])
    second = write(index_dir, docs[:20])
    (second / "documents.000002.jsonl").unlink()
    with pytest.raises(IndexCorrupt, match="missing file documents.000002.jsonl"):
        store.verify(second, store.read_manifest(second))


def test_an_ivf_segment_takes_the_others_vectors_and_loses_its_dropped_rows(tmp_path, docs, monkeypatch):
    from indexer import vectors as V

    monkeypatch.setattr(V, "APPROX_THRESHOLD", 50)
    index_dir = tmp_path / "index"
    first = write(index_dir, docs[1:20])
    assert V.is_ivf(store.read_vectors(first))
    renamed = dataclasses.replace(docs[7], source="wiki/doi-ten.txt")
    now = [docs[0]] + [d for i, d in enumerate(docs[1:20], 1) if i not in (3, 7)] + [renamed]
    second = write(index_dir, now)
    assert inode(second / seg.VECTORS) == inode(first / seg.VECTORS)
    loaded = store.read_vectors(second)
    assert V.is_ivf(loaded)
    assert view(second) == full_view(tmp_path, now)


def test_a_build_verifies_by_stamps_and_still_finds_a_written_file(tmp_path, docs, monkeypatch):
    gen = write(tmp_path / "index", docs[:5])
    manifest = store.read_manifest(gen)
    read = []
    real = store.file_sha256
    monkeypatch.setattr(store, "file_sha256", lambda p: read.append(p.name) or real(p))
    store.verify(gen, manifest, by_stamps=True)
    assert read == []  # nothing changed since the checksums were taken: nothing is read
    with open(gen / seg.CHUNKS, "ab") as f:
        f.write(b"\n")
    with pytest.raises(IndexCorrupt, match="checksum mismatch: chunks.jsonl"):
        store.verify(gen, manifest, by_stamps=True)
    assert read == [seg.CHUNKS]


def test_stored_documents_parse_only_when_used(tmp_path, docs):
    gen = write(tmp_path / "index", docs[:5])
    m = store.read_manifest(gen)
    stored, chunks, where = seg.read_stored(gen, m.segments, m.files)
    assert list(stored) == [d.doc_id for d in docs[:5]] and set(where.values()) == {0}
    first = stored[docs[0].doc_id]
    assert (first.source, first.file_sha256, first.relations_known) == (docs[0].source, docs[0].file_sha256, True)
    assert first._parsed is None  # nothing parsed yet
    assert [(c.chunk_id, c.text) for c in chunks[docs[0].doc_id]] == [(c.chunk_id, c.text) for c in chunk_document(docs[0])]
    assert first.meta == docs[0].meta and dataclasses.asdict(first) == dataclasses.asdict(docs[0])
    old = dataclasses.replace(docs[1], meta=dataclasses.replace(docs[1].meta, relations=None))
    assert not seg.StoredDocument(old.doc_id, old.source, "", orjson.dumps(dataclasses.asdict(old))).relations_known


class HashEmbedder:
    """Stands in for the model in builds: a passage's vector is a function of its text."""

    model_id = "test-hash"
    dim = 4
    batch_size = 8

    class paths:  # noqa: N801
        passages = "torch-fp32"

    def __init__(self):
        self.embedded = 0

    def encode_passages(self, texts, progress=None):
        self.embedded += len(texts)
        return np.stack([vector_of(int(text_id(t), 16)) for t in texts])


def test_builds_carry_segments_and_read_as_a_full_build(tmp_path, docs):
    """build_index end to end: add, change, rename and remove files; each generation reads as a full build
    of the same corpus, only new passages are embedded, and an add parses none of the old documents."""
    from indexer.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for d in docs[:12]:
        (corpus / d.source.replace("/", "_")).write_text(d.text, encoding="utf-8")
    embedder = HashEmbedder()
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, embedder=embedder)

    def check(step):
        full = tmp_path / f"full-{step}"
        build_index(corpus, full, embedder=HashEmbedder(), rebuild=True)
        got, want = store.current_generation(index_dir), store.current_generation(full)
        got_docs, want_docs = view(got, False), view(want, False)
        got_v, want_v = store.vectors_by_id(store.read_vectors(got)), store.vectors_by_id(store.read_vectors(want))
        assert sorted(got_v) == sorted(want_v) and all(np.array_equal(got_v[i], want_v[i]) for i in got_v), step
        assert got_docs[1] == want_docs[1], step  # chunks in order, with their texts
        assert [(d["doc_id"], d["source"], d["text"]) for d in got_docs[0]] == [
            (d["doc_id"], d["source"], d["text"]) for d in want_docs[0]], step
        store.verify(got, store.read_manifest(got))

    before = embedder.embedded
    (corpus / "zz-moi.txt").write_text(docs[12].text, encoding="utf-8")
    parsed, hashed = [], []
    real, real_hash = seg.StoredDocument._full, store.file_sha256
    seg.StoredDocument._full = lambda self: parsed.append(self.doc_id) or real(self)
    store.file_sha256 = lambda path: hashed.append(path) or real_hash(path)
    try:
        report = build_index(corpus, index_dir, embedder=embedder)
    finally:
        seg.StoredDocument._full, store.file_sha256 = real, real_hash
    assert parsed == [] and report.added == ["zz-moi.txt"]
    assert [p.name for p in hashed if p.parent == corpus] == ["zz-moi.txt"]  # unchanged files: by size and time
    assert {p.name for p in hashed if p.parent.name.startswith("gen-")} == {"documents.000002.jsonl", "chunks.000002.jsonl",
                                                               "vectors.000002.faiss", "vocab.json", "vocab_counts.npz"}
    assert embedder.embedded - before == len(chunk_document(docs[12]))
    check("add")
    first = sorted(corpus.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n\nĐoạn bổ sung.", encoding="utf-8")
    sorted(corpus.iterdir())[1].rename(corpus / "doi-ten.txt")
    sorted(corpus.iterdir())[3].unlink()
    before = embedder.embedded
    report = build_index(corpus, index_dir, embedder=embedder)
    assert (report.changed, report.added, len(report.removed)) == ([first.name], ["doi-ten.txt"], 2)
    assert embedder.embedded - before == report.embedded < 12  # the renamed file's passages are not embedded
    check("change, rename, remove")
    assert len(store.read_manifest(store.current_generation(index_dir)).segments) == 3
