"""The on-disk index schema in one place, and the one class that reads and writes its lexical part.

Everything a builder and a searcher must agree on lives here: the file names of a generation, the format
version, the pipeline version recorded in the manifest, the fields of the tantivy index and their analyzers,
and how document numbers are written as index terms (a document's own number, numbers it mentions, textual
references such as "Quyết định 217", adjacent word pairs). No other module spells a field name or a key
prefix (tests/test_layout.py checks it). `LexicalIndex` answers the facade's verbs in the spirit of txtai's
Embeddings: create/load, index, save, and searches expressed in the index's own terms (BM25 over a text
field, chunks by number key, number keys by prefix, document frequency).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from vntext.numbers import textual_key  # noqa: F401  (the index's key of "Quyết định 217"; re-exported)

FORMAT_VERSION = 3  # 3: folded syllable pairs in the lexical index (phrase queries were too slow at 1M)

# files of an index folder and of one generation folder (see indexer/store.py for what each holds)
POINTER = "CURRENT"
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
DOCUMENTS = "documents.jsonl"
VECTORS = "vectors.faiss"
LEXICAL = "lexical"
VOCAB = "vocab.json"
VOCAB_COUNTS = "vocab_counts.npz"
REQUIRED = (CHUNKS, DOCUMENTS, VECTORS)  # a generation without any of these is damaged, whatever its manifest says
GENERATION_PREFIX = "gen-"

# fields of the lexical index; ACCENTED and FOLDED are the two text fields a searcher chooses between
_CHUNK_ID = "chunk_id"
_DOC_ID = "doc_id"
ACCENTED = "text_vi"  # syllables, lower-cased, diacritics kept
FOLDED = "text_fold"  # syllables, lower-cased, diacritics folded
_HEADER = "head_fold"  # the chunk's header words, folded
_PAIRS = "pair_fold"  # adjacent folded syllables as single terms
_NUMBERS = "numbers"  # number keys (own number with a prefix, mentioned numbers, textual references)
TEXT_FIELDS = (ACCENTED, FOLDED)

_SYLLABLE_TOKENIZER = "vi_syllable"
_FOLD_TOKENIZER = "vi_fold"
_PAIR_TOKENIZER = "vi_pair"

# key encodings of document numbers: a number's key is vntext.numbers.number_key, a reference by type and bare
# number ("Quyết định 217") is vntext.numbers.textual_key (a citation key, also used to match citations)
_OWN = "OWN"  # the chunk's document is this number (not just mentioning it)


def own_key(key: str) -> str:
    """The term of a document's own number key (a passage of the document itself, not one that mentions it)."""
    return _OWN + key


def pair_terms(tokens: list[str]) -> list[str]:
    """Adjacent token pairs as single terms ("can", "bo", "nu" -> "can_bo", "bo_nu"): a term query on them
    rewards words in their order at the price of a plain term lookup, not of a positional phrase query."""
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:])]


PIPELINE_STAGES = ("reader", "normalizer", "metadata", "chunker")


def pipeline_version(reader: str, normalizer: str, metadata: str, chunker: str) -> str:
    """The version of everything that turns a file into chunks ("reader=1;normalizer=1;metadata=1;chunker=1"),
    recorded in the manifest: a change to any part re-reads unchanged files on the next build."""
    return ";".join(f"{k}={v}" for k, v in zip(PIPELINE_STAGES, (reader, normalizer, metadata, chunker)))


def pipeline_changes(before: str, now: str) -> list[str]:
    """The stages (PIPELINE_STAGES) whose version differs between two pipeline versions; every stage when
    `before` is empty or not in this form (an index written before the version was recorded)."""
    def parts(version: str) -> dict[str, str]:
        pairs = [p.partition("=") for p in version.split(";")] if version else []
        return {k: v for k, sep, v in pairs if sep}

    old, new = parts(before), parts(now)
    if set(old) != set(PIPELINE_STAGES):
        return list(PIPELINE_STAGES)
    return [k for k in PIPELINE_STAGES if old.get(k) != new.get(k)]


