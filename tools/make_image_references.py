#!/usr/bin/env python3
"""Writes the image fixtures and reference summaries under tests/data/images/.

Run with the pinned tools/requirements.txt (see tests/data/images/README.md for the command).
CI never runs this; its outputs are committed.

usage: make_image_references.py [SAMPLE_IMAGES_DIR]   (default tests/data/sample-images)

Outputs
- cat.{png,jpg,bmp,tiff,gif}, cat_lossless.webp, cat_lossy.webp, cat_rgba.png, gray.png:
  one 64x48 crop of chelsea.png in every format (the GIF has 2 frames; the second is
  different so that decoding the wrong frame fails), each with <file>.rgb = Pillow's decode
  as raw RGB8 (alpha composited on white with (c*a + 255*(255-a) + 127) // 255).
- orient_<1..8>.jpg: a 32x24 image of four coloured quadrants (red, green / blue, white when
  upright), stored so that applying its EXIF orientation makes it upright.
- png_named.jpg (a PNG with the wrong extension), not_image.png (text).
- preprocess_references.txt: what transformers' image processors give for the sample images
  (sizes, tile grid, per-image channel means and an 8x8 average-pooled grid per channel).
"""
import io
import pathlib
import sys

import numpy as np
from PIL import Image, ImageOps

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "images"
SAMPLES = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "sample-images"


