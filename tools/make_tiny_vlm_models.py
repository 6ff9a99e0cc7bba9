#!/usr/bin/env python3
"""Makes the tiny random-weight vision-language fixtures in tests/data/vlm/<family>/.

For four families this builds a small Hugging Face `transformers` model with fixed seeds,
writes its text model and its vision encoder + projector as GGUF the way llama.cpp lays them
out, and records what transformers computes for one image and one chat turn, so that Prism's
vision encoder and decoder can be checked without Python in CI:

  smolvlm   Idefics3ForConditionalGeneration (SigLIP, pixel shuffle, llama text), F16 mmproj
  gemma3    Gemma3ForConditionalGeneration (SigLIP, avg pool, soft-emb RMSNorm, gemma3 text)
  qwen25vl  Qwen2_5_VLForConditionalGeneration (2-D RoPE ViT with window attention, 2x2 merge
            MLP, qwen2vl text with M-RoPE)
  llava     LlavaForConditionalGeneration (CLIP ViT with class embedding, feature layer -2,
            MLP projector, llama text)

Files per family (see tests/data/vlm/README.md, which this script writes): text.gguf,
mmproj.gguf, image.png, pixels.f32 + pixels.json, embeddings.f32, prompt.json, logits.f32.

The text GGUF comes from tools/make_tiny_models.py (tokenizer, tensor layout, keys); the image
marker tokens are control tokens of its vocabulary. The mmproj follows llama.cpp's
convert_hf_to_gguf.py --mmproj (smolvlm, gemma3, qwen25vl) or, for LLaVA-1.5-style CLIP
models, which that script does not convert, tools/mtmd/legacy-models/
convert_image_encoder_to_gguf.py (the source of the llava-1.5 mmproj files people use).

Before writing the fixtures the script checks itself: every GGUF is re-read with the `gguf`
package (names, shapes, types); a float64 numpy forward pass of the vision encoder and the
projector that reads only the mmproj (tensors as stored, hyperparameters from its keys,
llama.cpp's semantics) must reproduce transformers' image features within 1e-4 of their
largest magnitude; a numpy pass of the text model over text.gguf, embeddings.f32 and
prompt.json (M-RoPE planes, non-causal span) must reproduce transformers' logits within 1e-4
of their largest magnitude and its greedy tokens; the prompt's input rows, spliced as
llama.cpp would, must equal the rows transformers builds; and the 8 greedy tokens must each
win by more than 1% of the largest logit (seeds are tried until they do).

Usage (a developer tool; CI never runs Python, the fixtures are committed):
  python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
  build/tools-venv/bin/python tools/make_tiny_vlm_models.py [output-dir]
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import transformers
import gguf
from gguf import GGMLQuantizationType as QT
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_tiny_models as tiny  # noqa: E402  (tokenizers, text GGUF layout, init rules)

N_GREEDY = 8
SEED_TRIES = 64
MIN_RELATIVE_MARGIN = 0.01
EMBD_CHECK_RTOL = 1e-4  # numpy mmproj forward vs transformers, relative to max |value|
SOURCE_IMAGE = Path(__file__).resolve().parent.parent / "tests" / "data" / "sample-images" / \
    "chelsea.png"
SMOLVLM_TEMPLATE = Path(__file__).resolve().parent.parent / "tests" / "data" / "chat" / \
    "templates" / "smolvlm.jinja"
QUESTION = "What is in the image?"
VOCAB_SIZE = 352
OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


# ------------------------------------------------------------------------------------------
# The four families.

@dataclass
class VlmFamily:
    name: str
    text: tiny.Family          # the text model as make_tiny_models describes it
    seed: int
    image_size: tuple[int, int]  # (width, height) of image.png
    mean: list[float]
    std: list[float]
    extra: dict = field(default_factory=dict)


def smolvlm_family() -> VlmFamily:
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<end_of_utterance>",
                "<fake_token_around_image>", "<global-img>", "<image>"] + \
        [f"<row_{r}_col_{c}>" for r in range(1, 7) for c in range(1, 7)]
    vocab = tiny.gpt2_vocab(VOCAB_SIZE, "smollm", specials, bos="<|im_start|>",
                            eos="<end_of_utterance>", pad="<|endoftext|>", add_bos=False)
    text = dict(vocab_size=VOCAB_SIZE, hidden_size=64, intermediate_size=96,
                num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                rms_norm_eps=1e-5, tie_word_embeddings=False, max_position_embeddings=256,
                rope_parameters=dict(rope_type="default", rope_theta=100000.0),
                bos_token_id=vocab.special["bos"], eos_token_id=vocab.special["eos"],
                pad_token_id=vocab.special["padding"])
    # The template SmolVLM's GGUFs carry (ggml-org/SmolVLM-256M-Instruct-GGUF), so that a
    # session renders the fixture's prompt by itself.
    vocab.chat_template = SMOLVLM_TEMPLATE.read_text()
    fam = tiny.Family("smolvlm", "llama", "Idefics3ForConditionalGeneration", 0, text, vocab,
                      rope_neox=False)
    return VlmFamily("smolvlm", fam, 2001, (128, 64), [0.5] * 3, [0.5] * 3, dict(
        vision=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                    num_attention_heads=2, image_size=64, patch_size=8, layer_norm_eps=1e-6,
                    hidden_act="gelu_pytorch_tanh"),
        scale_factor=4, longest_edge=128))


def gemma3_family() -> VlmFamily:
    vocab = tiny.spm_vocab(VOCAB_SIZE, ("<start_of_image>", "<end_of_image>",
                                        "<image_soft_token>"))
    text = dict(vocab_size=VOCAB_SIZE, hidden_size=64, intermediate_size=96,
                num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1, head_dim=16,
                rms_norm_eps=1e-6, tie_word_embeddings=True, query_pre_attn_scalar=16,
                hidden_activation="gelu_pytorch_tanh", max_position_embeddings=256,
                # The window (24) covers the image's 16 rows, as real Gemma 3's 1024 covers its
                # 256, but not the whole prompt, so the sliding layer really slides.
                sliding_window=24, layer_types=["sliding_attention", "full_attention"],
                rope_parameters=dict(
                    sliding_attention=dict(rope_type="default", rope_theta=10000.0),
                    full_attention=dict(rope_type="default", rope_theta=1000000.0)),
                final_logit_softcapping=None, attn_logit_softcapping=None,
                bos_token_id=2, eos_token_id=1, pad_token_id=0)
    fam = tiny.Family("gemma3", "gemma3", "Gemma3ForConditionalGeneration", 0, text, vocab,
                      rope_neox=True, gemma_norms=True, swa_pattern=2, embed_std=0.05,
                      final_norm_gain=12.0)
    return VlmFamily("gemma3", fam, 2002, (64, 64), [0.5] * 3, [0.5] * 3, dict(
        vision=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                    num_attention_heads=2, image_size=64, patch_size=8, layer_norm_eps=1e-6,
                    hidden_act="gelu_pytorch_tanh", vision_use_head=False),
        tokens_per_image=16))


def qwen25vl_family() -> VlmFamily:
    vocab = tiny.gpt2_vocab(VOCAB_SIZE, "qwen2",
                            ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>",
                             "<|vision_end|>", "<|image_pad|>"],
                            bos="<|endoftext|>", eos="<|im_end|>", pad="<|endoftext|>",
                            add_bos=False)
    text = dict(vocab_size=VOCAB_SIZE, hidden_size=64, intermediate_size=96,
                num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                rms_norm_eps=1e-6, tie_word_embeddings=False, max_position_embeddings=256,
                # sections [t, h, w] in frequency pairs; sum = head_dim / 2 = 8
                rope_parameters=dict(rope_type="default", rope_theta=10000.0,
                                     mrope_section=[2, 3, 3]),
                bos_token_id=vocab.special["bos"], eos_token_id=vocab.special["eos"],
                pad_token_id=vocab.special["padding"])
    fam = tiny.Family("qwen25vl", "qwen2vl", "Qwen2_5_VLForConditionalGeneration", 0, text,
                      vocab, rope_neox=True)
    # 224x112 with patch 14: 16x8 patches; windows of 112 px = 8x8 patches split it in two.
    return VlmFamily("qwen25vl", fam, 2003, (224, 112), OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, dict(
        vision=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, patch_size=14,
                    spatial_merge_size=2, temporal_patch_size=2, window_size=112,
                    fullatt_block_indexes=[1], hidden_act="silu", out_hidden_size=64)))


def llava_family() -> VlmFamily:
    vocab = tiny.gpt2_vocab(VOCAB_SIZE, "llama-bpe",
                            ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
                             "<|end_header_id|>", "<|eot_id|>", "<image>"],
                            bos="<|begin_of_text|>", eos="<|end_of_text|>", pad=None,
                            add_bos=True)
    text = dict(vocab_size=VOCAB_SIZE, hidden_size=64, intermediate_size=96,
                num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                rms_norm_eps=1e-5, tie_word_embeddings=False, max_position_embeddings=256,
                rope_parameters=dict(rope_type="default", rope_theta=10000.0),
                bos_token_id=vocab.special["bos"], eos_token_id=vocab.special["eos"])
    fam = tiny.Family("llava", "llama", "LlavaForConditionalGeneration", 0, text, vocab,
                      rope_neox=False)
    return VlmFamily("llava", fam, 2004, (32, 32), OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, dict(
        vision=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=3,
                    num_attention_heads=2, image_size=32, patch_size=8, layer_norm_eps=1e-5,
                    hidden_act="quick_gelu"),
        feature_layer=-2))


def families() -> list[VlmFamily]:
    return [smolvlm_family(), gemma3_family(), qwen25vl_family(), llava_family()]


# ------------------------------------------------------------------------------------------
# transformers models

def hf_config(vf: VlmFamily):
    t, v, vocab = vf.text.config, vf.extra["vision"], vf.text.vocab
    if vf.name == "smolvlm":
        cfg = transformers.Idefics3Config(
            vision_config=v, text_config=dict(t, model_type="llama"),
            scale_factor=vf.extra["scale_factor"], image_token_id=vocab.id_of("<image>"),
            tie_word_embeddings=False, pad_token_id=t["pad_token_id"])
    elif vf.name == "gemma3":
        cfg = transformers.Gemma3Config(
            vision_config=v, text_config=t, mm_tokens_per_image=vf.extra["tokens_per_image"],
            boi_token_index=vocab.id_of("<start_of_image>"),
            eoi_token_index=vocab.id_of("<end_of_image>"),
            image_token_index=vocab.id_of("<image_soft_token>"), tie_word_embeddings=True)
    elif vf.name == "qwen25vl":
        cfg = transformers.Qwen2_5_VLConfig(
            vision_config=v, text_config=t, tie_word_embeddings=False,
            image_token_id=vocab.id_of("<|image_pad|>"),
            vision_start_token_id=vocab.id_of("<|vision_start|>"),
            vision_end_token_id=vocab.id_of("<|vision_end|>"), video_token_id=0)
    else:
        cfg = transformers.LlavaConfig(
            vision_config=dict(v, model_type="clip_vision_model"),
            text_config=dict(t, model_type="llama"),
            image_token_index=vocab.id_of("<image>"),
            vision_feature_layer=vf.extra["feature_layer"],
            vision_feature_select_strategy="default",
            image_seq_length=(v["image_size"] // v["patch_size"]) ** 2,
            # llama.cpp's mlp projector uses ggml_gelu (tanh form); HF's llava default is
            # erf GELU. The tiny model uses the tanh form so both compute the same function.
            projector_hidden_act="gelu_pytorch_tanh", tie_word_embeddings=False)
    cfg._attn_implementation = "eager"
    for sub in ("vision_config", "text_config"):
        getattr(cfg, sub)._attn_implementation = "eager"
    return cfg


def text_prefix(vf: VlmFamily) -> str:
    """Where transformers keeps the language model's parameters."""
    return "model.text_model." if vf.name == "smolvlm" else "model.language_model."


