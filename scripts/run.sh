#!/usr/bin/env bash
# Builds Prism (optimised) and starts prism-cli with the given arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
exec build/release/app/prism-cli "$@"
