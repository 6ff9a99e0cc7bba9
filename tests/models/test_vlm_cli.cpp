// `prism-cli run --mmproj --image` as a user runs it, on the tiny gemma3 vision fixture: the
// answer equals the Session's for the same message, the image-encode time is printed, and
// mismatched or impossible image requests fail with one line.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "models/cli_runner.hpp"
#include "prism/media/image.hpp"
#include "prism/session.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

const fs::path kGemma = fs::path(PRISM_TEST_DATA_DIR) / "vlm" / "gemma3";

std::string files() {
    return "-m '" + (kGemma / "text.gguf").string() + "' --mmproj '" +
           (kGemma / "mmproj.gguf").string() + "' ";
}

TEST(VlmCli, ImageAnswerEqualsTheSessionsAndPrintsEncodeTime) {
    const std::string image = (kGemma / "image.png").string();
    const CliRun r = run_cli("run " + files() + "--image '" + image +
                             "' -p '<image>What is in the image?' -n 8 --temp 0 -c 128");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("image encode: 1 image(s)"), std::string::npos) << r.err;

    SessionOptions o;
    o.n_ctx = 128;
    o.mmproj = kGemma / "mmproj.gguf";
    Session s = Session::load(kGemma / "text.gguf", o);
    s.add_user({MessagePart::of_image(
                    std::make_shared<const media::Image>(media::decode_image_file(image))),
                MessagePart::of_text("What is in the image?")});
    GenerateOptions g;
    g.sampling.temperature = 0.0f;
    g.max_tokens = 8;
    EXPECT_EQ(r.out, s.generate(g).text + "\n");

    // Without "<image>" the image goes before the text: the same prompt here.
    const CliRun before = run_cli("run " + files() + "--image '" + image +
                                  "' -p 'What is in the image?' -n 8 --temp 0 -c 128");
    EXPECT_EQ(before.out, r.out) << before.err;
}

TEST(VlmCli, BadImageRequestsFailWithOneLine) {
    const std::string image = (kGemma / "image.png").string();
    expect_one_line_error(run_cli("run -m '" + (kGemma / "text.gguf").string() + "' --image '" +
                                  image + "' -p hi -c 64"),
                          "this model has no vision encoder; load an mmproj");
    expect_one_line_error(
        run_cli("run " + files() + "--image '" + image + "' -p '<image><image> two?' -c 64"),
        "2 <image> but 1 --image");
    expect_one_line_error(run_cli("run " + files() + "--image /nonexistent.png -p hi -c 64"),
                          "/nonexistent.png");
}

}  // namespace
}  // namespace prism::test
