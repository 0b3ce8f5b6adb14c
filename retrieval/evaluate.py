"""Retrieval quality on a question set, tune and held-out halves side by side: Hit@1, Hit@5, MRR@10, nDCG@10,
answer accuracy and refusals, per query type.

python -m retrieval.evaluate --index DIR --questions FILE.jsonl [--k 10] [--half tune|held-out] [--json]

Two question formats are read:
- the project's: {"id": "q01", "question": "...", "type": "vi|vi-nodiac|en|number|none",
  "gold": [{"source": "000_....txt", "phrase": "short exact phrase"}], "answer": ["fact", ...]} (`none`: no
  gold; `answer` optional). A passage is a hit when it comes from a gold source and contains that source's
  phrase, both compared after diacritic folding and whitespace collapsing.
- ALQAC's: {"id", "lang", "q", "gold": [["<file>", "Điều N"]], "src"}: a passage is a hit when it comes from
  that file and its section names article N ("Điều 429-430" counts for both).

Every set is split by id into a tune half and a held-out half (`half_of`); ALQAC's halves are its two releases
(ALQAC 2022 = tune, ALQAC 2023 = held-out). Weights and thresholds are chosen on tune halves only.
Answer accuracy: the printed answer comes from a gold document and contains one of the gold `answer` facts
(compared after NFC, tone-placement and whitespace normalisation, case-insensitive); a refused answerable
question counts as wrong; questions without `answer` facts are left out of it (n/a when none has them)."""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from vntext.normalize import fold, normalize

TYPES = ("vi", "vi-nodiac", "en", "number", "none")
HALVES = ("tune", "held-out")
_ARTICLE = re.compile(r"(?:đi[eề]u|dieu)\s*(\d+)(?:\s*[-–]\s*(\d+))?(?![\d\w])", re.IGNORECASE)


@dataclass
class Question:
    """One evaluation question with its gold evidence."""

    qid: str
    question: str
    qtype: str
    gold: list[tuple[str, str]] = field(default_factory=list)  # (source, phrase)
    sections: list[tuple[str, int]] = field(default_factory=list)  # (source, article number)
    answers: list[str] = field(default_factory=list)  # gold facts the printed answer must hold
    src: str = ""

    @property
    def answerable(self) -> bool:
        """False for `none` questions."""
        return self.qtype != "none"

    @property
    def sources(self) -> set[str]:
        """The gold documents."""
        return {s for s, _ in self.gold} | {s for s, _ in self.sections}

    @property
    def half(self) -> str:
        """tune or held-out (see `half_of`)."""
        return half_of(self.qid, self.src)


def half_of(qid: str, src: str = "") -> str:
    """The stable half of a question: ALQAC 2023 is held-out and ALQAC 2022 tune (the dataset's own rule);
    any other question by the parity of the first byte of SHA-1 of its id."""
    if src.startswith("ALQAC2023"):
        return "held-out"
    if src.startswith("ALQAC2022"):
        return "tune"
    return "tune" if hashlib.sha1(qid.encode("utf-8")).digest()[0] % 2 == 0 else "held-out"


def canon(text: str) -> str:
    """Folded, lower-cased, whitespace-collapsed form used for comparing phrases."""
    return re.sub(r"\s+", " ", fold(text).lower()).strip()


def canon_fact(text: str) -> str:
    """NFC, canonical tone placement, lower case, whitespace collapsed: how answer facts are compared."""
    return re.sub(r"\s+", " ", normalize(text).lower()).strip()


def article_numbers(section: str) -> set[int]:
    """Article numbers a section path names: "Chương II > Điều 12" -> {12}; "Điều 429-430" -> {429, 430}."""
    out: set[int] = set()
    for a, b in _ARTICLE.findall(normalize(section)):
        lo, hi = int(a), int(b or a)
        out.update(range(lo, hi + 1) if hi - lo < 20 else {lo})
    return out


def load_questions(path: Path) -> list[Question]:
    """Read a JSONL question file (either format); ValueError names the line and field that is wrong."""
    out: list[Question] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        out.append(_question(data, f"{path}:{n}", n))
    return out


