"""Retrieval quality on a fixed slice (seeds + 200 Wikipedia distractors), with floors that may not regress.

The full evaluation (seeds + 500 articles + labour-law texts) is a documented command: docs/quality.md."""

import pytest

from retrieval.evaluate import load_questions, report

from .conftest import ROOT, SHARED

pytestmark = pytest.mark.slow
QUESTIONS = ROOT / "tests" / "data" / "dev_questions.jsonl"
WIKI = SHARED / "datasets" / "viwiki.jsonl.gz"


def test_question_set_shape_and_gold_phrases_exist():
    from indexer.build import load_document
    from retrieval.evaluate import canon

    questions = load_questions(QUESTIONS)
    types = [q.qtype for q in questions]
    assert len(questions) >= 80
    assert types.count("vi-nodiac") * 3 >= len(questions)
    assert types.count("en") >= 15 and types.count("number") >= 10 and types.count("none") >= 10
    texts = {p.name: canon(load_document(p, p.name).text) for p in (ROOT / "corpus").iterdir()}
    assert {s for q in questions for s, _ in q.gold} == set(texts)
    for q in questions:
        for source, phrase in q.gold:
            assert canon(phrase) in texts[source], (q.qid, phrase)


@pytest.fixture(scope="module")
def slice_index(tmp_path_factory, embedder):
    from indexer.build import build_index
    from retrieval.eval_corpus import write_eval_corpus
    from retrieval.index import load_index

    if not WIKI.exists():
        pytest.fail(f"{WIKI} is missing: the quality floor needs ../shared/datasets")
    corpus = tmp_path_factory.mktemp("eval-corpus")
    write_eval_corpus(corpus, 200, labour=False, shared=SHARED)
    index_dir = tmp_path_factory.mktemp("eval-index")
    build_index(corpus, index_dir, embedder=embedder)
    return load_index(index_dir, embedder=embedder)


def test_quality_floor_on_ci_slice(slice_index):
    from retrieval.evaluate import evaluate, format_table, misses

    outcomes = evaluate(slice_index, load_questions(QUESTIONS), k=10)
    table = report(outcomes, 10)
    print(format_table(table, 10))
    print("\n".join(misses(outcomes)))
    overall = table["overall"]
    assert overall["hit@5"] >= 0.95
    assert overall["mrr@10"] >= 0.85
    for kind in ("vi", "vi-nodiac", "en", "number"):
        assert table[kind]["hit@5"] >= 0.90, kind
    assert table["none"]["no_answer_correct"] >= 0.80
    assert overall["wrongly_refused"] <= 0.05


def test_example_question_answer_is_item_4(slice_index):
    from retrieval.ask import ask
    from retrieval.citation import format_citation

    result = ask(slice_index, "what is the required share of women in the standing committee")
    assert not result.no_answer
    assert format_citation(result.answer.chunk) == "Công văn 1539-CV/TU, Thành ủy Hải Phòng, 01/11/2024, mục 4"
    assert "cán bộ nữ tham gia ban thường vụ" in result.answer.text
