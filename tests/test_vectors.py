import numpy as np

from indexer import vectors as V


def unit(n, d, seed):
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def clustered(n, d, seed, centers=40):
    """Embeddings have topical clusters; uniform random vectors are IVF's worst case, not this product's."""
    c = np.random.default_rng(0).normal(size=(centers, d))  # the same topics for data and queries
    rng = np.random.default_rng(seed)
    x = (c[rng.integers(0, centers, n)] + 0.35 * rng.normal(size=(n, d))).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_flat_below_threshold_round_trips_vectors():
    x = unit(500, 16, 1)
    ids = np.arange(1000, 1500, dtype=np.int64)
    index = V.build_vector_index(x, ids)
    assert not V.is_ivf(index)
    got = V.vectors_by_id(index)
    assert sorted(got) == list(range(1000, 1500))
    assert np.allclose(got[1234], x[234])


def test_ivf_above_threshold_recall_and_incremental_update():
    x = clustered(6000, 32, 2)
    ids = np.arange(6000, dtype=np.int64) * 7 + 3
    assert not V.is_ivf(V.build_vector_index(x, ids))  # below the default threshold
    index = V.build_vector_index(x, ids, approx_threshold=2000)
    assert V.is_ivf(index)
    V.prepare_for_search(index)
    q = clustered(50, 32, 3)
    _, approx = index.search(q, 10)
    exact = np.argsort(-(q @ x.T), axis=1)[:, :10]
    recall = np.mean([len(set(a) & set(ids[e])) / 10 for a, e in zip(approx, exact)])
    assert recall >= 0.95
    # an update: 100 chunks gone, 50 new ones; the trained index is re-used
    keep = np.ones(6000, bool)
    keep[:100] = False
    new = unit(50, 32, 4)
    new_ids = np.arange(50, dtype=np.int64) + 10**9
    updated = V.build_vector_index(np.vstack([x[keep], new]), np.concatenate([ids[keep], new_ids]), previous=index,
                                   approx_threshold=2000)
    assert updated.ntotal == 6000 - 100 + 50
    stored = V.vectors_by_id(updated)
    assert set(stored) == set(ids[keep]) | set(new_ids)
    assert np.allclose(stored[int(new_ids[7])], new[7])
    assert index.ntotal == 6000  # the previous generation's index is untouched
