#!/usr/bin/env python3
"""Makes the tiny random-weight audio fixtures in tests/data/audio-models/<family>/.

Each family is a small Whisper-style audio encoder with fixed seeds, written as an mmproj GGUF
with the `a.*` tensor names and `clip.audio.*` keys llama.cpp's converter writes, together with
what transformers computes for one recording, so that Prism's encoder can be checked without
Python in CI:

  whisper   transformers' WhisperEncoder (80 mel bins) under an ultravox mmproj: the
            encoder's last hidden state for the first 30-s window of tests/data/audio/jfk.wav
            (encoder.f32), and for a 2-s cut of it, which Whisper pads to 30 s
            (encoder_2s.f32, its first 100 rows); and the ultravox projector (llama.cpp's
            description: stack 8, RMSNorm, SwiGLU with the second half gated, RMSNorm, linear;
            the model itself is remote code) over encoder.f32, in float64 numpy
            (ultravox.f32, 187 rows). F16 matrices and position table.
  qwen2a    Qwen2AudioForConditionalGeneration: the projected audio features the model splices
            into its prompt (a forward hook on the projector, the model's own key mask, rows
            cut to its audio_output_lengths) for jfk.wav (11 s, qwen2a.f32) and its first 2 s
            (qwen2a_2s.f32). F16 matrices and position table.
  voxtral   VoxtralForConditionalGeneration.get_audio_features for jfk.wav (one padded 30-s
            window: 375 rows, voxtral.f32). F16 matrices and position table.

Files (see README.md, which this script writes): mmproj.gguf and <name>.f32, little-endian
float32 [frames, d_model] row-major (one encoder frame per row).

The mel input is the reference's own WhisperFeatureExtractor (the tests compute it with Prism's
LogMelSpectrogram, which tests/media holds to transformers within 1.2e-7).

Usage (a developer tool; CI never runs Python, the fixtures are committed):
  python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
  build/tools-venv/bin/python tools/make_tiny_audio_models.py [output-dir]
  build/tools-venv/bin/python tools/make_tiny_audio_models.py --bench-mmproj OUT.gguf [qwen2.5o]
    writes a random-weight qwen2a mmproj of Whisper-base's encoder shape (d_model 512, 8 heads,
    6 layers, ffn 2048, 80 mel bins; F16 matrices, ~40 MB, not committed) for prism-bench audio;
    with qwen2.5o, the same tower as Qwen2.5-Omni's (encoded in 2-s stretches)
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import wave
from pathlib import Path

import numpy as np
import torch
import transformers
import gguf

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "tests" / "data" / "audio" / "jfk.wav"

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_tiny_models as tiny  # noqa: E402  (tokenizers, text GGUF layout, init rules)

N_GREEDY = 8
SEED_TRIES = 64
MIN_RELATIVE_MARGIN = 0.01
TEXT_VOCAB = 352
QUESTION = "What is said?"


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as f:
        assert f.getframerate() == 16000 and f.getnchannels() == 1 and f.getsampwidth() == 2
        pcm = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def mel(samples: np.ndarray, n_mel: int) -> np.ndarray:
    fe = transformers.WhisperFeatureExtractor(feature_size=n_mel)
    out = fe(samples, sampling_rate=16000, return_tensors="np", padding="max_length")
    return out["input_features"][0]  # [n_mel, 3000]


def randomize(module: torch.nn.Module, seed: int, scale: float) -> None:
    """Uniform weights in +-scale/sqrt(fan_in), norms near 1: activations keep a useful size."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "layer_norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * (torch.rand(p.shape, generator=gen) - 0.5))
            elif name.endswith("bias"):
                p.copy_(0.2 * (torch.rand(p.shape, generator=gen) - 0.5))
            elif "embed_positions" in name:
                p.copy_(torch.rand(p.shape, generator=gen) - 0.5)
            else:
                fan_in = p[0].numel()
                p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * scale / fan_in ** 0.5)


def whisper_encoder(n_mel: int, d: int, heads: int, layers: int, ff: int, seed: int):
    cfg = transformers.WhisperConfig(num_mel_bins=n_mel, d_model=d, encoder_layers=layers,
                                     encoder_attention_heads=heads, encoder_ffn_dim=ff,
                                     max_source_positions=1500, activation_function="gelu")
    enc = transformers.models.whisper.modeling_whisper.WhisperEncoder(cfg).eval()
    randomize(enc, seed, 1.5)
    return enc


