#!/usr/bin/env python3
"""Makes the tiny random-weight model fixtures in tests/data/models/.

For each of four architectures this builds a small Hugging Face `transformers` model with fixed
seeds, writes it as GGUF the way llama.cpp's converter (convert_hf_to_gguf.py) lays that
architecture out, once in F32 and once in Q8_0, and records what the models compute for a fixed
prompt, so that Prism's decoder can be checked against transformers without Python in CI:

  tiny-<family>-f32.gguf       every tensor F32 (general.file_type 0)
  tiny-<family>-q8_0.gguf      2-D weights Q8_0, norms/biases/rope_freqs F32 (file_type 7)
  tiny-<family>.logits.f32     transformers' logits, little-endian float32 [rows, vocab]
  tiny-<family>-q8_0.logits.f32  the same from this script's numpy forward pass over the
                               dequantized Q8_0 file (transformers cannot run Q8_0 weights)
  tiny-<family>.expected.txt   "key value..." lines: prompt ids, greedy tokens, shapes,
                               tolerances (see README.md, which this script also writes)

Families: llama (LlamaForCausalLM, untied output, llama3 rope scaling -> rope_freqs),
qwen2 (q/k/v biases, tied), qwen3 (QK-norm, head_dim*heads != hidden, tied), gemma3 (sliding
and global layers, four norms per layer, embedding scale, tied, GELU-tanh).

Before writing anything the script checks its own work: it re-reads every GGUF with the `gguf`
package (names, shapes, types), and runs an independent numpy forward pass over the tensors
*as stored in the file* (permuted Q/K rows with NORMAL rope for llama, +1 norms for gemma3,
hyperparameters read from the GGUF keys) that must reproduce transformers' logits within
1e-4 and its 16 greedy tokens; and the same pass with one layout rule broken at a time (rope
style, rope_freqs, biases, QK-norm, Gemma's norms, window, pattern, bases, embedding scale)
must move the logits by more than 1% of their largest magnitude, so the fixtures test each
rule.

Usage (a developer tool; CI never runs Python, the fixtures are committed):
  python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
  build/tools-venv/bin/python tools/make_tiny_models.py [output-dir]
"""

from __future__ import annotations

import importlib.metadata
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import transformers
import gguf
from gguf import GGMLQuantizationType as QT

N_GENERATED = 16
SEED_TRIES = 64
MIN_DISTINCT_TOKENS = 6
MIN_RELATIVE_MARGIN = 0.01
F32_CHECK_ATOL = 1e-4  # numpy forward (float64) vs transformers (float32 on CPU)
GGUF_ALIGNMENT = 32


# ------------------------------------------------------------------------------------------
# Tokenizers: a small byte-level BPE (gpt2) or SentencePiece-style (llama) vocabulary learnt
# from a fixed text, so the GGUF carries a real, self-consistent tokenizer section.

