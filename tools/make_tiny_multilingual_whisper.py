#!/usr/bin/env python3
"""Makes tiny random-weight multilingual Whisper models in whisper.cpp's ggml format and their
language-detection references from transformers, for tests/models/test_whisper_language.cpp.

  python tools/make_tiny_multilingual_whisper.py [OUT_DIR]

OUT_DIR defaults to tests/data/whisper. Needs torch, transformers and tokenizers (pinned in
tools/requirements.txt); CPU, float32, deterministic (seeded).

Two models, both transformers' WhisperForConditionalGeneration with d_model 16 (one head of 16),
2 encoder and 2 decoder layers, feed-forward 32, 1500 audio positions and 32 text positions
(so at most 16 tokens per window):
  ggml-tiny-random-multilingual.bin  51865 tokens (99 languages), 80 mel bins: the layout of
                                     tiny ... large-v2
  ggml-tiny-random-large-v3.bin      51866 tokens (100 languages, <|yue|> last), 128 mel bins:
                                     the layout of large-v3
The regular vocabulary (50257 tokens) is synthetic: the 256 single bytes, then two-byte tokens
of the non-whitespace bytes in order, each the merge of its two bytes. The special tokens sit at
Whisper's ids: <|endoftext|> 50257, <|startoftranscript|> 50258, the languages from 50259 in
Whisper's order (transformers' LANGUAGES table), then translate, transcribe, startoflm,
startofprev, nospeech (nocaptions), notimestamps and the 1501 timestamps.

The weights are drawn at larger scales than transformers' initialisation (see make_model: at
0.02 a 16-wide model only repeats its input token and every language is about equally likely),
every bias and layer-norm parameter random too (so that a bias read wrongly changes the result);
the timestamp tokens' rows are shrunk so that no greedy step picks one. The seeds were chosen so
that the two clips detect different languages on the first model, every detected language wins
by a clear logit gap, and each greedy step's choice is clear of its runner-up. The matrices are
rounded to f16 before the references are computed, as the file stores them (vectors and
positional embeddings stay f32), so the references are of the weights Prism reads.

References (language_references.json, and its line form language_references.txt for the C++
test), for tests/data/audio/jfk.wav and 8455-210777-0068.wav on each model:
  - the features: transformers' WhisperFeatureExtractor (30-s window) with the frames past the
    sound set to 0, as openai-whisper and faster-whisper pad a short window's log-mel;
  - language detection as openai-whisper's / transformers' detect_language computes it: the
    logits at <|startoftranscript|> restricted to the language tokens, softmax; every language's
    probability, the detected one, and the logit gap between the first and the second;
  - the no-speech probability (softmax over the whole vocabulary at <|startoftranscript|>);
  - greedy decoding with the detected language and with a given one (the clip's second most
    likely language): prompt <|startoftranscript|><|lang|><|transcribe|><|notimestamps|>, up to
    n_text_ctx / 2 tokens or <|endoftext|>, openai-whisper's non-speech tokens and the prompt's
    special tokens suppressed at every step and " " and <|endoftext|> at the first; per step the
    chosen token's logit and its gap to the runner-up.
transformers' own WhisperForConditionalGeneration.detect_language is run too and must agree.
"""

from __future__ import annotations

import json
import struct
import sys
import wave
from pathlib import Path

import numpy as np
import tokenizers
import torch
import transformers
from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration
from transformers.models.whisper.tokenization_whisper import LANGUAGES

from convert_ct2_to_whisper_ggml import N_FFT, slaney_mel_filters
import make_tiny_models as tiny  # GPT-2's byte alphabet

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT / "tests" / "data" / "audio"
CLIPS = ["jfk.wav", "8455-210777-0068.wav"]
GGML_MAGIC = 0x67676D6C
T_F32, T_F16 = 0, 1
N_REGULAR = 50257
N_TIMESTAMPS = 1501
D_MODEL, HEADS, LAYERS, FFN, TEXT_CTX = 16, 1, 2, 32, 32
# Weights: every matrix N(0, WEIGHT_GAIN^2 / fan_in), the token and position embeddings
# N(0, EMBED_STD^2), the decoder's final layer-norm weight times LOGIT_SCALE.
WEIGHT_GAIN, EMBED_STD, LOGIT_SCALE = 2.0, 0.5, 3.0

