#!/usr/bin/env python3
"""Makes the tiny random-weight Qwen2.5-Omni fixture in tests/data/audio-models/omni/.

`Qwen2_5OmniThinkerForConditionalGeneration` with fixed seeds: the qwen25vl vision fixture's
tower shape (make_tiny_vlm_models.py: 2-D RoPE ViT with window attention, 2x2 merger), a
Whisper-style audio tower of d_model 64 that attends within 2-s stretches (n_window 100, as
every released Qwen2.5-Omni), and a qwen2vl text model with M-RoPE. Written as llama.cpp's
converter writes Qwen2.5-Omni: one mmproj holding both towers (`clip.projector_type`
"qwen2.5o", `v.*` and `a.*` tensors, `mm.a.fc` for the audio tower's `proj`, the sinusoidal
position table as `a.position_embd.weight`) and the text model (qwen2vl, F32).

References, all from transformers on tests/data/audio/jfk.wav (11 s) and the qwen25vl fixture's
picture (tests/data/vlm/qwen25vl/image.png, 224x112):
  omni.f32     the audio rows the thinker splices into its prompt (its audio tower on the
               sound's feature frames), little-endian float32 [rows, 64]
  prompt.json  `tokens`: one ChatML conversation (the default system turn, then a user turn
               holding the picture, the sound and the question) as Prism lays it out, -1 for
               each picture or sound row; `positions_t`, `_h`, `_w`: the M-RoPE planes
               transformers' get_rope_index gives every row; `greedy`: the 8 tokens
               transformers' greedy decoding gives after it (the whole sequence recomputed
               through the model's own vision and audio paths at each step)
  logits.f32   transformers' logits of the last prompt row

Usage (a developer tool; CI never runs Python, the fixture is committed):
  build/tools-venv/bin/python tools/make_tiny_omni_model.py [output-dir]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import transformers

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_tiny_audio_models as aud  # noqa: E402  (audio init, a.* names, greedy)
import make_tiny_models as tiny  # noqa: E402  (tokenizers, text GGUF layout, init rules)
import make_tiny_vlm_models as vlm  # noqa: E402  (the qwen25vl tower, its mmproj layout)

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What is shown and said?"
SYSTEM = "You are a helpful assistant."
N_WINDOW = 100
MARKERS = ["<|vision_bos|>", "<|vision_eos|>", "<|IMAGE|>", "<|VIDEO|>", "<|audio_bos|>",
           "<|audio_eos|>", "<|AUDIO|>"]


def omni_vocab() -> tiny.Vocab:
    """Byte-level BPE with ChatML's turn tokens and Qwen2.5-Omni's own marker names (it calls
    Qwen2.5-VL's <|vision_start|> and <|vision_end|> <|vision_bos|> and <|vision_eos|>)."""
    return tiny.gpt2_vocab(vlm.VOCAB_SIZE, "qwen2",
                           ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + MARKERS,
                           bos="<|endoftext|>", eos="<|im_end|>", pad="<|endoftext|>",
                           add_bos=False)


def build(vocab: tiny.Vocab):
    qvf = vlm.qwen25vl_family()
    text = dict(qvf.text.config, vocab_size=vlm.VOCAB_SIZE, num_hidden_layers=1,
                bos_token_id=vocab.special["bos"],
                eos_token_id=vocab.special["eos"], pad_token_id=vocab.special["padding"])
    audio = dict(num_mel_bins=80, d_model=64, encoder_layers=2, encoder_attention_heads=4,
                 encoder_ffn_dim=128, output_dim=text["hidden_size"], n_window=N_WINDOW,
                 # Positions restart in every 2-s stretch: only the first n_window rows are
                 # ever read (released models carry 1500), so the file keeps only those.
                 max_source_positions=N_WINDOW)
    cfg = transformers.Qwen2_5OmniThinkerConfig(
        audio_config=audio, vision_config=dict(qvf.extra["vision"]), text_config=text,
        image_token_index=vocab.id_of("<|IMAGE|>"), video_token_index=vocab.id_of("<|VIDEO|>"),
        audio_token_index=vocab.id_of("<|AUDIO|>"),
        audio_start_token_id=vocab.id_of("<|audio_bos|>"),
        audio_end_token_id=vocab.id_of("<|audio_eos|>"),
        vision_start_token_id=vocab.id_of("<|vision_bos|>"),
        vision_end_token_id=vocab.id_of("<|vision_eos|>"), tie_word_embeddings=False)
    cfg._attn_implementation = "eager"
    for sub in ("vision_config", "text_config", "audio_config"):
        getattr(cfg, sub)._attn_implementation = "eager"
    model = transformers.Qwen2_5OmniThinkerForConditionalGeneration(cfg).eval()
    # llama.cpp's merger uses ggml_gelu (tanh form), as for the qwen25vl fixture.
    model.model.visual.merger.mlp[1] = torch.nn.GELU(approximate="tanh")
    fam = tiny.Family("omni", "qwen2vl", "Qwen2_5OmniThinkerForConditionalGeneration", 0, text,
                      vocab, rope_neox=True)
    return qvf, fam, model


def init(model, fam: tiny.Family, seed: int) -> None:
    def other(name, p, gen):
        if name.startswith("model.audio_tower."):
            return True  # aud.randomize below
        return vlm.vision_init(name, p, gen)
    tiny.init_parameters(model, fam, seed, prefix="model.language_model.", other=other)
    aud.randomize(model.model.audio_tower, 51, 1.5)
    aud.round_matrices_to_f16(model.model.audio_tower)
    table = model.model.audio_tower.positional_embedding.positional_embedding
    table.copy_(table.half().float())  # a buffer, stored F16 like the matrices
    with torch.no_grad():  # the vision tower's matrices, stored F16 too
        for name, p in model.model.visual.named_parameters():
            if p.ndim >= 2:
                p.copy_(p.half().float())


class VisionView:
    """The thinker's vision tower as make_tiny_vlm_models' qwen25vl plan reads a Qwen2.5-VL
    checkpoint: the same names, with q, k and v fused into qkv as Qwen2.5-VL stores them."""

    def __init__(self, model):
        self._state, parts = {}, {}
        for name, t in model.state_dict().items():
            if not name.startswith("model.visual."):
                continue
            m = re.fullmatch(r"model\.visual\.blocks\.(\d+)\.attn\.([qkv])\.(weight|bias)", name)
            if m:
                parts[(m.group(1), m.group(3), m.group(2))] = t
            else:
                self._state[name] = t
        for il, kind in sorted({(k[0], k[1]) for k in parts}):
            self._state[f"model.visual.blocks.{il}.attn.qkv.{kind}"] = torch.cat(
                [parts[(il, kind, x)] for x in "qkv"])

    def state_dict(self):
        return self._state


def audio_keys_and_tensors(model):
    enc = model.model.audio_tower
    whisper_like = SimpleNamespace(
        conv1=enc.conv1, conv2=enc.conv2, layers=enc.layers, layer_norm=enc.ln_post,
        embed_positions=SimpleNamespace(weight=enc.positional_embedding.positional_embedding))
    tensors = aud.encoder_tensors(whisper_like) + [
        ("mm.a.fc.weight", enc.proj.weight.detach().numpy()),
        ("mm.a.fc.bias", enc.proj.bias.detach().numpy())]
    c = model.config.audio_config

    def extra(w):
        w.add_bool("clip.has_audio_encoder", True)
        aud.add_audio_keys(w, c, [("clip.audio.projection_dim", c.output_dim)])
        return [(name, aud.stored(data, True)) for name, data in tensors]
    return extra


def build_prompt(vocab: tiny.Vocab, image_rows: int, audio_rows: int):
    seq: list[int] = []

    def s(name: str):
        seq.append(vocab.id_of(name))

    def txt(text: str):
        seq.extend(vocab.encode(text))

    s("<|im_start|>")
    txt("system\n" + SYSTEM)
    s("<|im_end|>")
    txt("\n")
    s("<|im_start|>")
    txt("user\n")
    s("<|vision_bos|>")
    image_at = len(seq)
    seq.extend([-1] * image_rows)
    s("<|vision_eos|>")
    s("<|audio_bos|>")
    audio_at = len(seq)
    seq.extend([-1] * audio_rows)
    s("<|audio_eos|>")
    txt(QUESTION)
    s("<|im_end|>")
    txt("\n")
    s("<|im_start|>")
    txt("assistant\n")
    hf = list(seq)
    hf[image_at:image_at + image_rows] = [vocab.id_of("<|IMAGE|>")] * image_rows
    hf[audio_at:audio_at + audio_rows] = [vocab.id_of("<|AUDIO|>")] * audio_rows
    return seq, hf


def hf_greedy(model, ids: list[int], features: dict) -> tuple[np.ndarray, list[int], float]:
    """aud.hf_greedy with an attention mask, without which the thinker gives every row a
    1-D position instead of its M-RoPE (t, h, w)."""
    generated: list[int] = []
    margins, last = [], None
    for _ in range(aud.N_GREEDY):
        seq = torch.tensor([ids + generated])
        with torch.no_grad():
            out = model(input_ids=seq, attention_mask=torch.ones_like(seq), use_cache=False,
                        **features)
        row = out.logits[0, -1].float().numpy()
        if last is None:
            last = row
        top = np.sort(row)
        margins.append((top[-1] - top[-2]) / np.abs(row).max())
        generated.append(int(np.argmax(row)))
    return last, generated, float(min(margins))


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "audio-models"
    d = out / "omni"
    d.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    vocab = omni_vocab()
    qvf, fam, model = build(vocab)

    image = vlm.make_image(qvf)  # tests/data/vlm/qwen25vl/image.png, which the tests read
    same = ROOT / "tests" / "data" / "vlm" / "qwen25vl" / "image.png"
    assert np.array_equal(np.asarray(image), np.asarray(vlm.Image.open(same).convert("RGB")))
    pixels = vlm.hf_inputs(qvf, image)
    grid = pixels.kwargs["image_grid_thw"][0].tolist()
    image_rows = grid[0] * grid[1] * grid[2] // 4
    fe = transformers.WhisperFeatureExtractor(feature_size=80)
    feats = fe(aud.read_wav(aud.CLIP), sampling_rate=16000, return_tensors="pt",
               padding="max_length", return_attention_mask=True)
    frames = int(feats["attention_mask"].sum())
    audio_rows = ((frames - 1) // 2 + 1 - 2) // 2 + 1
    features = dict(pixels.kwargs, input_features=feats["input_features"],
                    feature_attention_mask=feats["attention_mask"])
    prompt, hf_ids = build_prompt(vocab, image_rows, audio_rows)

    for seed in range(5001, 5001 + aud.SEED_TRIES):
        init(model, fam, seed)
        last, greedy, margin = hf_greedy(model, hf_ids, features)
        plain = all(vocab.token_types[t] != tiny.CONTROL for t in greedy)
        if margin > aud.MIN_RELATIVE_MARGIN and len(set(greedy)) >= 3 and plain:
            break
    else:
        raise RuntimeError("omni: no seed with clear greedy choices")

    captured = {}
    hooks = [
        model.model.audio_tower.register_forward_hook(
            lambda m, i, o: captured.__setitem__("audio", o.last_hidden_state.detach())),
        model.model.language_model.register_forward_pre_hook(
            lambda m, a, kw: captured.__setitem__("positions", kw.get("position_ids")),
            with_kwargs=True)]
    with torch.no_grad():
        ids = torch.tensor([hf_ids])
        model(input_ids=ids, attention_mask=torch.ones_like(ids), use_cache=False, **features)
    for h in hooks:
        h.remove()
    rows = captured["audio"].numpy()
    assert rows.shape == (audio_rows, 64), rows.shape
    positions = captured["positions"]
    planes = positions[-3:, 0].tolist()  # (t, h, w); a leading text plane, when given, dropped

    text_view = vlm.TextView(qvf, model)
    tiny.write_gguf(d / "text.gguf", fam, text_view, tiny.QT.F32, name="tiny-omni-text")
    tiny.check_layout(d / "text.gguf", fam, text_view, tiny.QT.F32)
    plan = vlm.mmproj_plan(qvf, VisionView(model))
    for t in plan:  # F16 like an F16 file's: the patch kernel and the 2-D weights
        if t.data.ndim >= 2 and t.name.endswith((".weight", ".weight.1")):
            t.qtype = tiny.QT.F16
    vlm.write_mmproj(d / "mmproj.gguf", qvf, model, plan, name="tiny-omni",
                     projector="qwen2.5o", extra=audio_keys_and_tensors(model))
    aud.write_f32(d / "omni.f32", rows)
    aud.write_f32(d / "logits.f32", last)
    (d / "prompt.json").write_text(json.dumps(
        {"tokens": prompt, "positions_t": planes[0], "positions_h": planes[1],
         "positions_w": planes[2], "greedy": greedy}) + "\n")
    readme = [
        "# Tiny Qwen2.5-Omni fixture", "",
        "Made by `tools/make_tiny_omni_model.py` (" + aud.versions() + "); random weights "
        "with fixed seeds, references from transformers' "
        "`Qwen2_5OmniThinkerForConditionalGeneration`. Remake with "
        "`python tools/make_tiny_omni_model.py`.", "",
        f"- Vision: the qwen25vl fixture's tower shape (depth 2, width 32, window 112, merger "
        f"GELU in llama.cpp's tanh form), F16 matrices; the picture is tests/data/vlm/qwen25vl/image.png "
        f"({image.width}x{image.height}), {image_rows} rows.",
        f"- Audio: d_model 64, 4 heads, 2 layers, ffn 128, 80 mel bins, n_window {N_WINDOW} "
        f"(2-s stretches, so a position table of {N_WINDOW} rows), F16 matrices and table; jfk.wav (tests/data/audio): {frames} feature frames, "
        f"{audio_rows} rows (omni.f32, max |value| {np.abs(rows).max():.4g}).",
        f"- Text: qwen2vl, width 64, 1 layer, vocab {vlm.VOCAB_SIZE} with Qwen2.5-Omni's "
        f"marker names, M-RoPE sections [2, 3, 3], seed {seed}, F32.",
        f"- prompt.json: {len(prompt)} rows; greedy margin {margin:.3f} x max |logit|; "
        f"logits.f32 max |logit| {np.abs(last).max():.4g}.", ""]
    (d / "README.md").write_text("\n".join(readme) + "\n")
    print("\n".join(readme))


if __name__ == "__main__":
    main()
