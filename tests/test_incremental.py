"""Incremental builds, hardened reading and integrity checks, on real files and the real model."""

import os
import shutil
import subprocess
import sys

import pytest

from indexer import store
from indexer.build import build_index
from indexer.embed import Embedder
from indexer.errors import IndexCorrupt
from indexer.messages import error_text
from retrieval.index import load_index
from retrieval.search import search

from .conftest import CORPUS, ROOT, SEED_000, SEED_002, make_encrypted_pdf, seed_text

pytestmark = pytest.mark.slow
QUESTION = "tỷ lệ cán bộ nữ tham gia ban thường vụ"
NEW_DOC = (
    "TỈNH ĐOÀN LÀO CAI\n\nSố 12-KH/TĐTN\n\nKế hoạch tổ chức Ngày hội thanh niên với văn hóa giao thông năm 2025\n\n"
    "1. Mục đích: tuyên truyền, nâng cao ý thức chấp hành pháp luật về trật tự an toàn giao thông cho đoàn viên, "
    "thanh niên; xây dựng hình ảnh thanh niên văn minh, lịch sự khi tham gia giao thông trên địa bàn tỉnh.\n\n"
    "2. Nội dung: tổ chức diễu hành xe đạp, hội thi tìm hiểu Luật Giao thông đường bộ, trao tặng mũ bảo hiểm "
    "cho học sinh vùng cao; thời gian tổ chức vào tháng 9 năm 2025 tại quảng trường trung tâm thành phố.\n"
)


class CountingEmbedder(Embedder):
    """The real model, counting the passages it is asked to embed."""

    def __init__(self, base: Embedder) -> None:
        super().__init__(base.model_id)
        self._model = base.model
        self.count = 0

    def encode_passages(self, texts, progress=None):
        self.count += len(texts)
        return super().encode_passages(texts, progress)


@pytest.fixture()
def corpus(tmp_path):
    path = tmp_path / "corpus"
    shutil.copytree(CORPUS, path)
    return path


def results(index_dir, embedder, question=QUESTION, k=5):
    index = load_index(index_dir, embedder=embedder)
    return [(h.chunk.source, h.chunk.chunk_id, h.chunk.text) for h in search(index, question, k=k)]


def test_add_change_delete_touch_only_those_documents(corpus, tmp_path, embedder):
    counter = CountingEmbedder(embedder)
    index_dir = tmp_path / "index"
    first = build_index(corpus, index_dir, embedder=counter)
    assert counter.count == first.chunks == 32

    (corpus / "2025").mkdir()
    (corpus / "2025" / "ke-hoach-12.txt").write_text(NEW_DOC, encoding="utf-8")
    counter.count = 0
    added = build_index(corpus, index_dir, embedder=counter)
    new_chunks = [c for c in store.read_chunks(store.current_generation(index_dir)) if c.source == "2025/ke-hoach-12.txt"]
    assert added.added == ["2025/ke-hoach-12.txt"] and added.changed == [] and added.removed == []
    assert counter.count == added.embedded == len(new_chunks) > 0
    assert sorted(added.unchanged) == sorted(p.name for p in CORPUS.iterdir())

    # change one document: exactly its chunks are replaced
    before = {c.chunk_id: c for c in store.read_chunks(store.current_generation(index_dir))}
    text = seed_text(SEED_002).replace("4- Ban Dân vận Thành ủy chủ trì", "4- Ban Tổ chức Thành ủy chủ trì")
    (corpus / SEED_002).write_text(text, encoding="utf-8")
    counter.count = 0
    changed = build_index(corpus, index_dir, embedder=counter)
    after = {c.chunk_id: c for c in store.read_chunks(store.current_generation(index_dir))}
    assert changed.changed == [SEED_002]
    gone = set(before) - set(after)
    came = set(after) - set(before)
    assert gone and all(before[i].source == SEED_002 for i in gone)
    assert came and all(after[i].source == SEED_002 for i in came)
    assert counter.count == len(came)
    assert all(before[i].text == after[i].text for i in set(before) & set(after))

    # delete one document: its passages leave the results
    assert any(src == SEED_000 for src, _, _ in results(index_dir, embedder))
    (corpus / SEED_000).unlink()
    removed = build_index(corpus, index_dir, embedder=counter)
    assert removed.removed == [SEED_000]
    assert all(src != SEED_000 for src, _, _ in results(index_dir, embedder, k=20))

    # the incremental result equals a full rebuild of the same corpus
    full = tmp_path / "full"
    build_index(corpus, full, embedder=embedder, rebuild=True)
    for q in (QUESTION, "ngay hoi thanh nien voi van hoa giao thong", "517-CV/TU", "what is the share of women"):
        assert results(index_dir, embedder, q) == results(full, embedder, q)


