#!/usr/bin/env python3
"""Writes a whisper.cpp Whisper model file (the ggml-*.bin that whisper.cpp and Prism read) from a
Whisper model in CTranslate2 format (the folder faster-whisper loads: model.bin, config.json,
vocabulary.txt).

  python3 tools/convert_ct2_to_whisper_ggml.py MODEL_DIR OUT.bin [--type f16|q8_0]

Standard library only, like tools/convert_whisper_ct2.py (whose CTranslate2 reader it uses), so
tools/fetch_models.py can run it where only pip is installed; deterministic, so the output's
SHA-256 can be pinned. Prism's tests read the result beside the GGUF made from the same folder.

The layout is whisper.cpp's (models/convert-pt-to-ggml.py, whisper_model_load): int32 magic
0x67676d6c; int32 n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer,
n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype; the mel filter bank (int32
n_mel, n_fft, then float32 [n_mel][n_fft]: librosa's Slaney filters for 16 kHz, n_fft 400, as
Whisper's mel_filters.npz holds); the vocabulary (int32 count, then per token an int32 byte
length and the raw bytes; the regular tokens only, up to <|endoftext|>); then every tensor:
int32 n_dims, name length, type (0 f32, 1 f16, 8 q8_0), the dimensions innermost first, the
name, the data. Names are openai-whisper's PyTorch names; CTranslate2's fused projections are
split back (the key projections have no bias). Vectors, the conv biases (stored [n_state, 1]
for broadcasting) and the positional embeddings are f32; the other tensors f16, or with
--type q8_0 the 2-D ones q8_0 (blocks of 32: an f16 scale max|x|/127 and 32 int8 values
rounded half away from zero), as whisper.cpp's quantize tool does; ftype is 1 (f16) or
2007 (q8_0 with ggml's quantization version 2).
"""

from __future__ import annotations

import argparse
import array
import math
import struct
from pathlib import Path

from convert_whisper_ct2 import CT2_FLOAT16, CT2_FLOAT32, count_layers, fail, read_ct2, \
    scalar_int, split_rows, to_f32

GGML_MAGIC = 0x67676D6C
T_F32, T_F16, T_Q8_0 = 0, 1, 8
FTYPE = {"f16": 1, "q8_0": 2000 + 7}
SAMPLE_RATE, N_FFT = 16000, 400


def gpt2_byte_decoder() -> dict[str, int]:
    """GPT-2's printable character for each byte, inverted."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(printable, chars)}


def slaney_mel_filters(n_mels: int) -> list[float]:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels, htk=False, norm='slaney'), row-major."""
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0

    def hz_to_mel(f):
        return f / f_sp if f < min_log_hz else min_log_mel + math.log(f / min_log_hz) / logstep

    def mel_to_hz(m):
        return f_sp * m if m < min_log_mel else min_log_hz * math.exp(logstep * (m - min_log_mel))

    n_bins = N_FFT // 2 + 1
    fft_freqs = [i * (SAMPLE_RATE / 2) / (n_bins - 1) for i in range(n_bins)]
    top = hz_to_mel(SAMPLE_RATE / 2)
    mel_f = [mel_to_hz(top * i / (n_mels + 1)) for i in range(n_mels + 2)]
    out = []
    for i in range(n_mels):
        lo, mid, hi = mel_f[i], mel_f[i + 1], mel_f[i + 2]
        enorm = 2.0 / (hi - lo)
        for f in fft_freqs:
            lower = (f - lo) / (mid - lo)
            upper = (hi - f) / (hi - mid)
            out.append(max(0.0, min(lower, upper)) * enorm)
    return out


def to_f16(dims: list[int], dtype: int, raw: bytes) -> bytes:
    if dtype == CT2_FLOAT16:
        return raw
    if dtype == CT2_FLOAT32:
        values = array.array("f", raw)
        return struct.pack(f"<{len(values)}e", *values)
    fail(f"dtype {dtype} is not supported (f16 or f32 models only)")
    return b""


def quantize_q8_0(f16_raw: bytes) -> bytes:
    values = struct.unpack(f"<{len(f16_raw) // 2}e", f16_raw)
    out = bytearray()
    for start in range(0, len(values), 32):
        block = values[start:start + 32]
        d = max(abs(x) for x in block) / 127.0
        d16 = struct.unpack("<e", struct.pack("<e", d))[0]
        inv = 1.0 / d if d else 0.0
        out += struct.pack("<e", d16)
        out += struct.pack("<32b", *(int(math.copysign(math.floor(abs(x * inv) + 0.5), x))
                                     for x in block))
    return bytes(out)


class Writer:
    def __init__(self, quant: str):
        self.quant = quant
        self.body = bytearray()

    def tensor(self, name: str, dims: list[int], ttype: int, data: bytes) -> None:
        ne = list(reversed(dims))
        if ttype == T_F16 and self.quant == "q8_0" and len(dims) == 2 and ne[0] % 32 == 0:
            ttype, data = T_Q8_0, quantize_q8_0(data)
        encoded = name.encode()
        self.body += struct.pack("<3i", len(ne), len(encoded), ttype)
        self.body += struct.pack(f"<{len(ne)}i", *ne) + encoded + data

    def matrix(self, name, dims, dtype, raw):
        self.tensor(name, dims, T_F16, to_f16(dims, dtype, raw))

    def vector(self, name, dims, dtype, raw):
        self.tensor(name, dims, T_F32, to_f32(dims, dtype, raw))


