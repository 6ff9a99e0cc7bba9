#!/usr/bin/env python3
"""Writes random-weight GGUF files shaped like SmolVLM-256M-Instruct, for the image benchmark
(`prism-bench image`), so it runs at the real model's cost without downloading the model:

  smolvlm-256m-shape-Q8_0.gguf        text model: llama arch, SmolLM2-135M shape (n_embd 576,
                                      30 layers, 9 heads / 3 kv, head_dim 64, n_ff 1536,
                                      vocab 49280, rope base 100000, untied output), 2-D
                                      weights Q8_0 like ggml-org's SmolVLM-256M-Instruct-Q8_0
  mmproj-smolvlm-256m-shape-f16.gguf  clip, projector idefics3: SigLIP-B/16 at 512 (width 768,
                                      12 blocks, 12 heads, n_ff 3072), scale factor 4,
                                      preproc_image_size 2048, mean/std 0.5, F16 like
                                      ggml-org's mmproj-SmolVLM-256M-Instruct-f16

The layout is exactly what tools/make_tiny_vlm_models.py writes for its smolvlm family (which
follows llama.cpp's converter): this script takes that family, widens it to the real sizes and
calls the same writers (make_tiny_models.write_gguf, make_tiny_vlm_models.write_mmproj) and
layout checks. The transformers model is built on the meta device only, for its parameter
names and shapes; weights are numpy draws: N(0, 0.02) for matrices, embeddings and biases,
norms weight 1 / bias 0, so activations stay finite (the outputs mean nothing).

The tokenizer is the smolvlm fixture's byte-level BPE (its merges, its marker tokens
<fake_token_around_image>, <global-img>, <row_R_col_C>, <image>, <end_of_utterance> as
control tokens, last) padded to 49280 entries with lowercase filler pieces no merge reaches;
the chat template is SmolVLM-256M-Instruct's (tests/data/chat/templates/smolvlm.jinja).

Usage (a developer tool; about a minute and 2.6 GB of memory; seeded: reruns give identical
files):
  python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
  build/tools-venv/bin/python tools/make_bench_vlm.py [output-dir]   # ~/.cache/prism/bench
"""

from __future__ import annotations

import dataclasses
import itertools
import string
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import transformers
from gguf import GGMLQuantizationType as QT

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
import make_tiny_models as tiny  # noqa: E402  (vocabulary, text GGUF writer and checks)
import make_tiny_vlm_models as vlm  # noqa: E402  (smolvlm family, mmproj writer and checks)

TEXT_FILE = "smolvlm-256m-shape-Q8_0.gguf"
MMPROJ_FILE = "mmproj-smolvlm-256m-shape-f16.gguf"
CHAT_TEMPLATE = TOOLS.parent / "tests" / "data" / "chat" / "templates" / "smolvlm.jinja"
SEED = 256
WEIGHT_STD = 0.02
N_VOCAB = 49280  # SmolLM2's 49152 + SmolVLM's added tokens

TEXT = dict(vocab_size=N_VOCAB, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
            num_attention_heads=9, num_key_value_heads=3, head_dim=64, rms_norm_eps=1e-5,
            tie_word_embeddings=False, max_position_embeddings=8192,
            rope_parameters=dict(rope_type="default", rope_theta=100000.0))
VISION = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
              num_attention_heads=12, image_size=512, patch_size=16, layer_norm_eps=1e-6,
              hidden_act="gelu_pytorch_tanh")