def _segment_inodes(gen) -> dict[str, int]:
    return {f.name: f.stat().st_ino for f in (gen / store.LEXICAL).iterdir() if f.suffix != ".json" and not f.name.startswith(".")}


def test_adding_extends_the_lexical_index_and_a_removal_rewrites_it(corpus, tmp_path, embedder):
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, embedder=embedder)
    first = store.current_generation(index_dir)
    (corpus / "ke-hoach-12.txt").write_text(NEW_DOC, encoding="utf-8")
    build_index(corpus, index_dir, embedder=embedder)
    second = store.current_generation(index_dir)
    old, new = _segment_inodes(first), _segment_inodes(second)
    # the old segment files are shared (hard links), not copied; the new document is a segment of its own
    assert old and all(new.get(name) == ino for name, ino in old.items())
    assert len(new) > len(old)
    # the chunk store and vectors too: the old segment is linked, the new document is a segment of its own
    for name in ("documents.jsonl", "chunks.jsonl", "vectors.faiss"):
        assert (second / name).stat().st_ino == (first / name).stat().st_ino
    assert [s["name"] for s in store.read_manifest(second).segments] == ["", second.name[4:]]
    # both generations still pass their checksums, and the extended index answers as a full build does
    store.verify(first, store.read_manifest(first))
    store.verify(second, store.read_manifest(second))
    full = tmp_path / "full"
    build_index(corpus, full, embedder=embedder, rebuild=True)
    for q in ("ngày hội thanh niên với văn hóa giao thông", "ty le can bo nu", "12-KH/TĐTN", "517-CV/TU"):
        assert results(index_dir, embedder, q) == results(full, embedder, q)
    # a removed document: a fresh lexical index, since tantivy would still count the deleted passages
    (corpus / SEED_002).unlink()
    build_index(corpus, index_dir, embedder=embedder)
    third = store.current_generation(index_dir)
    assert not set(_segment_inodes(third).values()) & set(new.values())
    build_index(corpus, full, embedder=embedder, rebuild=True)
    for q in ("517-CV/TU", "ty le can bo nu", "ngày hội thanh niên với văn hóa giao thông"):
        assert results(index_dir, embedder, q) == results(full, embedder, q)
    assert all(src != SEED_002 for src, _, _ in results(index_dir, embedder, "517-CV/TU", k=20))


def test_renamed_file_is_not_embedded_again(corpus, tmp_path, embedder):
    counter = CountingEmbedder(embedder)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, embedder=counter)
    (corpus / SEED_000).rename(corpus / "cong-van-1539.txt")
    counter.count = 0
    report = build_index(corpus, index_dir, embedder=counter)
    assert counter.count == 0 and report.embedded == 0
    assert report.added == ["cong-van-1539.txt"] and report.removed == [SEED_000]
    assert results(index_dir, embedder)[0][0] in {"cong-van-1539.txt", "004_92bd4541f8ed6c48.txt"}


