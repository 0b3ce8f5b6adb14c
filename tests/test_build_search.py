import json
import os
import shutil
import subprocess
import sys

import pytest

from indexer.build import build_index
from indexer.errors import CorpusError, IndexMismatch, IndexMissing
from indexer.messages import error_text
from retrieval.citation import format_citation, hit_to_json
from retrieval.index import load_index
from retrieval.search import Filters, search

from .conftest import ROOT, SEED_000, SEED_002, make_docx, make_pdf, seed_text

pytestmark = pytest.mark.slow
ITEM4 = "(trong đó có cán bộ nữ tham gia ban thường vụ)"


def top(index, query, k=3):
    return search(index, query, k=k)


def is_item4(hit) -> bool:
    return hit.chunk.source == SEED_000 and hit.chunk.section == "mục 4" and ITEM4 in hit.chunk.text


@pytest.mark.parametrize(
    "question",
    [
        "what is the required share of women in the standing committee",
        "tỷ lệ cán bộ nữ tham gia ban thường vụ theo yêu cầu là bao nhiêu",
        "ty le can bo nu tham gia ban thuong vu theo yeu cau la bao nhieu",
    ],
)
def test_standing_committee_question_finds_item_4(loaded_seed_index, question):
    hits = top(loaded_seed_index, question)
    assert any(is_item4(h) for h in hits), [format_citation(h.chunk) for h in hits]


def test_word_pairs_are_indexed_as_terms_and_match_only_side_by_side(loaded_seed_index):
    """A pair term ("thuong_vu") finds exactly the passages where its two words are written side by side."""
    import re

    from vntext.normalize import fold

    index = loaded_seed_index
    words = {cid: " " + " ".join(re.findall(r"[^\W_]+", fold(c.text.lower()))) + " " for cid, c in index.chunks.items()}
    for pair, present in (("thuong_vu", True), ("vu_thuong", None), ("can_bo", True), ("bo_can", None)):
        found = set(index.lexical.pair_chunks(pair, 1000))
        expected = {cid for cid, w in words.items() if " " + pair.replace("_", " ") + " " in w}
        assert found == expected, pair
        if present:
            assert found, pair


def test_citation_line(loaded_seed_index):
    hit = next(h for h in top(loaded_seed_index, "what is the required share of women in the standing committee") if is_item4(h))
    assert format_citation(hit.chunk) == "Công văn 1539-CV/TU, Thành ủy Hải Phòng, 01/11/2024, mục 4"


def test_document_number_query_finds_its_chunks_first(loaded_seed_index):
    hits = search(loaded_seed_index, "517-CV/TU", k=5)
    assert all(h.chunk.source == SEED_002 for h in hits)
    hits = search(loaded_seed_index, "cong van 517", k=3)
    assert hits[0].chunk.meta.number == "517-CV/TU"
    hits = search(loaded_seed_index, "35-CT/TW", k=3)
    assert "35-CT/TW" in hits[0].chunk.text


def test_which_documents_cite(loaded_seed_index):
    hits = search(loaded_seed_index, "văn bản nào trích dẫn 21-CT/TW", k=4)
    numbers = {h.chunk.meta.number for h in hits[:2]}
    assert numbers == {"1539-CV/TU", "517-CV/TU"}
    assert all("21-CT/TW" in h.chunk.text for h in hits[:2])


def test_filters(loaded_seed_index):
    hits = search(loaded_seed_index, "cán bộ nữ", k=10, filters=Filters(kind="news"))
    assert hits and all(h.chunk.meta.is_news for h in hits)
    hits = search(loaded_seed_index, "cán bộ nữ", k=10, filters=Filters(issuers={"Thành ủy Cần Thơ"}))
    assert hits and all(h.chunk.source == SEED_002 for h in hits)
    hits = search(loaded_seed_index, "cán bộ nữ", k=10, filters=Filters(year_from=2024, year_to=2024))
    assert hits and all(h.chunk.meta.date.startswith("2024") for h in hits)


def test_empty_query_and_k(loaded_seed_index):
    assert search(loaded_seed_index, "   ", k=5) == []
    assert search(loaded_seed_index, "cán bộ", k=0) == []
    with pytest.raises(ValueError, match="k: must be >= 0"):
        search(loaded_seed_index, "cán bộ", k=-1)


def test_index_refuses_another_model(seed_index):
    with pytest.raises(IndexMismatch, match="model"):
        load_index(seed_index, model="some/other-model")


def test_missing_index_and_empty_corpus_messages(tmp_path, embedder):
    with pytest.raises(IndexMissing) as info:
        load_index(tmp_path / "nothing")
    assert "python -m indexer build" in error_text(info.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError) as info:
        build_index(tmp_path / "empty", tmp_path / "idx", embedder=embedder)
    assert error_text(info.value).startswith("Thư mục văn bản")


