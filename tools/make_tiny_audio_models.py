#!/usr/bin/env python3
"""Makes the tiny random-weight audio fixtures in tests/data/audio-models/<family>/.

Each family is a small Whisper-style audio encoder with fixed seeds, written as an mmproj GGUF
with the `a.*` tensor names and `clip.audio.*` keys llama.cpp's converter writes, together with
what transformers computes for one recording, so that Prism's encoder can be checked without
Python in CI:

  whisper   transformers' WhisperEncoder (80 mel bins) under an ultravox-shaped mmproj: the
            encoder's last hidden state for the first 30-s window of tests/data/audio/jfk.wav
            (encoder.f32), and for a 2-s cut of it, which Whisper pads to 30 s
            (encoder_2s.f32).

Files (see README.md, which this script writes): mmproj.gguf and <name>.f32, little-endian
float32 [frames, d_model] row-major (one encoder frame per row).

The mel input is the reference's own WhisperFeatureExtractor (the tests compute it with Prism's
LogMelSpectrogram, which tests/media holds to transformers within 1.2e-7).

Usage (a developer tool; CI never runs Python, the fixtures are committed):
  python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
  build/tools-venv/bin/python tools/make_tiny_audio_models.py [output-dir]
"""

from __future__ import annotations

import importlib.metadata
import sys
import wave
from pathlib import Path

import numpy as np
import torch
import transformers
import gguf

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "tests" / "data" / "audio" / "jfk.wav"


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


def write_audio_mmproj(path: Path, projector: str, enc, extra_keys, tensors) -> None:
    cfg = enc.config
    w = gguf.GGUFWriter(str(path), "clip")
    w.add_type(gguf.GGUFType.MMPROJ)
    w.add_name(f"tiny-{projector}")
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_bool("clip.has_audio_encoder", True)
    w.add_string("clip.projector_type", projector)
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
    for name, data in tensors:
        w.add_tensor(name, data.astype(np.float32))
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
    samples = read_wav(CLIP)
    full = encoder_states(enc, mel(samples, 80))
    short = encoder_states(enc, mel(samples[:32000], 80))[:100]  # the 2 s of sound
    write_audio_mmproj(d / "mmproj.gguf", "ultravox", enc,
                       [("clip.audio.projection_dim", 64),
                        ("clip.audio.projector.stack_factor", 8)],
                       encoder_tensors(enc))
    write_f32(d / "encoder.f32", full)
    write_f32(d / "encoder_2s.f32", short)
    report.append(f"whisper: WhisperEncoder d_model 64, 4 heads, 2 layers, ffn 128, 80 mel bins; "
                  f"encoder.f32 {full.shape}, max |value| {np.abs(full).max():.4g}; "
                  f"encoder_2s.f32 {short.shape}")


def versions() -> str:
    return ", ".join(f"{p} {importlib.metadata.version(p)}"
                     for p in ("torch", "transformers", "gguf", "numpy"))


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "audio-models"
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    report: list[str] = []
    make_whisper(out, report)
    readme = ["# Tiny audio-model fixtures", "",
              "Made by `tools/make_tiny_audio_models.py` (" + versions() + "); random weights "
              "with fixed seeds, references from transformers. Remake with "
              "`python tools/make_tiny_audio_models.py`.", ""]
    readme += [f"- {line}" for line in report]
    (out / "README.md").write_text("\n".join(readme) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