def language_model(vf: VlmFamily, model) -> torch.nn.Module:
    return model.model.text_model if vf.name == "smolvlm" else model.model.language_model


def vision_init(name: str, p: torch.Tensor, gen: torch.Generator) -> bool:
    """Init rules for everything outside the language model (claims those parameters)."""
    if name.startswith(("model.language_model.", "model.text_model.", "lm_head.")):
        return False
    if "soft_emb_norm" in name:  # Gemma RMSNorm: (1 + w), store effective - 1
        p.copy_(torch.rand(p.shape, generator=gen) - 0.5)
    elif name.endswith("norm.weight") or any(k in name for k in (
            "layer_norm1.weight", "layer_norm2.weight", "norm1.weight", "norm2.weight",
            "ln_q.weight", "layrnorm.weight")):
        p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
    elif name.endswith(".bias"):
        p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    elif "class_embedding" in name:
        p.copy_(torch.randn(p.shape, generator=gen))
    elif "position_embedding" in name:
        p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    elif p.dim() >= 2:  # linears, convolutions, Gemma's projection matrix [in, out]
        fan_in = p.shape[0] if "mm_input_projection" in name else int(np.prod(p.shape[1:]))
        p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(fan_in))
    else:
        raise ValueError(f"no init rule for {name}")
    return True


