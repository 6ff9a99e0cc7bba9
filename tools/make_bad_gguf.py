#!/usr/bin/env python3
"""Writes tests/data/gguf-bad/: tiny GGUF files with one fault each, plus MANIFEST.tsv listing
each file, a fragment of the error it must produce and where: "open" (the GGUF reader),
"decoder" (the text model's hyperparameters) or "mmproj" (the vision encoder's).

Each file is built byte by byte (no gguf library) so that the fault is exactly the one named.
Run from anywhere: python3 tools/make_bad_gguf.py [output-dir]
"""
import os
import struct
import sys

# Value type ids (GGUF spec).
U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
F32_TYPE, Q8_0_TYPE = 0, 8


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def i64(v):
    return struct.pack("<q", v)


def gstr(s):
    b = s.encode() if isinstance(s, str) else s
    return u64(len(b)) + b


def header(n_tensors, n_kv, version=3, magic=b"GGUF"):
    return magic + u32(version) + u64(n_tensors) + u64(n_kv)


def kv(key, vtype, payload):
    return gstr(key) + u32(vtype) + payload


def kv_str(key, value):
    return kv(key, STRING, gstr(value))


def kv_u32(key, value):
    return kv(key, U32, u32(value))


def kv_f32(key, value):
    return kv(key, F32, struct.pack("<f", value))


def kv_f32_array(key, values):
    return kv(key, ARRAY, u32(F32) + u64(len(values)) + b"".join(struct.pack("<f", v) for v in values))


def tinfo(name, dims, ttype=F32_TYPE, offset=0):
    return gstr(name) + u32(len(dims)) + b"".join(i64(d) for d in dims) + u32(ttype) + u64(offset)


def pad(b, alignment=32):
    return b + b"\0" * (-len(b) % alignment)


ARCH = kv_str("general.architecture", "llama")


def model(kvs, infos, data_bytes, alignment=32):
    """A file with the given records; data_bytes of tensor data after the aligned table."""
    body = header(len(infos), len(kvs)) + b"".join(kvs) + b"".join(infos)
    return pad(body, alignment) + bytes((i * 7 + 1) & 0xFF for i in range(data_bytes))