CORPUS = (
    "The quick brown fox jumps over the lazy dog. The cat sat on the mat, and the dog sat on "
    "the log. Once upon a time there was a little girl who lived in a village near the forest. "
    "She liked to read books about the sea, the stars and the sun. What is the capital of "
    "France? The capital of France is Paris. int main() { return 0; } for i in range(10): "
    "print(i) 1234 5678 + - * / = < > hello world, hello there!"
)
PROMPT_TEXT = "The cat sat on the mat"


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character map, in GPT-2's vocabulary order."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + \
        list(range(0xAE, 0xFF + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def learn_merges(words: list[list[str]], n_new: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Plain BPE: repeatedly merge the most frequent adjacent pair (ties: smallest pair) until
    n_new distinct merged tokens exist. Returns (merges in rank order, new tokens in order);
    two merges may make the same token, as in real BPE vocabularies."""
    words = [w[:] for w in words]
    merges: list[tuple[str, str]] = []
    new_tokens: list[str] = []
    while len(new_tokens) < n_new:
        counts: dict[tuple[str, str], int] = {}
        for w in words:
            for pair in zip(w, w[1:]):
                counts[pair] = counts.get(pair, 0) + 1
        if not counts:
            raise ValueError("corpus too small for the vocabulary size")
        best = min(counts, key=lambda p: (-counts[p], p))
        merges.append(best)
        if best[0] + best[1] not in new_tokens:
            new_tokens.append(best[0] + best[1])
        for w in words:
            i = 0
            while i < len(w) - 1:
                if (w[i], w[i + 1]) == best:
                    w[i:i + 2] = [w[i] + w[i + 1]]
                i += 1
    return merges, new_tokens


def apply_merges(symbols: list[str], ranks: dict[tuple[str, str], int]) -> list[str]:
    symbols = symbols[:]
    while len(symbols) > 1:
        pairs = [(ranks.get(p, math.inf), i) for i, p in enumerate(zip(symbols, symbols[1:]))]
        rank, i = min(pairs)
        if rank == math.inf:
            break
        symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
    return symbols


@dataclass
class Vocab:
    model: str  # tokenizer.ggml.model
    pre: str
    tokens: list[str]
    token_types: list[int]
    scores: list[float] | None = None
    merges: list[str] | None = None
    special: dict[str, int] = field(default_factory=dict)  # bos/eos/unk/padding -> id
    add_bos: bool = True
    add_space_prefix: bool | None = None
    prompt_ids: list[int] = field(default_factory=list)
    ranks: dict[tuple[str, str], int] = field(default_factory=dict)  # merge -> rank
    chat_template: str | None = None  # tokenizer.chat_template; the fixtures carry none

    def id_of(self, text: str) -> int:
        return self.tokens.index(text)

    def encode(self, text: str) -> list[int]:
        """Plain text (no special tokens) as this script's tokenizer splits it: GPT-2 byte-level
        pieces for gpt2, '▁'-marked words with byte fallback for the SentencePiece style."""
        ids: list[int] = []
        if self.model == "gpt2":
            byte_char = bytes_to_unicode()
            for w in GPT2_SPLIT.findall(text):
                ids += [self.id_of(s) for s in
                        apply_merges([byte_char[b] for b in w.encode()], self.ranks)]
            return ids
        for w in re.findall("\u2581?[^\u2581]+", text.replace(" ", "\u2581")):
            for s in apply_merges(list(w), self.ranks):
                if s in self.tokens:
                    ids.append(self.id_of(s))
                else:
                    ids += [self.id_of(f"<0x{b:02X}>") for b in s.encode()]
        return ids


NORMAL, UNKNOWN, CONTROL, BYTE = 1, 2, 3, 6
GPT2_SPLIT = re.compile(r" ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+")


def gpt2_vocab(n_vocab: int, pre: str, specials: list[str], bos: str, eos: str,
               pad: str | None, add_bos: bool) -> Vocab:
    """Byte-level BPE as Llama 3 / Qwen files carry it: 256 byte symbols, merges, specials last."""
    byte_char = bytes_to_unicode()
    base = list(byte_char.values())
    words = [[byte_char[b] for b in w.encode()] for w in GPT2_SPLIT.findall(CORPUS)]
    merges, merged = learn_merges(words, n_vocab - 256 - len(specials))
    tokens = base + merged + specials
    assert len(tokens) == len(set(tokens)) == n_vocab, "merged tokens must be distinct"
    types = [NORMAL] * (n_vocab - len(specials)) + [CONTROL] * len(specials)
    v = Vocab("gpt2", pre, tokens, types, merges=[f"{a} {b}" for a, b in merges],
              add_bos=add_bos)
    v.special = {"bos": v.id_of(bos), "eos": v.id_of(eos)}
    if pad is not None:
        v.special["padding"] = v.id_of(pad)
    v.ranks = {m: i for i, m in enumerate(merges)}
    v.prompt_ids = ([v.special["bos"]] if add_bos else []) + v.encode(PROMPT_TEXT)
    return v


def spm_vocab(n_vocab: int, extra_specials: tuple[str, ...] = ()) -> Vocab:
    """SentencePiece-style vocabulary laid out like Gemma's: <pad> <eos> <bos> <unk>, turn
    markers (then extra_specials, control tokens too), 256 byte-fallback tokens, then pieces
    with '▁' for spaces, scored so that earlier merges win."""
    specials = [("<pad>", CONTROL), ("<eos>", CONTROL), ("<bos>", CONTROL), ("<unk>", UNKNOWN),
                ("<start_of_turn>", CONTROL), ("<end_of_turn>", CONTROL)] + \
        [(t, CONTROL) for t in extra_specials]
    byte_tokens = [f"<0x{b:02X}>" for b in range(256)]
    text = CORPUS.replace(" ", "\u2581")
    chars = sorted(set(text))
    words = [list(w) for w in re.findall("\u2581?[^\u2581]+", text)]
    n_merges = n_vocab - len(specials) - 256 - len(chars)
    merges, merged = learn_merges(words, n_merges)
    pieces = chars + merged
    tokens = [t for t, _ in specials] + byte_tokens + pieces
    assert len(tokens) == len(set(tokens)) == n_vocab
    types = [t for _, t in specials] + [BYTE] * 256 + [NORMAL] * len(pieces)
    # Single characters score below every merged piece; merged pieces by merge order.
    scores = [0.0] * (len(specials) + 256) + [-1000.0 - i for i in range(len(chars))] + \
        [-float(i) for i in range(len(merged))]
    v = Vocab("llama", "default", tokens, types, scores=scores, add_bos=True,
              add_space_prefix=False)
    v.special = {"bos": 2, "eos": 1, "unk": 3, "padding": 0}
    v.ranks = {m: i for i, m in enumerate(merges)}
    v.prompt_ids = [v.special["bos"]] + v.encode(PROMPT_TEXT)
    return v


# ------------------------------------------------------------------------------------------
# The four families.

@dataclass
class Family:
    name: str
    arch: str  # general.architecture
    hf_class: str
    seed: int
    config: dict
    vocab: Vocab
    rope_neox: bool
    gemma_norms: bool = False  # Gemma's (1 + w) RMSNorm, stored as w + 1 by the converter
    embed_std: float = 0.3
    final_norm_gain: float = 4.0
    swa_pattern: int | None = None  # written as {arch}.attention.sliding_window_pattern


VOCAB_SIZE = 320  # byte-level BPE: 256 bytes + merges + specials
GEMMA_VOCAB_SIZE = 352  # SentencePiece: specials + 256 byte tokens + characters + merges


def families() -> list[Family]:
    llama_vocab = gpt2_vocab(VOCAB_SIZE, "llama-bpe",
                             ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
                              "<|end_header_id|>", "<|eot_id|>"],
                             bos="<|begin_of_text|>", eos="<|end_of_text|>", pad=None,
                             add_bos=True)
    qwen_vocab = gpt2_vocab(VOCAB_SIZE, "qwen2", ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                            bos="<|endoftext|>", eos="<|im_end|>", pad="<|endoftext|>",
                            add_bos=False)
    gemma_vocab = spm_vocab(GEMMA_VOCAB_SIZE)
    common = dict(max_position_embeddings=128, attention_dropout=0.0)
    return [
        Family("llama", "llama", "LlamaForCausalLM", 1001, dict(
            common, vocab_size=VOCAB_SIZE, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, head_dim=16, rms_norm_eps=1e-5,
            tie_word_embeddings=False,
            # Llama 3.x rope scaling. original_max_position_embeddings is small so that the
            # scaled frequencies matter within the 25 positions the references cover.
            rope_parameters=dict(rope_type="llama3", rope_theta=500000.0, factor=8.0,
                                 low_freq_factor=1.0, high_freq_factor=4.0,
                                 original_max_position_embeddings=32),
            bos_token_id=llama_vocab.special["bos"], eos_token_id=llama_vocab.special["eos"]),
            llama_vocab, rope_neox=False),
        Family("qwen2", "qwen2", "Qwen2ForCausalLM", 1002, dict(
            common, vocab_size=VOCAB_SIZE, hidden_size=32, intermediate_size=64,
            num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6,
            tie_word_embeddings=True,
            rope_parameters=dict(rope_type="default", rope_theta=1000000.0),
            bos_token_id=qwen_vocab.special["bos"], eos_token_id=qwen_vocab.special["eos"]),
            qwen_vocab, rope_neox=True),
        Family("qwen3", "qwen3", "Qwen3ForCausalLM", 1003, dict(
            common, vocab_size=VOCAB_SIZE, hidden_size=32, intermediate_size=64,
            num_hidden_layers=3,
            num_attention_heads=4, num_key_value_heads=2, head_dim=16, rms_norm_eps=1e-6,
            tie_word_embeddings=True,
            rope_parameters=dict(rope_type="default", rope_theta=1000000.0),
            bos_token_id=qwen_vocab.special["bos"], eos_token_id=qwen_vocab.special["eos"]),
            qwen_vocab, rope_neox=True),
        Family("gemma3", "gemma3", "Gemma3ForCausalLM", 1004, dict(
            common, vocab_size=GEMMA_VOCAB_SIZE, hidden_size=32, intermediate_size=64,
            num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1, head_dim=16, rms_norm_eps=1e-6,
            tie_word_embeddings=True, query_pre_attn_scalar=16,
            hidden_activation="gelu_pytorch_tanh",
            # Window 4 << the 25 positions covered, so the sliding layer really slides.
            sliding_window=4, layer_types=["sliding_attention", "full_attention"],
            rope_parameters=dict(
                sliding_attention=dict(rope_type="default", rope_theta=10000.0),
                full_attention=dict(rope_type="default", rope_theta=1000000.0)),
            final_logit_softcapping=None, attn_logit_softcapping=None,
            bos_token_id=2, eos_token_id=1, pad_token_id=0),
            gemma_vocab, rope_neox=True, gemma_norms=True, swa_pattern=2,
            # Gemma scales embeddings by sqrt(hidden) on input, so they start smaller.
            embed_std=0.05, final_norm_gain=12.0),
    ]


def build_model(fam: Family, seed: int) -> torch.nn.Module:
    """The transformers model with seeded weights. The default init gives near-uniform logits;
    these scales give spread logits and varied greedy continuations instead: small embeddings
    (a large tied embedding makes every token predict itself), and a large final norm so that
    logits are of order 10-30."""
    config_class = getattr(transformers, fam.hf_class.replace("ForCausalLM", "Config"))
    if fam.hf_class == "Gemma3ForCausalLM":
        config_class = transformers.Gemma3TextConfig
    config = config_class(**fam.config)
    config._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = getattr(transformers, fam.hf_class)(config).eval()
    init_parameters(model, fam, seed)
    return model


def init_parameters(model: torch.nn.Module, fam: Family, seed: int, prefix: str = "model.",
                    other=None) -> None:
    """Draws every parameter from a generator seeded with `seed`, in name order, by the rules
    above. The text model's parameters are named `{prefix}embed_tokens`, `{prefix}layers...`,
    `{prefix}norm`, `lm_head`; `other(name, param, generator)` may claim any parameter first
    (returning True), e.g. a vision tower's."""
    gen = torch.Generator().manual_seed(seed)
    # Gemma's RMSNorm multiplies by (1 + w): store w = effective - 1.
    norm_offset = -1.0 if fam.gemma_norms else 0.0
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if other is not None and other(name, p, gen):
                continue
            if name.endswith("norm.weight"):
                effective = torch.rand(p.shape, generator=gen) + 0.5  # [0.5, 1.5)
                if name == f"{prefix}norm.weight":
                    effective = effective * fam.final_norm_gain
                p.copy_(effective + norm_offset)
            elif name.endswith(".bias"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
            elif name == f"{prefix}embed_tokens.weight":
                p.copy_(torch.randn(p.shape, generator=gen) * fam.embed_std)
            elif p.dim() == 2:  # linear layers, lm_head included
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[1]))
            else:
                raise ValueError(f"no init rule for {name}")


