#!/usr/bin/env python3
"""Splits a GGUF model into shards with the `gguf` package's own writer (tools/requirements.txt).

The shards follow llama.cpp's gguf-split layout, written by an implementation independent of
Prism's reader: "<stem>-00001-of-0000N.gguf" ..., each a complete GGUF file; the first holds all
metadata; every one holds split.no, split.count and split.tensors.count and its share of the
tensors. tests/data/models/split is made with

    python tools/make_split_fixture.py tests/data/models/tiny-llama-f32.gguf \
        tests/data/models/split/tiny-llama-f32.gguf --parts 3
"""
import argparse
import math
import pathlib

import gguf


def copy_metadata(reader, writer):
    for field in reader.fields.values():
        # GGUF.* are the reader's view of the header; the writer sets the architecture itself.
        if field.name.startswith("GGUF.") or field.name == gguf.Keys.General.ARCHITECTURE:
            continue
        if field.name.startswith("split."):
            continue
        value_type = field.types[0]
        sub_type = field.types[-1] if value_type == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), value_type, sub_type=sub_type)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=pathlib.Path)
    parser.add_argument("output", type=pathlib.Path,
                        help="the unsplit name; shards get -0000k-of-0000n before .gguf")
    parser.add_argument("--parts", type=int, default=3)
    args = parser.parse_args()

    reader = gguf.GGUFReader(args.source)
    arch = reader.fields[gguf.Keys.General.ARCHITECTURE].contents()
    per_shard = math.ceil(len(reader.tensors) / args.parts)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(args.output, arch, split_max_tensors=per_shard)
    copy_metadata(reader, writer)
    for tensor in reader.tensors:
        writer.add_tensor(tensor.name, tensor.data, raw_shape=tensor.data.shape,
                          raw_dtype=tensor.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    main()
