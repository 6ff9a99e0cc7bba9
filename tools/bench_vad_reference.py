#!/usr/bin/env python3
"""The baseline for `prism-bench vad`: the silero-vad package's time per 512-sample window on
the same sound, one thread, for its TorchScript model (torch) and its ONNX model
(onnxruntime), as get_speech_timestamps calls them (one call per window).

    build/vad-venv/bin/python tools/bench_vad_reference.py [--audio tests/data/audio/jfk.wav] [-r 5]

(the venv of tools/make_vad_references.py). Prints CPU and wall microseconds per window, mean
and sd over the repetitions.
"""

import argparse
import statistics
import time
import wave

import numpy as np
import torch
from silero_vad import load_silero_vad


def read_wav(path):
    with wave.open(path) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == 16000
        data = w.readframes(w.getnframes())
    return torch.from_numpy(np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0)


def measure(model, audio, repetitions):
    windows = len(audio) // 512
    chunks = [audio[i * 512:(i + 1) * 512] for i in range(windows)]
    model.reset_states()
    for chunk in chunks:  # warm-up pass
        model(chunk, 16000)
    cpu, wall = [], []
    for _ in range(repetitions):
        model.reset_states()
        c0, w0 = time.thread_time(), time.perf_counter()
        with torch.no_grad():
            for chunk in chunks:
                model(chunk, 16000)
        cpu.append((time.thread_time() - c0) / windows * 1e6)
        wall.append((time.perf_counter() - w0) / windows * 1e6)
    return windows, cpu, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", default="tests/data/audio/jfk.wav")
    parser.add_argument("-r", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    audio = read_wav(args.audio)
    for name, model in (("TorchScript (torch %s)" % torch.__version__, load_silero_vad()),
                        ("ONNX (onnxruntime)", load_silero_vad(onnx=True))):
        windows, cpu, wall = measure(model, audio, args.r)
        sd = lambda xs: statistics.stdev(xs) if len(xs) > 1 else 0.0
        print(f"silero-vad {name}: {windows} windows x {args.r}: CPU {statistics.mean(cpu):.1f} us "
              f"(sd {sd(cpu):.1f}), wall {statistics.mean(wall):.1f} us (sd {sd(wall):.1f}) "
              "per window")


if __name__ == "__main__":
    main()