def choose_seed(fam: Family) -> tuple[int, torch.nn.Module, np.ndarray, list[int]]:
    """The first seed from fam.seed whose greedy continuation is varied and whose greedy
    choices are clear (top-1/top-2 gap >= 1% of the largest logit), so the fixture's greedy
    check is meaningful and not at the mercy of rounding."""
    prompt = fam.vocab.prompt_ids
    for seed in range(fam.seed, fam.seed + SEED_TRIES):
        model = build_model(fam, seed)
        logits, tokens = hf_reference(model, prompt)
        margin = greedy_margin(logits, len(prompt)) / float(np.abs(logits).max())
        if len(set(tokens)) >= MIN_DISTINCT_TOKENS and margin >= MIN_RELATIVE_MARGIN:
            return seed, model, logits, tokens
    raise RuntimeError(f"{fam.name}: no seed in {SEED_TRIES} tries meets the criteria")


# ------------------------------------------------------------------------------------------
# transformers' reference: prefill logits, then greedy decode with the KV cache.

def hf_reference(model: torch.nn.Module, prompt: list[int]) -> tuple[np.ndarray, list[int]]:
    """Returns (logits [len(prompt) + N_GENERATED - 1, vocab], greedy tokens [N_GENERATED]).
    Row r holds the logits after position r of prompt + generated[:-1]."""
    with torch.no_grad():
        out = model(torch.tensor([prompt]), use_cache=True)
        rows = [out.logits[0].float().numpy()]
        past = out.cache
        generated = [int(out.logits[0, -1].argmax())]
        while len(generated) < N_GENERATED:
            out = model(torch.tensor([[generated[-1]]]), cache=past, use_cache=True)
            past = out.cache
            rows.append(out.logits[0].float().numpy())
            generated.append(int(out.logits[0, -1].argmax()))
    return np.concatenate(rows).astype(np.float32), generated


# ------------------------------------------------------------------------------------------
# GGUF writing, as llama.cpp's converter lays out each architecture.

def hf_to_gguf_name(fam: Family, name: str) -> str:
    if name == "model.embed_tokens.weight":
        return "token_embd.weight"
    if name == "model.norm.weight":
        return "output_norm.weight"
    if name == "lm_head.weight":
        return "output.weight"
    m = re.fullmatch(r"model\.layers\.(\d+)\.(.+)\.(weight|bias)", name)
    if not m:
        raise ValueError(f"cannot map {name}")
    per_layer = {
        "input_layernorm": "attn_norm",
        "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
        "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
        "self_attn.q_norm": "attn_q_norm", "self_attn.k_norm": "attn_k_norm",
        "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down",
        # Gemma 3 has a norm after attention and one before the FFN; the others name their
        # pre-FFN norm "post_attention_layernorm".
        "post_attention_layernorm": "post_attention_norm" if fam.gemma_norms else "ffn_norm",
        "pre_feedforward_layernorm": "ffn_norm",
        "post_feedforward_layernorm": "post_ffw_norm",
    }
    if m.group(2) not in per_layer:
        raise ValueError(f"cannot map {name}")
    return f"blk.{m.group(1)}.{per_layer[m.group(2)]}.{m.group(3)}"


