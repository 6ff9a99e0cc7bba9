#!/usr/bin/env bash
# Renders resources/icons/prism-<size>.png from resources/icons/prism.svg (ImageMagick with its
# SVG delegate, or rsvg-convert from librsvg2-bin). The PNGs are committed so that building
# the package needs no SVG renderer.
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for size in 16 24 32 48 64 128 256 512; do
  if command -v rsvg-convert >/dev/null; then
    rsvg-convert -w "$size" -h "$size" prism.svg -o "prism-$size.png"
  else
    convert -background none -density 384 prism.svg -resize "${size}x${size}" -strip \
      "png32:prism-$size.png"
  fi
done
