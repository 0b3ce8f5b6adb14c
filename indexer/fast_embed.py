"""Faster CPU inference paths for the default model, and the CPU facts that choose them.

Measured on this 2-core machine (BENCHMARKS.md, NOTES.md): passage batches are fastest in torch under
bf16 autocast on a CPU with bf16 matrix units (AMX / AVX-512 BF16), single queries in ONNX Runtime
(dynamic int8 on a CPU with VNNI). Every path gives vectors within cosine 0.99 of torch fp32
(tests/test_fast_embed.py), so an index built by one path is searched by another.

The ONNX files are exported once from the cached sentence-transformers directory, beside it."""

from __future__ import annotations

import fcntl
import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

TORCH_FP32 = "torch-fp32"
TORCH_BF16 = "torch-bf16"
ONNX_FP32 = "onnx-fp32"
ONNX_INT8 = "onnx-int8"
PASSAGE_PATHS = (TORCH_FP32, TORCH_BF16)
QUERY_PATHS = (TORCH_FP32, ONNX_FP32, ONNX_INT8)
COMPATIBLE_PATHS = (TORCH_FP32, TORCH_BF16, ONNX_FP32, ONNX_INT8)  # one vector space (parity-tested)
ENV_PATHS = "VNDS_EMBED_PATHS"  # "fp32" (baseline), or e.g. "passages=torch-bf16,queries=onnx-fp32"
ONNX_VERSION = 1  # bump when the exported graph changes: a new file name, re-exported at first use
MAX_TOKENS = 512


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU feature flags of /proc/cpuinfo (empty where it cannot be read)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def has_bf16_units(flags: frozenset[str] | set[str]) -> bool:
    """bf16 matrix instructions (AMX or AVX-512 BF16): bf16 autocast is faster than fp32 there."""
    return bool({"amx_bf16", "avx512_bf16"} & set(flags))


def has_int8_dot(flags: frozenset[str] | set[str]) -> bool:
    """int8 dot-product instructions (VNNI or AMX int8): dynamic int8 quantization pays off there."""
    return bool({"avx512_vnni", "avx_vnni", "amx_int8"} & set(flags))


@dataclass(frozen=True)
class EmbedPaths:
    """Which inference path encodes passage batches and which encodes queries."""

    passages: str = TORCH_FP32
    queries: str = TORCH_FP32


FP32 = EmbedPaths()


def choose_paths(flags: frozenset[str] | set[str] | None = None, setting: str | None = None) -> EmbedPaths:
    """The fastest paths this CPU supports, unless `setting` (default: $VNDS_EMBED_PATHS) names others.

    Without bf16 units passages stay in fp32 torch. Without int8 dot products, queries run in ONNX Runtime
    fp32 on a CPU with AVX2 (measured on a 2-core AVX2-only EPYC: 28 ms a query against 60 ms in torch fp32,
    cosine 1.0000; dynamic int8 there reaches only cosine 0.986, 0.990 with reduce_range, so it is not
    used), and in torch fp32 where the CPU's flags are unknown or older."""
    setting = os.environ.get(ENV_PATHS, "") if setting is None else setting
    if setting.strip():
        return parse_paths(setting)
    flags = cpu_flags() if flags is None else flags
    return EmbedPaths(
        passages=TORCH_BF16 if has_bf16_units(flags) else TORCH_FP32,
        queries=ONNX_INT8 if has_int8_dot(flags) else ONNX_FP32 if "avx2" in flags else TORCH_FP32,
    )


def parse_paths(setting: str) -> EmbedPaths:
    """"fp32", or "passages=PATH,queries=PATH" (either part may be left out); ValueError names a bad part."""
    setting = setting.strip()
    if setting == "fp32":
        return FP32
    parts = {}
    for item in setting.split(","):
        key, _, value = item.strip().partition("=")
        allowed = {"passages": PASSAGE_PATHS, "queries": QUERY_PATHS}.get(key.strip())
        if allowed is None or value.strip() not in allowed:
            raise ValueError(f"{ENV_PATHS}: cannot read {item.strip()!r} (passages: {', '.join(PASSAGE_PATHS)}; "
                             f"queries: {', '.join(QUERY_PATHS)})")
        parts[key.strip()] = value.strip()
    return EmbedPaths(**parts)


