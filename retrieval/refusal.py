"""Refusing what the collection does not answer: the passages that may count as evidence for a question.

A question that names where, when or by whom ("Năm 2021, Tỉnh ủy Nghệ An ...", "Huyện ủy Hương Khê ...",
"What did Lam Dong approve ...") is answered only by documents that agree with it. `judge` keeps the ranked
passages whose document agrees with every such thing the question names (its metadata says so, or, when the
metadata is silent, the passage itself names it); when none agrees, the collection does not answer. When the
question asks a kind of fact (a figure, a date, a person or body, a document number) and no agreeing passage
holds a fact of that kind, it does not answer either. The no-answer evidence of `ask` is then computed over the
agreeing passages only. A question that names nothing of the kind keeps all its passages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.chunker import context_header as header_of

from .entities import Entities, _names_after_triggers, agreement, place_key, terms_in, years_in
from .facts import fact_spans
from .config import RankingConfig, ranking_config
from .index import SearchIndex
from .query import Query, as_query
from .search import Hit, _entity_context, named_entities, profile_of

# The settings (which named things decide, depth, the asked-fact check) live in retrieval/data/ranking.toml
# (`refusal` table of each model, read into RankingConfig.refusal): `judge` takes them from the configuration
# it is given, the fallback model's when none.

REASONS = {
    "": "",
    "no_agreeing_document": "no document of the collection agrees with the place or year the question names",
    "no_asked_fact": "the documents that agree with the question hold no fact of the kind it asks",
}


@dataclass
class Verdict:
    """Whether the collection can answer, and the passages that may count as evidence (all when the question
    names nothing to agree with)."""

    refuse: bool
    reason: str = ""  # a key of REASONS
    hits: list[Hit] = field(default_factory=list)
    named: dict[str, list] = field(default_factory=dict)


# a year that names a law's version ("Bộ luật Hình sự 2017", "Luật Đất đai năm 2013"), read in the folded question
_LAW_YEAR = re.compile(r"\bluat\b[^,.;:?!]{0,40}?\b(?:nam\s+)?((?:19|20)\d\d)\b")


def law_name_years(folded: str) -> set[int]:
    """Years that name a law's version rather than a time the answer must fall in: a consolidated code of 2017
    is still "Bộ luật Hình sự 2015" in its header, and its passages name no year (found on the ALQAC 2022 tune
    half: three answerable questions refused by the year gate)."""
    return {int(m.group(1)) for m in _LAW_YEAR.finditer(folded)}


def relevant(named: Entities, kinds: tuple[str, ...], folded: str = "") -> Entities:
    """The part of what a question names that decides agreement (only `kinds`; no year that names a law's
    version in the folded question)."""
    return Entities(
        places=named.places if "place" in kinds else frozenset(),
        bodies=named.bodies if "body" in kinds else frozenset(),
        years=named.years - law_name_years(folded) if "year" in kinds else frozenset(),
        terms=named.terms if "term" in kinds else frozenset(),
        doc_types=named.doc_types if "type" in kinds else frozenset(),
    )


def passage_agrees(named: Entities, values: dict[str, float], passage_text: str, passage_places: set[str]) -> bool:
    """A passage agrees when, for every named kind, its document's metadata agrees (`values` from
    entities.agreement) or the passage itself names it (a law of 2020 that says "đến hết ngày 31/12/2022"
    answers a question about 2022); a body or a type never excludes a passage."""
    for kind, v in values.items():
        if v > 0 or kind in ("body", "type"):
            continue
        if kind == "place" and not (named.places & passage_places):
            return False
        if kind == "year" and not (named.years & years_in(passage_text)):
            return False
        if kind == "term" and not (named.terms & terms_in(passage_text)):
            return False
    return True


def holds_fact(question: str | Query, hits: list[Hit], fact_min: float,
               fact_kinds: tuple[str, ...] = ("quantity", "date", "who")) -> bool:
    """Whether one of the passages holds a fact of the kind the question asks (always True when the question
    asks none of `fact_kinds`)."""
    asked = as_query(question).asked
    if asked.kind not in fact_kinds:
        return True
    return any(fact_spans(asked, h.chunk.text)[0] >= fact_min for h in hits)


def passage_places(index: SearchIndex, hit: Hit) -> set[str]:
    """Place keys a passage (with its header) names: the gazetteer's, and capitalised names after a body or a
    level word ("quận Hoàn Kiếm"), as the question's are read; kept on the loaded index (a generation never
    changes)."""
    cache = index.__dict__.setdefault("_passage_places", {})
    found = cache.get(hit.chunk.chunk_id)
    if found is None:
        gazetteer, _ = _entity_context(index)
        text = hit.chunk.text + "\n" + header_of(hit.chunk)
        found = gazetteer.find(text, accented=True) | {place_key(n) for n in _names_after_triggers(text)}
        cache[hit.chunk.chunk_id] = found
    return found


def judge(index: SearchIndex, question: str | Query, hits: list[Hit], kinds: tuple[str, ...] | None = None,
          depth: int | None = None, fact_min: float | None = None, check_facts: bool = True,
          agreeing_evidence: bool | None = None, config: RankingConfig | None = None) -> Verdict:
    """The passages that the no-answer evidence may read (those among the first `depth` hits that agree with
    what the question names, or all hits: `agreeing_evidence`), or a refusal with its reason."""
    settings = (config or ranking_config()).refusal
    if kinds is None:
        kinds = settings["kinds"]
    if depth is None:
        depth = settings["depth"]
    if agreeing_evidence is None:
        agreeing_evidence = settings["agreeing_evidence"]
    if fact_min is None and settings["fact_check"]:
        fact_min = settings["fact_min"]
    q = as_query(question)
    named = relevant(q.entities if q.entities is not None else named_entities(index, q), kinds, q.folded)
    if not named or not hits:
        return Verdict(False, "", list(hits))
    agreeing = []
    for h in hits[:depth]:
        values = agreement(named, profile_of(index, h.chunk.doc_id))
        text = h.chunk.text + "\n" + header_of(h.chunk)
        places = passage_places(index, h) if named.places else set()
        if passage_agrees(named, values, text, places):
            agreeing.append(h)
    shown = named.to_dict()
    if not agreeing:
        return Verdict(True, "no_agreeing_document", [], shown)
    if check_facts and fact_min is not None and not holds_fact(q, agreeing, fact_min, settings["fact_kinds"]):
        return Verdict(True, "no_asked_fact", agreeing, shown)
    return Verdict(False, "", agreeing if agreeing_evidence else list(hits), shown)
