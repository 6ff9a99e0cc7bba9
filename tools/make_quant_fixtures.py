#!/usr/bin/env python3
"""Writes the dequantization fixtures in tests/data/quant/ from llama.cpp's `gguf` package.

For every tensor type Prism computes with, this writes
  <TYPE>.blocks  raw block bytes, exactly as they would lie in a GGUF file
  <TYPE>.f32     gguf.quants.dequantize() of those bytes, little-endian float32
and README.md describing how they were made. tests/unit/test_dequantize.cpp checks that
prism::dequantize reproduces the .f32 files bit for bit.

Block bytes come from two sources:
  * gguf.quants.quantize() of seeded random data, for the types the package can quantize;
  * seeded random bytes with sane fp16 scale fields, for every block-quantized type. These
    exercise bit patterns a quantizer rarely emits (negative d, every nibble value) and are the
    only source for the types gguf can only dequantize (K-quants, IQ4_NL).
F16 and BF16 fixtures also hold random 16-bit patterns, so subnormals, infinities and NaNs
are covered.

Usage (a developer tool; CI never runs Python, the fixtures are committed):
  python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
  build/tools-venv/bin/python tools/make_quant_fixtures.py [output-dir]
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import numpy as np
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType as T
from gguf import quants

SEED = 20240601
GGUF_VERSION = importlib.metadata.version("gguf")

# Byte offsets of the fp16 fields of each block, from the block structs in ggml-common.h:
# "d" scales the quants, "m" is added (Q4_1/Q5_1), "dmin" scales the 4/6-bit mins (K-quants).
# Each entry also gives the largest |quant * sub-scale| of the type, so that random blocks
# decode to values of order one.
SCALE_FIELDS: dict[T, dict[str, int]] = {
    T.Q4_0: {"d": 0},
    T.Q4_1: {"d": 0, "m": 2},
    T.Q5_0: {"d": 0},
    T.Q5_1: {"d": 0, "m": 2},
    T.Q8_0: {"d": 0},
    T.IQ4_NL: {"d": 0},
    T.Q2_K: {"d": 80, "dmin": 82},
    T.Q3_K: {"d": 108},
    T.Q4_K: {"d": 0, "dmin": 2},
    T.Q5_K: {"d": 0, "dmin": 2},
    T.Q6_K: {"d": 208},
}
MAX_PRODUCT = {
    T.Q4_0: 8, T.Q4_1: 15, T.Q5_0: 16, T.Q5_1: 31, T.Q8_0: 128, T.IQ4_NL: 127,
    T.Q2_K: 45, T.Q3_K: 128, T.Q4_K: 945, T.Q5_K: 1953, T.Q6_K: 4096,
}
MAX_MIN = {T.Q2_K: 15, T.Q4_K: 63, T.Q5_K: 63}

# Every type Prism computes with, in the order of prism::computable_tensor_types().
ALL_TYPES = [T.F32, T.F16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q2_K, T.Q3_K, T.Q4_K,
             T.Q5_K, T.Q6_K, T.IQ4_NL, T.BF16]

QUANTIZED_BLOCKS = 8  # blocks made by gguf's quantizer (32-element types)
RANDOM_BLOCKS = {32: 4, 256: 3}  # random-byte blocks next to quantized ones, by block size
RANDOM_ONLY_BLOCKS = {32: 8, 256: 3}  # random-byte blocks of types gguf cannot quantize
PLAIN_ELEMENTS = 256  # quantized values for F32/F16/BF16
PLAIN_RANDOM_PATTERNS = 512  # random 16-bit patterns for F16/BF16


def gguf_can_quantize(qtype: T) -> bool:
    block_size, _ = GGML_QUANT_SIZES[qtype]
    try:
        quants.quantize(np.zeros(block_size, dtype=np.float32), qtype)
    except NotImplementedError:
        return False
    return True


def sample_data(rng: np.random.Generator, blocks: int, block_size: int) -> np.ndarray:
    """Gaussian data with a different magnitude per block, one all-zero block, one constant."""
    scale = np.exp(rng.uniform(np.log(1e-3), np.log(10.0), size=(blocks, 1)))
    data = (rng.standard_normal((blocks, block_size)) * scale).astype(np.float32)
    if blocks >= 3:
        data[1] = 0.0
        data[2] = np.float32(0.75)
    return data.reshape(-1)


def half_bytes(values: np.ndarray) -> np.ndarray:
    return values.astype(np.float16).view(np.uint8).reshape(-1, 2)


def random_blocks(rng: np.random.Generator, qtype: T, blocks: int) -> np.ndarray:
    """Random quant bits with sane fp16 scale fields (normal fp16 numbers, never Inf/NaN)."""
    _, type_size = GGML_QUANT_SIZES[qtype]
    out = rng.integers(0, 256, size=(blocks, type_size), dtype=np.uint8)
    d_hi = 2.0 / MAX_PRODUCT[qtype]
    d = rng.uniform(max(d_hi / 8, 1e-4), d_hi, size=blocks) * rng.choice([-1.0, 1.0], size=blocks)
    fields = SCALE_FIELDS[qtype]
    out[:, fields["d"]:fields["d"] + 2] = half_bytes(d)
    if "m" in fields:
        out[:, fields["m"]:fields["m"] + 2] = half_bytes(rng.uniform(-1.0, 1.0, size=blocks))
    if "dmin" in fields:
        hi = 1.0 / MAX_MIN[qtype]
        dmin = rng.uniform(max(hi / 8, 1e-4), hi, size=blocks)
        out[:, fields["dmin"]:fields["dmin"] + 2] = half_bytes(dmin)
    return out.reshape(-1)


def special_floats() -> np.ndarray:
    return np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 65504.0, 70000.0,
                     6e-8, 3e-5, 1.0 + 2**-11, 1.0 + 3 * 2**-11, 3.4e38, -1.0, 1.0],
                    dtype=np.float32)


def make_blocks(rng: np.random.Generator, qtype: T) -> tuple[np.ndarray, str]:
    """Returns (block bytes, a description of where they came from)."""
    block_size, _ = GGML_QUANT_SIZES[qtype]
    if qtype in (T.F32, T.F16, T.BF16):
        data = np.concatenate([special_floats(),
                               rng.uniform(-1.0, 1.0, PLAIN_ELEMENTS).astype(np.float32)])
        with np.errstate(over="ignore"):  # 70000 and 3.4e38 overflow to fp16 infinity on purpose
            made = quants.quantize(data, qtype).view(np.uint8).reshape(-1)
        if qtype == T.F32:
            return made, f"gguf.quants.quantize of {data.size} floats (incl. Inf/NaN/subnormals)"
        patterns = rng.integers(0, 1 << 16, size=PLAIN_RANDOM_PATTERNS, dtype=np.uint16)
        blocks = np.concatenate([made, patterns.view(np.uint8)])
        return blocks, (f"gguf.quants.quantize of {data.size} floats (incl. Inf/NaN/subnormals)"
                        f" + {PLAIN_RANDOM_PATTERNS} random 16-bit patterns")
    if gguf_can_quantize(qtype):
        n_random = RANDOM_BLOCKS[block_size]
        rand = random_blocks(rng, qtype, n_random)
        data = sample_data(rng, QUANTIZED_BLOCKS, block_size)
        made = quants.quantize(data, qtype).reshape(-1)
        return (np.concatenate([made, rand]),
                f"gguf.quants.quantize of {QUANTIZED_BLOCKS} blocks + {n_random} random blocks")
    n_random = RANDOM_ONLY_BLOCKS[block_size]
    return (random_blocks(rng, qtype, n_random),
            f"{n_random} random blocks (gguf {GGUF_VERSION} cannot quantize {qtype.name})")


def main() -> int:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().parent.parent / "tests" / "data" / "quant"
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    rows = []
    for qtype in ALL_TYPES:
        blocks, origin = make_blocks(rng, qtype)
        block_size, type_size = GGML_QUANT_SIZES[qtype]
        assert blocks.dtype == np.uint8 and blocks.size % type_size == 0
        values = quants.dequantize(blocks, qtype).astype("<f4", copy=False).reshape(-1)
        assert values.size == blocks.size // type_size * block_size
        (out_dir / f"{qtype.name}.blocks").write_bytes(blocks.tobytes())
        (out_dir / f"{qtype.name}.f32").write_bytes(values.tobytes())
        rows.append(f"| {qtype.name} | {int(qtype)} | {values.size} | {origin} |")

    gguf_version = GGUF_VERSION
    numpy_version = importlib.metadata.version("numpy")
    readme = f"""# Dequantization fixtures

Made by `tools/make_quant_fixtures.py` with the `gguf` package {gguf_version} (llama.cpp's
gguf-py, from PyPI) and numpy {numpy_version}, seed {SEED}:

    python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
    build/tools-venv/bin/python tools/make_quant_fixtures.py

For each type, `<TYPE>.blocks` holds raw blocks as stored in a GGUF file and `<TYPE>.f32`
holds `gguf.quants.dequantize()` of them (little-endian float32).
`tests/unit/test_dequantize.cpp` requires `prism::dequantize` to match them bit for bit.

Random blocks have random quant bits and fp16 scale fields chosen so values are of order
one: |d| in [max(h/8, 1e-4), h] with h = 2 / (largest |quant x sub-scale| of the type) and a
random sign; `dmin` in [max(g/8, 1e-4), g] with g = 1 / (largest min); Q4_1/Q5_1 `m` in [-1, 1].

| type | id | elements | blocks made by |
|---|---|---|---|
""" + "\n".join(rows) + "\n"
    (out_dir / "README.md").write_text(readme)
    print(f"wrote {len(rows)} fixtures to {out_dir} (gguf {gguf_version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
