"""The manifest's pipeline version (a reader, normaliser, metadata or chunker change re-reads unchanged files and
the build says so), and manifests of other versions or damaged by hand (a Vietnamese sentence, never a traceback).
The builds here use a small deterministic embedder: what is tested is which files are read and embedded again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from indexer import layout, store
from indexer.errors import IndexCorrupt, IndexMismatch
from indexer.fast_embed import FP32
from indexer.messages import error_text, pipeline_text

from .conftest import SEED_001, SEED_002, seed_text


@pytest.mark.parametrize("before, now, changed", [
    ("reader=1;normalizer=1;metadata=1;chunker=1", "reader=1;normalizer=1;metadata=1;chunker=1", []),
    ("reader=1;normalizer=1;metadata=1;chunker=1", "reader=1;normalizer=1;metadata=2;chunker=1", ["metadata"]),
    ("reader=1;normalizer=1;metadata=1;chunker=1", "reader=2;normalizer=1;metadata=1;chunker=3", ["reader", "chunker"]),
    ("", "reader=1;normalizer=1;metadata=1;chunker=1", ["reader", "normalizer", "metadata", "chunker"]),
    ("v7", "reader=1;normalizer=1;metadata=1;chunker=1", ["reader", "normalizer", "metadata", "chunker"]),
])
def test_pipeline_changes(before, now, changed):
    assert layout.pipeline_changes(before, now) == changed


def test_pipeline_version_names_every_stage():
    assert layout.pipeline_version("1", "2", "3", "4") == "reader=1;normalizer=2;metadata=3;chunker=4"
    assert store.Manifest("m", 4).pipeline_version == store.PIPELINE_VERSION
    assert layout.pipeline_changes(store.PIPELINE_VERSION, store.PIPELINE_VERSION) == []


@pytest.mark.parametrize("changed, reread, sentence", [
    (["metadata"], 2, "Cách nhận diện thông tin văn bản của chương trình đã thay đổi: đã đọc lại 2 tệp không đổi; "
                      "chỉ tạo vector mới cho các đoạn có nội dung khác."),
    (["reader", "chunker"], 0, "Cách đọc tệp, chia đoạn của chương trình đã thay đổi: đã đọc lại mọi tệp; "
                               "chỉ tạo vector mới cho các đoạn có nội dung khác."),
    (list(layout.PIPELINE_STAGES), 5, "Chỉ mục cũ không ghi phiên bản cách xử lý văn bản (hoặc mọi bước xử lý đã "
                                     "thay đổi): đã đọc lại 5 tệp không đổi; chỉ tạo vector mới cho các đoạn có nội "
                                     "dung khác."),
])
def test_pipeline_text(changed, reread, sentence):
    assert pipeline_text(changed, reread) == sentence


GOOD = {"model_id": "m", "dim": 4, "normalizer_version": "1", "chunker_version": "1", "format_version": 3,
        "files": {"a.txt": {"sha256": "00", "doc_id": "d", "size": 1}}, "checksums": {"chunks.jsonl": "00"}}
REBUILD = "Hãy chạy: python -m indexer build --index idx"
DAMAGED = "Chỉ mục bị hỏng ({}). Hãy chạy: python -m indexer build --index idx (đọc lại thư mục văn bản và ghi chỉ mục mới)."


@pytest.mark.parametrize("change, error, sentence", [
    ({"format_version": 2}, IndexMismatch,
     f"Chỉ mục được ghi theo định dạng 2, còn phiên bản này của chương trình dùng định dạng 3. {REBUILD}"),
    ({"format_version": None}, IndexMismatch,
     f"Chỉ mục được ghi theo định dạng None, còn phiên bản này của chương trình dùng định dạng 3. {REBUILD}"),
    ({"shards": 4, "codec": "x"}, IndexMismatch,
     "Chỉ mục được ghi bởi một phiên bản khác của chương trình: manifest.json có trường mà phiên bản này không "
     f"biết (codec, shards). {REBUILD}"),
    ({"model_id": None}, IndexCorrupt, DAMAGED.format("manifest.json thiếu hoặc sai trường model_id")),
    ({"dim": "384"}, IndexCorrupt, DAMAGED.format("manifest.json thiếu hoặc sai trường dim")),
    ({"files": {"a.txt": "00"}}, IndexCorrupt, DAMAGED.format("manifest.json thiếu hoặc sai trường files")),
    ({"files": {"a.txt": {"sha256": "00"}}}, IndexCorrupt, DAMAGED.format("manifest.json thiếu hoặc sai trường files")),
    ({"checksums": ["chunks.jsonl"], "embedded_with": [1]}, IndexCorrupt,
     DAMAGED.format("manifest.json thiếu hoặc sai trường checksums; manifest.json thiếu hoặc sai trường embedded_with")),
    ({"pipeline_version": 7}, IndexCorrupt, DAMAGED.format("manifest.json thiếu hoặc sai trường pipeline_version")),
])
def test_other_or_damaged_manifests_give_one_sentence(tmp_path, change, error, sentence):
    data = {k: v for k, v in {**GOOD, **change}.items() if v is not None or k == "format_version"}
    (tmp_path / store.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(error) as info:
        store.read_manifest(tmp_path)
    assert error_text(info.value, index="idx") == sentence


@pytest.mark.parametrize("text, sentence", [
    ("[1, 2]", DAMAGED.format("tệp manifest.json bị hỏng, không đọc được")),
    ('{"model_id": "m", "di', DAMAGED.format("tệp manifest.json bị hỏng, không đọc được")),
])
def test_unparsable_manifest(tmp_path, text, sentence):
    (tmp_path / store.MANIFEST).write_text(text, encoding="utf-8")
    with pytest.raises(IndexCorrupt) as info:
        store.read_manifest(tmp_path)
    assert error_text(info.value, index="idx") == sentence


def test_a_manifest_without_pipeline_version_reads_as_unknown(tmp_path):
    (tmp_path / store.MANIFEST).write_text(json.dumps(GOOD), encoding="utf-8")
    assert store.read_manifest(tmp_path).pipeline_version == ""


class HashEmbedder:
    """Deterministic unit vectors from the text's hash; counts what it is asked to embed."""

    model_id = "test/hash-embedder"
    dim = 8
    paths = FP32

    def __init__(self) -> None:
        self.count = 0

    def encode_passages(self, texts, progress=None):
        self.count += len(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[: self.dim * 4], dtype=np.uint32) for t in texts]
        out = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim) + 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture()