def widen_vocab(v: tiny.Vocab, n_vocab: int) -> tiny.Vocab:
    """The fixture vocabulary (bytes, merges, then control tokens) with filler pieces inserted
    before the control tokens up to n_vocab entries. Fillers are lowercase letter strings,
    with and without GPT-2's space mark, so generated text detokenizes to readable junk; no
    merge produces them, so tokenization is unchanged."""
    n_control = sum(1 for t in v.token_types if t == tiny.CONTROL)
    assert all(t == tiny.CONTROL for t in v.token_types[-n_control:]), "controls must be last"
    plain, controls = v.tokens[:-n_control], v.tokens[-n_control:]
    taken = set(v.tokens)
    fillers: list[str] = []
    want = n_vocab - len(v.tokens)
    for length in itertools.count(2):
        for letters in itertools.product(string.ascii_lowercase, repeat=length):
            for piece in ("".join(letters), "\u0120" + "".join(letters)):
                if piece not in taken:
                    fillers.append(piece)
                if len(fillers) == want:
                    break
            if len(fillers) == want:
                break
        if len(fillers) == want:
            break
    tokens = plain + fillers + controls
    types = v.token_types[:-n_control] + [tiny.NORMAL] * len(fillers) + [tiny.CONTROL] * n_control
    w = dataclasses.replace(v, tokens=tokens, token_types=types)
    w.special = {kind: w.id_of(v.tokens[tid]) for kind, tid in v.special.items()}
    w.prompt_ids = [w.id_of(v.tokens[t]) for t in v.prompt_ids]
    assert len(tokens) == len(set(tokens)) == n_vocab
    return w


def bench_family() -> vlm.VlmFamily:
    base = vlm.smolvlm_family()
    vocab = widen_vocab(base.text.vocab, N_VOCAB)
    vocab.chat_template = CHAT_TEMPLATE.read_text()
    text_cfg = dict(TEXT, bos_token_id=vocab.special["bos"], eos_token_id=vocab.special["eos"],
                    pad_token_id=vocab.special["padding"])
    text = dataclasses.replace(base.text, name="smolvlm-256m-shape", config=text_cfg,
                               vocab=vocab)
    # The name stays "smolvlm": the fixture script's writers choose the layout by it.
    return dataclasses.replace(base, text=text,
                               extra=dict(vision=VISION, scale_factor=4, longest_edge=2048))


def random_state(shapes: dict[str, torch.Size]) -> dict[str, torch.Tensor]:
    rng = np.random.default_rng(SEED)
    state = {}
    for name in sorted(shapes):
        shape = tuple(shapes[name])
        is_norm = "norm" in name.rsplit(".", 2)[-2]  # layer_norm1, post_layernorm, input_layernorm
        if is_norm and name.endswith(".weight"):
            data = np.ones(shape, np.float32)
        elif is_norm:
            data = np.zeros(shape, np.float32)
        else:
            data = rng.standard_normal(shape, dtype=np.float32) * np.float32(WEIGHT_STD)
        state[name] = torch.from_numpy(data)
    return state


def stand_in_model(vf: vlm.VlmFamily):
    """What the writers read from a transformers model (config, state_dict), with names and
    shapes from Idefics3ForConditionalGeneration built on the meta device (no memory)."""
    with torch.device("meta"):
        meta = transformers.Idefics3ForConditionalGeneration(vlm.hf_config(vf))
    shapes = {name: t.shape for name, t in meta.state_dict().items()}
    state = random_state(shapes)
    return SimpleNamespace(config=meta.config, state_dict=lambda: state)


def check_keys(m: tiny.GgufModel, want: dict) -> None:
    for key, value in want.items():
        got = m.kv(key)
        if isinstance(value, float) or (isinstance(value, list) and value
                                         and isinstance(value[0], float)):
            ok = np.allclose(got, value, rtol=1e-6, atol=0)
        else:
            ok = got == value
        assert ok, f"{key}: {got!r}, expected {value!r}"


