#!/usr/bin/env bash
# One pass over Prism on a real GPU: the op, model and session suites under the Khronos
# validation layer, then prism-bench ops, gen and image, written to one Markdown report that
# names the device and sets decode GB/s against the device's memory bandwidth (roofline %).
#
# Where the GPU machine cannot build (no Qt, FFmpeg or glslang there, nothing to fetch), make a
# bundle here and carry it there:
#
#   tools/gpu_check.sh --bundle .gpu-bundle          # here: release binaries + their libraries,
#                                                    # the Vulkan loader and validation layer
#   tools/gpu_check.sh --prebuilt .gpu-bundle        # there, from the repository root
#
# Without --prebuilt it uses build/release (configured and built with the release preset when
# missing). --quick runs a few-minute subset (lavapipe-sized: one test filter per suite, small
# benchmark shapes, no image benchmark), to check the script itself on a machine without a GPU.
#
# Options:
#   --out FILE          report (default build/gpu-check-report.md)
#   --models DIR        real models (default $PRISM_MODEL_CACHE or ~/.cache/prism/models):
#                       SmolLM2-135M-Instruct.Q4_1.gguf, gemma-3-270m-q4_k_m.gguf and any
#                       *1.5b*/*1.5B* GGUF (tools/fetch_models.py fetches the first two); a
#                       missing one is reported as skipped
#   --bench-models DIR  prism-bench image's model pair (default ~/.cache/prism/bench,
#                       tools/make_bench_vlm.py)
#   --bandwidth GB/S    the device's peak memory bandwidth, when the built-in table (by device
#                       name) does not know it
#   --device D          Vulkan device index or name part (as PRISM_DEVICE)
#   --budget S          seconds for the whole run (default 540); each step gets a share and is
#                       stopped at it
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=build/gpu-check-report.md
models=${PRISM_MODEL_CACHE:-$HOME/.cache/prism/models}
bench_models=$HOME/.cache/prism/bench
bandwidth=""
device=""
budget=540
quick=0
prebuilt=""
bundle=""

die() {
    echo "gpu_check: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --models) models=$2; shift 2 ;;
        --bench-models) bench_models=$2; shift 2 ;;
        --bandwidth) bandwidth=$2; shift 2 ;;
        --device) device=$2; shift 2 ;;
        --budget) budget=$2; shift 2 ;;
        --quick) quick=1; shift ;;
        --prebuilt) prebuilt=$2; shift 2 ;;
        --bundle) bundle=$2; shift 2 ;;
        -h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done

programs=(app/prism-bench app/prism-cli tests/prism_gpu_tests tests/prism_op_tests
          tests/prism_model_tests)

