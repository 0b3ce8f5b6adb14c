"""The values that flow through the pipeline: `Document` (one file) and `Chunk` (one passage)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Relation:
    """A link from a document to another one named by its number: `kind` is cites, replaces, repeals,
    amends or implements; `number` as written ("35-CT/TW", "Chỉ thị 35"); `phrase` the words that say so."""

    kind: str
    number: str
    phrase: str


@dataclass
class DocMeta:
    """Metadata read from a document's own text; a field the text does not give stays empty."""

    doc_type: str = ""
    number: str = ""
    issuer: str = ""
    place: str = ""
    date: str = ""  # ISO yyyy-mm-dd
    subject: str = ""
    signer: str = ""
    signer_title: str = ""
    cites: list[str] = field(default_factory=list)
    is_news: bool = False
    outlet: str = ""  # news: the outlet that published it ("Báo Cần Thơ"); empty when not known
    organ: str = ""  # the issuing organ proper ("Quận ủy Ninh Kiều" under "Đảng bộ thành phố Cần Thơ")
    relations: list[Relation] | None = None  # None: not extracted (an index built before relations existed)

    def __post_init__(self) -> None:
        if self.relations is not None:  # read back from JSON as dicts
            self.relations = [r if isinstance(r, Relation) else Relation(**r) for r in self.relations]


@dataclass
class Document:
    """A normalised document read from one corpus file."""

    doc_id: str  # hash of the normalised text: equal content, equal id
    source: str  # path relative to the corpus folder, with forward slashes
    text: str
    meta: DocMeta
    file_sha256: str = ""


@dataclass
class Chunk:
    """A passage of a document, with where it lies and what it belongs to."""

    chunk_id: int
    doc_id: str
    source: str
    start: int  # character span in the normalised document text
    end: int
    section: str  # e.g. "mục 4", "Chương II > Điều 3", "đoạn 2"
    text: str
    meta: DocMeta


def text_id(text: str) -> str:
    """Stable id of a normalised text (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def chunk_id_for(doc_id: str, start: int) -> int:
    """Stable 63-bit id of the chunk of `doc_id` that starts at `start`."""
    digest = hashlib.sha256(f"{doc_id}:{start}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1