def build_model(vf: VlmFamily, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = getattr(transformers, vf.text.hf_class)(hf_config(vf)).eval()
    if vf.name == "qwen25vl":
        # llama.cpp's merger uses ggml_gelu (tanh form); HF's Qwen2.5-VL merger hard-codes
        # erf GELU. The reference uses the tanh form so both compute the same function.
        model.model.visual.merger.mlp[1] = torch.nn.GELU(approximate="tanh")
    tiny.init_parameters(model, vf.text, seed, prefix=text_prefix(vf), other=vision_init)
    return model


class TextView:
    """The language model of a VLM as make_tiny_models' GGUF writer expects a causal LM:
    `config` is the text config, state_dict() names are `model.layers...` / `lm_head`."""

    def __init__(self, vf: VlmFamily, model: torch.nn.Module):
        self.config = model.config.text_config
        prefix = text_prefix(vf)
        self._state = {}
        for name, t in model.state_dict().items():
            if name.startswith(prefix):
                self._state["model." + name[len(prefix):]] = t
            elif name == "lm_head.weight":
                self._state[name] = t

    def state_dict(self):
        return self._state


# ------------------------------------------------------------------------------------------
# Image, pixels, and transformers' view of them

def make_image(vf: VlmFamily) -> Image.Image:
    """A centre crop of the source photo with the target aspect, resized (Lanczos) to the
    exact input size, so neither llama.cpp nor transformers resizes it again."""
    src = Image.open(SOURCE_IMAGE).convert("RGB")
    w, h = vf.image_size
    sw, sh = src.size
    if sw * h > sh * w:
        cw, ch = sh * w // h, sh
    else:
        cw, ch = sw, sw * h // w
    left, top = (sw - cw) // 2, (sh - ch) // 2
    return src.crop((left, top, left + cw, top + ch)).resize((w, h), Image.LANCZOS)


def normalize(rgb: np.ndarray, mean, std) -> np.ndarray:
    """u8 [H, W, 3] -> planar float32 [3, H, W], (u8 / 255 - mean) / std as llama.cpp does."""
    x = rgb.astype(np.float32) / np.float32(255.0)
    x = (x - np.array(mean, np.float32)) / np.array(std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


@dataclass
class HfInputs:
    pixels: np.ndarray           # [n_images, 3, H, W], what the vision tower receives
    kwargs: dict                 # pixel arguments for the HF model
    pixel_note: str              # how pixels.f32 relates to llama.cpp's preprocessing
    tile_rows: int = 0
    tile_cols: int = 0


def hf_inputs(vf: VlmFamily, image: Image.Image) -> HfInputs:
    rgb = np.asarray(image)
    v = vf.extra["vision"]
    if vf.name == "smolvlm":
        proc = transformers.Idefics3ImageProcessor(
            do_resize=True, size={"longest_edge": vf.extra["longest_edge"]},
            max_image_size={"longest_edge": v["image_size"]}, do_image_splitting=True,
            image_mean=vf.mean, image_std=vf.std, do_pad=True)
        out = proc(images=[[image]], return_tensors="pt", return_row_col_info=True)
        pix = out["pixel_values"][0].numpy()
        rows, cols = int(out["rows"][0][0]), int(out["cols"][0][0])
        # The tiles are exact crops (the image is already at the refined size); they must
        # equal llama.cpp's normalization of the same crops.
        t = v["image_size"]
        for r in range(rows):
            for c in range(cols):
                mine = normalize(rgb[r * t:(r + 1) * t, c * t:(c + 1) * t], vf.mean, vf.std)
                d = np.abs(mine - pix[r * cols + c]).max()
                assert d < 1e-5, f"smolvlm tile {r},{c} differs from HF by {d}"
        return HfInputs(pix, dict(pixel_values=out["pixel_values"],
                                  pixel_attention_mask=out["pixel_attention_mask"]),
                        "tiles: exact crops, identical to llama.cpp; global image: HF's "
                        "Lanczos downscale (llama.cpp's bilinear differs)", rows, cols)
    if vf.name == "gemma3":
        proc = transformers.Gemma3ImageProcessor(
            size={"height": v["image_size"], "width": v["image_size"]},
            image_mean=vf.mean, image_std=vf.std)
        pix = proc(images=image, return_tensors="pt")["pixel_values"]
        mine = normalize(rgb, vf.mean, vf.std)
        assert np.abs(mine - pix[0].numpy()).max() < 1e-5, "gemma3 pixels differ"
        return HfInputs(pix.numpy(), dict(pixel_values=pix),
                        "image already 64x64: resize is the identity in both")
    if vf.name == "qwen25vl":
        proc = transformers.Qwen2VLImageProcessor(
            image_mean=vf.mean, image_std=vf.std, patch_size=v["patch_size"],
            merge_size=v["spatial_merge_size"], temporal_patch_size=v["temporal_patch_size"],
            min_pixels=8 * 28 * 28, max_pixels=4096 * 28 * 28)
        out = proc(images=image, return_tensors="pt")
        mine = normalize(rgb, vf.mean, vf.std)
        flat = out["pixel_values"].numpy()
        assert np.abs(qwen_flatten_patches(mine, v) - flat).max() < 1e-5, "qwen pixels differ"
        planar = qwen_unflatten_patches(flat, v, image.height, image.width)
        assert np.array_equal(qwen_flatten_patches(planar, v), flat)
        return HfInputs(planar[None], dict(pixel_values=out["pixel_values"],
                                           image_grid_thw=out["image_grid_thw"]),
                        "224x112 are multiples of 28 within the pixel bounds: no resize")
    proc = transformers.CLIPImageProcessor(
        size={"shortest_edge": v["image_size"]},
        crop_size={"height": v["image_size"], "width": v["image_size"]},
        image_mean=vf.mean, image_std=vf.std)
    pix = proc(images=image, return_tensors="pt")["pixel_values"]
    mine = normalize(rgb, vf.mean, vf.std)
    assert np.abs(mine - pix[0].numpy()).max() < 1e-5, "llava pixels differ"
    return HfInputs(pix.numpy(), dict(pixel_values=pix),
                    "square 32x32 image: no letterbox, resize and crop are the identity")


def qwen_flatten_patches(planar: np.ndarray, v: dict) -> np.ndarray:
    """HF's Qwen2-VL patch rows for one still image: merge cells row-major, the 2x2 patches of
    a cell in order, each patch (channel, temporal copy, py, px) flattened."""
    p, m, tp = v["patch_size"], v["spatial_merge_size"], v["temporal_patch_size"]
    c, h, w = planar.shape
    gh, gw = h // p, w // p
    x = np.repeat(planar[None], tp, axis=0)  # [tp, c, h, w]
    x = x.reshape(tp, c, gh // m, m, p, gw // m, m, p)
    x = x.transpose(2, 5, 3, 6, 1, 0, 4, 7)  # cell_y, cell_x, dy, dx, c, t, py, px
    return x.reshape(gh * gw, c * tp * p * p)


def qwen_unflatten_patches(flat: np.ndarray, v: dict, h: int, w: int) -> np.ndarray:
    """The planar image [3, h, w] behind HF's Qwen2-VL patch rows (first temporal copy)."""
    p, m, tp = v["patch_size"], v["spatial_merge_size"], v["temporal_patch_size"]
    gh, gw = h // p, w // p
    x = flat.reshape(gh // m, gw // m, m, m, 3, tp, p, p)[:, :, :, :, :, 0]
    x = x.transpose(4, 0, 2, 5, 1, 3, 6)  # c, cell_y, dy, py, cell_x, dx, px
    return np.ascontiguousarray(x.reshape(3, h, w))


def hf_image_features(vf: VlmFamily, model, inputs: HfInputs) -> np.ndarray:
    """transformers' projector output, [n_images * tokens, n_embd_text] in llama.cpp's order."""
    with torch.no_grad():
        if vf.name == "llava":
            out = model.model.get_image_features(
                inputs.kwargs["pixel_values"], vision_feature_layer=vf.extra["feature_layer"],
                vision_feature_select_strategy="default")
        else:
            out = model.model.get_image_features(**inputs.kwargs)
    feats = out.pooler_output if hasattr(out, "pooler_output") else out
    if isinstance(feats, (list, tuple)):
        feats = torch.cat([f.reshape(-1, f.shape[-1]) for f in feats])
    return feats.reshape(-1, feats.shape[-1]).float().numpy()


# ------------------------------------------------------------------------------------------
# The prompt in llama.cpp's (mtmd's) layout: one user turn, the image then the question.

@dataclass
class Prompt:
    tokens: list[int]            # -1 = next image embedding row
    hf_ids: list[int]            # the same with the model's image token id in those rows
    positions: list | None       # M-RoPE planes [t, h, w, e]; None = 0..n-1
    non_causal_spans: list[list[int]]
    # 1 on image rows: gemma3's token_type_ids (bidirectional image attention), Qwen's
    # mm_token_type_ids (which rows get M-RoPE image positions)
    type_ids: list[int] | None = None
    type_ids_arg: str = ""


def build_prompt(vf: VlmFamily, inputs: HfInputs, tokens_per_image: int, grid=None) -> Prompt:
    v = vf.text.vocab
    img = -1
    seq: list[int] = []

    def s(name: str):
        seq.append(v.id_of(name))

    def txt(text: str):
        seq.extend(v.encode(text))

    spans: list[list[int]] = []
    if vf.name == "smolvlm":
        s("<|im_start|>")
        txt("User:")
        for r in range(inputs.tile_rows):
            for c in range(inputs.tile_cols):
                s("<fake_token_around_image>")
                s(f"<row_{r + 1}_col_{c + 1}>")
                seq.extend([img] * tokens_per_image)
            if r < inputs.tile_rows - 1:
                txt("\n")
        txt("\n\n")
        s("<fake_token_around_image>")
        s("<global-img>")
        seq.extend([img] * tokens_per_image)
        s("<fake_token_around_image>")
        txt(QUESTION)
        s("<end_of_utterance>")
        txt("\nAssistant:")
        image_id = v.id_of("<image>")
    elif vf.name == "gemma3":
        s("<bos>")
        s("<start_of_turn>")
        txt("user\n")
        s("<start_of_image>")
        spans.append([len(seq), len(seq) + tokens_per_image])
        seq.extend([img] * tokens_per_image)
        s("<end_of_image>")
        txt(QUESTION)
        s("<end_of_turn>")
        txt("\n")
        s("<start_of_turn>")
        txt("model\n")
        image_id = v.id_of("<image_soft_token>")
    elif vf.name == "qwen25vl":
        s("<|im_start|>")
        txt("system\nYou are a helpful assistant.")
        s("<|im_end|>")
        txt("\n")
        s("<|im_start|>")
        txt("user\n")
        s("<|vision_start|>")
        seq.extend([img] * tokens_per_image)
        s("<|vision_end|>")
        txt(QUESTION)
        s("<|im_end|>")
        txt("\n")
        s("<|im_start|>")
        txt("assistant\n")
        image_id = v.id_of("<|image_pad|>")
    else:
        s("<|begin_of_text|>")
        txt("USER: ")
        seq.extend([img] * tokens_per_image)
        txt("\n" + QUESTION + " ASSISTANT:")
        image_id = v.id_of("<image>")

    hf_ids = [image_id if t < 0 else t for t in seq]
    positions = None
    if vf.name == "qwen25vl":
        # mtmd: text rows use one position in all planes; image row i of an nx x ny merged
        # grid gets (t, h, w, e) = (p, p + i / nx, p + i % nx, 0); after it p += max(nx, ny).
        nx, ny = grid
        planes = [[], [], [], []]
        p = 0
        i = 0
        while i < len(seq):
            if seq[i] >= 0:
                for pl in planes:
                    pl.append(p)
                p += 1
                i += 1
                continue
            for k in range(nx * ny):
                planes[0].append(p)
                planes[1].append(p + k // nx)
                planes[2].append(p + k % nx)
                planes[3].append(0)
            i += nx * ny
            p += max(nx, ny)
        positions = planes
    arg = {"gemma3": "token_type_ids", "qwen25vl": "mm_token_type_ids"}.get(vf.name, "")
    tt = [1 if t < 0 else 0 for t in seq] if arg else None
    return Prompt(seq, hf_ids, positions, spans, tt, arg)


def extend_positions(prompt: Prompt, n_extra: int):
    """prompt.json's positions followed by n_extra generated text rows."""
    if prompt.positions is None:
        return list(range(len(prompt.tokens) + n_extra))
    nxt = prompt.positions[0][-1] + 1  # the prompt ends with a text row
    return [plane + [nxt + i for i in range(n_extra)] for plane in prompt.positions]


def hf_forward(vf: VlmFamily, model, inputs: HfInputs, prompt: Prompt, extra: list[int],
               capture: dict | None = None) -> np.ndarray:
    """Logits [rows, vocab] of transformers for the prompt followed by `extra` tokens, through
    the model's own vision path. `capture` receives the language model's input rows."""
    ids = torch.tensor([prompt.hf_ids + extra])
    kwargs = dict(inputs.kwargs)
    if prompt.type_ids is not None:
        kwargs[prompt.type_ids_arg] = torch.tensor([prompt.type_ids + [0] * len(extra)])
    handle = None
    if capture is not None:
        def hook(_module, args, kw):
            capture["inputs_embeds"] = kw["inputs_embeds"][0].detach().float().numpy()
            capture["position_ids"] = kw.get("position_ids")
        handle = language_model(vf, model).register_forward_pre_hook(hook, with_kwargs=True)
    try:
        with torch.no_grad():
            out = model(input_ids=ids, use_cache=False, **kwargs)
    finally:
        if handle is not None:
            handle.remove()
    return out.logits[0].float().numpy()


def hf_greedy(vf, model, inputs, prompt) -> tuple[np.ndarray, list[int], float]:
    """(logits of the last prompt row, 8 greedy tokens, smallest top-1/top-2 gap relative to
    the largest |logit| over those 8 steps), by full recomputation at each step."""
    generated: list[int] = []
    margins = []
    last = None
    for _ in range(N_GREEDY):
        row = hf_forward(vf, model, inputs, prompt, generated)[-1]
        if last is None:
            last = row
        top = np.sort(row)
        margins.append((top[-1] - top[-2]) / np.abs(row).max())
        generated.append(int(np.argmax(row)))
        if generated[-1] in prompt.hf_ids and generated[-1] not in prompt.tokens:
            return last, generated, -1.0  # the image placeholder: unusable as a next input
    return last, generated, float(min(margins))


# ------------------------------------------------------------------------------------------
# The mmproj GGUF, as llama.cpp's converters lay out each family.

@dataclass
class MmTensor:
    name: str          # GGUF name
    hf_name: str       # the transformers parameter it comes from
    data: np.ndarray   # numpy/PyTorch order (the writer reverses it into ggml's ne)
    qtype: QT


SIGLIP_BLOCK = {"layer_norm1": "ln1", "layer_norm2": "ln2", "self_attn.q_proj": "attn_q",
                "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
                "self_attn.out_proj": "attn_out", "mlp.fc1": "ffn_up", "mlp.fc2": "ffn_down"}
QWEN_BLOCK = {"norm1": "ln1", "norm2": "ln2", "attn.proj": "attn_out", "mlp.gate_proj": "ffn_gate",
              "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
# The legacy CLIP converter's string replacements name fc1 "ffn_down" and fc2 "ffn_up";
# clip.cpp notices (ffn_down's ne[0] == n_embd) and swaps them back.
LEGACY_CLIP_BLOCK = {"layer_norm1": "ln1", "layer_norm2": "ln2", "self_attn.q_proj": "attn_q",
                     "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
                     "self_attn.out_proj": "attn_out", "mlp.fc1": "ffn_down",
                     "mlp.fc2": "ffn_up"}


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().float().numpy().copy()


def _block_name(rest: str, table: dict) -> str | None:
    """'encoder.layers.N.<part>.<weight|bias>' or 'blocks.N...' -> 'v.blk.N.<gguf>.<kind>'."""
    parts = rest.split(".")
    il, part, kind = parts[0], ".".join(parts[1:-1]), parts[-1]
    return f"v.blk.{il}.{table[part]}.{kind}" if part in table else None


def mmproj_plan(vf: VlmFamily, model) -> list[MmTensor]:
    state = model.state_dict()
    out: list[MmTensor] = []

    def default_type(gguf_name: str, hf_name: str, data: np.ndarray, f16: bool) -> QT:
        # ModelBase.prepare_tensors: 1-D and *_norm tensors F32, non-".weight" F32, the rest
        # the file type; SmolVLM/Gemma3 force ".embeddings." F32; Gemma3 forces
        # input_projection F16; patch_embd follows the file type.
        if "input_projection" in hf_name:
            return QT.F16
        if ".embeddings." in hf_name and vf.name in ("smolvlm", "gemma3"):
            return QT.F32
        if data.ndim <= 1 or gguf_name.endswith("_norm.weight"):
            return QT.F32
        if not (gguf_name.endswith(".weight") or gguf_name.endswith(".weight.1")):
            return QT.F32
        return QT.F16 if f16 else QT.F32

    if vf.name in ("smolvlm", "gemma3"):
        f16 = vf.name == "smolvlm"
        vis = "model.vision_model." if vf.name == "smolvlm" else "model.vision_tower."
        for hf_name in sorted(state):
            data = _np(state[hf_name])
            name = None
            if hf_name.startswith(vis):
                rest = hf_name[len(vis):]
                if rest.startswith("encoder.layers."):
                    name = _block_name(rest[len("encoder.layers."):], SIGLIP_BLOCK)
                else:
                    name = {"embeddings.patch_embedding.weight": "v.patch_embd.weight",
                            "embeddings.patch_embedding.bias": "v.patch_embd.bias",
                            "embeddings.position_embedding.weight": "v.position_embd.weight",
                            "post_layernorm.weight": "v.post_ln.weight",
                            "post_layernorm.bias": "v.post_ln.bias"}.get(rest)
            elif hf_name == "model.connector.modality_projection.proj.weight":
                name = "mm.model.fc.weight"
            elif hf_name == "model.multi_modal_projector.mm_input_projection_weight":
                name = "mm.input_projection.weight"  # HF [vision, text], stored untransposed
            elif hf_name == "model.multi_modal_projector.mm_soft_emb_norm.weight":
                name = "mm.soft_emb_norm.weight"
                data = data + np.float32(1.0)  # Gemma3RMSNorm's (1 + w), folded in
            elif hf_name.startswith((text_prefix(vf), "lm_head.")):
                continue
            if name is None:
                raise ValueError(f"{vf.name}: no mmproj name for {hf_name}")
            out.append(MmTensor(name, hf_name, data,
                                default_type(name, hf_name, data, f16)))
        return out

    if vf.name == "qwen25vl":
        # Sorted by the checkpoint's own names ("visual.*").
        for hf_name in sorted(n for n in state if n.startswith("model.visual.")):
            rest = hf_name[len("model.visual."):]
            data = _np(state[hf_name])
            if rest == "patch_embed.proj.weight":  # Conv3d [C, 3, 2, p, p] -> two Conv2d
                for name, part in (("v.patch_embd.weight", data[:, :, 0]),
                                   ("v.patch_embd.weight.1", data[:, :, 1])):
                    part = np.ascontiguousarray(part)
                    out.append(MmTensor(name, hf_name, part, QT.F32))
                continue
            if rest.startswith("blocks.") and ".attn.qkv." in rest:
                il, kind = rest.split(".")[1], rest.split(".")[-1]
                c = data.shape[0] // 3
                for j, n in enumerate(("attn_q", "attn_k", "attn_v")):
                    out.append(MmTensor(f"v.blk.{il}.{n}.{kind}", hf_name,
                                        np.ascontiguousarray(data[j * c:(j + 1) * c]), QT.F32))
                continue
            if rest.startswith("blocks."):
                name = _block_name(rest[len("blocks."):], QWEN_BLOCK)
            else:
                name = {"merger.ln_q.weight": "v.post_ln.weight",
                        "merger.mlp.0.weight": "mm.0.weight", "merger.mlp.0.bias": "mm.0.bias",
                        "merger.mlp.2.weight": "mm.2.weight",
                        "merger.mlp.2.bias": "mm.2.bias"}.get(rest)
            if name is None:
                raise ValueError(f"qwen25vl: no mmproj name for {hf_name}")
            out.append(MmTensor(name, hf_name, data, default_type(name, hf_name, data, False)))
        return out

    # llava, legacy converter with --use-f32: projector first (2-D matrices always F16),
    # then the CLIP tower in its state_dict order without post_layernorm and without the
    # blocks past the feature layer; the patch convolution always F16.
    n_keep = feature_block_count(vf)
    for lin, idx in (("linear_1", 0), ("linear_2", 2)):
        for kind in ("weight", "bias"):
            hf_name = f"model.multi_modal_projector.{lin}.{kind}"
            data = _np(state[hf_name])
            out.append(MmTensor(f"mm.{idx}.{kind}", hf_name, data,
                                QT.F16 if data.ndim == 2 else QT.F32))
    tower = "model.vision_tower."
    for hf_name in (n for n in state if n.startswith(tower)):
        rest = hf_name[len(tower):]
        data = _np(state[hf_name])
        if rest.startswith("post_layernorm."):
            continue
        if rest.startswith("encoder.layers."):
            if int(rest.split(".")[2]) >= n_keep:
                continue
            name = _block_name(rest[len("encoder.layers."):], LEGACY_CLIP_BLOCK)
        else:
            name = {"embeddings.class_embedding": "v.class_embd",
                    "embeddings.patch_embedding.weight": "v.patch_embd.weight",
                    "embeddings.position_embedding.weight": "v.position_embd.weight",
                    "pre_layrnorm.weight": "v.pre_ln.weight",
                    "pre_layrnorm.bias": "v.pre_ln.bias"}.get(rest)
        if name is None:
            raise ValueError(f"llava: no mmproj name for {hf_name}")
        out.append(MmTensor(name, hf_name, data, QT.F16 if data.ndim == 4 else QT.F32))
    return out


def feature_block_count(vf: VlmFamily) -> int:
    """The legacy converter's non-negative feature layer (hidden-state index) = blocks kept."""
    n = vf.extra["vision"]["num_hidden_layers"]
    fl = vf.extra["feature_layer"]
    return fl if fl >= 0 else n + fl + 1


def round_f16_params(model, plan: list[MmTensor]) -> None:
    """Rounds the transformers parameters stored as F16 to F16 values, so the float32
    reference computes exactly what the file holds."""
    params = dict(model.named_parameters())
    with torch.no_grad():
        for t in plan:
            if t.qtype == QT.F16:
                p = params[t.hf_name]
                p.copy_(p.half().float())


def write_mmproj(path: Path, vf: VlmFamily, model, plan: list[MmTensor],
                 name: str | None = None, projector: str | None = None,
                 extra=None) -> None:
    """`name` (general.name) defaults to tiny-<family>; `projector` replaces the family's
    clip.projector_type (qwen25vl only); `extra(writer)` adds keys and returns more
    (name, array) tensors, written after the plan's (a second tower)."""
    cfg = model.config
    v = vf.extra["vision"]
    n_embd_text = cfg.text_config.hidden_size
    w = gguf.GGUFWriter(str(path), "clip")
    if vf.name == "llava":  # convert_image_encoder_to_gguf.py
        w.add_bool("clip.has_text_encoder", False)
        w.add_bool("clip.has_vision_encoder", True)
        w.add_bool("clip.has_llava_projector", True)
        w.add_file_type(0)
        w.add_name(name if name is not None else "tiny-llava")
        w.add_description("image encoder for LLaVA")
        w.add_string("clip.projector_type", "mlp")
        vc = cfg.vision_config
        w.add_uint32("clip.vision.image_size", vc.image_size)
        w.add_uint32("clip.vision.patch_size", vc.patch_size)
        w.add_uint32("clip.vision.embedding_length", vc.hidden_size)
        w.add_uint32("clip.vision.feed_forward_length", vc.intermediate_size)
        w.add_uint32("clip.vision.projection_dim", vc.projection_dim)
        w.add_uint32("clip.vision.attention.head_count", vc.num_attention_heads)
        w.add_float32("clip.vision.attention.layer_norm_epsilon", vc.layer_norm_eps)
        w.add_uint32("clip.vision.block_count", feature_block_count(vf))
        w.add_array("clip.vision.feature_layer", [feature_block_count(vf)])
        w.add_array("clip.vision.image_mean", vf.mean)
        w.add_array("clip.vision.image_std", vf.std)
        w.add_bool("clip.use_gelu", vc.hidden_act == "gelu")
    else:  # convert_hf_to_gguf.py --mmproj: MmprojModel + the family's class
        w.add_type(gguf.GGUFType.MMPROJ)
        w.add_name(name if name is not None else f"tiny-{vf.name}")
        w.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if vf.name == "smolvlm"
                        else gguf.LlamaFileType.ALL_F32)
        w.add_clip_has_vision_encoder(True)
        w.add_vision_projection_dim(n_embd_text)
        w.add_vision_image_size(v.get("image_size", 560))  # Qwen2VLVisionModel's default
        w.add_vision_patch_size(v["patch_size"])
        w.add_vision_embedding_length(v["hidden_size"])
        w.add_vision_feed_forward_length(v["intermediate_size"])
        w.add_vision_block_count(v.get("num_hidden_layers", v.get("depth")))
        w.add_vision_head_count(v.get("num_attention_heads", v.get("num_heads")))
        w.add_vision_image_mean(vf.mean)
        w.add_vision_image_std(vf.std)
        if vf.name == "smolvlm":
            w.add_clip_projector_type(gguf.VisionProjectorType.IDEFICS3)
            w.add_vision_attention_layernorm_eps(v["layer_norm_eps"])
            w.add_vision_projector_scale_factor(vf.extra["scale_factor"])
            w.add_vision_use_gelu(True)
            w.add_vision_preproc_image_size(vf.extra["longest_edge"])
        elif vf.name == "gemma3":
            w.add_clip_projector_type(gguf.VisionProjectorType.GEMMA3)
            w.add_vision_attention_layernorm_eps(v["layer_norm_eps"])
            w.add_vision_use_gelu(True)
            per_side = int(math.isqrt(vf.extra["tokens_per_image"]))
            factor = (v["image_size"] // v["patch_size"]) // per_side
            if factor != 4:  # written only when not llama.cpp's default
                w.add_vision_projector_scale_factor(factor)
        else:
            w.add_clip_projector_type(projector or gguf.VisionProjectorType.QWEN25VL)
            w.add_vision_use_silu(True)
            full = v["fullatt_block_indexes"]
            n_wa = full[0] + 1
            assert all(b - a == n_wa for a, b in zip(full, full[1:]))
            w.add_vision_n_wa_pattern(n_wa)
            w.add_vision_attention_layernorm_eps(cfg.text_config.rms_norm_eps)
    more = extra(w) if extra is not None else []
    for t in plan:
        w.add_tensor(t.name, t.data.astype(np.float16 if t.qtype == QT.F16 else np.float32))
    for tensor_name, data in more:
        w.add_tensor(tensor_name, data)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def check_mmproj_layout(path: Path, plan: list[MmTensor]) -> tiny.GgufModel:
    m = tiny.GgufModel(path)
    assert [t.name for t in m.reader.tensors] == [t.name for t in plan], path
    for t in plan:
        rt = m.tensors[t.name]
        assert tuple(int(n) for n in rt.shape) == tuple(reversed(t.data.shape)), t.name
        assert rt.tensor_type == t.qtype, (t.name, rt.tensor_type)
        want = t.data.astype(np.float16 if t.qtype == QT.F16 else np.float32)
        assert np.array_equal(m.weight(t.name), want.astype(np.float64)), t.name
    assert m.kv("general.architecture") == "clip"
    return m


# ------------------------------------------------------------------------------------------
# Independent check: numpy forward of the vision encoder + projector over the mmproj as
# stored, with llama.cpp's (clip.cpp's) semantics and the mmproj's own keys.

def layer_norm(x, w, b, eps):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps) * w
    return y if b is None else y + b


def quick_gelu(x):
    return x / (1 + np.exp(-1.702 * x))


def attention(q, k, v, n_head, allowed=None):
    """Non-causal multi-head attention; q/k/v [T, n_head * d]; allowed [T, T] bool or None."""
    T, C = q.shape
    d = C // n_head
    q, k, v = (a.reshape(T, n_head, d) for a in (q, k, v))
    out = np.empty((T, n_head, d))
    for h in range(n_head):
        s = q[:, h] @ k[:, h].T / math.sqrt(d)
        if allowed is not None:
            s = np.where(allowed, s, -np.inf)
        p = np.exp(s - s.max(axis=-1, keepdims=True))
        out[:, h] = (p / p.sum(axis=-1, keepdims=True)) @ v[:, h]
    return out.reshape(T, C)


def vision_rope(x, n_head, ys, xs):
    """Qwen2-VL 2-D RoPE (ggml rope_multi mode VISION, sections [d/4]*4): pair (k, k + d/2);
    k < d/4 turns by the row, the rest by the column, each section's exponent from 0."""
    T, C = x.shape
    d = C // n_head
    x = x.reshape(T, n_head, d)
    q = d // 4
    j = np.arange(q, dtype=np.float64)
    theta = 10000.0 ** (-2.0 * j / (d // 2))
    ang = np.concatenate([ys[:, None] * theta[None], xs[:, None] * theta[None]], axis=1)
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    a, b = x[..., : d // 2], x[..., d // 2:]
    out = np.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1)
    return out.reshape(T, C)


def numpy_vision(m: tiny.GgufModel, planar: np.ndarray, broken: str = "") -> np.ndarray:
    """Projector output [tokens, n_embd_text] for one planar image [3, H, W]. `broken` names
    one layout rule to get wrong (see BROKEN_RULES), only to show that the check notices."""
    ptype = m.kv("clip.projector_type")
    n_embd = m.hp("vision.embedding_length")
    n_head = m.hp("vision.attention.head_count")
    eps = m.hp("vision.attention.layer_norm_epsilon")
    p = m.hp("vision.patch_size")
    n_layer = m.hp("vision.block_count")
    use_gelu = m.kv("clip.use_gelu", False) is True
    use_silu = m.kv("clip.use_silu", False) is True
    act = tiny.gelu_tanh if use_gelu else tiny.silu if use_silu else quick_gelu
    rms = ptype in ("qwen2.5vl_merger",)
    W, B = (lambda n: m.weight(n + ".weight")), (lambda n: m.weight(n + ".bias"))

    def norm(x, n):
        if rms:
            return tiny.rms_norm(x, W(n), eps)
        return layer_norm(x, W(n), B(n), eps)

    def lin(x, n):
        b = B(n)
        y = tiny.linear(x, W(n))
        return y if b is None else y + b

    c, h, w = planar.shape
    gh, gw = h // p, w // p
    patches = planar.astype(np.float64).reshape(c, gh, p, gw, p).transpose(1, 3, 0, 2, 4)
    patches = patches.reshape(gh * gw, c * p * p)  # row-major patches, x fastest
    kernel = W("v.patch_embd").reshape(n_embd, -1)
    if m.weight("v.patch_embd.weight.1") is not None and broken != "weight.1":
        # a still image: both temporal slices of the Conv3d see the same frame
        kernel = kernel + m.weight("v.patch_embd.weight.1").reshape(n_embd, -1)
    x = patches @ kernel.T
    if B("v.patch_embd") is not None:
        x = x + B("v.patch_embd")
    if m.weight("v.class_embd") is not None:
        x = np.concatenate([m.weight("v.class_embd")[None], x])
    if m.weight("v.position_embd.weight") is not None:
        x = x + m.weight("v.position_embd.weight")[: len(x)]
    if m.weight("v.pre_ln.weight") is not None and broken != "pre_ln":
        x = norm(x, "v.pre_ln")

    ys = np.repeat(np.arange(gh), gw).astype(np.float64)
    xs = np.tile(np.arange(gw), gh).astype(np.float64)
    window_allowed = None
    n_wa = m.hp("vision.n_wa_pattern", 0) if ptype == "qwen2.5vl_merger" else 0
    if n_wa:
        # Windows of window_size pixels (llama.cpp's default 112 when the key is absent).
        win = m.hp("vision.window_size", 112) // p
        wid = (ys // win) * 1000 + (xs // win)
        window_allowed = wid[:, None] == wid[None, :]
    feature_layers = m.kv("clip.vision.feature_layer", [])
    n_run = max(feature_layers) if len(feature_layers) else n_layer
    if broken == "feature_layer":
        n_run -= 1
    for il in range(n_run):
        blk = f"v.blk.{il}"
        hcur = norm(x, f"{blk}.ln1")
        q, k, v = (lin(hcur, f"{blk}.attn_{n}") for n in "qkv")
        if ptype == "qwen2.5vl_merger" and broken != "rope":
            q, k = vision_rope(q, n_head, ys, xs), vision_rope(k, n_head, ys, xs)
        windowed = n_wa and (il + 1) % n_wa != 0 and broken != "window"
        a = attention(q, k, v, n_head, window_allowed if windowed else None)
        x = x + lin(a, f"{blk}.attn_out")
        hcur = norm(x, f"{blk}.ln2")
        up, down = f"{blk}.ffn_up", f"{blk}.ffn_down"
        if W(down).shape[1] == n_embd:  # clip.cpp: names swapped by the legacy converter
            up, down = down, up
        if W(f"{blk}.ffn_gate") is not None:
            f = act(lin(hcur, f"{blk}.ffn_gate")) * lin(hcur, up)
        else:
            f = act(lin(hcur, up))
        x = x + lin(f, down)
    if m.weight("v.post_ln.weight") is not None and ptype != "qwen2.5vl_merger":
        x = norm(x, "v.post_ln")

    if ptype == "idefics3":
        s = m.hp("vision.projector.scale_factor")
        g = x.reshape(gh, gw, n_embd)
        # output token (I, J) = concat over dy (outer), dx (inner) of patch (I*s+dy, J*s+dx)
        g = g.reshape(gh // s, s, gw // s, s, n_embd).transpose(0, 2, 1, 3, 4)
        if broken == "shuffle_order":
            g = g.transpose(0, 1, 3, 2, 4)
        x = g.reshape((gh // s) * (gw // s), s * s * n_embd)
        return tiny.linear(x, W("mm.model.fc"))
    if ptype == "gemma3":
        k = m.hp("vision.projector.scale_factor", 4)
        g = x.reshape(gh // k, k, gw // k, k, n_embd).mean(axis=(1, 3))
        x = g.reshape(-1, n_embd)
        x = tiny.rms_norm(x, W("mm.soft_emb_norm") + (broken == "soft_emb_norm"), eps)
        return x @ W("mm.input_projection")  # stored [vision, text] in numpy order
    if ptype == "qwen2.5vl_merger":
        x = norm(x, "v.post_ln")
        mg = m.hp("vision.spatial_merge_size", 2)  # the converter omits it; default 2
        g = x.reshape(gh // mg, mg, gw // mg, mg, n_embd).transpose(0, 2, 1, 3, 4)
        if broken == "merge_order":
            g = g.transpose(0, 1, 3, 2, 4)
        x = g.reshape(-1, mg * mg * n_embd)
        return lin(tiny.gelu_tanh(lin(x, "mm.0")), "mm.2")
    if ptype == "mlp":
        x = x[1:]  # drop the class token
        return lin(tiny.gelu_tanh(lin(x, "mm.0")), "mm.2")
    raise ValueError(ptype)


BROKEN_RULES = {
    "smolvlm": {"shuffle_order": "pixel shuffle with dx outer, dy inner"},
    "gemma3": {"soft_emb_norm": "soft_emb_norm applied as (1 + w) again"},
    "qwen25vl": {"weight.1": "second temporal patch kernel ignored",
                 "window": "no window attention", "rope": "no 2-D RoPE",
                 "merge_order": "2x2 merge with the column outer"},
    "llava": {"pre_ln": "pre-LN skipped", "feature_layer": "one block fewer"},
}


def layout_sensitivity(vf: VlmFamily, mm: tiny.GgufModel, pixels: np.ndarray,
                       reference: np.ndarray) -> list[tuple[str, float]]:
    """(broken rule, max change / max |value|) of the numpy pass; each must be > 1%."""
    out = []
    scale = float(np.abs(reference).max())
    for rule, label in BROKEN_RULES[vf.name].items():
        got = np.concatenate([numpy_vision(mm, px, rule) for px in pixels])
        change = float(np.abs(got - reference).max()) / scale
        assert change > 0.01, f"{vf.name}: '{label}' moves embeddings only {change:.2%}"
        out.append((label, change))
    return out


# ------------------------------------------------------------------------------------------

@dataclass
class Result:
    vf: VlmFamily
    seed: int
    inputs: HfInputs
    prompt: Prompt
    tokens_per_image: int
    embd_diff: float
    embd_max: float
    splice_diff: float
    margin: float
    greedy: list[int]
    files: dict
    sensitivity: float | None
    broken: list
    text_diff: float
    logit_max: float


def tokens_per_image(vf: VlmFamily) -> int:
    v = vf.extra["vision"]
    if vf.name == "smolvlm":
        return (v["image_size"] // v["patch_size"] // vf.extra["scale_factor"]) ** 2
    if vf.name == "gemma3":
        return vf.extra["tokens_per_image"]
    if vf.name == "qwen25vl":
        w, h = vf.image_size
        return (w // 28) * (h // 28)
    return (v["image_size"] // v["patch_size"]) ** 2


def make_family(vf: VlmFamily, out_dir: Path) -> Result:
    image = make_image(vf)
    n_tok = tokens_per_image(vf)
    grid = (vf.image_size[0] // 28, vf.image_size[1] // 28) if vf.name == "qwen25vl" else None
    for seed in range(vf.seed, vf.seed + SEED_TRIES):
        model = build_model(vf, seed)
        round_f16_params(model, mmproj_plan(vf, model))
        inputs = hf_inputs(vf, image)
        prompt = build_prompt(vf, inputs, n_tok, grid)
        last, greedy, margin = hf_greedy(vf, model, inputs, prompt)
        # Clear choices, some variety, and no control token (an end-of-generation or marker
        # token would stop or confuse a generation loop before the 8th step).
        plain = all(vf.text.vocab.token_types[t] != tiny.CONTROL for t in greedy)
        if margin > MIN_RELATIVE_MARGIN and len(set(greedy)) >= 3 and plain:
            break
    else:
        raise RuntimeError(f"{vf.name}: no seed with clear greedy choices")

    # The GGUFs go to a scratch folder first: they must exist to be re-read and checked, and
    # nothing reaches the fixture folder unless every check passes.
    scratch = Path(tempfile.mkdtemp(prefix=f"vlm-{vf.name}-"))
    text_path, mm_path = scratch / "text.gguf", scratch / "mmproj.gguf"
    text_view = TextView(vf, model)
    tiny.write_gguf(text_path, vf.text, text_view, QT.F32)
    tiny.check_layout(text_path, vf.text, text_view, QT.F32)
    plan = mmproj_plan(vf, model)
    write_mmproj(mm_path, vf, model, plan)
    mm = check_mmproj_layout(mm_path, plan)

    # The image features: transformers vs the numpy pass over the mmproj.
    hf_feats = hf_image_features(vf, model, inputs)
    n_images = inputs.pixels.shape[0]
    assert hf_feats.shape == (n_images * n_tok, vf.text.config["hidden_size"]), hf_feats.shape
    mine = np.concatenate([numpy_vision(mm, inputs.pixels[i]) for i in range(n_images)])
    embd_max = float(np.abs(hf_feats).max())
    embd_diff = float(np.abs(mine - hf_feats).max())
    assert embd_diff < EMBD_CHECK_RTOL * embd_max, \
        f"{vf.name}: numpy mmproj vs transformers {embd_diff} (max {embd_max})"
    broken = layout_sensitivity(vf, mm, inputs.pixels, hf_feats)

    # The text model as llama.cpp runs it (numpy over text.gguf, embeddings.f32 as the image
    # rows, prompt.json's positions and non-causal span) must give transformers' logits and
    # greedy tokens.
    text_model = tiny.GgufModel(text_path)
    image_rows = hf_feats.astype("<f4").astype(np.float64)
    np_tokens: list[int] = []
    for step in range(N_GREEDY):
        np_logits = tiny.numpy_forward(
            text_model, prompt.tokens + np_tokens, image_rows=image_rows,
            positions=extend_positions(prompt, len(np_tokens)),
            non_causal=prompt.non_causal_spans)
        if step == 0:
            text_diff = float(np.abs(np_logits[-1] - last).max())
            assert text_diff < EMBD_CHECK_RTOL * float(np.abs(last).max()), \
                f"{vf.name}: numpy text model vs transformers {text_diff}"
        np_tokens.append(int(np.argmax(np_logits[-1])))
    assert np_tokens == greedy, f"{vf.name}: numpy greedy {np_tokens} vs {greedy}"

    # The decoder's input rows, spliced as llama.cpp does (token embeddings, image rows in
    # order), must equal the rows transformers feeds its language model.
    captured: dict = {}
    logits = hf_forward(vf, model, inputs, prompt, [], capture=captured)
    assert np.abs(logits[-1] - last).max() < 1e-5
    with torch.no_grad():
        tok_rows = language_model(vf, model).embed_tokens(
            torch.tensor([max(t, 0) for t in prompt.tokens])).float().numpy()
    img_rows = iter(hf_feats)
    spliced = np.stack([next(img_rows) if t < 0 else tok_rows[i]
                        for i, t in enumerate(prompt.tokens)])
    splice_diff = float(np.abs(spliced - captured["inputs_embeds"]).max())
    assert splice_diff < 1e-6 * max(embd_max, float(np.abs(tok_rows).max())), \
        f"{vf.name}: spliced rows differ by {splice_diff}"
    if prompt.positions is not None:
        pos = captured["position_ids"]
        hf_pos = pos[:, 0].numpy() if pos.dim() == 3 else None
        if hf_pos is not None and hf_pos.shape[0] == 4:
            hf_pos = hf_pos[1:]  # transformers may prepend a text-position plane
        assert hf_pos is not None and np.array_equal(hf_pos, np.array(prompt.positions[:3])), \
            f"qwen25vl positions differ:\n{hf_pos}\n{np.array(prompt.positions[:3])}"

    # What the prompt's extra rules are worth: gemma3 with a causal image span, qwen25vl with
    # plain 1-D positions (transformers falls back to them without image type ids).
    sensitivity = None
    if prompt.type_ids is not None:
        plain = Prompt(prompt.tokens, prompt.hf_ids, None, [], [0] * len(prompt.tokens),
                       prompt.type_ids_arg)
        changed = hf_forward(vf, model, inputs, plain, [])[-1]
        sensitivity = float(np.abs(changed - last).max() / np.abs(last).max())
        assert sensitivity > 0.01, f"{vf.name}: the image rule moves logits only {sensitivity}"

    fam_dir = out_dir / vf.name
    fam_dir.mkdir(parents=True, exist_ok=True)
    for path in (text_path, mm_path):
        shutil.move(path, fam_dir / path.name)
    scratch.rmdir()
    image.save(fam_dir / "image.png")
    inputs.pixels.astype("<f4").tofile(fam_dir / "pixels.f32")
    (fam_dir / "pixels.json").write_text(json.dumps(
        {"n_images": n_images, "height": int(inputs.pixels.shape[2]),
         "width": int(inputs.pixels.shape[3])}) + "\n")
    hf_feats.astype("<f4").tofile(fam_dir / "embeddings.f32")
    last.astype("<f4").tofile(fam_dir / "logits.f32")
    doc = {"tokens": prompt.tokens,
           "positions": prompt.positions if prompt.positions is not None
           else list(range(len(prompt.tokens))),
           "non_causal_spans": prompt.non_causal_spans, "greedy": greedy}
    (fam_dir / "prompt.json").write_text(json.dumps(doc) + "\n")
    files = {p.name: p.stat().st_size for p in sorted(fam_dir.iterdir())}
    print(f"{vf.name}: seed {seed}, {n_images} image(s) x {n_tok} tokens, numpy mmproj vs HF "
          f"{embd_diff:.2e} (max {embd_max:.3g}), splice {splice_diff:.2e}, greedy margin "
          f"{margin:.3f}, numpy text vs HF {text_diff:.2e}, image rule {sensitivity}, {sum(files.values()) / 1024:.0f} KiB, "
          f"broken rules {broken}")
    return Result(vf, seed, inputs, prompt, n_tok, embd_diff, embd_max, splice_diff, margin,
                  greedy, files, sensitivity, broken, text_diff, float(np.abs(last).max()))


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().parent.parent / "tests" / "data" / "vlm"
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    only = sys.argv[2].split(",") if len(sys.argv) > 2 else None
    results = [make_family(vf, out_dir) for vf in families() if not only or vf.name in only]
    total = sum(sum(r.files.values()) for r in results)
    assert total < 3.5 * 1024 * 1024, f"fixtures too large: {total}"
    if not only:
        write_readme(out_dir, results)
        total += (out_dir / "README.md").stat().st_size
    assert total < 3.5 * 1024 * 1024, f"fixtures too large: {total}"
    print(f"total {total / 1024:.0f} KiB")


def shape_row(r: Result) -> str:
    vf, v, t = r.vf, r.vf.extra["vision"], r.vf.text.config
    width = v["hidden_size"]
    layers = v.get("num_hidden_layers", v.get("depth"))
    heads = v.get("num_attention_heads", v.get("num_heads"))
    n_img = r.inputs.pixels.shape[0]
    h, w = r.inputs.pixels.shape[2:]
    stored = f" ({feature_block_count(vf)} stored)" if vf.name == "llava" else ""
    return (f"| {vf.name} | `{vf.text.hf_class}` | {r.seed} | {width} / {layers}{stored} / "
            f"{heads} / {v['patch_size']} | {n_img} x {w}x{h} | {r.tokens_per_image} | "
            f"{t['hidden_size']} / {t['num_hidden_layers']} / {t['vocab_size']} "
            f"(`{vf.text.arch}`) | {len(r.prompt.tokens)} |")


def check_row(r: Result) -> str:
    sens = "-" if r.sensitivity is None else f"{r.sensitivity:.1%}"
    sizes = ", ".join(f"{n} {b / 1024:.0f}K" for n, b in r.files.items()
                      if n.endswith((".gguf", ".f32")) and b > 8192)
    return (f"| {r.vf.name} | {r.embd_diff:.1e} | {r.embd_max:.3g} | {r.splice_diff:.1e} | "
            f"{r.text_diff:.1e} | {r.logit_max:.3g} | {r.margin:.3f} | {sens} | {sizes} |")


def write_readme(out_dir: Path, results: list[Result]) -> None:
    shapes = "\n".join(shape_row(r) for r in results)
    checks = "\n".join(check_row(r) for r in results)
    broken = "\n".join(f"| {r.vf.name} | {label} | {change:.0%} |"
                       for r in results for label, change in r.broken)
    text = f"""# Tiny vision-language fixtures

Made by `tools/make_tiny_vlm_models.py` with {tiny.versions()} (Python
{sys.version.split()[0]}, CPU, about 20 s):

    python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
    build/tools-venv/bin/python tools/make_tiny_vlm_models.py

Each family is a `transformers` model with random weights drawn from fixed seeds (text model:
the rules of `tools/make_tiny_models.py`; vision: LayerNorm/RMSNorm weights U[0.5, 1.5), biases
N(0, 0.25), linears and convolutions N(0, 1/fan_in), position embeddings N(0, 0.25)). The seed
is the first from the family's base seed whose 8 greedy tokens are plain (no control token),
not all alike, and each chosen by a top-1/top-2 logit gap > 1% of max |logit|.

| family | class | seed | vision width / layers / heads / patch | images x size | tokens per image | text width / layers / vocab | prompt rows |
|---|---|---|---|---|---|---|---|
{shapes}

## Files (per family folder)

- `text.gguf`: the language model, F32, in llama.cpp's layout, written by
  `make_tiny_models.write_gguf` (same keys and tensor rules as `tests/data/models`). Its
  tokenizer holds the family's image markers as control tokens (type 3): smolvlm
  `<fake_token_around_image>`, `<global-img>`, `<row_R_col_C>` (R, C in 1..6), `<image>`,
  `<end_of_utterance>`; gemma3 `<start_of_image>`, `<end_of_image>`, `<image_soft_token>`;
  qwen25vl `<|vision_start|>`, `<|vision_end|>`, `<|image_pad|>`; llava `<image>`.
  Chat template (`tokenizer.chat_template`): smolvlm carries SmolVLM's
  (`tests/data/chat/templates/smolvlm.jinja`, as ggml-org's SmolVLM GGUFs do), so a session
  renders the fixture prompt by itself; gemma3 and qwen25vl carry none (Prism's fallbacks from
  their special tokens, Gemma and ChatML, write the fixture prompt exactly); llava carries none,
  like the llava-1.5 GGUFs made with llama.cpp's llava_surgery route, and its prompt is
  llava-hf's `USER: <image>\\n... ASSISTANT:`, which neither llama.cpp nor Prism picks without a
  template (both fall back to ChatML; llama.cpp's docs say `--chat-template vicuna`).
- `mmproj.gguf`: vision encoder + projector (`general.architecture` = `clip`), see below.
- `image.png`: a centre crop of `tests/data/sample-images/chelsea.png` resized (Lanczos) to the
  model's exact input size, so neither llama.cpp nor transformers resizes it again.
- `pixels.f32` + `pixels.json`: the normalized pixels the vision tower receives, planar
  float32 little-endian `[n_images][3][H][W]` (smolvlm: the tiles row-major, then the global
  image). Taken from transformers' image processor; the script asserts they equal
  `(u8 / 255 - mean) / std` of `image.png` (llama.cpp's normalization) within 1e-5 wherever
  llama.cpp's preprocessing gives the same image (everything except smolvlm's global image).
- `embeddings.f32`: transformers' projector output for those pixels,
  `[n_images][n_tokens][n_embd_text]` float32, in llama.cpp's token order (row-major over the
  merged / pooled / shuffled grid; smolvlm: tile by tile, global image last).
- `prompt.json`: the decoder input in mtmd's layout: `tokens` (-1 = the next row of
  `embeddings.f32`), `positions` (qwen25vl: four planes t, h, w, e; else 0..n-1),
  `non_causal_spans` (gemma3: the image rows, `[begin, end)`), `greedy` (the 8 tokens greedy
  decoding produces after the prompt: transformers' argmax at each step, recomputing the whole
  sequence through the model's own vision path).
- `logits.f32`: transformers' logits of the last prompt row, float32 `[n_vocab]`.

## Prompt layout (mtmd's, not the HF processors')

One user turn of the family's chat template: the image, then the question
`{QUESTION}`; the text pieces are tokenized by the little BPE / SentencePiece
vocabularies of `make_tiny_models.py` (ids only matter; Prism's tests read them from here).

- smolvlm: `<|im_start|>User:` then, per tile row r and column c,
  `<fake_token_around_image><row_r_col_c>` + the tile's rows, `\\n` after every tile row but
  the last; then `\\n\\n<fake_token_around_image><global-img>` + the global image's rows +
  `<fake_token_around_image>`; then the question, `<end_of_utterance>\\nAssistant:`.
  (HF writes the same text: each tile row ends with `\\n` and the global part starts with one.)
- gemma3: `<bos><start_of_turn>user\\n<start_of_image>` + rows + `<end_of_image>` + question +
  `<end_of_turn>\\n<start_of_turn>model\\n`, without the `\\n\\n` the HF processor puts around
  the image. The image rows attend to each other in both directions (HF: `token_type_ids`,
  llama.cpp: a non-causal batch); `non_causal_spans` records them.
- qwen25vl: the default system turn, then `<|im_start|>user\\n<|vision_start|>` + rows +
  `<|vision_end|>` + question + `<|im_end|>\\n<|im_start|>assistant\\n`. M-RoPE positions: text
  rows carry their position in all four planes; image row i of the nx x ny merged grid
  (here 8 x 4) gets (p, p + i / nx, p + i % nx, 0) with p the position after
  `<|vision_start|>`; the text after the image continues at p + max(nx, ny). The script
  checks these planes equal transformers' `get_rope_index` (t, h, w).
- llava: `<|begin_of_text|>USER: ` + rows + `\\n` + question + ` ASSISTANT:`; no image markers.

The script checks that the decoder rows it splices (token embeddings, Gemma's scaled by
sqrt(n_embd), and the rows of `embeddings.f32` in order, unscaled) equal the rows transformers
hands its language model ("splice" below: max abs difference).

## mmproj layout

As llama.cpp's `convert_hf_to_gguf.py --mmproj` writes them (`MmprojModel` plus
`SmolVLMModel` / `Gemma3VisionModel` / `Qwen2VLVisionModel`), tensors in checkpoint-name order:

- common keys: `general.type = mmproj`, `general.file_type`, `clip.has_vision_encoder`,
  `clip.vision.{{projection_dim, image_size, patch_size, embedding_length,
  feed_forward_length, block_count, attention.head_count, image_mean, image_std}}`,
  `clip.projector_type`, `clip.vision.attention.layer_norm_epsilon`.
- smolvlm (`idefics3`): `clip.use_gelu`, `clip.vision.projector.scale_factor` = 4,
  `clip.vision.preproc_image_size` = 128 (HF `size.longest_edge`). SigLIP names
  (`v.patch_embd`, `v.position_embd`, `v.blk.N.{{ln1, ln2, attn_q, attn_k, attn_v, attn_out,
  ffn_up (fc1), ffn_down (fc2)}}`, `v.post_ln`), `mm.model.fc.weight` (no bias). A
  `MOSTLY_F16` file: 2-D `.weight` matrices F16; 1-D tensors and everything HF names
  `.embeddings.` (patch kernel and bias, position table) F32.
- gemma3 (`gemma3`): `clip.use_gelu`; `clip.vision.projector.scale_factor` = 2 (the pool
  factor: (64 / 8) / sqrt(16); the converter writes it only when it is not 4).
  `mm.soft_emb_norm.weight` holds w + 1 (Gemma's RMSNorm folded); `mm.input_projection.weight`
  is HF's `[vision, text]` matrix stored untransposed (ggml ne = [text, vision]) and F16 even
  in this F32 file (the converter forces it); use it as out = x . P.
- qwen25vl (`qwen2.5vl_merger`): `clip.use_silu`, `clip.vision.n_wa_pattern` = 2 (from
  `fullatt_block_indexes` = [1]: layer 0 windowed, layer 1 full), `image_size` = 560 (the
  converter's default; the ViT takes any multiple of 28). No `window_size` or
  `spatial_merge_size` key: the converter writes neither; llama.cpp then uses 112 px windows
  and merge 2, which is what the model has. HF's Conv3d patch kernel is split into
  `v.patch_embd.weight` and `v.patch_embd.weight.1` (the two temporal slices, no bias; a still
  image goes through both and the results add); the fused `qkv` is split into `attn_q/k/v`
  (weights and biases). Norms are RMSNorm without bias (`ln1`, `ln2`, `v.post_ln` =
  `merger.ln_q`); FFN `ffn_gate/ffn_up/ffn_down` with biases, SiLU; merger `mm.0` -> GELU ->
  `mm.2` over groups of 2x2 patches ((0,0), (0,1), (1,0), (1,1)).
- llava (`mlp`): `convert_hf_to_gguf.py` does not convert CLIP-based LLaVA-1.5 (its
  `LlavaVisionModel` takes Pixtral/Mistral only); the llava-1.5 mmproj files in use come from
  `tools/mtmd/legacy-models/convert_image_encoder_to_gguf.py`, which this file follows (as run
  with `--use-f32`): keys `clip.has_text_encoder` = false, `clip.has_llava_projector` = true,
  `clip.use_gelu` = false (quick GELU), `clip.vision.feature_layer` = [2] (HF
  `vision_feature_layer` = -2 made non-negative: hidden state 2 = after 2 blocks),
  `clip.vision.block_count` = 2 (the third HF block and `post_layernorm` are dropped),
  `clip.vision.projection_dim` = 512 (CLIP's own projection width, not the text width; size the
  output from `mm.2`). Tensors: projector first (`mm.0`, `mm.2`; matrices F16 as that script
  always writes them), then `v.class_embd`, `v.patch_embd.weight` (F16: the script always
  writes the convolution in F16; no bias), `v.position_embd.weight` (17 rows: class + 16
  patches), `v.pre_ln`, blocks. Its name replacements call fc1 `ffn_down` and fc2 `ffn_up`;
  clip.cpp swaps them back when `ffn_down`'s ne[0] equals n_embd, and so must Prism.

Gemma 3 text: like `tests/data/models`' gemma3 files, `text.gguf` carries
`gemma3.attention.sliding_window_pattern` = 2 (layer 0 sliding with window 24, layer 1 global),
which llama.cpp reads; the converter writes no pattern (llama.cpp then assumes 6).

Activations: SigLIP and the projectors use GELU in the tanh form (ggml_gelu). HF's LLaVA
projector and Qwen2.5-VL merger use erf GELU; these tiny models use the tanh form instead (HF
config / module swapped) so that transformers computes exactly what llama.cpp computes.

## Checks the script makes before it writes the fixtures

Every GGUF is re-read with the `gguf` package (names in order, shapes, types, data). A float64
numpy forward pass of the vision encoder + projector that reads only `mmproj.gguf` (llama.cpp's
semantics, hyperparameters from its keys) reproduces transformers' image features ("numpy vs
HF", max abs difference; must be < 1e-4 x max |value|); transformers' parameters that the file
stores in F16 were rounded to F16 first, so both compute with the same weights. A float64
numpy pass of the text model that reads only `text.gguf`, `embeddings.f32` and `prompt.json`
with llama.cpp's semantics (image rows unscaled, qwen2vl M-RoPE over the four position planes
with `rope.dimension_sections`, the non-causal span, Gemma's sliding window) reproduces
`logits.f32` ("numpy text vs HF", max abs; must be < 1e-4 x max |logit|) and the 8 greedy
tokens (generated rows continue the positions: next = last text position + 1 in every plane).

| family | numpy vs HF | max abs embedding | splice | numpy text vs HF | max abs logit | greedy margin (x max logit) | image rule | sizes |
|---|---|---|---|---|---|---|---|---|
{checks}

"image rule": how far the last row's logits move (share of max |logit|) when the rule is
dropped: gemma3's bidirectional image span made causal, qwen25vl's M-RoPE image positions
replaced by 1-D ones. The numpy pass notices each layout rule: getting one wrong moves the
embeddings (share of max |value|) by

| family | broken rule | change |
|---|---|---|
{broken}

## Preprocessing: where llama.cpp and transformers differ, and how the fixtures avoid it

- smolvlm: llama.cpp letterboxes tiles (PAD_CEIL, bicubic) and makes the global image with
  its own bilinear resize; HF stretches with Lanczos. `image.png` is 128x64, already at the
  refined size (a multiple of the 64-px tile, longest edge 128), so the two tiles (1 row x 2
  columns) are plain crops in both (checked equal). The global image is a 2:1 horizontal
  downscale where the filters differ: `pixels.f32` holds HF's; an engine that preprocesses
  `image.png` itself should compare the tiles exactly and the global image only loosely (or
  encode `pixels.f32`).
- gemma3: llama.cpp letterboxes to the square (bilinear), HF stretches; a 64x64 image needs
  neither. llava: llama.cpp letterboxes with (122, 116, 104) and bicubic-resizes, HF resizes the
  short side and centre-crops; a 32x32 image needs neither. qwen25vl: 224x112 are multiples of
  28 inside both engines' pixel bounds (llama.cpp 8..4096 tokens), so no resize.

## Tolerances for Prism's tests

- `embeddings.f32`: the weights are exact in the file, so an F32 GPU encoder should land
  within 1e-3 x max |value| (the references differ from a float64 pass by ~1e-6 relative;
  leave room for GPU reduction order and tanh-GELU approximations).
- `logits.f32`: 1e-3 x max |logit| (as for `tests/data/models`); `greedy`: all 8 tokens exactly
  (the smallest margin in the table above is the error the greedy check tolerates).
"""
    (out_dir / "README.md").write_text(text)


if __name__ == "__main__":
    main()