def encoder_tensors(enc) -> list[tuple[str, np.ndarray]]:
    """The `a.*` tensors as llama.cpp's converter names them (numpy shapes = PyTorch's)."""
    def np_(t):
        return t.detach().numpy().astype(np.float32)
    out = [
        ("a.conv1d.1.weight", np_(enc.conv1.weight)),
        ("a.conv1d.1.bias", np_(enc.conv1.bias)[:, None]),
        ("a.conv1d.2.weight", np_(enc.conv2.weight)),
        ("a.conv1d.2.bias", np_(enc.conv2.bias)[:, None]),
        ("a.position_embd.weight", np_(enc.embed_positions.weight)),
    ]
    for i, layer in enumerate(enc.layers):
        p = f"a.blk.{i}."
        a = layer.self_attn
        out += [
            (p + "ln1.weight", np_(layer.self_attn_layer_norm.weight)),
            (p + "ln1.bias", np_(layer.self_attn_layer_norm.bias)),
            (p + "attn_q.weight", np_(a.q_proj.weight)),
            (p + "attn_q.bias", np_(a.q_proj.bias)),
            (p + "attn_k.weight", np_(a.k_proj.weight)),
            (p + "attn_v.weight", np_(a.v_proj.weight)),
            (p + "attn_v.bias", np_(a.v_proj.bias)),
            (p + "attn_out.weight", np_(a.out_proj.weight)),
            (p + "attn_out.bias", np_(a.out_proj.bias)),
            (p + "ln2.weight", np_(layer.final_layer_norm.weight)),
            (p + "ln2.bias", np_(layer.final_layer_norm.bias)),
            (p + "ffn_up.weight", np_(layer.fc1.weight)),
            (p + "ffn_up.bias", np_(layer.fc1.bias)),
            (p + "ffn_down.weight", np_(layer.fc2.weight)),
            (p + "ffn_down.bias", np_(layer.fc2.bias)),
        ]
    out += [("a.post_ln.weight", np_(enc.layer_norm.weight)),
            ("a.post_ln.bias", np_(enc.layer_norm.bias))]
    return out


def add_audio_keys(w: gguf.GGUFWriter, cfg, extra_keys) -> None:
    """The clip.audio.* keys llama.cpp's converter writes, then `extra_keys` (name, value)."""
    w.add_uint32("clip.audio.num_mel_bins", cfg.num_mel_bins)
    w.add_uint32("clip.audio.embedding_length", cfg.d_model)
    w.add_uint32("clip.audio.feed_forward_length", cfg.encoder_ffn_dim)
    w.add_uint32("clip.audio.block_count", cfg.encoder_layers)
    w.add_uint32("clip.audio.attention.head_count", cfg.encoder_attention_heads)
    w.add_float32("clip.audio.attention.layer_norm_epsilon", 1e-5)
    for key, value in extra_keys:
        if isinstance(value, int):
            w.add_uint32(key, value)
        else:
            w.add_string(key, value)


def stored(data: np.ndarray, f16: bool) -> np.ndarray:
    """As llama.cpp's converter stores a tensor of an F16 file: 2-D tensors (the position table
    too) F16, biases and norms F32; the convolutions stay F32 here."""
    matrix = data.ndim == 2 and min(data.shape) > 1
    return data.astype(np.float16 if f16 and matrix else np.float32)


