"""The vector index: exact inner-product search below APPROX_THRESHOLD vectors, IVF above it.

Flat search reads every vector for every query: ~7 ms per query at 100k vectors on one quiet core, 32-70 ms
on a busy one (2026-12-02, AMD EPYC, load average 9-11), ~60 ms at 1M quiet (BENCHMARKS.md). Past the
threshold an IVF index answers in 1-2 ms: at 100k vectors (nlist 1264), nprobe 96: 2.0 ms p50 under the
same load, recall@10 1.000 and recall@100 0.999 vs flat (/work/helpers/E-results.md); at 1M recall@10
0.995. The quality sets (seed, dev, ALQAC: far below the threshold) are searched exactly. IVF supports
remove_ids, so an update re-uses the trained index of the previous generation: it removes the chunks
that are gone and adds the new ones, without training again."""

from __future__ import annotations

import math

import numpy as np

APPROX_THRESHOLD = 50_000
NPROBE = 96  # recall@10 0.994 at 1M in the nprobe sweep of bench/run.py (48: 0.978, 64: 0.985), 2.5-5 ms
TRAIN_SAMPLE = 100_000


def is_ivf(index) -> bool:
    """True for an IVF index (the approximate path)."""
    import faiss

    return isinstance(faiss.downcast_index(index), faiss.IndexIVF)


def build_vector_index(vectors: np.ndarray, ids: np.ndarray, previous=None,
                       approx_threshold: int | None = None):
    """A FAISS index over L2-normalised `vectors` with chunk ids `ids` (inner product = cosine): exact below
    `approx_threshold` (default APPROX_THRESHOLD) vectors, IVF from there on."""
    import faiss

    n, dim = vectors.shape if vectors.ndim == 2 else (0, 0)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if n < (APPROX_THRESHOLD if approx_threshold is None else approx_threshold):
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim or 1))
        if n:
            index.add_with_ids(vectors, ids)
        return index
    if previous is not None and is_ivf(previous) and previous.d == dim:
        index = faiss.clone_index(previous)
        old_ids = all_ids(index)
        gone = np.setdiff1d(old_ids, ids)
        if len(gone):
            index.remove_ids(faiss.IDSelectorBatch(gone))
        fresh = ~np.isin(ids, old_ids)
        if fresh.any():
            index.add_with_ids(vectors[fresh], ids[fresh])
        return index
    nlist = int(4 * math.sqrt(n))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    sample = vectors[rng.choice(n, size=min(n, TRAIN_SAMPLE), replace=False)]
    index.train(sample)
    index.add_with_ids(vectors, ids)
    return index


def prepare_for_search(index) -> None:
    """Search-time settings: nprobe for IVF."""
    import faiss

    if is_ivf(index):
        faiss.extract_index_ivf(index).nprobe = NPROBE


def all_ids(index) -> np.ndarray:
    """Every chunk id stored in the index."""
    ids, _ = _contents(index, with_vectors=False)
    return ids


def vectors_by_id(index) -> dict[int, np.ndarray]:
    """Every stored vector keyed by chunk id (re-used by the next build)."""
    ids, vecs = _contents(index, with_vectors=True)
    return {int(i): vecs[row] for row, i in enumerate(ids)}


def _contents(index, with_vectors: bool):
    import faiss

    if index.ntotal == 0:
        return np.zeros(0, np.int64), np.zeros((0, index.d), np.float32)
    if is_ivf(index):
        ivf = faiss.extract_index_ivf(index)
        invlists = ivf.invlists
        all_i, all_v = [], []
        for lst in range(ivf.nlist):
            size = invlists.list_size(lst)
            if not size:
                continue
            all_i.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
            if with_vectors:
                codes = faiss.rev_swig_ptr(invlists.get_codes(lst), size * ivf.code_size).copy()
                all_v.append(codes.view(np.float32).reshape(size, ivf.d))
        ids = np.concatenate(all_i)
        return ids, (np.concatenate(all_v) if with_vectors else None)
    ids = faiss.vector_to_array(index.id_map)
    if not with_vectors:
        return ids, None
    flat = faiss.downcast_index(index.index)
    return ids, faiss.vector_to_array(flat.codes).view(np.float32).reshape(index.ntotal, -1)
