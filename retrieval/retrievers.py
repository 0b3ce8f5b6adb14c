"""The ranking chain's retrievers: each reads the analysed Query and returns ranked chunk ids.

DenseRetriever: nearest passages by the question's vector (and by its restored or glossary form);
LexicalRetriever: BM25 over the accented, folded and glossary fields (pairs and header words as boosts);
NumberRetriever: passages of the documents a question names by number (own, mentions, documents citing it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer import layout
from vntext.language import ENGLISH_WORDS

from .config import RankingConfig
from .expansion import english_terms
from .glossary import unknown_words
from .index import SearchIndex
from .query import Query
from .search import _dense, _lexical, _number_chunks, _typed_number_keys, citing_chunks

_SYLLABLE = layout.syllable_analyzer()
_FOLD = layout.fold_analyzer()


@dataclass
class Retrieved:
    """What the retrievers found: ranked lists (in fusion order), dense cosines, the by-number tier."""

    lists: dict[str, list[int]] = field(default_factory=dict)
    dense: dict[int, float] = field(default_factory=dict)  # chunk id -> cosine of question and passage
    first: list[tuple[int, str]] = field(default_factory=list)  # (chunk id, "cites" | "own" | "number")


class DenseRetriever:
    """Nearest passages by inner product: the question's vector; typed without diacritics, its restored
    form's; in English, the question's and its glossary terms' (one encoding pass)."""

    name = "dense"

    def run(self, index: SearchIndex, q: Query, limit: int, clock) -> tuple[dict[str, list[int]], dict[int, float]]:
        """({list name: chunk ids best first}, {chunk id: cosine}) of the main dense list."""
        out: dict[str, list[int]] = {}
        embedder = index.embedder
        if q.restored and q.restored != q.text:
            with clock("embed"):
                vec = embedder.encode_query(q.restored)
            with clock("faiss"):
                dense = _dense(index, vec, limit)
            out["dense_r"] = list(dense)
        elif q.gloss:
            with clock("embed"):
                vec, vec_g = embedder.encode_queries([q.text, q.gloss])
            with clock("faiss"):
                dense = _dense(index, vec, limit)
                out["dense"] = list(dense)
                out["dense_g"] = list(_dense(index, vec_g, limit))
        else:
            with clock("embed"):
                vec = embedder.encode_query(q.text)
            with clock("faiss"):
                dense = _dense(index, vec, limit)
            out["dense"] = list(dense)
        return out, dense


class LexicalRetriever:
    """BM25 over the lexical fields: accented syllables (accented questions, or the restored form), glossary
    terms (English), and folded syllables with word pairs and header words in the same query."""

    name = "lexical"

    def __init__(self, config: RankingConfig) -> None:
        self.config = config

    def run(self, index: SearchIndex, q: Query, limit: int, clock) -> dict[str, list[int]]:
        """{list name: chunk ids best first}; the lists search `q.lexical` when set (the question without the
        issuer and years it names), else the question."""
        boost = self.config.pair_boost
        out: dict[str, list[int]] = {}
        lex = q.text if q.lexical is None else q.lexical
        if q.restored and q.restored != q.text:
            lex_restored = q.restored if q.lexical is None else _restore(index, lex)
            with clock("lexical"):
                out["vi_r"] = _lexical(index, layout.ACCENTED, _SYLLABLE.analyze(lex_restored), limit, pair_boost=boost)
        if q.accented:
            with clock("lexical"):
                out["vi"] = _lexical(index, layout.ACCENTED, _SYLLABLE.analyze(lex), limit, pair_boost=boost)
        if q.english:
            lex_gloss = q.gloss if q.lexical is None else english_terms(index, lex)
            with clock("lexical"):
                out["gloss"] = (_lexical(index, layout.ACCENTED, _SYLLABLE.analyze(lex_gloss), limit, pair_boost=boost)
                                if lex_gloss else [])
            fold_tokens = _FOLD.analyze(" ".join(unknown_words(lex, ENGLISH_WORDS)))
        else:
            fold_tokens = _FOLD.analyze(lex)
        # word pairs only where the folded field is the main lexical signal; header words in the same query
        with clock("lexical"):
            out["fold"] = _lexical(index, layout.FOLDED, fold_tokens, limit, pairs=not q.accented,
                                   header_boost=self.config.header_boost, pair_boost=boost)
        return out


class NumberRetriever:
    """Passages found by the document numbers a question names ("35-CT/TW", "Chỉ thị 35"): the documents
    citing it (when the question asks who cites), its own passages, then the passages that mention it."""

    name = "numbers"

    def run(self, index: SearchIndex, q: Query, clock) -> list[tuple[int, str]]:
        """(chunk id, reason) in tier order; empty when the question names no number."""
        first: list[tuple[int, str]] = []
        with clock("numbers"):
            keys = q.number_keys + _typed_number_keys(index, q.typed_numbers)
            if keys:
                mentions = _number_chunks(index, keys, own=False)
                if q.cite_intent:
                    first += [(cid, "cites") for cid in citing_chunks(index, keys, mentions)]
                first += [(cid, "own") for cid in _number_chunks(index, keys, own=True)]
                first += [(cid, "number") for cid in mentions]
        return first


def _restore(index: SearchIndex, text: str) -> str:
    from vntext.restore import restore_diacritics

    return restore_diacritics(text, index.vocab)
