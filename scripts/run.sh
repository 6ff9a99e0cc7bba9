#!/usr/bin/env bash
# Builds Prism (optimised) and starts the desktop app `prism` (arguments go to it, e.g. a
# model file). `scripts/run.sh cli ARGS...` starts prism-cli with ARGS instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
if [ "${1:-}" = "cli" ]; then
  shift
  cmake --build --preset release --target prism-cli
  exec build/release/app/prism-cli "$@"
fi
cmake --build --preset release --target prism
exec build/release/app/prism "$@"
