#!/usr/bin/env bash
# Saves docs/composer-media.png: the app under Xvfb with the demo model, a question sent with a
# picture, a sound and a video (their chips in the conversation, the model's real answer), and
# a sound and a video waiting in the composer, which says what the text-only demo model cannot
# take (and, when PRISM_WHISPER_MODEL names a Whisper GGUF, offers to transcribe the sound).
# Usage: tools/take_composer_media_screenshot.sh [BUILD_DIR] [OUT.png]   (needs xvfb-run)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
out="${2:-docs/composer-media.png}"
data=tests/data
if [ ! -x "$build/app/prism" ]; then
  cmake --preset "$(basename "$build")" >/dev/null
  cmake --build "$build" --target prism
fi
# A fresh profile, so the user's settings and history neither show nor change.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
export XDG_CONFIG_HOME="$profile/config" XDG_DATA_HOME="$profile/data" XDG_CACHE_HOME="$profile/cache"
export QT_QPA_PLATFORM=xcb QT_QUICK_BACKEND=software
xvfb-run -a -s "-screen 0 1280x860x24" \
  "$build/app/prism" --screenshot "$out" --theme light \
  --question "What do the picture, the recording and the clip have in common?" \
  --image "$data/sample-images/chelsea.png" --image "$data/audio/jfk.wav" \
  --image "$data/video/bench_640x360.mp4" \
  --attach "$data/audio/jfk.mp3" --attach "$data/video/colours_h264_aac.mp4"
# The window has few colours: 256 keep the picture as it is and the file small.
if command -v convert >/dev/null; then
  convert "$out" -strip -colors 256 -define png:compression-level=9 "$out"
fi
