"""Benchmarks: indexing throughput against a bare SentenceTransformer.encode baseline, query latency by
stage, load time, memory and index size. Prints tables and writes BENCHMARKS.md.

python bench/run.py                          # full: 300 articles for throughput; 10k, 100k and 1M chunks for latency
python bench/run.py --cache /tmp/bench-cache # the same, keeping the synthetic latency indexes for the next run
python bench/run.py --quick                  # CI: 25 articles, 10k chunks (numbers printed, not asserted)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WIKI = ROOT.parent / "shared" / "datasets" / "viwiki.jsonl.gz"


def articles(n: int, skip: int = 0) -> list[tuple[str, str]]:
    out = []
    with gzip.open(WIKI, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i < skip:
                continue
            a = json.loads(line)
            if 1500 <= len(a["text"]) <= 12000:
                out.append((a["title"], a["text"]))
            if len(out) >= n:
                break
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wiki_document(source: str, title: str, text: str):
    """An article as the indexer reads it from a UTF-8 text file: normalised, with its metadata (None if empty)."""
    from indexer.document import Document, text_id
    from indexer.metadata import extract_metadata
    from indexer.normalize import normalize_document

    body = normalize_document(f"{title}\n\n{text}")
    return Document(text_id(body), source, body, extract_metadata(body)) if body.strip() else None


def perturbed(base, n: int, sigma: float, seed: int):
    """n unit vectors: the rows of `base` in turn, each with Gaussian noise of `sigma` per dimension."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vecs = base[np.arange(n) % len(base)] + rng.normal(0, sigma, (n, base.shape[1])).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs


def bench_throughput(n_articles: int, embedder) -> dict:
    """The whole pipeline vs encode() alone on the same chunk texts, same model and batch size, same run."""
    from indexer.build import build_index, load_document
    from indexer.chunker import chunk_document, embedding_text

    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    corpus = tmp / "corpus"
    corpus.mkdir()
    for i, (title, text) in enumerate(articles(n_articles)):
        (corpus / f"{i:04d}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    texts = []
    chars = 0
    for p in sorted(corpus.iterdir()):
        doc = load_document(p, p.name)
        chars += len(doc.text)
        texts += [embedding_text(c) for c in chunk_document(doc)]
    model = embedder.model
    t0 = time.perf_counter()
    model.encode(texts, prompt_name="passage", batch_size=embedder.batch_size, normalize_embeddings=True,
                 show_progress_bar=False)
    baseline = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = build_index(corpus, tmp / "index", embedder=embedder)
    pipeline = time.perf_counter() - t0
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "articles": n_articles, "chunks": report.chunks, "chars": chars,
        "baseline_s": baseline, "pipeline_s": pipeline,
        "pipeline_chunks_s": report.chunks / pipeline, "pipeline_chars_s": chars / pipeline,
        "baseline_chunks_s": len(texts) / baseline, "ratio": baseline / pipeline,
    }


