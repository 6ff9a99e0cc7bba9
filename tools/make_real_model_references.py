#!/usr/bin/env python3
r"""Computes the 32-token greedy references of the real models for tests/models/test_real_models.cpp.

For each model, transformers loads the GGUF (`AutoModelForCausalLM.from_pretrained(dir,
gguf_file=...)`), which DEQUANTIZES every weight to float32: the reference is the float model the
quantized file approximates, not the quantized arithmetic Prism runs. Where the two models' top
two logits are close, quantization error can flip the argmax, after which the sequences differ;
the fixture therefore also records, per step, the gap between HF's best and second-best logit so
that a divergence can be judged (a flip at a small gap is quantization, not a bug).

Writes tests/data/real/<model>.greedy.txt:
  # comments: how it was made (versions, dtype, prompt text)
  prompt <ids...>
  greedy <32 ids...>
  gap <32 floats: top1 - top2 logit at each step>
  text <the 32 tokens decoded, escaped: \n for newlines>

Prompts:
  smollm2: "What is the capital of France?" as the single user message through the GGUF's own
           chat template (apply_chat_template, add_generation_prompt=True; SmolLM2's template adds
           its default system prompt), tokenized with add_special_tokens=False.
  gemma3:  BOS + "The capital of France is" (a base model; llama.cpp and HF both add BOS).

Usage (tools/requirements.txt pins the versions the committed fixtures were made with):
  python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
  python3 tools/fetch_models.py
  build/tools-venv/bin/python tools/make_real_model_references.py [--only smollm2|gemma3]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "data" / "real"
STEPS = 32


def prompt_ids(key: str, tok) -> tuple[list[int], str]:
    if key == "smollm2":
        messages = [{"role": "user", "content": "What is the capital of France?"}]
        text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return tok.encode(text, add_special_tokens=False), text
    text = "The capital of France is"
    return tok.encode(text, add_special_tokens=True), text


def main() -> int:
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["smollm2", "gemma3"])
    args = parser.parse_args()
    cache = Path(os.environ.get("PRISM_MODEL_CACHE", Path.home() / ".cache" / "prism" / "models"))
    models = {"smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf", "gemma3": "gemma-3-270m-q4_k_m.gguf"}
    torch.manual_seed(0)
    OUT.mkdir(parents=True, exist_ok=True)
    for key, file_name in models.items():
        if args.only and key != args.only:
            continue
        tok = AutoTokenizer.from_pretrained(str(cache), gguf_file=file_name)
        model = AutoModelForCausalLM.from_pretrained(
            str(cache), gguf_file=file_name, dtype=torch.float32)
        model.eval()
        ids, text = prompt_ids(key, tok)
        seq = list(ids)
        greedy, gaps = [], []
        with torch.no_grad():
            # Full recompute each step (no cache): slow but simple, and 32 steps of a 135M/270M
            # model take seconds.
            for _ in range(STEPS):
                logits = model(torch.tensor([seq])).logits[0, -1].float()
                top = torch.topk(logits, 2)
                nxt = int(top.indices[0])
                greedy.append(nxt)
                gaps.append(float(top.values[0] - top.values[1]))
                seq.append(nxt)
        decoded = tok.decode(greedy, skip_special_tokens=False)
        path = OUT / f"{key}.greedy.txt"
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(f"# {file_name}: first {STEPS} greedy tokens, made by "
                    "tools/make_real_model_references.py\n")
            f.write(f"# transformers {transformers.__version__}, torch {torch.__version__}: "
                    "AutoModelForCausalLM.from_pretrained(gguf_file=...) dequantized the weights "
                    "to float32 (not the quantized arithmetic); argmax of the last logits, full "
                    "recompute per step.\n")
            f.write("# prompt text: " + text.replace("\n", "\\n") + "\n")
            f.write("prompt " + " ".join(map(str, ids)) + "\n")
            f.write("greedy " + " ".join(map(str, greedy)) + "\n")
            f.write("gap " + " ".join(f"{g:.4f}" for g in gaps) + "\n")
            f.write("text " + decoded.replace("\\", "\\\\").replace("\n", "\\n") + "\n")
        print(f"{key}: prompt {len(ids)} tokens -> {decoded!r}\n  min gap {min(gaps):.4f} -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
