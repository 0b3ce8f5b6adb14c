from pathlib import Path

import pytest

from indexer.build import load_document
from indexer.chunker import MAX_CHARS, MIN_CHARS, chunk_document, context_header, embedding_text
from indexer.document import chunk_id_for

from .conftest import CORPUS, SEED_000, SEED_001, SEED_004, SHARED


def chunks_of(path: Path):
    doc = load_document(path, path.name)
    return doc, chunk_document(doc)


def test_seed_000_one_chunk_per_numbered_item():
    doc, chunks = chunks_of(CORPUS / SEED_000)
    assert [c.section for c in chunks] == ["phần mở đầu", "mục 1", "mục 2", "mục 3", "mục 4", "mục 5", "nơi nhận, chữ ký"]
    for n in range(1, 6):
        assert chunks[n].text.startswith(f"{n}. ")
    item4 = chunks[4]
    assert item4.text.endswith("định hướng đến năm 2030.")
    assert "(trong đó có cán bộ nữ tham gia ban thường vụ)" in item4.text
    assert chunks[5].text.endswith("ngày 20/01/2018 của Ban Bí thư.")
    assert chunks[0].text.endswith("thực hiện tốt một số nội dung sau:")
    assert chunks[-1].text.startswith("Nơi nhận:") and chunks[-1].text.endswith("Nguyễn Văn Tùng")


def test_chunks_are_exact_slices_with_stable_ids():
    doc, chunks = chunks_of(CORPUS / SEED_000)
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert c.chunk_id == chunk_id_for(doc.doc_id, c.start)
        assert c.meta.number == "1539-CV/TU"
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:]))


def test_news_chunked_by_paragraphs_within_bounds():
    for name in (SEED_001, SEED_004):
        _doc, chunks = chunks_of(CORPUS / name)
        assert [c.section for c in chunks] == [f"đoạn {i}" for i in range(1, len(chunks) + 1)]
        assert all(MIN_CHARS <= len(c.text) <= MAX_CHARS for c in chunks)


@pytest.mark.skipif(not (SHARED / "datasets" / "labour-law").exists(), reason="shared labour-law texts not present")
def test_legal_text_chunked_by_article():
    _doc, chunks = chunks_of(SHARED / "datasets" / "labour-law" / "nghi-dinh-145-2020-ND-CP.txt")
    sections = [c.section for c in chunks]
    assert sections[0] == "Chương I > Điều 1"
    # the short title block is merged into the first article
    assert chunks[0].text.startswith("NGHỊ ĐỊNH\nSố: 145/2020/NĐ-CP\n\nCHƯƠNG I: NHỮNG QUY ĐỊNH CHUNG\nĐiều 1. Phạm vi")
    assert any(s.startswith("Chương II > Điều 3") for s in sections)
    assert all(len(c.text) <= MAX_CHARS * 1.3 for c in chunks)
    assert sum(len(c.text) < MIN_CHARS for c in chunks) == 0


def test_context_header_and_embedding_text():
    _doc, chunks = chunks_of(CORPUS / SEED_000)
    item4 = chunks[4]
    assert context_header(item4) == (
        "Công văn 1539-CV/TU | Thành ủy Hải Phòng | quán triệt một số nội dung về công tác cán bộ nữ tại Đảng bộ "
        "thành phố | mục 4"
    )
    assert embedding_text(item4) == context_header(item4) + "\n" + item4.text


def test_long_paragraph_is_split_under_the_limit(tmp_path):
    sentence = "Cán bộ nữ tham gia cấp ủy bảo đảm tỷ lệ theo quy định của Trung ương và của Thành ủy. "
    path = tmp_path / "long.txt"
    path.write_text(sentence * 60, encoding="utf-8")
    doc, chunks = chunks_of(path)
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert "".join(doc.text[c.start : c.end] for c in chunks).replace(" ", "") == doc.text.strip().replace(" ", "")
