"""The pure parts of answer extraction (retrieval/answer.py) and of the evidence score (retrieval/ask.py),
by hand, without the model or an index."""

import math

import pytest

from indexer.document import Chunk, DocMeta
from retrieval.answer import Candidate, answer_terms, clauses, combined, lexical_score, local_weights
from retrieval.ask import coverage, evidence, evidence_terms
from retrieval.query import analyze
from retrieval.search import Hit


def _hit(rank: int = 1, doc_id: str = "d1", is_news: bool = False, reason: str = "", text: str = "x") -> Hit:
    chunk = Chunk(rank, doc_id, f"{doc_id}.txt", 0, len(text), "đoạn 1", text, DocMeta(is_news=is_news))
    return Hit(chunk, score=1.0, rank=rank, reason=reason)


@pytest.mark.parametrize(
    "text, spans",
    [
        ("Mục tiêu: tăng 30%. 4.\nCán bộ nữ đạt 17,07%; phấn đấu\ntăng thêm! Xong?",
         [(0, 19), (20, 44), (45, 64), (65, 70)]),  # "4." joins the clause after it; a wrapped line goes on
        ("  Một câu.  ", [(2, 10)]),
        ("Dòng một\nDòng hai", [(0, 8), (9, 17)]),  # a line starting in capitals is a new clause
        ("", []),
    ],
)
def test_clauses(text, spans):
    assert clauses(text) == spans


TERMS = ["ty", "le", "can", "bo", "nu"]


@pytest.mark.parametrize(
    "text, terms, weights, score",
    [
        ("Tỷ lệ cán bộ nữ đạt 17,07%", TERMS, None, 1.0 + 1.5 * 4 / 5),  # all terms, four pairs
        ("cán bộ nam", TERMS, None, 2 / 5 + 1.5 * 1 / 5),
        ("cán bộ nam", TERMS, {"can": 3.0}, (3 + 1) / 7 + 1.5 * 1 * 7 / 5 / 7),  # weights change both parts
        ("", TERMS, None, 0.0),
        ("cán bộ", [], None, 0.0),
        ("nữ " * 100, ["nu"], None, 1.0 / (1.0 + 0.15 * math.log1p(20))),  # over 80 words: lowered
    ],
)
def test_lexical_score(text, terms, weights, score):
    assert lexical_score(text, terms, weights) == pytest.approx(score)


def test_local_weights_favour_the_rare_term():
    weights = local_weights(["Hỗ trợ tiến sĩ", "hỗ trợ thạc sĩ", "hỗ trợ"], ["ho", "tro", "tien"])
    assert weights == pytest.approx({"ho": 1.0, "tro": 1.0, "tien": 1.0 + math.log(4 / 2)})


@pytest.mark.parametrize(
    "question, terms",
    [
        ("Tỷ lệ cán bộ nữ là bao nhiêu?", ["ty", "le", "can", "bo", "nu"]),  # stop syllables dropped
        ("Thành uỷ có mấy ban?", ["thanh", "uy", "may", "ban"]),
    ],
)
def test_answer_terms(question, terms):
    assert answer_terms(analyze(question)) == terms


def test_english_answer_terms_are_glossary_terms_and_unknown_words():
    terms = answer_terms(analyze("What share of women in Quang Tri?"))
    assert terms[-2:] == ["quang", "tri"]
    assert "nu" in terms and "what" not in terms and "of" not in terms


@pytest.mark.parametrize(
    "cand, best, news_intent, weights, first_doc, score",
    [
        (dict(lexical=1.0, fact=0.5, semantic=0.8), 0.8, False, None, "", 2.0),
        (dict(lexical=1.0, fact=0.5, semantic=0.8, rank=3), 0.8, False, None, "", 2.0 / 1.2),
        (dict(lexical=1.0, fact=0.5, semantic=0.8, is_news=True), 0.8, False, None, "", 2.0 * 0.7),
        (dict(lexical=1.0, fact=0.5, semantic=0.8, is_news=True), 0.8, True, None, "", 2.0),
        (dict(lexical=1.0, fact=0.5, semantic=0.8), 0.8, True, None, "", 2.0 * 0.7),
        (dict(lexical=1.0, fact=0.5, semantic=0.5), 0.8, False, None, "", 2.0 - 4.0 * 0.3),
        (dict(lexical=0.0, fact=0.0, semantic=0.5), 0.8, False, None, "", 0.0),  # never below 0
        (dict(lexical=1.0, fact=0.5, semantic=0.8, doc_id="d2"), 0.8, False, None, "d1", 2.0 * 0.7),
        (dict(lexical=1.0, fact=0.5, semantic=0.8, rank=2), 0.8, False, {"type": 0.0, "decay": 1.0}, "", 0.5),
    ],
)
def test_combined(cand, best, news_intent, weights, first_doc, score):
    hit = _hit(cand.pop("rank", 1), cand.pop("doc_id", "d1"), cand.pop("is_news", False))
    c = Candidate(hit, 0, 1, **cand)
    assert combined(c, best, news_intent, weights, first_doc) == pytest.approx(score)


@pytest.mark.parametrize(
    "question, terms",
    [
        # accented words kept accented; "Đà" folds to the stop syllable "da" (đã) and goes too
        ("Tỷ lệ cán bộ nữ ở Đà Nẵng là bao nhiêu?", ["tỷ", "lệ", "cán", "bộ", "nữ", "nẵng"]),
        ("ty le can bo nu o Da Nang", ["ty", "le", "can", "bo", "nu", "nang"]),
        ("là của và", []),
    ],
)
def test_evidence_terms(question, terms):
    assert evidence_terms(analyze(question)) == terms


@pytest.mark.parametrize(
    "terms, passage, weights, parts",
    [
        (["a", "b", "c"], ["a", "b", "x"], {"a": 1.0, "b": 1.0, "c": 2.0}, (0.5, 0.5)),
        (["a", "b", "c"], ["b", "a", "c"], {"a": 1.0, "b": 1.0, "c": 2.0}, (1.0, 0.0)),  # words, no pairs
        (["a"], ["a"], {"a": 3.0}, (1.0, 1.0)),  # one term: the pair part repeats the word part
        (["a"], [], {"a": 3.0}, (0.0, 0.0)),
        (["a", "b"], ["a", "b"], {}, (0.0, 1.0)),  # no weights: total taken as 1
    ],
)
def test_coverage(terms, passage, weights, parts):
    assert coverage(terms, passage, weights) == pytest.approx(parts)


@pytest.mark.parametrize(
    "question, hits, score",
    [
        ("Tỷ lệ cán bộ nữ?", [], 0.0),
        ("Chỉ thị 35-CT/TW nói gì?", [_hit(reason="own")], 3.0),  # the corpus holds the named document
        ("Ai ký Quyết định 217?", [_hit(reason="signer")], 3.0),
        ("Chỉ thị 35-CT/TW nói gì?", [_hit()], 0.0),  # a named document the corpus neither holds nor cites
        ("Chỉ thị số 99 nói gì?", [_hit()], 0.0),
    ],
)
def test_evidence_without_index(question, hits, score):
    """Decided before any word is weighed: the index is not read."""
    assert evidence(None, question, hits) == score