def test_pdf_and_docx_round_trip_through_build(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "\n".join(line for line in seed_text(SEED_000).split("\n") if line.strip())
    make_pdf(corpus / "cong-van-1539.pdf", body)
    make_docx(corpus / "cong-van-1539.docx", seed_text(SEED_002))
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    report = build_index(corpus, tmp_path / "index", embedder=embedder)
    assert report.documents == 2
    assert [(s.source, s.code) for s in report.skipped] == [("broken.pdf", "corrupt")]
    index = load_index(tmp_path / "index", embedder=embedder)
    numbers = {d.source: d.meta.number for d in index.documents.values()}
    assert numbers == {"cong-van-1539.pdf": "1539-CV/TU", "cong-van-1539.docx": "517-CV/TU"}
    hits = search(index, "tỷ lệ cán bộ nữ tham gia ban thường vụ", k=2)
    assert hits[0].chunk.source == "cong-van-1539.pdf" and ITEM4 in " ".join(hits[0].chunk.text.split())


def test_json_shape(loaded_seed_index):
    hit = search(loaded_seed_index, "Kết luận 221-KL/TU", k=1)[0]
    data = hit_to_json(hit)
    assert list(data)[:10] == ["rank", "score", "doc_id", "source", "title", "number", "issuer", "date", "section", "text"]
    assert data["source"] == SEED_000 and data["rank"] == 1
    assert data["text"] == hit.chunk.text


def run_cli(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_cli_search_json_and_ask(seed_index, tmp_path):
    out = run_cli("-m", "retrieval", "search", "--index", str(seed_index), "--k", "3", "--json",
                  "what is the required share of women in the standing committee")
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["query"].startswith("what is")
    assert len(obj["results"]) == 3
    queries = tmp_path / "q.txt"
    queries.write_text("35-CT/TW\nty le can bo nu\n", encoding="utf-8")
    out = run_cli("-m", "retrieval", "search", "--index", str(seed_index), "--queries", str(queries), "--json")
    lines = out.stdout.strip().split("\n")
    assert [json.loads(line)["query"] for line in lines] == ["35-CT/TW", "ty le can bo nu"]
    out = run_cli("-m", "retrieval", "ask", "--index", str(seed_index), "what is the required share of women in the standing committee")
    assert out.returncode == 0 and "Công văn 1539-CV/TU, Thành ủy Hải Phòng, 01/11/2024, mục 4" in out.stdout


def test_cli_errors_are_one_sentence(tmp_path):
    out = run_cli("-m", "retrieval", "search", "--index", str(tmp_path / "none"), "cán bộ")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip() == f"Chưa có chỉ mục tại {tmp_path / 'none'}. Hãy chạy: python -m indexer build --index {tmp_path / 'none'}"
    out = run_cli("-m", "indexer", "build", "--corpus", str(tmp_path / "none"), "--index", str(tmp_path / "i"))
    assert out.returncode == 1 and "Traceback" not in out.stderr and "Không tìm thấy thư mục văn bản" in out.stderr


def test_cli_build_reports(tmp_path):
    corpus = tmp_path / "c"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "rong.txt").write_bytes(b"")
    out = run_cli("-m", "indexer", "build", "--corpus", str(corpus), "--index", str(tmp_path / "i"))
    assert out.returncode == 0, out.stderr
    assert "Văn bản đã đọc: 5" in out.stdout
    assert "rong.txt: tệp rỗng, không có chữ" in out.stdout
    assert "Đoạn đã ghi: 32" in out.stdout


def test_copies_are_shown_once_and_documents_rank_before_news_about_them(tmp_path, embedder):
    from vntext.normalize import normalize_document

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / SEED_000, corpus / SEED_000)
    item4 = next(p for p in normalize_document(seed_text(SEED_000)).split("\n\n") if p.startswith("4. "))
    (corpus / "trich-muc-4.txt").write_text(item4 + "\n", encoding="utf-8")  # the same passage, another file
    (corpus / "tin-hai-phong.txt").write_text(
        "Hải Phòng quan tâm công tác cán bộ nữ (10:00 05/11/2024)\n\n"
        "Ngày 01/11/2024, Thành ủy Hải Phòng ban hành Công văn 1539-CV/TU về công tác cán bộ nữ. Theo đó, các quận, "
        "huyện ủy phấn đấu bảo đảm tỷ lệ cán bộ nữ tham gia cấp ủy, trong đó có cán bộ nữ tham gia ban thường vụ, "
        "theo chỉ đạo của Trung ương; đồng thời quan tâm đào tạo, bồi dưỡng cán bộ nữ trẻ có triển vọng.\n\n"
        "Hội Liên hiệp Phụ nữ thành phố được giao phối hợp tạo nguồn cán bộ nữ cho hệ thống chính trị, "
        "tích cực giới thiệu hội viên ưu tú để cấp ủy xem xét, bồi dưỡng và giới thiệu ứng cử các cấp.\n",
        encoding="utf-8")
    build_index(corpus, tmp_path / "index", embedder=embedder)
    index = load_index(tmp_path / "index", embedder=embedder)
    assert sum(1 for c in index.chunks.values() if c.text == item4) == 2
    hits = search(index, "tỷ lệ cán bộ nữ tham gia ban thường vụ", k=6)
    assert sum(1 for h in hits if h.chunk.text == item4) == 1
    sources = [h.chunk.source for h in hits]
    assert sources.index(SEED_000) < sources.index("tin-hai-phong.txt")
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