def syllable_analyzer():
    """Vietnamese syllables, lower-cased (diacritics kept)."""
    import tantivy

    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase()).build()


def fold_analyzer():
    """Vietnamese syllables, lower-cased and diacritic-folded."""
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def _register_analyzers(index) -> None:
    """Custom analyzers are not stored in a tantivy index: register them on every open."""
    import tantivy

    index.register_tokenizer(_SYLLABLE_TOKENIZER, syllable_analyzer())
    index.register_tokenizer(_FOLD_TOKENIZER, fold_analyzer())
    index.register_tokenizer(_PAIR_TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())


def _schema():
    """Fields: chunk id, syllables, folded syllables, header (folded), folded syllable pairs, number keys.
    No positions are stored: word order is searched through the pair terms."""
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_unsigned_field(_CHUNK_ID, stored=True, indexed=True, fast=True)
    b.add_text_field(_DOC_ID, stored=False, tokenizer_name="raw")
    b.add_text_field(ACCENTED, stored=False, tokenizer_name=_SYLLABLE_TOKENIZER, index_option="freq")
    b.add_text_field(FOLDED, stored=False, tokenizer_name=_FOLD_TOKENIZER, index_option="freq")
    b.add_text_field(_HEADER, stored=False, tokenizer_name=_FOLD_TOKENIZER, index_option="freq")
    b.add_text_field(_PAIRS, stored=False, tokenizer_name=_PAIR_TOKENIZER, index_option="freq")
    b.add_text_field(_NUMBERS, stored=False, tokenizer_name="raw")
    return b.build()


_FOLD = None


def _fold_tokens(text: str) -> list[str]:
    global _FOLD
    if _FOLD is None:
        _FOLD = fold_analyzer()
    return _FOLD.analyze(text)


