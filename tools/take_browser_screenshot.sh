#!/usr/bin/env bash
# Saves a screenshot of the model browser (docs/model-browser.png by default): the app under
# Xvfb, pointed at tests/ui/hub/hub_server.py on loopback (slow, so that downloads are caught
# mid-way), with a search, a repository's files and two downloads in progress. Clicks are
# made with xdotool at the dialog's positions in a 1280x800 screen.
# Usage: tools/take_browser_screenshot.sh [BUILD_DIR] [OUT.png]   (needs xvfb-run, xdotool, import)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
out="${2:-docs/model-browser.png}"
profile="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$profile"
}
trap cleanup EXIT
python3 tests/ui/hub/hub_server.py --root . --repos tests/ui/hub/hub_repos.json \
  --log "$profile/requests.log" --slow-ms 150 >"$profile/server.out" &
server_pid=$!
for _ in $(seq 100); do grep -q PORT "$profile/server.out" 2>/dev/null && break; sleep 0.2; done
port=$(awk '/PORT/ {print $2}' "$profile/server.out")
export PRISM_HUB_URL="http://127.0.0.1:$port"
export XDG_CONFIG_HOME="$profile/config" XDG_DATA_HOME="$profile/data" XDG_CACHE_HOME="$profile/cache"
export QT_QPA_PLATFORM=xcb QT_QUICK_BACKEND=software
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -e
  "$0" --theme light & app=$!
  sleep "${PRISM_SCREENSHOT_START_S:-8}"
  xdotool search --sync --name "^Prism" windowmove 0 0 windowsize 1280 800 windowfocus
  sleep 1
  xdotool key ctrl+d; sleep 1
  xdotool type --delay 50 "tiny"; xdotool key Return; sleep 2
  xdotool mousemove 300 232 click 1; sleep 15         # the second repository (vision)
  xdotool mousemove 1076 198 click 1; sleep 4         # Download on the first file
  import -window root "$1"
  kill $app' "$build/app/prism" "$out"
echo "saved $out"