MODELS = {
    "ggml-tiny-random-multilingual.bin": dict(languages=99, n_mels=80, seed=4),
    "ggml-tiny-random-large-v3.bin": dict(languages=100, n_mels=128, seed=1),
}

# openai-whisper's non-speech symbols (whisper/tokenizer.py, non_speech_tokens).
SYMBOLS = list('"#()*+/:;<=>@[\\]^_`{|}~「」『』') + \
    "<< >> <<< >>> -- --- -( -[ (' (\" (( )) ((( ))) [[ ]] {{ }} ♪♪ ♪♪♪".split()
MUSIC = list("♩♪♫♬♭♮♯")


def regular_tokens() -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    """The synthetic regular vocabulary in rank order and its merges."""
    singles = [bytes([b]) for b in range(256)]
    letters = [b for b in range(256) if not chr(b).isspace()]
    pairs = []
    for a in letters:
        for b in letters:
            pairs.append((bytes([a]), bytes([b])))
            if len(singles) + len(pairs) == N_REGULAR:
                return singles + [a_ + b_ for a_, b_ in pairs], pairs
    raise SystemExit("not enough byte pairs")


class Specials:
    def __init__(self, languages: int):
        self.eot, self.sot = N_REGULAR, N_REGULAR + 1
        codes = list(LANGUAGES)[:languages]
        self.languages = {code: self.sot + 1 + i for i, code in enumerate(codes)}
        after = self.sot + 1 + languages
        self.translate, self.transcribe, self.sot_lm, self.sot_prev = range(after, after + 4)
        self.no_speech, self.no_timestamps = after + 4, after + 5
        self.timestamp_begin = after + 6
        self.n_vocab = self.timestamp_begin + N_TIMESTAMPS
        self.no_speech_text = "<|nospeech|>" if languages == 100 else "<|nocaptions|>"

    def texts(self) -> dict[int, str]:
        out = {self.eot: "<|endoftext|>", self.sot: "<|startoftranscript|>",
               self.translate: "<|translate|>", self.transcribe: "<|transcribe|>",
               self.sot_lm: "<|startoflm|>", self.sot_prev: "<|startofprev|>",
               self.no_speech: self.no_speech_text, self.no_timestamps: "<|notimestamps|>"}
        out.update({i: f"<|{c}|>" for c, i in self.languages.items()})
        out.update({self.timestamp_begin + i: f"<|{i * 0.02:.2f}|>" for i in range(N_TIMESTAMPS)})
        return out


def hf_tokenizer(tokens: list[bytes], merges: list[tuple[bytes, bytes]]) -> tokenizers.Tokenizer:
    """The vocabulary as a Hugging Face byte-level BPE (GPT-2's pre-tokenizer)."""
    alphabet = tiny.bytes_to_unicode()
    text = lambda raw: "".join(alphabet[b] for b in raw)  # noqa: E731
    vocab = {text(t): i for i, t in enumerate(tokens)}
    bpe = tokenizers.models.BPE(vocab=vocab, merges=[(text(a), text(b)) for a, b in merges])
    tok = tokenizers.Tokenizer(bpe)
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    return tok


def suppressed(tok: tokenizers.Tokenizer, s: Specials) -> tuple[list[int], list[int]]:
    """openai-whisper's suppress_tokens "-1" (non-speech tokens and the prompt's special tokens)
    and its suppress_blank tokens (" " and <|endoftext|>)."""
    enc = lambda t: tok.encode(t).ids  # noqa: E731
    out = {enc(" -")[0], enc(" '")[0]}
    for symbol in SYMBOLS + MUSIC:
        for ids in (enc(symbol), enc(" " + symbol)):
            if len(ids) == 1 or symbol in MUSIC:
                out.add(ids[0])
    out |= {s.transcribe, s.translate, s.sot, s.sot_prev, s.sot_lm, s.no_speech}
    return sorted(out), enc(" ") + [s.eot]