def write_tensors(w: Writer, v) -> None:
    def linear(dst, src, bias=True):
        w.matrix(dst + ".weight", *v[src + "/weight"])
        if bias:
            w.vector(dst + ".bias", *v[src + "/bias"])

    def norm(dst, src):
        w.vector(dst + ".weight", *v[src + "/gamma"])
        w.vector(dst + ".bias", *v[src + "/beta"])

    def fused(dsts, src, has_bias):
        weights = split_rows(*v[src + "/weight"], len(dsts))
        biases = split_rows(*v[src + "/bias"], len(dsts))
        for dst, wt, b, keep in zip(dsts, weights, biases, has_bias):
            w.matrix(dst + ".weight", *wt)
            if keep:
                w.vector(dst + ".bias", *b)

    for i in (1, 2):
        w.matrix(f"encoder.conv{i}.weight", *v[f"encoder/conv{i}/weight"])
        dims, dtype, raw = v[f"encoder/conv{i}/bias"]
        w.vector(f"encoder.conv{i}.bias", [dims[0], 1], dtype, raw)
    w.vector("encoder.positional_embedding", *v["encoder/position_encodings/encodings"])
    for i in range(count_layers(v, "encoder")):
        s, d = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        norm(d + ".attn_ln", s + "/self_attention/layer_norm")
        fused([d + ".attn.query", d + ".attn.key", d + ".attn.value"],
              s + "/self_attention/linear_0", [True, False, True])
        linear(d + ".attn.out", s + "/self_attention/linear_1")
        norm(d + ".mlp_ln", s + "/ffn/layer_norm")
        linear(d + ".mlp.0", s + "/ffn/linear_0")
        linear(d + ".mlp.2", s + "/ffn/linear_1")
    norm("encoder.ln_post", "encoder/layer_norm")

    w.matrix("decoder.token_embedding.weight", *v["decoder/embeddings/weight"])
    w.vector("decoder.positional_embedding", *v["decoder/position_encodings/encodings"])
    for i in range(count_layers(v, "decoder")):
        s, d = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        norm(d + ".attn_ln", s + "/self_attention/layer_norm")
        fused([d + ".attn.query", d + ".attn.key", d + ".attn.value"],
              s + "/self_attention/linear_0", [True, False, True])
        linear(d + ".attn.out", s + "/self_attention/linear_1")
        norm(d + ".cross_attn_ln", s + "/attention/layer_norm")
        linear(d + ".cross_attn.query", s + "/attention/linear_0")
        fused([d + ".cross_attn.key", d + ".cross_attn.value"], s + "/attention/linear_1",
              [False, True])
        linear(d + ".cross_attn.out", s + "/attention/linear_2")
        norm(d + ".mlp_ln", s + "/ffn/layer_norm")
        linear(d + ".mlp.0", s + "/ffn/linear_0")
        linear(d + ".mlp.2", s + "/ffn/linear_1")
    norm("decoder.ln", "decoder/layer_norm")


def convert(model_dir: Path, out: Path, quant: str) -> None:
    v = read_ct2(model_dir / "model.bin")
    tokens = (model_dir / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
    if tokens and tokens[-1] == "":
        tokens.pop()
    n_vocab, n_state = v["decoder/embeddings/weight"][0]
    if len(tokens) != n_vocab:
        fail(f"vocabulary.txt has {len(tokens)} tokens, the embeddings {n_vocab} rows")
    eot = tokens.index("<|endoftext|>")
    decoder = gpt2_byte_decoder()
    n_mels = v["encoder/conv1/weight"][0][1]

    header = struct.pack("<i", GGML_MAGIC)
    header += struct.pack(
        "<11i", n_vocab, v["encoder/position_encodings/encodings"][0][0], n_state,
        scalar_int(v, "encoder/num_heads"), count_layers(v, "encoder"),
        v["decoder/position_encodings/encodings"][0][0], n_state,
        scalar_int(v, "decoder/num_heads"), count_layers(v, "decoder"), n_mels, FTYPE[quant])
    filters = slaney_mel_filters(n_mels)
    header += struct.pack("<2i", n_mels, N_FFT // 2 + 1)
    header += struct.pack(f"<{len(filters)}f", *filters)
    header += struct.pack("<i", eot)
    for token in tokens[:eot]:
        raw = bytes(decoder[c] for c in token)
        header += struct.pack("<i", len(raw)) + raw

    w = Writer(quant)
    write_tensors(w, v)
    partial = out.with_name(out.name + ".partial")
    with partial.open("wb") as f:
        f.write(header)
        f.write(w.body)
    partial.replace(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--type", choices=sorted(FTYPE), default="f16")
    args = parser.parse_args()
    convert(args.model_dir, args.out, args.type)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