def check_text(path: Path, vf: vlm.VlmFamily) -> tiny.GgufModel:
    m = tiny.GgufModel(path)
    n_layer = TEXT["num_hidden_layers"]
    assert len(m.reader.tensors) == 3 + 9 * n_layer, len(m.reader.tensors)
    check_keys(m, {
        "general.architecture": "llama", "general.file_type": 7, "llama.block_count": n_layer,
        "llama.context_length": 8192, "llama.embedding_length": 576,
        "llama.feed_forward_length": 1536, "llama.attention.head_count": 9,
        "llama.attention.head_count_kv": 3, "llama.attention.key_length": 64,
        "llama.rope.dimension_count": 64, "llama.rope.freq_base": 100000.0,
        "llama.attention.layer_norm_rms_epsilon": 1e-5, "llama.vocab_size": N_VOCAB,
        "tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": "smollm",
        "tokenizer.chat_template": CHAT_TEMPLATE.read_text()})
    tokens = m.kv("tokenizer.ggml.tokens")
    types = m.kv("tokenizer.ggml.token_type")
    assert len(tokens) == N_VOCAB
    markers = ["<fake_token_around_image>", "<global-img>", "<image>", "<end_of_utterance>"] + \
        [f"<row_{r}_col_{c}>" for r in range(1, 7) for c in range(1, 7)]
    for t in markers:
        assert types[tokens.index(t)] == tiny.CONTROL, t
    assert tokens[m.kv("tokenizer.ggml.eos_token_id")] == "<end_of_utterance>"
    shapes = {t.name: (tuple(int(n) for n in t.shape), t.tensor_type) for t in m.reader.tensors}
    assert shapes["token_embd.weight"] == ((576, N_VOCAB), QT.Q8_0)
    assert shapes["output.weight"] == ((576, N_VOCAB), QT.Q8_0)
    assert shapes["blk.29.attn_k.weight"] == ((576, 192), QT.Q8_0)
    assert shapes["blk.0.ffn_down.weight"] == ((1536, 576), QT.Q8_0)
    assert shapes["blk.0.attn_norm.weight"] == ((576,), QT.F32)
    return m


def check_mmproj(path: Path) -> tiny.GgufModel:
    m = tiny.GgufModel(path)
    n_block = VISION["num_hidden_layers"]
    assert len(m.reader.tensors) == 6 + 16 * n_block, len(m.reader.tensors)
    check_keys(m, {
        "general.architecture": "clip", "general.file_type": 1,
        "clip.projector_type": "idefics3", "clip.has_vision_encoder": True,
        "clip.vision.image_size": 512, "clip.vision.patch_size": 16,
        "clip.vision.embedding_length": 768, "clip.vision.feed_forward_length": 3072,
        "clip.vision.block_count": n_block, "clip.vision.attention.head_count": 12,
        "clip.vision.projection_dim": 576, "clip.vision.projector.scale_factor": 4,
        "clip.vision.preproc_image_size": 2048, "clip.use_gelu": True,
        "clip.vision.attention.layer_norm_epsilon": 1e-6,
        "clip.vision.image_mean": [0.5] * 3, "clip.vision.image_std": [0.5] * 3})
    shapes = {t.name: (tuple(int(n) for n in t.shape), t.tensor_type) for t in m.reader.tensors}
    assert shapes["v.patch_embd.weight"] == ((16, 16, 3, 768), QT.F32)  # ".embeddings." F32
    assert shapes["v.position_embd.weight"] == ((768, 1024), QT.F32)
    assert shapes["v.blk.11.ffn_up.weight"] == ((768, 3072), QT.F16)
    assert shapes["v.blk.0.attn_q.bias"] == ((768,), QT.F32)
    assert shapes["mm.model.fc.weight"] == ((768 * 16, 576), QT.F16)
    return m


def main() -> None:
    start = time.perf_counter()
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path.home() / ".cache" / "prism" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    vf = bench_family()
    model = stand_in_model(vf)

    # Written under .tmp names, renamed only once every check passed.
    text_tmp, mm_tmp = out_dir / (TEXT_FILE + ".tmp"), out_dir / (MMPROJ_FILE + ".tmp")
    text_view = vlm.TextView(vf, model)
    tiny.write_gguf(text_tmp, vf.text, text_view, QT.Q8_0, name="SmolVLM-256M shape (random)")
    tiny.check_layout(text_tmp, vf.text, text_view, QT.Q8_0)
    check_text(text_tmp, vf)
    plan = vlm.mmproj_plan(vf, model)
    vlm.write_mmproj(mm_tmp, vf, model, plan, name="SmolVLM-256M shape (random)")
    vlm.check_mmproj_layout(mm_tmp, plan)
    check_mmproj(mm_tmp)

    for tmp, final in ((text_tmp, out_dir / TEXT_FILE), (mm_tmp, out_dir / MMPROJ_FILE)):
        tmp.replace(final)
        m = tiny.GgufModel(final)
        print(f"{final}: {final.stat().st_size / 1e6:.1f} MB ({final.stat().st_size} bytes), "
              f"{len(m.reader.tensors)} tensors, "
              f"{sum(int(np.prod(t.shape)) for t in m.reader.tensors) / 1e6:.1f} M parameters")
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