def make_model(s: Specials, n_mels: int, seed: int) -> WhisperForConditionalGeneration:
    torch.manual_seed(seed)
    config = WhisperConfig(
        vocab_size=s.n_vocab, num_mel_bins=n_mels, d_model=D_MODEL, encoder_layers=LAYERS,
        decoder_layers=LAYERS, encoder_attention_heads=HEADS, decoder_attention_heads=HEADS,
        encoder_ffn_dim=FFN, decoder_ffn_dim=FFN, max_source_positions=1500,
        max_target_positions=TEXT_CTX, pad_token_id=s.eot, bos_token_id=s.eot,
        eos_token_id=s.eot, decoder_start_token_id=s.sot, tie_word_embeddings=True)
    model = WhisperForConditionalGeneration(config).eval()
    # transformers' initialisation (std 0.02, zero biases, unit norms) leaves a 16-wide model
    # predicting its own input token from a residual stream the layers barely change; these
    # scales give the layers, the positions and the audio a say in each step.
    with torch.no_grad():
        for name, module in model.named_modules():
            if isinstance(module, (torch.nn.Linear, torch.nn.Conv1d)) and name != "proj_out":
                fan_in = module.weight[0].numel()
                module.weight.normal_(0.0, WEIGHT_GAIN / fan_in**0.5)
        model.model.decoder.embed_tokens.weight.normal_(0.0, EMBED_STD)
        model.model.decoder.embed_positions.weight.normal_(0.0, EMBED_STD)
        for name, p in model.named_parameters():
            if name.endswith(".bias"):
                p.normal_(0.0, 0.05)
            elif "layer_norm" in name:
                p.normal_(1.0, 0.2)
        model.model.decoder.layer_norm.weight.mul_(LOGIT_SCALE)
        # Timestamps never win (their output rows shrunk): without timestamps a sampled one
        # would split the window into segments, which is not what these references test.
        model.model.decoder.embed_tokens.weight[s.timestamp_begin:].mul_(0.1)
        for name, p in model.named_parameters():
            if p.dim() >= 2 and "embed_positions" not in name:
                p.copy_(p.half().float())  # as the file stores them
    assert model.proj_out.weight.data_ptr() == model.model.decoder.embed_tokens.weight.data_ptr()
    return model


def ggml_names(model: WhisperForConditionalGeneration) -> list[tuple[str, torch.Tensor]]:
    """(openai-whisper name, tensor) in whisper.cpp's order."""
    sd = {k: v for k, v in model.state_dict().items() if not k.startswith("proj_out")}
    block = {"self_attn.q_proj": "attn.query", "self_attn.k_proj": "attn.key",
             "self_attn.v_proj": "attn.value", "self_attn.out_proj": "attn.out",
             "self_attn_layer_norm": "attn_ln", "encoder_attn.q_proj": "cross_attn.query",
             "encoder_attn.k_proj": "cross_attn.key", "encoder_attn.v_proj": "cross_attn.value",
             "encoder_attn.out_proj": "cross_attn.out",
             "encoder_attn_layer_norm": "cross_attn_ln", "final_layer_norm": "mlp_ln",
             "fc1": "mlp.0", "fc2": "mlp.2"}
    top = {"model.encoder.conv1": "encoder.conv1", "model.encoder.conv2": "encoder.conv2",
           "model.encoder.embed_positions.weight": "encoder.positional_embedding",
           "model.encoder.layer_norm": "encoder.ln_post",
           "model.decoder.embed_tokens.weight": "decoder.token_embedding.weight",
           "model.decoder.embed_positions.weight": "decoder.positional_embedding",
           "model.decoder.layer_norm": "decoder.ln"}
    out = []
    for key, t in sd.items():
        name = None
        for hf, ow in top.items():
            if key == hf or key.startswith(hf + "."):
                name = ow + key[len(hf):]
        if name is None:
            _, side, _, layer, rest = key.split(".", 4)
            part, suffix = rest.rsplit(".", 1)
            name = f"{side}.blocks.{layer}.{block[part]}.{suffix}"
        out.append((name, t.detach().float()))
    return out