def cases():
    good_tensor = tinfo("a", [4, 2])  # 32 bytes of f32
    yield "empty.gguf", b"", "truncated header: the file has 0 bytes"
    yield "truncated_header.gguf", header(0, 0)[:12], "truncated header: the file has 12 bytes"
    yield "bad_magic.gguf", header(0, 0, magic=b"GGML"), "not a GGUF file (magic 'GGML'"
    yield "version1.gguf", header(0, 0, version=1), "GGUF version 1 is not supported"
    yield "version4.gguf", header(0, 0, version=4), "unsupported GGUF version 4"
    yield "big_endian.gguf", b"GGUF" + struct.pack(">I", 3) + struct.pack(">QQ", 0, 1), \
        "big-endian GGUF file"
    yield "n_tensors_huge.gguf", header(1 << 62, 1) + ARCH, "tensor count n_tensors=4611686018427387904"
    yield "n_kv_huge.gguf", header(0, (1 << 64) - 1) + ARCH, "metadata count n_kv=18446744073709551615"
    yield "key_length_past_eof.gguf", header(0, 1) + u64(1000) + b"general.name", \
        "key of metadata entry 0 has length 1000"
    yield "string_value_past_eof.gguf", header(0, 1) + gstr("general.name") + u32(STRING) + \
        u64(1 << 40) + b"abc", "string value of key 'general.name' has length 1099511627776"
    yield "truncated_value.gguf", header(0, 1) + gstr("llama.block_count") + u32(U32) + b"\1\0", \
        "truncated: value of key 'llama.block_count'"
    yield "array_length_overflow.gguf", header(0, 1) + gstr("x.arr") + u32(ARRAY) + u32(U64) + \
        u64(1 << 61) + u64(7), "key 'x.arr' has an array length of 2305843009213693952 u64"
    yield "string_array_overflow.gguf", header(0, 1) + gstr("tokenizer.ggml.tokens") + u32(ARRAY) + \
        u32(STRING) + u64((1 << 64) - 1) + gstr("a"), \
        "key 'tokenizer.ggml.tokens' has an array length of 18446744073709551615 string"
    yield "string_array_element_past_eof.gguf", header(0, 1) + gstr("tokenizer.ggml.tokens") + \
        u32(ARRAY) + u32(STRING) + u64(2) + gstr("a") + u64(99) + b"b", \
        "element 1 of key 'tokenizer.ggml.tokens' has length 99"
    yield "bad_value_type.gguf", header(0, 1) + kv("general.name", 13, b"\0" * 8), \
        "key 'general.name' has unknown value type 13"
    yield "bad_array_element_type.gguf", header(0, 1) + kv("x.arr", ARRAY, u32(77) + u64(1) + b"\0"), \
        "key 'x.arr' is an array of unknown value type 77"
    yield "nested_array.gguf", header(0, 1) + kv("x.arr", ARRAY, u32(ARRAY) + u64(1) + u32(U8) + u64(1) + b"\0"), \
        "nested arrays are not supported"
    yield "empty_key.gguf", header(0, 1) + kv("", U16, b"\0\0"), "metadata entry 0 has an empty key"
    yield "duplicate_key.gguf", header(0, 2) + kv_str("general.name", "a") + kv_str("general.name", "b"), \
        "duplicate key 'general.name'"
    yield "alignment_not_pow2.gguf", model([ARCH, kv("general.alignment", U32, u32(48))], [], 0), \
        "general.alignment 48 is not a power of two"
    yield "alignment_zero.gguf", model([kv("general.alignment", U32, u32(0))], [], 0), \
        "general.alignment 0 is not a power of two"
    yield "alignment_wrong_type.gguf", model([kv("general.alignment", U64, u64(32))], [], 0), \
        "general.alignment must be u32, found u64"
    yield "n_dims_5.gguf", model([ARCH], [tinfo("blk.0.attn_q.weight", [2, 2, 2, 2, 2])], 128), \
        "tensor 'blk.0.attn_q.weight' has 5 dimensions (at most 4)"
    yield "zero_dim.gguf", model([ARCH], [tinfo("output_norm.weight", [8, 0])], 32), \
        "tensor 'output_norm.weight' dimension 1 is 0 (must be positive)"
    yield "negative_dim.gguf", model([ARCH], [tinfo("output_norm.weight", [-4])], 32), \
        "tensor 'output_norm.weight' dimension 0 is -4 (must be positive)"
    yield "element_count_overflow.gguf", model([ARCH], [tinfo("token_embd.weight", [1 << 32, 1 << 32])], 32), \
        "tensor 'token_embd.weight' element count overflows"
    yield "byte_size_overflow.gguf", model([ARCH], [tinfo("token_embd.weight", [1 << 31, 1 << 31])], 32), \
        "tensor 'token_embd.weight' byte size overflows"
    yield "unknown_tensor_type.gguf", model([ARCH], [tinfo("a", [4], ttype=99)], 32), \
        "tensor 'a' has unknown tensor type id 99"
    yield "block_size_mismatch.gguf", model([ARCH], [tinfo("a", [20, 2], ttype=Q8_0_TYPE)], 64), \
        "tensor 'a' row length ne[0]=20 is not a multiple of the Q8_0 block size 32"
    yield "misaligned_offset.gguf", model([ARCH], [tinfo("a", [4], offset=0), tinfo("b", [4], offset=20)], 64), \
        "tensor 'b' data offset 20 is not a multiple of the alignment 32"
    yield "tensor_data_past_eof.gguf", model([ARCH], [tinfo("blk.0.attn_q.weight", [8, 8])], 100), \
        "tensor 'blk.0.attn_q.weight' data [128, 384) lies past the end of the file (size 228)"
    yield "tensor_offset_huge.gguf", model([ARCH], [tinfo("a", [4], offset=1 << 63)], 32), \
        "tensor 'a' data offset 9223372036854775808 lies past the end of the file"
    yield "data_section_past_eof.gguf", header(1, 1) + ARCH + good_tensor, \
        "tensor data section starts at 128, past the end of the file"
    yield "truncated_tensor_info.gguf", (header(1, 1) + ARCH + good_tensor)[:-6], \
        "truncated: data offset of tensor 'a'"
    yield "overlapping_tensors.gguf", model([ARCH], [tinfo("a", [16], offset=0), tinfo("b", [8], offset=32)], 64), \
        "tensors 'a' [160, 224) and 'b' [192, 224) overlap"
    yield "duplicate_tensor.gguf", model([ARCH], [tinfo("a", [4], offset=0), tinfo("a", [4], offset=32)], 64), \
        "duplicate tensor 'a'"
    yield "empty_tensor_name.gguf", model([ARCH], [tinfo("", [4])], 32), "tensor 0 has an empty name"
    # Names are printed escaped (a NUL no longer cuts the message) and capped.
    yield "nul_in_tensor_name.gguf", model([ARCH], [tinfo(b"blk.0\0attn_q.weight", [2, 2, 2, 2, 2])], 128), \
        "tensor 'blk.0\\x00attn_q.weight' has 5 dimensions (at most 4)"
    yield "long_key_name.gguf", header(0, 1) + kv("k" * 100000, 13, b"\0" * 8), \
        "key '" + "k" * 80 + "... (100000 bytes)' has unknown value type 13"


def llama(**changes):
    """The metadata of a tiny llama decoder with some values replaced (None drops a key)."""
    values = {
        "general.architecture": kv_str("general.architecture", "llama"),
        "llama.block_count": kv_u32("llama.block_count", 2),
        "llama.embedding_length": kv_u32("llama.embedding_length", 32),
        "llama.feed_forward_length": kv_u32("llama.feed_forward_length", 64),
        "llama.attention.head_count": kv_u32("llama.attention.head_count", 4),
        "llama.attention.head_count_kv": kv_u32("llama.attention.head_count_kv", 2),
        "llama.context_length": kv_u32("llama.context_length", 128),
        "llama.attention.layer_norm_rms_epsilon": kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5),
    }
    for key, record in changes.items():
        values[key] = record
    return model([r for r in values.values() if r is not None], [], 0)


