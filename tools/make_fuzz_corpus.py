#!/usr/bin/env python3
"""Writes the seed inputs of the fuzzers in tests/fuzz, one folder per target under
tests/fuzz/corpus.

gguf (fuzz_gguf.cpp): from each GGUF in the --gguf-folder folders (by default the repository's
  published GGUF files: resources/models, tests/data/published-models, tests/data/vocab) two
  small seeds:
  <stem>.table.gguf  header + metadata + tensor table, cut before the tensor data
                     (real-world records; the reader then stops at the data checks)
  <stem>.small.gguf  a valid file with the same keys and tensor names/types/ranks, but every
                     array cut to a few elements, long strings cut, and each tensor shrunk to
                     one block so the data section stays tiny
  and the hand-made bad files from tests/data/gguf-bad.
mmproj (fuzz_mmproj.cpp): each mmproj fixture of tests/data/vlm and tests/data/vision, shrunk
  to one block and a quarter of its widths (patch 2, same patch grid), so that the encoder's
  checks all pass on a few KB; tensor bytes are the first bytes of the fixture's own. A second
  copy (<family>.all-keys.gguf) adds every optional key at its default, for the fuzzer to vary.
image (fuzz_image.cpp): the small images of tests/data/images, as they are.
video (fuzz_video.cpp): the three smallest clips of tests/data/video (Matroska, MOV, MP4 with a
  display matrix), as they are.
chat_template (fuzz_chat_template.cpp): each template of tests/data/chat with each conversation
  of cases.txt, in the fuzzer's NUL-separated form (source, BOS, EOS, options, messages).
vad_model (fuzz_vad_model.cpp): the Silero VAD model of tests/data/vad cut after its header and
  first tensor header (tensor.head) and at the fuzzers' 64 KiB input cap (first-tensors); the
  full file (885 KB) is past that cap.
whisper_ggml (fuzz_whisper_ggml.cpp): whisper.cpp Whisper files made here (tools/
  convert_ct2_to_whisper_ggml.py's layout), cut at the 64 KiB input cap: one with the GPT-2
  vocabulary of tests/data/vocab/ggml-vocab-gpt-2.gguf (Whisper English's regular tokens; the
  cap falls inside it), one with no vocabulary (padded by the reader) and a 32-wide, one-layer
  model whose encoder tensors (f32, f16, q8_0) fit under the cap.
Every target also gets the inputs that once found a bug in it (tests/data/fuzz/<target>).

usage: python3 tools/make_fuzz_corpus.py [--gguf-folder DIR ...] [TARGET ...]   (default: all)
"""
import argparse
import os
import shutil
import struct

ARRAY, STRING = 9, 8
SCALAR_SIZE = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
# type id -> (elements per block, bytes per block)
BLOCKS = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
          9: (32, 36), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176),
          14: (256, 210), 15: (256, 292), 20: (32, 18), 24: (1, 1), 25: (1, 2), 26: (1, 4),
          30: (1, 2)}
MAX_ARRAY = 8
VIDEO_SEEDS = ("colours_h264.mkv", "colours_mpeg4.mov", "colours_rotated.mp4")
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


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data")


def write_gguf_seeds(out, folders):
    for folder in folders:
        if not os.path.isdir(folder):
            raise SystemExit(f"error: {folder} is not a folder")
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".gguf"):
                continue
            with open(os.path.join(folder, name), "rb") as f:
                cut, small = seeds(f.read())
            stem = name[:-5]
            for suffix, blob in (("table", cut), ("small", small)):
                with open(os.path.join(out, f"{stem}.{suffix}.gguf"), "wb") as f:
                    f.write(blob)
    bad = os.path.join(DATA, "gguf-bad")
    for name in sorted(os.listdir(bad)):
        if name.endswith(".gguf"):
            shutil.copyfile(os.path.join(bad, name), os.path.join(out, "bad." + name))


U32, I32 = 4, 5
# clip.vision.* keys scaled with the widths; the others get fixed small values below.
WIDTH_KEYS = (b"embedding_length", b"feed_forward_length", b"projection_dim")
WIDTH_DIVISOR, PATCH = 4, 2


def u32_value(key, value):
    return struct.pack("<Q", len(key)) + key + struct.pack("<II", U32, value)