def rgb_on_white(image):
    if image.mode in ("RGBA", "LA", "P", "PA") and (image.mode != "P" or "transparency" in image.info):
        rgba = np.asarray(image.convert("RGBA")).astype(np.uint32)
        a = rgba[..., 3:4]
        return ((rgba[..., :3] * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)
    return np.asarray(image.convert("RGB"))


def write_reference(path):
    with Image.open(path) as im:
        im.seek(0)
        pixels = rgb_on_white(im)
    (OUT / (path.name + ".rgb")).write_bytes(pixels.tobytes())
    return pixels.shape


def make_format_fixtures():
    src = Image.open(SAMPLES / "chelsea.png").convert("RGB")
    cat = src.crop((150, 40, 150 + 256, 40 + 192)).resize((64, 48), Image.LANCZOS)
    cat.save(OUT / "cat.png")
    cat.save(OUT / "cat.jpg", quality=90)  # 4:2:0 chroma subsampling (Pillow's default)
    cat.save(OUT / "cat.bmp")
    cat.save(OUT / "cat.tiff", compression="tiff_lzw")
    cat.save(OUT / "cat_lossless.webp", lossless=True)
    cat.save(OUT / "cat_lossy.webp", quality=80)
    frames = [cat.quantize(64), cat.transpose(Image.FLIP_LEFT_RIGHT).quantize(64)]
    frames[0].save(OUT / "cat.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    rgba = cat.convert("RGBA")
    alpha = np.tile(np.linspace(0, 255, 64).astype(np.uint8), (48, 1))
    rgba.putalpha(Image.fromarray(alpha))
    rgba.save(OUT / "cat_rgba.png")
    Image.open(SAMPLES / "camera.png").convert("L").resize((40, 40), Image.LANCZOS).save(OUT / "gray.png")
    for name in ["cat.png", "cat.jpg", "cat.bmp", "cat.tiff", "cat_lossless.webp", "cat_lossy.webp",
                 "cat.gif", "cat_rgba.png", "gray.png"]:
        print(name, write_reference(OUT / name))
    (OUT / "png_named.jpg").write_bytes((OUT / "cat.png").read_bytes())
    (OUT / "not_image.png").write_text("This is a text file, not a PNG image.\n")


# Pillow transpose that undoes each EXIF orientation (as ImageOps.exif_transpose does).
UPRIGHT_OP = {2: Image.FLIP_LEFT_RIGHT, 3: Image.ROTATE_180, 4: Image.FLIP_TOP_BOTTOM,
              5: Image.TRANSPOSE, 6: Image.ROTATE_270, 7: Image.TRANSVERSE, 8: Image.ROTATE_90}
INVERSE_OP = {Image.FLIP_LEFT_RIGHT: Image.FLIP_LEFT_RIGHT, Image.ROTATE_180: Image.ROTATE_180,
              Image.FLIP_TOP_BOTTOM: Image.FLIP_TOP_BOTTOM, Image.TRANSPOSE: Image.TRANSPOSE,
              Image.TRANSVERSE: Image.TRANSVERSE, Image.ROTATE_270: Image.ROTATE_90,
              Image.ROTATE_90: Image.ROTATE_270}


def make_orientation_fixtures():
    upright = np.zeros((24, 32, 3), np.uint8)
    upright[:12, :16] = (255, 0, 0)
    upright[:12, 16:] = (0, 255, 0)
    upright[12:, :16] = (0, 0, 255)
    upright[12:, 16:] = (255, 255, 255)
    upright_image = Image.fromarray(upright)
    for orientation in range(1, 9):
        stored = upright_image
        if orientation != 1:
            stored = upright_image.transpose(INVERSE_OP[UPRIGHT_OP[orientation]])
        exif = Image.Exif()
        exif[0x0112] = orientation
        path = OUT / f"orient_{orientation}.jpg"
        stored.save(path, quality=95, subsampling=0, exif=exif.tobytes())
        check = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB")).astype(int)
        centres = (slice(3, 9), slice(15, 21)), (slice(4, 12), slice(20, 28))
        assert check.shape == upright.shape, orientation
        for ys in centres[0]:
            for xs in centres[1]:
                assert np.abs(check[ys, xs] - upright[ys, xs]).max() < 40, orientation
    # The same EXIF tag in the other containers that carry it (PNG eXIf, TIFF IFD0, WebP EXIF).
    for orientation, suffix, options in [(6, "png", {}), (8, "tiff", {}), (3, "webp", {"lossless": True})]:
        exif = Image.Exif()
        exif[0x0112] = orientation
        stored = upright_image.transpose(INVERSE_OP[UPRIGHT_OP[orientation]])
        stored.save(OUT / f"orient_{orientation}.{suffix}", exif=exif.tobytes(), **options)
        assert ImageOps.exif_transpose(Image.open(OUT / f"orient_{orientation}.{suffix}")).size == (32, 24)


def pooled_summary(planes):
    """planes: float array [3][H][W] -> (means[3], pool[3][8][8]) with integer block bounds."""
    _, h, w = planes.shape
    means = planes.reshape(3, -1).mean(axis=1)
    pool = np.zeros((3, 8, 8))
    for gy in range(8):
        for gx in range(8):
            y0, y1 = gy * h // 8, (gy + 1) * h // 8
            x0, x1 = gx * w // 8, (gx + 1) * w // 8
            pool[:, gy, gx] = planes[:, y0:y1, x0:x1].reshape(3, -1).mean(axis=1)
    return means, pool


def qwen_patches_to_image(pixel_values, grid_thw, merge=2, patch=14, temporal=2):
    t, gh, gw = (int(v) for v in grid_thw)
    x = np.asarray(pixel_values).reshape(t, gh // merge, gw // merge, merge, merge, 3, temporal, patch, patch)
    # -> [t, temporal, 3, gh/m, m, patch, gw/m, m, patch]
    x = x.transpose(0, 6, 5, 1, 3, 7, 2, 4, 8)
    return x.reshape(t * temporal, 3, gh * patch, gw * patch)[0]


def run_processors():
    from transformers import (CLIPImageProcessor, Gemma3ImageProcessor, Idefics3ImageProcessor,
                              Qwen2VLImageProcessor)

    clip_mean = [0.48145466, 0.4578275, 0.40821073]
    clip_std = [0.26862954, 0.26130258, 0.27577711]
    idefics3 = Idefics3ImageProcessor(size={"longest_edge": 2048}, max_image_size={"longest_edge": 512},
                                      image_mean=[0.5] * 3, image_std=[0.5] * 3, do_image_splitting=True)
    gemma3 = Gemma3ImageProcessor(size={"height": 896, "width": 896}, image_mean=[0.5] * 3, image_std=[0.5] * 3)
    qwen = Qwen2VLImageProcessor(min_pixels=8 * 28 * 28, max_pixels=4096 * 28 * 28,
                                 image_mean=clip_mean, image_std=clip_std)
    clip = CLIPImageProcessor(size={"shortest_edge": 336}, crop_size={"height": 336, "width": 336},
                              image_mean=clip_mean, image_std=clip_std)

    # compare = 1: pixels comparable (no letterbox in mtmd because the aspect already fits);
    # 0: HF stretches where mtmd letterboxes, so only the sizes / grid are compared.
    cases = [("idefics3", "domestic_dog_640x480.jpg", 1), ("idefics3", "camera.png", 1),
             ("idefics3", "chelsea.png", 0), ("gemma3", "camera.png", 1),
             ("gemma3", "domestic_dog_640x480.jpg", 0), ("qwen", "camera.png", 1),
             ("qwen", "domestic_dog_640x480.jpg", 0), ("llava", "camera.png", 1)]
    lines = ["# family image compare n_images tile_rows tile_cols, then per image: size w h / mean 3 / pool 192 (c, gy, gx)"]
    for family, name, compare in cases:
        image = Image.open(SAMPLES / name).convert("RGB")
        rows = cols = 0
        if family == "idefics3":
            out = idefics3(images=[[image]], return_tensors="np", return_row_col_info=True)
            images = out["pixel_values"][0]
            rows, cols = int(out["rows"][0][0]), int(out["cols"][0][0])
        elif family == "gemma3":
            images = gemma3(images=image, return_tensors="np")["pixel_values"]
        elif family == "qwen":
            out = qwen(images=image, return_tensors="np")
            images = [qwen_patches_to_image(out["pixel_values"], out["image_grid_thw"][0])]
        else:
            images = clip(images=image, return_tensors="np")["pixel_values"]
        lines.append(f"case {family} {name} {compare} {len(images)} {rows} {cols}")
        for planes in images:
            planes = np.asarray(planes, dtype=np.float64)
            means, pool = pooled_summary(planes)
            lines.append(f"size {planes.shape[2]} {planes.shape[1]}")
            lines.append("mean " + " ".join(f"{v:.6f}" for v in means))
            lines.append("pool " + " ".join(f"{v:.5f}" for v in pool.ravel()))
        print(family, name, len(images), rows, cols, [np.asarray(p).shape for p in images[:1]])
    (OUT / "preprocess_references.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    make_format_fixtures()
    make_orientation_fixtures()
    run_processors()
