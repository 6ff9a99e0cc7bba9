#!/usr/bin/env python3
"""A tiny Qwen2-VL vision tower + merger (mmproj `qwen2vl_merger`) and its reference output.

Writes tests/data/vision/qwen2vl/{mmproj.gguf, pixels.f32, pixels.json, embeddings.f32}:
transformers' Qwen2-VL vision model with random weights (fixed seed), the mmproj in the layout
llama.cpp's converter writes for Qwen2-VL (Conv3d split into two temporal kernels, fused qkv
split, LayerNorm with bias, quick-GELU FFN, merger ln_q as v.post_ln, mm.0 / mm.2), random
normalized pixels of one 84x56 image, and the merger's output rows (row-major merged grid).

The merger's GELU is switched to the tanh form, which is what llama.cpp computes (HF: erf).

    python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
    build/tools-venv/bin/python tools/make_qwen2vl_vision_fixture.py
"""
import json
import math
from pathlib import Path

import gguf
import numpy as np
import torch
from transformers.models.qwen2_vl.configuration_qwen2_vl import Qwen2VLVisionConfig
from transformers.models.qwen2_vl.modeling_qwen2_vl import Qwen2VisionTransformerPretrainedModel

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "vision" / "qwen2vl"
WIDTH, HEIGHT, PATCH, MERGE, TEMPORAL = 84, 56, 14, 2, 2
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


def build() -> torch.nn.Module:
    cfg = Qwen2VLVisionConfig(depth=2, embed_dim=32, hidden_size=48, hidden_act="quick_gelu",
                              mlp_ratio=2, num_heads=2, in_channels=3, patch_size=PATCH,
                              spatial_merge_size=MERGE, temporal_patch_size=TEMPORAL)
    cfg._attn_implementation = "eager"
    model = Qwen2VisionTransformerPretrainedModel(cfg).eval()
    gen = torch.Generator().manual_seed(2010)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or "ln_q" in name:
                if name.endswith("weight"):
                    p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
                else:
                    p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
            elif name.endswith(".bias"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
            else:
                fan_in = int(np.prod(p.shape[1:]))
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(fan_in))
    model.merger.mlp[1] = torch.nn.GELU(approximate="tanh")
    return model


def flatten_patches(planar: np.ndarray) -> np.ndarray:
    """HF's patch rows: merge cells row-major, a cell's 2x2 patches in order, each patch
    (channel, temporal copy, py, px) flattened."""
    c, h, w = planar.shape
    gh, gw = h // PATCH, w // PATCH
    x = np.repeat(planar[None], TEMPORAL, axis=0)
    x = x.reshape(TEMPORAL, c, gh // MERGE, MERGE, PATCH, gw // MERGE, MERGE, PATCH)
    x = x.transpose(2, 5, 3, 6, 1, 0, 4, 7)
    return x.reshape(gh * gw, c * TEMPORAL * PATCH * PATCH)


def write_mmproj(model: torch.nn.Module, path: Path) -> None:
    cfg = model.config
    sd = {k: v.detach().float().numpy() for k, v in model.state_dict().items()}
    w = gguf.GGUFWriter(str(path), "clip")
    w.add_type(gguf.GGUFType.MMPROJ)
    w.add_name("tiny-qwen2vl-vision")
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_clip_has_vision_encoder(True)
    w.add_vision_projection_dim(cfg.hidden_size)
    w.add_vision_image_size(560)
    w.add_vision_patch_size(PATCH)
    w.add_vision_embedding_length(cfg.embed_dim)
    # The converter writes the LLM width here for Qwen2-VL (not the FFN width); mimic it.
    w.add_vision_feed_forward_length(cfg.hidden_size)
    w.add_vision_block_count(cfg.depth)
    w.add_vision_head_count(cfg.num_heads)
    w.add_vision_image_mean(MEAN)
    w.add_vision_image_std(STD)
    w.add_clip_projector_type(gguf.VisionProjectorType.QWEN2VL)
    w.add_vision_attention_layernorm_eps(1e-6)
    kernel = sd["patch_embed.proj.weight"]  # [D, C, T, P, P]
    w.add_tensor("v.patch_embd.weight", np.ascontiguousarray(kernel[:, :, 0]))
    w.add_tensor("v.patch_embd.weight.1", np.ascontiguousarray(kernel[:, :, 1]))
    D = cfg.embed_dim
    for i in range(cfg.depth):
        b, p = f"blocks.{i}.", f"v.blk.{i}."
        for hf, gg in (("norm1", "ln1"), ("norm2", "ln2"), ("attn.proj", "attn_out"),
                       ("mlp.fc1", "ffn_up"), ("mlp.fc2", "ffn_down")):
            w.add_tensor(p + gg + ".weight", sd[b + hf + ".weight"])
            w.add_tensor(p + gg + ".bias", sd[b + hf + ".bias"])
        qkv_w, qkv_b = sd[b + "attn.qkv.weight"], sd[b + "attn.qkv.bias"]
        for j, name in enumerate(("attn_q", "attn_k", "attn_v")):
            w.add_tensor(p + name + ".weight", np.ascontiguousarray(qkv_w[j * D:(j + 1) * D]))
            w.add_tensor(p + name + ".bias", np.ascontiguousarray(qkv_b[j * D:(j + 1) * D]))
    w.add_tensor("v.post_ln.weight", sd["merger.ln_q.weight"])
    w.add_tensor("v.post_ln.bias", sd["merger.ln_q.bias"])
    for j in (0, 2):
        w.add_tensor(f"mm.{j}.weight", sd[f"merger.mlp.{j}.weight"])
        w.add_tensor(f"mm.{j}.bias", sd[f"merger.mlp.{j}.bias"])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main() -> None:
    torch.manual_seed(0)
    OUT.mkdir(parents=True, exist_ok=True)
    model = build()
    rng = np.random.default_rng(2011)
    planar = rng.uniform(-1.8, 2.1, size=(3, HEIGHT, WIDTH)).astype(np.float32)
    grid = torch.tensor([[1, HEIGHT // PATCH, WIDTH // PATCH]])
    with torch.no_grad():
        out = model(torch.from_numpy(flatten_patches(planar)), grid_thw=grid)
    feats = out.pooler_output if hasattr(out, "pooler_output") else out
    feats = feats.reshape(-1, feats.shape[-1]).float().numpy()
    assert feats.shape == ((HEIGHT // 28) * (WIDTH // 28), model.config.hidden_size), feats.shape
    write_mmproj(model, OUT / "mmproj.gguf")
    planar.tofile(OUT / "pixels.f32")
    feats.astype(np.float32).tofile(OUT / "embeddings.f32")
    (OUT / "pixels.json").write_text(json.dumps({"n_images": 1, "height": HEIGHT,
                                                  "width": WIDTH}) + "\n")
    print("tokens", feats.shape, "max |value|", float(np.abs(feats).max()))


if __name__ == "__main__":
    main()
