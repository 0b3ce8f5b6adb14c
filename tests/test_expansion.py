"""English beyond a hand-written list: the glossary as data, and terms learned from the collection."""

import shutil
from pathlib import Path

import pytest

from retrieval.expansion import collect_terms, english_terms, english_units, learned_terms, term_table
from retrieval.glossary import FUNCTION_WORDS, GLOSSARY, translate_terms, unknown_words
from vntext.language import ENGLISH_WORDS

DOCS = Path(__file__).resolve().parent.parent / "eval" / "lookalike" / "docs"


def test_glossary_is_data_of_general_terms():
    assert 200 < len(GLOSSARY) < 400
    assert all(k == k.lower().strip() and v.strip() for k, v in GLOSSARY.items())
    assert not FUNCTION_WORDS & set(GLOSSARY)
    assert GLOSSARY["october"] == "tháng 10"  # every month, not only the one a question asked about
    assert translate_terms("the standing committee of the provincial party committee") == "ban thường vụ btv tỉnh ủy"
    assert unknown_words("Who chairs the Quang Tri union?", ENGLISH_WORDS) == ["chairs", "quang", "tri"]


@pytest.mark.parametrize("question, units", [
    ("Which religious schools will Gia Lai province open to commune officials?",
     ["religious", "schools", "open", "religious schools"]),
    # glossary phrases, names after the first word and function words stay out
    ("What monthly allowance do young cadres in Nghe An receive?", ["receive"]),
    ("What bonus do teachers in remote villages receive?",
     ["bonus", "teachers", "remote", "villages", "receive", "remote villages", "villages receive"]),
    ("Who signed the 2025 letter?", ["letter"]),  # "signed" is a glossary word
    ("the standing committee", []),
])
def test_english_units(question, units):
    assert english_units(question) == units


def test_collection_terms_are_its_words_and_word_pairs():
    terms = collect_terms(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.txt")))
    assert {"phụ nữ", "dân tộc", "mỗi tháng", "tiền lương", "hướng dẫn", "bồi dưỡng"} <= set(terms)
    assert "nữ và" not in terms and "các" not in terms  # chance neighbours and stop syllables
    assert len(terms) == len(set(terms)) < 2700


@pytest.mark.slow
def test_learned_terms_from_the_seed_collection(seed_index, embedder, tmp_path):
    from retrieval.index import load_index

    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    index = load_index(index_dir, embedder=embedder)
    assert learned_terms(index, "children") == ["trẻ"]
    assert learned_terms(index, "working") == ["làm việc"]
    assert learned_terms(index, "the standing committee") == []  # the glossary covers it: nothing to learn
    assert english_terms(index, "women working") == "nữ phụ nữ làm việc"  # glossary first, then learned
    cached = list((index_dir / "term-cache").glob("*.npz"))
    assert len(cached) == 1
    again = term_table(load_index(index_dir, embedder=embedder))  # read from the cache
    assert again.terms == term_table(index).terms and again.vectors.shape == (len(again.terms), 384)