def synthetic_index(n_chunks: int, embedder, workdir: Path, n_sample: int = 256, corpus: Path | None = None) -> Path:
    """An index of real Wikipedia passages (the lexical side is real text, repeated under new ids once the
    7,730 articles are used up); vectors: 256 real passage vectors re-used with small perturbations
    (computing 100k real vectors takes hours on 2 cores)."""
    import dataclasses

    from indexer import store
    from indexer.chunker import chunk_document, embedding_text
    from indexer.document import chunk_id_for

    docs = []
    chunks = []
    with gzip.open(WIKI, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            a = json.loads(line)
            doc = wiki_document(f"wiki/{i:05d}.txt", a["title"], a["text"])
            if doc is None:
                continue
            docs.append(doc)
            chunks += chunk_document(doc)
            if len(chunks) >= n_chunks:
                break
    base_docs, base_chunks = list(docs), list(chunks)
    copy = 1
    while len(chunks) < n_chunks:  # repeat the real text under new document ids
        for doc in base_docs:
            new_id = f"{doc.doc_id[:10]}{copy:06d}"
            docs.append(dataclasses.replace(doc, doc_id=new_id, source=f"copy{copy}/{doc.source}"))
        for c in base_chunks:
            new_id = f"{c.doc_id[:10]}{copy:06d}"
            chunks.append(dataclasses.replace(c, doc_id=new_id, chunk_id=chunk_id_for(new_id, c.start),
                                              source=f"copy{copy}/{c.source}"))
            if len(chunks) >= n_chunks:
                break
        copy += 1
    chunks = chunks[:n_chunks]
    sample = embedder.encode_passages([embedding_text(c) for c in base_chunks[:n_sample]])
    vecs = perturbed(sample, len(chunks), 0.02, seed=7)
    index_dir = workdir / "index"
    index_dir.mkdir(parents=True)
    doc_ids = {c.doc_id for c in chunks}
    kept = [d for d in docs if d.doc_id in doc_ids]
    manifest = store.Manifest(model_id=embedder.model_id, dim=vecs.shape[1])
    if corpus is not None:  # the documents as real files, so that a later build sees them as unchanged
        for d in kept:
            path = corpus / d.source
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(d.text, encoding="utf-8")
            manifest.files[d.source] = {"sha256": store.file_sha256(path), "doc_id": d.doc_id, "size": path.stat().st_size}
    store.write_generation(index_dir / "gen-000001", manifest, kept, chunks, vecs)
    store.publish(index_dir, "gen-000001")
    return index_dir


class StageClock:
    """Seconds spent inside the search path's own calls to the embedder, FAISS and tantivy, per query:
    the wrapped functions are the real ones, so the stages add up to (nearly) the whole search."""

    def __init__(self, search_module, embedder) -> None:
        self.spent = {"embed": 0.0, "faiss": 0.0, "lexical": 0.0}
        self._patches = [(search_module, "_dense", "faiss"), (search_module, "_lexical", "lexical"),
                         (embedder, "encode_queries", "embed")]  # encode_query goes through encode_queries
        self._saved = []

    def _wrap(self, fn, stage):
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[stage] += time.perf_counter() - t
        return timed

    def __enter__(self) -> "StageClock":
        for owner, name, stage in self._patches:
            self._saved.append((owner, name, vars(owner).get(name)))  # None: a method of the instance's class
            setattr(owner, name, self._wrap(getattr(owner, name), stage))
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, own in reversed(self._saved):
            if own is None:
                delattr(owner, name)
            else:
                setattr(owner, name, own)

    def take(self) -> dict[str, float]:
        out, self.spent = self.spent, {k: 0.0 for k in self.spent}
        return out


def bench_latency(n_chunks: int, embedder, queries: list[str], n_sample: int = 256, cache: Path | None = None) -> dict:
    """Full search path latency (p50/p95) and its stages, one query at a time, warm process."""
    import faiss

    from retrieval import search as S
    from retrieval.answer import extract_answer
    from retrieval.index import load_index

    faiss.omp_set_num_threads(1)
    work = cache / f"syn-{n_chunks}-{n_sample}" if cache else Path(tempfile.mkdtemp(prefix=f"bench-{n_chunks}-"))
    index_dir = work / "index"
    if not (index_dir / "CURRENT").exists():
        shutil.rmtree(work, ignore_errors=True)
        synthetic_index(n_chunks, embedder, work, n_sample)
    size_mb = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) / 1e6
    rss0 = rss_mb()
    t0 = time.perf_counter()
    index = load_index(index_dir, embedder=embedder)
    load_s = time.perf_counter() - t0
    for q in queries[:5]:
        S.search(index, q, k=10)
    total, stages = [], []
    with StageClock(S, index.embedder) as clock:
        for q in queries:
            t0 = time.perf_counter()
            hits = S.search(index, q, k=10)
            extract_answer(q, hits)
            total.append(time.perf_counter() - t0)
            stages.append(clock.take())
    floor = []
    for q in queries[:50]:  # the model's own time for one query: the physical floor of the whole path
        t0 = time.perf_counter()
        embedder.model.encode([q], prompt_name="query", normalize_embeddings=True, show_progress_bar=False)
        floor.append(time.perf_counter() - t0)
    if cache is None:
        shutil.rmtree(work, ignore_errors=True)

    def pct(xs, p):
        return sorted(xs)[min(len(xs) - 1, int(p * len(xs)))] * 1000

    rest = [t - sum(st.values()) for t, st in zip(total, stages)]
    return {
        "chunks": n_chunks, "queries": len(queries), "p50_ms": pct(total, 0.5), "p95_ms": pct(total, 0.95),
        "embed_p50_ms": pct([st["embed"] for st in stages], 0.5), "faiss_p50_ms": pct([st["faiss"] for st in stages], 0.5),
        "lexical_p50_ms": pct([st["lexical"] for st in stages], 0.5), "lexical_p95_ms": pct([st["lexical"] for st in stages], 0.95),
        "rest_p50_ms": pct(rest, 0.5), "floor_p50_ms": pct(floor, 0.5),
        "load_s": load_s, "index_mb": size_mb, "rss_mb": max(rss_mb(), rss0),
    }