def llama_permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """The converter's Q/K row order for `llama`: within each head, rows (i, i + d/2) of HF's
    rotate-half layout become adjacent rows (2i, 2i + 1), so NORMAL rope applies."""
    return (w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def llama3_rope_factors(cfg: dict) -> np.ndarray:
    """rope_freqs as the converter computes it for rope_type llama3: per frequency-pair divisor.
    One difference: the converter takes original_max_position_embeddings from the top level of
    config.json (default 8192, which is what real Llama 3.x configs give inside rope_scaling);
    transformers reads it from the rope parameters, so this does too, or the file would not
    compute what the model computes."""
    rp = cfg["rope_parameters"]
    dim = cfg["head_dim"]
    freqs = 1.0 / (rp["rope_theta"] ** (np.arange(0, dim, 2, dtype=np.float64) / dim))
    factor, lo, hi = rp["factor"], rp["low_freq_factor"], rp["high_freq_factor"]
    old_ctx = rp["original_max_position_embeddings"]
    out = []
    for f in freqs:
        wavelen = 2 * math.pi / f
        if wavelen < old_ctx / hi:
            out.append(1.0)
        elif wavelen > old_ctx / lo:
            out.append(factor)
        else:
            smooth = (old_ctx / wavelen - lo) / (hi - lo)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


def gguf_tensors(fam: Family, model: torch.nn.Module) -> list[tuple[str, np.ndarray]]:
    """(name, float32 data in numpy/PyTorch order) in the converter's order: generated tensors
    first, then the checkpoint's tensors sorted by name as safetensors lists them."""
    cfg = model.config.to_dict()
    out: list[tuple[str, np.ndarray]] = []
    if cfg["rope_parameters"].get("rope_type") == "llama3":
        out.append(("rope_freqs.weight", llama3_rope_factors(cfg)))
    state = model.state_dict()
    for name in sorted(state):
        if name == "lm_head.weight" and cfg["tie_word_embeddings"]:
            continue  # tied: save_pretrained stores only the embedding, no output tensor
        data = state[name].float().numpy().copy()
        if fam.arch == "llama" and name.endswith("q_proj.weight"):
            data = llama_permute(data, cfg["num_attention_heads"])
        elif fam.arch == "llama" and name.endswith("k_proj.weight"):
            data = llama_permute(data, cfg["num_key_value_heads"])
        if fam.gemma_norms and name.endswith("norm.weight"):
            data = data + np.float32(1.0)
        out.append((hf_to_gguf_name(fam, name), data))
    return out


def write_gguf(path: Path, fam: Family, model: torch.nn.Module, qtype: QT,
               name: str | None = None) -> None:
    """`model` needs only `config.to_dict()` and `state_dict()` (torch tensors), so callers may
    pass a stand-in; `name` (general.name) defaults to tiny-<family>."""
    cfg = model.config.to_dict()
    arch = fam.arch
    w = gguf.GGUFWriter(str(path), arch)  # writes general.architecture
    w.add_type("model")
    w.add_name(name if name is not None else f"tiny-{fam.name}")
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    w.add_file_type(gguf.LlamaFileType.ALL_F32 if qtype == QT.F32
                    else gguf.LlamaFileType.MOSTLY_Q8_0)

    rope = cfg["rope_parameters"].get("full_attention", cfg["rope_parameters"])
    # TextModel.set_gguf_parameters (all four), in its order.
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(cfg["num_attention_heads"])
    w.add_head_count_kv(cfg["num_key_value_heads"])
    w.add_rope_freq_base(rope["rope_theta"])
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    if cfg.get("head_dim") is not None:  # only configs that carry head_dim (not Qwen2's)
        w.add_key_length(cfg["head_dim"])
        w.add_value_length(cfg["head_dim"])
    if arch == "llama":  # LlamaModel.set_gguf_parameters
        w.add_vocab_size(cfg["vocab_size"])
        w.add_rope_dimension_count(cfg["head_dim"])
    if arch == "gemma3":  # Gemma3Model.set_gguf_parameters
        w.add_sliding_window(cfg["sliding_window"])
        # The converter writes no pattern (llama.cpp then uses period 6: five sliding layers,
        # one global). With two layers that would make both sliding, so this file states
        # period 2, which llama.cpp reads from this key: layer 0 sliding, layer 1 global.
        w.add_uint32(gguf.Keys.Attention.SLIDING_WINDOW_PATTERN.format(arch=arch),
                     fam.swa_pattern)
        expect = ["sliding_attention" if il % fam.swa_pattern < fam.swa_pattern - 1
                  else "full_attention" for il in range(cfg["num_hidden_layers"])]
        assert cfg["layer_types"] == expect, "pattern key must describe the HF layer types"
        # rope.freq_base_swa is not written by the converter; llama.cpp's default (10000)
        # equals the sliding layers' theta here.
        assert cfg["rope_parameters"]["sliding_attention"]["rope_theta"] == 10000.0
    if arch == "qwen2vl":  # Qwen2VLModel.set_gguf_parameters: M-RoPE sections, padded to 4
        sections = list(cfg["rope_parameters"]["mrope_section"])
        w.add_rope_dimension_sections(sections + [0] * max(0, 4 - len(sections)))

    v = fam.vocab
    w.add_tokenizer_model(v.model)
    w.add_tokenizer_pre(v.pre)
    w.add_token_list(v.tokens)
    if v.scores is not None:
        w.add_token_scores(v.scores)
    w.add_token_types(v.token_types)
    if v.merges is not None:
        w.add_token_merges(v.merges)
    for kind, tid in v.special.items():
        w.add_uint32(f"tokenizer.ggml.{kind}_token_id", tid)
    w.add_add_bos_token(v.add_bos)
    if v.model == "llama":
        w.add_add_eos_token(False)
    if v.add_space_prefix is not None:
        w.add_add_space_prefix(v.add_space_prefix)
    if v.chat_template is not None:  # SpecialVocab writes it last in the tokenizer section
        w.add_chat_template(v.chat_template)

    for name, data in gguf_tensors(fam, model):
        # The converter keeps 1-D tensors and norms in F32; 2-D weights take the file's type.
        if qtype == QT.F32 or data.ndim <= 1 or name.endswith("_norm.weight"):
            w.add_tensor(name, data.astype(np.float32))
        else:
            w.add_tensor(name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


# ------------------------------------------------------------------------------------------
# Independent check: a numpy forward pass over the GGUF as stored.

class GgufModel:
    def __init__(self, path: Path):
        self.reader = gguf.GGUFReader(str(path))
        self.arch = self.kv("general.architecture")
        self.tensors = {t.name: t for t in self.reader.tensors}

    def kv(self, key: str, default=None):
        f = self.reader.fields.get(key)
        if f is None:
            if default is None:
                raise KeyError(key)
            return default
        return f.contents()

    def hp(self, key: str, default=None):
        return self.kv(f"{self.arch}.{key}", default)

    def weight(self, name: str) -> np.ndarray | None:
        t = self.tensors.get(name)
        if t is None:
            return None
        data = gguf.quants.dequantize(t.data, t.tensor_type)
        return data.reshape([int(n) for n in reversed(t.shape)]).astype(np.float64)


def rms_norm(x: np.ndarray, w: np.ndarray, eps: float) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rope(x: np.ndarray, pos: np.ndarray, base: float, neox: bool,
         freq_factors: np.ndarray | None) -> np.ndarray:
    """x [tokens, heads, head_dim]. NORMAL rotates pairs (2i, 2i+1); NEOX (i, i + d/2)."""
    d = x.shape[-1]
    theta = base ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    if freq_factors is not None:
        theta = theta / freq_factors
    ang = pos[:, None, None] * theta[None, None, :]
    cos, sin = np.cos(ang), np.sin(ang)
    if neox:
        a, b = x[..., : d // 2], x[..., d // 2:]
    else:
        a, b = x[..., 0::2], x[..., 1::2]
    ra, rb = a * cos - b * sin, a * sin + b * cos
    out = np.empty_like(x)
    if neox:
        out[..., : d // 2], out[..., d // 2:] = ra, rb
    else:
        out[..., 0::2], out[..., 1::2] = ra, rb
    return out


def linear(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x [tokens, in] times a weight stored [out, in] (ggml ne = [in, out])."""
    return x @ w.T


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def silu(x: np.ndarray) -> np.ndarray:
    return x / (1 + np.exp(-x))


def mrope(x: np.ndarray, planes: np.ndarray, base: float, sections: list[int]) -> np.ndarray:
    """llama.cpp's M-RoPE (qwen2vl): NEOX pairs (i, i + d/2); pair i turns by the position of
    the plane whose section holds i mod sum(sections) (sections in pairs: t, h, w, e), with
    theta = base^(-2i/d) running on across sections."""
    d = x.shape[-1]
    plane_of = np.repeat(np.arange(4), sections)[np.arange(d // 2) % sum(sections)]
    theta = base ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    ang = planes[plane_of].T[:, None, :] * theta[None, None, :]  # [T, 1, d/2]
    cos, sin = np.cos(ang), np.sin(ang)
    a, b = x[..., : d // 2], x[..., d // 2:]
    return np.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1)


def numpy_forward(m: GgufModel, ids: list[int], linear=linear,
                  flip_rope: bool = False, scale_embeddings: bool = True,
                  image_rows: np.ndarray | None = None, positions=None,
                  non_causal: list = ()) -> np.ndarray:
    """Logits [tokens, vocab] for a whole sequence, from the GGUF's own keys and tensors.
    `linear` computes every matmul (swappable to model other arithmetic); flip_rope swaps
    NORMAL and NEOX and scale_embeddings=False drops Gemma's sqrt(n_embd) (only to show that
    the check notices). Multimodal prompts: ids < 0 take the next row of image_rows (never
    scaled); positions are 1-D or, for qwen2vl, four planes [t, h, w, e]; rows inside a
    non_causal [begin, end) span also see each other's later rows."""
    arch = m.arch
    n_layer = m.hp("block_count")
    n_embd = m.hp("embedding_length")
    n_head = m.hp("attention.head_count")
    n_kv = m.hp("attention.head_count_kv", n_head)
    head_dim = m.hp("attention.key_length", n_embd // n_head)
    eps = m.hp("attention.layer_norm_rms_epsilon")
    base = m.hp("rope.freq_base", 10000.0)
    neox = (arch != "llama") != flip_rope  # llama.cpp: llama is NORMAL, the others NEOX
    n_swa = m.hp("attention.sliding_window", 0) if arch == "gemma3" else 0
    period = m.hp("attention.sliding_window_pattern", 6)
    base_swa = m.hp("rope.freq_base_swa", 10000.0)
    rope_freqs = m.weight("rope_freqs.weight")

    x = m.weight("token_embd.weight")[np.maximum(ids, 0)]
    if arch == "gemma3" and scale_embeddings:
        x = x * math.sqrt(n_embd)
    if image_rows is not None:
        x[np.asarray(ids) < 0] = image_rows
    T = len(ids)
    pos = np.arange(T, dtype=np.float64)
    planes = None
    if positions is not None and arch == "qwen2vl":
        planes = np.asarray(positions, dtype=np.float64)
        pos = planes[0]
        sections = list(m.hp("rope.dimension_sections"))[:4]
    elif positions is not None:
        pos = np.asarray(positions, dtype=np.float64)
    for il in range(n_layer):
        def W(n: str):
            return m.weight(f"blk.{il}.{n}.weight")

        def B(n: str):
            b = m.weight(f"blk.{il}.{n}.bias")
            return 0.0 if b is None else b

        swa = n_swa > 0 and il % period < period - 1
        h = rms_norm(x, W("attn_norm"), eps)
        q = (linear(h, W("attn_q")) + B("attn_q")).reshape(T, n_head, head_dim)
        k = (linear(h, W("attn_k")) + B("attn_k")).reshape(T, n_kv, head_dim)
        v = (linear(h, W("attn_v")) + B("attn_v")).reshape(T, n_kv, head_dim)
        if W("attn_q_norm") is not None:
            q = rms_norm(q, W("attn_q_norm"), eps)
            k = rms_norm(k, W("attn_k_norm"), eps)
        layer_base = base_swa if swa else base
        if planes is not None:
            q, k = mrope(q, planes, layer_base, sections), mrope(k, planes, layer_base, sections)
        else:
            q = rope(q, pos, layer_base, neox, rope_freqs)
            k = rope(k, pos, layer_base, neox, rope_freqs)
        mask = np.tril(np.ones((T, T), dtype=bool))
        for begin, end in non_causal:
            mask[begin:end, begin:end] = True
        if swa:  # llama.cpp masks key p0 for query p1 when p1 - p0 >= n_swa
            mask &= (pos[:, None] - pos[None, :]) < n_swa
        attn = np.empty((T, n_head, head_dim))
        group = n_head // n_kv
        for hh in range(n_head):
            s = q[:, hh] @ k[:, hh // group].T / math.sqrt(head_dim)
            s = np.where(mask, s, -np.inf)
            p = np.exp(s - s.max(axis=-1, keepdims=True))
            p /= p.sum(axis=-1, keepdims=True)
            attn[:, hh] = p @ v[:, hh // group]
        o = linear(attn.reshape(T, n_head * head_dim), W("attn_output"))
        if arch == "gemma3":
            o = rms_norm(o, W("post_attention_norm"), eps)
        x = x + o
        h = rms_norm(x, W("ffn_norm"), eps)
        act = gelu_tanh if arch == "gemma3" else silu
        f = linear(act(linear(h, W("ffn_gate"))) * linear(h, W("ffn_up")), W("ffn_down"))
        if arch == "gemma3":
            f = rms_norm(f, W("post_ffw_norm"), eps)
        x = x + f
    x = rms_norm(x, m.weight("output_norm.weight"), eps)
    out = m.weight("output.weight")
    if out is None:
        out = m.weight("token_embd.weight")  # tied
    return linear(x, out)


def numpy_greedy(m: GgufModel, prompt: list[int]) -> tuple[np.ndarray, list[int]]:
    """Greedy decode by full recomputation; logits rows as in hf_reference."""
    generated: list[int] = []
    for _ in range(N_GENERATED):
        logits = numpy_forward(m, prompt + generated)
        generated.append(int(np.argmax(logits[-1])))
    return numpy_forward(m, prompt + generated[:-1]), generated


def activation_quantized_diff(m: GgufModel, ids: list[int], reference: np.ndarray) -> float:
    """How far logits move when every matmul input is rounded to Q8_0 blocks first (as
    llama.cpp's CPU and Vulkan backends do for Q8_0 weights): what an engine that quantizes
    activations should expect against the exact Q8_0 reference. Informational only."""
    def quantized_input(x: np.ndarray, w: np.ndarray) -> np.ndarray:
        blocks = x.reshape(-1, 32)
        d = (np.abs(blocks).max(axis=1, keepdims=True) / 127).astype(np.float16)
        d = d.astype(np.float64)
        q = np.round(np.divide(blocks, d, out=np.zeros_like(blocks), where=d > 0))
        return linear((q * d).reshape(x.shape), w)

    return float(np.abs(numpy_forward(m, ids, quantized_input) - reference).max())


class AlteredModel(GgufModel):
    """A GGUF read with one layout rule broken, to show the numpy check would notice."""

    def __init__(self, base: GgufModel, keys: dict | None = None, drop: str | None = None,
                 shift_norms: float = 0.0):
        self.__dict__.update(base.__dict__)
        self.keys = keys or {}
        self.drop = re.compile(drop) if drop else None
        self.shift_norms = shift_norms

    def hp(self, key: str, default=None):
        return self.keys[key] if key in self.keys else super().hp(key, default)

    def weight(self, name: str) -> np.ndarray | None:
        if self.drop is not None and self.drop.fullmatch(name):
            return None
        w = super().weight(name)
        return w + self.shift_norms if w is not None and name.endswith("norm.weight") else w


def sensitivity(m: GgufModel, ids: list[int], reference: np.ndarray) -> list[tuple[str, float]]:
    """(broken rule, max |logit change| / max |logit|) for rules this family exercises; each
    must move logits far beyond the tests' 1e-3 tolerance, or the fixture would not test it."""
    arch = m.arch
    cases: list[tuple[str, object]] = [
        ("NEOX and NORMAL rope swapped", lambda: numpy_forward(m, ids, flip_rope=True))]
    if arch == "llama":
        cases.append(("rope_freqs ignored",
                      lambda: numpy_forward(AlteredModel(m, drop="rope_freqs.weight"), ids)))
    if arch == "qwen2":
        cases.append(("q/k/v biases ignored",
                      lambda: numpy_forward(AlteredModel(m, drop=r".*\.bias"), ids)))
    if arch in ("qwen3", "gemma3"):
        cases.append(("QK-norm skipped", lambda: numpy_forward(
            AlteredModel(m, drop=r"blk\.\d+\.attn_[qk]_norm\.weight"), ids)))
    if arch == "gemma3":
        window = m.hp("attention.sliding_window")
        cases += [
            ("embeddings not scaled by sqrt(n_embd)",
             lambda: numpy_forward(m, ids, scale_embeddings=False)),
            ("norms applied as (1 + w) again",
             lambda: numpy_forward(AlteredModel(m, shift_norms=1.0), ids)),
            ("no sliding window",
             lambda: numpy_forward(AlteredModel(m, {"attention.sliding_window": 0}), ids)),
            ("window one wider",
             lambda: numpy_forward(AlteredModel(m, {"attention.sliding_window": window + 1}),
                                   ids)),
            ("pattern key ignored (period 6: all layers sliding)",
             lambda: numpy_forward(AlteredModel(m, {"attention.sliding_window_pattern": 6}),
                                   ids)),
            ("global rope base on sliding layers", lambda: numpy_forward(
                AlteredModel(m, {"rope.freq_base_swa": m.hp("rope.freq_base")}), ids)),
        ]
    scale = float(np.abs(reference).max())
    out = []
    for label, run in cases:
        change = float(np.abs(run() - reference).max()) / scale
        assert change > 10e-3, f"{arch}: '{label}' moves logits only {change:.2%}"
        out.append((label, change))
    return out


def greedy_margin(logits: np.ndarray, n_prompt: int) -> float:
    """Smallest gap between the best and second-best logit over the greedy steps."""
    rows = np.sort(logits[n_prompt - 1:], axis=-1)
    return float(np.min(rows[:, -1] - rows[:, -2]))


def check_layout(path: Path, fam: Family, model: torch.nn.Module, qtype: QT) -> GgufModel:
    m = GgufModel(path)
    expected = gguf_tensors(fam, model)
    assert [t.name for t in m.reader.tensors] == [n for n, _ in expected], path
    for name, data in expected:
        t = m.tensors[name]
        assert tuple(int(n) for n in t.shape) == tuple(reversed(data.shape)), (name, t.shape)
        want = QT.F32 if (qtype == QT.F32 or data.ndim <= 1 or name.endswith("_norm.weight")) \
            else qtype
        assert t.tensor_type == want, (name, t.tensor_type)
        if want == QT.F32:
            assert np.array_equal(m.weight(name), data.astype(np.float64)), name
    assert m.kv("general.architecture") == fam.arch
    assert m.kv("tokenizer.ggml.tokens") == fam.vocab.tokens
    return m


# ------------------------------------------------------------------------------------------

def write_f32(path: Path, a: np.ndarray) -> None:
    path.write_bytes(a.astype("<f4").tobytes())


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().parent.parent / "tests" / "data" / "models"
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)  # deterministic CPU kernels
    report = []
    for fam in families():
        seed, model, hf_logits, hf_tokens = choose_seed(fam)
        prompt = fam.vocab.prompt_ids
        rows = len(prompt) + N_GENERATED - 1
        n_vocab = fam.config["vocab_size"]
        assert hf_logits.shape == (rows, n_vocab) and len(fam.vocab.tokens) == n_vocab
        # The cached decode must agree with a full forward over the same sequence.
        with torch.no_grad():
            full = model(torch.tensor([prompt + hf_tokens[:-1]])).logits[0].numpy()
        assert np.abs(full - hf_logits).max() < 1e-4, "transformers cache vs full forward"

        stem = f"tiny-{fam.name}"
        paths = {qt: out_dir / f"{stem}-{qt.name.lower()}.gguf" for qt in (QT.F32, QT.Q8_0)}
        for qt, path in paths.items():
            write_gguf(path, fam, model, qt)

        f32 = check_layout(paths[QT.F32], fam, model, QT.F32)
        np_logits, np_tokens = numpy_greedy(f32, prompt)
        f32_diff = float(np.abs(np_logits - hf_logits).max())
        assert f32_diff < F32_CHECK_ATOL, f"{fam.name}: numpy vs transformers {f32_diff}"
        assert np_tokens == hf_tokens, f"{fam.name}: greedy {np_tokens} vs {hf_tokens}"

        broken = sensitivity(f32, prompt + hf_tokens[:-1], hf_logits)

        q8 = check_layout(paths[QT.Q8_0], fam, model, QT.Q8_0)
        q8_logits, q8_tokens = numpy_greedy(q8, prompt)
        # On transformers' own sequence, so rows compare like with like even where the Q8_0
        # greedy path leaves the F32 one.
        q8_vs_hf = float(np.abs(numpy_forward(q8, prompt + hf_tokens[:-1]) - hf_logits).max())
        act_q8 = activation_quantized_diff(q8, prompt + q8_tokens[:-1], q8_logits)

        write_f32(out_dir / f"{stem}.logits.f32", hf_logits)
        write_f32(out_dir / f"{stem}-q8_0.logits.f32", q8_logits)
        max_abs = float(np.abs(hf_logits).max())
        q8_max_abs = float(np.abs(q8_logits).max())
        lines = [
            f"# {stem}: written by tools/make_tiny_models.py; see README.md",
            f"arch {fam.arch}",
            f"hf_class {fam.hf_class}",
            f"seed {seed}",
            f"vocab {n_vocab}",
            f"prompt {' '.join(map(str, prompt))}",
            f"rows {rows}",
            "# f32 file vs transformers (float32 CPU, eager attention)",
            f"f32_gguf {paths[QT.F32].name}",
            f"f32_logits {stem}.logits.f32",
            f"f32_generated {' '.join(map(str, hf_tokens))}",
            f"f32_max_abs_logit {max_abs:.6g}",
            f"f32_tolerance {1e-3 * max_abs:.6g}",
            f"f32_greedy_margin {greedy_margin(hf_logits, len(prompt)):.6g}",
            "# q8_0 file vs a float64 numpy forward over its dequantized weights",
            f"q8_0_gguf {paths[QT.Q8_0].name}",
            f"q8_0_logits {stem}-q8_0.logits.f32",
            f"q8_0_generated {' '.join(map(str, q8_tokens))}",
            f"q8_0_max_abs_logit {q8_max_abs:.6g}",
            f"q8_0_tolerance {1e-3 * q8_max_abs:.6g}",
            f"q8_0_greedy_margin {greedy_margin(q8_logits, len(prompt)):.6g}",
            f"q8_0_max_diff_vs_transformers {q8_vs_hf:.6g}",
            f"q8_0_max_diff_with_8bit_activations {act_q8:.6g}",
        ]
        (out_dir / f"{stem}.expected.txt").write_text("\n".join(lines) + "\n")
        report.append((fam, seed, prompt, hf_tokens, q8_tokens, f32_diff, q8_vs_hf, act_q8,
                       max_abs,
                       greedy_margin(hf_logits, len(prompt)),
                       greedy_margin(q8_logits, len(prompt)), paths, broken))
        print(f"{fam.name}: numpy-vs-transformers max|diff| {f32_diff:.3g} "
              f"(max|logit| {max_abs:.3g}), greedy equal; q8_0 vs transformers {q8_vs_hf:.3g}; "
              f"greedy q8_0 {'equal' if q8_tokens == hf_tokens else 'differs'}")
    write_readme(out_dir, report)


def versions() -> str:
    return ", ".join(f"{p} {importlib.metadata.version(p)}"
                     for p in ("torch", "transformers", "gguf", "numpy"))


def write_readme(out_dir: Path, report: list) -> None:
    rows = []
    broken_rows = []
    for (fam, seed, prompt, hf_tokens, q8_tokens, f32_diff, q8_vs_hf, act_q8, max_abs, m32, m8,
         paths, broken) in report:
        broken_rows += [f"| {fam.name} | {label} | {change:.0%} |" for label, change in broken]
        c = fam.config
        shape = (f"{c['num_hidden_layers']} layers, hidden {c['hidden_size']}, "
                 f"{c['num_attention_heads']} heads / {c['num_key_value_heads']} kv, "
                 f"head_dim {c.get('head_dim', c['hidden_size'] // c['num_attention_heads'])}, "
                 f"ffn {c['intermediate_size']}")
        sizes = " / ".join(f"{p.stat().st_size // 1024} KiB" for p in paths.values())
        rows.append(f"| {fam.name} | `{fam.hf_class}` | {seed} | {shape} | {sizes} | "
                    f"{f32_diff:.1e} | {max_abs:.3g} | {m32:.3g} | {m8:.3g} | "
                    f"{'same' if q8_tokens == hf_tokens else 'differ'} | {q8_vs_hf:.3g} | "
                    f"{act_q8:.3g} |")
    text = f"""# Tiny random-weight decoder fixtures

Made by `tools/make_tiny_models.py` with {versions()} (Python {sys.version.split()[0]}, CPU):

    python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
    build/tools-venv/bin/python tools/make_tiny_models.py

Every model is a Hugging Face `transformers` model whose weights are drawn with
`torch.manual_seed(seed)` and a `torch.Generator` seeded the same: linear weights (lm_head
included) N(0, 1/fan_in), biases N(0, 0.25), RMSNorm weights uniform in [0.5, 1.5] (the final
norm times {{llama, qwen: 4, gemma3: 12}}; Gemma stores effective - 1), embeddings N(0, 0.09)
(gemma3: N(0, 0.0025)). The seed is the first from the family's base seed (1001..1004) whose 16
greedy tokens hold at least {MIN_DISTINCT_TOKENS} distinct ids and whose top-1/top-2 logit gap stays
>= {MIN_RELATIVE_MARGIN:g} x max |logit| along the greedy path. Vocabularies: byte-level BPE (`gpt2`,
{VOCAB_SIZE} tokens, merges learnt from a fixed text) for llama/qwen, SentencePiece-style (`llama`,
{GEMMA_VOCAB_SIZE} tokens, Gemma's special-token ids, 256 `<0xNN>` byte tokens) for gemma3.
They are written as GGUF the way llama.cpp's `convert_hf_to_gguf.py` lays each architecture
out: the `{{arch}}.*` keys its `TextModel`/`LlamaModel`/`Gemma3Model` write, tensor names
`token_embd`, `blk.N.attn_q` ..., llama's Q/K row permutation, Gemma's norms stored as
`1 + w`, no `output` tensor when embeddings are tied, `rope_freqs` for llama3 rope scaling.
Q8_0 files quantize every 2-D weight (token_embd and output included) with
`gguf.quants.quantize` and keep 1-D tensors and norms F32, as the converter does.

| family | class | seed | shape | F32 / Q8_0 size | numpy vs HF (max abs) | max abs logit | greedy margin F32 | greedy margin Q8_0 | Q8_0 greedy vs F32 | Q8_0 vs HF (max abs) | 8-bit activations vs Q8_0 ref (max abs) |
|---|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Per family:
- `tiny-<family>-f32.gguf`, `tiny-<family>-q8_0.gguf`: the models.
- `tiny-<family>.logits.f32`: transformers' logits (little-endian float32, row-major
  `[rows, vocab]`) for the prompt followed by the first 15 greedy tokens: row r holds the
  logits after position r. Rows up to `len(prompt) - 1` come from one prefill call; the rest
  from one-token decode steps with transformers' KV cache (use_cache). Greedy token i is the
  argmax of row `len(prompt) - 1 + i`.
- `tiny-<family>-q8_0.logits.f32`: rows laid out the same way, computed by the script's
  float64 numpy forward pass over the dequantized Q8_0 file (transformers cannot run Q8_0
  weights) for the prompt followed by the first 15 of *its own* greedy tokens,
  `q8_0_generated` (which may leave the F32 path: see the table).
- `tiny-<family>.expected.txt`: `key value...` lines: `prompt` ids, `rows`,
  `f32_generated` (transformers' 16 greedy tokens), tolerances, margins, file names.

Tolerances (max abs difference over all rows): `f32_tolerance` and `q8_0_tolerance` are the
issue's bound, 1e-3 x max |logit| of the respective reference. The Q8_0 bound assumes an engine
that dequantizes weights exactly and keeps activations in float32 (Prism's matmul does). An
engine that first rounds activations to 8 bits (llama.cpp does) moves logits much further:
`q8_0_max_diff_with_8bit_activations` is that shift, measured by rounding every matmul input to
Q8_0 blocks in the numpy pass; with it, greedy choices can flip. `q8_0_max_diff_vs_transformers`
is what Q8_0 weights alone cost against the F32 model, on transformers' token sequence.
`*_greedy_margin` is the smallest top-1/top-2 logit gap along the greedy path, i.e. how much
error the greedy check tolerates.

Checks the script makes before writing this file: every GGUF is re-read with the `gguf`
package (tensor names in order, shapes, types; F32 tensors bit-equal to what was meant); a
float64 numpy forward pass that reads only the F32 GGUF (hyperparameters from its keys; NORMAL
rope on the permuted llama Q/K, NEOX for the others; `rope_freqs` divisors; Gemma's sliding
window `p_q - p_k < sliding_window` on layers with `il % pattern < pattern - 1` using
`rope.freq_base_swa`'s default 10000, `rope.freq_base` on global layers; embeddings x
sqrt(n_embd); plain `x * w` norms) reproduces transformers' logits within {F32_CHECK_ATOL:g} and its
16 greedy tokens, and transformers' cached decode agrees with a full forward pass.

Prompt: `{PROMPT_TEXT!r}` as this script's own little BPE splits it, BOS first where the
family adds one (ids only matter; they were not checked against llama.cpp's tokenizer).

Llama note: `rope_freqs` uses the rope parameters' `original_max_position_embeddings` (32 here,
so that the scaled frequencies matter within 24 positions), as transformers does; the converter
reads that value from the top level of config.json (default 8192, which equals what real
Llama 3.x configs carry), so it would write different factors for this unusual config.

The numpy check is sensitive to each layout rule the fixtures exercise: reading the F32 file
with one rule broken moves the logits (max abs change, as a share of max |logit|) by

| family | broken rule | change |
|---|---|---|
{chr(10).join(broken_rows)}

against a tolerance of 0.1%; the script fails if any change is under 1%.

Gemma 3 note: llama.cpp's converter writes no `gemma3.attention.sliding_window_pattern`
(llama.cpp then assumes period 6, i.e. five sliding layers then one global). These two-layer
files carry `gemma3.attention.sliding_window_pattern = 2` (u32), which llama.cpp reads for
gemma3, so layer 0 slides (window 4) and layer 1 is global, matching the HF `layer_types`.
"""
    (out_dir / "README.md").write_text(text)


if __name__ == "__main__":
    main()
