"""Choose the metadata weights and the no-answer thresholds on the TUNE halves only (issue 12).

python bench/tune_quality.py --set INDEX:QUESTIONS [--set INDEX:QUESTIONS ...] [--scales 0,0.5,1,1.5,2,3]

For each question set (an index and its questions) only the tune half is read: held-out questions never reach
this script. The dense and lexical candidate lists of each question are computed once and cached, so that each
weight setting costs fusion, the metadata step and the answer only. Coordinate search: each kind's bonus, then
each penalty, is multiplied by every scale in turn and kept when the mean over sets of (MRR@10 + Hit@1) rises.
Then the no-answer thresholds that the tune halves call for (at most 5 % of answerable questions refused).
Every setting is a RankingConfig (retrieval/config.py) run through the ranking chain; prints the chosen values
as TOML to copy into retrieval/data/ranking.toml by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/tune_quality.py")
    parser.add_argument("--set", action="append", required=True, help="INDEX_DIR:QUESTIONS.jsonl")
    parser.add_argument("--scales", default="0,0.5,1,1.5,2,3")
    args = parser.parse_args(argv)
    from indexer.cli_env import quiet_libraries

    quiet_libraries()
    from retrieval.chain import Chain
    from retrieval.config import ranking_config
    from retrieval.evaluate import calibrate, evaluate, load_questions, report
    from retrieval.index import load_index
    from retrieval.query import analyze

    cache: dict = {}

    class CachedChain(Chain):
        """The chain with each question's retriever lists computed once: each setting costs fusion, the
        metadata step and the answer only."""

        def retrieve(self, q, limit):
            key = (id(self.index), q.text, limit, q.lexical)
            if key not in cache:
                cache[key] = super().retrieve(q, limit)
            return cache[key]

    sets = []
    for spec in args.set:
        index_dir, _, questions = spec.rpartition(":")
        tune = [q for q in load_questions(Path(questions)) if q.half == "tune"]
        sets.append((Path(questions).name, load_index(Path(index_dir)), tune))
        print(f"{Path(questions).name}: {len(tune)} tune questions", flush=True)
    config = ranking_config(sets[0][1].manifest.model_id)

    def run(cfg, index, qs):
        return evaluate(index, qs, k=10, chain=CachedChain(index, cfg))

    def objective(cfg) -> tuple[float, list]:
        total, per = 0.0, []
        for name, index, qs in sets:
            row = report(run(cfg, index, qs), 10)["overall"]
            total += row.get("mrr@10", 0.0) + row.get("hit@1", 0.0)
            per.append((name, round(row.get("hit@1", 0.0), 3), round(row.get("mrr@10", 0.0), 3)))
        return total / len(sets), per

    best, per = objective(config)
    print(f"start {best:.4f} {per} bonus {dict(config.metadata_bonus)} penalty {dict(config.metadata_penalty)}",
          flush=True)
    scales = [float(x) for x in args.scales.split(",")]
    for table in ("metadata_bonus", "metadata_penalty"):
        base = dict(getattr(config, table))
        for kind in base:
            unit = base[kind] or (0.01 if table == "metadata_penalty" else 0.0)
            for scale in scales:
                trial = config.replace(**{table: {**getattr(config, table), kind: round(unit * scale, 4)}})
                value, per = objective(trial)
                print(f"  {table} {kind} {trial.to_dict()[table][kind]}: {value:.4f} {per}", flush=True)
                if value > best + 1e-9:
                    best, config = value, trial
    print(f"\nchosen bonus {dict(config.metadata_bonus)}\nchosen penalty {dict(config.metadata_penalty)}\n"
          f"objective {best:.4f}")
    outcomes = [o for _name, index, qs in sets for o in run(config, index, qs)]
    t = calibrate(outcomes, lambda o: analyze(o.question.question).english)
    print(f"no-answer thresholds {t}")
    print(f"\n# paste into retrieval/data/ranking.toml, table [models.\"{config.model_id}\"]")
    for table in ("metadata_bonus", "metadata_penalty"):
        print(f"{table} = {{ {', '.join(f'{k} = {v}' for k, v in getattr(config, table).items())} }}")
    print(f"no_answer_thresholds = {{ vi = {t['vi']}, en = {t['en']} }}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