def built(tmp_path):
    from indexer.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(seed_text(SEED_001), encoding="utf-8")
    (corpus / "b.txt").write_text(seed_text(SEED_002), encoding="utf-8")
    embedder = HashEmbedder()
    index_dir = tmp_path / "index"
    first = build_index(corpus, index_dir, embedder=embedder)
    assert first.pipeline_changed == [] and first.reread == [] and embedder.count == first.chunks
    return corpus, index_dir, embedder, first


def _manifest(index_dir: Path) -> store.Manifest:
    return store.read_manifest(store.current_generation(index_dir))


def test_a_pipeline_change_rereads_unchanged_files(built, monkeypatch):
    from indexer import build

    corpus, index_dir, embedder, first = built
    newer = layout.pipeline_version("1", "1", "2", "1")
    monkeypatch.setattr(store, "PIPELINE_VERSION", newer)
    embedder.count = 0
    again = build.build_index(corpus, index_dir, embedder=embedder)
    assert again.pipeline_changed == ["metadata"]
    assert sorted(again.reread) == sorted(again.unchanged) == ["a.txt", "b.txt"]
    assert embedder.count == 0  # same texts and headers: the vectors are kept
    assert _manifest(index_dir).pipeline_version == newer
    quiet = build.build_index(corpus, index_dir, embedder=embedder)  # the next build: nothing to read again
    assert quiet.pipeline_changed == [] and quiet.reread == [] and embedder.count == 0


def test_a_metadata_change_reembeds_the_chunks_whose_header_changed(built, monkeypatch):
    from indexer import build

    corpus, index_dir, embedder, first = built
    real = build.extract_metadata

    def renamed_issuer(text):
        meta = real(text)
        meta.issuer = "Ban Kiểm tra Thành ủy" if meta.number.startswith("517") else meta.issuer
        return meta

    monkeypatch.setattr(store, "PIPELINE_VERSION", layout.pipeline_version("1", "1", "2", "1"))
    monkeypatch.setattr(build, "extract_metadata", renamed_issuer)
    embedder.count = 0
    again = build.build_index(corpus, index_dir, embedder=embedder)
    gen = store.current_generation(index_dir)
    docs = {d.source: d for d in store.read_documents(gen)}
    assert docs["b.txt"].meta.issuer == "Ban Kiểm tra Thành ủy" and docs["a.txt"].meta.issuer != "Ban Kiểm tra Thành ủy"
    b_chunks = [c for c in store.read_chunks(gen) if c.source == "b.txt"]
    assert embedder.count == len(b_chunks) > 0  # only the document whose header changed is embedded again
    lexical = layout.LexicalIndex.load(gen / store.LEXICAL)  # written anew: the new header words are found
    found = lexical.bm25(layout.FOLDED, ["kiem", "tra"], 50, header_boost=0.3)
    assert {c.chunk_id for c in b_chunks} <= set(found)
    assert again.reread and again.pipeline_changed == ["metadata"]


def test_an_index_without_a_recorded_pipeline_is_read_again(built):
    from indexer.build import build_index

    corpus, index_dir, embedder, first = built
    gen = store.current_generation(index_dir)
    data = json.loads((gen / store.MANIFEST).read_text(encoding="utf-8"))
    del data["pipeline_version"]  # as written before the version was recorded
    (gen / store.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    embedder.count = 0
    again = build_index(corpus, index_dir, embedder=embedder)
    assert again.pipeline_changed == list(layout.PIPELINE_STAGES) and len(again.reread) == 2
    assert embedder.count == 0


def test_the_build_command_says_so(built, monkeypatch, capsys):
    from indexer.__main__ import main

    corpus, index_dir, embedder, first = built
    monkeypatch.setattr(store, "PIPELINE_VERSION", layout.pipeline_version("2", "1", "1", "1"))
    monkeypatch.setattr("indexer.build.Embedder", lambda model_id: embedder)
    assert main(["build", "--corpus", str(corpus), "--index", str(index_dir)]) == 0
    out = capsys.readouterr().out
    assert "Cách đọc tệp của chương trình đã thay đổi: đã đọc lại 2 tệp không đổi;" in out
