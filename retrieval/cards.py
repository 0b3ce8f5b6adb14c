"""Document cards and the relations between the documents of a collection.

`Catalogue.from_index(index)` is built once per loaded index: a card per document (type, number, issuer,
date, subject, signer, sections, relations with their inverses), look-up by number ("35-CT/TW",
"Chỉ thị 35", "cong van 517"), who cites a number, and warnings on documents that a later document of
the collection replaces, repeals or amends. `lookup(query)` answers a question that names a document
number with its card(s), or says that the number is not in the collection and which documents cite it.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from functools import cached_property

from indexer.document import Chunk, DocMeta, Document, Relation
from vntext.numbers import DOC_NUMBER_RE, FOLDED_TYPES, TYPE_NAMES, find_numbers_any_case
from vntext.normalize import fold, normalize
from vntext.words import WORD
from indexer.relations import extract_relations

from .citation import issuing_body, report_citation, short_citation
from .references import TYPED_QUERY, Ref, query_references

__all__ = ["Catalogue", "CardAnswer", "Citing", "DocumentCard", "Link", "Missing", "Ref", "Warning", "catalogue_of",
           "query_references"]

OUTGOING = ("cites", "replaces", "repeals", "amends", "implements")
INVERSE = {"cites": "cited_by", "replaces": "replaced_by", "repeals": "repealed_by", "amends": "amended_by",
           "implements": "implemented_by"}
KINDS = OUTGOING + tuple(INVERSE.values())
# warnings on a document that a later document of the collection acts on, by inverse relation
WARNING_TEXT = {
    "replaced_by": "Văn bản này đã được thay thế bởi {citation}.",
    "repealed_by": "Văn bản này đã bị bãi bỏ bởi {citation}.",
    "amended_by": "Văn bản này đã được sửa đổi, bổ sung bởi {citation}.",
}
NOT_IN_COLLECTION = "{document} không có trong kho văn bản."
CITING_SHOWN = 50  # citing documents a look-up lists (the newest); the total is given beside them
MAX_AMBIGUOUS = 3  # a number that more documents carry, with nothing to tell them apart, links to none
_DATE = re.compile(r"ngày\s+(\d{1,2})(?:[/.-]|\s+tháng\s+)(\d{1,2})(?:[/.-]|\s+năm\s+)(\d{4})", re.IGNORECASE)
# a document number, or a type and a bare number, right before a date ("215-CV/TU, ngày 10/01/2025")
_REF_BEFORE = re.compile(
    rf"(?:({DOC_NUMBER_RE.pattern})|(?<!\w)({'|'.join(map(re.escape, TYPE_NAMES))})\s+(?:số\s+)?(\d{{1,5}}))\s*,?\s*$",
    re.IGNORECASE,
)
# words a pure look-up may hold besides the reference itself ("tìm văn bản số ...", "toàn văn ...")
_LOOKUP_WORDS = frozenset(
    "van ban so ky hieu tim xem mo noi dung toan cho toi la gi the nao ve cua nao trich dan chieu vien can cu "
    "find show open document documents number which cite cites cited citing text full the of".split()
)


@dataclass(frozen=True)
class Link:
    """One relation on a card: its kind (outgoing or inverse), the other document's number as written or
    its short label, that document's id when it is in the collection, and the words that say so."""

    kind: str
    number: str
    doc_id: str | None
    phrase: str

    def to_dict(self) -> dict:
        """JSON form."""
        return {"kind": self.kind, "number": self.number, "doc_id": self.doc_id, "phrase": self.phrase}


@dataclass(frozen=True)
class Warning:  # noqa: A001 (the name agreed between helpers; no builtin Warning is used in this module)
    """A later document of the collection replaces, repeals or amends this one."""

    kind: str  # replaced_by, repealed_by, amended_by
    number: str
    doc_id: str
    date: str
    citation: str  # the later document's report citation
    text: str  # the sentence shown to the user

    def to_dict(self) -> dict:
        """JSON form."""
        return {"kind": self.kind, "number": self.number, "doc_id": self.doc_id, "date": self.date,
                "citation": self.citation, "text": self.text}


