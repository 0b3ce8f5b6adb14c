"""The desk end to end with the real model: a real index of the seeds and the fictional documents of
tests/desk_docs.py; the JSON of number queries (card, not_in_collection) and of a replaced document's
passages (warnings), and the CLI through a closed pipe."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from indexer.build import build_index
from retrieval.ask import ask
from retrieval.citation import result_to_json
from retrieval.index import load_index

from .conftest import CORPUS, ROOT
from .desk_docs import NEW_DIRECTIVE, OLD_DIRECTIVE, write_desk_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def desk(tmp_path_factory, embedder, seed_index):
    """The seed index (shared with other tests) extended by an incremental build with the fictional documents."""
    root = tmp_path_factory.mktemp("desk")
    corpus = write_desk_corpus(root / "corpus", seeds=CORPUS)
    shutil.copytree(seed_index, root / "index")
    report = build_index(corpus, root / "index", embedder=embedder)
    assert len(report.added) == 3 and len(report.unchanged) == 5
    return root / "index", load_index(root / "index", embedder=embedder)


def as_json(index, question, k=5):
    return json.loads(json.dumps(result_to_json(ask(index, question, k=k)), ensure_ascii=False))


def test_number_in_the_collection_answers_with_its_card(desk):
    _, index = desk
    data = as_json(index, "Chỉ thị 12-CT/TU")
    card = data["card"]
    assert (card["number"], card["issuer"], card["date"], card["signer"]) == (
        "12-CT/TU", "Tỉnh ủy Bình An", "2023-06-05", "Lê Thị Hoa")
    assert card["relations"]["replaces"] == ["05-CT/TU"] and card["relations"]["cites"] == ["99-QĐ/TU", "05-CT/TU"]
    assert data["not_in_collection"] is None and data["lookup_only"] is True and data["no_answer"] is False
    assert data["results"][0]["number"] == "12-CT/TU"


def test_replaced_document_carries_the_warning(desk):
    _, index = desk
    data = as_json(index, "Chỉ thị 05-CT/TU")
    assert data["card"]["relations"]["replaced_by"] == ["12-CT/TU"]
    [warning] = data["card"]["warnings"]
    assert warning["kind"] == "replaced_by" and warning["number"] == "12-CT/TU"
    results = as_json(index, "tỷ lệ cán bộ nữ trong cấp ủy không dưới 15%")["results"]
    old = next(r for r in results if r["source"] == OLD_DIRECTIVE)
    assert [w["citation"] for w in old["warnings"]] == [
        "Chỉ thị số 12-CT/TU ngày 05/06/2023 của Ban Thường vụ Tỉnh ủy Bình An về công tác cán bộ nữ giai đoạn 2023 - 2030"]
    assert all(r["warnings"] == [] for r in results if r["source"] == NEW_DIRECTIVE)
    assert old["citation_report"].startswith("Chỉ thị số 05-CT/TU ngày 10/03/2015 của Ban Thường vụ Tỉnh ủy Bình An")
    assert old["excerpt_citation"].startswith("“") and old["excerpt_citation"].endswith(f"({old['citation_report']})")


def test_number_not_in_the_collection_lists_the_citing_documents(desk):
    _, index = desk
    data = as_json(index, "Quy định 99-QĐ/TU")
    assert data["card"] is None and data["lookup_only"] is True
    missing = data["not_in_collection"]
    assert (missing["number"], missing["text"]) == ("99-QĐ/TU", "Quy định số 99-QĐ/TU không có trong kho văn bản.")
    assert [c["number"] for c in missing["cited_by"]] == ["12-CT/TU"]
    assert "theo Quy định số 99-QĐ/TU ngày 02/02/2022" in missing["cited_by"][0]["passage"]
    data = as_json(index, "Chỉ thị 35-CT/TW")
    assert [c["citation_report"] for c in data["not_in_collection"]["cited_by"]] == [
        "Công văn số 1539-CV/TU ngày 01/11/2024 của Ban Thường vụ Thành ủy Hải Phòng về việc quán triệt một số nội "
        "dung về công tác cán bộ nữ tại Đảng bộ thành phố, mục 4"]


def test_cli_prints_the_card_first(desk, monkeypatch, capsys):
    import retrieval.index
    from retrieval.__main__ import main

    index_dir, index = desk
    monkeypatch.setattr(retrieval.index, "load_index", lambda *a, **k: index)  # the model is loaded already
    assert main(["ask", "--index", str(index_dir), "cong van 517"]) == 0
    out = capsys.readouterr().out
    assert out.count("Văn bản: Công văn số 517-CV/TU") == 2  # Thành ủy Cần Thơ and Thành ủy Hải Dương
    assert "Câu trả lời" not in out
    assert main(["search", "--index", str(index_dir), "--k", "2", "Chỉ thị 05-CT/TU"]) == 0
    out = capsys.readouterr().out.split("\n")
    assert out[:2] == ["# Chỉ thị 05-CT/TU", "Văn bản: Chỉ thị số 05-CT/TU ngày 10/03/2015 của Ban Thường vụ Tỉnh ủy "
                       "Bình An về tăng cường công tác cán bộ nữ trong tình hình mới"]
    assert any(line.startswith("  Lưu ý: Văn bản này đã được thay thế bởi Chỉ thị số 12-CT/TU") for line in out)
    card_end = next(i for i, line in enumerate(out) if line.startswith("1. ["))
    assert all(not line.startswith("2. [") for line in out[:card_end])  # passages come after the card


def test_cli_survives_a_closed_pipe(desk):
    """`ask ... | head`: the reader is gone when the answer is written; no traceback."""
    index_dir, _ = desk
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = [sys.executable, "-m", "retrieval", "ask", "--index", str(index_dir), "cong van 517"]
    proc = subprocess.run(args, cwd=ROOT, env=env, stdout=write_end, stderr=subprocess.PIPE, timeout=300)
    os.close(write_end)
    assert (proc.returncode, proc.stderr.decode()) == (141, "")


def test_an_index_built_before_relations_gets_them_without_embedding_again(tmp_path, seed_index, seed_corpus, embedder):
    """Documents stored without relations (an older index) are read again on the next build; their chunks
    keep their vectors."""
    from indexer import store

    shutil.copytree(seed_index, tmp_path / "index")
    gen = store.current_generation(tmp_path / "index")
    lines = (gen / store.DOCUMENTS).read_text(encoding="utf-8").splitlines()
    old = []
    for line in lines:
        row = json.loads(line)
        del row["meta"]["relations"], row["meta"]["outlet"], row["meta"]["organ"]
        old.append(json.dumps(row, ensure_ascii=False))
    (gen / store.DOCUMENTS).write_text("\n".join(old) + "\n", encoding="utf-8")
    manifest = json.loads((gen / store.MANIFEST).read_text(encoding="utf-8"))
    manifest["checksums"] = store.file_checksums(gen)
    (gen / store.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    assert all(d.meta.relations is None for d in store.read_documents(gen))
    report = build_index(seed_corpus, tmp_path / "index", embedder=embedder)
    assert (len(report.unchanged), len(report.changed), len(report.added), report.embedded) == (5, 0, 0, 0)
    docs = store.read_documents(store.current_generation(tmp_path / "index"))
    assert all(d.meta.relations is not None for d in docs)
    assert {d.meta.outlet for d in docs if d.meta.is_news} == {
        "Hội LHPN quận Hoàn Kiếm", "Báo Cần Thơ", "Cổng thông tin điện tử Ủy ban nhân dân thành phố Bến Tre"}
