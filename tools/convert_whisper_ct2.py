#!/usr/bin/env python3
"""Converts a Whisper model in CTranslate2 format (the folder faster-whisper loads: model.bin,
config.json, tokenizer.json, vocabulary.txt) into the Whisper GGUF Prism reads.

  python3 tools/convert_whisper_ct2.py MODEL_DIR OUT.gguf

Standard library only, so tools/fetch_models.py can run it where only pip is installed, and
deterministic: the same input gives the same bytes (fetch_models pins the output's SHA-256).

The layout (docs/architecture.md, "Speech recognition"):
  general.architecture = "whisper"; whisper.* hyperparameters; the decoding lists of the model's
  config.json (suppress_tokens, suppress_tokens_begin, lang_ids, alignment_heads);
  tokenizer.ggml.* as a GPT-2 byte-level BPE (tokens from vocabulary.txt, merges from
  tokenizer.json, every token from <|endoftext|> on a CONTROL token);
  encoder tensors named as llama.cpp's mmproj names Whisper encoders (a.conv1d.1, a.blk.N.*),
  decoder tensors dec.*. CTranslate2's fused projections (self-attention QKV, cross-attention
  KV) are split back into q/k/v; k has no bias in Whisper (CTranslate2 stores zeros, dropped
  here). Matrices keep the model's type (f16 or f32); norms, biases and conv biases become f32.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

GGUF_ALIGNMENT = 32
# GGUF value types
U32, I32, F32V, BOOL, STRING, ARRAY = 4, 5, 6, 7, 8, 9
# GGUF tensor types
T_F32, T_F16 = 0, 1
# CTranslate2 dtypes (ctranslate2/types.h)
CT2_FLOAT32, CT2_INT8, CT2_INT16, CT2_INT32, CT2_FLOAT16 = 0, 1, 2, 3, 4


def fail(message: str) -> None:
    raise SystemExit(f"convert_whisper_ct2: {message}")


def read_ct2(path: Path) -> dict[str, tuple[list[int], int, bytes]]:
    """name -> (dims, dtype, raw bytes) of every variable of a CTranslate2 model.bin."""
    data = path.read_bytes()
    pos = 0

    def take(n: int) -> bytes:
        nonlocal pos
        if pos + n > len(data):
            fail(f"{path}: truncated at byte {pos}")
        chunk = data[pos:pos + n]
        pos += n
        return chunk

    def u32() -> int:
        return struct.unpack("<I", take(4))[0]

    def string() -> str:
        n = struct.unpack("<H", take(2))[0]
        return take(n).rstrip(b"\0").decode()

    version = u32()
    if version < 5:
        fail(f"{path}: CTranslate2 model version {version} is too old (5 or later)")
    spec = string()
    if spec != "WhisperSpec":
        fail(f"{path}: a {spec}, not a Whisper model")
    u32()  # spec revision
    variables = {}
    for _ in range(u32()):
        name = string()
        rank = take(1)[0]
        dims = [u32() for _ in range(rank)]
        dtype = take(1)[0]
        size = u32()
        variables[name] = (dims, dtype, take(size))
    for _ in range(u32()):
        alias, target = string(), string()
        variables[alias] = variables[target]
    return variables


def scalar_int(variables, name: str) -> int:
    dims, dtype, raw = variables[name]
    fmt = {CT2_INT8: "<b", CT2_INT16: "<h", CT2_INT32: "<i"}.get(dtype)
    if fmt is None:
        fail(f"{name} has dtype {dtype}, expected an integer")
    return struct.unpack(fmt, raw)[0]


def to_f32(dims: list[int], dtype: int, raw: bytes) -> bytes:
    n = 1
    for d in dims:
        n *= d
    if dtype == CT2_FLOAT32:
        return raw
    if dtype == CT2_FLOAT16:
        return struct.pack(f"<{n}f", *struct.unpack(f"<{n}e", raw))
    fail(f"dtype {dtype} cannot become f32 (quantized CTranslate2 models are not supported)")
    return b""


class Tensor:
    def __init__(self, name: str, ne: list[int], ttype: int, raw: bytes):
        self.name, self.ne, self.ttype, self.raw = name, ne, ttype, raw


def matrix(name: str, dims: list[int], dtype: int, raw: bytes) -> Tensor:
    ttype = {CT2_FLOAT32: T_F32, CT2_FLOAT16: T_F16}.get(dtype)
    if ttype is None:
        fail(f"{name}: dtype {dtype} is not supported (f16 or f32 models only)")
    return Tensor(name, list(reversed(dims)), ttype, raw)


def vector(name: str, dims: list[int], dtype: int, raw: bytes) -> Tensor:
    return Tensor(name, list(reversed(dims)), T_F32, to_f32(dims, dtype, raw))


def split_rows(dims: list[int], dtype: int, raw: bytes, parts: int):
    """Splits a [rows, ...] variable into `parts` equal row blocks."""
    rows = dims[0]
    if rows % parts:
        fail(f"cannot split {rows} rows into {parts}")
    step = len(raw) // parts
    sub = [rows // parts] + dims[1:]
    return [(sub, dtype, raw[i * step:(i + 1) * step]) for i in range(parts)]


def convert_tensors(v) -> list[Tensor]:
    out: list[Tensor] = []

    def mat(dst, src):
        out.append(matrix(dst, *v[src]))

    def vec(dst, src):
        out.append(vector(dst, *v[src]))

    def ln(dst, src):
        vec(dst + ".weight", src + "/gamma")
        vec(dst + ".bias", src + "/beta")

    def linear(dst, src, bias=True):
        mat(dst + ".weight", src + "/weight")
        if bias:
            vec(dst + ".bias", src + "/bias")

    def fused(dsts, src, has_bias):
        weights = split_rows(*v[src + "/weight"], len(dsts))
        biases = split_rows(*v[src + "/bias"], len(dsts))
        for dst, w, b, keep_bias in zip(dsts, weights, biases, has_bias):
            out.append(matrix(dst + ".weight", *w))
            if keep_bias:
                out.append(vector(dst + ".bias", *b))

    mat("a.conv1d.1.weight", "encoder/conv1/weight")
    vec("a.conv1d.1.bias", "encoder/conv1/bias")
    mat("a.conv1d.2.weight", "encoder/conv2/weight")
    vec("a.conv1d.2.bias", "encoder/conv2/bias")
    vec("a.position_embd.weight", "encoder/position_encodings/encodings")
    n_enc = count_layers(v, "encoder")
    for i in range(n_enc):
        s, d = f"encoder/layer_{i}", f"a.blk.{i}"
        ln(d + ".ln1", s + "/self_attention/layer_norm")
        fused([d + ".attn_q", d + ".attn_k", d + ".attn_v"], s + "/self_attention/linear_0",
              [True, False, True])
        linear(d + ".attn_out", s + "/self_attention/linear_1")
        ln(d + ".ln2", s + "/ffn/layer_norm")
        linear(d + ".ffn_up", s + "/ffn/linear_0")
        linear(d + ".ffn_down", s + "/ffn/linear_1")
    ln("a.post_ln", "encoder/layer_norm")

    mat("dec.token_embd.weight", "decoder/embeddings/weight")
    vec("dec.position_embd.weight", "decoder/position_encodings/encodings")
    n_dec = count_layers(v, "decoder")
    for i in range(n_dec):
        s, d = f"decoder/layer_{i}", f"dec.blk.{i}"
        ln(d + ".attn_ln", s + "/self_attention/layer_norm")
        fused([d + ".attn_q", d + ".attn_k", d + ".attn_v"], s + "/self_attention/linear_0",
              [True, False, True])
        linear(d + ".attn_out", s + "/self_attention/linear_1")
        ln(d + ".cross_ln", s + "/attention/layer_norm")
        linear(d + ".cross_q", s + "/attention/linear_0")
        fused([d + ".cross_k", d + ".cross_v"], s + "/attention/linear_1", [False, True])
        linear(d + ".cross_out", s + "/attention/linear_2")
        ln(d + ".ffn_ln", s + "/ffn/layer_norm")
        linear(d + ".ffn_up", s + "/ffn/linear_0")
        linear(d + ".ffn_down", s + "/ffn/linear_1")
    ln("dec.post_ln", "decoder/layer_norm")
    return out


def count_layers(v, side: str) -> int:
    n = 0
    while f"{side}/layer_{n}/ffn/linear_0/weight" in v:
        n += 1
    if n == 0:
        fail(f"no {side} layers")
    return n


def check_ct2(v) -> None:
    for name, want in (("decoder/pre_norm", 1), ("decoder/activation", 3),
                       ("decoder/scale_embeddings", 0), ("decoder/alibi", 0)):
        if name in v and scalar_int(v, name) != want:
            fail(f"{name} = {scalar_int(v, name)}: not the Whisper decoder this reads")


class Writer:
    def __init__(self):
        self.kv = bytearray()
        self.n_kv = 0

    @staticmethod
    def string(s: str) -> bytes:
        b = s.encode()
        return struct.pack("<Q", len(b)) + b

    def add(self, key: str, vtype: int, payload: bytes) -> None:
        self.kv += self.string(key) + struct.pack("<I", vtype) + payload
        self.n_kv += 1

    def u32(self, key, value):
        self.add(key, U32, struct.pack("<I", value))

    def f32(self, key, value):
        self.add(key, F32V, struct.pack("<f", value))

    def str(self, key, value):
        self.add(key, STRING, self.string(value))

    def i32_array(self, key, values):
        self.add(key, ARRAY, struct.pack("<IQ", I32, len(values)) +
                 struct.pack(f"<{len(values)}i", *values))

    def str_array(self, key, values):
        self.add(key, ARRAY, struct.pack("<IQ", STRING, len(values)) +
                 b"".join(self.string(s) for s in values))

    def write(self, path: Path, tensors: list[Tensor]) -> None:
        infos = bytearray()
        offset = 0
        offsets = []
        for t in tensors:
            offset = (offset + GGUF_ALIGNMENT - 1) // GGUF_ALIGNMENT * GGUF_ALIGNMENT
            offsets.append(offset)
            infos += self.string(t.name) + struct.pack("<I", len(t.ne))
            infos += struct.pack(f"<{len(t.ne)}Q", *t.ne) + struct.pack("<IQ", t.ttype, offset)
            offset += len(t.raw)
        header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), self.n_kv) + self.kv + infos
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as f:
            f.write(header)
            f.write(b"\0" * (-len(header) % GGUF_ALIGNMENT))
            pos = 0
            for t, off in zip(tensors, offsets):
                f.write(b"\0" * (off - pos))
                f.write(t.raw)
                pos = off + len(t.raw)
        partial.replace(path)


def convert(model_dir: Path, out: Path) -> None:
    v = read_ct2(model_dir / "model.bin")
    check_ct2(v)
    config = json.loads((model_dir / "config.json").read_text())
    tokenizer = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    tokens = (model_dir / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
    if tokens and tokens[-1] == "":
        tokens.pop()
    embd_dims = v["decoder/embeddings/weight"][0]
    if len(tokens) != embd_dims[0]:
        fail(f"vocabulary.txt has {len(tokens)} tokens, the embeddings {embd_dims[0]} rows")
    eot = tokens.index("<|endoftext|>")
    merges = tokenizer["model"]["merges"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in merges]

    n_state = embd_dims[1]
    mel_dims = v["encoder/conv1/weight"][0]
    w = Writer()
    w.str("general.architecture", "whisper")
    w.str("general.name", out.name.split(".gguf")[0])
    w.u32("general.alignment", GGUF_ALIGNMENT)
    w.u32("whisper.embedding_length", n_state)
    w.u32("whisper.feed_forward_length", v["decoder/layer_0/ffn/linear_0/weight"][0][0])
    w.u32("whisper.attention.head_count", scalar_int(v, "decoder/num_heads"))
    w.u32("whisper.encoder.attention.head_count", scalar_int(v, "encoder/num_heads"))
    w.u32("whisper.encoder.block_count", count_layers(v, "encoder"))
    w.u32("whisper.decoder.block_count", count_layers(v, "decoder"))
    w.u32("whisper.encoder.context_length", v["encoder/position_encodings/encodings"][0][0])
    w.u32("whisper.decoder.context_length", v["decoder/position_encodings/encodings"][0][0])
    w.u32("whisper.audio.num_mel_bins", mel_dims[1])
    w.f32("whisper.attention.layer_norm_epsilon", 1e-5)
    w.i32_array("whisper.suppress_tokens", config.get("suppress_ids", []))
    w.i32_array("whisper.suppress_tokens_begin", config.get("suppress_ids_begin", []))
    w.i32_array("whisper.lang_ids", config.get("lang_ids", []))
    heads = config.get("alignment_heads", [])
    w.i32_array("whisper.alignment_heads", [x for pair in heads for x in pair])
    w.str("tokenizer.ggml.model", "gpt2")
    w.str("tokenizer.ggml.pre", "gpt-2")
    w.str_array("tokenizer.ggml.tokens", tokens)
    w.i32_array("tokenizer.ggml.token_type", [1 if i < eot else 3 for i in range(len(tokens))])
    w.str_array("tokenizer.ggml.merges", merges)
    w.u32("tokenizer.ggml.eos_token_id", eot)
    w.u32("tokenizer.ggml.bos_token_id", tokens.index("<|startoftranscript|>"))
    w.write(out, convert_tensors(v))


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: convert_whisper_ct2.py MODEL_DIR OUT.gguf")
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {sys.argv[2]}")


if __name__ == "__main__":
    main()
