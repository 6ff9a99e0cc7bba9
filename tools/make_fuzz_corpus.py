#!/usr/bin/env python3
"""Writes seed inputs for the GGUF fuzzer (tests/fuzz/fuzz_gguf.cpp).

From each GGUF in the given folders (by default the repository's published GGUF files:
resources/models, tests/data/published-models and tests/data/vocab) it writes two small seeds:
  <stem>.table.gguf  header + metadata + tensor table, cut before the tensor data
                     (real-world records; the reader then stops at the data checks)
  <stem>.small.gguf  a valid file with the same keys and tensor names/types/ranks, but every
                     array cut to a few elements, long strings cut, and each tensor shrunk to
                     one block so the data section stays tiny
It also copies the hand-made bad files from tests/data/gguf-bad.

usage: python3 tools/make_fuzz_corpus.py [--out DIR] [GGUF_FOLDER ...]
(default output: tests/fuzz/corpus/gguf)
"""
import argparse
import os
import shutil
import struct
import sys

ARRAY, STRING = 9, 8
SCALAR_SIZE = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
# type id -> (elements per block, bytes per block)
BLOCKS = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
          9: (32, 36), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176),
          14: (256, 210), 15: (256, 292), 20: (32, 18), 24: (1, 1), 25: (1, 2), 26: (1, 4),
          30: (1, 2)}
MAX_ARRAY = 8
MAX_STRING = 64


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        b = self.data[self.pos:self.pos + n]
        if len(b) != n:
            raise ValueError("truncated")
        self.pos += n
        return b

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def string(self):
        return self.take(self.u64())


def gstr(b):
    b = b[:MAX_STRING]
    return struct.pack("<Q", len(b)) + b


def shrink_value(r, vtype):
    """Reads one value and returns its encoding with arrays and strings shortened."""
    if vtype == STRING:
        return gstr(r.string())
    if vtype == ARRAY:
        etype, count = r.u32(), r.u64()
        kept = []
        for i in range(count):
            item = shrink_value(r, etype)
            if i < MAX_ARRAY:
                kept.append(item)
        return struct.pack("<IQ", etype, len(kept)) + b"".join(kept)
    return r.take(SCALAR_SIZE[vtype])


def seeds(data):
    r = Reader(data)
    assert r.take(4) == b"GGUF"
    version, n_tensors, n_kv = r.u32(), r.u64(), r.u64()
    kvs, alignment = [], 32
    for _ in range(n_kv):
        key, vtype = r.string(), r.u32()
        start = r.pos
        value = shrink_value(r, vtype)
        if key == b"general.alignment":
            alignment = struct.unpack("<I", data[start:start + 4])[0]
        kvs.append(struct.pack("<Q", len(key)) + key + struct.pack("<I", vtype) + value)
    head = b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv) + b"".join(kvs)
    table, small_table, data_size = [], [], 0
    for _ in range(n_tensors):
        name, n_dims = r.string(), r.u32()
        dims = [r.u64() for _ in range(n_dims)]
        ttype, offset = r.u32(), r.u64()
        table.append(struct.pack("<Q", len(name)) + name + struct.pack("<I", n_dims) +
                     b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", ttype, offset))
        block_elems, block_bytes = BLOCKS[ttype]
        small_dims = [block_elems] + [1] * (n_dims - 1) if n_dims else []
        small_table.append(struct.pack("<Q", len(name)) + name + struct.pack("<I", n_dims) +
                           b"".join(struct.pack("<Q", d) for d in small_dims) +
                           struct.pack("<IQ", ttype, data_size))
        data_size += -(-block_bytes // alignment) * alignment
    cut = head + b"".join(table)
    small = head + b"".join(small_table)
    if n_tensors:
        small += b"\0" * (-len(small) % alignment) + bytes(i & 0xFF for i in range(data_size))
    return cut, small


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(root, "tests", "fuzz", "corpus", "gguf"))
    parser.add_argument("folders", nargs="*", default=[
        os.path.join(root, "resources", "models"),
        os.path.join(root, "tests", "data", "published-models"),
        os.path.join(root, "tests", "data", "vocab")])
    args = parser.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    written = 0
    for folder in args.folders:
        if not os.path.isdir(folder):
            sys.exit(f"error: {folder} is not a folder")
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".gguf"):
                continue
            with open(os.path.join(folder, name), "rb") as f:
                cut, small = seeds(f.read())
            stem = name[:-5]
            for suffix, blob in (("table", cut), ("small", small)):
                with open(os.path.join(out, f"{stem}.{suffix}.gguf"), "wb") as f:
                    f.write(blob)
                written += 1
    bad = os.path.join(root, "tests", "data", "gguf-bad")
    for name in sorted(os.listdir(bad)):
        if name.endswith(".gguf"):
            shutil.copyfile(os.path.join(bad, name), os.path.join(out, "bad." + name))
            written += 1
    total = sum(os.path.getsize(os.path.join(out, n)) for n in os.listdir(out))
    print(f"wrote {written} seeds to {out} ({total} bytes)")


if __name__ == "__main__":
    main()