def write_ggml(path: Path, model: WhisperForConditionalGeneration, s: Specials,
               tokens: list[bytes]) -> None:
    c = model.config
    header = struct.pack("<i", GGML_MAGIC)
    header += struct.pack("<11i", s.n_vocab, c.max_source_positions, c.d_model,
                          c.encoder_attention_heads, c.encoder_layers, c.max_target_positions,
                          c.d_model, c.decoder_attention_heads, c.decoder_layers, c.num_mel_bins,
                          1)
    filters = slaney_mel_filters(c.num_mel_bins)
    header += struct.pack("<2i", c.num_mel_bins, N_FFT // 2 + 1)
    header += struct.pack(f"<{len(filters)}f", *filters)
    header += struct.pack("<i", len(tokens))
    for t in tokens:
        header += struct.pack("<i", len(t)) + t
    body = bytearray()
    for name, t in ggml_names(model):
        if name.endswith("conv1.bias") or name.endswith("conv2.bias"):
            t = t.reshape(-1, 1)
        f16 = t.dim() >= 2 and "positional_embedding" not in name and not name.endswith(".bias")
        data = t.numpy().astype("<f2" if f16 else "<f4").tobytes()
        ne = list(reversed(t.shape))
        encoded = name.encode()
        body += struct.pack("<3i", len(ne), len(encoded), T_F16 if f16 else T_F32)
        body += struct.pack(f"<{len(ne)}i", *ne) + encoded + data
    path.write_bytes(header + bytes(body))


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        raw = w.readframes(w.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def features(samples: np.ndarray, n_mels: int) -> torch.Tensor:
    fe = WhisperFeatureExtractor(feature_size=n_mels)
    x = fe(samples, sampling_rate=16000, return_tensors="pt").input_features
    x[..., len(samples) // 160:] = 0.0
    return x


def greedy(model, encoded, prompt: list[int], suppress: list[int], begin: list[int]) -> dict:
    tokens, steps = list(prompt), []
    sample_len = model.config.max_target_positions // 2
    for i in range(sample_len):
        with torch.no_grad():
            logits = model(encoder_outputs=(encoded,),
                           decoder_input_ids=torch.tensor([tokens])).logits[0, -1].double()
        logits[suppress] = -np.inf
        if i == 0:
            logits[begin] = -np.inf
        top = torch.topk(logits, 2)
        token = int(top.indices[0])
        steps.append({"token": token, "logit": round(float(top.values[0]), 5),
                      "gap": round(float(top.values[0] - top.values[1]), 5)})
        if token == model.config.eos_token_id:
            break
        tokens.append(token)
    return {"prompt": prompt, "tokens": [st["token"] for st in steps
                                         if st["token"] != model.config.eos_token_id],
            "steps": steps}


def sig(p) -> float:
    """A probability to 7 significant digits (the test compares logarithms)."""
    return float(f"{float(p):.7g}")


def references(model, s: Specials, tok, n_mels: int) -> dict:
    suppress, begin = suppressed(tok, s)
    codes = {i: c for c, i in s.languages.items()}
    lang_ids = list(s.languages.values())
    gen = model.generation_config
    gen.lang_to_id = {f"<|{c}|>": i for c, i in s.languages.items()}
    gen.no_timestamps_token_id = s.no_timestamps
    out = {"suppress_tokens": suppress, "suppress_tokens_begin": begin, "clips": {}}
    for clip in CLIPS:
        samples = read_wav(AUDIO / clip)
        x = features(samples, n_mels)
        with torch.no_grad():
            encoded = model.model.encoder(x).last_hidden_state
            logits = model(encoder_outputs=(encoded,),
                           decoder_input_ids=torch.tensor([[s.sot]])).logits[0, -1].double()
            hf_detected = int(model.detect_language(input_features=x, generation_config=gen)[0])
        probs = torch.softmax(logits[lang_ids], dim=-1)
        order = torch.argsort(probs, descending=True).tolist()
        detected, second = lang_ids[order[0]], lang_ids[order[1]]
        if hf_detected != detected:
            raise SystemExit(f"{clip}: transformers' detect_language gives {hf_detected}, "
                             f"the softmax {detected}")
        entry = {
            "samples": len(samples),
            "language": codes[detected],
            "language_probability": sig(probs[order[0]]),
            "language_logit_gap": round(float(logits[detected] - logits[second]), 5),
            "second_language": codes[second],
            "probabilities": {codes[lang_ids[k]]: sig(probs[k]) for k in order},
            "no_speech_prob": sig(torch.softmax(logits, -1)[s.no_speech]),
            "detected": greedy(model, encoded, [s.sot, detected, s.transcribe, s.no_timestamps],
                               suppress, begin),
            "given": greedy(model, encoded, [s.sot, second, s.transcribe, s.no_timestamps],
                            suppress, begin),
        }
        for mode in ("detected", "given"):
            if any(t >= s.eot for t in entry[mode]["tokens"]) or \
                    len(entry[mode]["tokens"]) != model.config.max_target_positions // 2:
                raise SystemExit(f"{clip}: a special token or an early end among the {mode} "
                                 "tokens; choose another seed")
        out["clips"][clip] = entry
        gaps = [st["gap"] for st in entry["detected"]["steps"] + entry["given"]["steps"]]
        print(f"  {clip}: {entry['language']} p={entry['language_probability']:.4f} "
              f"(gap {entry['language_logit_gap']:.3f} over {entry['second_language']}), "
              f"no-speech {entry['no_speech_prob']:.4g}, "
              f"{len(entry['detected']['tokens'])}+{len(entry['given']['tokens'])} tokens, "
              f"smallest step gap {min(gaps):.4f}")
    return out


def write_text_form(refs: dict, path: Path) -> None:
    """The JSON as lines the C++ test reads: model FILE / clip NAME SAMPLES / language CODE P GAP
    / no_speech P / prob CODE P ... / tokens detected|given LANG TOKEN..."""
    lines = [f"# {refs['made_with']}; made by tools/make_tiny_multilingual_whisper.py"]
    for file, model in refs["models"].items():
        lines.append(f"model {file}")
        for clip, e in model["clips"].items():
            lines.append(f"clip {clip} {e['samples']}")
            lines.append(f"language {e['language']} {e['language_probability']} "
                         f"{e['language_logit_gap']}")
            lines.append(f"no_speech {e['no_speech_prob']}")
            lines.append("prob " + " ".join(f"{c} {p}" for c, p in e["probabilities"].items()))
            for mode, lang in (("detected", e["language"]), ("given", e["second_language"])):
                lines.append(f"tokens {mode} {lang} " +
                             " ".join(str(t) for t in e[mode]["tokens"]))
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    if len(sys.argv) > 2:
        raise SystemExit(__doc__)
    out = Path(sys.argv[1]) if len(sys.argv) == 2 else ROOT / "tests" / "data" / "whisper"
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    tokens, merges = regular_tokens()
    tok = hf_tokenizer(tokens, merges)
    refs = {"made_with": f"torch {torch.__version__.split('+')[0]}, transformers "
                         f"{transformers.__version__}, tokenizers {tokenizers.__version__}",
            "d_model": D_MODEL, "layers": LAYERS, "text_ctx": TEXT_CTX,
            "logit_scale": LOGIT_SCALE, "models": {}}
    for file, spec in MODELS.items():
        s = Specials(spec["languages"])
        model = make_model(s, spec["n_mels"], spec["seed"])
        write_ggml(out / file, model, s, tokens)
        print(f"{file}: {(out / file).stat().st_size} bytes, n_vocab {s.n_vocab}")
        entry = references(model, s, tok, spec["n_mels"])
        entry.update(n_vocab=s.n_vocab, n_mels=spec["n_mels"], seed=spec["seed"])
        refs["models"][file] = entry
    (out / "language_references.json").write_text(json.dumps(refs, indent=1) + "\n")
    write_text_form(refs, out / "language_references.txt")


if __name__ == "__main__":
    main()
