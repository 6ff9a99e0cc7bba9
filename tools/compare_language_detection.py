#!/usr/bin/env python3
"""A developer check, not a test: the language Prism detects, with its probability, beside
faster-whisper's detect_language on the same real multilingual Whisper and the same clips.

  python tools/compare_language_detection.py CT2_DIR GGML_OR_GGUF CLIP... [--cli PRISM_CLI]

CT2_DIR is a multilingual Whisper in CTranslate2's layout (model.bin, config.json,
vocabulary.txt or .json: the folder faster-whisper loads); GGML_OR_GGUF the same model as Prism
reads it (tools/convert_ct2_to_whisper_ggml.py or tools/convert_whisper_ct2.py make it from
that folder). PRISM_CLI defaults to build/dev/app/prism-cli. Needs faster-whisper (pinned in
tools/requirements.txt). Prints one line per clip: faster-whisper's language and probability,
Prism's (from `prism-cli transcribe --json`, four decimals), and the difference.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from faster_whisper import WhisperModel
from faster_whisper.audio import decode_audio

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ct2_dir", type=Path)
    parser.add_argument("model", type=Path)
    parser.add_argument("clips", type=Path, nargs="+")
    parser.add_argument("--cli", type=Path, default=ROOT / "build" / "dev" / "app" / "prism-cli")
    args = parser.parse_args()

    reference = WhisperModel(str(args.ct2_dir), device="cpu", compute_type="float32",
                             cpu_threads=2)
    run = subprocess.run([str(args.cli), "transcribe", "-m", str(args.model), "--no-fallback",
                          "--json", *map(str, args.clips)],
                         check=True, capture_output=True, text=True)
    prism = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    worst = 0.0
    for clip, got in zip(args.clips, prism):
        language, probability, _ = reference.detect_language(decode_audio(str(clip)))
        diff = got["language_probability"] - probability
        worst = max(worst, abs(diff)) if got["language"] == language else float("inf")
        print(f"{clip.name:24} faster-whisper {language} {probability:.5f}   "
              f"Prism {got['language']} {got['language_probability']:.4f}   {diff:+.5f}")
    print(f"largest difference {worst:.5f} (Prism prints four decimals)")


if __name__ == "__main__":
    main()
