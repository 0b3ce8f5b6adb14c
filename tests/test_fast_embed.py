"""Faster embedding paths (bf16 passages, ONNX Runtime queries): CPU detection, path choice, parity with
fp32 torch on the seed passages and dev questions, and how an index records and accepts its paths."""

import json
import shutil

import numpy as np
import pytest

from indexer import fast_embed as F
from indexer import store
from indexer.build import build_index, load_document
from indexer.chunker import chunk_document, embedding_text
from indexer.embed import Embedder, default_model_path
from indexer.errors import IndexMismatch
from retrieval.index import load_index
from retrieval.search import search

from .conftest import CORPUS, ROOT

AMX_CPU = {"avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "amx_tile"}
VNNI_ONLY = {"avx2", "avx512f", "avx512_vnni"}
OLD_CPU = {"sse4_2", "avx", "avx2", "fma"}


@pytest.mark.parametrize("flags, expected", [
    (AMX_CPU, F.EmbedPaths(F.TORCH_BF16, F.ONNX_INT8)),
    (VNNI_ONLY, F.EmbedPaths(F.TORCH_FP32, F.ONNX_INT8)),
    ({"avx2", "avx_vnni"}, F.EmbedPaths(F.TORCH_FP32, F.ONNX_INT8)),
    (OLD_CPU, F.EmbedPaths(F.TORCH_FP32, F.ONNX_FP32)),  # AVX2 without int8 dot products: ONNX fp32 queries
    ({"sse4_2", "avx"}, F.FP32),
    (set(), F.FP32),
])
def test_paths_follow_the_cpu(flags, expected):
    assert F.choose_paths(flags, setting="") == expected


@pytest.mark.parametrize("setting, expected", [
    ("fp32", F.FP32),
    ("passages=torch-bf16", F.EmbedPaths(F.TORCH_BF16, F.TORCH_FP32)),
    ("passages=torch-fp32, queries=onnx-fp32", F.EmbedPaths(F.TORCH_FP32, F.ONNX_FP32)),
])
def test_setting_overrides_the_cpu(setting, expected):
    assert F.choose_paths(AMX_CPU, setting=setting) == expected


@pytest.mark.parametrize("setting", ["fast", "queries=onnx-int4", "passages=onnx-int8", "queries"])
def test_bad_setting_names_the_part(setting):
    with pytest.raises(ValueError, match="VNDS_EMBED_PATHS: cannot read"):
        F.parse_paths(setting)


def test_cpu_flags_are_read_from_this_machine():
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
        line = next(line for line in f if line.startswith("flags"))
    flags = F.cpu_flags()
    assert flags == frozenset(line.split(":", 1)[1].split()) and "fpu" in flags
    assert F.has_bf16_units(flags) == ("amx_bf16" in flags or "avx512_bf16" in flags)


def test_other_models_stay_on_fp32():
    assert Embedder("some/other-model").paths == F.FP32


def seed_passages() -> list[str]:
    texts = []
    for path in sorted(CORPUS.iterdir()):
        texts.extend(embedding_text(c) for c in chunk_document(load_document(path, path.name)))
    return texts


def dev_questions() -> list[str]:
    lines = (ROOT / "tests" / "data" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def _on(embedder, paths):
    e = Embedder(paths=paths)
    e._model = embedder.model
    return e


@pytest.mark.slow
def test_every_path_matches_fp32_on_seed_passages_and_dev_questions(embedder):
    passages, questions = seed_passages(), dev_questions()
    ref = _on(embedder, F.FP32)
    ref_p, ref_q = ref.encode_passages(passages), ref.encode_queries(questions)
    bf16_p = _on(embedder, F.EmbedPaths(passages=F.TORCH_BF16)).encode_passages(passages)
    assert (ref_p * bf16_p).sum(1).min() >= 0.99
    # dynamic int8 is chosen only on a CPU with int8 dot products; on an AVX2-only CPU its vectors reach
    # cosine 0.986 (saturating u8s8 kernels), so parity is asserted where the path is used
    int8 = (F.ONNX_INT8,) if F.has_int8_dot(F.cpu_flags()) else ()
    assert int8 or F.choose_paths(setting="").queries != F.ONNX_INT8
    for path in (F.ONNX_FP32, *int8):
        e = _on(embedder, F.EmbedPaths(queries=path))
        one_by_one = np.stack([e.encode_query(q) for q in questions])
        cos = (ref_q * one_by_one).sum(1)
        assert cos.min() >= 0.99, f"{path}: lowest cosine {cos.min():.4f}"
        batched = e.encode_queries(questions[:9])  # an English question embeds two texts in one call: same vectors
        assert np.abs(one_by_one[:9] - batched).max() < 1e-4
        assert one_by_one.dtype == np.float32 and np.allclose(np.linalg.norm(one_by_one, axis=1), 1, atol=1e-4)
    assert F.onnx_path(default_model_path(), (int8 or (F.ONNX_FP32,))[0]).exists()  # exported once into the model cache


@pytest.mark.slow
def test_index_records_its_path_and_any_known_path_searches_it(tmp_path, seed_corpus, embedder):
    index_dir = tmp_path / "index"
    build_index(seed_corpus, index_dir, embedder=_on(embedder, F.FP32))
    gen = store.current_generation(index_dir)
    assert store.read_manifest(gen).embedded_with == [F.TORCH_FP32]
    question = "tỷ lệ cán bộ nữ tham gia ban thường vụ"
    tops = {}
    for paths in (F.FP32, F.EmbedPaths(F.TORCH_BF16, F.ONNX_INT8)):
        index = load_index(index_dir, embedder=_on(embedder, paths))
        tops[paths] = [h.chunk.chunk_id for h in search(index, question, k=3)]
    assert tops[F.FP32] == tops[F.EmbedPaths(F.TORCH_BF16, F.ONNX_INT8)]

    # a generation whose vectors come from a path this code does not know is refused, naming it
    manifest = json.loads((gen / store.MANIFEST).read_text(encoding="utf-8"))
    manifest["embedded_with"] = ["torch-fp32", "gpu-fp8"]
    (gen / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="made by gpu-fp8"):
        load_index(index_dir, embedder=embedder)


@pytest.mark.slow
def test_an_add_with_another_path_records_both(tmp_path, seed_corpus, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(seed_corpus, corpus)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, embedder=_on(embedder, F.FP32))
    (corpus / "moi.txt").write_text("Kế hoạch số 5-KH/TU về chuyển đổi số trong cơ quan Đảng năm 2026.\n", encoding="utf-8")
    build_index(corpus, index_dir, embedder=_on(embedder, F.EmbedPaths(passages=F.TORCH_BF16)))
    assert store.read_manifest(store.current_generation(index_dir)).embedded_with == [F.TORCH_BF16, F.TORCH_FP32]
