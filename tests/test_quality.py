"""Retrieval quality on a small fixed slice: the seeds, the look-alike collection (eval/lookalike) and 30 Wikipedia
distractors, with floors that may not regress. Floors sit a little under the values measured on the HELD-OUT half
of each question set (tune halves are where weights and thresholds were chosen: docs/quality.md).

The full evaluations (200 distractors, ALQAC) are documented commands: docs/quality.md."""

import os
from pathlib import Path

import pytest

from retrieval.evaluate import canon, canon_fact, load_questions, report_halves

from .conftest import ROOT, SHARED

QUESTIONS = ROOT / "tests" / "data" / "dev_questions.jsonl"
LOOKALIKE = ROOT / "eval" / "lookalike"
LOOKALIKE_QUESTIONS = LOOKALIKE / "questions.jsonl"
SHARED_DIR = Path(os.environ.get("VNDS_SHARED", SHARED))  # a git worktree sits elsewhere than ../shared
WIKI = SHARED_DIR / "datasets" / "viwiki.jsonl.gz"
DISTRACTORS = 30


def _texts(folder: Path) -> dict[str, str]:
    from indexer.build import load_document

    return {p.name: load_document(p, p.name).text for p in sorted(folder.glob("*.txt"))}


def test_question_set_shape_and_gold_phrases_exist():
    questions = load_questions(QUESTIONS)
    types = [q.qtype for q in questions]
    assert len(questions) >= 80
    assert types.count("vi-nodiac") * 3 >= len(questions)
    assert types.count("en") >= 15 and types.count("number") >= 10 and types.count("none") >= 10
    texts = {name: canon(t) for name, t in _texts(ROOT / "corpus").items()}
    assert {s for q in questions for s, _ in q.gold} == set(texts)
    for q in questions:
        for source, phrase in q.gold:
            assert canon(phrase) in texts[source], (q.qid, phrase)
    raw = _texts(ROOT / "corpus")
    assert sum(1 for q in questions if q.answers) >= 25
    for q in questions:
        for fact in q.answers:
            assert any(canon_fact(fact) in canon_fact(raw[s]) for s in q.sources), (q.qid, fact)


def test_lookalike_set_shape_gold_phrases_and_facts_exist():
    questions = load_questions(LOOKALIKE_QUESTIONS)
    texts = _texts(LOOKALIKE / "docs")
    types = [q.qtype for q in questions]
    assert len(questions) >= 120 and len(texts) >= 40
    assert all(types.count(t) >= 10 for t in ("vi", "vi-nodiac", "en", "number", "none"))
    halves = [q.half for q in questions]
    assert 0.4 <= halves.count("tune") / len(halves) <= 0.6
    for q in questions:
        for source, phrase in q.gold:
            assert canon(phrase) in canon(texts[source]), (q.qid, phrase)
        for fact in q.answers:
            assert any(canon_fact(fact) in canon_fact(texts[s]) for s in q.sources), (q.qid, fact)


@pytest.fixture(scope="module")
def slice_index(tmp_path_factory, embedder):
    from indexer.build import build_index
    from retrieval.eval_corpus import write_eval_corpus
    from retrieval.index import load_index

    if not WIKI.exists():
        pytest.fail(f"{WIKI} is missing: the quality floor needs ../shared/datasets (or VNDS_SHARED)")
    corpus = tmp_path_factory.mktemp("eval-corpus")
    write_eval_corpus(corpus, DISTRACTORS, labour=False, shared=SHARED_DIR, lookalike=True)
    index_dir = tmp_path_factory.mktemp("eval-index")
    build_index(corpus, index_dir, embedder=embedder)
    return load_index(index_dir, embedder=embedder)


def _run(index, path: Path) -> dict:
    from retrieval.evaluate import evaluate, format_halves, misses

    outcomes = evaluate(index, load_questions(path), k=10)
    halves = report_halves(outcomes, 10)
    print(format_halves(halves, 10))
    print("\n".join(misses(outcomes)))
    return halves


@pytest.mark.slow
def test_seed_set_floor(slice_index):
    """The seed development set: today's regression check, on its held-out half, its 6 `none` questions
    included (refused by place and year: retrieval/refusal.py, docs/quality.md)."""
    held = _run(slice_index, QUESTIONS)["held-out"]
    overall = held["overall"]
    assert overall["hit@5"] >= 0.88
    assert overall["mrr@10"] >= 0.82
    assert overall["wrongly_refused"] <= 0.10
    assert overall["no_answer_correct"] >= 0.80


@pytest.mark.slow
def test_lookalike_floor(slice_index):
    """The look-alike collection's held-out half: issuers, places, years and numbers decide. Its 5 held-out
    `none` questions: 2 refused (the target, 80 %, is not reached: docs/quality.md), kept as a floor."""
    held = _run(slice_index, LOOKALIKE_QUESTIONS)["held-out"]
    overall = held["overall"]
    assert overall["hit@1"] >= 0.82
    assert overall["hit@5"] >= 0.90
    assert overall["mrr@10"] >= 0.86
    assert overall["answer_acc"] >= 0.80
    assert overall["wrongly_refused"] <= 0.06
    assert overall["no_answer_correct"] >= 0.40
    assert held["vi"]["hit@5"] >= 0.95


@pytest.mark.slow
def test_example_question_answer_is_item_4(loaded_seed_index):
    """README's example, over the seeds that README's index holds."""
    from retrieval.ask import ask
    from retrieval.citation import format_citation

    result = ask(loaded_seed_index, "what is the required share of women in the standing committee")
    assert not result.no_answer
    assert format_citation(result.answer.chunk) == "Công văn 1539-CV/TU, Thành ủy Hải Phòng, 01/11/2024, mục 4"
    assert "cán bộ nữ tham gia ban thường vụ" in result.answer.text