def optional_mmproj_keys(values):
    """The optional clip.vision.* keys the reader knows, at the values it assumes without them."""
    width = struct.unpack("<I", values[b"clip.vision.embedding_length"])[0] // WIDTH_DIVISOR
    heads = struct.unpack("<I", values[b"clip.vision.attention.head_count"])[0]
    merge = 2
    cell = (PATCH * merge) ** 2
    return [u32_value(b"clip.vision.attention.head_dim", width // heads),
            u32_value(b"clip.vision.spatial_merge_size", merge),
            u32_value(b"clip.vision.image_min_pixels", 8 * cell),
            u32_value(b"clip.vision.image_max_pixels", 4096 * cell),
            u32_value(b"clip.vision.window_size", 112)]


def shrink_mmproj(data, extra_keys=False):
    """An mmproj with the same keys and tensor names, one block, widths / 4 and patch 2; with
    extra_keys, also every optional key the reader knows, at its default."""
    r = Reader(data)
    assert r.take(4) == b"GGUF"
    version, n_tensors, n_kv = r.u32(), r.u64(), r.u64()
    raw = []
    for _ in range(n_kv):
        key, vtype = r.string(), r.u32()
        start = r.pos
        shrink_value(r, vtype)
        raw.append((key, vtype, data[start:r.pos]))
    values = dict((k, v) for k, _, v in raw)
    patch = struct.unpack("<I", values[b"clip.vision.patch_size"])[0]
    # Qwen takes any multiple of its patch and keeps its image_size; the others keep the grid.
    qwen = b"qwen" in values.get(b"clip.projector_type", b"")
    image_scale = 1 if qwen else patch // PATCH

    def replaced(key, vtype, value):
        name = key.split(b".")[-1]
        if vtype == U32 and key.startswith(b"clip.vision.") and name in WIDTH_KEYS:
            return struct.pack("<I", max(1, struct.unpack("<I", value)[0] // WIDTH_DIVISOR))
        if key == b"clip.vision.patch_size":
            return struct.pack("<I", PATCH)
        if key in (b"clip.vision.image_size", b"clip.vision.preproc_image_size"):
            return struct.pack("<I", struct.unpack("<I", value)[0] // image_scale)
        if key == b"clip.vision.block_count":
            return struct.pack("<I", 1)
        if key == b"clip.vision.feature_layer":  # LLaVA taps the output of the one block
            return struct.pack("<IQi", I32, 1, 1)
        return value

    kvs = [struct.pack("<Q", len(k)) + k + struct.pack("<I", t) + replaced(k, t, v)
           for k, t, v in raw]
    if extra_keys:
        kvs += [kv for kv in optional_mmproj_keys(values)
                if kv[8:8 + struct.unpack("<Q", kv[:8])[0]] not in values]
    infos = []
    for _ in range(n_tensors):
        name, n_dims = r.string(), r.u32()
        dims = [r.u64() for _ in range(n_dims)]
        infos.append((name, dims, r.u32(), r.u64()))
    data_start = r.pos + (-r.pos % 32)
    table, blobs, offset = [], [], 0
    for name, dims, ttype, source_offset in infos:
        if name.startswith(b"v.blk.") and not name.startswith(b"v.blk.0."):
            continue
        if name.startswith(b"v.patch_embd.weight"):
            new_dims = [PATCH, PATCH] + [d // WIDTH_DIVISOR if i == 3 else d
                                         for i, d in enumerate(dims[2:], 2)]
        elif name == b"v.position_embd.weight":  # rows: the patch grid, unchanged
            new_dims = [dims[0] // WIDTH_DIVISOR] + dims[1:]
        else:
            new_dims = [d // WIDTH_DIVISOR for d in dims]
        block_elems, block_bytes = BLOCKS[ttype]
        count = 1
        for d in new_dims:
            count *= d
        size = count // block_elems * block_bytes
        source = data_start + source_offset
        blobs.append(data[source:source + size] + b"\0" * (-size % 32))
        table.append(struct.pack("<Q", len(name)) + name + struct.pack("<I", len(new_dims)) +
                     b"".join(struct.pack("<Q", d) for d in new_dims) +
                     struct.pack("<IQ", ttype, offset))
        offset += size + (-size % 32)
    head = b"GGUF" + struct.pack("<IQQ", version, len(table), len(kvs))
    out = head + b"".join(kvs) + b"".join(table)
    return out + b"\0" * (-len(out) % 32) + b"".join(blobs)


def write_mmproj_seeds(out):
    for folder in ("vlm", "vision"):
        base = os.path.join(DATA, folder)
        for family in sorted(os.listdir(base)):
            path = os.path.join(base, family, "mmproj.gguf")
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            for suffix, extra_keys in ((".gguf", False), (".all-keys.gguf", True)):
                with open(os.path.join(out, family + suffix), "wb") as f:
                    f.write(shrink_mmproj(data, extra_keys))


# Every small image fixture (the bench_* photos are too large to be useful seeds).
IMAGE_SUFFIXES = (".jpg", ".png", ".gif", ".bmp", ".tiff", ".webp")


def write_image_seeds(out):
    folder = os.path.join(DATA, "images")
    for name in sorted(os.listdir(folder)):
        if name.endswith(IMAGE_SUFFIXES) and not name.startswith("bench_"):
            shutil.copyfile(os.path.join(folder, name), os.path.join(out, name))


def unescape_case(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(text[i + 1], "\\" + text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def chat_cases():
    cases, current = {}, None
    with open(os.path.join(DATA, "chat", "cases.txt"), encoding="utf-8") as f:
        for line in f.read().splitlines():
            head, _, rest = line.partition(" ")
            if head == "case":
                current = cases.setdefault(rest, [])
            elif current is not None and rest:
                current.append((head[0], unescape_case(rest)))
    return cases


def write_chat_template_seeds(out):
    folder = os.path.join(DATA, "chat")
    cases = chat_cases()
    with open(os.path.join(folder, "templates.tsv"), encoding="utf-8") as f:
        rows = [line.split("\t") for line in f.read().splitlines() if line]
    for name, bos, eos, date in rows:
        with open(os.path.join(folder, "templates", name + ".jinja"), encoding="utf-8") as f:
            source = f.read()
        options = "g" + ("d" if date != "-" else "") + ("i" if "smolvlm" in name else "")
        for case, messages in sorted(cases.items()):
            fields = [source, "" if bos == "-" else bos, "" if eos == "-" else eos, options]
            fields += [role + content for role, content in messages]
            with open(os.path.join(out, f"{name}.{case}"), "wb") as f:
                f.write("\0".join(fields).encode("utf-8"))


def write_vad_model_seeds(out):
    with open(os.path.join(DATA, "vad", "silero-v6.2.0-ggml.bin"), "rb") as f:
        data = f.read()
    # 106 header bytes, then the first tensor's 60-byte header (3 dims, a 36-byte name).
    for name, size in (("silero-v6.2.0.tensor.head", 166), ("silero-v6.2.0.first-tensors", 65536)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data[:size])


def whisper_ggml_header(n_vocab, n_state, n_layer, n_mels, mel_filters):
    head = struct.pack("<12i", 0x67676D6C, n_vocab, 4, n_state, n_state // 8, n_layer, 4, n_state,
                       n_state // 8, n_layer, n_mels, 1)
    return head + struct.pack("<2i", *mel_filters) + b"\0" * (4 * mel_filters[0] * mel_filters[1])


def whisper_ggml_tensor(name, ne, ttype):
    elements = 1
    for n in ne:
        elements *= n
    size = {0: elements * 4, 1: elements * 2, 8: elements // 32 * 34}[ttype]
    data = bytes((i * 7) % 251 for i in range(size))
    if ttype == 1:  # f16 values from 0.0 up, finite
        data = b"".join(struct.pack("<e", (i % 64) / 64.0) for i in range(elements))
    encoded = name.encode()
    return struct.pack(f"<3i{len(ne)}i", len(ne), len(encoded), ttype, *ne) + encoded + data


def write_whisper_ggml_seeds(out):
    cap = 65536
    with open(os.path.join(DATA, "vocab", "ggml-vocab-gpt-2.gguf"), "rb") as f:
        tokens = tokens_of_gguf(f.read())
    byte_of = {c: b for b, c in gpt2_bytes_to_unicode().items()}
    vocab = struct.pack("<i", 50256)
    for t in tokens[:50256]:
        raw = bytes(byte_of[c] for c in t)
        vocab += struct.pack("<i", len(raw)) + raw
    seed = whisper_ggml_header(51864, 384, 4, 80, (80, 201)) + vocab
    with open(os.path.join(out, "tiny-en.vocab"), "wb") as f:
        f.write(seed[:cap])
    d, f_ = 32, 128
    body = b""
    body += whisper_ggml_tensor("encoder.conv1.weight", [3, 80, d], 1)
    body += whisper_ggml_tensor("encoder.conv1.bias", [1, d], 0)
    body += whisper_ggml_tensor("encoder.conv2.weight", [3, d, d], 1)
    body += whisper_ggml_tensor("encoder.conv2.bias", [1, d], 0)
    body += whisper_ggml_tensor("encoder.positional_embedding", [d, 4], 0)
    p = "encoder.blocks.0."
    for norm in ("attn_ln", "mlp_ln"):
        body += whisper_ggml_tensor(p + norm + ".weight", [d], 0)
        body += whisper_ggml_tensor(p + norm + ".bias", [d], 0)
    for name, ne, bias in (("attn.query", [d, d], True), ("attn.key", [d, d], False),
                           ("attn.value", [d, d], True), ("attn.out", [d, d], True),
                           ("mlp.0", [d, f_], True), ("mlp.2", [f_, d], True)):
        body += whisper_ggml_tensor(p + name + ".weight", ne, 8)
        if bias:
            body += whisper_ggml_tensor(p + name + ".bias", [ne[1]], 0)
    body += whisper_ggml_tensor("encoder.ln_post.weight", [d], 0)
    body += whisper_ggml_tensor("encoder.ln_post.bias", [d], 0)
    seed = whisper_ggml_header(51865, d, 1, 80, (0, 0)) + struct.pack("<i", 0) + body
    with open(os.path.join(out, "small-no-vocab.encoder"), "wb") as f:
        f.write(seed[:cap])


def tokens_of_gguf(data):
    """tokenizer.ggml.tokens of a GGUF file."""
    r = Reader(data)
    r.take(8)
    r.u64()
    n_kv = r.u64()
    for _ in range(n_kv):
        key = r.string()
        vtype = r.u32()
        if key == b"tokenizer.ggml.tokens":
            r.u32()
            return [r.string().decode("utf-8") for _ in range(r.u64())]
        shrink_value(r, vtype)
    raise SystemExit("no tokenizer.ggml.tokens")


def gpt2_bytes_to_unicode():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + \
        list(range(ord("\u00ae"), ord("\u00ff") + 1))
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


def write_regression_seeds(out, target):
    """The inputs that once found a bug (tests/data/fuzz/<target>), so that every run retries them."""
    folder = os.path.join(DATA, "fuzz", target)
    if os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            shutil.copyfile(os.path.join(folder, name), os.path.join(out, "regression." + name))


def main():
    targets = ("gguf", "mmproj", "image", "video", "chat_template", "vad_model", "whisper_ggml")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf-folder", action="append", dest="gguf_folders",
                        help="a folder of GGUF files to seed fuzz_gguf (repeatable)")
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=" | ".join(targets))
    args = parser.parse_args()
    for target in args.targets or targets:
        if target not in targets:
            parser.error(f"unknown target {target}")
        out = os.path.join(ROOT, "tests", "fuzz", "corpus", target)
        os.makedirs(out, exist_ok=True)
        if target == "gguf":
            write_gguf_seeds(out, args.gguf_folders or [
                os.path.join(ROOT, "resources", "models"),
                os.path.join(DATA, "published-models"),
                os.path.join(DATA, "vocab")])
        elif target == "mmproj":
            write_mmproj_seeds(out)
        elif target == "image":
            write_image_seeds(out)
        elif target == "video":
            for name in VIDEO_SEEDS:
                shutil.copyfile(os.path.join(DATA, "video", name), os.path.join(out, name))
        elif target == "vad_model":
            write_vad_model_seeds(out)
        elif target == "whisper_ggml":
            write_whisper_ggml_seeds(out)
        else:
            write_chat_template_seeds(out)
        write_regression_seeds(out, target)
        names = os.listdir(out)
        total = sum(os.path.getsize(os.path.join(out, n)) for n in names)
        print(f"{target}: {len(names)} seeds in {out} ({total} bytes)")


if __name__ == "__main__":
    main()
