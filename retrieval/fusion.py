"""Reciprocal rank fusion with per-list weights."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

RRF_K = 60


def rrf(rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float], k: int = RRF_K) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of weight / (k + rank), rank counted from 1."""
    if k < 0:
        raise ValueError(f"k: must be >= 0, got {k}")
    scores: dict[int, float] = {}
    for name, ids in rankings.items():
        w = weights.get(name, 0.0)
        if w == 0.0:
            continue
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
