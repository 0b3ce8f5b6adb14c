"""Uploads: atomic names under concurrency, long names, read before saving, deleting a document."""

import hashlib
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.uploads import MAX_NAME_BYTES, NotInCorpus, UploadRejected, delete_document, safe_filename, save_upload

from .conftest import make_docx, make_encrypted_pdf

TEXT = "Thông báo số {n} về lịch họp chi bộ tháng 12, nội dung riêng của bản {n}.\n"


def test_same_name_uploads_at_the_same_moment_lose_nothing(tmp_path):
    trials, writers = 200, 3
    pool = ThreadPoolExecutor(max_workers=writers)
    try:
        for trial in range(trials):
            corpus = tmp_path / f"t{trial}"
            barrier = threading.Barrier(writers)
            contents = [TEXT.format(n=f"{trial}-{w}").encode() for w in range(writers)]

            def upload(data):
                barrier.wait()
                return save_upload(corpus, "thong-bao.txt", data)

            results = list(pool.map(upload, contents))
            stored = {p.name: p.read_bytes() for p in corpus.iterdir()}
            assert sorted(stored.values()) == sorted(contents), f"trial {trial}: {sorted(stored)}"
            assert sorted(r.source for r in results) == sorted(stored)
            assert sorted(stored) == ["thong-bao (2).txt", "thong-bao (3).txt", "thong-bao.txt"]
            assert all(stored[r.source] == c and r.sha256 == hashlib.sha256(c).hexdigest()
                       for r, c in zip(results, contents))
    finally:
        pool.shutdown()


def test_same_content_twice_at_once_is_stored_once(tmp_path):
    barrier = threading.Barrier(2)
    data = TEXT.format(n=1).encode()

    def upload(_):
        barrier.wait()
        return save_upload(tmp_path, "a.txt", data)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(upload, range(2)))
    assert sorted(r.existed for r in results) == [False, True]
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_long_vietnamese_name_is_shortened_safely(tmp_path):
    name = ("Công văn hướng dẫn thực hiện nghị quyết về công tác cán bộ nữ " * 6)[:300] + ".DOCX"
    safe = safe_filename(name)
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES and safe.endswith(".docx")
    assert safe.startswith("Công văn hướng dẫn thực hiện") and unicodedata.is_normalized("NFC", safe)
    first = save_upload(tmp_path, name, make_docx(tmp_path / "a.docx", TEXT.format(n=1)).read_bytes())
    second = save_upload(tmp_path, name, make_docx(tmp_path / "b.docx", TEXT.format(n=2)).read_bytes())
    assert first.source == safe and second.renamed and second.source.endswith(" (2).docx")
    assert all(len(r.source.encode("utf-8")) <= MAX_NAME_BYTES for r in (first, second))
    assert second.path.exists() and first.path.exists()
    assert safe_filename("ệ" * 100 + ".txt") == "ệ" * 65 + ".txt"  # 3-byte letters, whole characters only


def test_unreadable_upload_is_refused_and_not_saved(tmp_path):
    corpus = tmp_path / "corpus"
    with pytest.raises(UploadRejected) as bad:
        save_upload(corpus, "hong.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nkhong phai pdf")
    assert bad.value.code == "corrupt"
    secret = make_encrypted_pdf(tmp_path / "mat.pdf", "Văn bản mật của chi bộ, cần mật khẩu để mở.")
    with pytest.raises(UploadRejected) as locked:
        save_upload(corpus, "mat.pdf", secret.read_bytes())
    assert locked.value.code == "needs_password"
    with pytest.raises(UploadRejected) as empty:
        save_upload(corpus, "trang.txt", b"   \n\n ")
    assert empty.value.code == "empty"
    assert list(corpus.iterdir()) == []  # nothing saved, no temporary file left


def test_delete_document(tmp_path):
    corpus = tmp_path / "corpus"
    saved = save_upload(corpus, "cv.txt", TEXT.format(n=1).encode())
    (corpus / "nam-2024").mkdir()
    (corpus / "nam-2024" / "b.txt").write_text("x", encoding="utf-8")
    (tmp_path / "ngoai.txt").write_text("o ngoai", encoding="utf-8")
    (corpus / "lien-ket.txt").symlink_to(tmp_path / "ngoai.txt")
    assert delete_document(corpus, "cv.txt") == saved.sha256
    assert delete_document(corpus, "nam-2024/b.txt") == hashlib.sha256(b"x").hexdigest()
    for source in ("cv.txt", "../ngoai.txt", "lien-ket.txt", "nam-2024", "", "khong-co.txt"):
        with pytest.raises(NotInCorpus):
            delete_document(corpus, source)
    assert (tmp_path / "ngoai.txt").exists() and (corpus / "lien-ket.txt").is_symlink()