def mmproj(**changes):
    """The metadata of a tiny idefics3 mmproj (and its projector matrix) with some values replaced."""
    p = "clip.vision."
    values = {
        "general.architecture": kv_str("general.architecture", "clip"),
        "clip.has_vision_encoder": kv("clip.has_vision_encoder", BOOL, b"\1"),
        "clip.projector_type": kv_str("clip.projector_type", "idefics3"),
        p + "embedding_length": kv_u32(p + "embedding_length", 32),
        p + "feed_forward_length": kv_u32(p + "feed_forward_length", 64),
        p + "block_count": kv_u32(p + "block_count", 2),
        p + "attention.head_count": kv_u32(p + "attention.head_count", 4),
        p + "attention.layer_norm_epsilon": kv_f32(p + "attention.layer_norm_epsilon", 1e-6),
        p + "image_size": kv_u32(p + "image_size", 64),
        p + "patch_size": kv_u32(p + "patch_size", 16),
        p + "image_mean": kv_f32_array(p + "image_mean", [0.5, 0.5, 0.5]),
        p + "image_std": kv_f32_array(p + "image_std", [0.5, 0.5, 0.5]),
    }
    for key, record in changes.items():
        values[p + key] = record
    return model(list(values.values()), [tinfo("mm.model.fc.weight", [4, 8])], 4 * 8 * 4)


def hparams_cases():
    nan, inf = float("nan"), float("inf")
    eps = "llama.attention.layer_norm_rms_epsilon"
    yield "nan_rms_epsilon.gguf", llama(**{eps: kv_f32(eps, nan)}), \
        "key llama.attention.layer_norm_rms_epsilon = nan: must be a finite number > 0"
    yield "negative_rms_epsilon.gguf", llama(**{eps: kv_f32(eps, -1e-5)}), \
        "key llama.attention.layer_norm_rms_epsilon = -1e-05: must be a finite number > 0"
    yield "infinite_rope_theta.gguf", llama(**{"llama.rope.freq_base": kv_f32("llama.rope.freq_base", inf)}), \
        "key llama.rope.freq_base = inf: must be a finite number > 0"
    yield "negative_rope_scaling.gguf", llama(**{"llama.rope.scaling.factor": kv_f32("llama.rope.scaling.factor", -2)}), \
        "key llama.rope.scaling.factor = -2: must be a finite number >= 0"
    yield "head_count_kv_not_dividing.gguf", llama(**{"llama.attention.head_count_kv": kv_u32("llama.attention.head_count_kv", 3)}), \
        "key llama.attention.head_count_kv = 3: does not divide head_count 4"
    yield "zero_context_length.gguf", llama(**{"llama.context_length": kv_u32("llama.context_length", 0)}), \
        "key llama.context_length = 0: must be at least 1"
    yield "huge_embedding_length.gguf", llama(**{"llama.embedding_length": kv_u32("llama.embedding_length", 1 << 30),
                                                 "llama.attention.key_length": kv_u32("llama.attention.key_length", 8)}), \
        "key llama.embedding_length = 1073741824: more than 16777216"
    long_arch = "a" * 102400
    yield "long_architecture_name.gguf", llama(**{"general.architecture": kv_str("general.architecture", long_arch)}), \
        "architecture '" + "a" * 80 + "... (102400 bytes)' is not supported"


def mmproj_cases():
    nan = float("nan")
    yield "mmproj_nan_epsilon.gguf", mmproj(**{"attention.layer_norm_epsilon": kv_f32("clip.vision.attention.layer_norm_epsilon", nan)}), \
        "key clip.vision.attention.layer_norm_epsilon = nan: must be a finite number > 0"
    yield "mmproj_zero_image_std.gguf", mmproj(image_std=kv_f32_array("clip.vision.image_std", [0.5, 0.0, 0.5])), \
        "image preprocessing: image_std[1] is zero"
    yield "mmproj_patch_larger_than_image.gguf", mmproj(patch_size=kv_u32("clip.vision.patch_size", 128)), \
        "key clip.vision.patch_size = 128: larger than image_size 64"


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "data", "gguf-bad")
    os.makedirs(out, exist_ok=True)
    lines = ["# file\texpected message fragment\tstage (generated by tools/make_bad_gguf.py)"]
    names = set()
    for stage, stage_cases in (("open", cases()), ("decoder", hparams_cases()), ("mmproj", mmproj_cases())):
        for name, data, fragment in stage_cases:
            assert name not in names, name
            names.add(name)
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
            lines.append(f"{name}\t{fragment}\t{stage}")
    with open(os.path.join(out, "MANIFEST.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(names)} files to {out}")


if __name__ == "__main__":
    main()