def write_audio_mmproj(path: Path, projector: str, cfg, extra_keys, tensors,
                       f16: bool = False) -> None:
    w = gguf.GGUFWriter(str(path), "clip")
    w.add_type(gguf.GGUFType.MMPROJ)
    w.add_name(f"tiny-{projector}")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if f16 else gguf.LlamaFileType.ALL_F32)
    w.add_bool("clip.has_audio_encoder", True)
    w.add_string("clip.projector_type", projector)
    add_audio_keys(w, cfg, extra_keys)
    for name, data in tensors:
        w.add_tensor(name, stored(data, f16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def write_f32(path: Path, a: np.ndarray) -> None:
    path.write_bytes(np.ascontiguousarray(a, dtype="<f4").tobytes())


def encoder_states(enc, features: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        out = enc(torch.from_numpy(features[None].astype(np.float32)))
    return out.last_hidden_state[0].numpy()


def make_whisper(out: Path, report: list[str]) -> None:
    d = out / "whisper"
    d.mkdir(parents=True, exist_ok=True)
    enc = whisper_encoder(n_mel=80, d=64, heads=4, layers=2, ff=128, seed=11)
    round_matrices_to_f16(enc)
    samples = read_wav(CLIP)
    full = encoder_states(enc, mel(samples, 80))
    short = encoder_states(enc, mel(samples[:32000], 80))[:100]  # the 2 s of sound
    proj = {name: (w.astype(np.float16).astype(np.float32) if w.ndim == 2 else w)
            for name, w in ultravox_projector(d_in=64 * 8, hidden=128, out=48, seed=12).items()}
    rows = ultravox_reference(full.astype(np.float64), proj)
    write_audio_mmproj(d / "mmproj.gguf", "ultravox", enc.config,
                       [("clip.audio.projection_dim", 48),
                        ("clip.audio.projector.stack_factor", 8)],
                       encoder_tensors(enc) + list(proj.items()), f16=True)
    write_f32(d / "encoder.f32", full)
    write_f32(d / "encoder_2s.f32", short)
    write_f32(d / "ultravox.f32", rows)
    make_ultravox_text(out, rows, report)
    report.append(f"whisper: WhisperEncoder d_model 64, 4 heads, 2 layers, ffn 128, 80 mel bins, "
                  f"F16 matrices and position table; "
                  f"encoder.f32 {full.shape}, max |value| {np.abs(full).max():.4g}; "
                  f"encoder_2s.f32 {short.shape}; ultravox.f32 {rows.shape}, max |value| "
                  f"{np.abs(rows).max():.4g}")


def ultravox_projector(d_in: int, hidden: int, out: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    def u(shape, fan_in):
        return ((rng.random(shape) * 2 - 1) * 1.5 / fan_in ** 0.5).astype(np.float32)
    return {
        "mm.a.norm_pre.weight": (1 + 0.2 * (rng.random(d_in) - 0.5)).astype(np.float32),
        "mm.a.mlp.1.weight": u((hidden, d_in), d_in),
        "mm.a.norm_mid.weight": (1 + 0.2 * (rng.random(hidden // 2) - 0.5)).astype(np.float32),
        "mm.a.mlp.2.weight": u((out, hidden // 2), hidden // 2),
    }


def rms(x: np.ndarray, w: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def ultravox_reference(frames: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    stack = 8
    n = frames.shape[0] // stack  # llama.cpp drops the last partial stack
    x = frames[: n * stack].reshape(n, -1)
    x = rms(x, p["mm.a.norm_pre.weight"].astype(np.float64))
    x = x @ p["mm.a.mlp.1.weight"].astype(np.float64).T
    half = x.shape[1] // 2
    first, second = x[:, :half], x[:, half:]
    x = first * (second / (1 + np.exp(-second)))
    x = rms(x, p["mm.a.norm_mid.weight"].astype(np.float64))
    return x @ p["mm.a.mlp.2.weight"].astype(np.float64).T


def round_matrices_to_f16(module: torch.nn.Module) -> None:
    """What an F16 file holds: every 2-D weight (the position table too) rounded to F16."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.ndim == 2 and min(p.shape) > 1:
                p.copy_(p.half().float())


def text_config(cls, **extra):
    return cls(vocab_size=TEXT_VOCAB, hidden_size=48, intermediate_size=96, num_hidden_layers=1,
               num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096,
               **extra)


# ------------------------------------------------------------------------------------------
# The text model paired with an audio mmproj: a whole audio prompt against transformers.

def audio_vocab(markers: list[str]) -> tiny.Vocab:
    """Byte-level BPE with ChatML's turn tokens and the family's audio markers (control
    tokens). The placeholder transformers replaces with audio rows comes last."""
    return tiny.gpt2_vocab(TEXT_VOCAB, "qwen2", ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] +
                           markers, bos="<|endoftext|>", eos="<|im_end|>", pad="<|endoftext|>",
                           add_bos=False)


def text_family(name: str, arch: str, hf_class: str, vocab: tiny.Vocab, config) -> tiny.Family:
    return tiny.Family(name, arch, hf_class, 0, config.to_dict(), vocab, rope_neox=arch != "llama")


def init_text(model: torch.nn.Module, fam: tiny.Family, seed: int) -> None:
    """make_tiny_models' rules for the language model; the audio side is left as it is."""
    tiny.init_parameters(model, fam, seed, prefix="model.language_model.",
                         other=lambda name, p, gen: not name.startswith(
                             ("model.language_model.", "lm_head.")))


class TextView:
    """The language model as make_tiny_models' GGUF writer expects a causal LM."""

    def __init__(self, model: torch.nn.Module):
        self.config = model.config.text_config
        self._state = {}
        for name, t in model.state_dict().items():
            if name.startswith("model.language_model."):
                self._state["model." + name[len("model.language_model."):]] = t
            elif name == "lm_head.weight":
                self._state[name] = t

    def state_dict(self):
        return self._state


def chat_prompt(vocab: tiny.Vocab, before: list[str], n_rows: int, after: list[str],
                placeholder: str) -> tuple[list[int], list[int]]:
    """(Prism's prompt with -1 for each audio row, transformers' with the placeholder there):
    one ChatML user turn, the sound first, then the question; the text pieces tokenized as a
    session splits them (template text, then the message's text)."""
    s = vocab.id_of
    head = [s("<|im_start|>")] + vocab.encode("user\n") + [s(m) for m in before]
    tail = [s(m) for m in after] + vocab.encode(QUESTION) + [s("<|im_end|>")] + \
        vocab.encode("\n") + [s("<|im_start|>")] + vocab.encode("assistant\n")
    return head + [-1] * n_rows + tail, head + [s(placeholder)] * n_rows + tail


def hf_greedy(model, ids: list[int], features: dict) -> tuple[np.ndarray, list[int], float]:
    """(logits of the last prompt row, 8 greedy tokens, smallest top-1/top-2 gap relative to
    the largest |logit|), recomputing the whole sequence, sound included, at each step."""
    generated: list[int] = []
    margins, last = [], None
    for _ in range(N_GREEDY):
        with torch.no_grad():
            out = model(input_ids=torch.tensor([ids + generated]), use_cache=False, **features)
        row = out.logits[0, -1].float().numpy()
        if last is None:
            last = row
        top = np.sort(row)
        margins.append((top[-1] - top[-2]) / np.abs(row).max())
        generated.append(int(np.argmax(row)))
    return last, generated, float(min(margins))


def write_text_pair(d: Path, name: str, model, fam: tiny.Family, prompt: list[int],
                    hf_ids: list[int], features: dict, seed0: int, report: list[str]) -> None:
    """Picks the first text seed whose greedy tokens are clear, plain and varied, then writes
    text.gguf, prompt.json (tokens with -1 rows, greedy) and logits.f32."""
    for seed in range(seed0, seed0 + SEED_TRIES):
        init_text(model, fam, seed)
        last, greedy, margin = hf_greedy(model, hf_ids, features)
        plain = all(fam.vocab.token_types[t] != tiny.CONTROL for t in greedy)
        if margin > MIN_RELATIVE_MARGIN and len(set(greedy)) >= 3 and plain:
            break
    else:
        raise RuntimeError(f"{name}: no seed with clear greedy choices")
    view = TextView(model)
    tiny.write_gguf(d / "text.gguf", fam, view, tiny.QT.F32, name=f"tiny-{name}-text")
    tiny.check_layout(d / "text.gguf", fam, view, tiny.QT.F32)
    (d / "prompt.json").write_text(json.dumps({"tokens": prompt, "greedy": greedy}) + "\n")
    write_f32(d / "logits.f32", last)
    report.append(f"{name} text.gguf: {fam.arch}, width 48, 1 layer, vocab {TEXT_VOCAB}, seed "
                  f"{seed}; prompt {len(prompt)} rows ({prompt.count(-1)} audio), max |logit| "
                  f"{np.abs(last).max():.4g}, greedy margin {margin:.3f} x max |logit|")


def make_ultravox_text(out: Path, rows: np.ndarray, report: list[str]) -> None:
    """The language model paired with the whisper folder's ultravox mmproj. Ultravox is remote
    code with no transformers class, so the reference is put together from its parts: the
    rows above (transformers' WhisperEncoder, then the projector in float64 numpy) spliced
    into a transformers LlamaForCausalLM's input embeddings where the prompt has them (the
    rows alone, no markers, as mtmd lays them out)."""
    d = out / "whisper"
    vocab = audio_vocab([])
    text = text_config(transformers.LlamaConfig, head_dim=24, tie_word_embeddings=False,
                       bos_token_id=vocab.special["bos"], eos_token_id=vocab.special["eos"],
                       pad_token_id=vocab.special["padding"])
    model = transformers.LlamaForCausalLM(text).eval()
    fam = text_family("ultravox", "llama", "LlamaForCausalLM", vocab, text)
    prompt, _ = chat_prompt(vocab, [], rows.shape[0], [], "<|endoftext|>")
    at = prompt.index(-1)
    audio = torch.from_numpy(rows.astype(np.float32))

    def logits_of(ids: list[int]) -> np.ndarray:
        with torch.no_grad():
            embeds = model.model.embed_tokens(torch.tensor([[max(t, 0) for t in ids]]))
            embeds[0, at:at + audio.shape[0]] = audio
            return model(inputs_embeds=embeds, use_cache=False).logits[0, -1].float().numpy()

    for seed in range(3201, 3201 + SEED_TRIES):
        tiny.init_parameters(model, fam, seed)
        generated: list[int] = []
        margins, last = [], None
        for _ in range(N_GREEDY):
            row = logits_of(prompt + generated)
            last = row if last is None else last
            top = np.sort(row)
            margins.append((top[-1] - top[-2]) / np.abs(row).max())
            generated.append(int(np.argmax(row)))
        plain = all(vocab.token_types[t] != tiny.CONTROL for t in generated)
        if min(margins) > MIN_RELATIVE_MARGIN and len(set(generated)) >= 3 and plain:
            break
    else:
        raise RuntimeError("ultravox: no seed with clear greedy choices")
    tiny.write_gguf(d / "text.gguf", fam, model, tiny.QT.F32, name="tiny-ultravox-text")
    tiny.check_layout(d / "text.gguf", fam, model, tiny.QT.F32)
    (d / "prompt.json").write_text(json.dumps({"tokens": prompt, "greedy": generated}) + "\n")
    write_f32(d / "logits.f32", last)
    report.append(f"whisper text.gguf (ultravox's language model): llama, width 48, 1 layer, "
                  f"vocab {TEXT_VOCAB}, seed {seed}; prompt {len(prompt)} rows "
                  f"({prompt.count(-1)} audio), max |logit| {np.abs(last).max():.4g}, greedy "
                  f"margin {min(margins):.3f} x max |logit|")


def make_qwen2a(out: Path, report: list[str]) -> None:
    d = out / "qwen2a"
    d.mkdir(parents=True, exist_ok=True)
    audio = transformers.Qwen2AudioEncoderConfig(num_mel_bins=80, d_model=64, encoder_layers=2,
                                                 encoder_attention_heads=4, encoder_ffn_dim=128,
                                                 max_source_positions=1500)
    vocab = audio_vocab(["<|audio_bos|>", "<|audio_eos|>", "<|AUDIO|>"])
    text = text_config(transformers.Qwen2Config, tie_word_embeddings=False,
                       bos_token_id=vocab.special["bos"], eos_token_id=vocab.special["eos"],
                       pad_token_id=vocab.special["padding"])
    cfg = transformers.Qwen2AudioConfig(audio_config=audio, text_config=text,
                                        audio_token_index=vocab.id_of("<|AUDIO|>"))
    model = transformers.Qwen2AudioForConditionalGeneration(cfg).eval()
    randomize(model.model.audio_tower, 21, 1.5)
    randomize(model.model.multi_modal_projector, 22, 1.5)
    round_matrices_to_f16(model.model.audio_tower)
    round_matrices_to_f16(model.model.multi_modal_projector)
    fe = transformers.WhisperFeatureExtractor(feature_size=80)
    samples = read_wav(CLIP)
    results = {}
    for label, clip in (("qwen2a", samples), ("qwen2a_2s", samples[:32000])):
        feats = fe(clip, sampling_rate=16000, return_tensors="pt", padding="max_length",
                   return_attention_mask=True)
        mask = feats["attention_mask"]
        _, n_out = model.model.audio_tower._get_feat_extract_output_lengths(mask.sum(-1))
        n_out = int(n_out[0])
        captured = []
        hook = model.model.multi_modal_projector.register_forward_hook(
            lambda m, i, o: captured.append(o.detach()))
        ids = torch.tensor([[1] + [cfg.audio_token_index] * n_out + [2]])
        with torch.no_grad():
            model(input_ids=ids, input_features=feats["input_features"],
                  feature_attention_mask=mask)
        hook.remove()
        rows = captured[0][0, :n_out].numpy()
        write_f32(d / f"{label}.f32", rows)
        results[label] = rows
        if label == "qwen2a":
            whole = dict(input_features=feats["input_features"], feature_attention_mask=mask)
            n_rows = n_out
    enc = model.model.audio_tower
    tensors = encoder_tensors(enc) + [
        ("mm.a.fc.weight", model.model.multi_modal_projector.linear.weight.detach().numpy()),
        ("mm.a.fc.bias", model.model.multi_modal_projector.linear.bias.detach().numpy()),
    ]
    write_audio_mmproj(d / "mmproj.gguf", "qwen2a", audio, [("clip.audio.projection_dim", 48)],
                       tensors, f16=True)
    fam = text_family("qwen2a", "qwen2", "Qwen2ForCausalLM", vocab, text)
    prompt, hf_ids = chat_prompt(vocab, ["<|audio_bos|>"], n_rows, ["<|audio_eos|>"],
                                 "<|AUDIO|>")
    write_text_pair(d, "qwen2a", model, fam, prompt, hf_ids, whole, 3001, report)
    report.append("qwen2a: Qwen2AudioForConditionalGeneration, audio d_model 64, 4 heads, "
                  "2 layers, 80 mel bins, text width 48; " +
                  ", ".join(f"{k}.f32 {v.shape} max |value| {np.abs(v).max():.4g}"
                            for k, v in results.items()))


def make_voxtral(out: Path, report: list[str]) -> None:
    d = out / "voxtral"
    d.mkdir(parents=True, exist_ok=True)
    audio = transformers.VoxtralEncoderConfig(num_mel_bins=80, hidden_size=64,
                                              num_hidden_layers=2, num_attention_heads=4,
                                              intermediate_size=256, max_source_positions=1500)
    vocab = audio_vocab(["[BEGIN_AUDIO]", "[AUDIO]"])
    text = text_config(transformers.LlamaConfig, head_dim=24, tie_word_embeddings=False,
                       bos_token_id=vocab.special["bos"], eos_token_id=vocab.special["eos"],
                       pad_token_id=vocab.special["padding"])
    cfg = transformers.VoxtralConfig(audio_config=audio, text_config=text,
                                     audio_token_id=vocab.id_of("[AUDIO]"))
    model = transformers.VoxtralForConditionalGeneration(cfg).eval()
    randomize(model.model.audio_tower, 31, 1.5)
    randomize(model.model.multi_modal_projector, 32, 1.5)
    round_matrices_to_f16(model.model.audio_tower)
    round_matrices_to_f16(model.model.multi_modal_projector)
    feats = mel(read_wav(CLIP), 80)
    with torch.no_grad():
        rows = model.get_audio_features(torch.from_numpy(feats[None])).pooler_output.numpy()
    write_f32(d / "voxtral.f32", rows)
    enc = model.model.audio_tower
    enc.config.d_model = audio.hidden_size
    enc.config.encoder_ffn_dim = audio.intermediate_size
    enc.config.encoder_layers = audio.num_hidden_layers
    enc.config.encoder_attention_heads = audio.num_attention_heads
    tensors = encoder_tensors(enc) + [
        ("mm.a.mlp.1.weight", model.model.multi_modal_projector.linear_1.weight.detach().numpy()),
        ("mm.a.mlp.2.weight", model.model.multi_modal_projector.linear_2.weight.detach().numpy()),
    ]
    write_audio_mmproj(d / "mmproj.gguf", "voxtral", enc.config,
                       [("clip.audio.projection_dim", 48),
                        ("clip.audio.projector.stack_factor", 4)], tensors, f16=True)
    fam = text_family("voxtral", "llama", "LlamaForCausalLM", vocab, text)
    prompt, hf_ids = chat_prompt(vocab, ["[BEGIN_AUDIO]"], rows.shape[0], [], "[AUDIO]")
    write_text_pair(d, "voxtral", model, fam, prompt, hf_ids,
                    dict(input_features=torch.from_numpy(feats[None])), 3101, report)
    report.append(f"voxtral: VoxtralForConditionalGeneration, audio width 64, 4 heads, 2 layers, "
                  f"ffn 256 (= 4 x 64, the stacked width), text width 48; voxtral.f32 "
                  f"{rows.shape} (375 rows per 30 s, no pooling, as transformers), max |value| "
                  f"{np.abs(rows).max():.4g}")


def versions() -> str:
    return ", ".join(f"{p} {importlib.metadata.version(p)}"
                     for p in ("torch", "transformers", "gguf", "numpy"))


def make_bench_mmproj(path: Path, projector: str = "qwen2a") -> None:
    audio = transformers.Qwen2AudioEncoderConfig(num_mel_bins=80, d_model=512, encoder_layers=6,
                                                 encoder_attention_heads=8, encoder_ffn_dim=2048,
                                                 max_source_positions=1500)
    enc = transformers.models.qwen2_audio.modeling_qwen2_audio.Qwen2AudioEncoder(audio).eval()
    randomize(enc, 41, 1.5)
    rng = np.random.default_rng(42)
    tensors = encoder_tensors(enc) + [
        ("mm.a.fc.weight", ((rng.random((896, 512)) * 2 - 1) / 512 ** 0.5).astype(np.float32)),
        ("mm.a.fc.bias", np.zeros(896, dtype=np.float32)),
    ]
    write_audio_mmproj(path, projector, audio, [("clip.audio.projection_dim", 896)], tensors,
                       f16=True)


def main() -> None:
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--bench-mmproj":
        make_bench_mmproj(Path(sys.argv[2]), *sys.argv[3:])
        return
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "audio-models"
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    report: list[str] = []
    make_whisper(out, report)
    make_qwen2a(out, report)
    make_voxtral(out, report)
    readme = ["# Tiny audio-model fixtures", "",
              "Made by `tools/make_tiny_audio_models.py` (" + versions() + "); random weights "
              "with fixed seeds, references from transformers. Remake with "
              "`python tools/make_tiny_audio_models.py`.", "",
              "Input: `tests/data/audio/jfk.wav` (see that folder's PROVENANCE.md). Per family: "
              "`mmproj.gguf` (llama.cpp's `a.*` / `mm.a.*` tensor names and `clip.audio.*` "
              "keys) and `<name>.f32`, little-endian float32 [rows, width], one row per "
              "encoder frame or audio token. Read by tests/models/test_whisper_encoder.cpp and "
              "test_audio_encoder.cpp.", "",
              "whisper also holds a language model for its ultravox mmproj (transformers' "
              "LlamaForCausalLM given ultravox.f32 as the audio rows of its input embeddings: "
              "Ultravox has no transformers class), with the same files as below and the "
              "sound's rows alone in the prompt. "
              "qwen2a and voxtral also hold the language model of the same transformers model "
              "(its own seed, make_tiny_models' init rules, written by its `write_gguf` in "
              "llama.cpp's layout, F32) as `text.gguf`, with ChatML's turn tokens and the "
              "family's audio markers as control tokens; `prompt.json`: `tokens`, one ChatML "
              "user turn (the sound, then \"" + QUESTION + "\") as Prism lays it out, -1 for "
              "each audio row (qwen2a `<|audio_bos|>` rows `<|audio_eos|>`, voxtral "
              "`[BEGIN_AUDIO]` rows), and `greedy`, the 8 tokens transformers' greedy decoding "
              "gives after it (the whole sequence recomputed through the model's own audio path "
              "at each step); `logits.f32`: transformers' logits of the last prompt row. The "
              "text seed is the first whose 8 greedy tokens are plain, not all alike and each "
              "ahead of the runner-up by > 1% of max |logit|. Read by "
              "tests/models/test_audio_session.cpp.", ""]
    readme += [f"- {line}" for line in report]
    (out / "README.md").write_text("\n".join(readme) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