def onnx_path(model_dir: Path, path: str) -> Path:
    """Where the ONNX file of `path` lives: a folder beside the sentence-transformers directory."""
    kind = "int8" if path == ONNX_INT8 else "fp32"
    return model_dir.parent / f"{model_dir.name}-onnx-v{ONNX_VERSION}" / f"model-{kind}.onnx"


def ensure_onnx(model_dir: Path, path: str, st_model=None) -> Path:
    """The ONNX file of `path` (onnx-fp32 / onnx-int8), exported (and quantized) at first use.

    One process exports while others wait on a lock file; the file appears by an atomic rename, so a
    crash leaves no half-written model."""
    target = onnx_path(model_dir, path)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        fp32 = onnx_path(model_dir, ONNX_FP32)
        if not fp32.exists():
            _export(model_dir, fp32, st_model)
        if path == ONNX_INT8:
            _quantize(fp32, target)
    return target


def _export(model_dir: Path, target: Path, st_model=None) -> None:
    """The transformer and mean pooling as one ONNX graph (token ids, mask -> pooled vector)."""
    import torch

    if st_model is None:
        from sentence_transformers import SentenceTransformer

        st_model = SentenceTransformer(str(model_dir), device="cpu")
    hf = st_model[0].auto_model

    class Pooled(torch.nn.Module):
        def __init__(self, model) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):  # keyword call: positional args clash with use_cache
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    wrapper = Pooled(hf).eval()
    ids = torch.tensor([[0, 35378, 12, 2], [0, 6, 2, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    tmp = target.with_suffix(".tmp")
    try:
        with torch.inference_mode():
            torch.onnx.export(
                wrapper, (ids, mask), str(tmp), input_names=["input_ids", "attention_mask"],
                output_names=["embedding"], opset_version=17, dynamo=False,
                dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                              "embedding": {0: "batch"}},
            )
    finally:
        hf.eval()  # export restores the wrapper's training flag, which would switch dropout on in the shared model
    os.replace(tmp, target)


def _quantize(fp32: Path, target: Path) -> None:
    """Dynamic int8 quantization (weights per channel), written beside and renamed into place."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_suffix(".tmp")
    quantize_dynamic(str(fp32), str(tmp), per_channel=True, weight_type=QuantType.QInt8)
    os.replace(tmp, target)


class OnnxEncoder:
    """Mean-pooled, L2-normalised vectors from an exported model in ONNX Runtime, one thread by default
    (single queries: a thread pool only loses against other work on 2 cores)."""

    def __init__(self, onnx_file: Path, tokenizer_file: Path, threads: int = 1, max_tokens: int = MAX_TOKENS,
                 one_at_a_time: bool = False) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(onnx_file), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_tokens)
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 1
        self.one_at_a_time = one_at_a_time  # dynamic int8 scales activations per run: a padded batch moves vectors

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors (float32, unit length) of `texts`, in one run (one run each when `one_at_a_time`)."""
        if self.one_at_a_time and len(texts) > 1:
            return np.concatenate([self._run([t]) for t in texts])
        return self._run(texts)

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(texts), width), self.pad_id, np.int64)
        mask = np.zeros((len(texts), width), np.int64)
        for i, e in enumerate(encodings):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        (vecs,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        vecs = vecs.astype(np.float32)
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return vecs


def remove_onnx(model_dir: Path) -> None:
    """Delete the exported files (tests of the export)."""
    shutil.rmtree(onnx_path(model_dir, ONNX_FP32).parent, ignore_errors=True)