# --bundle: the release programs, every shared library they need that is not the C library
# itself (the GPU machine has its own, newer one), and the Vulkan loader and validation layer.
if [ -n "$bundle" ]; then
    build=$repo/build/release
    if [ ! -x "$build/app/prism-bench" ]; then
        (cd "$repo" && cmake --preset release && cmake --build --preset release) ||
            die "the release build failed"
    fi
    rm -rf "$bundle"
    mkdir -p "$bundle/bin" "$bundle/lib" "$bundle/layers"
    for p in "${programs[@]}"; do
        [ -x "$build/$p" ] || die "$build/$p is missing"
        cp "$build/$p" "$bundle/bin/"
        strip "$bundle/bin/$(basename "$p")"
    done
    loader=$(ldconfig -p | awk '/libvulkan.so.1 /{print $NF; exit}')
    [ -n "$loader" ] || die "no libvulkan.so.1 here to bundle (apt-get install libvulkan1)"
    layer_json=/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json
    [ -f "$layer_json" ] || die "no validation layer here (apt-get install vulkan-validationlayers)"
    layer_lib=$(ldconfig -p | awk '/libVkLayer_khronos_validation.so /{print $NF; exit}')
    [ -n "$layer_lib" ] || layer_lib=$(find /usr/lib -name libVkLayer_khronos_validation.so | head -1)
    { for p in "$bundle"/bin/*; do ldd "$p"; done; echo "x => $loader (0)"; ldd "$layer_lib"; } |
        awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u |
        grep -Ev '/(libc|libm|libdl|libpthread|librt|ld-linux-x86-64)\.so' |
        while read -r lib; do cp -L "$lib" "$bundle/lib/"; done
    cp -L "$layer_lib" "$bundle/layers/"
    sed "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"./$(basename "$layer_lib")\"#" \
        "$layer_json" >"$bundle/layers/VkLayer_khronos_validation.json"
    echo "$repo" >"$bundle/source-dir"
    git -C "$repo" rev-parse HEAD >"$bundle/commit" 2>/dev/null || true
    echo "gpu_check: bundle in $bundle ($(du -sh "$bundle" | cut -f1)); run there:" \
        "tools/gpu_check.sh --prebuilt $bundle"
    exit 0
fi

# Where the programs are, and the environment they need.
if [ -n "$prebuilt" ]; then
    prebuilt=$(cd "$prebuilt" && pwd) || die "no bundle at $prebuilt"
    bin=$prebuilt/bin
    export LD_LIBRARY_PATH=$prebuilt/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export VK_LAYER_PATH=$prebuilt/layers
    # The test programs find tests/data and the demo model at the source path they were built
    # from: point that path at this checkout when it is not there.
    src=$(cat "$prebuilt/source-dir")
    if [ ! -e "$src/tests/data" ]; then
        mkdir -p "$(dirname "$src")" && ln -sfn "$repo" "$src" ||
            echo "gpu_check: cannot link $src to $repo; tests that read tests/data will fail" >&2
    fi
    commit=$(cat "$prebuilt/commit" 2>/dev/null || echo unknown)
else
    build=$repo/build/release
    if [ ! -x "$build/app/prism-bench" ]; then
        (cd "$repo" && cmake --preset release && cmake --build --preset release) ||
            die "the release build failed"
    fi
    bin=$build/bin-links
    mkdir -p "$bin"
    for p in "${programs[@]}"; do ln -sfn "$build/$p" "$bin/$(basename "$p")"; done
    commit=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
fi
# The NVIDIA driver of the lent machines keeps its ICD manifest outside the loader's search path.
nv_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$nv_icd" ]; then
    export VK_DRIVER_FILES=$nv_icd
fi
[ -n "$device" ] && export PRISM_DEVICE=$device
export PRISM_MODEL_CACHE=$models
cd "$repo" || exit 1

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
start=$(date +%s)
report=$(mktemp)
failures=0

left() { echo $((budget - ($(date +%s) - start))); }

# step NAME SHARE COMMAND...: runs COMMAND with at most SHARE seconds (less if the budget is
# nearly spent), its output in the log; a line in the report's summary.
step() {
    local name=$1 share=$2
    shift 2
    local limit
    limit=$(left)
    [ "$share" -lt "$limit" ] && limit=$share
    if [ "$limit" -le 5 ]; then
        echo "| $name | skipped: budget spent | |" >>"$log_dir/summary"
        return 1
    fi
    local t0 rc
    t0=$(date +%s)
    echo "gpu_check: $name (at most ${limit}s)" >&2
    timeout --kill-after=10 "$limit" "$@" >"$log_dir/$name.log" 2>&1
    rc=$?
    local took=$(($(date +%s) - t0))
    local what=passed
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        what="stopped after ${limit}s"
        failures=$((failures + 1))
    elif [ $rc -ne 0 ]; then
        what="FAILED (exit $rc)"
        failures=$((failures + 1))
    fi
    echo "| $name | $what | ${took} s |" >>"$log_dir/summary"
    return $rc
}

skip() { echo "| $1 | skipped: $2 | |" >>"$log_dir/summary"; }

# --- the device -------------------------------------------------------------------------------
"$bin/prism-cli" devices >"$log_dir/devices.log" 2>&1 || die "prism-cli devices failed: $(cat "$log_dir/devices.log")"
device_line=$(grep -m1 '^\*' "$log_dir/devices.log" || head -1 "$log_dir/devices.log")
device_name=$(echo "$device_line" | sed -E 's/^[ *]*[0-9]+: *//; s/ \([A-Za-z -]+\)$//')
[ -n "$device_name" ] || device_name=$(head -1 "$log_dir/devices.log")

# Peak memory bandwidth in GB/s by device name (vendors' figures), when --bandwidth is not given.
if [ -z "$bandwidth" ]; then
    case "$device_name" in
        *H200*) bandwidth=4800 ;;
        *H100*PCIe*) bandwidth=2000 ;;
        *H100*NVL*) bandwidth=3900 ;;
        *H100*) bandwidth=3350 ;;
        *A100*80GB*) bandwidth=2039 ;;
        *A100*) bandwidth=1555 ;;
        *L40S* | *L40*) bandwidth=864 ;;
        *"RTX 4090"*) bandwidth=1008 ;;
        *"RTX 3090"*) bandwidth=936 ;;
        *) bandwidth="" ;;
    esac
