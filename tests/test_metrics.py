"""Evaluation metrics (retrieval/evaluate.py): DCG, hit@k, MRR, nDCG, answer accuracy and refusals, by hand."""

import math

import pytest

from retrieval.evaluate import Outcome, Question, dcg, metrics


@pytest.mark.parametrize(
    "relevances, gain",
    [([], 0.0), ([1], 1.0), ([0, 1], 1 / math.log2(3)), ([1, 0, 1], 1.5), ([1, 1, 1], 1 + 1 / math.log2(3) + 0.5)],
)
def test_dcg(relevances, gain):
    assert dcg(relevances) == pytest.approx(gain)


def _outcome(qtype: str, ranks: list[int], relevant: int = 1, refused: bool = False, ok: bool | None = None) -> Outcome:
    return Outcome(Question("q", "?", qtype), ranks, relevant, refused, [], 0.0, ok)


def test_metrics_by_hand():
    outcomes = [
        _outcome("vi", [1, 3], relevant=2, ok=True),  # nDCG (1 + 1/2) / (1 + 1/log2 3)
        _outcome("vi", [7], refused=True, ok=False),  # rank 7: no hit@5, 1/7, nDCG 1/3
        _outcome("vi", [], relevant=0),  # nothing found: counts 0 everywhere, not judged
        _outcome("none", [], refused=True),
        _outcome("none", [2]),
    ]
    m = metrics(outcomes, k=10)
    assert m == pytest.approx({
        "n": 5.0,
        "hit@1": 1 / 3,
        "hit@5": 1 / 3,
        "mrr@10": (1 + 1 / 7) / 3,
        "ndcg@10": (1.5 / (1 + 1 / math.log2(3)) + 1 / 3) / 3,
        "wrongly_refused": 1 / 3,
        "answer_acc": 0.5,
        "no_answer_correct": 0.5,
    })


@pytest.mark.parametrize("rank, hit5", [(5, 1.0), (6, 0.0)])
def test_hit_at_5_edge(rank, hit5):
    assert metrics([_outcome("vi", [rank])], k=10)["hit@5"] == hit5


def test_ndcg_ideal_is_capped_at_k():
    """Three relevant passages with k = 2: the ideal list holds two."""
    m = metrics([_outcome("vi", [1, 2], relevant=3)], k=2)
    assert m["ndcg@2"] == pytest.approx(1.0)
    assert m["mrr@2"] == 1.0


def test_only_unanswerable_questions():
    assert metrics([_outcome("none", [], refused=True)], k=10) == {"n": 1.0, "no_answer_correct": 1.0}


def test_no_questions():
    assert metrics([], k=10) == {"n": 0.0}