def _question(data: dict, where: str, n: int) -> Question:
    qtype = data.get("type", data.get("lang"))
    if qtype not in TYPES:
        raise ValueError(f"{where}: type must be one of {', '.join(TYPES)}, got {qtype!r}")
    text = str(data.get("question", data.get("q", ""))).strip()
    if not text:
        raise ValueError(f"{where}: question is empty")
    gold: list[tuple[str, str]] = []
    sections: list[tuple[str, int]] = []
    for g in data.get("gold", []):
        if isinstance(g, dict):
            gold.append((g["source"], g["phrase"]))
        else:
            articles = article_numbers(g[1])
            if len(articles) != 1:
                raise ValueError(f"{where}: gold section must name one article, got {g[1]!r}")
            sections.append((g[0], articles.pop()))
    if qtype != "none" and not (gold or sections):
        raise ValueError(f"{where}: gold is required for type {qtype}")
    answers = data.get("answer", [])
    if isinstance(answers, str) or not all(isinstance(a, str) for a in answers):
        raise ValueError(f"{where}: answer must be a list of strings")
    return Question(str(data.get("id", n)), text, qtype, gold, sections, list(answers), str(data.get("src", "")))


def is_hit(source: str, text: str, gold: list[tuple[str, str]]) -> bool:
    """True when a passage comes from a gold source and contains its phrase."""
    body = canon(text)
    return any(source == s and canon(p) in body for s, p in gold)


def _same_file(source: str, name: str) -> bool:
    return source == name or source.endswith("/" + name)


def chunk_is_hit(q: Question, chunk, body: str | None = None) -> bool:
    """True when a passage is gold evidence for the question (phrase gold or section gold); `body`: the
    passage's `canon` form when already known."""
    if q.gold and any(chunk.source == s for s, _ in q.gold):
        body = canon(chunk.text) if body is None else body
        if any(chunk.source == s and canon(p) in body for s, p in q.gold):
            return True
    if q.sections and any(_same_file(chunk.source, s) for s, _ in q.sections):
        arts = article_numbers(chunk.section)
        return any(_same_file(chunk.source, s) and a in arts for s, a in q.sections)
    return False


def answer_correct(q: Question, answer) -> bool:
    """The printed answer comes from a gold document and holds one of the gold facts."""
    if answer is None:
        return False
    if not any(_same_file(answer.chunk.source, s) for s in q.sources):
        return False
    text = canon_fact(answer.text)
    return any(canon_fact(a) in text for a in q.answers)


def dcg(relevances: list[int]) -> float:
    """Discounted cumulative gain of binary relevances in rank order."""
    return sum(r / math.log2(i + 2) for i, r in enumerate(relevances))


@dataclass
class Outcome:
    """What the system did for one question."""

    question: Question
    ranks: list[int]  # 1-based ranks of hits within the top k
    relevant_total: int
    refused: bool
    top: list[str]  # citations of the first results, for the miss list
    evidence: float
    answer_ok: bool | None = None  # None: the question has no gold facts
    answer_text: str = ""


def metrics(outcomes: list[Outcome], k: int) -> dict[str, float]:
    """Hit@1, Hit@5, MRR@k, nDCG@k, answer accuracy over answerable questions; refusal rates."""
    answerable = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    out: dict[str, float] = {"n": float(len(outcomes))}
    if answerable:
        out["hit@1"] = sum(1 for o in answerable if o.ranks and o.ranks[0] == 1) / len(answerable)
        out["hit@5"] = sum(1 for o in answerable if o.ranks and o.ranks[0] <= 5) / len(answerable)
        out[f"mrr@{k}"] = sum(1.0 / o.ranks[0] for o in answerable if o.ranks) / len(answerable)
        ndcgs = []
        for o in answerable:
            rel = [1 if r in o.ranks else 0 for r in range(1, k + 1)]
            ideal = dcg([1] * min(k, max(1, o.relevant_total)))
            ndcgs.append(dcg(rel) / ideal)
        out[f"ndcg@{k}"] = sum(ndcgs) / len(ndcgs)
        out["wrongly_refused"] = sum(1 for o in answerable if o.refused) / len(answerable)
        judged = [o for o in answerable if o.answer_ok is not None]
        if judged:
            out["answer_acc"] = sum(1 for o in judged if o.answer_ok) / len(judged)
    if unanswerable:
        out["no_answer_correct"] = sum(1 for o in unanswerable if o.refused) / len(unanswerable)
    return out