fi

# --- suites, under the validation layer --------------------------------------------------------
export PRISM_VALIDATION=1
if [ $quick -eq 1 ]; then
    gpu_filter='*PipelineCache*'
    op_filter='*MatmulRejects*:AllTypes/MatmulOp.*/Q4_0'
    model_filter='*Stories*'
else
    gpu_filter='*'
    op_filter='*'
    model_filter='*'
fi
step gpu-suite 60 "$bin/prism_gpu_tests" --gtest_color=no "--gtest_filter=$gpu_filter"
step op-suite 150 "$bin/prism_op_tests" --gtest_color=no "--gtest_filter=$op_filter"
step model-suite 150 "$bin/prism_model_tests" --gtest_color=no "--gtest_filter=$model_filter"
unset PRISM_VALIDATION

# --- benchmarks ---------------------------------------------------------------------------------
if [ $quick -eq 1 ]; then
    step bench-ops 60 "$bin/prism-bench" ops --only matvec --models 1.5B --types q4_k \
        --min-time 0.05 --json
else
    step bench-ops 90 "$bin/prism-bench" ops --models 0.5B,1.5B --contexts 512,4096 --json
fi

gen_args=(-p 128 -n 64 -r 3)
[ $quick -eq 1 ] && gen_args=(-p 8 -n 4 -r 1)
gen_models=()
for f in SmolLM2-135M-Instruct.Q4_1.gguf gemma-3-270m-q4_k_m.gguf; do
    if [ -f "$models/$f" ]; then gen_models+=("$models/$f"); else skip "gen $f" "not in $models"; fi
done
big=$(find "$models" -maxdepth 1 -iname '*1.5b*.gguf' 2>/dev/null | head -1)
if [ -n "$big" ]; then gen_models+=("$big"); else skip "gen 1-2B K-quant model" "no *1.5b*.gguf in $models"; fi
for m in "${gen_models[@]}"; do
    name=$(basename "$m" .gguf)
    step "gen-$name" 60 "$bin/prism-bench" gen -m "$m" "${gen_args[@]}" --json
    # A short prompt against decode steps: the small-batch path.
    [ $quick -eq 0 ] && step "gen16-$name" 30 "$bin/prism-bench" gen -m "$m" -p 16 -n 8 -r 2 --json
done

vlm=$bench_models/smolvlm-256m-shape-Q8_0.gguf
mmproj=$bench_models/mmproj-smolvlm-256m-shape-f16.gguf
if [ $quick -eq 1 ]; then
    skip image "--quick"