@dataclass(eq=False)  # one card per document: compared by identity
class DocumentCard:
    """What a drafter needs to know about one document of the collection."""

    doc_id: str
    source: str
    meta: DocMeta
    sections: list[str]
    links: list[Link] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    @cached_property
    def place(self) -> str:
        """The place line's name, folded and lower-cased ("ha tinh"), for telling issuers apart."""
        return fold(self.meta.place).lower()

    @cached_property
    def where(self) -> str:
        """Its issuer, organ, place, outlet and subject, folded: the places it names ("Báo Hà Tĩnh")."""
        m = self.meta
        return fold(f"{m.issuer} {m.organ} {m.place} {m.outlet} {m.subject}").lower()

    @cached_property
    def label(self) -> str:
        """The document's number, or its short citation when it has none (news)."""
        return self.meta.number or short_citation(self.meta, source=self.source)

    @property
    def relations(self) -> dict[str, list[str]]:
        """{kind: [numbers]} for every outgoing and inverse kind (empty lists included)."""
        out: dict[str, dict[str, None]] = {kind: {} for kind in KINDS}
        for link in self.links:
            out[link.kind][link.number] = None
        return {kind: list(numbers) for kind, numbers in out.items()}

    @property
    def citation(self) -> str:
        """The short citation of the whole document."""
        return short_citation(self.meta, source=self.source)

    @cached_property
    def citation_report(self) -> str:
        """The report-form citation of the whole document."""
        return report_citation(self.meta)

    def to_dict(self) -> dict:
        """JSON form (the same for the CLI, the app and the HTTP API)."""
        m = self.meta
        return {
            "doc_id": self.doc_id, "source": self.source, "type": m.doc_type, "number": m.number,
            "issuer": m.issuer, "body": issuing_body(m) if not m.is_news else m.outlet, "date": m.date,
            "subject": m.subject, "signer": m.signer, "signer_title": m.signer_title, "is_news": m.is_news,
            "outlet": m.outlet, "sections": list(self.sections), "relations": self.relations,
            "links": [link.to_dict() for link in self.links], "warnings": [w.to_dict() for w in self.warnings],
            "citation": self.citation, "citation_report": self.citation_report,
        }


@dataclass(frozen=True)
class Citing:
    """A document of the collection that cites a number, with the passage that cites it."""

    card: DocumentCard
    passage: str
    section: str
    phrase: str

    def to_dict(self) -> dict:
        """JSON form."""
        return {"doc_id": self.card.doc_id, "source": self.card.source, "number": self.card.meta.number,
                "citation": short_citation(self.card.meta, self.section, self.card.source),
                "citation_report": report_citation(self.card.meta, self.section), "section": self.section,
                "passage": self.passage, "phrase": self.phrase}


@dataclass
class Missing:
    """A number the query names that no document of the collection carries."""

    number: str
    citing: list[Citing]
    doc_type: str = ""  # as the query names it ("Quy định"), else as the number's abbreviation suggests
    total: int = 0  # documents that cite it (`citing` holds the newest CITING_SHOWN)

    @property
    def text(self) -> str:
        """The sentence that says so."""
        ref = Ref.parse(self.number)
        if not ref.key:
            document = self.number  # "Nghị quyết 11"
        else:
            document = f"{self.doc_type or ref.doc_type or 'Văn bản'} số {self.number}"
        return NOT_IN_COLLECTION.format(document=document)

    def to_dict(self) -> dict:
        """JSON form: {number, text, cited_by: [...] (the newest first), cited_by_total}."""
        return {"number": self.number, "text": self.text, "cited_by": [c.to_dict() for c in self.citing],
                "cited_by_total": max(self.total, len(self.citing))}


@dataclass
class CardAnswer:
    """What `Catalogue.lookup` found for the numbers a query names; false when it names none."""

    query: str
    references: list[str]
    cards: list[DocumentCard]
    missing: list[Missing]
    lookup_only: bool  # the query is nothing but the reference: the card is the answer

    def __bool__(self) -> bool:
        return bool(self.references)

    def to_dict(self) -> dict:
        """JSON: `card` (the first found), `cards`, `not_in_collection` (the first missing number), `missing`,
        `lookup_only` (the query is nothing but the reference: the card answers it)."""
        return {
            "card": self.cards[0].to_dict() if self.cards else None,
            "cards": [c.to_dict() for c in self.cards],
            "not_in_collection": self.missing[0].to_dict() if self.missing else None,
            "missing": [m.to_dict() for m in self.missing],
            "lookup_only": self.lookup_only,
        }


