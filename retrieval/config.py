"""Every tunable number of the ranking chain in one frozen value, one per embedding model, read once from
retrieval/data/ranking.toml (what each number is and where it was chosen: the comments there, docs/quality.md)."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

RANKING_FILE = Path(__file__).with_name("data") / "ranking.toml"
_KINDS = ("accented", "unaccented", "english")
_ENTITY_KINDS = ("place", "body", "year", "term", "type")
_REFUSAL_KEYS = ("kinds", "depth", "fact_check", "fact_min", "agreeing_evidence", "fact_kinds")
_ANSWER_KEYS = ("type", "semantic", "decay", "news", "context", "signer_fact", "other_document", "passages",
                "max_candidates")


def _frozen(value):
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    return value


def _plain(value):
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class RankingConfig:
    """Fusion weights, boosts, metadata bonuses and penalties, no-answer thresholds and answer weights."""

    model_id: str
    candidates: int
    filtered_factor: int
    rrf_k: int
    pair_boost: float
    header_boost: float
    strip_named: bool
    number_evidence: float
    dense_weight: float
    weights: Mapping[str, Mapping[str, float]]  # by kind of query: accented, unaccented, english
    metadata_bonus: Mapping[str, float]
    metadata_penalty: Mapping[str, float]
    no_answer_thresholds: Mapping[str, float]  # "vi", "en"
    answer: Mapping[str, float]
    refusal: Mapping[str, object]  # which named things decide agreement, how deep, the asked-fact check

    def __post_init__(self) -> None:
        refusal = {k: tuple(v) if isinstance(v, list) else v for k, v in dict(self.refusal).items()}
        object.__setattr__(self, "refusal", refusal)
        for name in ("weights", "metadata_bonus", "metadata_penalty", "no_answer_thresholds", "answer", "refusal"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        if set(self.weights) != set(_KINDS):
            raise ValueError(f"weights: expected the kinds {', '.join(_KINDS)}, got {', '.join(sorted(self.weights))}")
        for name in ("metadata_bonus", "metadata_penalty"):
            if set(getattr(self, name)) != set(_ENTITY_KINDS):
                raise ValueError(f"{name}: expected the keys {', '.join(_ENTITY_KINDS)}")
        if set(self.no_answer_thresholds) != {"vi", "en"}:
            raise ValueError("no_answer_thresholds: expected the keys vi, en")
        if set(self.answer) != set(_ANSWER_KEYS):
            raise ValueError(f"answer: expected the keys {', '.join(_ANSWER_KEYS)}")
        if set(self.refusal) != set(_REFUSAL_KEYS):
            raise ValueError(f"refusal: expected the keys {', '.join(_REFUSAL_KEYS)}")
        if self.candidates < 0 or self.rrf_k < 0:
            raise ValueError("candidates, rrf_k: must be >= 0")

    def replace(self, **changes) -> "RankingConfig":
        """A copy with some values changed (plain dicts accepted): how bench/tune_quality.py tries weights."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain values, as in ranking.toml."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, model_id: str, data: Mapping) -> "RankingConfig":
        """A configuration from one model's table; a missing or unknown key is named in the error."""
        names = [f.name for f in dataclasses.fields(cls) if f.name != "model_id"]
        missing = [n for n in names if n not in data]
        extra = [k for k in data if k not in names]
        if missing or extra:
            raise ValueError(f"ranking configuration of {model_id}: missing {missing}, unknown {extra}")
        return cls(model_id=model_id, **{n: data[n] for n in names})


@lru_cache(maxsize=None)
def _tables(path: Path) -> tuple[str, dict]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return data["fallback"], data["models"]


def ranking_config(model_id: str | None = None, path: Path = RANKING_FILE) -> RankingConfig:
    """The configuration for an embedding model (the fallback model's when it has no table of its own)."""
    fallback, models = _tables(path)
    return _config(model_id if model_id in models else fallback, path)


@lru_cache(maxsize=None)
def _config(key: str, path: Path) -> RankingConfig:
    return RankingConfig.from_dict(key, _tables(path)[1][key])