elif [ -f "$vlm" ] && [ -f "$mmproj" ]; then
    step image 90 "$bin/prism-bench" image --mmproj "$mmproj" -m "$vlm" -r 1 --json
else
    skip image "no $vlm (tools/make_bench_vlm.py)"
fi

# --- the report ---------------------------------------------------------------------------------
json_rows() { grep -h '^{' "$@" 2>/dev/null; }
{
    echo "# Prism GPU check"
    echo
    echo "- device: **$device_name**"
    echo "- commit: $commit; $(date -u '+%Y-%m-%d %H:%M UTC'); host $(nproc) cores"
    echo "- peak memory bandwidth: ${bandwidth:-unknown (pass --bandwidth)} GB/s"
    [ $quick -eq 1 ] && echo "- quick mode (a subset; not a full check)"
    echo
    echo '```'
    cat "$log_dir/devices.log"
    echo '```'
    echo
    echo "| step | result | time |"
    echo "|---|---|---:|"
    cat "$log_dir/summary"
    echo
    echo "## Decode against the roofline"
    echo
    echo "GB/s = weight bytes x tokens/s (every weight read once per token; the token embedding"
    echo "counts whole, so this slightly overstates what a step reads)."
    echo
    echo "| model | test | t/s | weights MB | GB/s | roofline % |"
    echo "|---|---|---:|---:|---:|---:|"
    json_rows "$log_dir"/gen-*.log "$log_dir"/gen16-*.log >"$log_dir/gen.json"
    python3 - "$bandwidth" "$log_dir/gen.json" <<'PY'
import json, sys
bw = float(sys.argv[1]) if sys.argv[1] else None
for line in open(sys.argv[2]):
    r = json.loads(line)
    tps, size = r["tokens_per_second"], r["size_bytes"]
    gbs = size * tps / 1e9 if r["test"].startswith("tg") else None
    roof = f"{100 * gbs / bw:.1f}" if gbs and bw else ""
    rate = f"{tps:.2f} ± {r['stddev']:.2f}"
    gb = f"{gbs:.1f}" if gbs else ""
    print(f"| {r['model']} | {r['test']} | {rate} | {size / 1e6:.1f} | {gb} | {roof} |")
PY
    echo
    echo "## prism-bench ops"
    echo
    echo "| op | model | type | shape | ms | GB/s | roofline % | GFLOP/s |"
    echo "|---|---|---|---|---:|---:|---:|---:|"
    json_rows "$log_dir/bench-ops.log" >"$log_dir/ops.json"
    python3 - "$bandwidth" "$log_dir/ops.json" <<'PY'
import json, sys
bw = float(sys.argv[1]) if sys.argv[1] else None
for line in open(sys.argv[2]):
    r = json.loads(line)
    g = r.get("gb_per_s", 0.0)
    roof = f"{100 * g / bw:.1f}" if bw and r.get("op") == "matvec" else ""
    ms = r.get("us", 0) / 1000
    print(f"| {r.get('op')} | {r.get('model')} | {r.get('type')} | {r.get('shape')} | "
          f"{ms:.3f} | {g:.2f} | {roof} | {r.get('gflop_per_s', 0):.2f} |")
PY
    if [ -f "$log_dir/image.log" ]; then
        echo
        echo "## prism-bench image"
        echo
        echo '```'
        json_rows "$log_dir/image.log"
        echo '```'
    fi
    echo
    echo "## Logs of failed steps (last 40 lines each)"
    for f in "$log_dir"/*.log; do
        n=$(basename "$f" .log)
        grep -q "^| $n | \(FAILED\|stopped\)" "$log_dir/summary" || continue
        echo
        echo "### $n"
        echo '```'
        tail -n 40 "$f"
        echo '```'
    done
} >"$report"
mkdir -p "$(dirname "$out")" && mv "$report" "$out"
echo "gpu_check: report in $out ($failures failed step(s), $(($(date +%s) - start)) s)"
[ $failures -eq 0 ]