def bench_vectors(n: int, embedder, base_index: Path | None, n_base: int = 512) -> dict:
    """Exact (flat) vs approximate (IVF, indexer/vectors.py) search at n vectors: latency, recall@10, build."""
    import faiss
    import numpy as np

    from indexer import store
    from indexer import vectors as V

    if base_index is not None:
        base = np.stack(list(store.vectors_by_id(store.read_vectors(store.current_generation(base_index))).values()))
    else:
        from indexer.chunker import chunk_document, embedding_text

        texts = []
        for i, (title, text) in enumerate(articles(max(10, n_base // 2))):
            doc = wiki_document(f"{i}.txt", title, text)
            texts += [embedding_text(c) for c in chunk_document(doc)] if doc else []
            if len(texts) >= n_base:
                break
        base = embedder.encode_passages(texts[:n_base])
    vecs = perturbed(base, n, 0.01, seed=11)
    ids = np.arange(n, dtype=np.int64)
    queries = np.stack([embedder.encode_query(q) for q in question_pool(200 if n >= 1_000_000 else 100)])
    faiss.omp_set_num_threads(2)
    flat = faiss.IndexIDMap2(faiss.IndexFlatIP(vecs.shape[1]))
    flat.add_with_ids(vecs, ids)
    t0 = time.perf_counter()
    ivf = V.build_vector_index(vecs, ids, approx_threshold=0)  # the IVF path even below the threshold (--quick)
    build_s = time.perf_counter() - t0
    V.prepare_for_search(ivf)
    faiss.omp_set_num_threads(1)

    def timed(index):
        out, times = [], []
        for q in queries:
            t = time.perf_counter()
            _, found = index.search(q.reshape(1, -1), 10)
            times.append(time.perf_counter() - t)
            out.append(found[0])
        return out, times

    def recall(approx, exact):
        return float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)]))

    med = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    p95 = lambda xs: sorted(xs)[int(0.95 * len(xs))] * 1000  # noqa: E731
    exact, flat_t = timed(flat)
    sweep = {}  # nprobe -> (recall@10, p50 ms): what the choice of V.NPROBE rests on
    inner = faiss.extract_index_ivf(ivf)
    for nprobe in sorted({16, 32, 48, 64, V.NPROBE, 128}):
        inner.nprobe = nprobe
        found, t = timed(ivf)
        sweep[nprobe] = (recall(found, exact), med(t))
    V.prepare_for_search(ivf)
    approx, ivf_t = timed(ivf)
    return {"n": n, "flat_p50_ms": med(flat_t), "flat_p95_ms": p95(flat_t), "ivf_p50_ms": med(ivf_t),
            "ivf_p95_ms": p95(ivf_t), "recall10": recall(approx, exact), "ivf_build_s": build_s, "nprobe": V.NPROBE,
            "nlist": inner.nlist, "bases": len(base), "sweep": sweep}


def bench_incremental(n_chunks: int, embedder) -> dict:
    """Seconds to add one new document to an index of n chunks (only its passages are embedded), and the
    full rebuild of the same corpus estimated from the measured embedding throughput."""
    from indexer.build import build_index

    work = Path(tempfile.mkdtemp(prefix=f"bench-inc-{n_chunks}-"))
    corpus = work / "corpus"
    index_dir = synthetic_index(n_chunks, embedder, work, n_sample=64, corpus=corpus)
    new = (ROOT / "corpus" / "000_0b0573df80e034ae.txt").read_text(encoding="utf-8")
    (corpus / "moi" / "cong-van-moi.txt").parent.mkdir(parents=True, exist_ok=True)
    (corpus / "moi" / "cong-van-moi.txt").write_text(new, encoding="utf-8")
    t0 = time.perf_counter()
    report = build_index(corpus, index_dir, embedder=embedder)
    add_s = time.perf_counter() - t0
    shutil.rmtree(work, ignore_errors=True)
    return {"chunks": n_chunks, "documents": report.documents, "add_s": add_s, "embedded": report.embedded,
            "unchanged": len(report.unchanged)}


