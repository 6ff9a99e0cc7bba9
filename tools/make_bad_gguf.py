#!/usr/bin/env python3
"""Writes tests/data/gguf-bad/: tiny GGUF files with one fault each, plus MANIFEST.tsv listing
each file and a fragment of the error the reader must report for it.

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


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "data", "gguf-bad")
    os.makedirs(out, exist_ok=True)
    lines = ["# file\texpected message fragment (generated by tools/make_bad_gguf.py)"]
    names = set()
    for name, data, fragment in cases():
        assert name not in names, name
        names.add(name)
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        lines.append(f"{name}\t{fragment}")
    with open(os.path.join(out, "MANIFEST.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(names)} files to {out}")


if __name__ == "__main__":
    main()