def test_bad_files_never_stop_the_build(corpus, tmp_path, embedder):
    from pypdf import PdfWriter

    (corpus / "zero.txt").write_bytes(b"")
    (corpus / "rac.pdf").write_bytes(os.urandom(4096))
    (corpus / "rac.docx").write_bytes(os.urandom(4096))
    (corpus / "rac.txt").write_bytes(os.urandom(4096) + b"\x00")
    (corpus / "hong-utf8.txt").write_bytes("Thành ủy".encode() + b"\xc3\x28 \xff\xfe" * 50)
    make_encrypted_pdf(corpus / "khoa.pdf", "Thành ủy Hải Phòng", "bi-mat")
    blank = PdfWriter()
    blank.add_blank_page(width=595, height=842)
    with open(corpus / "ban-quet.pdf", "wb") as f:
        blank.write(f)
    (corpus / "trang.html").write_text(
        "<html><head><script>alert('x');var a=1;</script><style>body{color:red}</style></head><body>"
        "<nav>Trang chủ | Liên hệ</nav><article><h1>Hội nghị tổng kết công tác phụ nữ</h1><p>"
        + "Hội Liên hiệp Phụ nữ huyện tổ chức hội nghị tổng kết công tác phụ nữ năm 2024 với sự tham gia của cán bộ cơ sở. " * 6
        + "</p></article><script>document.write('quảng cáo')</script></body></html>", encoding="utf-8")
    odd = corpus / "Công văn số 5 (bản sửa) #1 & 'mới'.txt"
    odd.write_text(NEW_DOC, encoding="utf-8")
    (corpus / "ban-sao.txt").write_text(NEW_DOC, encoding="utf-8")  # identical content
    outside = tmp_path / "ngoai.txt"
    outside.write_text(NEW_DOC.replace("Lào Cai", "Yên Bái"), encoding="utf-8")
    (corpus / "lien-ket.txt").symlink_to(outside)
    big = corpus / "rat-lon.txt"
    with open(big, "wb") as f:  # 50 MB
        f.truncate(50 * 1024 * 1024)

    script = ("import resource,sys; from pathlib import Path; from indexer.build import build_index;"
              "r=build_index(Path(sys.argv[1]), Path(sys.argv[2]));"
              "print(sorted((s.source, s.code) for s in r.skipped)); print(r.documents);"
              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")

    def run_build(corpus_dir, index_dir):
        out = subprocess.run([sys.executable, "-c", script, str(corpus_dir), str(index_dir)], cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout.strip().split("\n")[-3:]

    skipped, documents, maxrss_kb = run_build(corpus, tmp_path / "index")
    # the same build without the 50 MB file: peak memory must not grow by anything near its size
    small = tmp_path / "small"
    shutil.copytree(corpus, small, symlinks=True, ignore=shutil.ignore_patterns("rat-lon.txt"))
    _, _, base_kb = run_build(small, tmp_path / "index-small")
    assert int(maxrss_kb) - int(base_kb) < 40_000, (maxrss_kb, base_kb)
    index = load_index(tmp_path / "index", embedder=embedder)
    page = next(d for d in index.documents.values() if d.source == "trang.html")
    assert "alert" not in page.text and "color:red" not in page.text and "Trang chủ" not in page.text
    assert "Hội Liên hiệp Phụ nữ huyện tổ chức hội nghị tổng kết" in page.text
    assert search(index, "ngày hội thanh niên với văn hóa giao thông", k=1)[0].chunk.meta.number == "12-KH/TĐTN"


def test_integrity_check_names_the_broken_file(tmp_path, seed_index, embedder):
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    gen = store.current_generation(index_dir)
    with open(gen / "chunks.jsonl", "a", encoding="utf-8") as f:
        f.write("\n")
    with pytest.raises(IndexCorrupt, match="checksum mismatch: chunks.jsonl") as info:
        load_index(index_dir, embedder=embedder)
    assert error_text(info.value).endswith("Hãy chạy: python -m indexer build (đọc lại thư mục văn bản và ghi chỉ mục mới).")
    (gen / "vectors.faiss").unlink()
    with pytest.raises(IndexCorrupt, match="missing file vectors.faiss"):
        load_index(index_dir, embedder=embedder)


def test_second_build_is_refused_while_one_runs(tmp_path, seed_corpus):
    import fcntl
    import json

    from indexer.build import LOCK_NAME

    index_dir = tmp_path / "index"
    index_dir.mkdir()
    with open(index_dir / LOCK_NAME, "w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        holder.write(json.dumps({"pid": 4242, "since": "2026-12-01 08:00:00"}))
        holder.flush()
        out = subprocess.run([sys.executable, "-m", "indexer", "build", "--corpus", str(seed_corpus), "--index", str(index_dir)],
                             cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    assert out.stderr.strip() == ("Đang có một lần xây dựng chỉ mục khác chạy (tiến trình 4242, từ 2026-12-01 08:00:00). "
                                  f"Hãy đợi nó xong rồi thử lại; nếu nó bị treo: python -m indexer unlock --index {index_dir}")
