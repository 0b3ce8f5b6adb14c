"""The diacritic vocabulary: counts kept and updated by added/removed texts equal a full recount."""

import numpy as np
import pytest

from indexer.build import load_document
from indexer.chunker import chunk_document
from indexer.vocab import build_vocab, count_texts, load_counts, save_counts, update_counts, vocab_from_counts
from vntext.restore import restore_diacritics

from .conftest import CORPUS


def seed_chunk_texts() -> list[list[str]]:
    """The chunk texts of each seed document."""
    return [[c.text for c in chunk_document(load_document(p, p.name))] for p in sorted(CORPUS.iterdir())]


def test_counts_after_add_and_remove_equal_a_full_recount(tmp_path):
    docs = seed_chunk_texts()
    flat = lambda ds: [t for d in ds for t in d]  # noqa: E731
    base = count_texts(flat(docs[:3]))
    path = tmp_path / "counts.npz"
    save_counts(base, path)
    updated = update_counts(load_counts(path), added=flat(docs[3:]), removed=flat(docs[1:2]))
    full = count_texts(flat(docs[:1] + docs[2:]))
    assert updated.as_dicts() == full.as_dicts()
    assert vocab_from_counts(updated) == vocab_from_counts(full) == build_vocab(flat(docs[:1] + docs[2:]))
    back = update_counts(updated, added=flat(docs[1:2]), removed=flat(docs[3:]))  # and back again
    assert back.as_dicts() == base.as_dicts() and vocab_from_counts(back) == vocab_from_counts(base)


def test_removing_text_never_counted_is_refused():
    with pytest.raises(ValueError, match="not counted"):
        update_counts(count_texts(["cán bộ"]), added=[], removed=["cán bộ nữ"])


def test_counts_by_hand():
    counts = count_texts(["Cán bộ nữ, cán bộ\nnữ cán"])
    words, pairs = counts.as_dicts()
    assert words == {"cán": 3, "bộ": 2, "nữ": 2}
    assert pairs == {("cán", "bộ"): 2, ("bộ", "nữ"): 1, ("nữ", "cán"): 2}  # "bộ\nnữ": no pair across lines
    assert counts.pair_keys.dtype == np.int64 and list(counts.pair_keys) == sorted(counts.pair_keys)


@pytest.mark.parametrize("texts, uni, bi", [
    (["tỷ lệ tỷ lệ tỉ lệ"], {"ty": "tỷ", "le": "lệ", "ti": "tỉ"}, {}),
    # a tie goes to the form that sorts last: the accented one against the plain one; the pair "ban ba"
    # then differs from the guess "bán ba" and is kept
    (["ban ba bán"], {"ba": "ba", "ban": "bán"}, {"ban ba": "ban ba"}),
    # the pair is kept only where it changes the word-by-word guess
    (["ban thường vụ, bán hàng, bán hàng, bán nhà"], {"ban": "bán", "thuong": "thường", "vu": "vụ", "hang": "hàng", "nha": "nhà"},
     {"ban thuong": "ban thường"}),
])
def test_vocabulary_by_hand(texts, uni, bi):
    vocab = build_vocab(texts)
    assert {f: w for f, w in vocab["uni"].items()} == {f: w for f, w in uni.items() if f != w}
    assert vocab["bi"] == bi


def test_seed_vocabulary_restores_a_question():
    vocab = build_vocab(t for d in seed_chunk_texts() for t in d)
    assert restore_diacritics("ty le can bo nu tham gia ban thuong vu", vocab) == "tỷ lệ cán bộ nữ tham gia ban thường vụ"


def _wiki_texts(n):
    import gzip
    import json

    from .conftest import SHARED

    out = []
    with gzip.open(SHARED / "datasets" / "viwiki.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["text"][:3000])
            if len(out) == n:
                return out


@pytest.mark.parametrize("added, removed", [
    (slice(40, 41), slice(0, 0)),    # one new article
    (slice(40, 45), slice(3, 5)),    # some new, some gone
    (slice(0, 0), slice(10, 12)),    # only removals
    (slice(40, 41), slice(0, 30)),   # most of the collection gone: many best forms move
])
def test_updated_vocabulary_equals_one_computed_from_the_counts(added, removed):
    from indexer.vocab import update_vocab

    texts = _wiki_texts(45) + [t.lower() for t in seed_chunk_texts()[0]]
    base = texts[:40] + texts[45:]
    old = count_texts(base)
    new = update_counts(old, texts[added], texts[removed])
    assert update_vocab(vocab_from_counts(old), old, new, texts[added], texts[removed]) == vocab_from_counts(new)
