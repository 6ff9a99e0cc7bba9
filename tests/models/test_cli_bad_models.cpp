// prism-cli given a model whose metadata cannot run fails at load, in one short line naming the
// file and the key, not at the first generation; names from the file are escaped and capped.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "models/cli_runner.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

std::string bad(const std::string& name) {
    return "'" + (fs::path(PRISM_TEST_DATA_DIR) / "gguf-bad" / name).string() + "'";
}

TEST(CliBadModels, NanEpsilonFailsAtLoadNamingFileAndKey) {
    const CliRun r = run_cli("run -m " + bad("nan_rms_epsilon.gguf") + " -p hi -n 4");
    expect_one_line_error(r,
                          "nan_rms_epsilon.gguf: key llama.attention.layer_norm_rms_epsilon "
                          "= nan: must be a finite number > 0");
}

TEST(CliBadModels, LongArchitectureNameIsCapped) {
    const CliRun r = run_cli("run -m " + bad("long_architecture_name.gguf") + " -p hi");
    expect_one_line_error(r, "... (102400 bytes)' is not supported");
    EXPECT_LT(r.err.size(), 400u);
}

TEST(CliBadModels, NulInATensorNameIsEscapedAndTheReasonKept) {
    const CliRun r = run_cli("info " + bad("nul_in_tensor_name.gguf"));
    expect_one_line_error(r, "tensor 'blk.0\\x00attn_q.weight' has 5 dimensions (at most 4)");
}

}  // namespace
}  // namespace prism::test
