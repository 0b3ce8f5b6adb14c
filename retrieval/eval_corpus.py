"""Write an evaluation corpus: the seeds plus real distractors (Vietnamese Wikipedia, labour-law texts).

python -m retrieval.eval_corpus --out DIR [--wiki 500] [--labour] [--lookalike] [--shared ../shared]

The look-alike documents (eval/lookalike/docs, fictional, written for this project) sit beside the seeds at the
top of DIR, so that their questions' gold sources are their bare file names."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOKALIKE = ROOT / "eval" / "lookalike"
TOPICAL = re.compile(r"Đảng|phụ nữ|cán bộ|Ban Chấp hành|Thành ủy|Tỉnh ủy|bình đẳng giới|Hội đồng nhân dân")


def wiki_articles(path: Path, n: int, min_chars: int = 1500, max_chars: int = 12000) -> list[tuple[str, str]]:
    """A fixed selection of `n` articles: half on topics near the seeds' (Party, women, cadres), half any."""
    topical: list[tuple[str, str, str]] = []
    other: list[tuple[str, str, str]] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            art = json.loads(line)
            text = art.get("text", "")
            if not (min_chars <= len(text) <= max_chars):
                continue
            key = hashlib.sha1(art["title"].encode()).hexdigest()
            (topical if len(TOPICAL.findall(text)) >= 3 else other).append((key, art["title"], text))
    topical.sort()
    other.sort()
    half = min(len(topical), n // 2)
    chosen = topical[:half] + other[: n - half]
    return [(title, text) for _key, title, text in sorted(chosen)]


def safe_name(title: str) -> str:
    """A file name for an article title."""
    return re.sub(r"[^\w\-]+", "_", title).strip("_")[:80] or "bai"


def write_eval_corpus(out: Path, n_wiki: int, labour: bool, shared: Path, lookalike: bool = False) -> int:
    """Fill `out` with the seeds, optionally the look-alike documents, `n_wiki` Wikipedia articles and optionally
    the labour-law texts. A file already there with the same bytes is left alone (incremental builds)."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    sources = sorted((ROOT / "corpus").glob("*.txt"))
    if lookalike:
        sources += sorted((LOOKALIKE / "docs").glob("*.txt"))
    for f in sources:
        _copy(f, out / f.name)
        count += 1
    if n_wiki:
        wiki = out / "wiki"
        wiki.mkdir(exist_ok=True)
        for i, (title, text) in enumerate(wiki_articles(shared / "datasets" / "viwiki.jsonl.gz", n_wiki)):
            target = wiki / f"{i:04d}_{safe_name(title)}.txt"
            body = f"{title}\n\n{text}\n"
            if not target.exists() or target.read_text(encoding="utf-8") != body:
                target.write_text(body, encoding="utf-8")
            count += 1
    if labour:
        law = out / "labour-law"
        law.mkdir(exist_ok=True)
        for f in sorted((shared / "datasets" / "labour-law").glob("*.txt")):
            _copy(f, law / f.name)
            count += 1
    return count


def _copy(src: Path, dst: Path) -> None:
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        shutil.copy(src, dst)


def main(argv: list[str] | None = None) -> int:
    """CLI."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.eval_corpus")
    parser.add_argument("--out", required=True)
    parser.add_argument("--wiki", type=int, default=500)
    parser.add_argument("--labour", action="store_true")
    parser.add_argument("--lookalike", action="store_true", help="add the look-alike documents (eval/lookalike/docs)")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = parser.parse_args(argv)
    n = write_eval_corpus(Path(args.out), args.wiki, args.labour, Path(args.shared), args.lookalike)
    print(f"{n} files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
