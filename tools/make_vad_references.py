#!/usr/bin/env python3
"""Makes tests/data/vad: three synthetic clips and, for every clip, the silero-vad package's
speech probabilities and speech segments (the references for prism::vad).

    python3 -m venv build/vad-venv
    build/vad-venv/bin/pip install silero-vad==6.2.0 onnxruntime==1.31.1 torch==2.15.0 numpy==2.4.6
    build/vad-venv/bin/python tools/make_vad_references.py

Clips: tests/data/audio's four 16 kHz WAV recordings, and three written here (16-bit PCM WAV,
16 kHz mono, so Prism's decoder reads the very samples the references were made from):
  vad_silence.wav  3 s of digital silence;
  vad_noise.wav    3 s of white Gaussian noise, sd 0.05, seed 11;
  vad_pauses.wav   jfk.wav's samples [0.3 s, 2.3 s) and [3.3 s, 5.3 s) with 1.5 s of silence
                   before, between and after them, all over faint noise (sd 0.002, seed 12).

For each clip <name>.vad.ref holds, for every 512-sample window, the probabilities of
load_silero_vad() (the package's default TorchScript model, run by torch on one thread) and of
the same model with the tensors the ggml file keeps in f16 rounded to f16 (what that file
holds), both as get_speech_timestamps computes them (state reset, 64 samples of context, last
window zero-padded); then the segments get_speech_timestamps returns for each option set below
(with the package's own model).
The script also checks that tests/data/vad/silero-v6.2.0-ggml.bin holds the package's weights
(f16 tensors equal to the package's rounded to f16, f32 ones equal) and prints how far the
package's ONNX model (onnxruntime) is from its TorchScript one.
"""

import struct
import wave
from pathlib import Path

import numpy as np
import onnxruntime
import silero_vad
import torch
from silero_vad import get_speech_timestamps, load_silero_vad

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT / "tests" / "data" / "audio"
OUT = ROOT / "tests" / "data" / "vad"
MODEL_FILE = OUT / "silero-v6.2.0-ggml.bin"
RATE = 16000

RECORDINGS = ["jfk.wav", "2830-3980-0043.wav", "4507-16021-0012.wav", "8455-210777-0068.wav"]

# name, get_speech_timestamps keyword arguments
OPTION_SETS = [
    ("default", dict(threshold=0.5, min_speech_duration_ms=250, min_silence_duration_ms=100,
                     speech_pad_ms=30)),
    ("tight", dict(threshold=0.6, min_speech_duration_ms=100, min_silence_duration_ms=40,
                   speech_pad_ms=50)),
    ("loose", dict(threshold=0.3, neg_threshold=0.2, min_speech_duration_ms=500,
                   min_silence_duration_ms=300, speech_pad_ms=0)),
]


def read_wav(path):
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == RATE
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def write_wav(path, samples):
    pcm = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return read_wav(path)  # what a decoder will see


def make_clips():
    silence = np.zeros(3 * RATE, dtype=np.float32)
    noise = np.random.default_rng(11).normal(0.0, 0.05, 3 * RATE).astype(np.float32)
    jfk = read_wav(AUDIO / "jfk.wav")
    gap = np.zeros(int(1.5 * RATE), dtype=np.float32)
    parts = [gap, jfk[int(0.3 * RATE):int(2.3 * RATE)], gap, jfk[int(3.3 * RATE):int(5.3 * RATE)],
             gap]
    pauses = np.concatenate(parts)
    pauses += np.random.default_rng(12).normal(0.0, 0.002, pauses.size).astype(np.float32)
    return {
        "vad_silence.wav": write_wav(OUT / "vad_silence.wav", silence),
        "vad_noise.wav": write_wav(OUT / "vad_noise.wav", noise),
        "vad_pauses.wav": write_wav(OUT / "vad_pauses.wav", pauses),
    }


def window_probabilities(model, samples):
    """get_speech_timestamps' loop: state reset, 512-sample windows, last one zero-padded."""
    model.reset_states()
    audio = torch.from_numpy(samples)
    out = []
    for start in range(0, len(audio), 512):
        chunk = audio[start:start + 512]
        if len(chunk) < 512:
            chunk = torch.nn.functional.pad(chunk, (0, 512 - len(chunk)))
        out.append(model(chunk, RATE).item())
    return out