class LexicalIndex:
    """The tantivy index of one generation: chunks by syllables, folded syllables, header words, word pairs
    and number keys. Written once (`create` or `extend`, `index`, `save`), then only searched (`load`)."""

    def __init__(self, index, writer=None) -> None:
        self._index = index
        self._writer = writer
        self._searcher = None

    @classmethod
    def create(cls, path: Path) -> "LexicalIndex":
        """A new, empty index in the folder `path` (made here), ready for `index`."""
        import tantivy

        path.mkdir()
        return cls._writable(tantivy.Index(_schema(), path=str(path)))

    @classmethod
    def extend(cls, base: Path, path: Path) -> "LexicalIndex":
        """A new index in `path` holding everything of the index in `base`, ready for `index` to add to it.
        Segment files never change once written, so they are hard-linked (copied where links are impossible)."""
        import tantivy

        path.mkdir()
        for f in base.iterdir():
            if not f.is_file() or f.name.startswith(".tantivy"):
                continue
            if f.suffix == ".json":  # meta.json, .managed.json: replaced by tantivy on commit, copied to be safe
                shutil.copy2(f, path / f.name)
                continue
            try:
                os.link(f, path / f.name)
            except OSError:
                shutil.copy2(f, path / f.name)
        return cls._writable(tantivy.Index.open(str(path)))

    @classmethod
    def _writable(cls, index) -> "LexicalIndex":
        _register_analyzers(index)
        return cls(index, index.writer(heap_size=64_000_000, num_threads=1))

    @classmethod
    def load(cls, path: Path) -> "LexicalIndex":
        """The index in `path`, for searching; ValueError when it is missing or damaged (tantivy's report)."""
        import tantivy

        index = tantivy.Index.open(str(path))
        _register_analyzers(index)
        return cls(index)

    def index(self, chunk_id: int, doc_id: str, text: str, header: str, number_keys: Iterable[str]) -> None:
        """Add one chunk: its text (accented, folded and as word pairs), its header words and number keys."""
        import tantivy

        doc = tantivy.Document()
        doc.add_unsigned(_CHUNK_ID, chunk_id)
        doc.add_text(_DOC_ID, doc_id)
        doc.add_text(ACCENTED, text)
        doc.add_text(FOLDED, text)
        doc.add_text(_HEADER, header)
        doc.add_text(_PAIRS, " ".join(pair_terms(_fold_tokens(text))))
        for key in number_keys:
            doc.add_text(_NUMBERS, key)
        self._writer.add_document(doc)

    def save(self) -> None:
        """Commit what was indexed and wait for merges; the index is then only searched."""
        self._writer.commit()
        self._writer.wait_merging_threads()
        self._writer = None
        self._index.reload()

    @property
    def searcher(self):
        """One searcher for the life of the object: a generation never changes once written."""
        if self._searcher is None:
            self._searcher = self._index.searcher()
        return self._searcher

    @property
    def num_docs(self) -> int:
        """Chunks in the index."""
        return self.searcher.num_docs

    def doc_freq(self, field: str, term: str) -> int:
        """Chunks whose `field` (ACCENTED or FOLDED) holds `term`."""
        _check_text_field(field)
        return self.searcher.doc_freq(field, term)

    def bm25(self, field: str, tokens: list[str], limit: int, pair_boost: float | None = None,
             header_boost: float = 0.0) -> list[int]:
        """Chunk ids by BM25 over one text field: every token, plus (unless `pair_boost` is None) the adjacent
        folded token pairs at that weight, plus (when `header_boost`) the tokens in the chunk's header at that weight, in
        one query. Only term queries, no positional phrase queries (those cost 6-7x as much at 100k chunks)."""
        _check_text_field(field)
        tokens = [t for t in tokens if t]
        if not tokens:
            return []
        clauses = [(field, t, 1.0) for t in dict.fromkeys(tokens)]
        if header_boost:
            clauses += [(_HEADER, t, header_boost) for t in dict.fromkeys(tokens)]
        if pair_boost is not None:
            folded = tokens if field == FOLDED else _fold_tokens(" ".join(tokens))
            clauses += [(_PAIRS, p, pair_boost) for p in dict.fromkeys(pair_terms(folded))]
        return self._search(clauses, limit)

    def pair_chunks(self, pair: str, limit: int) -> list[int]:
        """Chunk ids holding one word-pair term (`pair_terms`), best first."""
        return self._search([(_PAIRS, pair, 1.0)], limit)

    def number_chunks(self, keys: list[str], own: bool, limit: int = 1000) -> list[int]:
        """Chunk ids of the documents numbered `keys` (`own`), or of the chunks that mention them."""
        if not keys:
            return []
        return self._search([(_NUMBERS, own_key(k) if own else k, 1.0) for k in keys], limit)

    def has_number_key(self, key: str) -> bool:
        """True when some chunk mentions the number key `key`."""
        return bool(self.searcher.doc_freq(_NUMBERS, key))

    def number_keys(self, prefixes: list[str]) -> list[str]:
        """The number keys in the index that start with one of `prefixes`: first those mentioned, then the
        documents' own numbers (without their own-number prefix), each in the order of `prefixes`."""
        out = []
        for own in (False, True):
            for prefix in prefixes:
                for t in self.searcher.terms_with_prefix(_NUMBERS, own_key(prefix) if own else prefix):
                    term = t if isinstance(t, str) else t[0]
                    out.append(term.removeprefix(_OWN) if own else term)
        return out

    def _search(self, clauses: list[tuple[str, str, float]], limit: int) -> list[int]:
        """Chunk ids, best first, of a boolean query of (field, term, boost) clauses any of which may match."""
        import tantivy

        if limit <= 0:
            return []
        schema = self._index.schema
        parts = []
        for field, term, boost in clauses:
            q = tantivy.Query.term_query(schema, field, term)
            parts.append((tantivy.Occur.Should, q if boost == 1.0 else tantivy.Query.boost_query(q, boost)))
        searcher = self.searcher
        result = searcher.search(tantivy.Query.boolean_query(parts), limit, count=False)
        addresses = [addr for _score, addr in result.hits]
        return list(searcher.fast_field_values(_CHUNK_ID, addresses)) if addresses else []


def _check_text_field(field: str) -> None:
    if field not in TEXT_FIELDS:
        raise ValueError(f"field: expected one of {', '.join(TEXT_FIELDS)}, got {field!r}")
