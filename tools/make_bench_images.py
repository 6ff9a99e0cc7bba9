#!/usr/bin/env python3
"""Writes the two default images of `prism-bench image` into tests/data/images:
bench_512x512.jpg (the centre 300x300 square of chelsea.png, CC0) and bench_1024x768.jpg
(domestic_dog_640x480.jpg, CDLA-Permissive-1.0), both from tests/data/sample-images, upscaled
with Pillow's bicubic filter and saved as baseline JPEG, quality 90. Their content does not
matter to the benchmark; their size and format do.

usage: tools/make_bench_images.py [SAMPLE_IMAGES_DIR]   (default tests/data/sample-images)
"""
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "sample-images"
    out = ROOT / "tests" / "data" / "images"
    cat = Image.open(src / "chelsea.png").convert("RGB")
    side = min(cat.size)
    left, top = (cat.width - side) // 2, (cat.height - side) // 2
    square = cat.crop((left, top, left + side, top + side))
    square.resize((512, 512), Image.BICUBIC).save(out / "bench_512x512.jpg", quality=90)
    dog = Image.open(src / "domestic_dog_640x480.jpg").convert("RGB")
    dog.resize((1024, 768), Image.BICUBIC).save(out / "bench_1024x768.jpg", quality=90)


if __name__ == "__main__":
    main()