def evaluate(index, questions: list[Question], k: int = 10, chain=None) -> list[Outcome]:
    """Run every question through the ranking chain's `ask` (search + answer + no-answer decision) and score it.
    `chain`: a retrieval.chain.Chain over `index` (default: the index's own, with its model's configuration)."""
    from .chain import chain_of
    from .citation import format_citation

    if chain is None:
        chain = chain_of(index)

    outcomes = []
    by_source: dict[str, list] = defaultdict(list)
    for c in index.chunks.values():
        by_source[c.source].append(c)
    bodies: dict[int, str] = {}

    def hit(q: Question, c) -> bool:
        if q.gold and c.chunk_id not in bodies:
            bodies[c.chunk_id] = canon(c.text)
        return chunk_is_hit(q, c, bodies.get(c.chunk_id))

    for q in questions:
        result = chain.ask(q.question, k=k)
        ranks = [h.rank for h in result.hits if hit(q, h.chunk)] if q.answerable else []
        candidates = [c for src, cs in by_source.items() if any(_same_file(src, s) for s in q.sources) for c in cs]
        total = sum(1 for c in candidates if hit(q, c)) if q.answerable else 0
        answer = None if result.no_answer else result.answer
        ok = answer_correct(q, answer) if q.answerable and q.answers else None
        outcomes.append(
            Outcome(q, ranks, total, result.no_answer, [format_citation(h.chunk) for h in result.hits[:3]],
                    result.evidence, ok, answer.text if answer is not None else "")
        )
    return outcomes


def report(outcomes: list[Outcome], k: int) -> dict[str, dict[str, float]]:
    """Metrics overall and per query type."""
    by_type: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_type[o.question.qtype].append(o)
    table = {t: metrics(by_type[t], k) for t in TYPES if by_type.get(t)}
    table["overall"] = metrics(outcomes, k)
    return table


def report_halves(outcomes: list[Outcome], k: int) -> dict[str, dict[str, dict[str, float]]]:
    """`report` for the tune half and the held-out half."""
    return {h: report([o for o in outcomes if o.question.half == h], k) for h in HALVES
            if any(o.question.half == h for o in outcomes)}


def _columns(k: int) -> list[str]:
    return ["n", "hit@1", "hit@5", f"mrr@{k}", f"ndcg@{k}", "answer_acc", "wrongly_refused", "no_answer_correct"]


def _cell(row: dict[str, float] | None, c: str) -> str:
    v = None if row is None else row.get(c)
    return "–" if v is None else (f"{int(v)}" if c == "n" else f"{v:.3f}")


def format_table(table: dict[str, dict[str, float]], k: int) -> str:
    """The metrics as a fixed-width text table."""
    cols = _columns(k)
    lines = ["type".ljust(10) + "".join(c.rjust(18) for c in cols)]
    for name, row in table.items():
        lines.append(name.ljust(10) + "".join(_cell(row, c).rjust(18) for c in cols))
    return "\n".join(lines)


def format_halves(halves: dict[str, dict[str, dict[str, float]]], k: int) -> str:
    """Tune and held-out side by side: each cell "tune | held-out"."""
    cols = _columns(k)
    tune, held = halves.get("tune", {}), halves.get("held-out", {})
    names = [t for t in (*TYPES, "overall") if t in tune or t in held]
    lines = ["tune | held-out".ljust(10), "type".ljust(10) + "".join(c.rjust(17) for c in cols)]
    for name in names:
        cells = [f"{_cell(tune.get(name), c)} | {_cell(held.get(name), c)}".rjust(17) for c in cols]
        lines.append(name.ljust(10) + "".join(cells))
    return "\n".join(lines)


def misses(outcomes: list[Outcome]) -> list[str]:
    """One line per answerable question whose evidence is not in the top 5, or that was refused, or whose
    answer misses the gold fact; and per `none` question that was answered."""
    lines = []
    for o in outcomes:
        q = o.question
        tag = f"{q.qid} {q.qtype} {q.half}"
        if not q.answerable:
            if not o.refused:
                lines.append(f"[{tag}, answered, evidence {o.evidence:.3f}] {q.question} -> {o.top[:1]}")
        elif not o.ranks or o.ranks[0] > 5 or o.refused:
            where = f"rank {o.ranks[0]}" if o.ranks else "not in top k"
            flag = ", refused" if o.refused else ""
            lines.append(f"[{tag}, {where}{flag}] {q.question} -> {o.top}")
        elif o.answer_ok is False:
            lines.append(f"[{tag}, rank {o.ranks[0]}, answer lacks {q.answers}] {q.question} -> {o.answer_text[:160]!r}")
    return lines