class Catalogue:
    """Cards of every document of one loaded index, their relations, and look-up by number."""

    def __init__(self, documents: dict[str, Document], chunks_by_doc: dict[str, list[Chunk]]):
        self._documents = documents
        self._chunks = chunks_by_doc
        self._cards: dict[str, DocumentCard] = {}
        self._relations: dict[str, list[Relation]] = {}
        self._by_key: dict[str, list[str]] = {}
        self._by_pair: dict[tuple[str, int], list[str]] = {}
        self._cites_key: dict[str, list[tuple[str, Relation]]] = {}
        self._cites_pair: dict[tuple[str, int], list[tuple[str, Relation]]] = {}
        self._number_dates: dict[str, dict] = {}  # doc_id -> what _dates read, for numbers several documents carry
        for doc in sorted(documents.values(), key=lambda d: d.source):
            meta = doc.meta
            sections = list(dict.fromkeys(c.section for c in chunks_by_doc.get(doc.doc_id, [])))
            self._cards[doc.doc_id] = DocumentCard(doc.doc_id, doc.source, meta, sections)
            rels = meta.relations if meta.relations is not None else extract_relations(doc.text, meta.number, meta.is_news)
            self._relations[doc.doc_id] = rels
            if meta.number:
                own = Ref.parse(meta.number)
                self._by_key.setdefault(own.key, []).append(doc.doc_id)
                for pair in {Ref(meta.number, t, own.n).pair for t in {meta.doc_type, own.doc_type} - {""}}:
                    self._by_pair.setdefault(pair, []).append(doc.doc_id)
            for rel in rels:
                if rel.kind == "cites":
                    ref = Ref.parse(rel.number)
                    if ref.key:
                        self._cites_key.setdefault(ref.key, []).append((doc.doc_id, rel))
                    self._cites_pair.setdefault(ref.pair, []).append((doc.doc_id, rel))
        self._link()

    @classmethod
    def from_index(cls, index) -> "Catalogue":
        """The catalogue of a loaded SearchIndex."""
        return cls(index.documents, index.by_doc)

    def _link(self) -> None:
        for doc_id, rels in self._relations.items():
            card = self._cards[doc_id]
            label = card.label
            for rel in rels:
                targets = [t for t in self.resolve(rel.number, self._documents[doc_id]) if t.doc_id != doc_id]
                for target in targets or [None]:
                    card.links.append(Link(rel.kind, rel.number, target.doc_id if target else None, rel.phrase))
                for target in targets:
                    target.links.append(Link(INVERSE[rel.kind], label, doc_id, rel.phrase))
        for card in self._cards.values():
            card.warnings = self._warnings_of(card)

    def _warnings_of(self, card: DocumentCard) -> list[Warning]:
        out = []
        for link in card.links:
            if link.kind not in WARNING_TEXT or link.doc_id is None:
                continue
            later = self._cards[link.doc_id]
            if not (card.meta.date and later.meta.date and later.meta.date > card.meta.date):
                continue  # only a later document supersedes
            citation = later.citation_report
            out.append(Warning(link.kind, later.meta.number, later.doc_id, later.meta.date, citation,
                               WARNING_TEXT[link.kind].format(citation=citation)))
        return out

    def _dates(self, doc: Document) -> dict:
        """{number key or (type, bare number): ISO dates written right after it} of one document, read once."""
        if doc.doc_id not in self._number_dates:
            out: dict = {}
            for date in _DATE.finditer(doc.text):
                m = _REF_BEFORE.search(doc.text, max(0, date.start() - 40), date.start())
                if m:
                    ref = Ref.parse(m.group(1) or f"{m.group(2)} {m.group(3)}")
                    day, month, year = date.groups()
                    out.setdefault(ref.key or ref.pair, set()).add(f"{int(year):04d}-{int(month):02d}-{int(day):02d}")
            self._number_dates[doc.doc_id] = out
        return self._number_dates[doc.doc_id]

    def resolve(self, number: str, citing: Document | None = None) -> list[DocumentCard]:
        """The documents of the collection that carry `number` ("35-CT/TW" or "Chỉ thị 35"). Named by a
        `citing` document while several documents carry it (every Tỉnh ủy writes a 215-CV/TU): those
        with the date it gives ("215-CV/TU, ngày 10/01/2025"), else those of its issuer, else of its place
        (named in its issuer, place, outlet or subject);
        none when more than MAX_AMBIGUOUS remain."""
        ref = Ref.parse(number)
        ids = self._by_key.get(ref.key, []) if ref.key else self._by_pair.get(ref.pair, [])
        cards = [self._cards[i] for i in ids]
        if citing is None or len(cards) <= 1:
            return cards
        dates = self._dates(citing).get(ref.key or ref.pair, set())
        cards = [c for c in cards if c.meta.date in dates] or cards
        if len(cards) > 1:
            cards = [c for c in cards if c.meta.issuer == citing.meta.issuer] or cards
        if len(cards) > 1:
            where = self._cards[citing.doc_id].where if citing.doc_id in self._cards else ""
            cards = [c for c in cards if c.place and c.place in where] or cards
        return cards if len(cards) <= MAX_AMBIGUOUS else []

    def __len__(self) -> int:
        return len(self._cards)

    def card(self, doc_id: str) -> DocumentCard:
        """The card of one document (KeyError when the collection has no such document)."""
        return self._cards[doc_id]

    def cards(self) -> list[DocumentCard]:
        """Every card, by source path."""
        return list(self._cards.values())

    def by_number(self, number: str) -> list[DocumentCard]:
        """The documents that carry `number`, typed in any usual form ("35-CT/TW", "35/CT-TW", "Chỉ thị 35")."""
        refs = query_references(number) or [Ref.parse(number)]
        out: list[DocumentCard] = []
        for ref in refs:
            out.extend(c for c in self._find(ref) if c not in out)
        return out

    def _find(self, ref: Ref) -> list[DocumentCard]:
        ids = self._by_key.get(ref.key, []) if ref.key else self._by_pair.get(ref.pair, [])
        return [self._cards[i] for i in ids]

    def warnings(self, doc_id: str) -> list[Warning]:
        """Later documents of the collection that replace, repeal or amend this one."""
        card = self._cards.get(doc_id)
        return list(card.warnings) if card else []

    def citing(self, number: str, limit: int | None = None) -> list[Citing]:
        """The documents that cite `number` (the newest first, at most `limit`), each with its passage
        that names it."""
        return self._citing(number, limit)[0]

    def _citing(self, number: str, limit: int | None) -> tuple[list[Citing], int]:
        refs = query_references(number)
        ref = refs[0] if refs else Ref.parse(number)
        found: dict[str, Relation] = {}
        for doc_id, rel in self._cites_key.get(ref.key, []) + self._cites_pair.get(ref.pair, []):
            if doc_id not in found and ref.matches(Ref.parse(rel.number)):
                found[doc_id] = rel
        newest = sorted(found, key=lambda d: self._cards[d].meta.date, reverse=True)
        out: list[Citing] = []
        for doc_id in newest[:limit]:
            rel = found[doc_id]
            chunk = self._citing_chunk(doc_id, rel.number)
            passage, section = (chunk.text, chunk.section) if chunk else (rel.phrase, "")
            out.append(Citing(self._cards[doc_id], passage, section, rel.phrase))
        return out, len(found)

    def cited_by(self, number: str) -> list[tuple[DocumentCard, str]]:
        """(card, passage that cites it) for every document of the collection that cites `number`."""
        return [(c.card, c.passage) for c in self.citing(number)]

    def _citing_chunk(self, doc_id: str, number: str) -> Chunk | None:
        chunks = self._chunks.get(doc_id, [])
        ref = Ref.parse(number)
        if ref.key:
            pattern = re.escape(number)
        else:
            pattern = rf"(?i){re.escape(ref.doc_type)}\s+(?:số\s+)?0*{ref.n}(?!\d)"
        return next((c for c in chunks if re.search(pattern, c.text)), None)

    def lookup(self, query_text: str) -> CardAnswer:
        """The cards of the numbers a query names, and for each number not in the collection the documents
        that cite it; a false CardAnswer when the query names no number."""
        refs = query_references(query_text)
        cards: list[DocumentCard] = []
        missing: list[Missing] = []
        for ref in refs:
            found = self._find(ref)
            if found:
                cards.extend(c for c in found if c not in cards)
            else:
                citing, total = self._citing(ref.text, CITING_SHOWN)
                missing.append(Missing(ref.text, citing, ref.doc_type, total))
        return CardAnswer(query_text, [r.text for r in refs], cards, missing, bool(refs) and _only_reference(query_text, refs, cards))


def _only_reference(query: str, refs: list[Ref], cards: list[DocumentCard]) -> bool:
    """True when the query holds nothing but the reference(s), look-up words and the found issuers' names."""
    folded = fold(normalize(query)).lower()
    for number in find_numbers_any_case(normalize(query)):
        folded = folded.replace(fold(number).lower(), " ")
    folded = TYPED_QUERY.sub(" ", folded)
    allowed = set(_LOOKUP_WORDS) | {w for t in FOLDED_TYPES for w in t.split()}
    for card in cards:
        allowed |= set(re.findall(r"\w+", fold(f"{card.meta.issuer} {issuing_body(card.meta)}").lower()))
    words = WORD.findall(folded)
    return all(w in allowed for w in words)


_CACHE: dict[int, tuple[weakref.ref, Catalogue]] = {}


def catalogue_of(index) -> Catalogue:
    """The Catalogue of a loaded index, built on first use and kept while the index lives."""
    entry = _CACHE.get(id(index))
    if entry is not None and entry[0]() is index:
        return entry[1]
    catalogue = Catalogue.from_index(index)
    key = id(index)
    _CACHE[key] = (weakref.ref(index, lambda _ref: _CACHE.pop(key, None)), catalogue)
    return catalogue
