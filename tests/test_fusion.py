"""Reciprocal rank fusion (retrieval/fusion.py), by hand."""

import pytest

from retrieval.fusion import RRF_K, rrf


def test_weighted_scores_and_order():
    fused = rrf({"dense": [1, 2, 3], "lex": [3, 1]}, {"dense": 1.0, "lex": 0.5})
    assert [i for i, _ in fused] == [1, 3, 2]
    scores = dict(fused)
    assert scores[1] == pytest.approx(1 / 61 + 0.5 / 62)
    assert scores[3] == pytest.approx(1 / 63 + 0.5 / 61)
    assert scores[2] == pytest.approx(1 / 62)


@pytest.mark.parametrize(
    "rankings, weights, k, expected",
    [
        ({}, {"dense": 1.0}, RRF_K, []),
        ({"dense": [5, 7]}, {}, RRF_K, []),  # a list without a weight counts for nothing
        ({"dense": [5, 7], "lex": [9]}, {"dense": 0.0, "lex": 2.0}, RRF_K, [(9, 2 / 61)]),
        ({"dense": [4, 2]}, {"dense": 1.0}, 0, [(4, 1.0), (2, 0.5)]),  # k = 0: weight / rank
        ({"a": [8], "b": [3]}, {"a": 1.0, "b": 1.0}, 10, [(3, 1 / 11), (8, 1 / 11)]),  # ties: smaller id first
        ({"a": [6, 6]}, {"a": 1.0}, 1, [(6, 1 / 2 + 1 / 3)]),  # an id twice in one list counts twice
    ],
)
def test_rrf_table(rankings, weights, k, expected):
    fused = rrf(rankings, weights, k=k)
    assert [i for i, _ in fused] == [i for i, _ in expected]
    assert [s for _, s in fused] == pytest.approx([s for _, s in expected])


def test_negative_k_is_refused():
    with pytest.raises(ValueError, match=r"^k: must be >= 0, got -1$"):
        rrf({"dense": [1]}, {"dense": 1.0}, k=-1)
