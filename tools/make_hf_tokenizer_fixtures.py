#!/usr/bin/env python3
r"""Tokenizes a few hundred varied strings with Hugging Face transformers, reading each real
model's tokenizer straight from its GGUF, and writes the ids as fixtures for
tests/unit/test_tokenizer_hf.cpp.

  tests/data/tokenizer/strings.txt          the inputs (shared by every model)
  tests/data/tokenizer/<model>.hf-ids.txt   one line of ids per input, same order

Ids are `tokenizer.encode(s, add_special_tokens=False)` (for SmolLM2 after restoring its real
pre-tokenizer, which transformers' GGUF loader drops: see restore_pre_tokenizer): no BOS/EOS,
and since user text must never become a control token, the C++ side encodes with
add_special=false, parse_special=false.
None of the strings contains the text of a control token, so HF's habit of always matching
special tokens in text cannot make the two differ.

Format of strings.txt (no JSON, so the C++ test reads it with a few lines of code): one input per
line, escaped: `\\` is a backslash, `\n` `\r` `\t` are themselves, `\xNN` is any other byte
below 0x20 or 0x7f; every other byte (UTF-8 included) is written as is. Lines starting with '#'
are comments (an input starting with '#' writes it as `\x23`). The ids file has one line per
input: space-separated decimal ids (an empty line for an empty encoding).

The models come from tools/fetch_models.py ($PRISM_MODEL_CACHE or ~/.cache/prism/models).
Usage (tools/requirements.txt pins the versions the committed fixtures were made with):
  python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
  python3 tools/fetch_models.py
  build/tools-venv/bin/python tools/make_hf_tokenizer_fixtures.py
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "data" / "tokenizer"
MODELS = {
    "smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3": "gemma-3-270m-q4_k_m.gguf",
}

# Hand-written cases: each one aims at a rule of some pre-tokenizer or of SentencePiece.
HANDWRITTEN = [
    "",
    " ",
    "  ",
    "   ",
    "\t",
    "\n",
    "\n\n",
    "\n\n\n",
    " \n",
    "\n ",
    "\t\t\tx",
    "a",
    "Hello",
    "Hello world",
    " Hello world",
    "Hello  world",
    "Hello   world   ",
    "Hello\nworld",
    "Hello\n\nworld\n",
    "Hello \n world",
    "Hello\r\nworld",
    "   leading spaces",
    "trailing spaces   ",
    "HELLO WORLD",
    "hElLo WoRlD",
    "The quick brown fox jumps over the lazy dog.",
    "What is the capital of France?",
    "The capital of France is",
    "don't",
    "Don't I'LL you're WE'RE they've she's it'd I'M",
    "'s 're 've 'm 'll 'd 't",
    "O'Neil's rock'n'roll",
    "it's 'quoted' \"double\"",
    "0",
    "1",
    "12",
    "123",
    "1234",
    "12345",
    "123456789",
    "3.14159265358979",
    "1,000,000",
    "2026-11-28 23:59:59",
    "+1 (555) 010-9999",
    "0x1F 0b1010 1e-9 6.02e23",
    "99999999999999999999999999999999",
    "v1.2.3-rc4",
    "abc123def456",
    "123abc",
    "$100.50 €20 £3 ¥400",
    "50% off!!!",
    "Hello, world! How are you? I'm fine; thanks: ok.",
    "...",
    "?!?!",
    "---===+++",
    "(parentheses) [brackets] {braces} <angles>",
    "email@example.com https://example.com/path?q=1&r=2#frag",
    "C:\\Users\\prism\\file.txt",
    "/usr/local/bin/prism-cli --temp 0",
    "def f(x):\n    return x * 2\n",
    "int main() {\n\treturn 0;\n}\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "if x == y and not z:\n        pass",
    "const auto& [key, value] = *it;",
    "#include <vector>",
    "SELECT * FROM users WHERE id = 42;",
    "<div class=\"a\">text</div>",
    "{\"key\": [1, 2, 3], \"null\": null}",
    "x=1;y=2;z=x+y",
    "__init__ self.__dict__",
    "camelCaseIdentifier snake_case_identifier SCREAMING_CASE",
    "    indented four\n        indented eight",
    "café naïve résumé",
    "Ünïcödé Çà Ñ ß ẞ",
    "Ελληνικά κείμενα",
    "Русский текст, привет мир!",
    "עברית שלום",
    "العربية مرحبا بالعالم",
    "हिन्दी नमस्ते",
    "ไทย สวัสดี",
    "한국어 안녕하세요",
    "日本語のテキスト",
    "中文文本，你好世界！",
    "東京は日本の首都です。",
    "Tiếng Việt có dấu",
    "Türkçe ğüşıöç İ",
    "Polski: zażółć gęślą jaźń",
    "🙂",
    "🤗 Hugging Face",
    "emoji 🚀🔥💯 mix",
    "👨‍👩‍👧‍👦 family",
    "🏳️‍🌈 flag",
    "👍🏽 skin tone",
    "1️⃣ keycap",
    "❤️ heart",
    "∑∫∂√∞≠≤≥",
    "α + β = γ",
    "½ ¼ ¾ ² ³",
    "→ ← ↑ ↓ ⇒",
    "™ © ®",
    "\u00a0non-breaking\u00a0space",
    "zero\u200bwidth",
    "\u3000ideographic space",
    "ﬁ ligature",
    "Ａｂｃ fullwidth",
    "e\u0301 combining",
    "tab\tseparated\tvalues",
    "mixed \t \n whitespace",
    "line1\nline2\nline3",
    "a\n\n\n\nb",
    "end with newline\n",
    "  \n  \n  ",
    "word" * 20,
    "a " * 30,
    "ab" * 40,
    "!" * 25,
    " " * 17 + "x",
    "\n" * 9 + "y",
    "Supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "<|im_start|",
    "< | im_end | >",
    "user: hi\nassistant: hello",
]

POOLS = {
    "words": [
        "the", "The", "THE", "of", "and", "Paris", "France", "capital", "model", "token",
        "tokenizer", "GPU", "Vulkan", "shader", "compute", "hello", "world", "don't", "I'm",
        "we'll", "it's", "they'd", "running", "ran", "runs", "quickly",
    ],
    "numbers": ["0", "7", "42", "100", "2024", "31415", "1000000", "3.5", "-17", "1e10"],
    "unicode": ["café", "über", "日本", "中国", "한국", "Россия", "Ελλάδα", "مرحبا", "😀", "🎉",
                "→", "∞", "ñ", "ø", "ß"],
    "code": ["()", "{}", "[]", "=>", "->", "::", "==", "!=", "+=", "//", "/*", "*/", "#", "@",
             "&&", "||", "x", "i++", "f(x)", "a[0]"],
    "punct": [".", ",", "!", "?", ";", ":", "'", "\"", "-", "_", "...", "—", "–", "“", "”"],
    "space": [" ", "  ", "   ", "\n", "\n\n", "\t", " \n", "\n  "],
}


def random_cases(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    names = list(POOLS)
    cases = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(2, 12)):
            pool = POOLS[rng.choice(names)]
            parts.append(rng.choice(pool))
            # Mostly single spaces between pieces, like text; sometimes glued or odd runs.
            r = rng.random()
            if r < 0.6:
                parts.append(" ")
            elif r < 0.7:
                parts.append(rng.choice(POOLS["space"]))
        cases.append("".join(parts))
    return cases


def variants(base: list[str]) -> list[str]:
    # The same text after a space and after a newline: where SPM's space prefix and the
    # byte-level pre-tokenizers' leading-space rules differ.
    picked = [s for s in base if s and not s[0].isspace()][:40]
    return [" " + s for s in picked] + ["\n" + s for s in picked[:20]]


def all_cases() -> list[str]:
    cases = HANDWRITTEN + variants(HANDWRITTEN) + random_cases(160, seed=3)
    seen: set[str] = set()
    unique = []
    for c in cases:
        if c not in seen:
            seen.add(c)
            unique.append(c)
    return unique


def escape(s: str) -> str:
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    line = "".join(out)
    # A leading '#' would read as a comment.
    return "\\x23" + line[1:] if line.startswith("#") else line


def restore_pre_tokenizer(key: str, tok) -> None:
    """transformers' GGUF loader builds a byte-level BPE tokenizer with GPT-2's pre-tokenizer
    whatever `tokenizer.ggml.pre` says. SmolLM2's own tokenizer.json splits every digit off first
    (Sequence[Digits(individual_digits=True), ByteLevel]); llama.cpp's `smollm` pre-tokenizer
    (PR ggml-org/llama.cpp#8609) is that split too. Without it HF-from-GGUF glues a whitespace
    run's last space to a following number (" 3" -> 'Ġ','3' instead of the run as one token):
    24 of the 342 inputs differ. Put the model's real pre-tokenizer back so that the fixture is
    what SmolLM2 was trained with."""
    if key != "smollm2":
        return
    from tokenizers import pre_tokenizers

    backend = tok.backend_tokenizer
    if not isinstance(backend.pre_tokenizer, pre_tokenizers.ByteLevel):
        raise SystemExit(f"unexpected pre-tokenizer {backend.pre_tokenizer}: check this script")
    backend.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
    ])


def main() -> int:
    from transformers import AutoTokenizer
    import transformers

    cache = Path(os.environ.get("PRISM_MODEL_CACHE", Path.home() / ".cache" / "prism" / "models"))
    cases = all_cases()
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "strings.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# {len(cases)} inputs for test_tokenizer_hf.cpp, made by "
                "tools/make_hf_tokenizer_fixtures.py; escaping is described there.\n")
        for c in cases:
            f.write(escape(c) + "\n")
    print(f"wrote {len(cases)} strings")

    for key, file_name in MODELS.items():
        if not (cache / file_name).exists():
            print(f"{cache / file_name} is missing: run tools/fetch_models.py", file=sys.stderr)
            return 1
        tok = AutoTokenizer.from_pretrained(str(cache), gguf_file=file_name)
        as_loaded = [tok.encode(c, add_special_tokens=False) for c in cases]
        restore_pre_tokenizer(key, tok)
        all_ids = [tok.encode(c, add_special_tokens=False) for c in cases]
        changed = sum(a != b for a, b in zip(as_loaded, all_ids))
        print(f"{key}: {changed} of {len(cases)} inputs tokenize differently once the model's own "
              "pre-tokenizer is restored")
        lines = [" ".join(str(i) for i in ids) for ids in all_ids]
        path = OUT / f"{key}.hf-ids.txt"
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines) + "\n")
        print(f"{key}: {type(tok).__name__}, transformers {transformers.__version__} -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
