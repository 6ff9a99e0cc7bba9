#!/usr/bin/env python3
"""Writes tests/data/audio/<clip>.mel<N>.ref: what transformers' WhisperFeatureExtractor
(numpy path, no torch) computes for each speech clip in tests/data/audio, with 80 and 128 mel
bins. The media tests compare Prism's log-mel with them (tests/media/test_log_mel_reference.cpp).
CI never runs this script; its outputs are committed.

usage: tools/make_mel_references.py
Needs numpy, transformers (tested with transformers 5.25.0, numpy 2.4.6; no torch, so that the
extractor takes its numpy path) and the ffmpeg command-line tool (to decode jfk.mp3).

Inputs: the WAV clips as s16 / 32768 (what Prism's decoder gives for 16-bit PCM at 16 kHz),
jfk.mp3 as `ffmpeg -i jfk.mp3 -ac 1 -ar 16000 -f f32le -`, and "jfk_x3": jfk.wav three times
over (33 s), which takes two 30-s windows; each window is given to the extractor on its own
(samples [0, 480000) and [480000, 528000)), as Prism processes windows.

File layout (little-endian): b"PRISMMEL", u32 n_mel, u32 windows; then per window:
u32 content_frames (frames 0..content_frames-1 differ; every later frame of the window equals
the tail value in every bin), f32 tail_value, f32 mean over the bins of each of the first
content_frames frames, u32 n_selected, then n_selected times (u32 frame, f32 values[n_mel]):
full frames 0..3, every k-th frame below content_frames (k = max(9, ceil(content_frames / 60))),
and the window's last two frames.
"""
import struct
import subprocess
import wave
from pathlib import Path

import numpy as np
from transformers import WhisperFeatureExtractor

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT / "tests" / "data" / "audio"
WINDOW = 480000
MAX_SELECTED = 60  # full frames kept per window, about


def read_wav_s16(path):
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == 16000
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0


def read_mp3(path):
    raw = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(path),
                          "-ac", "1", "-ar", "16000", "-f", "f32le", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, "<f4")


def window_reference(extractor, samples):
    features = extractor(samples, sampling_rate=16000, return_tensors="np").input_features[0]
    n_mel, frames = features.shape
    assert frames == 3000
    tail = features[0, -1]  # a window that ends in silence ends in frames of this one value
    content = frames
    while content > 0 and np.all(features[:, content - 1] == tail):
        content -= 1
    stride = max(9, -(-content // MAX_SELECTED))
    selected = sorted(set(range(4)) | set(range(0, content, stride)) | {frames - 2, frames - 1})
    out = struct.pack("<If", content, float(tail))
    out += features[:, :content].mean(axis=0, dtype=np.float64).astype("<f4").tobytes()
    out += struct.pack("<I", len(selected))
    for t in selected:
        out += struct.pack("<I", t) + features[:, t].astype("<f4").tobytes()
    return out


def main():
    clips = {p.stem + p.suffix.replace(".", "_"): read_wav_s16(p)
             for p in sorted(AUDIO.glob("*.wav")) if not p.name.startswith(("speech_", "silence"))}
    clips["jfk_mp3"] = read_mp3(AUDIO / "jfk.mp3")
    clips["jfk_x3"] = np.concatenate([read_wav_s16(AUDIO / "jfk.wav")] * 3)
    for n_mel in (80, 128):
        extractor = WhisperFeatureExtractor(feature_size=n_mel)
        for name, samples in clips.items():
            windows = [samples[i:i + WINDOW] for i in range(0, len(samples), WINDOW)]
            data = b"PRISMMEL" + struct.pack("<II", n_mel, len(windows))
            data += b"".join(window_reference(extractor, w) for w in windows)
            (AUDIO / f"{name}.mel{n_mel}.ref").write_bytes(data)


if __name__ == "__main__":
    main()
