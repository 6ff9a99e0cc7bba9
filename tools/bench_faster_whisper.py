#!/usr/bin/env python3
"""The faster-whisper side of `prism-bench asr`: times faster-whisper's transcribe() on each clip
on the CPU with 2 threads, int8 and float32, beam_size 1, temperature 0, timestamps on (what the
benchmark asks of Prism), after one warm-up run per clip.

  python tools/bench_faster_whisper.py CT2_MODEL_DIR REPS CLIP...

Prints one line per clip and compute type: `fw <compute_type> <clip> <mean_s> <sd_s>`.
Needs faster-whisper (tools/requirements.txt).
"""

import statistics
import sys
import time

from faster_whisper import WhisperModel
from faster_whisper.audio import decode_audio


def main() -> None:
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    model_dir, reps, clips = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    audio = {clip: decode_audio(clip) for clip in clips}
    for compute_type in ("int8", "float32"):
        model = WhisperModel(model_dir, device="cpu", compute_type=compute_type, cpu_threads=2)

        def run(samples):
            segments, _ = model.transcribe(samples, beam_size=1, temperature=[0.0],
                                           language="en", vad_filter=False)
            return list(segments)

        for clip in clips:
            run(audio[clip])
            times = []
            for _ in range(reps):
                t0 = time.perf_counter()
                run(audio[clip])
                times.append(time.perf_counter() - t0)
            sd = statistics.stdev(times) if len(times) > 1 else 0.0
            print(f"fw {compute_type} {clip} {statistics.mean(times):.6f} {sd:.6f}", flush=True)


if __name__ == "__main__":
    main()
