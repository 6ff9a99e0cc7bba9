#!/usr/bin/env bash
# Makes build/test-venv with the Python packages the tests need (tests/server/requirements.txt:
# the official openai client, pinned). Debian's own pip refuses to install system-wide, hence a
# venv. Safe to run again; a failed install fails loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${PRISM_TEST_VENV:-build/test-venv}"
requirements=tests/server/requirements.txt
stamp="$venv/.requirements"
if [ -x "$venv/bin/python" ] && cmp -s "$requirements" "$stamp"; then
  exit 0
fi
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
