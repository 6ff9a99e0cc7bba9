#!/usr/bin/env bash
# Saves docs/screenshot.png: the app under Xvfb with the demo model, a question about a picture
# (a second picture waits in the composer), and the model's real streamed answer.
# Usage: tools/take_screenshot.sh [BUILD_DIR] [OUT.png]   (needs xvfb: xvfb-run)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
out="${2:-docs/screenshot.png}"
images="${PRISM_SCREENSHOT_IMAGES:-tests/data/sample-images}"
if [ ! -x "$build/app/prism" ]; then
  cmake --preset "$(basename "$build")" >/dev/null
  cmake --build "$build" --target prism
fi
# A fresh profile, so the user's settings and history neither show nor change.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
export XDG_CONFIG_HOME="$profile/config" XDG_DATA_HOME="$profile/data" XDG_CACHE_HOME="$profile/cache"
# The software scene graph: the same pixels on every machine, no GL needed under Xvfb.
export QT_QPA_PLATFORM=xcb QT_QUICK_BACKEND=software
xvfb-run -a -s "-screen 0 1280x860x24" \
  "$build/app/prism" --screenshot "$out" --theme light \
  --image "$images/chelsea.png" --image "$images/domestic_dog_640x480.jpg"