def read_ggml_tensors(path):
    b = path.read_bytes()
    o = 4
    n = struct.unpack_from("<i", b, o)[0]
    o += 4 + n + 4 * 3 + 4 * 2 + 4 + 4 * 3 * 4 + 4 * 4
    tensors = {}
    while o < len(b):
        n_dims, name_len, ftype = struct.unpack_from("<iii", b, o)
        o += 12
        dims = struct.unpack_from("<" + "i" * n_dims, b, o)
        o += 4 * n_dims
        name = b[o:o + name_len].decode()
        o += name_len
        count = int(np.prod(dims)) if dims else 1
        dtype = np.float16 if ftype == 1 else np.float32
        tensors[name] = np.frombuffer(b, dtype=dtype, count=count, offset=o)
        o += count * np.dtype(dtype).itemsize
    return tensors


def round_like_the_file(model):
    """The model with every tensor the ggml file stores in f16 rounded to f16."""
    half = {name for name, t in read_ggml_tensors(MODEL_FILE).items() if t.dtype == np.float16}
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            name = key if key.startswith("_model.") else "_model." + key
            if "_8k" not in key and name in half:
                tensor.copy_(tensor.half().float())
    return model


def check_weights(model):
    state = {k if k.startswith("_model.") else "_model." + k: v
             for k, v in model.state_dict().items() if "_8k" not in k}
    for name, stored in read_ggml_tensors(MODEL_FILE).items():
        ref = state[name].detach().numpy().astype(np.float32).reshape(-1)
        if stored.dtype == np.float16:
            ref = ref.astype(np.float16)
        if not np.array_equal(ref, stored):
            raise SystemExit(f"{MODEL_FILE.name}: {name} differs from the package's weights")
    print(f"{MODEL_FILE.name}: every tensor equals silero-vad {silero_vad.__version__}'s "
          "(f16 tensors: the package's rounded to f16)")


def main():
    torch.set_num_threads(1)
    model = load_silero_vad()
    onnx_model = load_silero_vad(onnx=True)
    check_weights(model)
    rounded = round_like_the_file(load_silero_vad())
    clips = {name: read_wav(AUDIO / name) for name in RECORDINGS}
    clips.update(make_clips())
    onnx_gap = rounding_gap = 0.0
    for name, samples in clips.items():
        probs = window_probabilities(model, samples)
        onnx_probs = window_probabilities(onnx_model, samples)
        rounded_probs = window_probabilities(rounded, samples)
        rounding_gap = max(rounding_gap, float(np.max(np.abs(np.subtract(probs, rounded_probs)),
                                                      initial=0.0)))
        onnx_gap = max(onnx_gap, float(np.max(np.abs(np.subtract(probs, onnx_probs)), initial=0.0)))
        lines = [
            f"# {name}: silero-vad {silero_vad.__version__} (load_silero_vad(), TorchScript, "
            f"torch {torch.__version__}); made by tools/make_vad_references.py",
            f"samples {len(samples)}",
            f"probabilities {len(probs)}",
        ]
        lines += [f"{p:.9g} {q:.9g}" for p, q in zip(probs, rounded_probs)]
        for set_name, kwargs in OPTION_SETS:
            segments = get_speech_timestamps(torch.from_numpy(samples), model, sampling_rate=RATE,
                                             **kwargs)
            neg = kwargs.get("neg_threshold", -1)
            lines.append(
                f"segments {set_name} {kwargs['threshold']} {neg} "
                f"{kwargs['min_speech_duration_ms']} {kwargs['min_silence_duration_ms']} "
                f"{kwargs['speech_pad_ms']} {len(segments)}")
            lines += [f"{s['start']} {s['end']}" for s in segments]
        stem = name.rsplit(".", 1)[0]
        (OUT / f"{stem}.vad.ref").write_text("\n".join(lines) + "\n")
        print(f"{name}: {len(probs)} windows, max p {max(probs, default=0):.3f}")
    print(f"ONNX (onnxruntime {onnxruntime.__version__}) vs TorchScript: max |dp| = {onnx_gap:.3g}")
    print(f"f16-rounded weights vs the package's: max |dp| = {rounding_gap:.3g}")


if __name__ == "__main__":
    main()