def calibrate(outcomes: list[Outcome], is_english, max_wrong_refusals: float = 0.05) -> dict[str, float]:
    """Per-kind thresholds ("vi", "en") that refuse the most `none` questions while refusing at most
    `max_wrong_refusals` of all answerable ones; with the shares they reach. Pass tune-half outcomes only."""
    kinds = {"vi": [o for o in outcomes if not is_english(o)], "en": [o for o in outcomes if is_english(o)]}
    answerable = [o for o in outcomes if o.question.answerable]
    none = [o for o in outcomes if not o.question.answerable]
    if not answerable or not none:
        return {"vi": 0.0, "en": 0.0, "none_refused": 0.0, "wrongly_refused": 0.0}
    candidates = {k: sorted({0.0} | {o.evidence for o in part}) for k, part in kinds.items()}
    best = {"vi": 0.0, "en": 0.0, "none_refused": 0.0, "wrongly_refused": 0.0}
    for t_vi in candidates["vi"]:
        for t_en in candidates["en"]:
            def refused(o: Outcome, t_vi: float = t_vi, t_en: float = t_en) -> bool:
                return o.evidence < (t_en if is_english(o) else t_vi)

            wrong = sum(map(refused, answerable)) / len(answerable)
            right = sum(map(refused, none)) / len(none)
            if wrong <= max_wrong_refusals and (right, -wrong) > (best["none_refused"], -best["wrongly_refused"]):
                best = {"vi": t_vi, "en": t_en, "none_refused": right, "wrongly_refused": wrong}
    return best


def main(argv: list[str] | None = None) -> int:
    """CLI: print tune and held-out metrics side by side, then the misses."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.evaluate")
    parser.add_argument("--index", required=True)
    parser.add_argument("--questions", required=True)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--half", choices=HALVES, help="only this half (tuning reads --half tune)")
    parser.add_argument("--json", action="store_true", help="also print the tables as one JSON line")
    parser.add_argument("--calibrate", action="store_true",
                        help="print the no-answer thresholds the tune half calls for")
    args = parser.parse_args(argv)
    from indexer.cli_env import quiet_libraries
    from indexer.errors import IndexerError
    from indexer.messages import error_text

    quiet_libraries()
    from indexer.runtime import configure_for_queries

    configure_for_queries()
    from .index import load_index

    try:
        questions = load_questions(Path(args.questions))
        index = load_index(Path(args.index))
    except (OSError, ValueError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    except IndexerError as exc:
        print(error_text(exc), file=sys.stderr)
        return 1
    if args.half:
        questions = [q for q in questions if q.half == args.half]
    started = time.perf_counter()
    outcomes = evaluate(index, questions, k=args.k)
    elapsed = time.perf_counter() - started
    halves = report_halves(outcomes, args.k)
    print(f"index: {args.index} ({index.manifest.counts.get('documents')} documents, "
          f"{index.manifest.counts.get('chunks')} chunks); {len(questions)} questions; {elapsed:.1f} s")
    print(format_halves(halves, args.k))
    lost = misses(outcomes)
    print(f"\nmisses ({len(lost)}):")
    for line in lost:
        print("  " + line)
    if args.calibrate:
        from .query import analyze

        tune = [o for o in outcomes if o.question.half == "tune"]
        best = calibrate(tune, lambda o: analyze(o.question.question).english)
        print(f"\nno-answer thresholds (tune half) vi {best['vi']:.4f}, en {best['en']:.4f}: refuse "
              f"{best['none_refused']:.0%} of none, {best['wrongly_refused']:.1%} of answerable")
        for o in sorted(tune, key=lambda o: o.evidence):
            print(f"  {o.evidence:.3f} {o.question.qtype:9} {o.question.question[:70]}")
    if args.json:
        print(json.dumps(halves))
    return 0


if __name__ == "__main__":
    sys.exit(main())