def question_pool(n: int) -> list[str]:
    rows = [json.loads(l) for l in (ROOT / "tests" / "data" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    qs = [r["question"] for r in rows]
    return [qs[i % len(qs)] + ("" if i < len(qs) else f" {i}") for i in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--vectors-from", default=None, help="an index whose real vectors seed the 1M vector benchmark")
    parser.add_argument("--cache", default=None, help="a folder that keeps the synthetic latency indexes between runs "
                        "(building the 1M one takes ~20 min)")
    args = parser.parse_args()
    from indexer.cli_env import quiet_libraries

    quiet_libraries()
    from indexer.embed import Embedder

    embedder = Embedder()
    _ = embedder.model
    sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
    cache = Path(args.cache) if args.cache else None
    thr = bench_throughput(25 if args.quick else 300, embedder)
    lat = [bench_latency(n, embedder, question_pool(50 if args.quick else 200), 96 if args.quick else 256, cache)
           for n in sizes]
    inc = [bench_incremental(n, embedder) for n in ([2_000] if args.quick else [15_000, 100_000])]
    lines = [
        "# Benchmarks",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · mode {'quick' if args.quick else 'full'} · `python bench/run.py{' --quick' if args.quick else ''}`",
        "",
        "## Indexing throughput (same chunk texts, model and batch size, same run)",
        "",
        "| articles | chunks | characters | encode() baseline s | pipeline s | pipeline chunks/s | pipeline chars/s | baseline/pipeline |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {thr['articles']} | {thr['chunks']} | {thr['chars']} | {thr['baseline_s']:.1f} | {thr['pipeline_s']:.1f} | "
        f"{thr['pipeline_chunks_s']:.1f} | {thr['pipeline_chars_s']:.0f} | {thr['ratio']:.2f} |",
        "",
        "## Query latency (full search path incl. answer extraction; one query at a time, warm; FAISS 1 thread)",
        "",
        "| chunks | queries | p50 ms | p95 ms | query embedding p50 ms | FAISS p50 ms | lexical p50 / p95 ms | "
        "the rest p50 ms | model alone, one query, p50 ms | load s | index MB | process peak RSS MB so far |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in lat:
        lines.append(f"| {r['chunks']} | {r['queries']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['embed_p50_ms']:.1f} | "
                     f"{r['faiss_p50_ms']:.2f} | {r['lexical_p50_ms']:.1f} / {r['lexical_p95_ms']:.1f} | {r['rest_p50_ms']:.1f} | "
                     f"{r['floor_p50_ms']:.1f} | {r['load_s']:.2f} | {r['index_mb']:.0f} | {r['rss_mb']:.0f} |")
    lines += ["", f"Vectors at 10k+ chunks: {96 if args.quick else 256} real passage vectors re-used with Gaussian noise (σ=0.02) and renormalised; "
              "the lexical index and chunk store hold the real Wikipedia text (repeated under new ids past ~80k chunks). "
              "From 200k vectors on the search path uses IVF (recall below). Stages are the time inside the path's own calls "
              "(an English question embeds two texts in one call; an unaccented one searches two lexical lists); "
              "'the rest' is query analysis, diacritic restoration, fusion, filtering and answer extraction.", ""]
    vec_n = 100_000 if args.quick else 1_000_000
    vec = bench_vectors(vec_n, embedder, Path(args.vectors_from) if args.vectors_from else None,
                        n_base=96 if args.quick else 512)
    vec_lines = [
        "",
        f"## Vector search at {vec['n']:,} vectors: exact vs IVF (one thread per query, real query vectors)",
        "",
        "| vectors | flat p50 ms | flat p95 ms | IVF p50 ms | IVF p95 ms | IVF recall@10 vs flat | IVF build s | nlist | nprobe |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {vec['n']} | {vec['flat_p50_ms']:.1f} | {vec['flat_p95_ms']:.1f} | {vec['ivf_p50_ms']:.2f} | {vec['ivf_p95_ms']:.2f} | "
        f"{vec['recall10']:.3f} | {vec['ivf_build_s']:.0f} | {vec['nlist']} | {vec['nprobe']} |",
        "",
        "nprobe sweep (recall@10 vs flat, p50 ms): " + ", ".join(
            f"{k}: {r:.3f}, {t:.2f} ms" for k, (r, t) in vec["sweep"].items()) + f" — the product uses nprobe {vec['nprobe']}.",
        "",
        f"Vectors: {vec['bases']} real passage vectors, each repeated with Gaussian noise (σ=0.01 per dimension) and renormalised "
        f"(near-duplicate clusters of ~{vec['n'] // vec['bases']:,} vectors: a hard case for IVF, whose cells split such clusters).",
    ]
    full_rate = thr["pipeline_chunks_s"]
    lines += [
        "## Adding one document (Công văn 1539-CV/TU, 7 chunks) to an existing index",
        "",
        "| index chunks | documents | add one document s | passages embedded | full rebuild, estimated from the throughput above |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in inc:
        lines.append(f"| {r['chunks']} | {r['documents']} | {r['add_s']:.1f} | {r['embedded']} | "
                     f"{r['chunks'] / full_rate / 60:.0f} min ({r['chunks']} chunks at {full_rate:.1f} chunks/s) |")
    lines += ["", "15,000 chunks is about 2,000 Wikipedia articles. Only the new document is read and embedded; the new "
              "generation beside the old one gets a rewritten chunk store, vector file and vocabulary, while its lexical index "
              "extends the old one (segment files hard-linked, one new segment; a removed or changed document rewrites it).", ""]
    lines += vec_lines + [""]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
