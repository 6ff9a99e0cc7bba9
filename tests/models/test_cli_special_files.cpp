// prism-cli given a FIFO or a device where a model, mmproj or image belongs: one line naming the
// file and its kind, promptly. A regression that blocks in open() is killed by `timeout` and
// fails the test instead of hanging it.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "models/cli_runner.hpp"
#include "support/special_files.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

const fs::path kGemma = fs::path(PRISM_TEST_DATA_DIR) / "vlm" / "gemma3";
const std::string kTimeout = "timeout 60 ";

std::string quoted(const fs::path& path) {
    return "'" + path.string() + "'";
}

TEST(CliSpecialFiles, FifoAsModelOrMmprojIsRefused) {
    const TempFolder folder("prism-cli-fifo");
    const fs::path fifo = folder.fifo("model.gguf");
    const std::string refused = fifo.string() + ": not a regular file (a FIFO)";
    expect_one_line_error(run_cli("info " + quoted(fifo), kTimeout), refused);
    expect_one_line_error(run_cli("run -m " + quoted(fifo) + " -p hi", kTimeout), refused);
    expect_one_line_error(run_cli("run -m " + quoted(kGemma / "text.gguf") + " --mmproj " +
                                      quoted(fifo) + " -p hi -c 64",
                                  kTimeout),
                          refused);
}

TEST(CliSpecialFiles, FifoOrDeviceAsImageIsRefused) {
    const TempFolder folder("prism-cli-image-fifo");
    const fs::path fifo = folder.fifo("cat.png");
    const std::string model =
        "run -m " + quoted(kGemma / "text.gguf") + " --mmproj " + quoted(kGemma / "mmproj.gguf");
    expect_one_line_error(run_cli(model + " --image " + quoted(fifo) + " -p hi -c 64", kTimeout),
                          fifo.string() + ": not a regular file (a FIFO)");
    expect_one_line_error(run_cli(model + " --image /dev/zero -p hi -c 64", kTimeout),
                          "/dev/zero: not a regular file (a character device)");
}

}  // namespace
}  // namespace prism::test
